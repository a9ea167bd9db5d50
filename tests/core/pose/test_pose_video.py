"""Streaming decode: the decoder thread count changes speed, never the frames."""

from __future__ import annotations

import numpy as np
import pytest

from core.mediapipe_integration import decode_threads
from core.pose.video import iter_frames


@pytest.mark.parametrize("decoder", ["opencv", "pyav"])
def test_decoder_threads_give_identical_frames(synthetic_video, decoder):
    frames = {t: list(iter_frames(synthetic_video, start=3, stop=20, stride=2, max_side_px=320, decoder=decoder, threads=t))
              for t in (0, 1)}
    assert [f.index for f in frames[0]] == [f.index for f in frames[1]] == list(range(3, 20, 2))
    for a, b in zip(frames[0], frames[1]):
        assert a.time_s == b.time_s and max(a.image.shape[:2]) == 320
        assert np.array_equal(a.image, b.image)


def test_decode_threads_share_the_cores_among_workers():
    assert decode_threads(1, cores=8) == 0
    assert decode_threads(2, cores=2) == 1
    assert decode_threads(3, cores=2) == 1
    assert decode_threads(2, cores=16) == 8


def test_h264_transcode_keeps_every_frame(synthetic_video, tmp_path):
    from core.pose.video import probe_video
    from core.io.video_writer import transcode_h264

    out = tmp_path / "walk_h264.mp4"
    n = transcode_h264(synthetic_video, out)
    src, dst = probe_video(synthetic_video), probe_video(out)
    assert n == src.n_frames == dst.n_frames
    assert (dst.width, dst.height, dst.fps) == (src.width, src.height, src.fps)
    a = next(iter_frames(synthetic_video, stop=1)).image.astype(float)
    b = next(iter_frames(out, stop=1)).image.astype(float)
    assert np.mean(np.abs(a - b)) < 8.0  # lossy, but the same picture


def test_pyav_seek_gives_the_frames_of_a_decode_from_the_start(synthetic_video, tmp_path):
    from core.io.video_writer import transcode_h264

    h264 = tmp_path / "walk_h264.mp4"
    transcode_h264(synthetic_video, h264, gop_frames=12)  # keyframes every 12 frames, B-frames on
    full = list(iter_frames(h264, stop=60, decoder="pyav"))
    for start in (1, 12, 29, 47):
        got = list(iter_frames(h264, start=start, stop=start + 6, stride=2, decoder="pyav"))
        want = full[start : start + 6 : 2]
        assert [f.index for f in got] == [f.index for f in want] == list(range(start, start + 6, 2))
        assert all(np.array_equal(a.image, b.image) and a.time_s == b.time_s for a, b in zip(got, want))


@pytest.mark.parametrize("threads", [0, 1])
def test_pyav_stride_skips_no_kept_frame(h264_with_b_frames, threads):
    """With a stride, frames nothing refers to are not decoded; the kept frames are those of a full decode."""
    import av

    with av.open(str(h264_with_b_frames)) as c:
        full = [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]
    for start in (0, 31):
        got = list(iter_frames(h264_with_b_frames, start=start, stride=3, decoder="pyav", threads=threads))
        assert [f.index for f in got] == list(range(start, len(full), 3))
        assert all(np.array_equal(f.image, full[f.index]) for f in got)


@pytest.mark.parametrize("decoder", ["opencv", "pyav"])
@pytest.mark.parametrize("max_side_px", [0, 320])
def test_rgb_frames_are_the_bgr_frames_channel_swapped(synthetic_video, decoder, max_side_px):
    """The pose lanes take RGB from the decoder (PyAV converts to it directly); the pixels are the
    BGR frames' exactly, so landmarks do not change."""
    kw = dict(start=2, stop=9, stride=3, max_side_px=max_side_px, decoder=decoder)
    bgr, rgb = list(iter_frames(synthetic_video, **kw)), list(iter_frames(synthetic_video, rgb=True, **kw))
    assert [f.index for f in rgb] == [f.index for f in bgr] == [2, 5, 8]
    for a, b in zip(bgr, rgb):
        assert b.rgb and not a.rgb and a.scale == b.scale and a.time_s == b.time_s
        assert b.image.shape == a.image.shape and b.image.flags.c_contiguous
        assert np.array_equal(b.image, a.image[..., ::-1])


@pytest.mark.parametrize("max_side_px", [0, 320])
def test_pyav_stream_reformatters_give_each_frames_own_reformat(synthetic_video, max_side_px):
    """The decoder scales and converts with one reformatter per stream (it keeps its context); the pixels
    are those of each frame's own ``reformat``."""
    import av

    got = list(iter_frames(synthetic_video, stop=6, max_side_px=max_side_px, decoder="pyav", rgb=True))
    with av.open(str(synthetic_video)) as c:
        want = []
        for _, f in zip(range(6), c.decode(video=0)):
            scale = min(1.0, max_side_px / max(f.width, f.height)) if max_side_px else 1.0
            if scale < 1.0:
                f = f.reformat(width=round(f.width * scale), height=round(f.height * scale))
            want.append(f.to_ndarray(format="rgb24"))
    assert len(got) == len(want) == 6
    assert all(np.array_equal(g.image, w) for g, w in zip(got, want))


