"""Heel strike from foot patches: onset of rest on constructed signals, and when it is not trusted."""

from __future__ import annotations

import numpy as np

from core.gait.contact_pixels import (
    MIN_PEAK, MOVING_FRACTION, REST_FRACTION, median3, pixel_contact, point_column, rest_onset, swap_foot_sides,
)

RATE_HZ = 30.0
WALKING_PX_S = 200.0
N = 40


def _evidence(ratio: np.ndarray, peak: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Foot-patch velocity (T, 4, 2) px/s and peak (T, 4): the left heel's speed is ``ratio`` x walking."""
    velocity, peaks = np.zeros((len(ratio), 4, 2)), np.full((len(ratio), 4), peak)
    velocity[:, point_column("left", "heel"), 0] = -ratio * WALKING_PX_S
    return velocity, peaks


SWING_THEN_REST = np.r_[np.full(20, 1.5), np.full(N - 20, 0.1)]  # swing up to sample 19, rest from 20
# The crossing of the rest level between samples 19 and 20; sample t stands at frame t - 0.5.
ONSET = 20 - 1.5 + (1.5 - REST_FRACTION) / (1.5 - 0.1)


def test_heel_strike_moves_to_the_onset_of_rest() -> None:
    assert abs(rest_onset(22.0, SWING_THEN_REST, np.full(N, 0.9), RATE_HZ) - ONSET) < 1e-9
    assert abs(pixel_contact(22.0, "left", _evidence(SWING_THEN_REST), WALKING_PX_S, RATE_HZ) - ONSET) < 1e-9
    # the landmark heel slows down about then too: the onset is kept
    landmark = np.r_[np.full(19, 1.5), np.full(N - 19, 0.3)] * WALKING_PX_S
    assert abs(pixel_contact(22.0, "left", _evidence(SWING_THEN_REST), WALKING_PX_S, RATE_HZ, landmark) - ONSET) < 1e-9


def test_unclear_evidence_keeps_the_kinematic_event() -> None:
    def moved(ratio: np.ndarray, index: float = 22.0, peak: float = 0.9, landmark: np.ndarray | None = None) -> float:
        return pixel_contact(index, "left", _evidence(ratio, peak), WALKING_PX_S, RATE_HZ, landmark)

    assert moved(SWING_THEN_REST, peak=MIN_PEAK / 2) == 22.0  # low peaks: a blank floor, a lost foot
    assert moved(np.full(N, 0.1)) == 22.0  # never moves
    assert moved(SWING_THEN_REST, index=35.0) == 35.0  # the onset is too far before the candidate
    assert moved(np.r_[np.full(20, 1.5), np.full(3, 0.1), np.full(N - 23, 1.5)]) == 22.0  # rest too short
    assert moved(np.r_[np.full(20, MOVING_FRACTION - 0.05), np.full(N - 20, 0.1)]) == 22.0  # no clear swing
    assert moved(SWING_THEN_REST, landmark=np.full(N, 1.5 * WALKING_PX_S)) == 22.0  # the landmark heel still swings
    nan = np.full((N, 4, 2), np.nan), np.full((N, 4), np.nan)
    assert pixel_contact(21.0, "left", nan, WALKING_PX_S, RATE_HZ) == 21.0


def test_one_wild_sample_does_not_break_a_rest() -> None:
    ratio = SWING_THEN_REST.copy()
    ratio[25] = 6.0
    smoothed = median3(ratio)
    assert smoothed[25] == np.float64(0.1) and smoothed[19] == 1.5 and smoothed[20] == np.float64(0.1)
    assert abs(pixel_contact(22.0, "left", _evidence(ratio), WALKING_PX_S, RATE_HZ) - ONSET) < 1e-9


def test_relabelled_legs_swap_their_patches() -> None:
    array = np.arange(12.0).reshape(3, 4)
    out = swap_foot_sides(array, np.array([False, True, False]))
    np.testing.assert_array_equal(out[[0, 2]], array[[0, 2]])
    assert out[1, point_column("left", "heel")] == array[1, point_column("right", "heel")]
    assert out[1, point_column("right", "toe")] == array[1, point_column("left", "toe")]
