import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LANDMARK_INDEX as LI
from core.errors import InsufficientDataError
from core.gait.direction import leg_length, progression_direction
from core.constants import LEG_LANDMARKS
from core.gait.leg_swaps import bridge_spikes
from core.gait.preprocessing import (
    _long_enough,
    butterworth_lowpass,
    correct_left_right_swaps,
    detect_walking_bouts,
    fill_gaps,
    hampel_filter,
    hampel_outliers,
    is_uniform,
    mask_low_confidence,
    preprocess,
    resample_uniform,
    swap_legs,
)
from core.types import KeypointSeries

CFG = load_profile("balanced").preprocessing


def walk(rate_hz=30.0, duration_s=8.0, direction=1, treadmill=False, lateral_m=0.0, noise=0.0, seed=0):
    """Side-view walker (metres, X forward, Y up): both legs, stance 60%, stride 1.1 s."""
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    stride_s, stride_m = 1.1, 1.3
    pos = np.full((len(t), 33, 3), np.nan)
    pelvis_x = stride_m / stride_s * t
    for side, lag, z in (("right", 0.1, lateral_m), ("left", 0.65, -lateral_m)):
        k = np.floor((t - lag) / stride_s)
        u = np.clip(((t - lag) / stride_s - k - 0.6) / 0.4, 0, 1)
        x = stride_m * (k + lag / stride_s + 0.25) + stride_m * (u - np.sin(2 * np.pi * u) / (4 * np.pi))
        heel = np.stack([x, 0.05 + 0.08 * np.sin(np.pi * u**0.7) ** 2, np.full_like(t, z)], 1)
        hip = np.stack([pelvis_x, np.full_like(t, 0.95), np.full_like(t, z)], 1)
        for name, point in (("heel", heel), ("foot_index", heel + [0.2, -0.02, 0]), ("ankle", heel + [0.05, 0.05, 0]),
                            ("hip", hip), ("knee", (hip + heel) / 2 + [0.05, 0, 0]), ("shoulder", hip + [0, 0.5, 0])):
            pos[:, LI[f"{side}_{name}"]] = point
    if treadmill:
        pos[..., 0] -= pelvis_x[:, None]
    pos[..., 0] *= direction
    pos += np.random.default_rng(seed).normal(0, noise, pos.shape)
    return pos, t


def as_series(pos, t, units="m"):
    return KeypointSeries(pos, t, np.isfinite(pos).all(axis=2).astype(float), units=units, is_2d=units == "px")


def test_butterworth_keeps_low_and_attenuates_high_frequencies():
    t = np.arange(2000) / 100.0
    low, high = np.sin(2 * np.pi * 2 * t), np.sin(2 * np.pi * 20 * t)
    out = butterworth_lowpass(low + high, 100.0, 6.0, 4)
    mid = slice(200, -200)
    assert np.max(np.abs(out[mid] - low[mid])) < 0.02
    assert np.std(butterworth_lowpass(high, 100.0, 6.0, 4)[mid]) < 0.005


def test_butterworth_filters_each_finite_run_and_keeps_nan():
    x = np.sin(np.arange(200) / 10.0)
    x[90:100] = np.nan
    out = butterworth_lowpass(x[:, None], 100.0, 6.0, 4)
    assert np.isnan(out[90:100]).all() and np.isfinite(out[:90]).all() and np.isfinite(out[100:]).all()
    with pytest.raises(ValueError, match="Nyquist"):
        butterworth_lowpass(x, 10.0, 6.0, 4)


def test_fill_gaps_up_to_limit_only():
    x = np.sin(np.arange(100) / 8.0)
    y = x.copy()
    y[:2] = np.nan
    y[20:24] = np.nan
    y[50:70] = np.nan
    out = fill_gaps(y, max_gap_samples=5)
    assert np.max(np.abs(out[20:24] - x[20:24])) < 0.01
    assert np.isnan(out[50:70]).all() and np.isnan(out[:2]).all()


def test_hampel_removes_a_spike_and_keeps_clean_samples():
    x = np.sin(np.arange(300) / 15.0)
    spiked = x.copy()
    spiked[150] += 2.0
    mask = hampel_outliers(spiked, 9, 3.0, min_deviation=0.01)
    assert mask[150] and mask.sum() == 1
    assert abs(hampel_filter(spiked, 9, 3.0, 0.01)[150] - x[150]) < 0.1
    assert not hampel_outliers(x, 9, 3.0, min_deviation=0.01).any()


