from dataclasses import replace

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX
from core.pose.follow_path import follow_path
from core.pose.pose_guard import (BOOTSTRAP_FRAMES, MAX_HIP_OFFSET_X_CROPS, MAX_HIP_OFFSET_Y_CROPS, MIN_OFFSET_CROPS,
                                  OTHER_NEARER, GuardMemory, facing_x, hips_near, is_walker, judge, nearer_someone_else)
from core.pose.tracking import Track
from core.pose.walker_choice import ground_direction_x


def _pose(hip_x: float, hip_y: float = 400.0, facing: int = 1) -> np.ndarray:
    """(33, 2) px: hips at (hip_x, hip_y), feet and head pointing ``facing`` (+1 right)."""
    p = np.full((33, 2), np.nan)
    p[[LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]] = [[hip_x - 5, hip_y], [hip_x + 5, hip_y]]
    for side in ("left", "right"):
        p[LANDMARK_INDEX[f"{side}_heel"]] = [hip_x - 10 * facing, hip_y + 190]
        p[LANDMARK_INDEX[f"{side}_foot_index"]] = [hip_x + 20 * facing, hip_y + 195]
        p[LANDMARK_INDEX[f"{side}_ear"]] = [hip_x - 5 * facing, hip_y - 220]
    p[LANDMARK_INDEX["nose"]] = [hip_x + 15 * facing, hip_y - 215]
    return p


def test_hips_must_stay_closer_vertically_than_along_the_walk():
    side = 500.0
    centre = np.array([600.0, 400.0])
    assert hips_near(_pose(600.0), centre, side)
    assert hips_near(_pose(600.0 + 0.9 * MAX_HIP_OFFSET_X_CROPS * side), centre, side)
    assert not hips_near(_pose(600.0 + 1.1 * MAX_HIP_OFFSET_X_CROPS * side), centre, side)
    assert hips_near(_pose(600.0, 400.0 + 0.9 * MAX_HIP_OFFSET_Y_CROPS * side), centre, side)
    assert not hips_near(_pose(600.0, 400.0 + 1.1 * MAX_HIP_OFFSET_Y_CROPS * side), centre, side)
    missing = _pose(600.0)
    missing[LANDMARK_INDEX["left_hip"]] = np.nan
    assert not hips_near(missing, centre, side)


def test_facing_needs_two_agreeing_cues_and_none_against():
    assert facing_x(_pose(600.0, facing=1)) == 1 and facing_x(_pose(600.0, facing=-1)) == -1
    mixed = _pose(600.0, facing=1)
    mixed[LANDMARK_INDEX["nose"], 0] = 500.0  # the head says left, the feet right
    assert facing_x(mixed) == 0


def test_someone_walking_the_other_way_through_the_crop_is_not_the_walker():
    centre = np.array([600.0, 400.0])
    assert is_walker(_pose(600.0, facing=1), centre, 500.0, direction_x=1)
    assert not is_walker(_pose(600.0, facing=-1), centre, 500.0, direction_x=1)
    assert is_walker(_pose(600.0, facing=-1), centre, 500.0, direction_x=0)  # direction unknown


def test_path_follows_the_scanned_hip_beyond_the_frame_edge_and_knows_the_direction():
    frames = list(range(15, 150, 15))
    boxes = [np.array([x - 150, 250, x + 150, 550]) for x in (100.0 + 4 * f for f in frames)]
    track = Track(1, frames, boxes, [0.9] * len(frames))
    path = follow_path(track, 200, 1280, 720, ground_direction_x(track, None, None))
    assert path.direction_x == 1 and path.first_frame == 0
    assert abs(path.centres_px[0, 0] - 100.0) < 5  # carried back at the walker's speed, not held at 160
    assert path.boxes_px[0, 0] == 0.0  # while the crop stays inside the frame
    on_hip = _pose(100.0, 400.0)
    assert path.on_walker(0, on_hip) and not path.on_walker(0, _pose(100.0, 400.0, facing=-1))


def test_a_pose_continuing_the_last_accepted_one_may_leave_the_scanned_hip_a_little():
    side = 500.0
    centre = np.array([600.0, 400.0])
    off = 600.0, 400.0 + 1.5 * MAX_HIP_OFFSET_Y_CROPS * side  # outside the tight ellipse, inside the loose one
    assert not is_walker(_pose(*off), centre, side, 1)
    assert is_walker(_pose(*off), centre, side, 1, previous=(2, np.array([off[0] - 5.0, off[1]])))
    # a jump from the last accepted hip (someone else taking over) or a stale one is not a continuation
    assert not is_walker(_pose(*off), centre, side, 1, previous=(2, np.array([off[0], off[1] - 0.15 * side])))
    assert not is_walker(_pose(*off), centre, side, 1, previous=(10, np.array(off)))
    far = 600.0, 400.0 + 3.0 * MAX_HIP_OFFSET_Y_CROPS * side  # beyond the loose ellipse: never
    assert not is_walker(_pose(*far), centre, side, 1, previous=(1, np.array(far)))


