"""Video -> keypoint store: resumable, segment-parallel MediaPipe extraction for many videos."""

from __future__ import annotations

import logging
import math
import os
import time
from concurrent.futures import BrokenExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from core.config import Profile
from core.errors import GaitToolError
from core.executors import TaskExecutor
from core.io.keypoint_store import (
    MANIFEST_NAME,
    STORE_NAME,
    KeypointBatch,
    KeypointStoreWriter,
    read_manifest,
    source_fingerprint,
    stored_frames,
    write_manifest,
)
from core.performance_optimizer import (
    MB,
    MediaPipeOptimizer,
    decode_weight,
    PerformanceMonitor,
    tree_cpu_seconds,
)
from core.pose.extractor import SegmentTask, extract_batch, extract_segment, worker_init
from core.pose.follow_path import FollowPath
from core.pose.frame_select import packet_index
from core.pose.models import ModelChoice
from core.pose.roi import Roi
from core.pose.video import VideoInfo, probe_video
from core.scan_phase import scan_phase

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
    todo: tuple[tuple[int, int], ...] | None = None

    @property
    def store_path(self) -> Path:
        return self.out_dir / STORE_NAME

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """Video frame ranges ``[start, stop)`` still to extract (default: ``resume_frame`` to the end)."""
        if self.todo is not None:
            return self.todo
        return ((self.resume_frame, self.info.n_frames),) if self.resume_frame < self.info.n_frames else ()

    @property
    def frames_to_extract(self) -> int:
        """Video frames (stride included) covered by ``ranges``, up to the announced end."""
        return sum(max(0, min(stop, self.info.n_frames) - start) for start, stop in self.ranges)

    @property
    def complete(self) -> bool:
        return not self.ranges


def extraction_settings(profile: Profile, model: ModelChoice, roi: Roi | None, person: str = "auto") -> dict:
    """Everything that changes the stored landmarks; a change forces a fresh extraction."""
    return {
        "person": person,
        "profile": profile.name,
        "pose": asdict(profile.pose),
        "model_requested": model.requested,
        "model_used": model.used_name,
        "model_complexity_used": model.used,
        "roi": None if roi is None else asdict(roi),
    }


def prepare_job(
    video: Path, out_dir: Path, profile: Profile, model: ModelChoice, roi: Roi | None, person: str = "auto"
) -> ExtractionJob:
    """Probe the video and decide whether to reuse, resume or restart its store."""
    info = probe_video(video)
    settings = extraction_settings(profile, model, roi, person)
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
        frames, offset = stored_frames(store)
    except OSError as exc:
        return fresh(f"keypoint store unreadable ({exc.strerror or exc}); rebuilding")
    if len(frames) == 0:
        return fresh("keypoint store unreadable; rebuilding" if store.stat().st_size > 0 else "")
    announced = int(manifest.get("n_frames_metadata") or info.n_frames)
    n_frames = manifest.get("n_frames_final") or info.n_frames
    info = replace(info, n_frames=n_frames)
    todo = missing_ranges(frames, n_frames, profile.pose.frame_stride)
    n_missing = sum(math.ceil((stop - start) / profile.pose.frame_stride) for start, stop in todo)
    if not todo:
        msg = "keypoints already extracted; reusing them"
    elif manifest.get("complete"):
        msg = f"keypoint store damaged: {len(frames)} frames kept; extracting the {n_missing} missing frames again"
    else:
        msg = f"resuming: {len(frames)} frames already stored; extracting the {n_missing} missing frames"
    first = todo[0][0] if todo else n_frames
    return ExtractionJob(video, out_dir, info, settings, source, first, offset, len(frames), msg, announced, todo)


def restarted(job: ExtractionJob, message: str) -> ExtractionJob:
    """``job`` to be extracted again from its first frame (its store is rewritten)."""
    return replace(job, resume_frame=0, resume_offset=0, frames_done=0, todo=None, message=message)


def missing_ranges(stored: np.ndarray, n_frames: int, stride: int) -> tuple[tuple[int, int], ...]:
    """Video frame ranges ``[start, stop)`` holding the frames ``0, stride, 2 stride, ..`` below
    ``n_frames`` that are not in ``stored`` (sorted frame indices); a range that reaches the last
    expected frame ends at ``n_frames``."""
    expected = np.arange(0, max(n_frames, 0), stride, dtype=np.int64)
    missing = ~np.isin(expected, stored, assume_unique=True)
    if not missing.any():
        return ()
    edges = np.flatnonzero(np.diff(np.concatenate([[False], missing, [False]]).astype(np.int8)))
    ranges = []
    for lo, hi in zip(edges[::2], edges[1::2]):
        stop = n_frames if hi == len(expected) else int(expected[hi])
        ranges.append((int(expected[lo]), stop))
    return tuple(ranges)


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


OPEN_END = 1 << 62  # "to the end of the video": the metadata's frame count may be short


