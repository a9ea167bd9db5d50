#!/usr/bin/env python
"""What one pose worker spends per frame, step by step, measured so that other jobs on the machine
hardly matter: each step runs on the same frames in one process, the variants alternated ``--reps``
times, and the median (and minimum) CPU ms per frame is printed.

    python scripts/benchmark_worker_cost.py --video clip.mp4 [--frames 80] [--reps 5] [--max-side 960] [--startup]

Steps: decoding alone (PyAV, one thread, as each worker decodes when the workers fill the cores);
the decoder's scale + RGB conversion of decoded frames, with each frame's own reformat and with one
scaler and converter for the stream (what the workers do); MediaPipe (full) on RGB frames at native size
and at ``--max-side``, and the direct engine (``pose.engine`` "direct": the same model through LiteRT with
our own crops) on the same frames; scene and foot motion on those frames. ``--startup``: the CPU of starting two
pose workers (imports and graph) as fresh interpreters and forked from a server that has imported
MediaPipe (``core.process_pool``), from ``getrusage`` of the reaped children.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def _repeat(variants: dict[str, Callable[[], int]], reps: int) -> dict[str, list[float]]:
    """CPU ms per item of each variant (it returns its item count), the variants alternated ``reps`` times."""
    out: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(reps):
        for name, fn in variants.items():
            c0 = time.process_time()
            n = fn()
            out[name].append(1000 * (time.process_time() - c0) / max(n, 1))
    return out


def conversion_costs(video: Path, frames: int, reps: int, width: int, height: int) -> dict[str, list[float]]:
    """CPU ms per frame of scaling to ``width`` x ``height`` and converting to RGB, on frames decoded
    afresh for each repeat (a frame keeps the context its own reformat built): with each frame's own
    reformat, and with one scaler and one converter for the stream (``core.pose.video``)."""
    import av
    from av.video.reformatter import VideoReformatter

    own, shared = f"scale to {width}x{height} + RGB, each frame's own reformat", \
        f"scale to {width}x{height} + RGB, one scaler and converter (the workers')"
    out: dict[str, list[float]] = {own: [], shared: []}
    for _ in range(reps):
        for name in (own, shared):
            with av.open(str(video)) as c:
                decoded = [f for _, f in zip(range(frames), c.decode(video=0))]
            scaler, converter = VideoReformatter(), VideoReformatter()
            c0 = time.process_time()
            for f in decoded:
                if name == own:
                    f.reformat(width=width, height=height).to_ndarray(format="rgb24")
                else:
                    converter.reformat(scaler.reformat(f, width=width, height=height), format="rgb24").to_ndarray()
            out[name].append(1000 * (time.process_time() - c0) / len(decoded))
    return out


def step_costs(video: Path, frames: int, reps: int, max_side_px: int) -> dict[str, list[float]]:
    """CPU ms per frame of each worker step (see the module docstring), per repeat."""
    import av

    from core.config import load_profile
    from core.pose.direct_pose import DirectPoseEstimator
    from core.pose.extractor import PoseEstimator, worker_init
    from core.pose.foot_motion import FootShift
    from core.pose.scene_motion import SceneShift
    from core.pose.video import iter_frames

    worker_init()

    def decode() -> int:
        with av.open(str(video)) as c:
            stream = c.streams.video[0]
            stream.codec_context.thread_count = 1
            return sum(1 for _, _ in zip(range(frames), c.decode(stream)))

    with av.open(str(video)) as c:
        first = next(c.decode(video=0))
    w, h = first.width, first.height
    scale = min(1.0, max_side_px / max(w, h))
    sw, sh = round(w * scale), round(h * scale)
    sizes = {"native": 0, f"{max_side_px} px": max_side_px}
    images = {k: list(iter_frames(video, stop=frames, rgb=True, threads=1, decoder="pyav", max_side_px=s))
              for k, s in sizes.items()}
    pose = load_profile("balanced").pose
    estimators = {k: PoseEstimator(pose, 1) for k in sizes}
    direct = DirectPoseEstimator(pose, 1, threads=1)
    landmarks: dict[str, list] = {}

    def model(k: str) -> Callable[[], int]:
        def run() -> int:
            estimators[k].reset()
            landmarks[k] = [estimators[k].process(f) for f in images[k]]
            return len(images[k])
        return run

    def direct_model(k: str) -> Callable[[], int]:
        def run() -> int:
            direct.reset()
            for f in images[k]:
                direct.process(f)
            return len(images[k])
        return run

    def motion(k: str) -> Callable[[], int]:
        def run() -> int:
            scene, feet = SceneShift(), FootShift()
            for f, r in zip(images[k], landmarks[k]):
                lm = None if r is None else r[0]
                scene.update(f, lm)
                feet.update(f, lm)
            return len(images[k])
        return run

    costs = _repeat({"decode (PyAV, 1 thread)": decode}, reps)
    costs |= conversion_costs(video, min(frames, 40), reps, sw, sh)
    costs |= _repeat({**{f"MediaPipe full, {k}": model(k) for k in sizes},
                      **{f"direct engine (LiteRT, full), {k}": direct_model(k) for k in sizes}}, reps)
    costs |= _repeat({f"scene + foot motion, {k}": motion(k) for k in sizes}, reps)
    return costs


def startup_costs(reps: int) -> dict[str, list[float]]:
    """CPU s of starting two pose workers and building their graphs, spawned and forked, per repeat (this
    process's CPU too: on Linux the workers fork from here, after it imported the preload, which only its
    first repeat pays)."""
    from core.config import load_profile
    from core.pose.extractor import warm_pose, worker_init, worker_modules
    from core.process_pool import ParallelProcessor

    pose = load_profile("balanced").pose

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def start(preload: tuple[str, ...]) -> float:
        c0 = cpu()
        pool = ParallelProcessor(2, initializer=worker_init, preload=preload)
        pool.warm(warm_pose, pose, 1, None)
        list(pool.run_lanes(abs, [[-1], [-2]]))
        pool.close()
        return cpu() - c0

    out: dict[str, list[float]] = {"2 workers, spawned": [], "2 workers, forked after the preload": []}
    for _ in range(reps):
        out["2 workers, spawned"].append(start(()))
        out["2 workers, forked after the preload"].append(start(worker_modules(pose.engine)))
    return out


def table(costs: dict[str, list[float]], unit: str) -> str:
    lines = [f"| step | median {unit} | min {unit} |", "| --- | ---: | ---: |"]
    lines += [f"| {k} | {np.median(v):.2f} | {min(v):.2f} |" for k, v in costs.items()]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description="CPU per frame of each pose worker step.")
    ap.add_argument("--video", type=Path, required=True)
    ap.add_argument("--frames", type=int, default=80)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--max-side", type=int, default=960, help="the downscaled size to compare with native")
    ap.add_argument("--startup", action="store_true", help="also measure the workers' start-up, spawned and forked")
    args = ap.parse_args()
    os.environ.setdefault("GAIT_VERBOSE", "1")  # keep this process's stderr (worker_init would close it)
    print(f"Video: {args.video}; {args.frames} frames, variants alternated {args.reps} times (CPU of the whole "
          "process: MediaPipe's graph threads included)\n")
    print(table(step_costs(args.video, args.frames, args.reps, args.max_side), "CPU ms/frame"))
    if args.startup:
        print()
        print(table(startup_costs(args.reps), "CPU s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
