"""Robustness to pose-model output on video: short left/right label swaps, spurious heel strikes."""

import numpy as np

from core.constants import CONSISTENT_DURATION_RANGE, LANDMARK_INDEX as LI
from core.gait.strides import Step, Stride, consistent_durations, drop_inconsistent
from core.gait.preprocessing import correct_left_right_swaps, swap_legs
from tests.core.gait.test_gait_preprocessing import walk


def _far_apart_frames(pos, n_frames, min_gap_m):
    """Start frames of n_frames-long windows where the ankles stay at least min_gap_m apart."""
    gap = np.abs(pos[:, LI["left_ankle"], 0] - pos[:, LI["right_ankle"], 0])
    apart = np.array([gap[i:i + n_frames].min() >= min_gap_m for i in range(len(gap) - n_frames)])
    starts, last = [], -100
    for i in np.flatnonzero(apart):
        if i - last > 30:
            starts.append(i)
            last = i
    return starts


def test_short_swap_bursts_on_noisy_2d_are_undone_without_false_long_swaps():
    # MediaPipe-like side view: 3 % of leg length (~0.9 m) noise, 4-frame label swaps while the legs are apart.
    pos, _ = walk(30.0, noise=0.027, seed=3)
    pos[..., 2] = 0.0
    injected = np.zeros(len(pos), dtype=bool)
    for start in _far_apart_frames(pos, 4, 0.5)[:5]:
        injected[start:start + 4] = True
    assert injected.sum() >= 12
    fixed, swapped = correct_left_right_swaps(swap_legs(pos, injected))
    assert (swapped & injected).sum() >= 0.9 * injected.sum()
    assert (swapped & ~injected).sum() <= 4  # no relabelled run between leg crossings


def test_consistent_durations_flags_missed_and_spurious_heel_strikes():
    low, high = CONSISTENT_DURATION_RANGE
    durations = np.array([1.0, 1.02, 0.98, 0.45, 1.0, 2.0, 0.5, 0.52, 0.49])
    bouts = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1])
    ok = consistent_durations(durations, bouts)
    np.testing.assert_array_equal(ok, [True, True, True, False, True, False, True, True, True])
    assert low < 1.0 < high and low * 2.0 > 1.0 and high * 0.5 < 1.0  # one event more or less is caught


def test_drop_inconsistent_keeps_asymmetric_steps_and_rejects_a_split_step():
    # Hemiparetic-like asymmetry (0.8 / 1.2 x the mean) is kept; a step split by a spurious heel strike is not.
    times = [0.48, 0.72, 0.48, 0.72, 0.48, 0.2, 0.72]
    steps, t = [], 0.0
    for i, d in enumerate(times):
        t += d
        steps.append(Step("left" if i % 2 else "right", int(30 * t), t, d, 0.5, 0.0))
    kept, rejected = drop_inconsistent(steps, "step", None)
    assert [s.step_time_s for s in kept] == [0.48, 0.72, 0.48, 0.72, 0.48, 0.72]
    assert len(rejected) == 1 and rejected[0].reason == "step time inconsistent with the bout"
    strides = [Stride("left", 30 * i, 30 * i + 33, float(i), 1.1, 60.0, 20.0, 40.0, 1.3) for i in range(4)]
    strides.append(Stride("left", 200, 266, 6.6, 2.2, 60.0, 20.0, 40.0, 2.6))
    kept, rejected = drop_inconsistent(strides, "stride", [(0, 300)])
    assert len(kept) == 4 and rejected[0].start_s == 6.6


def test_single_frame_foot_glitches_do_not_relabel_the_legs_between_them():
    # Pose glitches: for one frame the right foot (heel, ankle, toe) is thrown 0.3 m (~1/3 leg) forward.
    pos, _ = walk(30.0, noise=0.01, seed=1)
    pos[..., 2] = 0.0
    for frame in (26, 46, 89, 114):
        for name in ("right_heel", "right_ankle", "right_foot_index"):
            pos[frame, LI[name], 0] += 0.3
    fixed, swapped = correct_left_right_swaps(pos)
    assert swapped.sum() <= 4  # at most the glitch frames themselves, never the stretches between them
    np.testing.assert_allclose(fixed[~swapped], pos[~swapped])


def test_consistent_knots_leaves_out_a_mislabelled_stance_foot():
    from core.gait.ground import consistent_knots

    # Camera pans at -200 px/s, walker at 200 px/s over ground; one "stance" foot is really swinging.
    knots = np.array([-205.0, -198.0, -202.0, 150.0, -196.0, -210.0])
    np.testing.assert_array_equal(consistent_knots(knots, 200.0), [True, True, True, False, True, True])
    assert consistent_knots(knots, float("nan")).all()  # unknown walking speed: keep everything
