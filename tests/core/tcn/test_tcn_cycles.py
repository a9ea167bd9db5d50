"""Gait cycles as TCN samples: strides cut at heel strikes, time-normalised, left/right swap."""

from __future__ import annotations

import numpy as np
import pytest

from core.tcn.cycles import (
    CYCLE_NAMES,
    N_CYCLE_FEATURES,
    STANCE_NAMES,
    STRIDE_TIME_NAME,
    CycleAugment,
    CycleSpec,
    augmented_cycle,
    cut_cycles,
    cycle_columns,
    cycle_mirror,
    stance_columns,
    stride_bounds,
)
from core.tcn.features import FEATURE_NAMES, N_FEATURES
from core.types import GaitEvent

RATE_HZ = 30.0


def heel_strikes(side: str, frames: list[int]) -> list[GaitEvent]:
    return [GaitEvent(side, "heel_strike", f, f / RATE_HZ) for f in frames]


def test_strides_run_between_same_side_heel_strikes_within_the_limits() -> None:
    events = heel_strikes("left", [0, 30, 60, 90, 96]) + heel_strikes("right", [15, 45, 75, 170])
    events.append(GaitEvent("left", "toe_off", 20, 20 / RATE_HZ))  # toe offs cut nothing
    bounds = stride_bounds(events, RATE_HZ, 180, CycleSpec())
    # left 90->96 lasts 0.2 s (< 0.4 s) and right 75->170 is 3.2x its side's median: both left out
    assert bounds.tolist() == [[0, 30], [15, 45], [30, 60], [45, 75], [60, 90]]
    assert stride_bounds(events, RATE_HZ, 50, CycleSpec()).tolist() == [[0, 30], [15, 45]]  # inside the video


def test_cycles_are_time_normalised_with_the_stride_time_in_seconds() -> None:
    features = np.zeros((120, N_FEATURES), dtype=np.float32)
    knee = FEATURE_NAMES.index("left_knee_rad")
    features[:, knee] = np.arange(120) / 100.0  # linear in the frame index
    events = heel_strikes("left", [10, 46, 82])
    cycles = cut_cycles(features, events, RATE_HZ, CycleSpec(n_samples=32))
    assert cycles.shape == (2, 32, N_CYCLE_FEATURES) and cycles.dtype == np.float32
    column = CYCLE_NAMES.index("left_knee_rad")
    np.testing.assert_allclose(cycles[0, :, column], np.linspace(0.10, 0.46, 32), atol=1e-6)
    np.testing.assert_allclose(cycles[:, :, CYCLE_NAMES.index(STRIDE_TIME_NAME)], 36 / RATE_HZ)  # 1.2 s
    assert cut_cycles(features, heel_strikes("left", [10]), RATE_HZ).shape == (0, 64, N_CYCLE_FEATURES)


def test_cycle_columns_are_angles_leg_positions_and_stance_and_mirror_swaps_sides() -> None:
    assert CYCLE_NAMES[-3:] == STANCE_NAMES + (STRIDE_TIME_NAME,)
    assert all(n.endswith(("_rad", "_fwd", "_up")) for n in CYCLE_NAMES[:-3])
    assert not any("shoulder" in n or n.startswith(("left_hip_f", "left_hip_u")) for n in CYCLE_NAMES)
    mirror = cycle_mirror()
    assert sorted(mirror.tolist()) == list(range(N_CYCLE_FEATURES))
    assert (mirror[mirror] == np.arange(N_CYCLE_FEATURES)).all()
    for i, j in enumerate(mirror):
        a, b = CYCLE_NAMES[i], CYCLE_NAMES[j]
        assert b == a.replace("left_", "#").replace("right_", "left_").replace("#", "right_")


def test_augmentation_off_reproduces_the_plain_cycle() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(100, N_FEATURES)).astype(np.float32)
    events = heel_strikes("right", [5, 40])
    plain = cut_cycles(features, events, RATE_HZ)[0]
    off = CycleAugment(end_jitter=0.0, warp=0.0, amplitude=0.0)
    same = augmented_cycle(cycle_columns(features, events), 5, 40, RATE_HZ, 64, off, rng)
    np.testing.assert_allclose(same, plain, atol=1e-6)
    moved = augmented_cycle(cycle_columns(features, events), 5, 40, RATE_HZ, 64, CycleAugment(), rng)
    assert moved.shape == plain.shape and not np.allclose(moved, plain)
    assert abs(moved[0, -1] - 35 / RATE_HZ) <= 2 * 0.04 * 35 / RATE_HZ + 1e-6  # the ends moved by <= 4 % each


def test_stance_columns_are_one_from_heel_strike_to_toe_off() -> None:
    events = [GaitEvent("left", "toe_off", 4, 0.0), GaitEvent("left", "heel_strike", 10, 0.0),
              GaitEvent("left", "toe_off", 16, 0.0), GaitEvent("left", "heel_strike", 20, 0.0)]
    stance = stance_columns(events, 24)
    assert stance[:, 0].tolist() == [1] * 4 + [0] * 6 + [1] * 6 + [0] * 4 + [1] * 4  # stance before the first toe off
    assert (stance[:, 1] == 0.5).all()  # no right events: unknown
    features = np.zeros((24, N_FEATURES), dtype=np.float32)
    columns = cycle_columns(features, events)
    assert columns.shape == (24, N_CYCLE_FEATURES - 1)
    np.testing.assert_array_equal(columns[:, CYCLE_NAMES.index("left_stance")], stance[:, 0])


def test_cycles_show_a_shorter_stance_on_one_side() -> None:
    """Stance 60 % on the left, 45 % on the right: the mean of each stance column over a stride says so."""
    events = []
    for side, first, stance_frames in (("left", 0, 18), ("right", 15, 13)):
        for hs in range(first, 150, 30):
            events += [GaitEvent(side, "heel_strike", hs, hs / RATE_HZ),
                       GaitEvent(side, "toe_off", hs + stance_frames, (hs + stance_frames) / RATE_HZ)]
    cycles = cut_cycles(np.zeros((150, N_FEATURES), dtype=np.float32), events, RATE_HZ, CycleSpec(n_samples=60))
    share = cycles[:, :, [CYCLE_NAMES.index(n) for n in STANCE_NAMES]].mean(axis=1)
    np.testing.assert_allclose(share, np.tile([0.6, 0.45], (len(cycles), 1)), atol=0.04)


def test_spec_is_checked() -> None:
    with pytest.raises(ValueError):
        CycleSpec(n_samples=4)
    with pytest.raises(ValueError):
        CycleSpec(min_stride_s=1.0, max_stride_s=0.5)
