"""Video landmarks in metres in the ground frame (the ``_m.trc`` export): pure function and a panned walk."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEFT_HEEL, LEFT_HIP, NUM_LANDMARKS, RIGHT_HEEL, RIGHT_HIP
from core.gait.analysis import analyze_series
from core.gait.metric_frame import FOOT_POINTS, metric_ground_positions
from core.synthetic import GaitParams, simulate_walk, truth_to_series

CFG = load_profile("balanced").preprocessing
HEIGHT_M = 1.7


def _standing(n: int = 5) -> np.ndarray:
    """(n, 33, 3) px: every point at x = 300 + 10 t, y = 50 (feet at y = 20 and 25), z = 0."""
    p = np.zeros((n, NUM_LANDMARKS, 3))
    p[..., 0] = 300.0 + 10.0 * np.arange(n)[:, None]
    p[..., 1] = 50.0
    p[:, list(FOOT_POINTS), 1] = [20.0, 25.0, 20.0, 25.0]
    return p


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_scaled_from_the_floor_and_the_first_hip_along_the_walk(sign: float) -> None:
    p = _standing()
    p[..., 0] = 300.0 + sign * (p[..., 0] - 300.0)  # walking along -X when sign is -1
    out = metric_ground_positions(p, np.array([sign, 0.0, 0.0]), 0.01)
    assert out[0, LEFT_HIP, 0] == pytest.approx(0.0)
    assert out[4, RIGHT_HIP, 0] == pytest.approx(0.4)  # 40 px forward at 1 cm/px, whichever way the walk went
    assert out[2, LEFT_HEEL, 1] == pytest.approx(0.0) and out[2, LEFT_HIP, 1] == pytest.approx(0.3)
    assert np.all(out[..., 2] == 0.0)


def test_missing_points_stay_missing_and_a_bad_scale_is_refused() -> None:
    p = _standing()
    p[1, RIGHT_HEEL] = np.nan
    p[0, [LEFT_HIP, RIGHT_HIP]] = np.nan  # the first seen hip is in frame 1
    out = metric_ground_positions(p, np.array([1.0, 0.0, 0.0]), 0.01)
    assert np.isnan(out[1, RIGHT_HEEL]).all() and np.isfinite(out[1, LEFT_HEEL]).all()
    assert out[1, LEFT_HIP, 0] == pytest.approx(0.0)
    assert np.isnan(metric_ground_positions(np.full((3, NUM_LANDMARKS, 3), np.nan), np.ones(3), 0.01)).all()
    with pytest.raises(ValueError):
        metric_ground_positions(p, np.array([1.0, 0.0, 0.0]), 0.0)


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_a_panned_walk_reads_its_speed_and_floor_in_metres(direction: str) -> None:
    truth = simulate_walk(GaitParams(camera="tracking", direction=direction, duration_s=6.0,
                                     subject_height_m=HEIGHT_M))[2]
    series = truth_to_series(truth)
    result = analyze_series(series, CFG, subject_height_m=HEIGHT_M)
    metric = result.metric_series()
    assert metric is not None and metric.units == "m" and metric.n_frames == result.series.n_frames
    hip_x = np.nanmean(metric.positions[:, [LEFT_HIP, RIGHT_HIP], 0], axis=1)
    speed_m_s = np.polyfit(metric.time_s, hip_x, 1)[0]  # the pan removed: the hip travels at the walking speed
    assert speed_m_s == pytest.approx(truth["walking_speed_m_s"], rel=0.05)
    lowest_foot_m = np.nanmin(metric.positions[:, list(FOOT_POINTS), 1], axis=1)
    assert np.abs(np.median(lowest_foot_m)) < 1e-9 and np.percentile(np.abs(lowest_foot_m), 90) < 0.03
    hip_height_m = np.nanmedian(metric.positions[:, [LEFT_HIP, RIGHT_HIP], 1])
    assert 0.4 * HEIGHT_M < hip_height_m < 0.6 * HEIGHT_M
    assert analyze_series(series, CFG).metric_series() is None  # no scale without --subject-height
