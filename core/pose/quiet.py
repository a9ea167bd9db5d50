"""Native libraries (MediaPipe's graph, TFLite, LiteRT) announce themselves on file descriptor 2."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Hide native writes to fd 2 inside the block, unless GAIT_VERBOSE is set."""
    if os.environ.get("GAIT_VERBOSE"):
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
