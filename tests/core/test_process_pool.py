"""The pool's fork server: workers start with the preloaded modules, and closing the pool reaps it."""

from __future__ import annotations

import os
import sys

import psutil

from core.process_pool import ParallelProcessor

PRELOADED = "colorsys"  # a module nothing else here imports


def _loaded_and_pid(_: int) -> tuple[bool, int]:
    return PRELOADED in sys.modules, os.getpid()


def _forkservers() -> list[psutil.Process]:
    return [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]


def test_preloaded_modules_are_in_the_workers_before_any_task():
    with ParallelProcessor(2, preload=(PRELOADED,)) as proc:
        out = [r for _, r in proc.run_lanes(_loaded_and_pid, [[0], [1]])]
    assert all(loaded for loaded, _ in out)
    assert all(pid != os.getpid() for _, pid in out)


def test_without_preload_workers_are_fresh_interpreters():
    with ParallelProcessor(2) as proc:
        out = [r for _, r in proc.run_lanes(_loaded_and_pid, [[0], [1]])]
    assert not any(loaded for loaded, _ in out)


def test_closing_the_pool_stops_and_reaps_the_fork_server():
    proc = ParallelProcessor(2, preload=(PRELOADED,))
    list(proc.run_lanes(_loaded_and_pid, [[0], [1]], keep_workers=True))
    assert _forkservers()  # it serves the pool
    proc.close()
    assert not _forkservers()  # waited for: its CPU and its workers' count in this process's rusage
