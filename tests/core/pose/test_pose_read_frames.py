"""read_frames_at: the wanted frames of a video, in order, read once."""

from __future__ import annotations

import numpy as np

from core.pose.frame_select import read_frames_at
from core.io.video_writer import write_video


def test_reads_the_wanted_frames_in_order_and_skips_past_the_end(tmp_path):
    path = tmp_path / "levels.mp4"
    frames = [np.full((64, 96, 3), 10 + 20 * k, np.uint8) for k in range(12)]
    assert write_video(path, frames, 10.0, (96, 64)) == 12
    got = list(read_frames_at(path, [9, 2, 5, 2, 40]))
    assert [i for i, _ in got] == [2, 5, 9]
    for index, image in got:
        assert image.shape == (64, 96, 3)
        assert abs(float(image.mean()) - (10 + 20 * index)) < 4, index
    assert list(read_frames_at(path, [])) == []


def test_scaled_frames_are_the_native_frames_area_resized(tmp_path):
    """A frame larger than ``max_side_px`` comes scaled (in YUV, before the conversion to BGR) to within a
    few grey levels of OpenCV's area resize of the native frame; a smaller one comes at native size, as
    ``read_frames_at`` reads it."""
    import cv2

    from core.pose.frame_select import read_scaled_frames_at

    path = tmp_path / "ramp.mp4"
    ramp = np.tile(np.linspace(0, 255, 320).astype(np.uint8)[None, :, None], (180, 1, 3))
    frames = [np.roll(ramp, 8 * k, axis=1) for k in range(6)]
    assert write_video(path, frames, 10.0, (320, 180)) == 6
    native = dict(read_frames_at(path, [1, 4]))
    scaled = list(read_scaled_frames_at(path, [1, 4], 160))
    assert [(i, s) for i, _, s in scaled] == [(1, 0.5), (4, 0.5)]
    for i, image, _ in scaled:
        assert image.shape == (90, 160, 3)
        expected = cv2.resize(native[i], (160, 90), interpolation=cv2.INTER_AREA)
        assert np.abs(image.astype(int) - expected).mean() < 3.0, i
    unscaled = list(read_scaled_frames_at(path, [4], 320))
    assert unscaled[0][2] == 1.0 and np.array_equal(unscaled[0][1], native[4])
