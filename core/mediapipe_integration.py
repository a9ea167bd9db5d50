"""Video -> keypoint store: resumable, segment-parallel MediaPipe extraction for many videos."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import BrokenExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from core.config import Profile
from core.errors import GaitToolError
from core.executors import TaskExecutor
from core.io.keypoint_store import (
    MANIFEST_NAME,
    STORE_NAME,
    KeypointBatch,
    KeypointStoreWriter,
    read_manifest,
    resume_point,
    source_fingerprint,
    write_manifest,
)
from core.performance_optimizer import (
    MB,
    IOOptimizer,
    MediaPipeOptimizer,
    PerformanceMonitor,
    tree_cpu_seconds,
)
from core.pose.extractor import SegmentTask, extract_segment, worker_init
from core.pose.models import ModelChoice
from core.pose.roi import Roi
from core.pose.video import VideoInfo, probe_video

log = logging.getLogger(__name__)

WORKER_DIED = ("a pose worker process died (killed, or out of memory: try --max-memory or fewer --workers); "
               "the frames stored so far are kept and a rerun resumes from them")


@dataclass(frozen=True)
class ExtractionJob:
    """One video to extract into ``out_dir``; ``resume_frame`` is the first frame still to do.

    ``n_frames_announced``: the frame count in the video's metadata (more than were decoded when the
    file is truncated)."""

    video: Path
    out_dir: Path
    info: VideoInfo
    settings: dict
    source: dict
    resume_frame: int
    resume_offset: int
    frames_done: int
    message: str
    n_frames_announced: int = 0

    @property
    def store_path(self) -> Path:
        return self.out_dir / STORE_NAME

    @property
    def complete(self) -> bool:
        return self.resume_frame >= self.info.n_frames


def extraction_settings(profile: Profile, model: ModelChoice, roi: Roi | None) -> dict:
    """Everything that changes the stored landmarks; a change forces a fresh extraction."""
    return {
        "profile": profile.name,
        "pose": asdict(profile.pose),
        "model_requested": model.requested,
        "model_used": model.used_name,
        "model_complexity_used": model.used,
        "roi": None if roi is None else asdict(roi),
    }


def prepare_job(video: Path, out_dir: Path, profile: Profile, model: ModelChoice, roi: Roi | None) -> ExtractionJob:
    """Probe the video and decide whether to reuse, resume or restart its store."""
    info = probe_video(video)
    settings = extraction_settings(profile, model, roi)
    source = source_fingerprint(video)
    manifest = read_manifest(out_dir)
    store = out_dir / STORE_NAME

    def fresh(message: str) -> ExtractionJob:
        return ExtractionJob(video, out_dir, info, settings, source, 0, 0, 0, message, info.n_frames)

    if manifest is None:
        return fresh("" if not (out_dir / MANIFEST_NAME).exists() else "keypoint manifest unreadable; rebuilding the store")
    if manifest.get("source") != source or manifest.get("settings") != settings:
        return fresh(f"{'video' if manifest.get('source') != source else 'settings'} changed; starting over")
    if not store.exists():
        return fresh("keypoint store missing; extracting again")
    try:
        n_done, last, offset = resume_point(store)
    except OSError as exc:
        return fresh(f"keypoint store unreadable ({exc.strerror or exc}); rebuilding")
    if n_done == 0:
        return fresh("keypoint store unreadable; rebuilding" if store.stat().st_size > 0 else "")
    announced = int(manifest.get("n_frames_metadata") or info.n_frames)
    n_frames = manifest.get("n_frames_final") or info.n_frames
    info = replace(info, n_frames=n_frames)
    nxt = last + profile.pose.frame_stride
    if nxt >= n_frames:
        msg = "keypoints already extracted; reusing them"
    elif manifest.get("complete"):
        msg = f"keypoint store damaged after frame {last}; extracting the rest again"
    else:
        msg = f"resuming after frame {last}"
    return ExtractionJob(video, out_dir, info, settings, source, nxt, offset, n_done, msg, announced)


def _manifest(job: ExtractionJob, complete: bool, n_stored: int, last_frame: int) -> dict:
    return {
        "source": job.source,
        "settings": job.settings,
        "fps": job.info.fps,
        "fps_from_metadata": job.info.fps_from_metadata,
        "width": job.info.width,
        "height": job.info.height,
        "rotation_deg": job.info.rotation_deg,
        "n_frames_metadata": job.n_frames_announced or job.info.n_frames,
        "n_frames_final": (last_frame + 1) if complete else None,
        "n_records": n_stored,
        "complete": complete,
        "store": STORE_NAME,
    }


def frame_mb(info: VideoInfo, profile: Profile) -> float:
    """MB of one decoded frame of this video once downscaled to ``pose.max_side_px``."""
    side = max(info.width, info.height, 1)
    scale = 1.0 if profile.pose.max_side_px <= 0 else min(1.0, profile.pose.max_side_px / side)
    return info.width * info.height * 3 * scale * scale / MB


def decode_queue_frames(info: VideoInfo, profile: Profile, queue_frames: int) -> int:
    """``queue_frames``, lowered so one worker's queue of decoded frames of this video stays within
    ``memory.queue_max_mb`` (a 4K frame is 24 MB); at least 2."""
    return max(2, min(queue_frames, int(profile.memory.queue_max_mb // max(frame_mb(info, profile), 1e-6))))


def _tasks(job: ExtractionJob, profile: Profile, workers: int, queue_frames: int) -> list[SegmentTask]:
    plan = MediaPipeOptimizer(profile).segment_plan(job.resume_frame, job.info.n_frames, workers)
    queue_frames = decode_queue_frames(job.info, profile, queue_frames)
    threads = decode_threads(workers)
    tasks = []
    for i, (start, stop, warm) in enumerate(plan.segments):
        last = i == len(plan.segments) - 1
        tasks.append(
            SegmentTask(
                video_path=str(job.video),
                start=start,
                stop=(1 << 62) if last else stop,
                warmup_start=warm,
                pose=profile.pose,
                model_complexity=job.settings["model_complexity_used"],
                roi=None if job.settings["roi"] is None else Roi(**job.settings["roi"]),
                batch_frames=profile.io.batch_frames,
                decoder=profile.parallel.decoder,
                queue_frames=queue_frames,
                fps=job.info.fps,
                decode_threads=threads,
            )
        )
    return tasks


def decode_threads(workers: int, cores: int | None = None) -> int:
    """Decoder threads per pose worker: the library's choice (0) for a single worker, else the
    cores left per worker. With one worker per core, FFmpeg's default of one decoding thread per
    core only adds hand-over cost (CPU ms per frame for both settings: the decoder table of
    ``scripts/benchmark_performance.py``)."""
    if workers <= 1:
        return 0
    return max(1, (cores or os.cpu_count() or 1) // workers)


def extract_jobs(
    jobs: Iterable[ExtractionJob],
    profile: Profile,
    processor: TaskExecutor,
    monitor: PerformanceMonitor,
    queue_frames: int,
) -> Iterator[tuple[ExtractionJob, BaseException | None]]:
    """Extract every job's remaining frames; yields each job when its store is final (or failed).

    Segments of all videos go through one pool, in order, so the pool stays busy across videos.
    """
    jobs = list(jobs)
    states = {id(j): _JobState(j, profile, monitor) for j in jobs if not j.complete}
    for job in jobs:
        if job.complete:
            yield job, None
    failed: set[int] = set()
    finished: set[int] = set()
    open_errors: list[tuple[ExtractionJob, BaseException]] = []

    def all_tasks() -> Iterator[tuple[ExtractionJob, SegmentTask]]:
        for job in jobs:
            if job.complete:
                continue
            st = states[id(job)]
            tasks = _tasks(job, profile, processor.workers, queue_frames)
            st.pending = len(tasks)  # all counted before any result, so a job never finishes early
            try:
                st.open()
            except (OSError, GaitToolError) as exc:
                failed.add(id(job))
                open_errors.append((job, store_error(job, exc)))
                continue
            for task in tasks:
                yield job, task

    def drain_open_errors() -> Iterator[tuple[ExtractionJob, BaseException]]:
        while open_errors:
            yield open_errors.pop(0)

    try:
        t0, c0 = time.perf_counter(), tree_cpu_seconds()
        for (job, _), outcome in processor.map_ordered(_run_task, all_tasks()):
            yield from drain_open_errors()
            st = states[id(job)]
            st.pending -= 1
            if id(job) in failed:
                continue
            if isinstance(outcome, str):
                failed.add(id(job))
                st.abort()
                yield job, GaitToolError(outcome)
                continue
            monitor.add("pose", time.perf_counter() - t0, tree_cpu_seconds() - c0, len(outcome))
            try:
                with monitor.stage("store"):
                    st.io.add(outcome)
                if st.pending == 0:
                    st.finish()
            except (OSError, GaitToolError) as exc:  # e.g. disk full: this video fails, the others go on
                failed.add(id(job))
                st.abort()
                yield job, store_error(job, exc)
                continue
            if st.pending == 0:
                finished.add(id(job))
                yield job, None
            t0, c0 = time.perf_counter(), tree_cpu_seconds()
        yield from drain_open_errors()
    except BrokenExecutor as exc:  # a worker died (killed, out of memory) or the cluster is gone: the
        # videos not finished fail, resumably
        lost = exc if isinstance(exc, GaitToolError) else GaitToolError(WORKER_DIED)
        yield from drain_open_errors()
        for job in jobs:
            if id(job) in states and id(job) not in failed | finished:
                failed.add(id(job))
                states[id(job)].abort()
                yield job, lost
    except BaseException:
        for st in states.values():
            st.abort()
        raise


def store_error(job: ExtractionJob, exc: BaseException) -> GaitToolError:
    """A one-line error for a keypoint store (or its manifest) that cannot be written."""
    if isinstance(exc, GaitToolError):
        return exc
    why = getattr(exc, "strerror", None) or str(exc)
    return GaitToolError(f"cannot write the keypoint store ({why}); the frames stored so far are kept and "
                         "a rerun resumes from them", job.store_path)


def _run_task(item: tuple[ExtractionJob, SegmentTask]) -> KeypointBatch | str:
    """Worker entry point: a segment's batch, or the error message (so one bad video cannot stop the pool)."""
    try:
        return extract_segment(item[1])
    except GaitToolError as exc:
        return exc.reason
    except Exception as exc:  # decoder/MediaPipe failures arrive as many types
        return f"pose extraction failed: {exc}"


