"""The other people near the walker's crop are neutralised before the pose model sees it; the walker's
own box and the overlap of the two are not touched (core/pose/other_mask.py, core/pose/extractor.py)."""

from types import SimpleNamespace

import numpy as np

from core.pose.extractor import _process
from core.pose.follow_path import CROP_SIDE_BOXES, FollowPath
from core.pose.other_mask import kept_box_px, mask_rects_px, rects_outside, without_others
from core.pose.video import Frame

W, H = 960, 540
SIDE = 300.0  # body box side, px


def _striped() -> np.ndarray:
    """A frame of vertical stripes (limbs everywhere), so a filled region reads as flat."""
    image = np.zeros((H, W, 3), np.uint8)
    image[:, ::4] = 255
    return image


def _box(cx: float, cy: float = 270.0, side: float = SIDE) -> np.ndarray:
    return np.array([cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2])


def _flat(image: np.ndarray, x0: int, x1: int, y0: int = 200, y1: int = 340) -> bool:
    return float(image[y0:y1, x0:x1].std()) < 30.0


def test_the_other_person_is_filled_and_the_walker_is_not():
    image = _striped()
    walker, other = _box(400.0), _box(650.0)
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    out = without_others(image, 1.0, crop, walker, other[None])
    assert out is not image
    assert _flat(out, 610, 690)  # the other's middle
    walker_kept = slice(int(400 - 0.35 * SIDE), int(400 + 0.35 * SIDE))
    np.testing.assert_array_equal(out[:, walker_kept], image[:, walker_kept])
    assert not _flat(out, 740, 800)  # beyond the other's strip: as it was
    np.testing.assert_array_equal(image, _striped())  # the decoded frame itself is not changed


def test_an_occlusion_is_left_alone_and_nobody_near_changes_nothing():
    image = _striped()
    walker = _box(400.0)
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    assert without_others(image, 1.0, crop, walker, _box(410.0)[None]) is image  # in front of the walker
    assert without_others(image, 1.0, crop, walker, None) is image
    far = _box(900.0 + 2 * SIDE)  # beyond the region the pose model may see
    assert without_others(image, 1.0, crop, walker, far[None]) is image


def test_boxes_are_scaled_to_the_decoded_frame():
    image = _striped()[::2, ::2].copy()  # decoded at half the original size
    walker, other = _box(400.0), _box(650.0)
    out = without_others(image, 0.5, _box(400.0, side=SIDE * CROP_SIDE_BOXES), walker, other[None])
    assert _flat(out, 305, 345, 100, 170)
    np.testing.assert_array_equal(out[:, 150:250], image[:, 150:250])


def _pose(cx: float, half_width: float) -> np.ndarray:
    """(33, 5) px landmarks spread over cx +- half_width, 120..420 px down."""
    pose = np.zeros((33, 5))
    pose[:, 0] = np.linspace(cx - half_width, cx + half_width, 33)
    pose[:, 1] = np.linspace(120.0, 420.0, 33)
    return pose


def test_with_her_last_pose_only_its_extent_is_kept():
    image = _striped()
    walker, other = _box(400.0), _box(550.0)  # someone half a body behind her
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    pose = _pose(400.0, 40.0)
    keep = kept_box_px(walker, pose)
    np.testing.assert_allclose(keep[[0, 2]], [360.0 - 0.08 * SIDE, 440.0 + 0.08 * SIDE])
    by_box = without_others(image, 1.0, crop, walker, other[None])
    by_pose = without_others(image, 1.0, crop, walker, other[None], pose)
    assert not _flat(by_box, 470, 500) and _flat(by_pose, 470, 500)  # beside her, inside her scanned box
    np.testing.assert_array_equal(by_pose[:, 336:464], image[:, 336:464])  # her pose's extent, padded
    pose[0, 0] = np.nan
    np.testing.assert_array_equal(kept_box_px(walker, pose), kept_box_px(walker))  # no whole pose: the box


def test_rects_outside_a_hole_cover_the_rest():
    rect, hole = np.array([0.0, 0.0, 10.0, 10.0]), np.array([3.0, -5.0, 6.0, 4.0])
    parts = rects_outside(rect, hole)
    area = sum((p[2] - p[0]) * (p[3] - p[1]) for p in parts)
    assert area == 100.0 - 3.0 * 4.0
    assert rects_outside(rect, np.array([20.0, 0.0, 30.0, 10.0]))[0] is rect
    assert mask_rects_px(_box(400.0), _box(400.0)[None]) == []  # the walker's own box (a twin track): kept


class _Model:
    def __init__(self, pose: np.ndarray | None = None) -> None:
        self.seen: list[np.ndarray] = []
        self.pose = pose

    def process(self, frame, box=None, mirror=False):  # noqa: ANN001, ANN201
        self.seen.append(frame.image)
        return None if self.pose is None else (self.pose, np.zeros((33, 3)))

    def reset(self) -> None:
        pass


def test_the_pose_model_gets_the_masked_frame_when_following():
    n = 3
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    path = FollowPath(0, np.tile(crop, (n, 1)), np.tile([400.0, 270.0], (n, 1)),
                      others_px=np.tile(_box(650.0), (n, 1, 1)))
    model = _Model()
    lane = SimpleNamespace(estimator=model, last_pose=None)
    frame = Frame(1, 1 / 30, _striped(), 1.0, rgb=True)
    _process(lane, frame, path)
    assert _flat(model.seen[0], 610, 690)
    assert not _flat(frame.image, 610, 690)


def test_the_walkers_accepted_pose_bounds_the_next_frames_mask():
    n = 6
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    path = FollowPath(0, np.tile(crop, (n, 1)), np.tile([400.0, 270.0], (n, 1)),
                      others_px=np.tile(_box(550.0), (n, 1, 1)))
    pose = _pose(400.0, 40.0)
    pose[:, 3:] = 1.0
    model = _Model(pose)
    lane = SimpleNamespace(estimator=model, guard=None, last_pose=None)
    path_guard = SimpleNamespace(on_walker=lambda *a: True)
    for i in range(3):
        _process(lane, Frame(i, i / 30, _striped(), 1.0, rgb=True), _Guarded(path, path_guard))
    assert not _flat(model.seen[0], 470, 500)  # no pose yet: her scanned box is kept
    assert _flat(model.seen[1], 470, 500) and _flat(model.seen[2], 470, 500)
    assert lane.last_pose[0] == 2
    _process(lane, Frame(5, 5 / 30, _striped(), 1.0, rgb=True), _Guarded(path, path_guard))
    assert not _flat(model.seen[3], 470, 500)  # her pose is 3 frames old: the box again


class _Guarded:
    """A follow path whose pose guard accepts every pose."""

    def __init__(self, path: FollowPath, guard: SimpleNamespace) -> None:
        self._path, self._guard = path, guard

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._guard, name) if name == "on_walker" else getattr(self._path, name)
