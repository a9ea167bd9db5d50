"""Decode only the frames a sparse reader needs (the person finder's scan, the review's event frames).

A frame can only be decoded after the frames it refers to, from the keyframe that starts its
keyframe interval (GOP). ``read_frames_at`` therefore decodes, in each interval, the packets from
its keyframe up to the last wanted frame, and skips the rest of the interval without decoding it;
it seeks to the first interval it needs. Among those packets, a frame that no other frame refers
to (most B-frames) is skipped unless it is wanted. Phones record a keyframe every second or so, so a scan
every 0.5 s decodes about 60 % of the frames; with sparse keyframes it decodes what a full pass
up to the last wanted frame would. The frames are those of a decode from the start, pixel for pixel.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from core.errors import InputError
from core.io.video_files import describe_unreadable_video


@dataclass(frozen=True)
class PacketIndex:
    """A video stream's packets in decode order: pts and keyframe flag of each, and each packet's
    presentation index (the rank of its pts); ``time_base_s``: seconds per pts tick (0: unknown)."""

    pts: tuple[int, ...]
    keyframe: tuple[bool, ...]
    rank: tuple[int, ...]
    time_base_s: float = 0.0

    def keyframes(self) -> tuple[int, ...]:
        """The keyframes' presentation indices (video frame indices), ascending."""
        return tuple(sorted(r for r, key in zip(self.rank, self.keyframe) if key))


