"""Write BGR frames to an MP4 file (OpenCV; H.264 transcoding through PyAV), streaming (one frame in memory
at a time). Video writing is I/O: it lives here so that the synthetic generator never imports the
pose detector's room (cv2 and av are imported lazily, inside the functions)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from core.errors import GaitToolError

FOURCCS: tuple[str, ...] = ("avc1", "mp4v")  # H.264 when this OpenCV build has it, else MPEG-4 part 2
_LOG_SILENT = 0


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float, size: tuple[int, int],
                bitrate_bps: int = 0) -> int:
    """Write ``frames`` ((height, width, 3) uint8 BGR; ``size`` = (width, height)) to ``path``; return the count.

    bitrate_bps > 0 encodes H.264 with libx264 (PyAV) at that average bitrate, as a phone does;
    0 uses OpenCV's writer. Frames go to a temporary sibling file renamed into place once complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".mp4", dir=path.parent)
    os.close(fd)
    writer = None
    count = 0
    try:
        writer = _H264Writer(tmp, fps, size, bitrate_bps) if bitrate_bps > 0 else _open_writer(tmp, fps, size, path)
        for frame in frames:
            if frame.shape != (size[1], size[0], 3) or frame.dtype != np.uint8:
                raise GaitToolError(
                    f"frame {count} is {frame.shape} {frame.dtype}, expected ({size[1]}, {size[0]}, 3) uint8", path)
            writer.write(frame)
            count += 1
        writer.release()
        _make_readable(tmp)
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            writer.release()
        _unlink_quietly(tmp)
        raise
    return count


class _H264Writer:
    """libx264 through PyAV at a target bitrate (yuv420p, 1 s GOP), with OpenCV's write/release calls."""

    def __init__(self, tmp: str, fps: float, size: tuple[int, int], bitrate_bps: int) -> None:
        import av
        from fractions import Fraction

        self._av = av
        self.container = av.open(tmp, "w", format="mp4")
        rate = Fraction(fps).limit_denominator(1001)
        self.stream = self.container.add_stream("libx264", rate=rate)
        self.stream.width, self.stream.height, self.stream.pix_fmt = int(size[0]), int(size[1]), "yuv420p"
        self.stream.bit_rate = int(bitrate_bps)
        self.stream.options = {"preset": "veryfast", "g": str(max(1, round(fps)))}
        self.stream.codec_context.time_base = 1 / rate
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        video_frame = self._av.VideoFrame.from_ndarray(frame, format="bgr24").reformat(format="yuv420p")
        video_frame.pts, video_frame.time_base = self.count, self.stream.codec_context.time_base
        self.count += 1
        for packet in self.stream.encode(video_frame):
            self.container.mux(packet)

    def release(self) -> None:
        if self.container is None:
            return
        try:
            for packet in self.stream.encode(None):
                self.container.mux(packet)
        finally:
            self.container.close()
            self.container = None


def _open_writer(tmp: str, fps: float, size: tuple[int, int], path: Path) -> Any:
    import cv2

    level = cv2.getLogLevel()
    cv2.setLogLevel(_LOG_SILENT)  # a missing H.264 encoder is expected; fall back quietly
    try:
        for code in FOURCCS:
            writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*code), float(fps), (int(size[0]), int(size[1])))
            if writer.isOpened():
                return writer
            writer.release()
    finally:
        cv2.setLogLevel(level)
    raise GaitToolError(f"OpenCV cannot open an MP4 writer (tried {', '.join(FOURCCS)})", path)


def _make_readable(path: str) -> None:
    """mkstemp creates 0600 files; give the video the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def transcode_h264(src: str | Path, dst: str | Path, crf: int = 23, gop_frames: int = 60,
                   bitrate_mbit: float = 0.0, preset: str = "veryfast") -> int:
    """Re-encode ``src`` as H.264 (libx264 through PyAV, yuv420p, B-frames on) into ``dst``, as
    phone cameras record; returns the frame count. For measuring decode cost on that codec.
    ``bitrate_mbit`` > 0: that average bit rate (Mbit/s, as a phone records: about 12-16 at 1080p,
    40-50 at 4K) instead of the constant quality ``crf``."""
    import av

    dst = Path(dst)
    tmp = dst.with_name(f".{dst.stem}.tmp{dst.suffix or '.mp4'}")
    count = 0
    try:
        with av.open(str(src)) as inp, av.open(str(tmp), "w", format="mp4") as out:
            s_in = inp.streams.video[0]
            s_out = out.add_stream("libx264", rate=s_in.average_rate)
            s_out.width, s_out.height, s_out.pix_fmt = s_in.codec_context.width, s_in.codec_context.height, "yuv420p"
            options = {"preset": preset, "g": str(gop_frames)}
            if bitrate_mbit > 0:
                s_out.bit_rate = int(bitrate_mbit * 1e6)
                options.update(maxrate=str(int(1.3 * bitrate_mbit * 1e6)), bufsize=str(int(2 * bitrate_mbit * 1e6)))
            else:
                options["crf"] = str(crf)
            s_out.options = options
            s_out.codec_context.time_base = 1 / s_in.average_rate
            for frame in inp.decode(s_in):
                frame = frame.reformat(format="yuv420p")
                frame.pts, frame.time_base = count, s_out.codec_context.time_base
                for packet in s_out.encode(frame):
                    out.mux(packet)
                count += 1
            for packet in s_out.encode(None):
                out.mux(packet)
        os.replace(tmp, dst)
    except BaseException:
        _unlink_quietly(str(tmp))
        raise
    return count
