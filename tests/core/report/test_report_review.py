"""Review drawings: the events contact sheet and the review-video frames (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX, NUM_LANDMARKS
from core.report.review import (OTHER_BGR, SIDE_BGR, WALKER_BGR, events_contact_sheet, events_on_screen,
                                foot_tile, landmark_boxes, review_frame, sheet_shape)
from core.types import GaitEvent


def _pose(offset_x: float = 0.0) -> np.ndarray:
    """A standing stick figure in a 320x240 image: (33, 2) px, feet near the bottom."""
    pts = np.full((NUM_LANDMARKS, 2), np.nan)
    for side, dx in (("left", -6.0), ("right", 6.0)):
        for name, y in (("shoulder", 80), ("elbow", 110), ("wrist", 135), ("hip", 140), ("knee", 180),
                        ("ankle", 215), ("heel", 222), ("foot_index", 224)):
            pts[LANDMARK_INDEX[f"{side}_{name}"]] = (160 + dx + offset_x + (14 if name == "foot_index" else 0), y)
    return pts


def _events(n: int) -> list[GaitEvent]:
    kinds = ("heel_strike", "toe_off")
    return [GaitEvent("left" if k % 2 else "right", kinds[(k // 2) % 2], 3 * k, 0.1 * k) for k in range(n)]


def test_foot_tile_is_square_and_marks_the_event_foot():
    image = np.full((240, 320, 3), 128, np.uint8)
    tile = foot_tile(image, _pose(), "right", tile_px=96)
    assert tile.shape == (96, 96, 3) and tile.dtype == np.uint8
    assert (tile == SIDE_BGR["right"]).all(axis=2).sum() > 50  # the right shank drawn thick
    assert (tile == SIDE_BGR["left"]).all(axis=2).any()  # the other foot too, thin
    blank = foot_tile(image, np.full((NUM_LANDMARKS, 2), np.nan), "left", tile_px=96)
    assert (blank == 90).all()


@pytest.mark.parametrize("n", [1, 5, 8, 19])
def test_contact_sheet_has_one_labelled_tile_per_event(n):
    tiles = [np.full((64, 64, 3), 10 * k, np.uint8) for k in range(n)]
    sheet = events_contact_sheet(tiles, _events(n), columns=8)
    assert sheet.shape[:2] == sheet_shape(n, 64, 8)
    rows, cols = -(-n // 8), min(n, 8)
    assert sheet.shape[0] > rows * 64 and sheet.shape[1] > cols * 64
    # tiles in time order: tile k's grey level appears at its cell
    for k in range(n):
        y0 = 4 + (k // 8) * (64 + 20 + 4) + 20
        x0 = 4 + (k % 8) * (64 + 4)
        assert (sheet[y0 + 30, x0 + 30] == 10 * k).all(), k
    # label bands in the side's colour (RGB in the sheet)
    band = sheet[4 + 1, 4 + 60]
    assert tuple(band) == SIDE_BGR[_events(n)[0].side][::-1]


def test_review_frame_draws_the_analysed_box_skeleton_others_and_flags():
    image = np.full((240, 320, 3), 128, np.uint8)
    pose = _pose()
    box = landmark_boxes(pose[None])[0]
    other = np.array([20.0, 50.0, 80.0, 230.0])
    flags = [GaitEvent("right", "heel_strike", 10, 1.0)]
    out = review_frame(image, pose, box, [(2, other)], flags)
    assert out.shape == image.shape and (image == 128).all()  # the input is not changed
    x0, y0, x1, y1 = np.round(box).astype(int)
    assert (out[(y0 + y1) // 2, x0 - 1: x0 + 2] == WALKER_BGR).all(axis=1).any()
    assert (out[150, 19:22] == OTHER_BGR).all(axis=1).any()
    knee, ankle = pose[LANDMARK_INDEX["right_knee"]], pose[LANDMARK_INDEX["right_ankle"]]
    mid = np.round((knee + ankle) / 2).astype(int)
    assert (out[mid[1], mid[0]] == SIDE_BGR["right"]).all()
    toe = np.round(pose[LANDMARK_INDEX["right_foot_index"]]).astype(int)
    assert (out[toe[1] + 6: toe[1] + 20, toe[0] + 4: toe[0] + 30] == SIDE_BGR["right"]).all(axis=2).any()  # flag
    assert (out[5:15, 300:315] == 128).all()  # far away: untouched


def test_landmark_boxes_and_events_on_screen():
    poses = np.stack([_pose(), np.full((NUM_LANDMARKS, 2), np.nan), _pose(20.0)])
    boxes = landmark_boxes(poses)
    assert np.isnan(boxes[1]).all() and np.isfinite(boxes[[0, 2]]).all()
    assert boxes[2, 0] == pytest.approx(boxes[0, 0] + 20.0)
    assert boxes[0, 1] < 80 and boxes[0, 3] > 224
    events = [GaitEvent("left", "toe_off", 30, 1.0)]
    assert events_on_screen(events, 0.99, 1 / 30) == events
    assert events_on_screen(events, 1.2, 1 / 30) == events
    assert events_on_screen(events, 1.4, 1 / 30) == [] and events_on_screen(events, 0.9, 1 / 30) == []
