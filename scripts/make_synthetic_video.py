"""Render a synthetic side-view walking video with exact ground truth.

    python scripts/make_synthetic_video.py --out demo/walk.mp4 --seconds 10 --cadence 110 --fps 30

Writes the video, ``<stem>.truth.json`` beside it and, with --events-csv, ``<stem>.events.csv``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.errors import GaitToolError  # noqa: E402
from core.synthetic.params import (  # noqa: E402
    CAMERA_MODES, DIRECTIONS, LIGHT_SIDES, LOOKS, SECOND_PERSON_ROLES, STYLES,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="output video path (.mp4)")
    p.add_argument("--seconds", type=float, default=10.0, help="duration in seconds (default 10)")
    p.add_argument("--cadence", type=float, default=None, help="steps per minute (default: the style's typical)")
    p.add_argument("--step-length", type=float, default=None,
                   help="mean step length in m (default: the style's typical)")
    p.add_argument("--height", type=float, default=1.75, help="subject height in m (default 1.75)")
    p.add_argument("--direction", choices=DIRECTIONS, default="left_to_right")
    p.add_argument("--style", choices=tuple(STYLES), default="normal")
    p.add_argument("--affected-side", choices=("left", "right"), default="right",
                   help="impaired side of asymmetric styles")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--width", type=int, default=1280, help="frame width in px (default 1280)")
    p.add_argument("--height-px", type=int, default=720, help="frame height in px (default 720)")
    p.add_argument("--camera", choices=CAMERA_MODES, default="auto", help="static, tracking, or auto (default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--noise", type=float, default=2.0, help="camera noise std in grey levels (default 2)")
    p.add_argument("--variability", type=float, default=0.0, help="stride-to-stride variation, e.g. 0.02")
    p.add_argument("--look", choices=LOOKS, default="clean",
                   help="clean (default) or phone: 1/60 s shutter blur, H.264 at a phone bitrate, grass or asphalt, "
                        "varied footwear, an occluder passing in front, handheld shake")
    p.add_argument("--second-person", choices=SECOND_PERSON_ROLES, default="none",
                   help="another figure: standing, opposite (walks the other way behind), crossing (passes in "
                        "front), on_box (stands on a box higher up); the walker is the same as without it")
    p.add_argument("--walker-height-px", type=float, default=None,
                   help="the standing walker's height in px (a far, small walker), e.g. 120")
    p.add_argument("--there-and-back", type=float, default=None, metavar="STAND_S",
                   help="walk there and back: --seconds each way, the walker standing STAND_S s between the passes "
                        "(0: the passes cut together, an instant reversal); static camera")
    p.add_argument("--light-side", choices=LIGHT_SIDES, default=None,
                   help="image side of the key light that shades the figures (default: left; with --look phone, "
                        "drawn from the seed)")
    p.add_argument("--events-csv", action="store_true", help="also write <stem>.events.csv")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from core.io.events_csv import write_events_csv
    from core.synthetic import GaitParams, generate_walking_video, truth_path, truth_to_events, with_look
    from core.synthetic.there_and_back import generate_there_and_back_video

    try:
        params = with_look(GaitParams(
            cadence_steps_per_min=args.cadence, step_length_m=args.step_length, subject_height_m=args.height,
            direction=args.direction, style=args.style, fps=args.fps, width_px=args.width, height_px=args.height_px,
            duration_s=args.seconds, seed=args.seed, noise=args.noise, variability=args.variability,
            affected_side=args.affected_side, camera=args.camera, second_person=args.second_person,
            walker_height_px=args.walker_height_px,
        ), args.look)
        if args.light_side is not None:
            params = replace(params, light_side=args.light_side)
        if args.there_and_back is None:
            truth = generate_walking_video(args.out, params)
        else:
            truth = generate_there_and_back_video(args.out, params, args.there_and_back)
        if args.events_csv:
            write_events_csv(args.out.with_name(args.out.stem + ".events.csv"), truth_to_events(truth))
    except GaitToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {truth['n_frames']} frames {params.width_px}x{params.height_px} @ {params.fps:g} fps, "
          f"{params.style}, cadence {truth['cadence_steps_per_min']:.1f} steps/min, "
          f"step {truth['step_length_m']:.3f} m, "
          f"speed {truth['walking_speed_m_s']:.2f} m/s, {len(truth['events'])} events, {truth['camera_mode']} camera, "
          f"{len(truth.get('people', [1]))} figure(s), {len(truth.get('passes', [1]))} pass(es); "
          f"truth {truth_path(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
