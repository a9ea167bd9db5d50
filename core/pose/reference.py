"""Reference extractors for benchmarks: the seed's plain "before" and the model-only ceiling.

Neither is used by the pipeline; ``scripts/benchmark_performance.py`` measures the pipeline against them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from core.pose.extractor import worker_init


def _read_all_frames(path: Path, start: int = 0, stop: int | None = None) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    if start:
        cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames = []
    index = start
    while stop is None or index < stop:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
        index += 1
    cap.release()
    return frames


def _landmark_rows(result) -> list[list[float]] | None:  # noqa: ANN001 - MediaPipe result
    if result.pose_landmarks is None:
        return None
    return [[p.x, p.y, p.z, p.visibility] for p in result.pose_landmarks.landmark]


def baseline_extract(video: Path, write_frame: Callable[[int, dict], None]) -> int:
    """The seed's "before": every frame into memory, MediaPipe sequentially at native size,
    ``write_frame`` once per frame (one JSON file each). Returns the number of frames."""
    return _pose_each(_read_all_frames(video), write_frame)


def streamed_extract(video: Path, write_frame: Callable[[int, dict], None]) -> int:
    """``baseline_extract`` without holding the frames: each frame is decoded, posed and written before
    the next is read. The same work less the first touch of memory for every decoded frame (the kernel's
    cost of ~5 MB per 1080p frame, which depends on the machine). Returns the number of frames."""
    import cv2

    cap = cv2.VideoCapture(str(video))

    def frames():  # noqa: ANN202 - a generator of BGR images
        while True:
            ok, image = cap.read()
            if not ok:
                return
            yield image

    try:
        return _pose_each(frames(), write_frame)
    finally:
        cap.release()


def _pose_each(frames: Iterable[np.ndarray], write_frame: Callable[[int, dict], None]) -> int:
    """MediaPipe's graph (full model, tracking) on each BGR frame in order; ``write_frame(i, record)``."""
    import cv2
    import mediapipe as mp

    n = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        for i, image in enumerate(frames):
            result = pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            write_frame(i, {"frame": i, "landmarks": _landmark_rows(result)})
            n += 1
    return n


def model_only_segment(args: tuple[str, int, int, Any]) -> tuple[int, float, float]:
    """Decode ``[start, stop)`` first, wait at ``barrier`` until every process has decoded its part
    (so no inference is timed while another process still decodes), then time MediaPipe alone:
    ``(frames, inference_s, inference_cpu_s)`` (CPU of all the process's threads: the graph's own)."""
    import cv2
    import mediapipe as mp

    video, start, stop, barrier = args
    frames = _read_all_frames(Path(video), start, stop)
    for i, f in enumerate(frames):  # in place: one copy of the frames in memory, not two
        frames[i] = cv2.cvtColor(f, cv2.COLOR_BGR2RGB)
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        pose.process(frames[0])
        barrier.wait()
        t0, c0 = time.perf_counter(), time.process_time()
        for f in frames:
            pose.process(f)
        return len(frames), time.perf_counter() - t0, time.process_time() - c0


def model_only_fps(video: Path, n_frames: int, processes: int) -> dict:
    """Throughput ceiling: MediaPipe on pre-decoded frames, one process per core, contiguous parts."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")
    bounds = np.linspace(0, n_frames, processes + 1).astype(int)
    with ctx.Manager() as manager:
        barrier = manager.Barrier(processes)
        parts = [(str(video), int(a), int(b), barrier) for a, b in zip(bounds[:-1], bounds[1:])]
        with ProcessPoolExecutor(processes, mp_context=ctx, initializer=worker_init) as pool:
            results = list(pool.map(model_only_segment, parts))
    frames = sum(n for n, _, _ in results)
    slowest = max(t for _, t, _ in results)
    return {"frames": frames, "inference_s": round(slowest, 3), "frames_per_s": round(frames / slowest, 2),
            "per_process_fps": [round(n / t, 2) for n, t, _ in results],
            "cpu_ms_per_frame": round(1000 * sum(c for _, _, c in results) / max(frames, 1), 2)}
