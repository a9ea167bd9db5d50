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


def test_foot_patch_shifts_become_velocities_relative_to_the_scenery() -> None:
    frames = np.arange(0, 12)
    scene = np.full((len(frames), 4), np.nan)
    scene[1:] = np.column_stack([np.full(11, -2.0), np.zeros(11), np.full(11, 0.9), frames[1:] - 1])
    feet = np.full((len(frames), 4, 4), np.nan)
    feet[1:, :, 0], feet[1:, :, 1], feet[1:, :, 2], feet[1:, :, 3] = -2.0, 0.0, 0.9, (frames[1:] - 1)[:, None]
    feet[1:, 0, 0], feet[1:, 0, 1] = 3.0, 1.0  # the left heel moves 3 px right and 1 px down per frame
    s = batch_to_series(KeypointBatch(frames, frames / FPS, np.ones(12, bool), _batch(frames).image,
                                      np.zeros((12, NUM_LANDMARKS, 3)), scene, feet), image_height_px=540, fps=FPS)
    velocity, peak = s.meta["foot_velocity_px_s"], s.meta["foot_patch_peak"]
    assert velocity.shape == (12, 4, 2) and np.isnan(velocity[0]).all() and np.isnan(peak[0]).all()
    np.testing.assert_allclose(velocity[1:, 0], np.tile([5.0 * FPS, -1.0 * FPS], (11, 1)))  # Y up
    np.testing.assert_allclose(velocity[1:, 1:], 0.0, atol=1e-9)  # at rest against the scenery
    np.testing.assert_allclose(peak[1:], 0.9)
    old = batch_to_series(_batch(frames), image_height_px=540, fps=FPS)
    assert np.isnan(old.meta["foot_velocity_px_s"]).all()
