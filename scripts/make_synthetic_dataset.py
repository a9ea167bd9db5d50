"""Render a labelled set of synthetic walking videos, N per style, with truth and event files.

    python scripts/make_synthetic_dataset.py --per-style 10 --out data/synth

Writes ``<style>_<i>.mp4``, ``<style>_<i>.truth.json``, ``<style>_<i>.events.csv`` and ``labels.csv``
(``video,label``, video names relative to --out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.errors import GaitToolError  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--per-style", type=int, required=True, help="videos per style")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height-px", type=int, default=480)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import numpy as np
    from tqdm import tqdm

    from core.io.atomic import write_text
    from core.io.events_csv import write_events_csv
    from core.synthetic import STYLES, GaitParams, generate_walking_video, truth_to_events
    from core.synthetic.dataset import random_params

    if args.per_style < 1:
        print("error: --per-style must be at least 1", file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    jobs = [(style, i) for style in STYLES for i in range(args.per_style)]
    lines = ["video,label"]
    try:
        base = GaitParams(fps=args.fps, width_px=args.width, height_px=args.height_px, duration_s=args.seconds)
        for style, i in tqdm(jobs, desc="synthetic videos", unit="video"):
            name = f"{style}_{i:03d}.mp4"
            truth = generate_walking_video(args.out / name, random_params(style, rng, base))
            write_events_csv(args.out / f"{style}_{i:03d}.events.csv", truth_to_events(truth))
            lines.append(f"{name},{style}")
        write_text(args.out / "labels.csv", "\n".join(lines) + "\n")
    except GaitToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(jobs)} videos ({args.per_style} per style: {', '.join(STYLES)}) and labels.csv to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