def _probe(task: SegmentTask) -> None:
    worker_init()
    extract_segment(task)


def measure_worker_mb(job: ExtractionJob, profile: Profile, probe_frames: int = 15) -> float:
    """Peak RSS (MB) of one pose worker process running a few frames of ``job``'s video."""
    import multiprocessing as mp

    import psutil

    task = replace(_tasks(job, profile, 1, 2)[0], start=0, warmup_start=0, stop=probe_frames, queue_frames=2)
    proc = mp.get_context("spawn").Process(target=_probe, args=(task,), daemon=True)
    proc.start()
    peak = 0
    try:
        handle = psutil.Process(proc.pid)
        while proc.is_alive():
            try:
                peak = max(peak, handle.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)
    finally:
        proc.join(timeout=30)
    return peak / MB


class _JobState:
    def __init__(self, job: ExtractionJob, profile: Profile, monitor: PerformanceMonitor) -> None:
        self.job, self.profile, self.monitor = job, profile, monitor
        self.pending = 0
        self.last_frame = job.resume_frame - profile.pose.frame_stride
        self.writer: KeypointStoreWriter | None = None
        self.io: IOOptimizer

    def open(self) -> None:
        job = self.job
        write_manifest(job.out_dir, _manifest(job, False, job.frames_done, self.last_frame))
        self.writer = KeypointStoreWriter(job.store_path, self.profile.io.compression_level, job.resume_offset)
        if job.resume_offset == 0:
            self.monitor.count("files_written", 2)
        self.io = IOOptimizer(self.writer, self.profile.io.batch_frames, self.monitor)

    def finish(self) -> None:
        self.io.flush()
        assert self.writer is not None
        self.writer.close()
        n, last, _ = resume_point(self.job.store_path)
        write_manifest(self.job.out_dir, _manifest(self.job, True, n, last))

    def abort(self) -> None:
        """Flush what can be flushed and close the store; it stays resumable either way."""
        if self.writer is None:
            return
        try:
            self.io.flush()
        except Exception:  # noqa: BLE001 - best effort (the disk may be full)
            pass
        finally:
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001
                pass
            self.writer = None
