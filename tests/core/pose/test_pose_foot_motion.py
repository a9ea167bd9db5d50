"""Foot patches: the image shift of a patch at each heel and toe between processed frames."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS, NUM_LANDMARKS
from core.pose.foot_motion import PATCH_FOOT, PATCH_PX, FootShift, foot_boxes

FOOT_PX = PATCH_PX / PATCH_FOOT  # a foot whose patch is PATCH_PX wide: no resampling
from core.pose.video import Frame

H, W = 360, 640


def _texture(seed: int = 0) -> np.ndarray:
    """A smooth random texture (H, W, 3) uint8."""
    import cv2

    noise = np.random.default_rng(seed).random((H, W)).astype(np.float32)
    grey = np.clip(cv2.GaussianBlur(noise, (0, 0), 1.5) * 255 * 3 - 255, 0, 255)
    return np.repeat(grey.astype(np.uint8)[..., None], 3, axis=2)


def _landmarks(left_heel: tuple[float, float], right_heel: tuple[float, float], foot_px: float) -> np.ndarray:
    """(33, 5) landmarks with both feet flat (toe ``foot_px`` ahead of the heel); the rest unseen."""
    lm = np.full((NUM_LANDMARKS, 5), np.nan)
    for side, heel in (("left", left_heel), ("right", right_heel)):
        lm[LEG_LANDMARKS[side]["heel"], :2] = heel
        lm[LEG_LANDMARKS[side]["toe"], :2] = (heel[0] + foot_px, heel[1])
    return lm


def test_a_moving_foot_and_a_resting_one_give_their_exact_shifts() -> None:
    before = _texture()
    after = before.copy()
    # The left foot's region moves 4 px right and 1 px down; the right foot's stays at rest.
    after[60:150, 60:200] = before[59:149, 56:196]
    lm = _landmarks((100.0, 100.0), (400.0, 250.0), foot_px=FOOT_PX)
    feet = FootShift()
    first = feet.update(Frame(0, 0.0, before, 1.0), lm)
    assert np.isnan(first).all()
    out = feet.update(Frame(1, 1 / 30, after, 1.0), lm)
    # Sub-pixel estimates of a windowed 32 px patch: the whole-pixel shift is recovered exactly.
    np.testing.assert_array_equal(np.round(out[:2, :2]), [[4.0, 1.0], [4.0, 1.0]])
    np.testing.assert_allclose(out[:2, :2], [[4.0, 1.0], [4.0, 1.0]], atol=0.5)
    np.testing.assert_allclose(out[2:, :2], 0.0, atol=0.05)
    assert (out[:2, 2] > 0.5).all() and (out[2:, 2] > 0.99).all() and (out[:, 3] == 0).all()


@pytest.mark.parametrize("scale", [0.5, 1.0])
def test_shifts_are_in_original_frame_pixels(scale: float) -> None:
    image = _texture(1)
    moved = np.roll(image, 3, axis=1)  # 3 px of the processed frame
    lm = _landmarks((200.0 / scale, 150.0 / scale), (420.0 / scale, 200.0 / scale), foot_px=FOOT_PX / scale)
    feet = FootShift()
    feet.update(Frame(4, 0.0, image, scale), lm)
    out = feet.update(Frame(5, 1 / 30, moved, scale), lm)
    np.testing.assert_array_equal(np.round(out[:, 0] * scale), 3.0)
    np.testing.assert_allclose(out[:, 0], 3.0 / scale, atol=0.5 / scale)
    np.testing.assert_allclose(out[:, 1], 0.0, atol=0.5 / scale)
    assert (out[:, 3] == 4).all()


def test_unseen_feet_and_patches_off_the_frame_give_nan() -> None:
    image = _texture(2)
    lm = _landmarks((5.0, 100.0), (400.0, 250.0), foot_px=FOOT_PX)  # the left heel's patch leaves the frame
    lm[LEG_LANDMARKS["right"]["toe"], :2] = np.nan  # the right foot is half unseen
    assert foot_boxes(lm, 1.0, W, H)[0] is None and foot_boxes(lm, 1.0, W, H)[2] is None
    feet = FootShift()
    feet.update(Frame(0, 0.0, image, 1.0), lm)
    out = feet.update(Frame(1, 1 / 30, image, 1.0), lm)
    assert np.isnan(out[0]).all() and np.isnan(out[2:]).all()
    np.testing.assert_allclose(out[1, :2], 0.0, atol=0.05)  # the left toe's patch is inside
    feet.update(Frame(2, 2 / 30, image, 1.0), None)
    assert np.isnan(feet.update(Frame(3, 3 / 30, image, 1.0), lm)).all()  # no landmarks at frame 2


def test_rgb_frames_give_the_shifts_of_the_same_bgr_frames() -> None:
    before = _texture()
    before[..., 0] //= 3  # colour: the channel order matters for grey
    after = before.copy()
    after[60:150, 60:200] = before[59:149, 56:196]
    lm = _landmarks((100.0, 100.0), (400.0, 250.0), foot_px=FOOT_PX)
    outs = []
    for rgb in (False, True):
        feet = FootShift()
        images = [np.ascontiguousarray(im[..., ::-1]) if rgb else im for im in (before, after)]
        feet.update(Frame(0, 0.0, images[0], 1.0, rgb), lm)
        outs.append(feet.update(Frame(1, 1 / 30, images[1], 1.0, rgb), lm))
    assert np.isfinite(outs[0]).all()
    np.testing.assert_array_equal(outs[1], outs[0])
