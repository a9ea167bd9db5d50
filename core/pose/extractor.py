"""MediaPipe pose on a stream of frames: one graph per process, batches of landmarks out."""

from __future__ import annotations

import ctypes
import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from core.config import PoseConfig
from core.constants import FOOT_MOTION_POINTS, MIRROR_PERMUTATION, NUM_LANDMARKS
from core.io.keypoint_store import KeypointBatch
from core.pose.follow_path import FollowPath, crop_max_side_px
from core.pose.foot_motion import FootShift
from core.pose.frame_guard import WalkerState, accept_pose
from core.pose.other_mask import without_others
from core.pose.pose_guard import GuardMemory
from core.pose.quiet import native_stderr_silenced
from core.pose.roi import Roi, crop_to_frame_px
from core.pose.scene_motion import SceneShift
from core.pose.video import Frame, blank_frames, indexed_frame_count, iter_frames

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


PREBUILD = "core.pose.prebuilt:build_named"  # the workers' parent builds their models (core.process_pool's preload)


def worker_modules(engine: str) -> tuple[str, ...]:
    """What a pose worker running ``engine`` ("graph" or "direct") imports, for a pool that loads them
    once and forks its workers from there (``core.process_pool``): this module first (it sets the
    native libraries' log levels), then the decoders and the engine's runtime. The direct engine needs
    LiteRT, not MediaPipe, whose import costs ~0.7 s of CPU. Last, the engine's own modules and the
    module of the workers' entry points (``core.mediapipe_integration``: the pose lanes' task and, through
    ``core.scan_phase``, the glance's and scan's; their task items carry its ``ExtractionJob``): each worker
    would import these on its first task otherwise (~0.1-0.2 s of CPU per worker, compiled from source
    where no bytecode cache is written)."""
    if engine == "graph":
        return ("core.pose.extractor", "cv2", "av", "mediapipe", "core.mediapipe_integration", PREBUILD)
    return ("core.pose.extractor", "cv2", "av", "ai_edge_litert.interpreter", "core.pose.direct_pose",
            "core.pose.litert_runner", "core.pose.models", "core.mediapipe_integration", PREBUILD)


def worker_env(engine: str, model_complexity: int) -> dict[str, str]:
    """The environment of the workers' parent for ``worker_modules(engine)`` (``core.process_pool``): it
    builds the LiteRT models the workers use (``core.pose.prebuilt``), with the thread count they use (one):
    the direct engine's landmark model and the detector, which the person finder shares. MediaPipe's graph
    runs threads and is built in each worker; the detector is still built once for its finder."""
    from core.pose.litert_runner import DETECTOR_FILE, prebuilt_env, shipped_model_path
    from core.pose.models import model_path

    detector = shipped_model_path(DETECTOR_FILE)
    return prebuilt_env([detector] if engine == "graph" else [model_path(model_complexity), detector])


MASK_POSE_FRAMES = 2  # the walker's pose at most this many frames old bounds what the mask keeps (core.pose.other_mask)

ProgressSink = Callable[[str, int], None]
_progress_sink: ProgressSink | None = None
PROGRESS_EVERY_FRAMES = 10


def set_progress_sink(sink: ProgressSink | None) -> None:
    """Receive ``(video_path, n_frames)`` as frames are processed in this process."""
    global _progress_sink
    _progress_sink = sink


def worker_init(progress_queue: Any = None) -> None:
    """Pose worker process set-up: progress to ``progress_queue``, one thread per library, and no
    native start-up chatter on stderr (unless GAIT_VERBOSE is set). The pose engine and its model are
    loaded by ``warm_pose`` ahead of the first task, or by the first task."""
    if progress_queue is not None:
        set_progress_sink(lambda path, n: progress_queue.put((path, n)))
    os.environ["OMP_NUM_THREADS"] = "1"
    import cv2

    cv2.setNumThreads(1)
    if not os.environ.get("GAIT_VERBOSE"):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


