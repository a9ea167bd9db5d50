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
