import numpy as np

from core.constants import LANDMARK_INDEX
from core.pose.frame_guard import (CROWD_RUN_S, FACING_VOTES, GLANCE_OFF_BOXES, REACQUIRE_S, WalkerState, accept_pose,
                                   off_glances, refusal_words, refused_poses, summarise_refusals)

FPS = 30.0


def _pose(hip_x: float, hip_y: float = 400.0, facing: int = 1, torso: float = 100.0) -> np.ndarray:
    """(33, 2) px: hips at (hip_x, hip_y), shoulders ``torso`` px above, feet and head pointing ``facing``."""
    p = np.full((33, 2), np.nan)
    k = torso / 100.0
    p[[LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]] = [[hip_x - 5 * k, hip_y], [hip_x + 5 * k, hip_y]]
    p[[LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]]] = [[hip_x - 8 * k, hip_y - torso],
                                                                              [hip_x + 8 * k, hip_y - torso]]
    for side in ("left", "right"):
        p[LANDMARK_INDEX[f"{side}_heel"]] = [hip_x - 10 * facing * k, hip_y + 190 * k]
        p[LANDMARK_INDEX[f"{side}_foot_index"]] = [hip_x + 20 * facing * k, hip_y + 195 * k]
        p[LANDMARK_INDEX[f"{side}_ear"]] = [hip_x - 5 * facing * k, hip_y - 150 * k]
    p[LANDMARK_INDEX["nose"]] = [hip_x + 15 * facing * k, hip_y - 145 * k]
    return p


def _walk(n: int, speed_px_s: float = 150.0, start_x: float = 200.0) -> list[np.ndarray]:
    """A walker facing right, crossing at ``speed_px_s`` with a small vertical bob."""
    return [_pose(start_x + speed_px_s * i / FPS, 400.0 + 3.0 * np.sin(i / 3)) for i in range(n)]


def test_a_steady_walker_is_kept_in_every_frame():
    state = WalkerState()
    assert all(accept_pose(state, i, i / FPS, p) for i, p in enumerate(_walk(90)))
    assert state.direction_x() == 1 and abs(state.speed_px_s[0] - 150.0) < 15.0


def test_a_passer_by_taking_over_is_refused_and_the_walker_kept_afterwards():
    state = WalkerState()
    walk = _walk(60)
    for i in range(30):
        assert accept_pose(state, i, i / FPS, walk[i])
    nearer = _pose(walk[30][0, 0] + 120.0, 470.0, facing=-1, torso=125.0)  # lower, larger, the other way
    assert not accept_pose(state, 30, 30 / FPS, nearer)
    same_size_jump = _pose(walk[31][0, 0] + 200.0, 400.0)  # the same size and facing, but a jump along the walk
    assert not accept_pose(state, 31, 31 / FPS, same_size_jump)
    bigger_in_place = _pose(float(np.mean(walk[32][[23, 24], 0])), 400.0, torso=140.0)  # the body's size changes
    assert not accept_pose(state, 32, 32 / FPS, bigger_in_place)
    assert accept_pose(state, 33, 33 / FPS, walk[33])  # the walker again, carried on at their speed


def test_a_walker_facing_against_the_walk_is_refused_once_the_direction_is_known():
    state = WalkerState()
    for i, p in enumerate(_walk(FACING_VOTES + 2)):
        accept_pose(state, i, i / FPS, p)
    i = FACING_VOTES + 2
    turned = _walk(i + 1)[i].copy()
    turned[:, 0] = 2 * turned[LANDMARK_INDEX["left_hip"], 0] + 5 - turned[:, 0]  # mirrored about the hips
    assert not accept_pose(state, i, i / FPS, turned)


def test_a_walker_re_entering_after_a_gap_is_accepted():
    state = WalkerState()
    walk = _walk(200)
    for i in range(30):
        assert accept_pose(state, i, i / FPS, walk[i])
    back = int(30 + (REACQUIRE_S + 0.5) * FPS)  # out of view for 1.5 s: they walked on 225 px
    assert accept_pose(state, back, back / FPS, walk[back])
    assert accept_pose(state, back + 1, (back + 1) / FPS, walk[back + 1])


