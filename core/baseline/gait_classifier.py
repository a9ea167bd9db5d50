"""A regularised logistic regression on per-video gait parameters, cross-validated on given folds.

The features are side-free: per gait parameter the mean of both sides and the absolute left-right
difference, so that an affected left or right side looks the same. scikit-learn is imported lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

SIDE_KEYS: tuple[str, ...] = (
    "step_time_s", "stride_time_s", "stance_pct", "swing_pct", "double_support_pct", "single_support_pct",
    "step_length_leg_norm", "hip_rom_deg", "knee_rom_deg", "ankle_rom_deg",
)
SCALAR_KEYS: tuple[str, ...] = ("cadence_steps_per_min",)
BASELINE_C = 1.0  # inverse L2 strength of the logistic regression (set before any measurement, not tuned)


def _number(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return x if np.isfinite(x) else float("nan")


def feature_names() -> list[str]:
    names = list(SCALAR_KEYS)
    for key in SIDE_KEYS:
        names += [f"{key}_mean", f"{key}_abs_lr_diff"]
    return names


def gait_feature_vector(row: Mapping[str, Any]) -> np.ndarray:
    """(F,) float64 from one summary row (``core.io.gait_outputs.summary_row``); NaN where missing."""
    values = [_number(row.get(k)) for k in SCALAR_KEYS]
    for key in SIDE_KEYS:
        left, right = _number(row.get(f"left_{key}")), _number(row.get(f"right_{key}"))
        both = [v for v in (left, right) if np.isfinite(v)]
        values.append(float(np.mean(both)) if both else float("nan"))
        values.append(abs(left - right))
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class BaselineFold:
    """Held-out predictions of one fold: test indices, predicted class indices, (n, C) probabilities."""

    test_idx: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray

    def accuracy(self, truth: np.ndarray) -> float:
        return float(np.mean(self.predicted == truth[self.test_idx])) if self.test_idx.size else float("nan")


def _model(seed: int) -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(C=BASELINE_C, max_iter=2000, random_state=seed),
    )


def cross_validate_baseline(
    features: np.ndarray, classes: np.ndarray, n_classes: int, folds: list[tuple[np.ndarray, np.ndarray]], seed: int = 0
) -> list[BaselineFold]:
    """Fit on each fold's training part, predict its test part.

    features: (N, F) with NaN for missing values (imputed with the training median); classes: (N,)
    int class indices in [0, n_classes). A class absent from a training part gets probability 0.
    """
    x, y = np.asarray(features, dtype=np.float64), np.asarray(classes, dtype=np.int64)
    out = []
    for train_idx, test_idx in folds:
        proba = np.zeros((len(test_idx), n_classes))
        seen = np.unique(y[train_idx])
        if seen.size == 1:
            proba[:, seen[0]] = 1.0
        elif len(test_idx):
            model = _model(seed).fit(x[train_idx], y[train_idx])
            proba[:, model.classes_] = model.predict_proba(x[test_idx])
        out.append(BaselineFold(np.asarray(test_idx), proba.argmax(axis=1), proba))
    return out
