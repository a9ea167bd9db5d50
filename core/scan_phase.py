"""The person finder's scan phase of a run: every video's scan, cut into frame ranges that run in
parallel on the run's executor (the local pool or a Dask cluster), before any pose lane starts.

The glance before it (``core.pose.glance``) runs there too, in runs of its frames, until one sees two people.
A video's scan is cut into one range per worker (``core.pose.follow.scan_tasks``); any cut gives
the same tracks, walker and crop as a scan of the whole video in one pass. Each range decodes only
its scan frames and what they need (``core.pose.frame_select``).
"""

from __future__ import annotations

from typing import Any, Iterator

from core.errors import GaitToolError
from core.executors import TaskExecutor
from core.performance_optimizer import PerformanceMonitor
from core.pose.follow import ScanPart, ScanTask, plan_follow, scan_part
from core.pose.follow_path import FollowPath
from core.pose.glance import GlancePart, GlanceTask, glance_part
from core.pose.roi import Roi


def scan_phase(jobs: list[Any], processor: TaskExecutor,
               monitor: PerformanceMonitor) -> dict[int, FollowPath | None | GaitToolError]:
    """``{id(job): crop path, None (no scan, or nobody seen) or the job's error}`` for ``jobs``
    (``core.mediapipe_integration.ExtractionJob``), timed as the monitor's "scan" stage. The workers
    are started first, as the "workers" stage: their set-up (the pose library's import) is the pose
    lanes' cost, not the finder's, as when no scan runs."""
    out: dict[int, FollowPath | None | GaitToolError] = {}
    if any(job.settings.get("person", "frame") != "frame" for job in jobs):
        with monitor.stage("workers"):
            for _ in processor.run_lanes(_ready, [[k] for k in range(processor.workers)], keep_workers=True):
                pass
    with monitor.stage("scan") as stats:
        for job in jobs:
            mode = job.settings.get("person", "frame")
            if mode == "frame":
                out[id(job)] = None
                continue
            roi = None if job.settings["roi"] is None else Roi(**job.settings["roi"])
            try:
                out[id(job)] = plan_follow(
                    job.video, job.out_dir, job.info.n_frames, job.info.fps, job.info.width, job.info.height, mode,
                    roi, reuse=job.frames_done > 0, parts=processor.workers,
                    run_parts=lambda tasks, j=job: _run_parts(processor, j, tasks),
                    run_glance=lambda tasks, j=job: _glance_parts(processor, j, tasks),
                    skip_loop_filter=bool(job.settings["pose"]["skip_loop_filter"]),
                    every_s=float(job.settings["pose"]["scan_every_s"]))
            except GaitToolError as exc:
                out[id(job)] = exc
            stats.frames += job.info.n_frames
    return out


def _run_parts(processor: TaskExecutor, job: Any, tasks: list[ScanTask]) -> list[ScanPart]:
    """The scan tasks run as lanes of one task each (as many at once as there are workers); parts in
    video order. The workers stay up for the pose lanes that follow (no second start-up)."""
    done = {task.start: part for task, part in _as_done(processor, job, tasks)}
    return [done[t.start] for t in tasks]


def _glance_parts(processor: TaskExecutor, job: Any, tasks: list[GlanceTask]) -> Iterator[GlancePart]:
    """The glance's parts as they complete; closed early, it stops the lanes from submitting more."""
    done = _as_done(processor, job, tasks)
    try:
        for _, part in done:
            yield part
    finally:
        done.close()


def _as_done(processor: TaskExecutor, job: Any, tasks: list[Any]) -> Iterator[tuple[Any, Any]]:
    """``(task, its part)`` for each scan or glance task, run as lanes of one task each, as they
    complete (closed early, it submits no more). The workers stay up for the lanes that follow."""
    for (_, task), part in processor.run_lanes(_finder_task, [[(job, t)] for t in tasks], keep_workers=True):
        if isinstance(part, str):
            raise GaitToolError(part, job.video)
        yield task, part


def _ready(item: int) -> int:
    """Worker entry point that does nothing: the worker process is up and set up."""
    return item


def _finder_task(item: tuple[Any, ScanTask | GlanceTask]) -> ScanPart | GlancePart | str:
    """Worker entry point: one range's scan or one run of glances, or the error message (so one bad video
    cannot stop the pool)."""
    task = item[1]
    try:
        return glance_part(task) if isinstance(task, GlanceTask) else scan_part(task)
    except GaitToolError as exc:
        return exc.reason
    except Exception as exc:  # decoder and detector failures arrive as many types
        return f"person finder failed: {exc}"