class PoseEstimator:
    """Wraps ``mp.solutions.pose.Pose``; ``model_complexity`` is the model actually used."""

    def __init__(self, cfg: PoseConfig, model_complexity: int, roi: Roi | None = None) -> None:
        import mediapipe as mp

        self.roi = roi
        self._noisy_calls = 5  # the graph logs start-up messages during its first few frames
        self._mirror = False  # whether the graph's tracking lives in mirrored images
        with native_stderr_silenced():
            self._pose = self._make_pose(mp, cfg, model_complexity)
            # The graph finishes starting (and logs it) on its own threads; one empty frame waits for that.
            self._pose.process(np.zeros((64, 64, 3), np.uint8))

    @staticmethod
    def _make_pose(mp, cfg: PoseConfig, model_complexity: int):  # noqa: ANN001, ANN205
        return mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=model_complexity,
            smooth_landmarks=cfg.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=cfg.min_detection_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
        )

    def process(self, frame: Frame, box_px: np.ndarray | None = None, mirror: bool = False
                ) -> tuple[np.ndarray, np.ndarray] | None:
        """Landmarks of one frame: image (33, 5) in original-frame px, world (33, 3) m; None if nobody.
        ``box_px``: a crop (x0, y0, x1, y1) in original-frame px to search instead of the ROI/frame;
        ``mirror``: the graph sees the crop mirrored left to right (its landmarks are mirrored back)."""
        import cv2

        h, w = frame.image.shape[:2]
        if box_px is not None:
            box = _scaled_box(box_px, frame.scale, w, h)
        else:
            box = self.roi.pixel_box(w, h) if self.roi else (0, 0, w, h)
        crop = frame.image[box[1] : box[3], box[0] : box[2]]
        rgb = np.ascontiguousarray(crop) if frame.rgb else cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        if mirror != self._mirror:  # the graph's tracked region would be on the other side
            self._pose.reset()
            self._mirror = mirror
        if mirror:
            rgb = np.ascontiguousarray(rgb[:, ::-1])
        rgb.flags.writeable = False
        if self._noisy_calls > 0:
            self._noisy_calls -= 1
            with native_stderr_silenced():
                result = self._pose.process(rgb)
        else:
            result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        lm = result.pose_landmarks.landmark
        raw = np.array([(p.x, p.y, p.z, p.visibility, p.presence) for p in lm], dtype=float)
        if mirror:
            raw = raw[list(MIRROR_PERMUTATION)]
            raw[:, 0] = 1.0 - raw[:, 0]
        image = np.empty((NUM_LANDMARKS, 5))
        image[:, :3] = crop_to_frame_px(raw[:, :3], box, frame.scale)
        image[:, 3:] = raw[:, 3:]
        world = np.full((NUM_LANDMARKS, 3), np.nan)
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark], dtype=float)
            if mirror:
                world = world[list(MIRROR_PERMUTATION)] * np.array([-1.0, 1.0, 1.0])
        return image, world

    def reset(self) -> None:
        """Forget tracking state (a new, unrelated run of frames) without reloading the model."""
        self._pose.reset()

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scaled_box(box_px: np.ndarray, scale: float, width: int, height: int) -> tuple[int, int, int, int]:
    """An original-frame px box as an integer box of the (downscaled) frame, inside it."""
    x0, y0, x1, y1 = (int(round(v * scale)) for v in box_px)
    x0, y0 = min(max(0, x0), width - 1), min(max(0, y0), height - 1)
    return x0, y0, max(x0 + 1, min(x1, width)), max(y0 + 1, min(y1, height))


