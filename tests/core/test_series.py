"""Stored video landmarks -> KeypointSeries: pixel axes, frame-stride gaps, the scenery's velocity."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import NUM_LANDMARKS
from core.io.keypoint_store import KeypointBatch
from core.series import batch_to_series

FPS = 30.0


def _batch(frames: np.ndarray, scene: np.ndarray | None = None) -> KeypointBatch:
    n = len(frames)
    image = np.zeros((n, NUM_LANDMARKS, 5))
    image[:, :, 0] = 100.0 + frames[:, None]
    image[:, :, 1] = 400.0
    image[:, :, 3] = 0.9
    return KeypointBatch(frames, frames / FPS, np.ones(n, bool), image, np.zeros((n, NUM_LANDMARKS, 3)), scene)


def test_pixels_become_y_up_and_stride_gaps_are_interpolated() -> None:
    s = batch_to_series(_batch(np.arange(0, 10, 2)), image_height_px=540, fps=FPS)
    assert s.n_frames == 9 and s.units == "px" and s.is_2d
    np.testing.assert_allclose(s.positions[:, 0, 0], 100.0 + np.arange(9))
    np.testing.assert_allclose(s.positions[:, 0, 1], 140.0)
    np.testing.assert_allclose(s.time_s, np.arange(9) / FPS)
    assert np.isnan(s.meta["scene_velocity_px_s"]).all()


@pytest.mark.parametrize("stride", [1, 2])
def test_scene_shifts_become_a_velocity_over_the_frames_they_span(stride: int) -> None:
    frames = np.arange(0, 24, stride)
    back = 2 * stride
    scene = np.full((len(frames), 4), np.nan)
    for i in range(2, len(frames), 2):
        scene[i] = (-5.0 * back, 0.0, 0.9, frames[i] - back)  # the scenery moves 5 px left per frame
    v = batch_to_series(_batch(frames, scene), image_height_px=540, fps=FPS).meta["scene_velocity_px_s"]
    last = frames[len(frames) - 1 - (len(frames) - 1) % 2]  # the last frame with a shift
    assert np.isnan(v[0]) and np.isnan(v[last + 1:]).all()
    np.testing.assert_allclose(v[1:last + 1], -5.0 * FPS)
