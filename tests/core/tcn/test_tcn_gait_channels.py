"""The "TCN + gait parameters" model of small sets: gait parameters as constant input channels."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch

from core.baseline.gait_classifier import feature_names
from core.config import TrainingConfig
from core.errors import InputError
from core.synthetic.params import GaitParams
from core.tcn import small_set
from core.tcn.features import N_FEATURES, build_features, standard_layout
from core.tcn.gait_channels import HYBRID_NAME, extend_layout, fill_values, with_gait_channels
from core.tcn.infer import load_models, predict_class
from core.tcn.model import TCN, ModelConfig
from core.tcn.samples import Sample
from core.tcn.train import train_cross_validated

STYLES = ("normal", "shuffling")


def test_fill_values_are_training_medians_and_zero_when_never_seen() -> None:
    x = np.array([[1.0, np.nan, np.nan], [3.0, 5.0, np.nan], [8.0, np.nan, np.nan]])
    np.testing.assert_array_equal(fill_values(x), [3.0, 5.0, 0.0])


def test_gait_channels_repeat_the_vector_on_every_frame_with_missing_values_filled() -> None:
    features = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = with_gait_channels(features, np.array([2.0, np.nan]), np.array([0.0, 7.0]))
    assert out.shape == (4, 5) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :3], features)
    np.testing.assert_array_equal(out[:, 3:], [[2.0, 7.0]] * 4)
    with pytest.raises(ValueError, match="expected 2 values"):
        with_gait_channels(features, np.array([1.0, 2.0, 3.0]), np.zeros(2))


def test_extended_layout_keeps_a_mirror_invariant_model_invariant() -> None:
    layout = extend_layout(standard_layout(), 4)
    np.testing.assert_array_equal(layout.mirror[N_FEATURES:], np.arange(N_FEATURES, N_FEATURES + 4))
    torch.manual_seed(0)
    model = TCN(ModelConfig(N_FEATURES + 4, 3, False, channels=8, n_blocks=2, mirror=tuple(layout.mirror))).eval()
    x = torch.randn(2, 40, N_FEATURES + 4)
    x[..., N_FEATURES:] = torch.randn(2, 1, 4)  # constant over the frames, like gait parameters
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x[..., torch.as_tensor(layout.mirror)]))


def _walks(make_walk: Callable, n: int) -> list[Sample]:
    out = []
    for i in range(n):
        style = STYLES[i % 2]
        series, _ = make_walk(GaitParams(style=style, fps=30.0, duration_s=5.0, seed=300 + i, variability=0.03))
        gait = np.full(len(feature_names()), float(i % 2) + 0.1 * i)  # separates the styles; some values missing
        gait[3] = np.nan
        out.append(Sample(f"walk{i}", f"walk{i}", build_features(series), 30.0, None, style, gait))
    return out


@pytest.mark.slow
def test_small_set_trains_tcn_plus_gait_parameters_named_as_such(
    make_walk: Callable, tiny_training_config: TrainingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(small_set, "SMALL_GAIT_PARAMETERS", True)
    walks = _walks(make_walk, 6)
    cfg = replace(tiny_training_config, epochs=1)
    summary = train_cross_validated(walks, "classification", cfg, tmp_path, device="cpu", progress=False)
    assert summary["model"] == HYBRID_NAME and summary["small_set"]["gait_parameters"] is True
    assert summary["baseline"] is not None  # the plain baseline stays beside the hybrid
    models = load_models(tmp_path)
    spec = models[0].meta["gait_parameters"]
    assert spec["names"] == feature_names() and len(spec["fill"]) == len(feature_names())
    assert models[0].module.cfg.in_features == N_FEATURES + len(feature_names())
    with pytest.raises(InputError, match="gait parameters"):
        predict_class(models, walks[0].features, 30.0)
    label, _, probs = predict_class(models, walks[0].features, 30.0, walks[0].gait_features)
    appended = with_gait_channels(walks[0].features, walks[0].gait_features, np.asarray(spec["fill"]))
    assert label in STYLES and predict_class(models[:1], appended, 30.0)[2] == predict_class(
        models[:1], walks[0].features, 30.0, walks[0].gait_features)[2]


@pytest.mark.slow
def test_a_video_without_gait_parameters_leaves_the_plain_tcn(
    make_walk: Callable, tiny_training_config: TrainingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(small_set, "SMALL_GAIT_PARAMETERS", True)
    walks = _walks(make_walk, 6)
    walks[0] = replace(walks[0], gait_features=None)
    summary = train_cross_validated(walks, "classification", replace(tiny_training_config, epochs=1), tmp_path,
                                    device="cpu", progress=False)
    assert summary["model"] == "TCN" and summary["small_set"]["gait_parameters"] is False
    assert load_models(tmp_path)[0].module.cfg.in_features == N_FEATURES
