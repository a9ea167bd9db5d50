#!/usr/bin/env python
"""Cost of the person finder and the walker crop, as CPU seconds per video frame.

    python scripts/benchmark_finder_cost.py --video walk_1080p.mp4 --repeat 3

Measures, each in a fresh subprocess (CPU of the whole process tree, so shared machines inflate wall
time but not these figures): ``--extract-only --person frame`` (no finder: pose on the whole frame)
and ``--extract-only --person auto`` (scan, choice, pose on the crop); and, in this process, the
scan phase alone. Without --video a 1080p synthetic walk is generated.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def scan_cpu_s(video: Path) -> float:
    from core.config import load_profile
    from core.pose.follow import scan_video
    from core.pose.video import probe_video

    info = probe_video(video)
    c0 = time.process_time()
    scan_video(video, info.n_frames, info.fps, info.width, info.height,
               every_s=load_profile("balanced").pose.scan_every_s)
    return time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", type=Path)
    ap.add_argument("--seconds", type=float, default=6.0, help="length of the generated video")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="pose workers (default 1: least contention)")
    args = ap.parse_args()
    from benchmark_performance import measure

    from core.pose.video import probe_video

    tmp = Path(tempfile.mkdtemp(prefix="finder_cost_"))
    video = args.video
    if video is None:
        video = tmp / "walk_1080p.mp4"
        subprocess.run([sys.executable, str(ROOT / "scripts/make_synthetic_video.py"), "--out", str(video),
                        "--seconds", str(args.seconds), "--width", "1920", "--height-px", "1080",
                        "--camera", "static"], check=True, stdout=subprocess.DEVNULL)
    n = probe_video(video).n_frames
    rows: dict[str, list[float]] = {"frame": [], "auto": [], "scan": []}
    for r in range(args.repeat):
        for mode in ("frame", "auto"):
            m = measure("extraction", video, tmp / f"{mode}{r}", "balanced", ["--person", mode, "--workers", str(args.workers)])
            rows[mode].append(m["cpu_s"] / n)
        rows["scan"].append(scan_cpu_s(video) / n)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"{video.name}: {n} frames, {args.repeat} repeat(s), CPU ms per frame (median; worst)")
    for k, label in (("frame", "extraction, --person frame"), ("auto", "extraction, --person auto"),
                     ("scan", "scan phase alone")):
        print(f"  {label:28s} {1000 * med[k]:7.1f}  {1000 * max(rows[k]):7.1f}")
    print(f"  scan / extraction(frame)     {100 * med['scan'] / med['frame']:6.1f} %")
    print(f"  auto / frame - 1             {100 * (med['auto'] / med['frame'] - 1):6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