@dataclass(frozen=True)
class SegmentTask:
    """A self-contained, picklable unit of work: frames ``[start, stop)`` of one video.

    Frames from ``warmup_start`` to ``start`` are processed only to let tracking converge
    and are not emitted. Any machine with the video and this task can run it.

    ``lane_stop``: the task is one batch of a lane, consecutive tasks covering ``[.., lane_stop)``
    (-1: ``stop``, a lane of one task). A process that has just run the lane's previous task goes
    on from its live decoder and tracking state, with no seek and no warm-up; any other process
    starts afresh at ``warmup_start``. The landmarks are the same either way up to tracking noise.
    """

    video_path: str
    start: int
    stop: int
    warmup_start: int
    pose: PoseConfig
    model_complexity: int
    roi: Roi | None
    batch_frames: int
    decoder: str
    queue_frames: int
    fps: float
    decode_threads: int = 0
    follow: FollowPath | None = None  # the crop that follows the chosen walker (core/pose/follow.py)
    lane_stop: int = -1
    timestamps: bool | None = None  # the probe's VideoInfo.timestamps (None: the worker probes the video again)


_estimators: dict[tuple, Any] = {}


def make_estimator(pose: PoseConfig, model_complexity: int, roi: Roi | None) -> Any:
    """The pose engine ``pose.engine`` names: MediaPipe's graph, or the direct LiteRT engine (one
    LiteRT thread: workers already run one per core). Both have ``PoseEstimator``'s interface."""
    if pose.engine == "direct":
        from core.pose.direct_pose import DirectPoseEstimator

        return DirectPoseEstimator(pose, model_complexity, roi, threads=1)
    return PoseEstimator(pose, model_complexity, roi)


def _estimator_for(task: SegmentTask) -> Any:
    """This process's estimator for the task's settings, reset for a new segment.

    Re-creating a MediaPipe graph per segment costs about 0.3 s and, through allocator
    fragmentation, lets a worker's RSS drift upwards over a long video; a reset costs neither.
    """
    key = (task.pose, task.model_complexity, task.roi)
    est = _estimators.get(key)
    if est is None:
        for old in _estimators.values():
            old.close()
        _estimators.clear()
        est = _estimators[key] = make_estimator(task.pose, task.model_complexity, task.roi)
    else:
        est.reset()
    return est


def warm_pose(pose: PoseConfig, model_complexity: int, roi: Roi | None) -> None:
    """Build this process's estimator for these settings ahead of its first task (a pose worker
    started while the main process still probes the videos); the first task then only resets it."""
    key = (pose, model_complexity, roi)
    if key not in _estimators:
        for old in _estimators.values():
            old.close()
        _estimators.clear()
        _estimators[key] = make_estimator(pose, model_complexity, roi)


class _Lane:
    """A live decoder and tracker positioned at video frame ``position`` (the next frame to process)."""

    def __init__(self, task: SegmentTask) -> None:
        self.key = _lane_key(task)
        self.stop = _lane_stop(task)
        self.estimator = _estimator_for(task)
        self.scene = SceneShift()
        self.feet = FootShift()
        self.guard = GuardMemory()  # the pose guard's memory along this lane
        self.walker = WalkerState()  # the whole-frame guard's (core/pose/frame_guard.py)
        self.last_pose: tuple[int, np.ndarray] | None = None  # the walker's last accepted pose: frame, (33, 5) px
        self.frames = _lane_frames(task, task.warmup_start, self.stop)
        self.stride = task.pose.frame_stride
        self.position = task.warmup_start
        self.ended = False  # the video (or the lane) has no more frames
        self._pending: Frame | None = None

    def take(self, stop: int) -> Iterator[Frame]:
        """Frames with index < ``stop``; the first frame at or past ``stop`` is kept for the next task."""
        while not self.ended:
            frame = self._pending
            self._pending = None
            if frame is None:
                frame = next(self.frames, None)
                if frame is None:
                    self.ended = True
                    return
            if frame.index >= stop:
                self._pending = frame
                self.position = frame.index
                return
            self.position = frame.index + self.stride
            yield frame

    def close(self) -> None:
        close = getattr(self.frames, "close", None)
        if close is not None:
            close()
        self.ended = True


