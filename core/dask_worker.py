"""The worker side of ``core.dask_executor``: what each Dask worker process runs around our calls.

Set-up once per process (the allocator as in a local pool worker, then the pool's initializer), the
checks the client asks for (library versions, which inputs this host can read), and ``_call``,
which wraps every call so that its own error is told apart from a lost worker, with the time and
memory it took.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
import time
from importlib import metadata
from typing import Any, Callable

START_TOPIC = "gait-call-start"
VERSIONED = ("gait-video", "numpy", "mediapipe", "opencv-contrib-python", "av", "dask", "distributed")
NANNY_MALLOC_ENV = "MALLOC_TRIM_THRESHOLD_"
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers
MMAP_THRESHOLD_BYTES = 32 * 2**20  # the ceiling of glibc's own dynamic mmap threshold (64-bit)
_initialised = False
_init_lock = threading.Lock()


def _library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that change results or the wire format."""
    import sys

    out = {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _readable(path: str) -> str | None:
    """None when this process can open ``path`` for reading, else why not."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _visible(paths: list[str]) -> tuple[str, dict[str, str | None]]:
    """Worker side: this host's name and, per path, why it cannot be read (None if it can)."""
    return socket.gethostname(), {p: _readable(p) for p in paths}


def _peak_rss_mb() -> float:
    """Peak resident memory of this worker process so far (MB; Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _restore_malloc() -> bool:
    """Worker side: undo what Dask's nanny does to glibc's allocator; True when changed.

    A nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_`` set (Dask's default), and glibc then also
    stops raising its mmap threshold above 128 kB: every decoded frame becomes a fresh mmap that is
    page-faulted in and unmapped again (1080p: 2500 page faults and 5 ms more CPU per frame than the
    local pool's workers, ``scripts/benchmark_distributed.py``). Set both thresholds where glibc's
    dynamic rule would take them for large frames."""
    if NANNY_MALLOC_ENV not in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: nothing to undo
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD_BYTES))


def _setup_worker(initializer: Callable[[], None] | None) -> None:
    """Worker side, once per process: the allocator as in a local pool worker, then ``initializer``."""
    global _initialised
    with _init_lock:
        if _initialised:
            return
        _restore_malloc()
        if initializer is not None:
            initializer()
        _initialised = True


def _warm(initializer: Callable[[], None] | None) -> float:
    """Worker side: set the process up before its first task (seconds it took)."""
    t0 = time.perf_counter()
    _setup_worker(initializer)
    return time.perf_counter() - t0


def _call(initializer: Callable[[], None] | None, call_id: str, fn: Callable[..., Any], args: tuple) -> tuple:
    """Worker side: run ``fn(*args)`` once the process is set up; returns ``(ok, value, meta)`` so
    that a call's own error is told apart from a lost worker or scheduler."""
    from distributed import get_worker

    worker = get_worker()
    _setup_worker(initializer)
    worker.log_event(START_TOPIC, {"id": call_id, "t": time.time()})
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        ok, value = True, fn(*args)
    except Exception as exc:  # noqa: BLE001 - re-raised in the client
        ok, value = False, exc
    meta = {"worker": worker.address, "host": socket.gethostname(), "wall_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - c0, "end": time.time(), "peak_rss_mb": _peak_rss_mb()}
    return ok, value, meta
