"""A walker going left is posed on a mirrored crop (``FollowPath.mirrored``): the pose engines mirror their
model input and read the landmarks back in the frame's coordinates, left and right exchanged."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LANDMARK_INDEX, MIRROR_PERMUTATION, NUM_LANDMARKS
from core.pose.direct_pose import DirectPoseEstimator, _mirrored
from core.pose.extractor import PoseEstimator, _process
from core.pose.follow_path import FollowPath, follow_path
from core.pose.pose_roi import PoseRoi
from core.pose.tracking import Track
from core.pose.video import iter_frames
from core.pose.walker_choice import ground_direction_x, ground_directions_x

FRAMES = 45  # 1.5 s of the 640x360 walk (left to right)
WIDTH_PX = 640
LEGS = [LANDMARK_INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("hip", "knee", "ankle", "heel")]
PERM = list(MIRROR_PERMUTATION)


@pytest.fixture(scope="module")
def frames(synthetic_video):
    return list(iter_frames(synthetic_video, stop=FRAMES, rgb=True, decoder="pyav"))


def _unsmoothed():
    return dataclasses.replace(load_profile("balanced").pose, smooth_landmarks=False)


def test_outputs_read_back_from_a_mirrored_input_are_mirrored_with_sides_exchanged():
    rng = np.random.default_rng(0)
    norm, raw, world = rng.uniform(0, 1, (39, 2)), rng.uniform(0, 256, (39, 5)), rng.normal(0, 1, (39, 3))
    m_norm, m_raw, m_world = _mirrored(norm, raw, world)
    left_hip, right_hip = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
    assert m_norm[left_hip, 0] == pytest.approx(1.0 - norm[right_hip, 0])
    assert m_norm[left_hip, 1] == norm[right_hip, 1] and m_raw[left_hip, 2:] == pytest.approx(raw[right_hip, 2:])
    assert m_world[left_hip, 0] == -world[right_hip, 0] and m_world[left_hip, 1:] == pytest.approx(world[right_hip, 1:])
    assert m_norm[NUM_LANDMARKS, 0] == pytest.approx(1.0 - norm[NUM_LANDMARKS, 0])  # the auxiliary points keep their rows
    twice = _mirrored(m_norm, m_raw, m_world)
    for a, b in zip(twice, (norm, raw, world)):
        assert np.allclose(a, b)


def test_the_direct_engine_on_a_mirrored_frame_gives_the_mirror_image_of_its_landmarks(frames):
    """The same model input both ways (an integer-centred, 256 px ROI: the crop copies pixels), so the
    mirrored run must return the plain run's landmarks mirrored about the frame, legs exchanged."""
    frame = frames[20]
    flipped = dataclasses.replace(frame, image=np.ascontiguousarray(frame.image[:, ::-1]))
    with DirectPoseEstimator(_unsmoothed(), 1) as direct:
        hip_x = direct.process(frame)[0][23:25, 0].mean()
        cx = float(np.clip(round(hip_x), 128, WIDTH_PX - 128))
        plain = direct._landmarks(frame, PoseRoi(cx, 180.0, 256.0, 0.0), np.zeros(2))
        mirror = direct._landmarks(flipped, PoseRoi(WIDTH_PX - cx, 180.0, 256.0, 0.0), np.zeros(2), mirror=True)
    assert plain is not None and mirror is not None
    (image, world), (m_image, m_world) = plain, mirror
    assert np.allclose(m_image[PERM, 0], WIDTH_PX - image[:, 0], atol=1e-3)
    assert np.allclose(m_image[PERM, 1:], image[:, 1:], atol=1e-3)
    assert np.allclose(m_world[PERM], world * [-1.0, 1.0, 1.0], atol=1e-5)


def _legs_agree(plain: list, mirror: list) -> tuple[float, float]:
    """Median leg landmark distance (px) between two runs, and the share of frames with the ankles apart
    whose mirrored run keeps the left ankle nearer the plain left ankle than the plain right one."""
    both = [(a[0], b[0]) for a, b in zip(plain, mirror) if a is not None and b is not None]
    assert len(both) >= 0.9 * len(plain)
    dist = np.concatenate([np.linalg.norm(a[LEGS, :2] - b[LEGS, :2], axis=1) for a, b in both])
    left, right = LANDMARK_INDEX["left_ankle"], LANDMARK_INDEX["right_ankle"]
    apart = [(a, b) for a, b in both if np.linalg.norm(a[left, :2] - a[right, :2]) > 10.0]
    kept = [np.linalg.norm(b[left, :2] - a[left, :2]) < np.linalg.norm(b[left, :2] - a[right, :2]) for a, b in apart]
    assert len(apart) >= 10
    return float(np.median(dist)), float(np.mean(kept))


