"""Contact timing from foot patches: onset and end of rest on constructed signals."""

from __future__ import annotations

import numpy as np

from core.gait.contact_pixels import (
    MIN_PEAK, MOVING_FRACTION, REST_FRACTION, median3, pixel_contact, point_column, rest_end, rest_onset,
    swap_foot_sides,
)

RATE_HZ = 30.0
WALKING_PX_S = 200.0


def _evidence(ratio_heel: np.ndarray, ratio_toe: np.ndarray, peak: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Foot-patch velocity (T, 4, 2) px/s and peak (T, 4) with the left foot's ratios along X."""
    n = len(ratio_heel)
    velocity, peaks = np.zeros((n, 4, 2)), np.full((n, 4), peak)
    velocity[:, point_column("left", "heel"), 0] = ratio_heel * WALKING_PX_S
    velocity[:, point_column("left", "toe"), 0] = -ratio_toe * WALKING_PX_S
    return velocity, peaks


def test_heel_strike_moves_to_the_onset_of_rest() -> None:
    ratio = np.r_[np.full(20, 1.5), np.full(20, 0.1)]  # swing until sample 19, rest from sample 20
    expected = 20 - 1.5 + (1.5 - REST_FRACTION) / (1.5 - 0.1)  # the crossing; samples stand at frame - 0.5
    assert rest_onset(22.0, ratio, np.full(40, 0.9), RATE_HZ) == np.float64(expected)
    got = pixel_contact("heel_strike", 22.0, "left", _evidence(ratio, ratio), WALKING_PX_S, RATE_HZ)
    assert abs(got - expected) < 1e-9


def test_toe_off_moves_to_the_end_of_rest() -> None:
    ratio = np.r_[np.full(20, 0.1), np.full(20, 1.5)]  # rest until sample 19, moving from sample 20
    expected = 20 - 1.5 + (REST_FRACTION - 0.1) / (1.5 - 0.1)
    got = pixel_contact("toe_off", 17.0, "left", _evidence(ratio[::-1], ratio), WALKING_PX_S, RATE_HZ)
    assert abs(got - expected) < 1e-9
    assert rest_end(17.0, ratio, np.full(40, 0.9), RATE_HZ) is not None


def test_unclear_evidence_keeps_the_kinematic_event() -> None:
    onset = np.r_[np.full(20, 1.5), np.full(20, 0.1)]
    # low peaks (a blank floor, a lost foot), a foot that never moves, one too far from the candidate
    assert pixel_contact("heel_strike", 22.0, "left", _evidence(onset, onset, peak=MIN_PEAK / 2), WALKING_PX_S,
                         RATE_HZ) == 22.0
    still = np.full(40, 0.1)
    assert pixel_contact("heel_strike", 22.0, "left", _evidence(still, still), WALKING_PX_S, RATE_HZ) == 22.0
    assert pixel_contact("heel_strike", 35.0, "left", _evidence(onset, onset), WALKING_PX_S, RATE_HZ) == 35.0
    # a rest too short to be a stance, and a slow swing that never clearly moves
    blip = np.r_[np.full(20, 1.5), np.full(3, 0.1), np.full(17, 1.5)]
    assert rest_onset(21.0, blip, np.full(40, 0.9), RATE_HZ) is None
    slow = np.r_[np.full(20, MOVING_FRACTION - 0.05), np.full(20, 0.1)]
    assert rest_onset(21.0, slow, np.full(40, 0.9), RATE_HZ) is None
    nan = np.full((40, 4, 2), np.nan), np.full((40, 4), np.nan)
    assert pixel_contact("toe_off", 21.0, "left", nan, WALKING_PX_S, RATE_HZ) == 21.0


def test_one_wild_sample_does_not_break_a_rest() -> None:
    ratio = np.r_[np.full(20, 1.5), np.full(20, 0.1)]
    ratio[25] = 6.0
    smoothed = median3(ratio)
    assert smoothed[25] == np.float64(0.1) and smoothed[19] == 1.5 and smoothed[20] == np.float64(0.1)
    got = pixel_contact("heel_strike", 22.0, "left", _evidence(ratio, ratio), WALKING_PX_S, RATE_HZ)
    assert got < 20


def test_relabelled_legs_swap_their_patches() -> None:
    array = np.arange(12.0).reshape(3, 4)
    out = swap_foot_sides(array, np.array([False, True, False]))
    np.testing.assert_array_equal(out[[0, 2]], array[[0, 2]])
    assert out[1, point_column("left", "heel")] == array[1, point_column("right", "heel")]
    assert out[1, point_column("right", "toe")] == array[1, point_column("left", "toe")]
