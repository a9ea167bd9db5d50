"""Fixtures of the pose room's tests."""

from __future__ import annotations

import pytest

from core.pose.video import iter_frames


@pytest.fixture(scope="session")
def h264_with_b_frames(synthetic_video, tmp_path_factory):
    """The walk as H.264 at a phone bit rate (1 s keyframe interval), where some frames are not references."""
    import av

    from core.io.video_writer import write_video

    path = tmp_path_factory.mktemp("bframes") / "walk_phone.mp4"
    frames = [f.image for f in iter_frames(synthetic_video, decoder="opencv")]
    write_video(path, frames, 30.0, (frames[0].shape[1], frames[0].shape[0]), bitrate_bps=1_000_000)
    with av.open(str(path)) as c:
        c.streams.video[0].codec_context.skip_frame = "NONREF"
        assert sum(1 for _ in c.decode(c.streams.video[0])) < len(frames)  # the skip has something to skip
    return path