def test_swap_correction_fixes_injected_swaps():
    pos, _ = walk(30.0, noise=0.004)
    injected = np.zeros(len(pos), dtype=bool)
    injected[[40, 41, 42]] = True
    injected[100:130] = True
    injected[190] = True
    fixed, swapped = correct_left_right_swaps(swap_legs(pos, injected))
    np.testing.assert_array_equal(swapped, injected)
    np.testing.assert_allclose(fixed, pos)


def _collapse_legs(pos: np.ndarray, frame: int) -> None:
    """Pose glitch: both legs' knee, ankle, heel and toe drawn to their midpoint for one frame."""
    for part in ("knee", "ankle", "heel", "toe"):
        left, right = LEG_LANDMARKS["left"][part], LEG_LANDMARKS["right"][part]
        pos[frame, [left, right]] = 0.5 * (pos[frame, left] + pos[frame, right])


@pytest.mark.parametrize("first", [39, 72])
def test_swap_correction_ignores_stance_between_two_leg_collapses(first):
    # Before the glitch bridge, these frames were relabelled between the two collapses (README demo).
    pos, _ = walk(30.0, noise=0.004)
    glitched = pos.copy()
    _collapse_legs(glitched, first)
    _collapse_legs(glitched, first + 11)
    _, swapped = correct_left_right_swaps(glitched)
    assert not swapped.any()


def test_bridge_spikes_replaces_collapse_but_keeps_one_frame_swap():
    pos, _ = walk(30.0, noise=0.004)
    scale = leg_length(pos)
    glitched = pos.copy()
    _collapse_legs(glitched, 50)
    bridged = bridge_spikes(glitched, scale)
    heel = LEG_LANDMARKS["left"]["heel"]
    np.testing.assert_allclose(bridged[50, heel], 0.5 * (pos[49, heel] + pos[51, heel]))
    one_swap = np.zeros(len(pos), dtype=bool)
    one_swap[50] = True
    swapped = swap_legs(pos, one_swap)
    np.testing.assert_array_equal(bridge_spikes(swapped, scale), swapped)


def test_swap_correction_leaves_clean_3d_data_alone():
    pos, _ = walk(100.0, lateral_m=0.1, noise=0.002)
    fixed, swapped = correct_left_right_swaps(pos)
    assert not swapped.any()
    np.testing.assert_allclose(fixed, pos)


def test_mask_low_confidence():
    pos = np.zeros((4, 33, 3))
    conf = np.ones((4, 33))
    conf[2, 5] = 0.2
    out = mask_low_confidence(pos, conf, 0.5)
    assert np.isnan(out[2, 5]).all() and np.isfinite(np.delete(out.reshape(-1, 3), 2 * 33 + 5, axis=0)).all()


def test_resample_non_uniform_times():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.025, 0.042, 200))
    assert not is_uniform(t)
    x = np.sin(2 * np.pi * 1.0 * t)[:, None]
    out, grid, source = resample_uniform(x, t, max_gap_s=0.2)
    assert is_uniform(grid, tolerance=1e-9)
    assert np.max(np.abs(out[:, 0] - np.sin(2 * np.pi * grid))) < 0.02
    assert np.all(np.abs(t[source] - grid) <= 0.021)


def test_preprocess_resamples_non_uniform_series():
    pos, t = walk(30.0)
    t = t + np.random.default_rng(1).uniform(-0.008, 0.008, len(t))
    out = preprocess(as_series(pos, t), CFG)
    assert is_uniform(out.series.time_s, tolerance=1e-6)
    assert any("resampled" in n for n in out.notes)
    assert len(out.series.meta["source_frame"]) == out.series.n_frames


def test_preprocess_uniform_keeps_frames_and_finds_one_bout():
    pos, t = walk(30.0, noise=0.003)
    out = preprocess(as_series(pos, t), CFG)
    assert out.series.n_frames == len(t)
    np.testing.assert_array_equal(out.series.time_s, t)
    assert out.bouts == [(0, len(t))]
    assert not out.swapped.any()


def test_preprocess_notes_cutoff_above_nyquist():
    pos, t = walk(10.0)
    out = preprocess(as_series(pos, t), dataclasses.replace(CFG, cutoff_hz=6.0))
    assert any("low-pass skipped" in n for n in out.notes)


def test_bouts_exclude_standing_and_long_gaps():
    pos, t = walk(30.0, duration_s=14.0)
    pos[:60] = pos[60]  # standing still for 2 s
    pos[-60:] = pos[-61]
    pos[200:230] = np.nan  # 1 s out of view
    bouts = detect_walking_bouts(pos, 30.0, min_bout_s=2.0)
    assert len(bouts) == 2
    assert 40 <= bouts[0][0] <= 75 and bouts[0][1] == 200
    assert bouts[1][0] == 230 and len(t) - 80 <= bouts[1][1] <= len(t) - 45


