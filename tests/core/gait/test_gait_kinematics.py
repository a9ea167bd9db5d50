"""Joint-angle conventions on hand-built poses, cycle normalisation and summaries."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS, LEFT_HIP, LEFT_SHOULDER, NUM_LANDMARKS, RIGHT_HIP, RIGHT_SHOULDER
from core.gait.kinematics import ANGLE_KEYS, cycle_summary, normalise_cycles, sagittal_angles


def _rot(v: np.ndarray, deg: float) -> np.ndarray:
    """Counter-clockwise rotation in the (forward, up) plane."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _pose(forward: np.ndarray, hip_flex: float, knee_flex: float, dorsi: float, lean: float = 0.0) -> np.ndarray:
    """One frame (1, 33, 3) with both legs in the given clinical angles, in 3-D along ``forward``."""
    up = np.array([0.0, 1.0, 0.0])
    lateral = np.cross(forward, up)
    pts = np.full((NUM_LANDMARKS, 3), np.nan)

    def put(i: int, ab: np.ndarray, side_offset: float) -> None:
        pts[i] = ab[0] * forward + ab[1] * up + side_offset * lateral + np.array([3.0, 0.0, -2.0])

    hip = np.array([0.2, 1.0])
    trunk_down = np.array([-np.sin(np.radians(lean)), -np.cos(np.radians(lean))])
    thigh = _rot(trunk_down, hip_flex) * 0.45
    shank = _rot(thigh / 0.45, -knee_flex) * 0.42
    foot = _rot(shank / 0.42, 90.0 + dorsi) * 0.2
    for side, off in (("left", -0.1), ("right", 0.1)):
        idx = LEG_LANDMARKS[side]
        knee, ankle = hip + thigh, hip + thigh + shank
        heel = ankle + np.array([-0.05, -0.05])
        put(idx["hip"], hip, off)
        put(idx["knee"], knee, off)
        put(idx["ankle"], ankle, off)
        put(idx["heel"], heel, off)
        put(idx["toe"], heel + foot, off)
        put(idx["shoulder"], hip - trunk_down * 0.5, off)
    return pts[None]


def _headings() -> list[np.ndarray]:
    h = np.radians(37.0)
    return [np.array([1.0, 0.0, 0.0]), np.array([-1.0, 0.0, 0.0]), np.array([np.cos(h), 0.0, np.sin(h)])]


@pytest.mark.parametrize("forward", _headings(), ids=["+X", "-X", "rotated37"])
@pytest.mark.parametrize(
    "hip, knee, ankle, lean",
    [(0.0, 0.0, 0.0, 0.0), (30.0, 90.0, 0.0, 0.0), (-15.0, 5.0, 12.0, 0.0), (20.0, 40.0, -25.0, 10.0),
     (0.0, -5.0, 0.0, 0.0)],
)
def test_angle_conventions_any_heading(forward: np.ndarray, hip: float, knee: float, ankle: float, lean: float) -> None:
    angles = sagittal_angles(_pose(forward, hip, knee, ankle, lean), forward)
    assert set(angles) == set(ANGLE_KEYS)
    for side in ("left", "right"):
        assert angles[f"{side}_hip"][0] == pytest.approx(hip, abs=1e-9)
        assert angles[f"{side}_knee"][0] == pytest.approx(knee, abs=1e-9)
        assert angles[f"{side}_ankle"][0] == pytest.approx(ankle, abs=1e-9)


def test_wrong_direction_flips_signs() -> None:
    fwd = np.array([1.0, 0.0, 0.0])
    angles = sagittal_angles(_pose(fwd, 30.0, 60.0, 10.0), -fwd)
    assert angles["left_hip"][0] == pytest.approx(-30.0)
    assert angles["left_knee"][0] == pytest.approx(-60.0)


def test_forward_with_vertical_component_is_projected() -> None:
    fwd = np.array([1.0, 0.0, 0.0])
    angles = sagittal_angles(_pose(fwd, 25.0, 35.0, 5.0), np.array([2.0, 0.7, 0.0]))
    assert angles["right_knee"][0] == pytest.approx(35.0)


