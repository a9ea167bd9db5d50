"""The baseline beside the TCN on the same folds (no torch): a logistic regression on per-video gait
parameters for classification (``core.baseline.gait_classifier``), the kinematic detector's events
for the events task (scored with the TCN's metric)."""

from __future__ import annotations

import numpy as np

from core.constants import TCN_EVENT_TOLERANCE_FRAMES
from core.tcn.metrics import (
    classification_scores,
    combine_matches,
    confusion_matrix,
    event_scores,
    match_events,
    mean_sd,
)
from core.tcn.samples import Sample

BASELINE_NAME = "logistic regression (L2, C=1) on standardised per-video gait parameters"
COMBINED_NAME = "TCN + gait parameters"
COMBINED_METHOD = "mean of the TCN's and the baseline's class probabilities (equal weights, not tuned)"


def classification_baseline(
    samples: list[Sample], folds: list[tuple[np.ndarray, np.ndarray]], class_names: tuple[str, ...], seed: int
) -> tuple[dict | None, dict[str, dict]]:
    """(summary, {video name: {"fold", "predicted", "probabilities"}}) of the baseline on ``folds``;
    (None, {}) when some sample has no gait parameters."""
    from core.baseline.gait_classifier import cross_validate_baseline, feature_names

    if not samples or any(s.gait_features is None for s in samples):
        return None, {}
    x = np.stack([np.asarray(s.gait_features, dtype=np.float64) for s in samples])
    y = np.array([class_names.index(s.label) for s in samples])
    results = cross_validate_baseline(x, y, len(class_names), folds, seed)
    per_video: dict[str, dict] = {}
    per_fold = []
    for k, fold in enumerate(results):
        per_fold.append(fold.accuracy(y))
        for i, pred, probs in zip(fold.test_idx.tolist(), fold.predicted.tolist(), fold.probabilities):
            per_video[samples[i].name] = {
                "fold": k, "predicted": class_names[pred],
                "probabilities": {n: float(p) for n, p in zip(class_names, probs)},
            }
    truth = np.array([y[i] for f in results for i in f.test_idx])
    pred = np.concatenate([f.predicted for f in results]) if results else np.zeros(0, dtype=np.int64)
    cm = confusion_matrix(truth, pred, len(class_names))
    summary = {
        "model": BASELINE_NAME,
        "features": feature_names(),
        "accuracy": {**mean_sd(per_fold), "per_fold": per_fold},
        "pooled": classification_scores(cm),
        "confusion_matrix": {"labels": list(class_names), "counts": cm.tolist()},
    }
    return summary, per_video


def combined_classification(
    detailed: list[dict], baseline: dict[str, dict], class_names: tuple[str, ...], n_folds: int
) -> tuple[dict | None, dict[str, dict]]:
    """(summary, {video name: {"fold", "predicted", "probabilities"}}) of the TCN and the baseline
    combined: per held-out video the mean of their class probabilities (``COMBINED_METHOD``); (None, {})
    without a baseline for every video. ``detailed``: the TCN's per-video records (``evaluate``)."""
    if not detailed or any(rec["name"] not in baseline for rec in detailed):
        return None, {}
    per_video: dict[str, dict] = {}
    hits: list[list[bool]] = [[] for _ in range(n_folds)]
    truth, pred = [], []
    for rec in detailed:
        base = baseline[rec["name"]]["probabilities"]
        probs = np.array([(rec["probabilities"].get(c, 0.0) + base[c]) / 2 for c in class_names])
        best = int(np.argmax(probs))
        per_video[rec["name"]] = {"fold": rec["fold"], "predicted": class_names[best],
                                  "probabilities": {c: float(p) for c, p in zip(class_names, probs)}}
        truth.append(class_names.index(rec["true"]))
        pred.append(best)
        hits[rec["fold"]].append(truth[-1] == best)
    per_fold = [float(np.mean(h)) for h in hits if h]
    cm = confusion_matrix(np.array(truth), np.array(pred), len(class_names))
    summary = {
        "model": COMBINED_NAME,
        "method": COMBINED_METHOD,
        "accuracy": {**mean_sd(per_fold), "per_fold": per_fold},
        "pooled": classification_scores(cm),
        "confusion_matrix": {"labels": list(class_names), "counts": cm.tolist()},
    }
    return summary, per_video


def prediction_rows(
    detailed: list[dict], baseline: dict[str, dict], class_names: tuple[str, ...], combined: dict[str, dict] | None = None
) -> list[dict]:
    """One row per held-out video: video, fold, true, predicted, p_<class>..., and the baseline's
    prediction and probabilities (``baseline_predicted``, ``baseline_p_<class>``) when there is one,
    then the combination's (``combined_predicted``, ``combined_p_<class>``) when there is one."""
    rows = []
    for rec in detailed:
        row = {"video": rec["name"], "fold": rec["fold"], "true": rec["true"], "predicted": rec["predicted"]}
        row |= {f"p_{c}": rec["probabilities"].get(c, 0.0) for c in class_names}
        for prefix, other in (("baseline", baseline), ("combined", combined or {})):
            if other:
                found = other.get(rec["name"])
                row[f"{prefix}_predicted"] = found["predicted"] if found else ""
                row |= {f"{prefix}_p_{c}": (found["probabilities"][c] if found else float("nan")) for c in class_names}
        rows.append(row)
    return rows


def events_baseline(samples: list[Sample], folds: list[tuple[np.ndarray, np.ndarray]]) -> dict | None:
    """The kinematic detector's events on each fold's held-out videos, scored like the TCN's (F1 at
    +-``TCN_EVENT_TOLERANCE_FRAMES`` frames, annotated span only); None without annotated labels and
    detector events for every sample (with pseudo-labels the detector is the teacher, not a baseline)."""
    from core.tcn.decode import events_to_positions
    from core.tcn.evaluate import in_truth_span

    if not samples or any(s.baseline_events is None for s in samples):
        return None
    tol = TCN_EVENT_TOLERANCE_FRAMES
    per_fold, pooled = [], []
    for _, test_idx in folds:
        matches = []
        for i in test_idx:
            truth = events_to_positions(samples[i].events or [])
            found = in_truth_span(events_to_positions(samples[i].baseline_events or []), truth, tol)
            matches += [match_events(p, t, tol) for p, t in zip(found, truth)]
        fold = combine_matches(matches)
        pooled.append(fold)
        per_fold.append(event_scores(fold)["f1"])
    total = event_scores(combine_matches(pooled))
    return {
        "model": "kinematic event detector (core.gait), scored like the TCN",
        "f1": {**mean_sd(per_fold), "per_fold": per_fold},
        "pooled": {k: total[k] for k in ("f1", "precision", "recall", "mae_frames", "tp", "fp", "fn")},
    }