def test_refusals_are_gaps_and_a_long_stretch_is_called_another_person():
    n = 150
    walk = _walk(n)
    frames, time_s = np.arange(n), np.arange(n) / FPS
    image = np.stack(walk)
    stretch = range(60, 60 + int(0.8 * FPS))
    for i in stretch:  # someone nearer, walking the other way, holds the pose model for 0.8 s
        image[i] = _pose(900.0 - 150.0 * (i - 60) / FPS, 480.0, facing=-1, torso=130.0)
    valid = np.ones(n, bool)
    refused = refused_poses(frames, time_s, valid, image)
    assert refused[list(stretch)].all() and not refused[:60].any() and not refused[stretch[-1] + 1:].any()
    summary = summarise_refusals(frames, time_s, valid, refused)
    assert summary.crowded and summary.span == (60, stretch[-1]) and summary.refused == len(stretch)
    words = refusal_words(summary)
    assert words.startswith(f"another person may have been in view in frames 60-{stretch[-1]}")
    assert "--person largest/K" in words


def test_a_single_refusal_is_reported_but_not_called_another_person():
    n = 150
    frames, time_s = np.arange(n), np.arange(n) / FPS
    valid, refused = np.ones(n, bool), np.zeros(n, bool)
    refused[70] = True
    summary = summarise_refusals(frames, time_s, valid, refused)
    assert not summary.crowded and summary.refused == 1 and n * CROWD_RUN_S > 1
    assert refusal_words(summary).startswith("1 of 150 whole-frame poses refused")
    assert refusal_words(summarise_refusals(frames, time_s, valid, np.zeros(n, bool))) == ""


def test_a_pose_off_the_glanced_walker_is_someone_else_s():
    glances = np.array([0.0, 60.0, 120.0]), np.array([[100.0, 100, 400, 400], [np.nan] * 4, [400.0, 100, 700, 400]])
    # seen at frames 0 and 120 (300 px boxes); the middle glance missed her: centre 400 at frame 60
    assert not off_glances(60, _pose(400.0 + 0.9 * GLANCE_OFF_BOXES * 300), *glances)
    assert off_glances(60, _pose(400.0 - 1.1 * GLANCE_OFF_BOXES * 300), *glances)
    assert not off_glances(130, _pose(0.0), *glances)  # after the last glance: not judged
    assert not off_glances(60, _pose(0.0), glances[0][:1], glances[1][:1])  # one glance: no path


def test_a_bystander_swept_across_the_walker_is_refused_where_it_leaves_the_glanced_path():
    """A tracking camera: the walker stays near x = 480; between two glances the pan carries a bystander
    across her, and the pose model drifts along with them to the frame's edge at 270 px/s. The guard's
    speed follows the drift; the glances' path does not."""
    n = 240
    frames, time_s = np.arange(n), np.arange(n) / FPS
    image = np.stack([_pose(480.0 + 5.0 * np.sin(i / 5)) for i in range(n)])
    drift = np.arange(140, 200)
    for k, i in enumerate(drift):
        image[i] = _pose(480.0 - 270.0 * k / FPS * min(1.0, k / 10))
    valid = np.ones(n, bool)
    glances = np.array([24, 84, 144, 204]), np.tile([265.0, 95, 695, 525], (4, 1))
    old = refused_poses(frames, time_s, valid, image)
    new = refused_poses(frames, time_s, valid, image, glances)
    off = np.abs(image[:, 23, 0] + 5 - 480.0) > GLANCE_OFF_BOXES * 430
    assert old[off].mean() < 0.5  # the guard alone followed the drift
    assert new[off].all() and not new[~off & (frames < 140)].any()
    assert summarise_refusals(frames, time_s, valid, new).crowded  # so the video is extracted again with the scan
