"""The pipeline's stages, each a plain function: video extraction (each input's analysis is
``usecases.gait_analysis.analyse``), TCN, run reports."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from core.config import Profile
from core.errors import GaitToolError
from core.performance_optimizer import MemoryOptimizer, PerformanceMonitor
from usecases.gait_analysis.config import PipelineConfig
from usecases.gait_analysis.analyse import analyse_job, analyse_keypoint_job, video_notes
from usecases.gait_analysis.results import Analysis, Guard, PipelineResults, error_reason

if TYPE_CHECKING:
    from core.executors import Handle

    Pending = tuple[Path, str, Path, Handle]  # an input's analysis still running: source, kind, folder

log = logging.getLogger("gait_analysis")

def effective_profile(cfg: PipelineConfig) -> Profile:
    """``--no-optimizations``: one in-process worker, every frame, native resolution, full decoding."""
    p = cfg.profile
    if not cfg.no_optimizations:
        return p
    return replace(
        p,
        pose=replace(p.pose, frame_stride=1, max_side_px=0, skip_loop_filter=False),
        parallel=replace(p.parallel, workers=1),
    )


def run_videos(
    cfg: PipelineConfig,
    monitor: PerformanceMonitor,
    paths: list[Path],
    folders: dict[Path, Path],
    guard: Guard,
    results: PipelineResults,
    keypoints: Sequence[Path] = (),
) -> None:
    """Extract pose for every video through one executor (local pool or Dask cluster), then analyse
    each on it as its store is complete. Only this process writes the stores and run reports.
    ``keypoints``: keypoint files to analyse on the same executor (the pipeline gives them only with
    ``--scheduler``; otherwise it analyses them in this process after the videos)."""
    from core.executors import open_executor
    from core.mediapipe_integration import extract_jobs, restarted
    from core.pose.extractor import warm_pose, worker_env, worker_modules
    from usecases.gait_analysis.progress import ProgressBars, result_frames

    profile = effective_profile(cfg)
    model = _resolve_model(cfg, results, profile) if paths else None
    # Without a memory budget the worker count does not depend on the videos: the workers start (and
    # load the model) while this process probes the videos and glances at them.
    early = bool(paths) and profile.memory.max_memory_mb <= 0
    jobs: list[Any] = []
    if paths and not early:
        jobs = _prepare_jobs(cfg, monitor, paths, folders, guard, profile, model)
        if not jobs and not keypoints:
            return
    elif not paths and not keypoints:
        return
    workers, queue_frames = profile.parallel.workers or os.cpu_count() or 1, profile.memory.queue_frames
    if jobs:
        workers, queue_frames = _memory_plan(cfg, monitor, results, profile, jobs)
    # The workers fork from one process that imported the pose runtime once (this one on Linux, else a fork
    # server); not under a memory budget, whose plan counts a fresh worker's measured size per worker.
    # That process also builds the LiteRT models they use, once (core.pose.prebuilt).
    preload = worker_modules(profile.pose.engine) if early else ()
    preload_env = worker_env(profile.pose.engine, model.used) if early else {}
    with ProgressBars(cfg, jobs, workers) as bars, _TimedExit(monitor, "shutdown", open_executor(
        cfg.scheduler, workers, profile.parallel.segments_per_worker, on_result=bars.on_result,
        count=result_frames, preload=preload, preload_env=preload_env, **bars.pool_args
    )) as executor:
        if early:
            executor.warm(warm_pose, profile.pose, model.used, cfg.roi)
            jobs = _prepare_jobs(cfg, monitor, paths, folders, guard, profile, model)
            bars.track(jobs)
            if jobs:
                queue_frames = _memory_plan(cfg, monitor, results, profile, jobs)[1]
        unseen = executor.unreachable_inputs([j.video for j in jobs] + list(keypoints))
        for job in (j for j in jobs if j.video in unseen):
            guard.fail(job.video, "video", job.out_dir, unseen[job.video])
        pending: list[Pending] = []
        for path in keypoints:
            if path in unseen:
                guard.fail(path, "keypoints", folders[path], unseen[path])
            else:
                pending.append((path, "keypoints", folders[path],
                                executor.submit(analyse_keypoint_job, cfg, path, folders[path])))
        todo = [j for j in jobs if j.video not in unseen]
        for second_look in (False, True):  # a whole-frame store that followed someone else: once more, scanned
            redo = []
            for job, error in extract_jobs(todo, profile, executor, monitor, queue_frames):
                bars.close(job)
                why = "" if error is not None or second_look else _whole_frame_overruled(job)
                if why:
                    redo.append(restarted(job, f"{why}: extracting again with the person finder's scan and crop"))
                    log.warning("%s: %s", job.video, redo[-1].message)
                elif error is not None:
                    guard.fail(job.video, "video", job.out_dir, error_reason(error, job.video))
                elif cfg.extract_only:
                    guard.run(job.video, "video", job.out_dir, lambda j=job: Analysis(
                        {"model_used": model.used_name}, video_notes(j)))
                else:
                    pending.append((job.video, "video", job.out_dir,
                                    executor.submit(analyse_job, cfg, job, profile, model.used_name)))
                pending = _collect(pending, monitor, guard, wait=False)
            if not redo:
                break
            bars.track(redo)
            todo = redo
        _collect(pending, monitor, guard, wait=True)
        monitor.counters["workers"] = executor.workers
        monitor.sections["executor"] = executor.report()


def _whole_frame_overruled(job: Any) -> str:
    """Why ``job``'s finished whole-frame store is someone else's poses ('' when it is not:
    ``person_guard.glance_overruled``); a store that cannot be read is left to the analysis to report."""
    from usecases.gait_analysis.person_guard import glance_overruled

    if job.settings.get("person", "auto") != "auto":
        return ""
    try:
        return glance_overruled(job.store_path, job.out_dir)
    except (OSError, ValueError):
        return ""


class _TimedExit:
    """A context manager whose exit (e.g. an executor's shutdown) is a span of the run's timeline."""

    def __init__(self, monitor: PerformanceMonitor, name: str, inner: Any) -> None:
        self.monitor, self.name, self.inner = monitor, name, inner

    def __enter__(self) -> Any:
        return self.inner.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        with self.monitor.span(self.name):
            return self.inner.__exit__(*exc)


def _resolve_model(cfg: PipelineConfig, results: PipelineResults, profile: Profile) -> Any:
    """The model to use (a missing one is a run-level error: exit 2), its fallback note said once."""
    from core.pose.models import resolve_model

    model = resolve_model(profile.pose.model_complexity, cfg.strict_models)
    if model.note:
        from core.io.notices import first_time

        # Once per user: the model actually used is recorded in every output (model_used).
        shown_before = not first_time(f"model-fallback-{model.requested}-{model.used}")
        log.log(logging.DEBUG if shown_before else logging.WARNING, "%s%s", model.note,
                "" if shown_before else " (said once; the model used is recorded in the outputs as model_used)")
        results.messages.append(model.note)
    return model


def _memory_plan(cfg: PipelineConfig, monitor: PerformanceMonitor, results: PipelineResults, profile: Profile,
                 jobs: list[Any]) -> tuple[int, int]:
    """Workers and decode queue frames for ``jobs`` (MemoryBudgetError is a run-level error: exit 2)."""
    plan = plan_memory(cfg, profile, jobs)
    results.messages.append(f"memory plan: {plan.reason}")
    monitor.counters["decode_queue_mb"] = max(_queue_mb(j, profile, plan.queue_frames) for j in jobs)
    return plan.workers, plan.queue_frames


def _collect(pending: list[Pending], monitor: PerformanceMonitor, guard: Guard, wait: bool) -> list[Pending]:
    """Report the analyses that are done (all of them when ``wait``); returns those still running."""
    left = []
    for source, kind, folder, handle in pending:
        if wait or handle.done():
            guard.run(source, kind, folder, lambda h=handle: _merge_stages(monitor, *h.result()))
        else:
            left.append((source, kind, folder, handle))
    return left


def _merge_stages(monitor: PerformanceMonitor, analysis: Analysis, stages: dict[str, dict]) -> Analysis:
    for name, s in stages.items():
        monitor.add(name, s["wall_s"], s["cpu_s"], s["frames"])
    return analysis


def _queue_mb(job: Any, profile: Profile, queue_frames: int) -> int:
    """MB of decoded frames one worker may hold for ``job`` (rounded up)."""
    from core.mediapipe_integration import decode_queue_frames, frame_mb

    return int(np.ceil(decode_queue_frames(job.info, profile, queue_frames) * frame_mb(job.info, profile)))


def _prepare_jobs(
    cfg: PipelineConfig, monitor: PerformanceMonitor, paths: list[Path], folders: dict[Path, Path],
    guard: Guard, profile: Profile, model: Any,
) -> list[Any]:
    """Probe every video and plan its extraction; a video that cannot be read fails alone."""
    from core.mediapipe_integration import prepare_job

    jobs = []
    with monitor.stage("probe"):
        for p in paths:
            try:
                job = prepare_job(p, folders[p], profile, model, cfg.roi, cfg.person)
            except (GaitToolError, OSError) as exc:
                guard.fail(p, "video", folders[p], error_reason(exc, p))
                continue
            if job.message:
                log.info("%s: %s", p, job.message)
            if job.info.note:
                log.warning("%s: %s", p, job.info.note)
            jobs.append(job)
    return jobs


def plan_memory(cfg: PipelineConfig, profile: Profile, jobs: list[Any]) -> Any:
    """Measure one worker when a budget is set, then size workers and queues to fit the largest video."""
    from core.mediapipe_integration import frame_mb
    from core.performance_optimizer import MB, tree_rss_bytes

    opt = MemoryOptimizer(profile)
    job = max(jobs, key=lambda j: j.info.width * j.info.height)
    worker_mb = 0.0
    if profile.memory.max_memory_mb > 0:
        from core.mediapipe_integration import measure_worker_mb

        worker_mb = measure_worker_mb(job, profile)
    return opt.plan(worker_mb, tree_rss_bytes() / MB, frame_mb(job.info, profile))


def run_tcn(cfg: PipelineConfig, monitor: PerformanceMonitor, results: PipelineResults, out: Path) -> dict | None:
    """TCN training or inference over the analysed inputs (see ``usecases.gait_analysis.tcn_stage``)."""
    from usecases.gait_analysis.tcn_stage import run_tcn_stage

    with monitor.stage("training"):
        return run_tcn_stage(cfg, results, out)


def write_run_reports(cfg: PipelineConfig, monitor: PerformanceMonitor, results: PipelineResults, out: Path) -> None:
    """summary.csv (every input of the run, with its status and reason), index.html (the same, linked to each
    input's report.html), failures.json,
    performance_report.json (with the profile, the inputs, the version and the files this run wrote)
    and the effective configuration."""
    from core.io.atomic import write_json
    from core.io.gait_outputs import write_summary_csv
    from core.io.inputs import OutputLock
    from core.io.report_html import write_index_html
    from core.io.run_files import files_written_since, project_version

    rows = [{"input": r.source, "kind": r.kind, "status": r.status, "reason": r.error or "", **r.summary}
            for r in results.inputs]
    write_summary_csv(out / "summary.csv", rows)
    entries = [{"input": r.source, "name": r.name, "kind": r.kind, "status": r.status, "reason": r.error,
                "summary": r.summary, "notes": r.notes, "output_dir": r.output_dir} for r in results.inputs]
    write_index_html(out, entries, since_epoch_s=results.started_epoch_s)
    failures = [{"input": r.source, "kind": r.kind, "error": r.error} for r in results.failures]
    write_json(out / "failures.json", failures)
    write_json(out / "effective_config.json", cfg.to_dict())
    report = monitor.report()
    report["counters"].pop("files_written", None)
    # + 1: this report itself; the clock of file times may lag the process clock by a tick
    written = files_written_since(out, results.started_epoch_s - 0.02,
                                  ignore=(OutputLock.NAME, "performance_report.json")) + 1
    results.performance = {
        "version": project_version(),
        "profile": cfg.profile.name,
        "config_file": str(cfg.config_path) if cfg.config_path else None,
        "inputs": [{"input": r.source, "kind": r.kind, "status": r.status} for r in results.inputs],
        "files_written": written,
        **report,
    }
    write_json(out / "performance_report.json", results.performance)