def test_skipping_the_loop_filter_decodes_the_same_frames_with_nearly_the_same_pixels(h264_with_b_frames):
    def frames(skip: bool) -> list:
        return list(iter_frames(h264_with_b_frames, start=5, stop=45, stride=2, max_side_px=160, decoder="pyav",
                                threads=1, rgb=True, skip_loop_filter=skip))

    full, fast = frames(False), frames(True)
    assert [(f.index, f.time_s, f.scale) for f in fast] == [(f.index, f.time_s, f.scale) for f in full]
    diff = [np.abs(a.image.astype(int) - b.image.astype(int)).mean() for a, b in zip(full, fast)]
    assert max(diff) > 0  # the filter was skipped: a low bit rate H.264 frame is deblocked
    assert np.mean(diff) < 4  # grey levels: the same picture



@pytest.mark.parametrize("decoder", ["opencv", "pyav"])
def test_frames_timed_by_the_callers_probe_need_no_second_probe(synthetic_video, monkeypatch, decoder):
    # a pose lane is handed the main process's timing decision (SegmentTask.timestamps): the worker does not
    # open the video with OpenCV again to decide it, and its frames are timed as a probing decode times them
    import core.pose.video as video

    probed = list(iter_frames(synthetic_video, start=2, stop=12, decoder=decoder))
    told = video.probe_video(synthetic_video).timestamps
    blanks = list(video.blank_frames(synthetic_video, range(2, 12)))

    def no_probe(path):
        raise AssertionError("probed again")

    monkeypatch.setattr(video, "probe_video", no_probe)
    video._timestamps_usable.cache_clear()
    given = list(iter_frames(synthetic_video, start=2, stop=12, decoder=decoder, timestamps=told))
    assert [(f.index, f.time_s) for f in given] == [(f.index, f.time_s) for f in probed]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(given, probed))
    assert [f.time_s for f in video.blank_frames(synthetic_video, range(2, 12), timestamps=told)] == \
        [f.time_s for f in blanks]
    with pytest.raises(AssertionError, match="probed again"):  # without the decision the decoder probes
        list(iter_frames(synthetic_video, start=2, stop=4, decoder=decoder))


def _threads() -> set[str]:
    import os

    return set(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_one_decode_thread_means_no_codec_or_scaler_threads(synthetic_video):
    # the pose lanes and the scan decode with one thread when the workers fill the cores; PyAV's scaler
    # would otherwise start one thread per core for each of its two steps (hand-over cost, same pixels)
    from core.pose.frame_select import read_scaled_frames_at

    before = _threads()
    frames = iter_frames(synthetic_video, stop=40, max_side_px=320, decoder="pyav", threads=1, rgb=True,
                         queue_frames=1)  # the producer waits on the full queue: alive while counted
    next(frames)
    assert len(_threads() - before) == 1  # the background decoding thread only
    frames.close()
    before = _threads()
    scan = read_scaled_frames_at(synthetic_video, [0, 3, 5], 320, threads=1)
    next(scan)
    assert not _threads() - before  # decoded and scaled in this thread
    scan.close()


def test_a_photo_or_a_one_frame_file_is_not_a_video(tmp_path):
    """A phone photo renamed .mp4 (OpenCV opens it as a one-frame stream) and a one-frame MP4 are
    refused by the probe with their reason, not passed on to find nobody in 0 % of 1 frame."""
    import cv2

    from core.errors import InputError
    from core.pose.video import probe_video
    from tests.usecases.reliability_media import write_av

    image = np.full((240, 320, 3), 90, np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image)
    photo = tmp_path / "IMG_0001.mp4"
    photo.write_bytes(jpeg.tobytes())
    with pytest.raises(InputError, match="not a video: the file is a JPEG image"):
        probe_video(photo)
    one = write_av(tmp_path / "one.mp4", [image], [0.0])
    with pytest.raises(InputError, match="only one frame: a still image, not a video"):
        probe_video(one)
    two = write_av(tmp_path / "two.mp4", [image, image], [0.0, 1 / 30])
    assert probe_video(two).n_frames == 2


@pytest.mark.parametrize("start, stride", [(0, 1), (0, 2), (7, 1)])
def test_damaged_packets_are_skipped_and_later_frames_keep_their_index_and_time(h264_with_b_frames, tmp_path,
                                                                                 start, stride):
    """A packet the decoder rejects ended the whole decode (InvalidDataError: the video FAILED); now it is
    skipped like a player skips it, and every later frame keeps its own index and timestamp."""
    from core.pose.frame_select import read_frames_at
    from tests.usecases.reliability_media import damage_packets

    damaged = damage_packets(h264_with_b_frames, tmp_path / "damaged.mp4", {12, 13})
    clean = {f.index: f.time_s for f in iter_frames(h264_with_b_frames, start=start, stride=stride, decoder="pyav")}
    got = list(iter_frames(damaged, start=start, stride=stride, decoder="pyav"))
    indices = [f.index for f in got]
    assert indices == sorted(set(indices)) and all((i - start) % stride == 0 for i in indices)
    assert all(f.time_s == clean[f.index] for f in got)
    assert max(indices) == max(clean) and len(clean) - 12 <= len(got) < len(clean)
    assert [i for i, _ in read_frames_at(damaged, [0, 5, max(clean)])] == [0, 5, max(clean)]