def _lane_frames(task: SegmentTask, start: int, stop: int) -> Iterator[Frame]:
    """The lane's frames ``[start, stop)``, every ``frame_stride``-th. Following a walker (PyAV, indexed
    packets), only the crop path's decode span (``FollowPath.decode_span``) is decoded: the frames
    around it come blank (``core.pose.video.blank_frames``), since no pose is looked for there."""
    stride = task.pose.frame_stride
    max_side_px = crop_max_side_px(task.pose.max_side_px, task.follow)

    def decoded(a: int, b: int) -> Iterator[Frame]:
        return iter_frames(
            Path(task.video_path), start=a, stop=b, stride=stride, max_side_px=max_side_px, decoder=task.decoder,
            queue_frames=_queue_for(task.queue_frames, task.pose.max_side_px, max_side_px, task.follow),
            fps=task.fps, threads=task.decode_threads, rgb=True, skip_loop_filter=task.pose.skip_loop_filter,
            timestamps=task.timestamps,
        )

    n = indexed_frame_count(task.video_path) if task.follow is not None and task.decoder == "pyav" else None
    if n is None:
        return decoded(start, stop)
    lo, hi = task.follow.decode_span(stride)  # type: ignore[union-attr]
    end = min(stop, n)
    a = min(max(start, _on_grid(lo, start, stride)), end)
    b = max(a, min(_on_grid(hi, start, stride), end))

    def chained() -> Iterator[Frame]:
        yield from blank_frames(task.video_path, range(start, a, stride), task.fps, task.timestamps)
        if b > a:
            yield from decoded(a, b)
        yield from blank_frames(task.video_path, range(b, end, stride), task.fps, task.timestamps)

    return chained()


