"""Imported by the process the pose workers are forked from (``core.pose.extractor.worker_modules``, through
``core.process_pool``: the main process on Linux, a fork server elsewhere): builds the LiteRT models that
``PREBUILT_ENV`` names (``core.pose.litert_runner.shared_model``, one thread each), so that every worker
forked from there starts with them built instead of building its own (about 0.09 s of CPU less per run of
two workers; docs/README_Performance_Optimization.md, "Session 12"). One LiteRT thread per model starts no
thread, so forking after the build is safe. There OpenCV is also set to one thread before anything uses it:
its thread pool does not survive a fork (a forked child that uses it hangs). Without the variable (any
other process) it does nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.pose.litert_runner import PREBUILT_ENV


def build_named() -> int:
    """Build the models ``PREBUILT_ENV`` names in this process (and keep OpenCV on one thread, as the
    workers forked from it run it); how many were built. A model that cannot be built is left to the
    workers, which build it themselves and report why it fails."""
    from core.pose.litert_runner import shared_model

    paths = [p for p in os.environ.get(PREBUILT_ENV, "").split(os.pathsep) if p]
    if not paths:
        return 0
    import cv2

    cv2.setNumThreads(1)
    built = 0
    for path in paths:
        try:
            shared_model(Path(path), 1)
            built += 1
        except Exception:  # noqa: BLE001 - the workers' parent must go on; the worker reports the error
            pass
    return built


build_named()
