"""Video probing and streaming decode (OpenCV or PyAV) with a background thread and a bounded queue.

Frames come out in display orientation (rotation metadata applied). Frame times are the container's
timestamps when they are usable, else ``index / fps``; ``probe_video`` decides once per file.
"""

from __future__ import annotations

import functools
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from core.errors import InputError
from core.io.video_files import describe_unreadable_video

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv")
_DEFAULT_FPS = 30.0
_MIN_FPS, _MAX_FPS = 1.0, 1000.0
_MAX_FPS_WITHOUT_TIMESTAMPS = 240.0  # above this, a rate with no timestamps to back it is a container default
_TIMING_FRAMES = 8
_FPS_TOLERANCE = 0.1



@dataclass(frozen=True)
class VideoInfo:
    """Decoded (display-oriented) frame size in px, rate in Hz, frame count and rotation (deg).

    ``timestamps``: the container's frame timestamps are used; ``note``: how the rate was chosen when
    the metadata could not be trusted (empty otherwise).
    """

    width: int
    height: int
    fps: float
    n_frames: int
    rotation_deg: int
    fps_from_metadata: bool
    timestamps: bool = True
    note: str = ""

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class Frame:
    """One decoded frame: index in the video, timestamp (s), image (H, W, 3) uint8, scale = out/in px;
    ``rgb``: the image's channels are RGB (what the pose model takes), else BGR (OpenCV's order)."""

    index: int
    time_s: float
    image: np.ndarray
    scale: float
    rgb: bool = False

    @property
    def blank(self) -> bool:
        """A frame that was not decoded (``blank_frames``): no pixels, only its index and time."""
        return self.image.size == 0

    def grey_code(self) -> int:
        """The OpenCV ``cvtColor`` code that turns this image grey (the same grey either way)."""
        import cv2

        return cv2.COLOR_RGB2GRAY if self.rgb else cv2.COLOR_BGR2GRAY


@dataclass(frozen=True)
class Timing:
    """The rate to use, whether it is the metadata's, whether timestamps are usable, and a note."""

    fps: float
    from_metadata: bool
    timestamps: bool
    note: str


def choose_timing(metadata_fps: float, first_times_s: list[float]) -> Timing:
    """Metadata rate when the first frames' timestamps agree (or are absent), else the timestamps' rate,
    else the default rate with a note."""
    steps = np.diff(np.asarray(first_times_s, dtype=float))
    ts_fps = 1.0 / float(np.mean(steps)) if len(steps) and np.all(steps > 0) else float("nan")
    ts_ok = bool(_MIN_FPS <= ts_fps <= _MAX_FPS)
    meta_limit = _MAX_FPS if ts_ok else _MAX_FPS_WITHOUT_TIMESTAMPS
    meta_ok = bool(np.isfinite(metadata_fps) and _MIN_FPS <= metadata_fps <= meta_limit)
    if meta_ok and (not ts_ok or abs(metadata_fps - ts_fps) <= _FPS_TOLERANCE * ts_fps):
        return Timing(metadata_fps, True, ts_ok, "")
    shown = f"{round(metadata_fps, 3):g} fps" if np.isfinite(metadata_fps) and metadata_fps > 0 else "missing"
    if ts_ok:
        return Timing(ts_fps, False, True, f"frame rate in the metadata is {shown}; using the frame timestamps "
                                           f"({round(ts_fps, 3):g} fps)")
    return Timing(_DEFAULT_FPS, False, False,
                  f"frame rate in the metadata is {shown} and the frame timestamps are unusable; assuming "
                  f"{_DEFAULT_FPS:g} fps (times, cadence and speed scale with this assumption)")


def _unreadable(path: Path, fallback: str) -> InputError:
    return InputError(describe_unreadable_video(path) or fallback, path)


