"""Real phone footage: the Sports2D demo clip against visual heel-contact annotations; prints Markdown.

    python scripts/benchmark_real_clip.py [--video demo.mp4] [--work DIR] [--modes rest,touchdown,rest+learned]

The clip is Sports2D's demo recording (``Sports2D/Demo/demo.mp4`` in the ``sports2d`` wheel on PyPI,
BSD-3-Clause; 1768x994, 30 fps, 230 frames): a woman in sandals walks leftward across a lawn while a
man stands on a box above her and later jumps down. Without ``--video`` the wheel is fetched once
with ``pip download`` into ``--work`` (network needed) and the clip is read from it.

For each mode, a heel-strike timing (``--heel-strike rest`` or ``touchdown``), optionally with
``+learned`` (the learned event timing, ``preprocessing.event_refiner``, through a copy of the
profile file), the whole CLI runs without a region of interest (the person finder must pick the
walker) and with ``--roi 0,0.45,1,1``. Heel
strikes are matched to ``ANNOTATIONS`` (same side, nearest, within 10 frames) and counted within 1
and 2 frames; F1 at 2 frames counts the other detections within 4 frames of the annotated span as false.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WHEEL = "sports2d==0.8.34"
MEMBER = "Sports2D/Demo/demo.mp4"
# Visual heel contact (the first frame the foot is seen on the ground; .5 = between two frames),
# annotated by the lead on 2x foot crops of every frame (session 4). The walker lands flat-footed on
# grass and her foot keeps moving forward 3-5 frames after it is first seen on the ground.
ANNOTATIONS = [("right", 54.5), ("left", 74.0), ("right", 94.0), ("left", 112.0), ("right", 130.0),
               ("left", 147.5), ("right", 167.0)]
# Errors are reported for the nearest heel strike of the same side within PAIR_FRAMES; F1 counts
# detections within SPAN_FRAMES of the annotated span.
PAIR_FRAMES = 10.0
SPAN_FRAMES = 4.0


def fetch_clip(work: Path) -> Path:
    """The demo clip, extracted from the sports2d wheel fetched into ``work`` (once)."""
    clip = work / "sports2d_demo.mp4"
    if clip.exists():
        return clip
    work.mkdir(parents=True, exist_ok=True)
    wheels = sorted(work.glob("sports2d-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", WHEEL, "-d", str(work), "-q"], check=True)
        wheels = sorted(work.glob("sports2d-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        clip.write_bytes(wheel.read(MEMBER))
    return clip


def profile_copy(work: Path, learned: bool, engine: str | None) -> Path:
    """A copy of the profile file whose defaults switch the learned event timing on (``learned``) and
    whose profiles all run the pose engine ``engine`` (when given)."""
    from core.config import read_config_file, with_pose_engine

    profile = read_config_file(None)
    if learned:
        profile["defaults"]["preprocessing"]["event_refiner"] = "learned"
    profile = with_pose_engine(profile, engine) if engine else profile
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"profile{'_learned' if learned else ''}{'_' + engine if engine else ''}.json"
    path.write_text(json.dumps(profile))
    return path


def run_cli(clip: Path, out: Path, mode: str, roi: str | None, engine: str | None = None,
            profile: str = "balanced") -> Path:
    """Run the CLI on ``clip`` in ``mode`` ("rest", "touchdown", either + "+learned") with the pose
    engine ``engine`` (None: the profile's) and the performance profile ``profile``; returns the clip's
    output folder."""
    heel_strike, _, refiner = mode.partition("+")
    cmd = [sys.executable, str(ROOT / "main_gait_analysis.py"), "--videos", str(clip), "--output", str(out),
           "--heel-strike", heel_strike, "-q", "--performance-mode", profile]
    if refiner == "learned" or engine:
        cmd += ["--config", str(profile_copy(out.parent, refiner == "learned", engine))]
    if roi:
        cmd += ["--roi", roi]
    subprocess.run(cmd, check=False)
    return out / clip.stem


def heel_strikes(folder: Path) -> list[tuple[str, float]]:
    """(side, frame) of every detected heel strike (sub-frame, from time_s at the clip's 30 fps)."""
    with (folder / "events.csv").open() as f:
        return [(r["side"], 30.0 * float(r["time_s"])) for r in csv.DictReader(f) if r["event"] == "heel_strike"]


def score(found: list[tuple[str, float]]) -> dict:
    """Errors (frames) against ``ANNOTATIONS`` and counts within 1 and 2 frames."""
    errors, used = [], set()
    for side, frame in ANNOTATIONS:
        cands = [(abs(f - frame), i) for i, (s, f) in enumerate(found) if s == side and i not in used]
        if cands and min(cands)[0] <= PAIR_FRAMES:
            i = min(cands)[1]
            used.add(i)
            errors.append(found[i][1] - frame)
        else:
            errors.append(None)
    lo, hi = ANNOTATIONS[0][1] - SPAN_FRAMES, ANNOTATIONS[-1][1] + SPAN_FRAMES
    inside = [f for _, f in found if lo <= f <= hi]
    hits = sum(e is not None and abs(e) <= 2 for e in errors)
    f1 = 2 * hits / (len(ANNOTATIONS) + len(inside)) if inside or ANNOTATIONS else 0.0
    matched = [e for e in errors if e is not None]
    return {"errors": errors, "within_1": sum(abs(e) <= 1 for e in matched), "within_2": hits, "f1_2": f1,
            "median_error": float(np.median(matched)) if matched else float("nan"), "n_detected": len(found)}


def summary_row(folder: Path, mode: str, roi: str | None) -> str:
    doc = json.loads((folder / "gait_parameters.json").read_text())
    s = score(heel_strikes(folder))
    person = doc.get("person") or {}
    errs = " ".join("-" if e is None else f"{e:+.1f}" for e in s["errors"])
    return (f"| {mode} | {roi or 'none'} | {person.get('chosen_track', '-')} | {s['n_detected']} | "
            f"{s['within_1']}/{len(ANNOTATIONS)} | {s['within_2']}/{len(ANNOTATIONS)} | {s['f1_2']:.2f} | "
            f"{s['median_error']:+.1f} | {errs} | {doc['cadence_steps_per_min']:.1f} | "
            f"{doc['confidence']['grade']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--video", type=Path, help="the demo clip (default: fetched into --work)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gait_real_clip"), help="working folder")
    parser.add_argument("--modes", default="rest,touchdown,rest+learned",
                        help="heel-strike timings to run, each optionally +learned (the learned event timing)")
    parser.add_argument("--engine", choices=("graph", "direct"), help="pose engine (default: the profile's)")
    parser.add_argument("--profile", default="balanced", choices=("fast", "balanced", "accurate"),
                        help="the CLI's --performance-mode (default balanced)")
    parser.add_argument("--no-roi-only", action="store_true", help="skip the runs with --roi 0,0.45,1,1")
    args = parser.parse_args(argv)
    clip = args.video or fetch_clip(args.work)
    print(f"# clip: {clip}; annotations (frame): {', '.join(f'{s} {f:g}' for s, f in ANNOTATIONS)}\n")
    print("| heel strike | roi | track | HS found | within 1 frame | within 2 frames | F1 at 2 frames | "
          "median error (frames) | error per annotated HS | cadence steps/min | grade |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        for roi in (None,) if args.no_roi_only else (None, "0,0.45,1,1"):
            tag = "" if args.profile == "balanced" else f"_{args.profile}"
            out = args.work / f"out_{mode}_{'roi' if roi else 'auto'}{tag}"
            folder = run_cli(clip, out, mode, roi, args.engine, args.profile)
            if not (folder / "gait_parameters.json").exists():
                print(f"| {mode} | {roi or 'none'} | failed: see {out} |")
                continue
            print(summary_row(folder, mode, roi), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