def _on_grid(frame: int, start: int, stride: int) -> int:
    """The first frame at or after ``frame`` on the grid ``start + k * stride`` (k >= 0)."""
    return start + max(0, -(-(frame - start) // stride)) * stride


def _queue_for(queue_frames: int, planned_side_px: int, side_px: int, follow: FollowPath | None) -> int:
    """Decoded frames to queue when frames are kept larger (``side_px``) than planned: the same memory."""
    if side_px == planned_side_px or follow is None or follow.frame_side_px <= 0:
        return queue_frames
    actual = follow.frame_side_px if side_px <= 0 else min(side_px, follow.frame_side_px)
    return max(2, int(queue_frames * (planned_side_px / actual) ** 2))


def _lane_key(task: SegmentTask) -> tuple:
    return (task.video_path, task.pose, task.model_complexity, task.roi, task.decoder, task.fps, _lane_stop(task))


def _lane_stop(task: SegmentTask) -> int:
    return task.stop if task.lane_stop < 0 else task.lane_stop


_live: _Lane | None = None


def _lane_for(task: SegmentTask) -> tuple[_Lane, int]:
    """This process's live lane when ``task`` continues it, else a fresh one; and the warm-up frames
    (video frames before ``task.start``) the fresh one will run."""
    global _live
    live = _live
    if live is not None and live.key == _lane_key(task) and (
        live.position == task.start or (live.ended and live.position <= task.start)
    ):
        return live, 0
    if live is not None:
        live.close()
    _live = _Lane(task)
    return _live, task.start - task.warmup_start


def extract_batch(task: SegmentTask) -> tuple[KeypointBatch, int]:
    """The owned frames of ``task`` as one batch, and the warm-up frames run for it (0 when it
    continued this process's live lane). The worker-process entry point."""
    global _live
    lane, warmup = _lane_for(task)
    rows: list[tuple[int, float, tuple[np.ndarray, np.ndarray] | None, np.ndarray, np.ndarray]] = []
    unreported = 0
    stride = task.pose.frame_stride
    try:
        for frame in lane.take(task.stop):
            result = None if frame.blank else _process(lane, frame, task.follow)
            others = None if task.follow is None else task.follow.others_at(frame.index)
            landmarks = None if result is None else result[0]
            shift = lane.scene.update(frame, landmarks, others)
            feet = lane.feet.update(frame, landmarks)
            if frame.index < task.start:
                continue
            rows.append((frame.index, frame.time_s, result, shift, feet))
            unreported += stride
            if _progress_sink is not None and unreported >= PROGRESS_EVERY_FRAMES:
                _progress_sink(task.video_path, unreported)
                unreported = 0
    except BaseException:
        lane.close()
        _live = None
        raise
    if _progress_sink is not None and unreported:
        _progress_sink(task.video_path, unreported)
    if lane.ended or task.stop >= lane.stop:
        lane.close()
        _live = None
        release_freed_memory()
    return _to_batch(rows), warmup


def _process(lane: _Lane, frame: Frame, follow: FollowPath | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Pose on the frame (or ROI), or on the walker's crop when following; None outside the walker's
    span or when the pose found is not the walker's (``core.pose.pose_guard.judge``, with ``lane.guard``).
    A walker going left (the crop path's direction; on the whole frame, the way her accepted poses face)
    is posed mirrored (``FollowPath.mirrored_at``: each pass of a walk there and back the way it goes)."""
    est = lane.estimator
    if follow is None:
        result = est.process(frame, mirror=lane.walker.direction_x() < 0)
        if result is not None and not accept_pose(lane.walker, frame.index, frame.time_s, result[0]):
            est.reset()  # kept (the analysis judges it again), but the model looks afresh next frame
        return result
    box = follow.box_at(frame.index)
    if box is None:
        return None
    last = lane.last_pose
    pose = last[1] if last is not None and frame.index - last[0] <= MASK_POSE_FRAMES else None
    result = est.process(_others_masked(frame, follow, box, pose), box, mirror=follow.mirrored_at(frame.index))
    if result is None:
        return None
    if not follow.on_walker(frame.index, result[0], lane.guard):
        est.reset()  # it followed someone else into the crop: look again next frame
        return None
    lane.last_pose = (frame.index, result[0])
    return result


def _others_masked(frame: Frame, follow: FollowPath, box: np.ndarray, pose: np.ndarray | None) -> Frame:
    """``frame`` with the other people near the walker's crop ``box`` neutralised (``core.pose.other_mask``);
    ``pose``: the walker's last accepted landmarks (33, 5) px, or None."""
    others = follow.others_at(frame.index)
    if others is None:
        return frame
    image = without_others(frame.image, frame.scale, box, follow.walker_box_at(frame.index), others, pose)
    return frame if image is frame.image else replace(frame, image=image)


def _to_batch(rows: list[tuple[int, float, tuple[np.ndarray, np.ndarray] | None, np.ndarray, np.ndarray]]
              ) -> KeypointBatch:
    n = len(rows)
    if n == 0:
        return KeypointBatch.empty()
    image = np.full((n, NUM_LANDMARKS, 5), np.nan)
    world = np.full((n, NUM_LANDMARKS, 3), np.nan)
    valid = np.zeros(n, bool)
    for i, (_, _, res, _, _) in enumerate(rows):
        if res is not None:
            image[i], world[i] = res
            valid[i] = True
    return KeypointBatch(
        frame=np.array([r[0] for r in rows], dtype=np.int64),
        time_s=np.array([r[1] for r in rows], dtype=float),
        valid=valid,
        image=image,
        world=world,
        scene=np.array([r[3] for r in rows], dtype=float).reshape(n, 4),
        feet=np.array([r[4] for r in rows], dtype=float).reshape(n, len(FOOT_MOTION_POINTS), 4),
    )


def extract_segment(task: SegmentTask) -> KeypointBatch:
    """All owned frames of ``task`` as a single batch."""
    return extract_batch(task)[0]


def release_freed_memory() -> None:
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``; a no-op elsewhere).

    Decoded frames come and go by the thousand and glibc keeps the freed pages, so without a trim
    after each segment a worker's RSS creeps up over a long video (the ``--rss-videos`` table in
    docs/README_Performance_Optimization.md)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> Any:
    """glibc with ``malloc_trim``, or None (musl, macOS, Windows)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc
