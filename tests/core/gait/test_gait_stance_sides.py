import numpy as np
import pytest

from core.constants import LEG_LANDMARKS
from core.gait.direction import leg_length
from core.gait.preprocessing import correct_left_right_swaps, swap_legs
from core.gait.stance_sides import Placement, placement_sides, stance_votes
from tests.core.gait.test_gait_preprocessing import _collapse_legs, walk

PX_PER_M = 300.0


def _placement(frame: int, position: float, label: int, n: int = 5) -> Placement:
    return Placement(list(range(frame, frame + n)), [position] * n, [label] * n)


def test_placements_alternate_with_the_phase_the_labels_agree_on():
    # Steps of 100 px to the left; the model labels the second placement wrongly.
    placements = [_placement(10 * k, 500.0 - 100.0 * k, label) for k, label in enumerate([1, 1, 1, 0, 1])]
    assert placement_sides(placements, direction=-1.0, scale=100.0) == [1, 0, 1, 0, 1]


def test_nearby_placements_are_one_foot_and_a_missed_step_breaks_the_chain():
    positions = [0.0, 100.0, 110.0, 200.0, 300.0, 500.0, 600.0, 700.0]
    labels = [0, 1, 1, 0, 1, 1, 0, 1]
    placements = [_placement(10 * k, x, lab) for k, (x, lab) in enumerate(zip(positions, labels))]
    # 100 and 110 px: one stance split in two; 300 -> 500 px: a placement was missed, so the
    # chain after it takes its own phase from its labels instead of continuing the alternation.
    assert placement_sides(placements, direction=1.0, scale=100.0) == [0, 1, 1, 0, 1, 1, 0, 1]


def test_an_extra_placement_shifts_the_alternation_only_after_it():
    # The left heel rests twice (at 200 and 250 px): a step of half the median is not long or short
    # enough to break the chain, so a chain-wide phase put every placement before the extra one on
    # the wrong side (a hemiparetic walk of the phone-look sweep, F1 0.51 -> 0.91 with this).
    positions = [0.0, 100.0, 200.0, 250.0, 300.0, 400.0, 500.0, 600.0]
    labels = [0, 1, 0, 0, 1, 0, 1, 0]
    placements = [_placement(10 * k, x, lab) for k, (x, lab) in enumerate(zip(positions, labels))]
    sides = placement_sides(placements, direction=1.0, scale=100.0)
    assert sides[:3] == [0, 1, 0] and sides[4:] == [1, 0, 1, 0]


def test_too_short_a_chain_gives_no_side():
    placements = [_placement(0, 0.0, 0), _placement(10, 100.0, 1)]
    assert placement_sides(placements, direction=1.0, scale=100.0) == [None, None]


@pytest.mark.parametrize("start,length", [(26, 12), (50, 17), (74, 12)])
def test_ground_contacts_undo_a_swap_hidden_by_leg_collapses(start, length):
    # MediaPipe-like: the labels change while both legs collapse for two frames at each end, so
    # accelerations alone cannot follow the legs (the previous correction left all these frames).
    pos, _ = walk(30.0, noise=0.004)
    pos *= PX_PER_M
    injected = np.zeros(len(pos), dtype=bool)
    injected[start:start + length] = True
    glitched = swap_legs(pos, injected)
    for frame in (start - 1, start, start + length - 1, start + length):
        _collapse_legs(glitched, frame)
    _, plain = correct_left_right_swaps(glitched)
    assert not plain[start + 1:start + length - 1].all()
    votes = stance_votes(glitched, 30.0, leg_length(glitched))
    _, swapped = correct_left_right_swaps(glitched, votes=votes)
    inner = np.ones(len(pos), dtype=bool)
    inner[[start - 1, start, start + length - 1, start + length]] = False
    np.testing.assert_array_equal(swapped[inner], injected[inner])