def test_a_mirrored_direct_engine_keeps_the_landmarks_and_each_leg_on_its_side(frames):
    runs = []
    for mirror in (False, True):
        with DirectPoseEstimator(_unsmoothed(), 1) as direct:
            runs.append([direct.process(f, np.array([0.0, 0.0, 640.0, 360.0]), mirror=mirror) for f in frames])
    median_px, kept = _legs_agree(*runs)
    assert median_px < 3.0 and kept >= 0.9


def test_a_mirrored_graph_keeps_the_landmarks_and_each_leg_on_its_side(frames):
    """Also when the mirror is switched on mid-run (the whole-frame path, once the facing is known)."""
    runs = []
    for switch_at in (FRAMES, 0, 10):
        with PoseEstimator(_unsmoothed(), 1) as graph:
            runs.append([graph.process(f, np.array([0.0, 0.0, 640.0, 360.0]), mirror=i >= switch_at)
                         for i, f in enumerate(frames)])
    for mirrored in runs[1:]:
        median_px, kept = _legs_agree(runs[0], mirrored)
        assert median_px < 3.0 and kept >= 0.9


class _Model:
    def __init__(self) -> None:
        self.mirror: list[bool] = []

    def process(self, frame, box, mirror=False):  # noqa: ANN001, ANN201
        self.mirror.append(mirror)
        return None

    def reset(self) -> None:
        pass


@pytest.mark.parametrize("direction_x, mirrored", [(-1, True), (1, False), (0, False)])
def test_the_extractor_mirrors_the_crop_of_a_walker_going_left(direction_x, mirrored):
    follow = FollowPath(0, np.array([[0.0, 0.0, 200.0, 200.0]]), direction_x=direction_x)
    assert follow.mirrored is mirrored
    model = _Model()
    _process(SimpleNamespace(estimator=model, guard=None, last_pose=None), SimpleNamespace(index=0, time_s=0.0), follow)
    assert model.mirror == [mirrored]


class _FacingModel(_Model):
    """Poses of a walker going left (facing -1 from frame 0) or right, in whole frames."""

    def __init__(self, facing: int) -> None:
        super().__init__()
        self.facing = facing

    def process(self, frame, box=None, mirror=False):  # noqa: ANN001, ANN201
        from tests.core.pose.test_pose_frame_guard import _pose

        self.mirror.append(mirror)
        return _pose(800.0 + 5.0 * self.facing * frame.index, facing=self.facing), np.zeros((33, 3))


@pytest.mark.parametrize("facing", [-1, 1])
def test_on_the_whole_frame_a_walker_facing_left_is_posed_mirrored_once_her_facing_is_known(facing):
    from core.pose.frame_guard import FACING_VOTES, WalkerState

    model = _FacingModel(facing)
    lane = SimpleNamespace(estimator=model, walker=WalkerState())
    for i in range(2 * FACING_VOTES):
        assert _process(lane, SimpleNamespace(index=i, time_s=i / 30.0), None) is not None
    assert model.mirror == [facing < 0 and i >= FACING_VOTES for i in range(2 * FACING_VOTES)]


def _walk_there_and_back(stand_scans: int = 2) -> Track:
    """A 200 px tall walker going right for 8 scans (15 frames apart, 60 px each), standing, then back."""
    xs = [100.0 + 60.0 * k for k in range(9)] + [580.0] * stand_scans
    xs += [580.0 - 60.0 * k for k in range(1, 8)]
    frames = [15 * k for k in range(len(xs))]
    boxes = [np.array([x - 50.0, 100.0, x + 50.0, 300.0]) for x in xs]
    return Track(1, frames, boxes, [0.9] * len(xs))


def test_a_walk_there_and_back_is_posed_each_way_as_it_goes():
    track = _walk_there_and_back()
    directions = ground_directions_x(track, None, None)
    assert list(directions) == [1] * 8 + [0] + [-1] * 9  # 0: the turning sighting (frame 120)
    path = follow_path(track, 300, 1280, 720, ground_direction_x(track, None, None), directions)
    assert not path.mirrored_at(60) and path.mirrored_at(200)  # walking right, then left
    assert [path.direction_at(f) for f in (60, 105, 106, 120, 134, 135, 200)] == [1, 1, 0, 0, 0, -1, -1]
    model = _Model()
    for index in (60, 200):
        _process(SimpleNamespace(estimator=model, guard=None, last_pose=None),
                 SimpleNamespace(index=index, time_s=index / 30.0), path)
    assert model.mirror == [False, True]


def test_a_walk_one_way_keeps_one_direction():
    track = _walk_there_and_back()
    one_way = Track(1, track.frames[:9], track.boxes[:9], track.scores[:9])
    assert ground_directions_x(one_way, None, None) is None
    path = follow_path(one_way, 300, 1280, 720, -1)
    assert path.directions_x is None and path.mirrored_at(0) and path.mirrored_at(100)
    # coming back less than a box height is no turn
    short = Track(1, track.frames[:12], track.boxes[:12], track.scores[:12])
    assert ground_directions_x(short, None, None) is None
