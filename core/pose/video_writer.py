"""Write BGR frames to an MP4 file with OpenCV, streaming (one frame in memory at a time)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

import numpy as np

from core.errors import GaitToolError

FOURCCS: tuple[str, ...] = ("avc1", "mp4v")  # H.264 when this OpenCV build has it, else MPEG-4 part 2


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float, size: tuple[int, int]) -> int:
    """Write ``frames`` ((height, width, 3) uint8 BGR, ``size`` = (width, height)) to ``path``; return the count.

    Writes to a temporary sibling file and renames it into place when complete.
    """
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".mp4", dir=path.parent)
    os.close(fd)
    writer = _open_writer(cv2, tmp, fps, size)
    count = 0
    try:
        for frame in frames:
            if frame.shape != (size[1], size[0], 3) or frame.dtype != np.uint8:
                raise GaitToolError(f"frame {count} is {frame.shape} {frame.dtype}, expected ({size[1]}, {size[0]}, 3) uint8",
                                    path)
            writer.write(frame)
            count += 1
        writer.release()
        os.replace(tmp, path)
    except BaseException:
        writer.release()
        _unlink_quietly(tmp)
        raise
    return count


def _open_writer(cv2, tmp: str, fps: float, size: tuple[int, int]):  # noqa: ANN001, ANN202 - cv2 is untyped
    for code in FOURCCS:
        writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*code), float(fps), (int(size[0]), int(size[1])))
        if writer.isOpened():
            return writer
        writer.release()
    _unlink_quietly(tmp)
    raise GaitToolError(f"OpenCV cannot open an MP4 writer (tried {', '.join(FOURCCS)})", tmp)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
