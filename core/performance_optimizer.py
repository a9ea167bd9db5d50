"""Performance machinery the pipeline runs through.

- ``PerformanceMonitor``: per-stage wall/CPU time, frames/s, and the peak RSS of the whole process tree.
- ``IOOptimizer``: batched, compressed keypoint-store writes (one write call per batch).
- ``MemoryOptimizer``: turns ``--max-memory`` into a worker count, queue and chunk sizes, from a measured worker cost.
- ``ParallelProcessor`` (``core/process_pool.py``, re-exported here): a process pool (one MediaPipe graph per
  process) that returns results in submission order (``map_ordered``) or runs lanes of consecutive tasks and
  returns results as they complete (``run_lanes``).
- ``Timeline`` (``core/timeline.py``): the monitor's per-phase and per-process record of the run.
- ``MediaPipeOptimizer``: the model actually used and the segment plan for one video.
"""

from __future__ import annotations

import math
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import psutil

from core.config import Profile
from core.errors import MemoryBudgetError
from core.io.keypoint_store import KeypointBatch, KeypointStoreWriter
from core.process_pool import ParallelProcessor  # noqa: F401 - re-exported: the pool lives there
from core.segment_plan import (  # noqa: F401 - re-exported
    MediaPipeOptimizer,
    SegmentPlan,
    decode_weight,
    preroll_frames,
)
from core.timeline import Timeline, critical_path_lines

MB = 1024 * 1024


def tree_rss_bytes(root: psutil.Process | None = None) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    root = root or psutil.Process()
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def tree_cpu_seconds(root: psutil.Process | None = None) -> float:
    """User+system CPU seconds of a process, its live descendants and its reaped children."""
    root = root or psutil.Process()
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
            if proc is root:
                total += t.children_user + t.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


@dataclass
class StageStats:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    frames: int = 0

    def as_dict(self) -> dict[str, float]:
        fps = self.frames / self.wall_s if self.wall_s > 0 and self.frames else None
        cpu_util = self.cpu_s / self.wall_s if self.wall_s > 0 else None
        return {"wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3), "frames": self.frames,
                "frames_per_s": None if fps is None else round(fps, 2),
                "cpu_utilisation": None if cpu_util is None else round(cpu_util, 3)}


class PerformanceMonitor:
    """Records stages and samples the process tree's RSS (and, for the timeline, each process's CPU)
    in a background thread."""

    def __init__(self, sample_interval_s: float = 0.1) -> None:
        self.stages: dict[str, StageStats] = {}
        self.counters: dict[str, int] = {}
        self.sections: dict[str, Any] = {}  # further report sections, e.g. "executor"
        self.peak_rss_bytes = tree_rss_bytes()
        self._interval = sample_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-monitor", daemon=True)
        self._t0 = time.perf_counter()
        self.timeline = Timeline(t0=self._t0)
        self._root = psutil.Process()
        self._cpu0 = tree_cpu_seconds()
        self.timeline.sample(self._root)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak_rss_bytes = max(self.peak_rss_bytes, self.timeline.sample(self._root))

    @contextmanager
    def stage(self, name: str, frames: int = 0) -> Iterator[StageStats]:
        """Time a stage; the caller may add to ``stats.frames`` inside the block."""
        stats = self.stages.setdefault(name, StageStats())
        t0, c0 = time.perf_counter(), tree_cpu_seconds()
        stats.frames += frames
        try:
            yield stats
        finally:
            wall, cpu = time.perf_counter() - t0, tree_cpu_seconds() - c0
            stats.wall_s += wall
            stats.cpu_s += cpu
            self.timeline.mark(name, t0 - self._t0, t0 - self._t0 + wall, cpu)
            self.peak_rss_bytes = max(self.peak_rss_bytes, tree_rss_bytes())

    @contextmanager
    def span(self, name: str) -> Iterator[None]:
        """Time a block for the timeline only (not a stage of the report's table)."""
        t0, c0 = time.perf_counter(), tree_cpu_seconds()
        try:
            yield
        finally:
            self.timeline.mark(name, t0 - self._t0, time.perf_counter() - self._t0, tree_cpu_seconds() - c0)

    def add(self, name: str, wall_s: float, cpu_s: float, frames: int = 0, ended_now: bool = False) -> None:
        """Add measured time to a stage that is not a single block (e.g. interleaved with others);
        ``ended_now``: the time was this process's last ``wall_s`` seconds (a timeline span)."""
        stats = self.stages.setdefault(name, StageStats())
        stats.wall_s += wall_s
        stats.cpu_s += cpu_s
        stats.frames += frames
        if ended_now:
            end = self.timeline.now()
            self.timeline.mark(name, end - wall_s, end, cpu_s)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n

    def report(self) -> dict[str, Any]:
        self.peak_rss_bytes = max(self.peak_rss_bytes, tree_rss_bytes())
        wall = time.perf_counter() - self._t0
        return {
            "total_wall_s": round(wall, 3),
            "total_cpu_s": round(tree_cpu_seconds() - self._cpu0, 3),
            "cpu_count": os.cpu_count(),
            "peak_rss_mb": round(self.peak_rss_bytes / MB, 1),
            "stages": {k: v.as_dict() for k, v in self.stages.items()},
            "counters": dict(self.counters),
            "timeline": self.timeline.report(os.cpu_count() or 1),
            **self.sections,
        }

    def table(self) -> str:
        return format_performance_table(self.report())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)


