"""Video probing and streaming decode (OpenCV or PyAV) with a background thread and a bounded queue."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from core.errors import InputError

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv")
_DEFAULT_FPS = 30.0


@dataclass(frozen=True)
class VideoInfo:
    """Decoded (display-oriented) frame size in px, nominal rate in Hz, frame count and rotation (deg)."""

    width: int
    height: int
    fps: float
    n_frames: int
    rotation_deg: int
    fps_from_metadata: bool

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class Frame:
    """One decoded frame: index in the video, timestamp (s), BGR image (H, W, 3) uint8, scale = out/in px."""

    index: int
    time_s: float
    image: np.ndarray
    scale: float


def _open_capture(path: Path):  # noqa: ANN202 - cv2 type
    import cv2

    if not path.exists():
        raise InputError("file not found", path)
    if path.is_dir():
        raise InputError("is a folder, not a video", path)
    if path.stat().st_size == 0:
        raise InputError("file is empty (0 bytes)", path)
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise InputError("not a readable video (unknown or corrupt format)", path)
    return cap


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's metadata, and decode its first frame to prove it has a video stream."""
    import cv2

    path = Path(path)
    cap = _open_capture(path)
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise InputError("contains no decodable video frames (audio-only, truncated or corrupt)", path)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        n_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0)
        height, width = frame.shape[:2]
    finally:
        cap.release()
    valid_fps = np.isfinite(fps) and 1.0 <= fps <= 1000.0
    return VideoInfo(
        width=width,
        height=height,
        fps=fps if valid_fps else _DEFAULT_FPS,
        n_frames=max(n_frames, 1),
        rotation_deg=rotation % 360,
        fps_from_metadata=bool(valid_fps),
    )


def _resize(image: np.ndarray, max_side_px: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = image.shape[:2]
    side = max(h, w)
    if max_side_px <= 0 or side <= max_side_px:
        return image, 1.0
    scale = max_side_px / side
    out = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return out, scale


def _iter_opencv(path: Path, start: int, stop: int, stride: int, max_side_px: int, fps: float) -> Iterator[Frame]:
    import cv2

    cap = _open_capture(path)
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
                t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
                t = t_ms / 1000.0 if t_ms and t_ms > 0 else index / fps
                if t <= last_t:
                    t = index / fps if index / fps > last_t else last_t + 1.0 / fps
                last_t = t
                image, scale = _resize(image, max_side_px)
                yield Frame(index, t, image, scale)
            elif not cap.grab():
                break
            index += 1
    finally:
        cap.release()


def _iter_pyav(path: Path, start: int, stop: int, stride: int, max_side_px: int, fps: float) -> Iterator[Frame]:
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InputError(f"not a readable video ({exc})", path) from exc
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if index >= stop:
                break
            if index < start or (index - start) % stride:
                continue
            w, h = frame.width, frame.height
            scale = 1.0
            if max_side_px > 0 and max(w, h) > max_side_px:
                scale = max_side_px / max(w, h)
                frame = frame.reformat(width=round(w * scale), height=round(h * scale))
            t = float(frame.time) if frame.time is not None else index / fps
            yield Frame(index, t, frame.to_ndarray(format="bgr24"), scale)
    finally:
        container.close()


def iter_frames(
    path: str | Path,
    start: int = 0,
    stop: int | None = None,
    stride: int = 1,
    max_side_px: int = 0,
    decoder: str = "opencv",
    queue_frames: int = 32,
    fps: float = _DEFAULT_FPS,
) -> Iterator[Frame]:
    """Decode frames ``[start, stop)`` keeping every ``stride``-th, in a background thread.

    At most ``queue_frames`` decoded frames are held in memory. Frames are downscaled so their
    longer side is at most ``max_side_px`` (0 = native size) as soon as they are decoded.
    """
    path = Path(path)
    stop = stop if stop is not None else 1 << 62
    source = _iter_pyav if decoder == "pyav" else _iter_opencv
    q: queue.Queue = queue.Queue(maxsize=max(1, queue_frames))
    done = object()
    stop_event = threading.Event()

    def produce() -> None:
        try:
            for frame in source(path, start, stop, stride, max_side_px, fps):
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
