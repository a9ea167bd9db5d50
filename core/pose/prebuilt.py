"""Imported by the pose workers' fork server (``core.pose.extractor.worker_modules``): builds the LiteRT
models that ``PREBUILT_ENV`` names (``core.pose.litert_runner.shared_model``, one thread each), so that every
worker forked from there starts with them built instead of building its own (about 0.09 s of CPU less
per run of two workers; docs/README_Performance_Optimization.md, "Session 12"). One LiteRT thread per
model starts no thread, so forking after the build is safe. Without the variable (any other process) it
builds nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

PREBUILT_ENV = "GAIT_PREBUILT_MODELS"


def prebuilt_env(paths: Iterable[Path]) -> dict[str, str]:
    """The fork server's environment that has it build the models at ``paths``."""
    return {PREBUILT_ENV: os.pathsep.join(str(p) for p in paths)}


def build_named() -> int:
    """Build the models ``PREBUILT_ENV`` names in this process; how many were built. A model that cannot
    be built is left to the workers, which build it themselves and report why it fails."""
    from core.pose.litert_runner import shared_model

    built = 0
    for path in filter(None, os.environ.get(PREBUILT_ENV, "").split(os.pathsep)):
        try:
            shared_model(Path(path), 1)
            built += 1
        except Exception:  # noqa: BLE001 - the fork server must start; the worker reports the error
            pass
    return built


build_named()