def test_bouts_on_treadmill():
    pos, _ = walk(30.0, treadmill=True)
    assert detect_walking_bouts(pos, 30.0, 2.0) == [(0, len(pos))]


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("treadmill", [False, True])
def test_direction_2d(direction, treadmill):
    pos, _ = walk(30.0, direction=direction, treadmill=treadmill, noise=0.003)
    pos[..., 2] = 0.0
    np.testing.assert_allclose(progression_direction(pos), [direction, 0, 0], atol=0.01)


def test_direction_3d_any_heading():
    pos, _ = walk(100.0, lateral_m=0.1)
    angle = np.radians(127.0)
    rot = np.array([[np.cos(angle), 0, -np.sin(angle)], [0, 1, 0], [np.sin(angle), 0, np.cos(angle)]])
    forward = progression_direction(pos @ rot.T)
    np.testing.assert_allclose(forward, rot @ [1, 0, 0], atol=0.01)


def test_direction_treadmill_without_toes_uses_swing():
    pos, _ = walk(30.0, direction=-1, treadmill=True)
    pos[:, [LI["left_foot_index"], LI["right_foot_index"]]] = np.nan
    np.testing.assert_allclose(progression_direction(pos), [-1, 0, 0], atol=0.05)


def test_direction_and_leg_length_need_data():
    with pytest.raises(InsufficientDataError):
        progression_direction(np.full((50, 33, 3), np.nan))
    pos, _ = walk(30.0)
    assert leg_length(pos) == pytest.approx(np.median(np.linalg.norm(pos[:, LI["left_hip"]] - pos[:, LI["left_ankle"]], axis=1)), rel=0.2)


def test_walking_runs_split_by_a_pose_gap_count_as_one_walk() -> None:
    present = np.ones(100, dtype=bool)
    present[40:55] = False  # the walker hidden for 15 frames
    forward = np.tile([1.0, 0.0], (100, 1))
    runs = [(0, 40), (55, 90)]
    assert _long_enough(runs, present, forward, min_len=60, max_gap=20) == runs
    assert _long_enough(runs, np.ones(100, dtype=bool), forward, 60, 20) == []  # seen standing in the gap
    assert _long_enough(runs, present, forward, 60, 10) == []  # gap too long
    back = forward.copy()
    back[55:] *= -1.0  # walked back after the gap: another walk
    assert _long_enough(runs, present, back, 60, 20) == []
    assert _long_enough([(0, 70)], present, forward, 60, 20) == [(0, 70)]


def test_fill_gaps_fills_an_array_that_is_not_c_contiguous():
    x = np.arange(180.0).reshape(20, 3, 3)[:, [2, 0]]  # fancy indexing: not C-ordered
    x[5:8] = np.nan
    out = fill_gaps(x, 4)
    assert np.allclose(out[5:8, 0, 0], [51.0, 60.0, 69.0])


def test_a_stand_begins_where_the_walker_freezes_not_half_a_window_later():
    """A walk there and back whose walker freezes mid-swing (the shared trial's "1 s pause" form): the stand, which
    ends the first bout, starts at the freeze; a centred window alone flagged it half a window (0.3 s) later, and a
    heel strike was read where the swinging foot stopped."""
    from core.gait.preprocessing import _standing

    rate_hz, freeze, n = 30.0, 150, 300
    t = np.minimum(np.arange(n), freeze).astype(float)
    positions = np.zeros((n, 33, 3))
    positions[:, [LI["left_hip"], LI["right_hip"]], 0] = 4.0 * t[:, None]  # 1.2 leg lengths/s, leg = 100 units
    positions[:, [LI["left_hip"], LI["right_hip"]], 1] = 100.0
    for side, phase in (("left", 0.0), ("right", np.pi)):
        swing = 4.0 * t + 30.0 * np.sin(2 * np.pi * t / 30.0 + phase)
        for part in ("ankle", "heel", "toe"):
            positions[:, LEG_LANDMARKS[side][part], 0] = swing
    pelvis = positions[:, [LI["left_hip"], LI["right_hip"]]].mean(axis=1)
    standing = _standing(positions, ["left", "right"], pelvis, 9, rate_hz, 100.0)
    first = int(np.flatnonzero(standing)[0])
    assert freeze - 4 <= first <= freeze + 1 and standing[first:].all()