def packet_index(path: str | Path) -> PacketIndex | None:
    """The packet index of ``path``'s first video stream (demuxed, not decoded: milliseconds for a
    minute of video; cached per file version); None when a packet lacks a pts or two share one."""
    st = Path(path).stat()
    return _packet_index(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _packet_index(path: str, size: int, mtime_ns: int) -> PacketIndex | None:
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        time_base_s = float(stream.time_base) if stream.time_base else 0.0
        pts, keys = [], []
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            if packet.pts is None:
                return None
            pts.append(int(packet.pts))
            keys.append(bool(packet.is_keyframe))
    order = {p: i for i, p in enumerate(sorted(pts))}
    if len(order) != len(pts):
        return None
    return PacketIndex(tuple(pts), tuple(keys), tuple(order[p] for p in pts), time_base_s)


def packets_to_decode(index: PacketIndex, wanted: set[int]) -> np.ndarray:
    """Mask over ``index``'s packets (decode order) that must be decoded to get the ``wanted``
    presentation indices: in each keyframe interval, its packets up to its last wanted one. A wanted
    leading picture (shown before its interval's keyframe, open GOP) also needs the whole interval
    before it."""
    n = len(index.pts)
    starts = [i for i in range(n) if index.keyframe[i]]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    bounds = list(zip(starts, starts[1:] + [n]))
    need = np.zeros(n, bool)
    for g, (lo, hi) in enumerate(bounds):
        last = -1
        for j in range(lo, hi):
            if index.rank[j] in wanted:
                last = j
                if g > 0 and index.pts[j] < index.pts[lo]:
                    need[bounds[g - 1][0] : bounds[g - 1][1]] = True
        need[lo : last + 1] = True
    return need


def read_frames_at(path: str | Path, indices: Iterable[int], threads: int = 1) -> Iterator[tuple[int, np.ndarray]]:
    """(index, BGR image at native size, display orientation) for each wanted video frame index, in
    increasing order; indices past the end are skipped. Decodes only what the wanted frames need
    (see the module docstring); ``threads``: decoder and scaler threads (0 = FFmpeg's choice)."""
    for i, image, _ in read_scaled_frames_at(path, indices, 0, threads):
        yield i, image


def read_scaled_frames_at(path: str | Path, indices: Iterable[int], max_side_px: int, threads: int = 1,
                          skip_loop_filter: bool = False) -> Iterator[tuple[int, np.ndarray, float]]:
    """``read_frames_at``, each frame at most ``max_side_px`` on its longer side (0: native size):
    (index, BGR image, scale = image px / original px). A larger frame is scaled in YUV by swscale's area
    filter before its conversion to BGR (a sixth of the CPU of converting at full size and resizing in
    OpenCV: 1.7-2 against 13-15 ms per 1768x994 frame, scaled to 1280 px). ``skip_loop_filter``: H.264 and
    HEVC are decoded without the in-loop deblocking filter (as the pose lanes' ``pose.skip_loop_filter``)."""
    import av
    from av.video.reformatter import VideoReformatter

    wanted = sorted({int(i) for i in indices if int(i) >= 0})
    if not wanted:
        return
    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InputError(describe_unreadable_video(path) or f"not a readable video ({exc})", path) from exc
    try:
        if not container.streams.video:
            raise InputError("no video stream", path)
        stream = container.streams.video[0]
        stream.codec_context.thread_count = threads
        if skip_loop_filter:
            skip_deblocking(stream)
        index = packet_index(path)
        frames = _sequential(container, stream, wanted) if index is None else _selective(container, stream, index, wanted)
        # each keeps its swscale context; both use the decoder's thread count (see core.pose.video._iter_pyav)
        scaler, converter = VideoReformatter(), VideoReformatter()
        for i, frame in frames:
            turns = (int(getattr(frame, "rotation", 0) or 0) // 90) % 4  # counter-clockwise display rotation
            scale = 1.0
            if 0 < max_side_px < max(frame.width, frame.height):
                scale = max_side_px / max(frame.width, frame.height)
                frame = scaler.reformat(frame, width=round(frame.width * scale), height=round(frame.height * scale),
                                        interpolation="AREA", threads=threads)
            image = converter.reformat(frame, format="bgr24", threads=threads).to_ndarray()
            yield i, np.ascontiguousarray(np.rot90(image, k=turns)) if turns else image, scale
    finally:
        container.close()


def skip_deblocking(stream) -> None:  # noqa: ANN001 - a PyAV video stream
    """Decode ``stream`` (H.264, HEVC) without the in-loop deblocking filter, the decoder's costliest filter
    (~1 ms of CPU less per 1080p frame; pixels ~1 grey level apart). Other codecs ignore the option."""
    stream.codec_context.options = {"skip_loop_filter": "all"}


def _selective(container, stream, index: PacketIndex, wanted: list[int]) -> Iterator[tuple[int, Any]]:  # noqa: ANN001
    want = set(wanted)
    need = packets_to_decode(index, want)
    if not need.any():
        return
    decode = {index.pts[j] for j in np.flatnonzero(need)}
    rank = dict(zip(index.pts, index.rank))
    first = int(np.flatnonzero(need)[0])
    if first > 0:
        container.seek(index.pts[first], stream=stream, backward=True, any_frame=False)
    last_pts = index.pts[int(np.flatnonzero(need)[-1])]
    codec = stream.codec_context
    for packet in container.demux(stream):
        if packet.size == 0:  # end of stream: flush below
            break
        if packet.pts is None or int(packet.pts) not in decode:
            continue
        # A frame no other frame refers to (most B-frames) is decoded only when wanted.
        codec.skip_frame = "DEFAULT" if rank[int(packet.pts)] in want else "NONREF"
        yield from _wanted(decode_packet(codec, packet), rank, want)
        if int(packet.pts) == last_pts:
            break
    codec.skip_frame = "DEFAULT"
    yield from _wanted(decode_packet(codec, None), rank, want)


def decode_kept(container, stream, rank: dict[int, int], keep: Callable[[int], bool],  # noqa: ANN001
                skipped: list[int | None] | None = None) -> Iterator[Any]:
    """Every frame of ``stream`` from the container's position, in presentation order, except
    frames that no other frame refers to (most B-frames) whose presentation index (``rank`` of
    the packet's pts) ``keep`` rejects: those are not decoded at all. Damaged packets are skipped
    (``decode_packet``)."""
    codec = stream.codec_context
    for packet in container.demux(stream):
        if packet.size == 0:
            break
        kept = packet.pts is None or keep(rank.get(int(packet.pts), -1))
        codec.skip_frame = "DEFAULT" if kept else "NONREF"
        yield from decode_packet(codec, packet, skipped)
    codec.skip_frame = "DEFAULT"
    yield from decode_packet(codec, None, skipped)


def decode_packets(container, stream, skipped: list[int | None] | None = None) -> Iterator[Any]:  # noqa: ANN001
    """``container.decode(stream)``, except that a packet the decoder rejects as invalid data is
    skipped (``decode_packet``; its pts is appended to ``skipped``) instead of ending the decode."""
    return decode_kept(container, stream, {}, lambda _: True, skipped)


def decode_packet(codec, packet, skipped: list[int | None] | None = None) -> list[Any]:  # noqa: ANN001
    """The frames that ``packet`` completes (None: flush); none for a packet whose data the decoder
    rejects (a damaged file, or the last, cut packet of a truncated one): players skip such a packet
    and so do we (its pts goes to ``skipped``); frames that refer to it may show blocks, which the pose
    model sees as noise."""
    import av

    try:
        return codec.decode(packet)
    except av.error.InvalidDataError:
        if skipped is not None:
            skipped.append(None if packet is None else packet.pts)
        return []


def _wanted(frames, rank: dict[int, int], want: set[int]) -> Iterator[tuple[int, Any]]:  # noqa: ANN001
    """The decoded ``frames`` whose presentation index is wanted (frames leave the decoder in
    presentation order)."""
    for frame in frames:
        got = rank.get(int(frame.pts)) if frame.pts is not None else None
        if got in want:
            yield got, frame


def _sequential(container, stream, wanted: list[int]) -> Iterator[tuple[int, Any]]:  # noqa: ANN001
    """Every frame decoded from the start, counted (for streams whose packets cannot be indexed)."""
    want = set(wanted)
    for count, frame in enumerate(decode_packets(container, stream)):
        if count > wanted[-1]:
            return
        if count in want:
            yield count, frame
