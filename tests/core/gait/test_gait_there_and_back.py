"""A walk there and back in one video (issue 12): two bouts, each with its own direction, and leg labels
voted from the ground contacts in both passes."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import load_profile
from core.gait.analysis import analyze_series
from core.gait.direction import count_passes, heading_deg, orient_bouts, stance_ground_velocity
from core.gait.leg_swaps import swap_legs
from core.gait.preprocessing import detect_walking_bouts
from core.gait.stance_sides import stance_votes
from core.synthetic import GaitParams, truth_to_series
from core.synthetic.there_and_back import there_and_back_frames

MIN_BOUT_S = 2.0


def _there_and_back(direction: str, stand_s: float) -> tuple[np.ndarray, dict]:
    params = GaitParams(width_px=960, height_px=540, duration_s=5.0, direction=direction, seed=11)
    _, truth = there_and_back_frames(params, stand_s)
    return truth_to_series(truth).positions, truth


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
@pytest.mark.parametrize("stand_s", [0.0, 1.2])
def test_the_walk_splits_into_two_bouts_at_the_turn_each_with_its_direction(direction: str, stand_s: float) -> None:
    positions, truth = _there_and_back(direction, stand_s)
    bouts = detect_walking_bouts(positions, 30.0, MIN_BOUT_S)
    there, back = truth["passes"]
    assert len(bouts) == 2
    assert bouts[0][1] <= back["first_frame"] + 20 and bouts[1][0] >= there["last_frame"] - 20  # none spans the turn
    headings = [heading_deg(f) for f in orient_bouts(positions, bouts).bout_forward]
    first = 0.0 if direction == "left_to_right" else 180.0
    assert np.allclose(np.abs(headings), [first, 180.0 - first], atol=1.0)


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_the_bouts_reach_the_turn_and_stop_at_a_stand(direction: str) -> None:
    """Each pass is walking up to its turning point (before: the turn-rate test cut ~0.6 s either side of it), and a
    stand is not walking (the stand test: both heels and the pelvis at rest)."""
    positions, truth = _there_and_back(direction, 0.0)
    (_, end), (start, _) = detect_walking_bouts(positions, 30.0, MIN_BOUT_S)
    turn = truth["passes"][0]["last_frame"]
    assert turn - 2 <= end <= turn + 2 and turn - 2 <= start <= turn + 2
    positions, truth = _there_and_back(direction, 1.2)
    (_, end), (start, _) = detect_walking_bouts(positions, 30.0, MIN_BOUT_S)
    stand_first, stand_last = truth["stand_frames"]
    assert stand_first - 3 <= end <= stand_first + 3 and stand_last - 5 <= start <= stand_last + 3


@pytest.mark.parametrize("stand_s", [0.0, 1.2])
def test_ground_contacts_vote_on_the_leg_labels_in_both_passes(stand_s: float) -> None:
    positions, truth = _there_and_back("left_to_right", stand_s)
    leg_px = truth["leg_length_px"]
    there, back = truth["passes"]
    votes = stance_votes(positions, 30.0, leg_px)
    assert (votes[: there["last_frame"]] < 0).sum() > 30 and (votes[back["first_frame"]:] < 0).sum() > 30
    assert not (votes > 0).any()  # the labels are right: nothing votes for exchanging them
    # The model exchanged the legs for half a second on the way back: the contacts there vote for exchanging them.
    swapped = np.zeros(len(positions), dtype=bool)
    swapped[back["first_frame"] + 40: back["first_frame"] + 55] = True
    votes = stance_votes(swap_legs(positions, swapped), 30.0, leg_px)
    assert (votes[swapped] > 0).sum() >= 10 and not (votes[~swapped] > 0).any()


def test_passes_count_the_turns_back() -> None:
    right, left, up = np.array([1.0, 0, 0]), np.array([-1.0, 0, 0]), np.array([0, 0, 1.0])
    walks = ([], [right], [right, right], [right, left], [left, right, left])
    assert [count_passes(f) for f in walks] == [0, 1, 1, 2, 3]
    assert count_passes([right, up]) == 1  # a diagonal pass, not a walk back


def test_the_analysis_notes_the_two_passes_and_finds_events_in_both() -> None:
    positions, truth = _there_and_back("right_to_left", 1.2)
    result = analyze_series(truth_to_series(truth), load_profile("balanced").preprocessing)
    assert any("2 passes" in note for note in result.notes)
    there, back = truth["passes"]
    frames = np.array([e.frame for e in result.events])
    assert (frames <= there["last_frame"]).sum() >= 8 and (frames >= back["first_frame"]).sum() >= 8
    assert abs(result.parameters["cadence_steps_per_min"] / truth["cadence_steps_per_min"] - 1.0) < 0.03


@pytest.mark.parametrize("stand_s", [0.0, 1.2])
def test_a_walk_there_and_back_is_overground(stand_s: float) -> None:
    """Along one direction, the heels of both passes read as a belt (tens of px/s) that moved the bouts."""
    positions, truth = _there_and_back("right_to_left", stand_s)
    for first in (0, 30, 60):  # passes of unequal length (without the check: 59-94 px/s at 30 or 60)
        assert np.all(stance_ground_velocity(positions[first:], 30.0) == 0.0)
    there = positions[: truth["passes"][0]["last_frame"] + 1]
    assert abs(stance_ground_velocity(there, 30.0)[0]) < 0.05 * truth["leg_length_px"]  # one way: overground too