def test_missing_landmarks_give_nan_and_hip_falls_back_to_vertical() -> None:
    fwd = np.array([1.0, 0.0, 0.0])
    pose = _pose(fwd, 30.0, 20.0, 0.0, lean=15.0)
    pose[0, LEG_LANDMARKS["left"]["toe"]] = np.nan
    angles = sagittal_angles(pose, fwd)
    assert np.isnan(angles["left_ankle"][0]) and not np.isnan(angles["right_ankle"][0])
    assert angles["left_hip"][0] == pytest.approx(30.0)
    pose[0, [LEFT_SHOULDER, RIGHT_SHOULDER]] = np.nan
    assert sagittal_angles(pose, fwd)["left_hip"][0] == pytest.approx(30.0 - 15.0)
    pose[0, [LEFT_HIP, RIGHT_HIP]] = np.nan
    assert np.isnan(sagittal_angles(pose, fwd)["left_knee"][0])


def test_vertical_forward_is_rejected() -> None:
    with pytest.raises(ValueError):
        sagittal_angles(_pose(np.array([1.0, 0.0, 0.0]), 0, 0, 0), np.array([0.0, 1.0, 0.0]))


def test_normalise_cycles_resamples_between_heel_strikes() -> None:
    signal = np.arange(100, dtype=float) * 2.0
    cycles = normalise_cycles(signal, np.array([10.0, 30.5, 60.0]), n_points=5)
    assert cycles.shape == (2, 5)
    np.testing.assert_allclose(cycles[0], 2.0 * np.linspace(10.0, 30.5, 5))
    np.testing.assert_allclose(cycles[1], 2.0 * np.linspace(30.5, 60.0, 5))


def test_normalise_cycles_skips_nan_and_out_of_range_cycles() -> None:
    signal = np.sin(np.arange(200) / 10.0)
    signal[75] = np.nan
    cycles = normalise_cycles(signal, np.array([0.0, 50.0, 100.0, 150.0, 250.0]))
    assert cycles.shape == (2, 101)
    np.testing.assert_allclose(cycles[1][[0, -1]], np.sin(np.array([100.0, 150.0]) / 10.0))
    assert normalise_cycles(signal, np.array([5.0])).shape == (0, 101)


def test_cycle_summary_statistics() -> None:
    pct = np.linspace(0, 1, 101)
    cycles = np.stack([10 * np.sin(2 * np.pi * pct), 20 * np.sin(2 * np.pi * pct)])
    summary = cycle_summary(cycles)
    assert summary["n"] == 2
    np.testing.assert_allclose(summary["mean"], 15 * np.sin(2 * np.pi * pct), atol=1e-12)
    np.testing.assert_allclose(summary["sd"], np.std(cycles, axis=0, ddof=1))
    assert summary["rom_deg"] == pytest.approx(30.0, rel=1e-3)
    empty = cycle_summary(np.empty((0, 101)))
    assert empty["n"] == 0 and np.isnan(empty["mean"]).all() and np.isnan(empty["rom_deg"])


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_angles_agree_with_synthetic_generator_truth(direction: str) -> None:
    from core.synthetic import GaitParams, simulate_walk, truth_to_series

    truth = simulate_walk(GaitParams(camera="static", duration_s=3.0, width_px=1280, direction=direction), "s")[2]
    forward = np.array([1.0 if direction == "left_to_right" else -1.0, 0.0, 0.0])
    angles = sagittal_angles(truth_to_series(truth).positions, forward)
    expected = truth["joint_angles_deg"]
    for side in ("left", "right"):
        # Same definitions and zeros as the generator's truth (its trunk runs from the same-side shoulder
        # and hip, ours between the midpoints: a few hundredths of a degree apart).
        np.testing.assert_allclose(angles[f"{side}_hip"], expected[f"{side}_hip_flexion"], atol=0.05)
        np.testing.assert_allclose(angles[f"{side}_knee"], expected[f"{side}_knee_flexion"], atol=1e-6)
        np.testing.assert_allclose(angles[f"{side}_ankle"], expected[f"{side}_ankle_dorsiflexion"], atol=1e-6)
