"""Selected-frame decoding: only the packets the wanted frames need, and exactly the frames of a full decode."""

from __future__ import annotations

import numpy as np
import pytest

from core.pose.frame_select import PacketIndex, packet_index, packets_to_decode, read_frames_at


def _index(keyframes: list[int], n: int, order: list[int] | None = None) -> PacketIndex:
    """Packets in decode order; ``order``: presentation index of each (default: decode order)."""
    rank = order if order is not None else list(range(n))
    return PacketIndex(tuple(r * 10 for r in rank), tuple(i in keyframes for i in range(n)), tuple(rank))


def test_each_keyframe_interval_is_decoded_up_to_its_last_wanted_frame():
    index = _index([0, 10, 20], 30)
    need = packets_to_decode(index, {2, 15, 17})
    assert np.flatnonzero(need).tolist() == [0, 1, 2, *range(10, 18)]  # 20..29 not decoded at all


def test_a_wanted_leading_picture_also_decodes_the_interval_before():
    # open GOP: packet 5 (keyframe, shown 6th) is followed by packet 6, shown before it (index 4)
    order = [0, 2, 1, 3, 5, 6, 4, 7]
    need = packets_to_decode(_index([0, 5], 8, order), {4})
    assert need.tolist() == [True] * 7 + [False]


@pytest.fixture(scope="module")
def h264_gop12(synthetic_video, tmp_path_factory):
    from core.io.video_writer import transcode_h264

    out = tmp_path_factory.mktemp("frame_select") / "walk_h264.mp4"
    transcode_h264(synthetic_video, out, gop_frames=12)  # keyframes every 12 frames, B-frames on
    return out


def test_selected_frames_equal_a_full_decode_pixel_for_pixel(h264_gop12):
    import av

    with av.open(str(h264_gop12)) as c:
        full = [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]
    wanted = [0, 2, 15, 17, 30, 32, 45, 47, 60, 62, 179, 400]
    got = list(read_frames_at(h264_gop12, wanted))
    assert [i for i, _ in got] == [i for i in wanted if i < len(full)]
    for i, image in got:
        assert np.array_equal(image, full[i]), i
    index = packet_index(h264_gop12)
    assert index is not None and sum(index.keyframe) > 2
    decoded = int(packets_to_decode(index, set(wanted)).sum())
    assert decoded < 0.8 * len(full)  # the rest of each keyframe interval is skipped


def test_selected_frames_start_mid_video_by_seeking(h264_gop12):
    whole = dict(read_frames_at(h264_gop12, range(40, 60)))
    part = list(read_frames_at(h264_gop12, [41, 53]))
    assert [i for i, _ in part] == [41, 53]
    assert all(np.array_equal(image, whole[i]) for i, image in part)


def test_selected_frames_skip_no_wanted_b_frame(h264_with_b_frames):
    """On H.264 with non-reference frames (a phone's encoder), the wanted ones are still decoded exactly."""
    import av

    with av.open(str(h264_with_b_frames)) as c:
        full = [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]
    wanted = list(range(1, len(full), 4))
    got = list(read_frames_at(h264_with_b_frames, wanted))
    assert [i for i, _ in got] == wanted
    assert all(np.array_equal(image, full[i]) for i, image in got)


def test_skipping_the_loop_filter_reads_the_same_frames_with_nearly_the_same_pixels(h264_with_b_frames):
    from core.pose.frame_select import read_scaled_frames_at

    wanted = [3, 15, 17, 30, 32, 44]
    full = list(read_scaled_frames_at(h264_with_b_frames, wanted, 160))
    fast = list(read_scaled_frames_at(h264_with_b_frames, wanted, 160, skip_loop_filter=True))
    assert [(i, s) for i, _, s in fast] == [(i, s) for i, _, s in full] and len(full) == len(wanted)
    diff = [np.abs(a.astype(int) - b.astype(int)).mean() for (_, a, _), (_, b, _) in zip(full, fast)]
    assert max(diff) > 0  # the decoder really skipped the deblocking filter
    assert np.mean(diff) < 4  # grey levels: the same picture
