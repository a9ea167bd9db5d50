"""The camera's pan measured from the scenery: known shifts of a textured scene behind a still walker."""

from __future__ import annotations

import numpy as np
import pytest

from core.pose.scene_motion import EVERY_FRAMES, SPAN_FRAMES, SceneShift
from core.pose.video import Frame

H, W = 540, 960


def _scene(width: int, seed: int = 0) -> np.ndarray:
    """A wide, smooth random texture (H, width, 3) uint8."""
    import cv2

    noise = np.random.default_rng(seed).random((H // 4, width // 4)).astype(np.float32)
    grey = cv2.resize(cv2.GaussianBlur(noise, (0, 0), 1.5), (width, H)) * 255
    return np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


WALKER = np.array([[430.0, 120.0], [530.0, 480.0]])  # a box the "walker" covers (x, y px)


def _frames(step_px: float, n: int, scale: float = 1.0, textured: bool = True) -> list[Frame]:
    """Frames of a scene sliding left by ``step_px`` per frame (whole px) with a still grey walker."""
    import cv2

    wide = _scene(W + int(step_px) * n + 8) if textured else np.full((H, W + int(step_px) * n + 8, 3), 128, np.uint8)
    out = []
    for i in range(n):
        image = wide[:, int(step_px) * i: int(step_px) * i + W].copy()
        image[120:480, 430:530] = 200
        if scale != 1.0:
            image = cv2.resize(image, (round(W * scale), round(H * scale)), interpolation=cv2.INTER_AREA)
        out.append(Frame(i, i / 30.0, image, scale))
    return out


@pytest.mark.parametrize("step_px, scale", [(6.0, 1.0), (2.0, 1.0), (6.0, 0.5)])
def test_shift_since_an_earlier_frame_is_measured(step_px: float, scale: float) -> None:
    shift = SceneShift()
    rows = np.array([shift.update(f, WALKER) for f in _frames(step_px, 12, scale)])
    assert np.isnan(rows[0]).all()
    measured = rows[np.isfinite(rows[:, 0])]
    assert len(measured) >= 12 // EVERY_FRAMES - 1
    frames_back = np.arange(len(rows))[np.isfinite(rows[:, 0])] - measured[:, 3]
    assert set(frames_back.astype(int)) <= set(range(1, SPAN_FRAMES + 1))
    np.testing.assert_allclose(measured[:, 0], -step_px * frames_back, atol=0.25 * (1 + (scale < 1)))
    np.testing.assert_allclose(measured[:, 1], 0.0, atol=0.25)
    assert (measured[:, 2] > 0.3).all()


def test_no_walker_or_no_texture_gives_nan() -> None:
    shift = SceneShift()
    assert all(np.isnan(shift.update(f, None)).all() for f in _frames(6.0, 6))
    flat = SceneShift()
    assert all(np.isnan(flat.update(f, WALKER)[0]) for f in _frames(6.0, 6, textured=False))


def test_reset_forgets_the_earlier_frames() -> None:
    frames = _frames(6.0, 8)
    shift = SceneShift()
    for f in frames[:4]:
        shift.update(f, WALKER)
    shift.reset()
    assert np.isnan(shift.update(frames[4], WALKER)).all()


@pytest.mark.parametrize("walker_x", [300.0, 331.0, 357.0, 402.0, 433.0, 471.0, 505.0])
def test_a_still_scene_reads_no_shift_wherever_the_walker_stands(walker_x: float) -> None:
    # strips of odd width once read a still scene as shifted by half a small pixel (OpenCV's phaseCorrelate)
    shift = SceneShift()
    walker = WALKER + np.array([walker_x - 430.0, 0.0])
    rows = np.array([shift.update(f, walker) for f in _frames(0.0, 8)])
    measured = rows[np.isfinite(rows[:, 0])]
    assert len(measured) > 0
    np.testing.assert_allclose(measured[:, 0], 0.0, atol=0.1)


def _passer_by_frames(n: int, step_px: int = 12) -> tuple[list[Frame], list[np.ndarray]]:
    """A still scene and still walker, and a high-contrast passer-by (a striped block) walking right
    by ``step_px`` per frame in the right-hand strip; with the passer-by's box per frame."""
    wide = _scene(W)
    stripes = np.where((np.arange(140) // 10) % 2, 255, 0).astype(np.uint8)
    frames, boxes = [], []
    for i in range(n):
        image = wide.copy()
        image[120:480, 430:530] = 200
        x0 = 600 + step_px * i
        image[100:500, x0:x0 + 140] = stripes[None, :, None]
        frames.append(Frame(i, i / 30.0, image, 1.0))
        boxes.append(np.array([[x0, 100.0, x0 + 140.0, 500.0]]))
    return frames, boxes


def test_a_moving_object_unknown_to_the_scan_does_not_read_as_a_pan() -> None:
    # the stripes pulled their whole strip's peak, and the mean of the two strips read ~-6 px per frame
    # over 4 frames; now they move only the tiles they cover, and the weighted median keeps the scenery
    frames, _ = _passer_by_frames(10)
    shift = SceneShift()
    rows = np.array([shift.update(f, WALKER) for f in frames])
    measured = rows[np.isfinite(rows[:, 0])]
    assert len(measured) >= 3
    np.testing.assert_allclose(measured[:, 0], 0.0, atol=0.25)


def test_a_passer_by_is_kept_out_of_the_scenery() -> None:
    frames, boxes = _passer_by_frames(10)
    shift = SceneShift()
    rows = np.array([shift.update(f, WALKER, b) for f, b in zip(frames, boxes)])
    measured = rows[np.isfinite(rows[:, 0])]
    assert len(measured) >= 3
    np.testing.assert_allclose(measured[:, 0], 0.0, atol=0.25)


def test_rgb_frames_give_the_shifts_of_the_same_bgr_frames() -> None:
    """Grey is taken in the frame's own channel order (``Frame.grey_code``)."""
    bgr = _frames(6.0, 8)
    for f in bgr:
        f.image[..., 0] //= 3  # colour: the channel order matters for grey
    rgb = [Frame(f.index, f.time_s, np.ascontiguousarray(f.image[..., ::-1]), f.scale, rgb=True) for f in bgr]
    a, b = SceneShift(), SceneShift()
    rows_bgr = np.array([a.update(f, WALKER) for f in bgr])
    rows_rgb = np.array([b.update(f, WALKER) for f in rgb])
    assert np.isfinite(rows_bgr[:, 0]).sum() >= 3
    np.testing.assert_array_equal(rows_rgb, rows_bgr)