def _lanes(job: ExtractionJob, profile: Profile, workers: int, queue_frames: int,
           follow: FollowPath | None = None) -> list[list[SegmentTask]]:
    """The job's missing frames as lanes (segments of the plan), each cut into tasks of one store
    batch (``io.batch_frames`` processed frames). Only a lane's first task needs its warm-up when the
    lane's tasks run one after another in the same worker (``ParallelProcessor.run_lanes``)."""
    queue_frames = decode_queue_frames(job.info, profile, queue_frames)
    threads = decode_threads(workers)
    stride, n = profile.pose.frame_stride, job.info.n_frames
    step = profile.io.batch_frames * stride
    base = SegmentTask(
        video_path=str(job.video), start=0, stop=0, warmup_start=0, pose=profile.pose,
        model_complexity=job.settings["model_complexity_used"],
        roi=None if job.settings["roi"] is None else Roi(**job.settings["roi"]),
        batch_frames=profile.io.batch_frames, decoder=profile.parallel.decoder, queue_frames=queue_frames,
        fps=job.info.fps, decode_threads=threads, follow=follow, timestamps=job.info.timestamps,
    )
    planner = MediaPipeOptimizer(profile)
    keys = keyframes(job.video) if workers > 1 else ()
    work = frame_work(n, follow, stride) if workers > 1 else None
    lanes = []
    for r_start, r_stop in job.ranges:
        for seg_start, seg_stop, warm in _segments(planner, r_start, min(r_stop, n), workers, profile, keys, work):
            open_end = r_stop >= n and seg_stop >= n
            lane_stop = OPEN_END if open_end else seg_stop
            lane = []
            for start in range(seg_start, seg_stop, step):
                stop = min(start + step, seg_stop)
                if open_end and stop >= seg_stop:
                    stop = OPEN_END
                warmup_start = _task_warmup(start, warm, seg_start, profile)
                lane.append(replace(base, start=start, stop=stop, warmup_start=warmup_start, lane_stop=lane_stop))
            lanes.append(lane)
    return lanes


def keyframes(video: Path) -> tuple[int, ...]:
    """The video's keyframes (ascending frame indices), where a decoder's seek lands; empty when its
    packets cannot be indexed."""
    try:
        index = packet_index(video)
    except Exception:  # noqa: BLE001 - a container PyAV cannot read (the OpenCV decoder may): plan without
        return ()
    return () if index is None else index.keyframes()


def frame_work(n_frames: int, follow: FollowPath | None, stride: int) -> np.ndarray | None:
    """(n_frames,) work of each video frame in processed frames (``core.segment_plan``): on the walker's
    crop path a frame is decoded and posed, just before it only decoded, elsewhere not even decoded
    (``core.pose.extractor``); None (all equal) without a path."""
    if follow is None:
        return None
    work = np.zeros(n_frames)
    lo, hi = follow.decode_span(stride)
    work[max(0, lo) : max(0, min(n_frames, hi))] = decode_weight(stride)
    work[max(0, follow.first_frame) : max(0, min(n_frames, hi))] = 1.0
    return work


def _segments(planner: MediaPipeOptimizer, start: int, stop: int, workers: int, profile: Profile,
              keys: tuple[int, ...] = (), work: np.ndarray | None = None) -> list[tuple[int, int, int]]:
    """The segment plan of ``[start, stop)``, balanced on work (the pre-rolls from ``keys``, the
    keyframes; ``work`` per frame, ``frame_work``); in-process (one worker) a single segment, since its
    batches already give resume points and more segments only add warm-ups."""
    if workers > 1:
        return planner.segment_plan(start, stop, workers, keys, work).segments
    return [(start, stop, _task_warmup(start, start, -1, profile))] if stop > start else []


def _task_warmup(start: int, seg_warm: int, seg_start: int, profile: Profile) -> int:
    """Where a task starting at ``start`` begins its warm-up when it does not continue a live lane."""
    if start == seg_start:
        return seg_warm
    stride = profile.pose.frame_stride
    gap = math.ceil(min(profile.parallel.segment_warmup_frames, start) / stride) * stride
    return start - gap


