"""The walker scan's camera pan against the truth: prints a Markdown table.

    python scripts/benchmark_scan_pan.py VIDEO [VIDEO ...] [--parts N]

Each video runs ``core.pose.follow.scan_video`` in this process (as the CLI's scan, one part unless
``--parts``). With the generator's ``<stem>.truth.json`` beside it, the scenery's true pan is
``-sign * (camera_center_x_m[f] - camera_center_x_m[first scan]) * px_per_m`` (original-frame px; the
scenery moves against the camera; sign: +1 for a walk left to right, -1 right to left, whose world x
runs leftwards in the image, ``core.synthetic.camera.Camera``), and its true speed at a scan ``f`` is
the same over the scan's pair (``PAN_GAP_FRAMES``). Without truth (a real static-camera clip) the truth
is no pan at all.

Columns: the measured and true cumulative pan over the scans (px); its error as % of the true travel
(of the frame width when the camera stands still); the per-scan speed error (px/frame: median and
worst over the scans that measured one, as measured, and worst as integrated after ``steady_speeds``);
how many scans measured none; the chosen track; whether its boxes follow the truth's walker (box
centre inside the walker's truth box at >= 90 % of its sightings); its ground direction
(``ground_direction_x``) against the truth's; the scan's CPU seconds (``time.process_time``, this
process only).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def measure(video: Path, parts: int) -> dict:
    """One video's scan: measured speeds (px/frame at each scan), pan, choice and CPU seconds."""
    import core.pose.follow as follow
    from core.config import load_profile
    from core.pose.video import probe_video
    from core.pose.walker_choice import ground_direction_x

    captured: dict[str, np.ndarray] = {}
    integrate = follow.integrate_pan

    def spy(speeds: np.ndarray, frames: np.ndarray) -> np.ndarray:
        captured["speeds"] = np.array(speeds, dtype=float)
        return integrate(speeds, frames)

    info = probe_video(video)
    follow.integrate_pan = spy
    try:
        cpu = time.process_time()
        scan = follow.scan_video(video, info.n_frames, info.fps, info.width, info.height, parts=parts,
                                 every_s=load_profile("balanced").pose.scan_every_s)
        cpu = time.process_time() - cpu
    finally:
        follow.integrate_pan = integrate
    chosen = next((t for t in scan.tracks if t.track_id == scan.chosen_id), None)
    direction = ground_direction_x(chosen, scan.pan_px, scan.scan_frames) if chosen else None
    return {"frames": scan.scan_frames.astype(int), "pan": scan.pan_px, "speeds": captured["speeds"],
            "chosen": chosen, "direction": direction, "cpu_s": cpu, "width": info.width}


def truth_of(video: Path, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """True cumulative pan (px) and speed (px/frame) at ``frames``; zeros without a truth file."""
    from core.pose.scan_pan import PAN_GAP_FRAMES

    path = video.with_suffix(".truth.json")
    if not path.exists():
        return np.zeros(len(frames)), np.zeros(len(frames)), None
    truth = json.loads(path.read_text())
    sign = -1.0 if truth["direction"] == "right_to_left" else 1.0
    c = sign * np.asarray(truth["camera_center_x_m"], float) * truth["px_per_m"]
    pan = -(c[frames] - c[frames[0]])
    ahead = np.minimum(frames + PAN_GAP_FRAMES, len(c) - 1)
    speed = -(c[ahead] - c[frames]) / np.maximum(ahead - frames, 1)
    return pan, speed, truth


def on_walker(track: object, truth: dict | None) -> str:
    """Whether the chosen track's box centres lie in the truth walker's box (>= 90 % of sightings)."""
    if truth is None or track is None:
        return "-" if track is not None else "none"
    boxes = np.asarray(truth["people"][0]["box_px"], float)
    hits = [boxes[f, 0] <= (b[0] + b[2]) / 2 <= boxes[f, 2] and boxes[f, 1] <= (b[1] + b[3]) / 2 <= boxes[f, 3]
            for f, b in zip(track.frames, track.boxes) if f < len(boxes)]
    return f"{'yes' if np.mean(hits) >= 0.9 else 'NO'} ({100 * np.mean(hits):.0f} %)"


def row(video: Path, parts: int) -> str:
    got = measure(video, parts)
    pan_true, speed_true, truth = truth_of(video, got["frames"])
    travel = abs(pan_true[-1]) if abs(pan_true[-1]) > 1 else float(got["width"])
    err_pct = 100 * (got["pan"][-1] - pan_true[-1]) / travel
    from core.pose.scan_pan import steady_speeds

    ok = np.isfinite(got["speeds"])
    speed_err = np.abs(got["speeds"][ok] - speed_true[ok])
    steady = steady_speeds(got["speeds"])
    steady_err = np.abs(steady - speed_true)[np.isfinite(steady)]
    true_dir = {"left_to_right": 1, "right_to_left": -1}.get(truth.get("direction"), 0) if truth else "?"
    track = got["chosen"]
    return (f"| {video.name} | {got['pan'][-1]:.0f} | {pan_true[-1]:.0f} | {err_pct:+.1f} | "
            f"{np.median(speed_err):.2f} / {np.max(speed_err):.2f} | {np.max(steady_err):.2f} | "
            f"{int((~ok).sum())} / {len(ok)} | "
            f"{track.track_id if track else '-'} | {on_walker(track, truth)} | {got['direction']} ({true_dir}) | "
            f"{got['cpu_s']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--parts", type=int, default=1, help="scan tasks (run one after the other here)")
    args = parser.parse_args()
    print("| video | pan px | true px | error % of travel | speed err px/frame median / worst | steadied worst | "
          "scans without speed | chosen | on walker | direction (true) | scan CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for video in args.videos:
        print(row(video, args.parts), flush=True)


if __name__ == "__main__":
    main()