def test_votes_follow_the_camera_pan():
    # Tracking camera: the image shows the walker in place and the ground moving backwards.
    pos, _ = walk(30.0, noise=0.004)
    pos *= PX_PER_M
    rate_hz = 30.0
    pan_px_s = -PX_PER_M * 1.3 / 1.1
    panned = pos.copy()
    panned[..., 0] += pan_px_s * np.arange(len(pos))[:, None] / rate_hz
    votes = stance_votes(panned, rate_hz, leg_length(panned), np.full(len(pos), pan_px_s))
    assert np.sum(votes < 0) > 0.5 * len(pos) and not np.any(votes > 0)


def test_preprocess_uses_ground_contacts_for_pixels_only():
    from tests.core.gait.test_gait_preprocessing import CFG, as_series
    from core.gait.preprocessing import preprocess

    pos, t = walk(30.0, noise=0.004)
    pos *= PX_PER_M
    injected = np.zeros(len(pos), dtype=bool)
    injected[50:67] = True
    glitched = swap_legs(pos, injected)
    for frame in (49, 50, 66, 67):
        _collapse_legs(glitched, frame)
    in_px = preprocess(as_series(glitched, t, units="px"), CFG).swapped
    assert in_px[51:65].all() and not in_px[:48].any() and not in_px[69:].any()
    in_m = preprocess(as_series(glitched / PX_PER_M, t, units="m"), CFG).swapped
    assert not in_m[51:65].all()



def _short_step_walk(step_m: float, rate_hz: float = 30.0, duration_s: float = 10.0, stance: float = 0.7,
                     noise_px: float = 0.0) -> np.ndarray:
    """Side-view px (T, 33, 3) of a Parkinsonian walk: steps of ``step_m`` (leg about 0.9 m), 1.2 s strides,
    stance ``stance`` of the stride (double support 2 x (stance - 0.5)), correctly labelled."""
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    stride_s, stride_m, swing = 1.2, 2 * step_m, 1.0 - stance
    pos = np.full((len(t), 33, 3), np.nan)
    for side, lag in (("right", 0.1), ("left", 0.1 + stride_s / 2)):
        k = np.floor((t - lag) / stride_s)
        u = np.clip(((t - lag) / stride_s - k - stance) / swing, 0, 1)
        x = stride_m * (k + lag / stride_s) + stride_m * (u - np.sin(2 * np.pi * u) / (2 * np.pi))
        heel = np.stack([x, 0.05 + 0.03 * np.sin(np.pi * u) ** 2, np.zeros_like(t)], 1)
        hip = np.stack([stride_m / stride_s * t, np.full_like(t, 0.95), np.zeros_like(t)], 1)
        for name, point in (("heel", heel), ("foot_index", heel + [0.2, -0.02, 0]), ("ankle", heel + [0.05, 0.05, 0]),
                            ("hip", hip), ("knee", (hip + heel) / 2 + [0.05, 0, 0])):
            pos[:, LEG_LANDMARKS[side][name.replace("foot_index", "toe")]] = point
    pos *= PX_PER_M
    return pos + np.random.default_rng(0).normal(0, noise_px, pos.shape)


@pytest.mark.parametrize("step_m", [0.08, 0.15, 0.22])
def test_short_steps_with_double_support_keep_their_correct_labels(step_m):
    # Parkinsonian steps shorter than MIN_STEP_LEG (real walkers of 0.1-0.25 m steps as pixels were voted onto the
    # wrong side in runs of frames: a foot placed beside the other one was read as the same foot's stance split in two,
    # or its heel joined the other's placement while both rested).
    pos = _short_step_walk(step_m, noise_px=0.5)
    votes = stance_votes(pos, 30.0, leg_length(pos))
    assert not np.any(votes > 0) and np.mean(votes < 0) > 0.5
    _, swapped = correct_left_right_swaps(pos, votes=votes)
    assert not swapped.any()


def test_two_heels_resting_at_once_are_two_placements_however_close():
    from core.gait.stance_sides import find_placements

    x = np.full((40, 2), np.nan)
    x[0:20, 0] = 100.0  # the left heel rests, then the right one lands 10 px ahead (0.1 leg) while it still rests
    x[15:35, 1] = 110.0
    placements = find_placements(x, 30.0, walking_speed=60.0, scale=100.0)
    assert [sorted(set(p.labels)) for p in placements] == [[0], [1]]