def _open_capture(path: Path, threads: int = 0):  # noqa: ANN202 - cv2 type
    """An OpenCV capture in display orientation; ``threads`` decoder threads (0 = FFmpeg's choice)."""
    import cv2

    if not path.exists():
        raise InputError("file not found", path)
    if path.is_dir():
        raise InputError("is a folder, not a video", path)
    if path.stat().st_size == 0:
        raise InputError("file is empty (0 bytes)", path)
    cap = None
    if threads > 0:
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, threads])
        if not cap.isOpened():
            cap.release()
            cap = None
    if cap is None:
        cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise _unreadable(path, "not a readable video (unknown or corrupt format)")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # frames in display orientation (phones store rotation metadata)
    return cap


def _first_times_s(cap, n: int) -> list[float]:  # noqa: ANN001 - cv2 type
    """Timestamps (s) of the frame just read and of up to ``n - 1`` more (grabbed, not converted)."""
    import cv2

    times = [cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0]
    while len(times) < n and cap.grab():
        times.append(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    return times


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's metadata, and decode its first frames to prove it has a video stream and check timing."""
    import cv2

    path = Path(path)
    cap = _open_capture(path)
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise _unreadable(path, "contains no decodable video frames (audio-only, truncated or corrupt)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        n_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0)
        height, width = frame.shape[:2]
        first_times = _first_times_s(cap, _TIMING_FRAMES)
        if len(first_times) < 2 and n_frames <= 1:
            raise _unreadable(path, "only one frame: a still image, not a video")
        timing = choose_timing(fps, first_times)
    finally:
        cap.release()
    return VideoInfo(
        width=width,
        height=height,
        fps=timing.fps,
        n_frames=max(n_frames, 1),
        rotation_deg=rotation % 360,
        fps_from_metadata=timing.from_metadata,
        timestamps=timing.timestamps,
        note=timing.note,
    )


@functools.lru_cache(maxsize=64)
def _timestamps_usable(path: str, size: int, mtime_ns: int) -> bool:
    return probe_video(path).timestamps


def timestamps_usable(path: str | Path) -> bool:
    """Whether the container's timestamps are used for ``path`` (decided as in ``probe_video``; cached)."""
    st = Path(path).stat()
    return _timestamps_usable(str(path), st.st_size, st.st_mtime_ns)


def _resize(image: np.ndarray, max_side_px: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = image.shape[:2]
    side = max(h, w)
    if max_side_px <= 0 or side <= max_side_px:
        return image, 1.0
    scale = max_side_px / side
    # Area averaging costs about what bilinear does down to half size, but several times more below
    # it (non-integer ratios); MediaPipe resamples its crop bilinearly to 256 px anyway.
    interpolation = cv2.INTER_AREA if scale >= 0.5 else cv2.INTER_LINEAR
    out = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=interpolation)
    return out, scale


def _frame_time(stamp_s: float | None, index: int, fps: float, last_t: float, use_ts: bool) -> float:
    """The container timestamp when usable, else ``index / fps``; always increasing."""
    t = stamp_s if use_ts and stamp_s is not None and stamp_s > 0 else index / fps
    if t <= last_t:
        t = index / fps if index / fps > last_t else last_t + 1.0 / fps
    return t


def _iter_opencv(
    path: Path, start: int, stop: int, stride: int, max_side_px: int, fps: float, use_ts: bool, threads: int,
    rgb: bool, skip_loop_filter: bool = False,
) -> Iterator[Frame]:
    import cv2

    cap = _open_capture(path, threads)
    try:
        if start > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, start)
        index = start
        last_t = -1.0
        while index < stop:
            if (index - start) % stride == 0:
                ok, image = cap.read()
                if not ok:
                    break
                last_t = _frame_time(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, index, fps, last_t, use_ts)
                image, scale = _resize(image, max_side_px)
                if rgb:
                    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
                yield Frame(index, last_t, image, scale, rgb)
            elif not cap.grab():
                break
            index += 1
    finally:
        cap.release()


def _iter_pyav(
    path: Path, start: int, stop: int, stride: int, max_side_px: int, fps: float, use_ts: bool, threads: int,
    rgb: bool, skip_loop_filter: bool = False,
) -> Iterator[Frame]:
    import av
    from av.video.reformatter import VideoReformatter

    from core.pose.fields import first_field, top_field_first

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise _unreadable(path, f"not a readable video ({exc})") from exc
    try:
        if not container.streams.video:
            raise _unreadable(path, "no video stream")
        stream = container.streams.video[0]
        if threads > 0:
            stream.codec_context.thread_count = threads
        else:
            stream.thread_type = "AUTO"
        if skip_loop_filter:
            from core.pose.frame_select import skip_deblocking

            skip_deblocking(stream)
        last_t = -1.0
        # One scaler and one converter for the whole stream: each keeps its conversion context, which a
        # frame's own reformat builds afresh every frame (0.64 against 1.19 ms of CPU per 1080p frame
        # scaled to 960 px and converted, scripts/benchmark_worker_cost.py); the pixels are the same.
        # They use the decoder's thread count (PyAV's default, 0, starts one swscale thread per core for
        # each: with the workers filling the cores that only added hand-over cost, 1.5 ms of CPU per
        # 1080p frame at 960 px, docs/README_Performance_Optimization.md "Session 12"; same pixels).
        scaler, converter = VideoReformatter(), VideoReformatter()
        top_first = top_field_first(getattr(stream.codec_context, "field_order", None))
        from core.pose.frame_select import decode_kept, decode_packets, packet_index

        ranks = _seek_pyav(container, stream, path, start)
        skipped: list[int | None] = []  # damaged packets the decoder rejected
        last_index = -1
        frames = decode_packets(container, stream, skipped)
        if stride > 1:  # frames between the kept ones that nothing refers to are not decoded
            if ranks is None and (packets := packet_index(path)) is not None:
                ranks = dict(zip(packets.pts, packets.rank))
            if ranks is not None:
                frames = decode_kept(container, stream, ranks, lambda i: i >= start and (i - start) % stride == 0,
                                     skipped)
        indexed_after_skip = False
        for count, frame in enumerate(frames):
            if skipped and ranks is None and not indexed_after_skip:
                # counting would shift every later frame by the skipped one: index by pts from here on
                # (the packet index is read once; a stream without one keeps counting)
                indexed_after_skip = True
                if (packets := packet_index(path)) is not None:
                    ranks = dict(zip(packets.pts, packets.rank))
            index = count if ranks is None else ranks.get(frame.pts, -1)
            if index >= stop:
                break
            if index < start or (index - start) % stride or (skipped and index <= last_index):
                continue  # after a damaged packet the decoder may also return a late frame out of order
            last_index = index
            w, h = frame.width, frame.height
            scale = 1.0
            if max_side_px > 0 and max(w, h) > max_side_px:
                scale = max_side_px / max(w, h)
            last_t = _frame_time(None if frame.time is None else float(frame.time), index, fps, last_t, use_ts)
            if frame.interlaced_frame:  # two fields woven: the first one alone (core/pose/fields.py)
                woven = converter.reformat(frame, format="rgb24" if rgb else "bgr24", threads=threads).to_ndarray()
                image = first_field(woven, top_first, round(w * scale), round(h * scale))
            else:
                if scale < 1.0:
                    frame = scaler.reformat(frame, width=round(w * scale), height=round(h * scale), threads=threads)
                # Scaled in YUV first, then converted: one conversion of the small frame (a single
                # scale-and-convert step in RGB cost more CPU per frame on 1080p H.264).
                image = converter.reformat(frame, format="rgb24" if rgb else "bgr24", threads=threads).to_ndarray()
            turns = (int(getattr(frame, "rotation", 0) or 0) // 90) % 4  # counter-clockwise display rotation
            if turns:
                image = np.ascontiguousarray(np.rot90(image, k=turns))
            yield Frame(index, last_t, image, scale, rgb)
    finally:
        container.close()


def _seek_pyav(container, stream, path: Path, start: int) -> dict[int, int] | None:  # noqa: ANN001 - av types
    """Seek to the last keyframe at or before frame ``start``; return the presentation index of every
    frame's pts (the rank of its pts among all packets, exact for variable frame rates), or None
    (decode from the first frame, counting) when ``start`` is 0 or the packets' pts cannot index."""
    if start <= 0:
        return None
    from core.pose.frame_select import packet_index

    index = packet_index(path)
    if index is None:
        return None
    pts_sorted = sorted(index.pts)
    keyframes = sorted(p for p, key in zip(index.pts, index.keyframe) if key)
    before = [pts for pts in keyframes if pts <= pts_sorted[min(start, len(pts_sorted) - 1)]]
    if not before:
        return None
    container.seek(before[-1], stream=stream, backward=True, any_frame=False)
    return {pts: i for i, pts in enumerate(pts_sorted)}


_NO_PIXELS = np.zeros((0, 0, 3), np.uint8)


def blank_frames(path: str | Path, indices: Iterable[int], fps: float = _DEFAULT_FPS,
                 timestamps: bool | None = None) -> Iterator[Frame]:
    """Frames ``indices`` without pixels (``Frame.blank``), timed as a decode would time them (the
    packets' timestamps, ``timestamps_usable``), for frames that nothing looks at; nothing is decoded.
    ``timestamps``: the probe's ``VideoInfo.timestamps`` where the caller has it (None: probe here)."""
    from core.pose.frame_select import packet_index

    index = packet_index(path)
    stamps = sorted(index.pts) if index is not None and index.time_base_s > 0 else []
    use_ts = timestamps_usable(path) if timestamps is None else timestamps
    last_t = -1.0
    for i in indices:
        stamp = stamps[i] * index.time_base_s if index is not None and i < len(stamps) else None
        last_t = _frame_time(stamp, i, fps, last_t, use_ts)
        yield Frame(i, last_t, _NO_PIXELS, 1.0)


def indexed_frame_count(path: str | Path) -> int | None:
    """The video's frame count from its packets (exact, unlike the metadata's); None when they cannot index."""
    from core.pose.frame_select import packet_index

    try:
        index = packet_index(path)
    except Exception:  # noqa: BLE001 - a container PyAV cannot read: unknown
        return None
    return None if index is None else len(index.pts)


def iter_frames(
    path: str | Path,
    start: int = 0,
    stop: int | None = None,
    stride: int = 1,
    max_side_px: int = 0,
    decoder: str = "opencv",
    queue_frames: int = 32,
    fps: float = _DEFAULT_FPS,
    threads: int = 0,
    rgb: bool = False,
    skip_loop_filter: bool = False,
    timestamps: bool | None = None,
) -> Iterator[Frame]:
    """Decode frames ``[start, stop)`` keeping every ``stride``-th, in a background thread.

    At most ``queue_frames`` decoded frames are held in memory. Frames are downscaled so their
    longer side is at most ``max_side_px`` (0 = native size) as soon as they are decoded.
    ``threads``: decoder threads, and PyAV's scaler threads (0 = the library's choice, one per core; 1 when
    other processes already keep every core busy, which saves the threads' hand-over cost). ``rgb``: frames in RGB
    order (the pose model's input: PyAV converts to it at no extra cost, where a BGR frame needs one
    more conversion per frame), else BGR. ``skip_loop_filter``: PyAV skips H.264's and HEVC's in-loop
    deblocking filter (``pose.skip_loop_filter``; OpenCV's capture cannot, and decodes as before).
    ``timestamps``: whether frame times are the container's timestamps, as the caller's ``probe_video``
    decided (``VideoInfo.timestamps``); None: decided here (``timestamps_usable``: a second probe, which
    opens the file with OpenCV and decodes its first frames, ~0.2 s of CPU at 1080p, once per process).
    """
    path = Path(path)
    stop = stop if stop is not None else 1 << 62
    source = _iter_pyav if decoder == "pyav" else _iter_opencv
    q: queue.Queue = queue.Queue(maxsize=max(1, queue_frames))
    done = object()
    stop_event = threading.Event()

    def produce() -> None:
        try:
            use_ts = timestamps_usable(path) if timestamps is None else timestamps
            for frame in source(path, start, stop, stride, max_side_px, fps, use_ts, threads, rgb, skip_loop_filter):
                while not stop_event.is_set():
                    try:
                        q.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop_event.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # re-raised in the consumer thread
            q.put(exc)

    thread = threading.Thread(target=produce, name="decoder", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop_event.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)