def decode_threads(workers: int, cores: int | None = None) -> int:
    """Decoder threads per pose worker: the library's choice (0) for a single worker, else the
    cores left per worker. With one worker per core, FFmpeg's default of one decoding thread per
    core only adds hand-over cost (CPU ms per frame for both settings: the decoder table of
    ``scripts/benchmark_performance.py``)."""
    if workers <= 1:
        return 0
    return max(1, (cores or os.cpu_count() or 1) // workers)


class ExtractionInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during extraction: ``frames_kept`` of ``frames_total`` processed frames of
    the run's videos are in their stores (a rerun extracts only the others)."""

    def __init__(self, frames_kept: int, frames_total: int) -> None:
        super().__init__(f"{frames_kept} of {frames_total} frames kept")
        self.frames_kept, self.frames_total = frames_kept, frames_total


def extract_jobs(
    jobs: Iterable[ExtractionJob],
    profile: Profile,
    processor: TaskExecutor,
    monitor: PerformanceMonitor,
    queue_frames: int,
) -> Iterator[tuple[ExtractionJob, BaseException | None]]:
    """Extract every job's missing frames; yields each job when its store is final (or failed).

    Lanes of all videos go through one pool, so the pool stays busy across videos; every batch is
    appended to its store as soon as it arrives, in any order, so an interruption loses at most the
    batch each worker was running.
    """
    jobs = list(jobs)
    states = {id(j): _JobState(j, profile, monitor) for j in jobs if not j.complete}
    for job in jobs:
        if job.complete:
            yield job, None
    failed: set[int] = set()
    finished: set[int] = set()
    open_errors: list[tuple[ExtractionJob, BaseException]] = []

    def all_lanes() -> Iterator[list[tuple[ExtractionJob, SegmentTask]]]:
        for job in jobs:
            if job.complete:
                continue
            st = states[id(job)]
            follow = follows.get(id(job))
            if isinstance(follow, GaitToolError):
                failed.add(id(job))
                open_errors.append((job, follow))
                continue
            lanes = _lanes(job, profile, processor.workers, queue_frames, follow)
            st.pending = sum(len(lane) for lane in lanes)  # all counted before any result: no early finish
            try:
                st.open()
            except (OSError, GaitToolError) as exc:
                failed.add(id(job))
                open_errors.append((job, store_error(job, exc)))
                continue
            for lane in lanes:
                yield [(job, task) for task in lane]

    def drain_open_errors() -> Iterator[tuple[ExtractionJob, BaseException]]:
        while open_errors:
            yield open_errors.pop(0)

    follows: dict[int, FollowPath | None | GaitToolError] = {}
    try:
        follows = scan_phase([j for j in jobs if not j.complete], processor, monitor)
        t0, c0 = time.perf_counter(), tree_cpu_seconds()
        for (job, _), outcome in processor.run_lanes(_run_task, all_lanes()):
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
            batch, warmup = outcome
            monitor.add("pose", time.perf_counter() - t0, tree_cpu_seconds() - c0, len(batch), ended_now=True)
            monitor.count("warmup_frames", warmup)
            try:
                with monitor.stage("store"):
                    st.add(batch)
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
    except KeyboardInterrupt as exc:
        for st in states.values():
            st.abort()
        done = sum(j.frames_done for j in jobs if j.complete)
        kept = sum(st.kept() for st in states.values()) + done
        total = sum(st.n_total for st in states.values()) + done
        raise ExtractionInterrupted(kept, total) from exc
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


def _run_task(item: tuple[ExtractionJob, SegmentTask]) -> tuple[KeypointBatch, int] | str:
    """Worker entry point: a task's batch and warm-up frames, or the error message (so one bad video
    cannot stop the pool)."""
    try:
        return extract_batch(item[1])
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

    task = replace(_lanes(job, profile, 1, 2)[0][0], start=0, warmup_start=0, stop=probe_frames, queue_frames=2,
                   lane_stop=-1)
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
    """One video's store while its batches arrive: one write per batch, in arrival order."""

    def __init__(self, job: ExtractionJob, profile: Profile, monitor: PerformanceMonitor) -> None:
        self.job, self.profile, self.monitor = job, profile, monitor
        self.pending = 0
        self.n_stored = job.frames_done
        stride = profile.pose.frame_stride
        missing = sum(math.ceil((min(b, job.info.n_frames) - a) / stride) for a, b in job.ranges
                      if min(b, job.info.n_frames) > a)
        # fixed at the start: an interruption between a batch's write and its count must not change it
        self.n_total = self.n_stored + missing
        self.writer: KeypointStoreWriter | None = None

    def open(self) -> None:
        job = self.job
        write_manifest(job.out_dir, _manifest(job, False, job.frames_done, -1))
        self.writer = KeypointStoreWriter(job.store_path, self.profile.io.compression_level, job.resume_offset)
        if job.resume_offset == 0:
            self.monitor.count("files_written", 2)

    def add(self, batch: KeypointBatch) -> None:
        if len(batch) == 0:
            return
        assert self.writer is not None
        self.writer.append(batch)
        self.n_stored += len(batch)
        self.monitor.count("store_write_calls")
        self.monitor.count("frames_stored", len(batch))

    def finish(self) -> None:
        assert self.writer is not None
        self.writer.close()
        self.writer = None
        frames, _ = stored_frames(self.job.store_path)
        last = int(frames[-1]) if len(frames) else -1
        write_manifest(self.job.out_dir, _manifest(self.job, True, len(frames), last))

    def kept(self) -> int:
        """Frames in the store after ``abort``, read from the file: an interruption between a batch's write and
        its count (``add``) must not hide that batch from the message that says what was kept."""
        try:
            return max(self.n_stored, len(stored_frames(self.job.store_path)[0]))
        except (OSError, GaitToolError):
            return self.n_stored

    def abort(self) -> None:
        """Close the store; every batch written so far stays and the store stays resumable."""
        if self.writer is None:
            return
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 - best effort (the disk may be full)
            pass
        self.writer = None