def test_a_steady_offset_of_the_scanned_hip_is_carried_after_a_consistent_start():
    side, scanned = 500.0, np.array([600.0, 400.0])
    low = 600.0, 400.0 - 1.2 * MAX_HIP_OFFSET_Y_CROPS * side  # the detector's hip sits low: every pose is "too high"
    memory = GuardMemory()
    verdicts = [judge(memory, f, _pose(low[0] + f, low[1]), scanned + [f, 0.0], side, 1) for f in range(12)]
    assert verdicts == [False] * (BOOTSTRAP_FRAMES - 1) + [True] * (12 - BOOTSTRAP_FRAMES + 1)
    assert not is_walker(_pose(low[0] + 5, low[1]), scanned + [5.0, 0.0], side, 1)  # without the memory: refused


def test_the_start_up_run_needs_the_walk_direction_and_consecutive_poses():
    side, scanned = 500.0, np.array([600.0, 400.0])
    off = 600.0, 400.0 + 1.5 * MAX_HIP_OFFSET_Y_CROPS * side
    backwards = GuardMemory()
    assert not any(judge(backwards, f, _pose(*off, facing=-1), scanned, side, 1) for f in range(10))
    unknown = GuardMemory()
    assert not any(judge(unknown, f, _pose(*off), scanned, side, 0) for f in range(10))
    gappy = GuardMemory()  # every 10th frame: never a run
    assert not any(judge(gappy, f, _pose(*off), scanned, side, 1) for f in range(0, 100, 10))
    beyond = GuardMemory()  # beyond the loose ellipse: never
    far = 600.0, 400.0 + 3.0 * MAX_HIP_OFFSET_Y_CROPS * side
    assert not any(judge(beyond, f, _pose(*far), scanned, side, 1) for f in range(10))


def test_no_start_up_run_once_the_walker_was_accepted():
    side, scanned = 500.0, np.array([600.0, 400.0])
    memory = GuardMemory()
    assert judge(memory, 0, _pose(600.0, 400.0), scanned, side, 1)
    off = 600.0, 400.0 + 2.4 * MAX_HIP_OFFSET_Y_CROPS * side  # someone else, steady, after a jump
    assert not any(judge(memory, f, _pose(*off), scanned, side, 1) for f in range(1, 10))


def test_a_pose_on_someone_else_s_centre_is_theirs_even_facing_the_walk():
    side = 500.0
    walker = np.array([600.0, 400.0])
    # a passer-by overtaking in front, facing the same way: its box centred 0.2 crop sides ahead
    other = np.array([[600.0 - 0.2 * side - 150, 230.0, 600.0 - 0.2 * side + 150, 570.0]])
    on_other = _pose(600.0 - 0.19 * side, 400.0, facing=-1)
    on_walker = _pose(600.0 - 0.03 * side, 400.0, facing=-1)
    assert nearer_someone_else(on_other, walker, other, side)
    assert not nearer_someone_else(on_walker, walker, other, side)
    assert not nearer_someone_else(on_other, walker, None, side)  # nobody else in view
    # halfway between the two: not clearly the other's
    halfway = _pose(600.0 - 0.1 * side * (1 + OTHER_NEARER) / 2, 400.0, facing=-1)
    assert not nearer_someone_else(halfway, walker, other, side)
    # the two centres (nearly) at one place: the walker's pose is kept
    shift = 0.2 * side + 0.5 * MIN_OFFSET_CROPS * side
    same_place = other + np.array([shift, 0.0, shift, 0.0])
    assert not nearer_someone_else(_pose(600.0 + 0.5 * MIN_OFFSET_CROPS * side), walker, same_place, side)


def test_the_crop_path_refuses_a_pose_on_the_person_in_front():
    frames = list(range(0, 150, 15))
    boxes = [np.array([x - 150, 250, x + 150, 550]) for x in (900.0 - 3 * f for f in frames)]
    track = Track(1, frames, boxes, [0.9] * len(frames))
    path = follow_path(track, 150, 1280, 720, ground_direction_x(track, None, None))
    assert path.direction_x == -1
    hip = path.centres_px[60]
    in_front = np.full((len(path.boxes_px), 1, 4), np.nan)
    in_front[50:70, 0] = [hip[0] - 0.2 * 360 - 170, 230.0, hip[0] - 0.2 * 360 + 170, 580.0]
    crowded = replace(path, others_px=in_front)
    theirs = _pose(hip[0] - 0.2 * 360, hip[1], facing=-1)
    memory = GuardMemory(last=(59, theirs[[23, 24]].mean(axis=0)))  # continuing a pose accepted just before
    assert path.on_walker(60, theirs, GuardMemory(last=memory.last))  # nobody else known: kept
    assert not crowded.on_walker(60, theirs, memory)
    assert crowded.on_walker(60, _pose(hip[0], hip[1], facing=-1), GuardMemory())