def format_performance_table(report: dict[str, Any]) -> str:
    """A short text table of a ``PerformanceMonitor.report()``."""
    lines = [f"{'stage':<12}{'wall s':>9}{'cpu s':>9}{'frames':>9}{'fps':>9}"]
    for name, s in report["stages"].items():
        fps = "" if s["frames_per_s"] is None else f"{s['frames_per_s']:.1f}"
        lines.append(f"{name:<12}{s['wall_s']:>9.2f}{s['cpu_s']:>9.2f}{s['frames']:>9}{fps:>9}")
    lines.append(f"peak RSS (process tree): {report['peak_rss_mb']:.0f} MB; total wall {report['total_wall_s']:.1f} s")
    if report.get("timeline"):  # the critical path only; phases and processes are in performance_report.json
        lines += critical_path_lines(report["timeline"])
    return "\n".join(lines)


class IOOptimizer:
    """Regroups incoming frames into fixed-size batches and writes each batch with one call."""

    def __init__(self, writer: KeypointStoreWriter, batch_frames: int, monitor: PerformanceMonitor | None = None):
        self.writer = writer
        self.batch_frames = batch_frames
        self.monitor = monitor
        self._pending: list[KeypointBatch] = []
        self._n_pending = 0

    def add(self, batch: KeypointBatch) -> None:
        self._pending.append(batch)
        self._n_pending += len(batch)
        while self._n_pending >= self.batch_frames:
            merged = KeypointBatch.concat(self._pending)
            self._write(merged.slice(0, self.batch_frames))
            rest = merged.slice(self.batch_frames, len(merged))
            self._pending, self._n_pending = ([rest] if len(rest) else []), len(rest)

    def flush(self) -> None:
        if self._n_pending:
            self._write(KeypointBatch.concat(self._pending))
        self._pending, self._n_pending = [], 0

    def _write(self, batch: KeypointBatch) -> None:
        self.writer.append(batch)
        if self.monitor:
            self.monitor.count("store_write_calls")
            self.monitor.count("frames_stored", len(batch))


@dataclass(frozen=True)
class MemoryPlan:
    """Workers and decoded-frame queue length per worker."""

    workers: int
    queue_frames: int
    worker_mb: float
    base_mb: float
    budget_mb: int
    reason: str


class MemoryOptimizer:
    """Fits the process tree into ``max_memory_mb`` from measured costs."""

    def __init__(self, profile: Profile, cores: int | None = None) -> None:
        self.profile = profile
        self.cores = cores or os.cpu_count() or 1

    def plan(self, worker_mb: float, base_mb: float, frame_mb: float, requested_workers: int = 0) -> MemoryPlan:
        """Pick workers and queue sizes. ``worker_mb``: measured RSS of one pose worker;
        ``base_mb``: the main process; ``frame_mb``: one decoded frame. Raises if one worker does not fit."""
        mem = self.profile.memory
        want = requested_workers or self.profile.parallel.workers or self.cores
        queue = max(2, min(mem.queue_frames, int(mem.queue_max_mb // max(frame_mb, 1e-6))))
        budget = mem.max_memory_mb
        if budget <= 0:
            return MemoryPlan(want, queue, worker_mb, base_mb, 0, "no memory budget")
        margin_mb = 0.10 * budget
        avail = budget - base_mb - margin_mb
        per_worker = worker_mb + queue * frame_mb
        if avail < per_worker:
            queue = max(2, int((avail - worker_mb) // max(frame_mb, 1e-6)))
            per_worker = worker_mb + queue * frame_mb
        if avail < per_worker:
            raise MemoryBudgetError(
                f"--max-memory {budget} MB cannot fit one pose worker: it needs about {per_worker:.0f} MB "
                f"plus {base_mb:.0f} MB for the main process (measured); raise --max-memory to at least "
                f"{math.ceil((base_mb + per_worker) / 0.9)}"
            )
        workers = max(1, min(want, int(avail // per_worker)))
        reason = f"{workers} worker(s) x {per_worker:.0f} MB + main {base_mb:.0f} MB within {budget} MB (10% margin)"
        return MemoryPlan(workers, queue, worker_mb, base_mb, budget, reason)
