"""TCN input features from keypoint series."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np

from core.constants import LANDMARK_INDEX
from core.synthetic.params import GaitParams
from core.tcn.features import FEATURE_NAMES, N_FEATURES, build_features, interpolate_missing, resample_features

PARAMS = GaitParams(fps=30.0, duration_s=4.0, seed=3)


def test_tcn_features_shape_and_layout(make_walk: Callable) -> None:
    series, _ = make_walk(PARAMS)
    feats = build_features(series)
    assert feats.shape == (series.n_frames, N_FEATURES) and feats.dtype == np.float32
    name = {n: i for i, n in enumerate(FEATURE_NAMES)}
    # Ankles lie about one leg length below the pelvis; walking speed is positive (forward).
    assert -1.2 < np.median(feats[:, name["left_ankle_up"]]) < -0.7
    assert np.median(feats[:, name["left_hip_vfwd"]]) > 0.5
    assert np.all(feats[:, name["valid_fraction"]] == 1.0)


def test_tcn_features_do_not_depend_on_walking_direction_or_units(make_walk: Callable) -> None:
    right, _ = make_walk(PARAMS, noise_m=0.0)
    left, _ = make_walk(replace(PARAMS, direction="right_to_left"), noise_m=0.0)
    assert np.allclose(build_features(right), build_features(left), atol=1e-5)
    scaled = replace(right, positions=right.positions * 400.0 + 17.0, units="px")
    assert np.allclose(build_features(scaled), build_features(right), atol=1e-4)


def test_tcn_features_interpolate_missing_landmarks_and_flag_them(make_walk: Callable) -> None:
    series, _ = make_walk(PARAMS)
    full = build_features(series)
    positions = series.positions.copy()
    positions[10:20, LANDMARK_INDEX["left_heel"]] = np.nan
    positions[:, LANDMARK_INDEX["right_foot_index"]] = np.nan
    feats = build_features(replace(series, positions=positions))
    assert np.isfinite(feats).all()
    valid = feats[:, FEATURE_NAMES.index("valid_fraction")]
    assert np.allclose(valid[10:20], 10 / 12) and np.allclose(valid[30], 11 / 12)  # 12 landmarks
    heel = FEATURE_NAMES.index("left_heel_fwd")
    # The gap is bridged in time (close to the true path, far from 0 = "at the hip"), not zeroed.
    error = np.abs(feats[10:20, heel] - full[10:20, heel])
    assert error.max() < 0.3 and error.mean() < 0.5 * np.abs(full[10:20, heel]).mean()
    assert (feats[:, FEATURE_NAMES.index("right_foot_index_fwd")] == 0.0).all()  # missing throughout: 0


def test_tcn_interpolate_missing_is_linear_with_held_ends() -> None:
    x = np.full((6, 2, 2), np.nan)
    x[1, 0] = (1.0, 10.0)
    x[4, 0] = (4.0, 40.0)
    x[:, 1, 0] = np.arange(6.0)
    out = interpolate_missing(x[:, [1, 0]])  # a fancy-indexed (non-C-ordered) input too
    assert np.allclose(out[:, 1, 0], [1, 1, 2, 3, 4, 4]) and np.allclose(out[:, 1, 1], [10, 10, 20, 30, 40, 40])
    assert np.allclose(out[:, 0, 0], np.arange(6.0)) and np.isnan(out[:, 0, 1]).all()
    assert np.isnan(x[0, 0, 0])  # input untouched


def test_tcn_resample_features_keeps_duration() -> None:
    x = np.stack([np.arange(101, dtype=np.float32), np.ones(101, np.float32)], axis=1)  # 1 s at 100 Hz
    y = resample_features(x, 100.0, 50.0)
    assert y.shape == (51, 2)
    assert np.allclose(y[:, 0], np.arange(51) * 2.0)
    assert resample_features(x, 100.0, 100.0).shape == x.shape


def test_tcn_sample_at_rate_moves_features_and_event_frames_together() -> None:
    from core.tcn.samples import Sample, at_rate
    from core.types import GaitEvent

    x = np.stack([np.arange(151, dtype=np.float32), np.zeros(151, np.float32)], axis=1)  # 1 s at 150 Hz
    x[90, 1] = 1.0  # a marker at 0.6 s, where the event is
    sample = Sample("trial", "g", x, 150.0, [GaitEvent("left", "heel_strike", 90, 0.6)], None)
    moved = at_rate(sample, 60.0)
    assert moved.rate_hz == 60.0 and moved.features.shape == (61, 2)
    assert moved.events[0].frame == 36 and moved.events[0].time_s == 0.6
    assert moved.features[36, 1] == np.max(moved.features[:, 1]) > 0.0
    assert at_rate(sample, 151.0) is sample  # within 2 %: unchanged
