#!/usr/bin/env python
"""Hardware check: what this machine has, how fast pose runs here, and what settings to use.

Usage: python scripts/quick_performance_test.py [--video PATH] [--frames N] [--json OUT]
Finishes in well under 30 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402


def gpu_info() -> dict:
    try:
        import torch
    except ImportError:
        return {"available": False, "reason": "torch not installed"}
    if not torch.cuda.is_available():
        return {"available": False, "torch": torch.__version__}
    props = torch.cuda.get_device_properties(0)
    return {"available": True, "name": props.name, "memory_mb": props.total_memory // 2**20, "torch": torch.__version__}


def measure_pose_fps(video: Path, frames: int) -> dict:
    """Frames/s of one worker (decode + full model) on the first ``frames`` frames."""
    from core.config import load_profile
    from core.pose.extractor import SegmentTask, extract_segment
    from core.pose.video import probe_video

    info = probe_video(video)
    prof = load_profile("balanced")
    task = SegmentTask(str(video), 0, frames, 0, prof.pose, 1, None, 100, "opencv", 8, info.fps)
    extract_segment(SegmentTask(str(video), 0, 2, 0, prof.pose, 1, None, 100, "opencv", 2, info.fps))  # warm-up
    t0 = time.perf_counter()
    batch = extract_segment(task)
    dt = time.perf_counter() - t0
    return {"frames": len(batch), "seconds": round(dt, 2), "frames_per_s": round(len(batch) / dt, 1),
            "detection_rate": round(float(batch.valid.mean()), 3), "width": info.width, "height": info.height}


def recommend(cores: int, avail_mb: float, fps_one: float, models: dict, gpu: dict, worker_mb: float) -> list[tuple[str, str, str]]:
    realtime = 30.0
    workers = max(1, min(cores, int((avail_mb - 500) // max(worker_mb, 1))))
    total_fps = fps_one * workers
    if total_fps >= 3 * realtime and models.get("heavy"):
        profile, why = "accurate", f"{total_fps:.0f} frames/s expected with {workers} workers and the heavy model is available"
    elif total_fps >= realtime:
        profile, why = "balanced", f"{total_fps:.0f} frames/s expected with {workers} workers: faster than real time at 30 fps"
    else:
        profile, why = "fast", f"only {total_fps:.0f} frames/s expected: frame stride and a smaller input pay off"
    need_mb = 500 + workers * (worker_mb + 100)
    budget = int(min(avail_mb * 0.6, need_mb))
    if budget < need_mb:
        budget_why = f"60% of the {avail_mb:.0f} MB available now, leaving the rest to the system"
    else:
        budget_why = (f"what {workers} worker(s) need: {worker_mb:.0f} MB each (measured) + 100 MB of decoded frames, "
                      f"plus 500 MB for the main process; more would not be faster ({cores} cores set the pace, "
                      f"{avail_mb:.0f} MB available)")
    if gpu.get("available"):
        batch, bwhy = min(512, max(32, gpu["memory_mb"] // 64)), f"GPU with {gpu['memory_mb']} MB; the trainer still measures the largest batch that fits"
    else:
        batch, bwhy = (64 if avail_mb > 4000 else 16), "CPU training: moderate batches keep epochs responsive; use --max-memory to let the trainer measure the largest that fits"
    return [
        ("--performance-mode", profile, why),
        ("--workers", str(workers), f"{cores} cores; one pose worker costs about {worker_mb:.0f} MB (measured)"),
        ("--max-memory", str(budget), budget_why),
        ("TCN batch size", str(batch), bwhy),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, help="video to time (default: a generated 640x360 synthetic walk)")
    ap.add_argument("--frames", type=int, default=60, help="frames to time (default 60)")
    args = ap.parse_args()
    t_start = time.perf_counter()
    from core.pose.models import available_models

    cores = os.cpu_count() or 1
    vm = psutil.virtual_memory()
    disk = shutil.disk_usage(Path.cwd())
    models = available_models()
    gpu = gpu_info()
    print(f"cores: {cores} (physical {psutil.cpu_count(logical=False)})")
    print(f"RAM: {vm.total / 2**30:.1f} GiB total, {vm.available / 2**30:.1f} GiB available")
    print(f"free disk (here): {disk.free / 2**30:.1f} GiB")
    print(f"GPU: {gpu}")
    print(f"MediaPipe models offline: {', '.join(k + ('=yes' if v else '=no') for k, v in models.items())}")
    with tempfile.TemporaryDirectory() as tmp:
        video = args.video
        if video is None:
            from core.synthetic import GaitParams, generate_walking_video

            video = Path(tmp) / "probe.mp4"
            generate_walking_video(video, GaitParams(duration_s=max(2.5, args.frames / 30 + 0.5), fps=30.0, width_px=640, height_px=360))
        from core.errors import GaitToolError

        try:
            speed = measure_pose_fps(video, args.frames)
        except GaitToolError as exc:
            print(f"error: {exc}")
            return 2
        from core.config import load_profile
        from core.mediapipe_integration import ExtractionJob, measure_worker_mb
        from core.pose.video import probe_video

        info = probe_video(video)
        job = ExtractionJob(video, Path(tmp), info, {"model_complexity_used": 1, "roi": None}, {}, 0, 0, 0, "")
        worker_mb = measure_worker_mb(job, load_profile("balanced"), probe_frames=5)
    print(f"pose speed, one worker (decode + full model) on {speed['width']}x{speed['height']}: "
          f"{speed['frames_per_s']} frames/s over {speed['frames']} frames (detected in {speed['detection_rate']:.0%})")
    print("\nrecommendations:")
    for flag, value, why in recommend(cores, vm.available / 2**20, speed["frames_per_s"], models, gpu, worker_mb):
        print(f"  {flag:<20} {value:<10} {why}")
    print(f"\n(finished in {time.perf_counter() - t_start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
