"""The other people near the walker's crop are neutralised before the pose model sees it; the walker's
own box and the overlap of the two are not touched (core/pose/other_mask.py, core/pose/extractor.py)."""

from types import SimpleNamespace

import numpy as np

from core.pose.extractor import _process
from core.pose.follow_path import CROP_SIDE_BOXES, FollowPath
from core.pose.other_mask import mask_rects_px, rects_outside, without_others
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


def test_rects_outside_a_hole_cover_the_rest():
    rect, hole = np.array([0.0, 0.0, 10.0, 10.0]), np.array([3.0, -5.0, 6.0, 4.0])
    parts = rects_outside(rect, hole)
    area = sum((p[2] - p[0]) * (p[3] - p[1]) for p in parts)
    assert area == 100.0 - 3.0 * 4.0
    assert rects_outside(rect, np.array([20.0, 0.0, 30.0, 10.0]))[0] is rect
    assert mask_rects_px(_box(400.0), _box(400.0)[None]) == []  # the walker's own box (a twin track): kept


class _Model:
    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def process(self, frame, box=None, mirror=False):  # noqa: ANN001, ANN201
        self.seen.append(frame.image)
        return None

    def reset(self) -> None:
        pass


def test_the_pose_model_gets_the_masked_frame_when_following():
    n = 3
    crop = _box(400.0, side=SIDE * CROP_SIDE_BOXES)
    path = FollowPath(0, np.tile(crop, (n, 1)), np.tile([400.0, 270.0], (n, 1)),
                      others_px=np.tile(_box(650.0), (n, 1, 1)))
    model = _Model()
    lane = SimpleNamespace(estimator=model)
    frame = Frame(1, 1 / 30, _striped(), 1.0, rgb=True)
    _process(lane, frame, path)
    assert _flat(model.seen[0], 610, 690)
    assert not _flat(frame.image, 610, 690)
