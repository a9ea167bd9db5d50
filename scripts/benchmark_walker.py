"""Is the walker analysed when someone else is in view, and is a small, far walker seen? Prints a Markdown table.

    python scripts/benchmark_walker.py [--work /tmp/walker_bench] [--set full|quick] [--seed N] [--keep]
        [--roles crossing ...] [--h264] [--out-name NAME] [--twins-from NAME] [--noise-seed M]

Cases (new random seeds every run unless --seed is given; the seeds are printed):
- two people: a second figure "standing", "opposite" (walks the other way behind), "crossing" (passes in
  front) or "on_box" (stands on a box higher up), x both directions x static and tracking camera
  (16 cases; quick: 2), 960x540. Each is also rendered without the second figure (its "twin": same seed,
  same walker, same scenery), so the event F1 difference is due to the second figure alone;
- small walker: 120 px tall in 1280x720, static camera, 12 s at 100 steps/min, both directions (quick: one).
Each case's light comes from the left or the right, drawn from its seed (``drawn_light_side``; its twin alike).
With --h264 the videos are written as H.264 at a phone's bit rate (``phone_bitrate_mbps``), else with
OpenCV's MPEG-4 writer. With --noise-seed M the same videos are rendered with the camera noise drawn from M
(``GaitParams.noise_seed``; own work folder): comparing two noise seeds shows how far the pose model's answer
to pixel noise alone moves F1, the floor under "within 0.02 of the twin" (docs/walker.md, "Session 17").
All videos go through the CLI in one in-process run (``usecases.gait_analysis.cli.main``) and are scored
against the generator's truth (``truth["people"]``):
- walker %: share of frames with a pose whose hip midpoint lies in the walker's truth box (other %: in the
  other figure's box);
- detected %: the same share among the frames where the walker is fully in view;
- F1 (and the twin's): events.csv against the truth events at +-50 ms (0 when the run failed);
- cadence err: |detected - truth| steps/min from gait_parameters.json;
- hidden events: truth events at frames where the other figure covers at least ``HIDDEN_FRAC`` of the
  walker (``occluded_frac``): no pose model sees those legs, so the F1 drop against the twin has a floor.
``person``/``track`` fields of gait_parameters.json are shown when present (the walker finder's choice).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402

import numpy as np  # noqa: E402

TOLERANCE_S = 0.05
HIDDEN_FRAC = 0.5
ROLES = ("standing", "opposite", "crossing", "on_box")
DIRECTIONS = ("left_to_right", "right_to_left")


@dataclass(frozen=True)
class Case:
    """One video: the second figure's role ("none" for a small walker alone), direction, camera, seed."""

    role: str
    direction: str
    camera: str
    seed: int
    width_px: int = 960
    height_px: int = 540
    walker_height_px: float | None = None
    noise_seed: int | None = None

    @property
    def name(self) -> str:
        d = "lr" if self.direction == "left_to_right" else "rl"
        size = f"_{self.walker_height_px:.0f}px" if self.walker_height_px else ""
        return f"{self.role}_{d}_{self.camera}{size}_s{self.seed}"

    @property
    def twin(self) -> "Case | None":
        """The same walk without the second figure (None for a case that has none)."""
        if self.role == "small" or self.role.startswith("twin-"):
            return None
        return Case("twin-" + self.role, self.direction, self.camera, self.seed, self.width_px, self.height_px,
                    noise_seed=self.noise_seed)

    def params(self):  # noqa: ANN201 - GaitParams
        from core.synthetic import GaitParams
        from core.synthetic.params import drawn_light_side

        role = self.role.removeprefix("twin-")
        second = "none" if self.role.startswith("twin-") or role == "small" else role
        static = self.camera == "static"
        duration = 12.0 if self.walker_height_px else 5.0 if static else 8.0
        return GaitParams(
            cadence_steps_per_min=100.0 if self.walker_height_px else None, direction=self.direction,
            width_px=self.width_px, height_px=self.height_px, duration_s=duration, seed=self.seed,
            camera=self.camera, noise=2.0, noise_seed=self.noise_seed, second_person=second,
            walker_height_px=self.walker_height_px, light_side=drawn_light_side(self.seed),
            # on a box: the walker keeps to the lower half (as in the real clip), in the twin too
            figure_height_frac=0.45 if role == "on_box" else 0.6,
        )


def cases(which: str, base_seed: int, only_roles: tuple[str, ...] = ()) -> list[Case]:
    roles = ROLES if which == "full" else ("standing", "crossing")
    cams = ("static", "tracking")
    combos = [(r, d, c) for r in roles for d in DIRECTIONS for c in cams]
    if which == "quick":
        combos = [("standing", "left_to_right", "static"), ("crossing", "right_to_left", "tracking")]
    out = [Case(r, d, c, base_seed + i) for i, (r, d, c) in enumerate(combos)]
    if only_roles:  # the same seeds as in the whole set; the small walker only when asked for ("small")
        out = [c for c in out if c.role in only_roles]
        if "small" not in only_roles:
            return out
    small = DIRECTIONS if which == "full" else DIRECTIONS[1:]
    out += [Case("small", d, "static", base_seed + 100 + i, 1280, 720, 120.0) for i, d in enumerate(small)]
    return out


def generate(all_cases: list[Case], video_dir: Path, h264: bool = False) -> None:
    from dataclasses import replace

    from core.synthetic import generate_walking_video
    from core.synthetic.params import phone_bitrate_mbps

    video_dir.mkdir(parents=True, exist_ok=True)
    for c in all_cases:
        path = video_dir / f"{c.name}.mp4"
        if not path.is_file():
            print(f"generating {path.name}", file=sys.stderr)
            params = c.params()
            if h264:
                params = replace(params, bitrate_mbps=phone_bitrate_mbps(params.width_px, params.height_px))
            generate_walking_video(path, params)


def run_pipeline(all_cases: list[Case], video_dir: Path, out_dir: Path, profile: str = "balanced") -> int:
    from usecases.gait_analysis.cli import main

    videos = [str(video_dir / f"{c.name}.mp4") for c in all_cases]
    print(f"analysing {len(videos)} video(s)", file=sys.stderr)
    return main(["--videos", *videos, "--output", str(out_dir), "-q", "--no-plots", "--performance-mode", profile])


def _boxes(person: dict | None, n: int) -> np.ndarray:
    if person is None:
        return np.full((n, 4), np.nan)
    rows = [[np.nan] * 4 if r is None or r[0] is None else r for r in person["box_px"]]
    return np.asarray(rows, dtype=float)


def _inside(points: np.ndarray, box: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (points[:, 0] >= box[:, 0]) & (points[:, 0] <= box[:, 2]) & (points[:, 1] >= box[:, 1]) & \
            (points[:, 1] <= box[:, 3])


def _event_f1(folder: Path, truth: dict) -> float:
    from core.gait.evaluation import evaluate_events
    from core.io.events_csv import read_events_csv
    from core.synthetic import truth_to_events

    path = folder / "events.csv"
    if not path.is_file():
        return 0.0
    detected = read_events_csv(path, int(truth["n_frames"]), float(truth["fps"]))
    return float(evaluate_events(detected, truth_to_events(truth), TOLERANCE_S)["overall"]["f1"])


def _choice_note(folder: Path) -> str:
    """The walker finder's choice, read defensively from gait_parameters.json (absent today)."""
    path = folder / "gait_parameters.json"
    if not path.is_file():
        return ""
    doc = json.loads(path.read_text())
    for key in ("person", "track", "walker"):
        value = doc.get(key)
        if isinstance(value, dict):
            return "; ".join(f"{k}={value[k]}" for k in ("chosen_track", "track", "id", "reason", "why") if k in value)
        if value is not None:
            return f"{key}={value}"
    return ""


def score(c: Case, video_dir: Path, out_dir: Path, failures: dict[str, str]) -> dict:
    from core.io.keypoint_store import read_store
    from usecases.gait_analysis.person_guard import guarded

    truth = json.loads((video_dir / f"{c.name}.truth.json").read_text())
    folder = out_dir / c.name
    n = int(truth["n_frames"])
    people = truth["people"]
    walker_box = _boxes(people[0], n)
    other_box = _boxes(people[1] if len(people) > 1 else None, n)
    hip = np.full((n, 2), np.nan)
    store = folder / "keypoints.jsonl.gz"
    if store.is_file():
        batch = guarded(read_store(store), folder)
        keep = batch.valid & (batch.frame < n)
        hip[batch.frame[keep]] = batch.image[keep][:, [23, 24], :2].mean(axis=1)
    posed = np.isfinite(hip[:, 0])
    in_view = np.asarray(people[0]["visible_frac"], dtype=float) >= 0.99
    occluded = np.asarray(people[0].get("occluded_frac", [0.0] * n), dtype=float)
    hidden = sum(occluded[min(int(e["frame"]), n - 1)] >= HIDDEN_FRAC for e in truth["events"])
    on_walker = _inside(hip, walker_box) & posed
    par = folder / "gait_parameters.json"
    cadence = json.loads(par.read_text()).get("cadence_steps_per_min") if par.is_file() else None
    return {
        "case": c.name, "seed": c.seed,
        "walker_pct": 100.0 * on_walker.sum() / max(posed.sum(), 1),
        "other_pct": 100.0 * (_inside(hip, other_box) & posed & ~on_walker).sum() / max(posed.sum(), 1),
        "detected_pct": 100.0 * (on_walker & in_view).sum() / max(in_view.sum(), 1),
        "f1": _event_f1(folder, truth),
        "cadence_err": abs(cadence - truth["cadence_steps_per_min"]) if cadence else float("nan"),
        "hidden": f"{hidden}/{len(truth['events'])}",
        "choice": _choice_note(folder),
        "error": failures.get(c.name, ""),
    }


def _f(v: float | None, spec: str) -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


def table(rows: list[dict]) -> list[str]:
    out = ["| case | seed | walker % (other %) | detected % in view | F1 | twin F1 | hidden events | cadence err spm | "
           "choice / error |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        note = (r["choice"] or r["error"])[:80]
        out.append(f"| {r['case']} | {r['seed']} | {r['walker_pct']:.0f} ({r['other_pct']:.0f}) | "
                   f"{r['detected_pct']:.0f} | {r['f1']:.3f} | {_f(r.get('twin_f1'), '.3f')} | {r['hidden']} | "
                   f"{_f(r['cadence_err'], '.1f')} | {note} |")
    return out


def summary(rows: list[dict]) -> list[str]:
    def stats(values: list[float], worst: str) -> str:
        v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
        if not v.size:
            return "-"
        return f"median {np.median(v):.3f}, worst {(v.min() if worst == 'min' else v.max()):.3f}"

    pairs = [r for r in rows if "twin_f1" in r]
    small = [r for r in rows if r["case"].startswith("small")]
    lines = [f"two-person cases: {len(pairs)}; walker chosen (walker % >= 90) in "
             f"{sum(r['walker_pct'] >= 90 for r in pairs)}; F1 within 0.02 of the twin in "
             f"{sum(r['twin_f1'] - r['f1'] <= 0.02 for r in pairs)}",
             f"  walker %: {stats([r['walker_pct'] for r in pairs], 'min')}",
             f"  F1: {stats([r['f1'] for r in pairs], 'min')}; twin F1: {stats([r['twin_f1'] for r in pairs], 'min')}",
             f"  F1 drop vs twin: {stats([r['twin_f1'] - r['f1'] for r in pairs], 'max')}",
             f"  F1 drop vs twin, cases with no hidden event: "
             f"{stats([r['twin_f1'] - r['f1'] for r in pairs if r['hidden'].startswith('0/')], 'max')}",
             f"  cadence err spm: {stats([r['cadence_err'] for r in pairs], 'max')}"]
    if small:
        lines += [f"small walker (120 px, 1280x720): {len(small)} cases; detected % in view: "
                  f"{stats([r['detected_pct'] for r in small], 'min')}; F1: {stats([r['f1'] for r in small], 'min')}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/walker_bench"), help="scratch folder")
    parser.add_argument("--set", default="full", choices=("full", "quick"), help="which cases")
    parser.add_argument("--seed", type=int, help="base seed (default: a new random one each run)")
    parser.add_argument("--keep", action="store_true", help="keep the videos and outputs in WORK")
    parser.add_argument("--roles", nargs="+", choices=(*ROLES, "small"), default=(),
                        help="only these second-figure roles (all directions and cameras of --set full), and the "
                             "small walker (both directions) only with 'small'")
    parser.add_argument("--h264", action="store_true",
                        help="write the videos as H.264 at a phone's bit rate (default: OpenCV's MPEG-4 writer)")
    parser.add_argument("--out-name", help="the outputs' folder in the work folder (default: out, out_PROFILE); "
                                               "an A/B of two code versions on the same kept videos")
    parser.add_argument("--twins-from", metavar="NAME",
                        help="score the twins from this outputs' folder of an earlier run (same seed) instead of "
                             "analysing them again: code that only changes what a second figure does")
    parser.add_argument("--noise-seed", type=int,
                        help="render the same videos with the camera noise drawn from this seed (own work folder)")
    parser.add_argument("--profile", default="balanced", choices=("fast", "balanced", "accurate"),
                        help="the CLI's --performance-mode (default balanced)")
    args = parser.parse_args(argv)
    base_seed = args.seed if args.seed is not None else secrets.randbits(20)
    print(f"base seed {base_seed} (rerun with --seed {base_seed})", file=sys.stderr)
    main_cases = cases("full" if args.roles else args.set, base_seed, tuple(args.roles))
    if args.noise_seed is not None:
        main_cases = [replace(c, noise_seed=args.noise_seed) for c in main_cases]
    all_cases = main_cases + [c.twin for c in main_cases if c.twin is not None]
    work = args.work / (f"seed{base_seed}_h264" if args.h264 else f"seed{base_seed}")
    if args.noise_seed is not None:
        work = work.with_name(f"{work.name}_noise{args.noise_seed}")
    out_name = args.out_name or ("out" if args.profile == "balanced" else f"out_{args.profile}")
    video_dir, out_dir = work / "videos", work / out_name
    twin_dir = work / args.twins_from if args.twins_from else out_dir
    generate(all_cases, video_dir, args.h264)
    run_pipeline(main_cases if args.twins_from else all_cases, video_dir, out_dir, args.profile)
    failures = {}
    if (out_dir / "failures.json").is_file():
        failures = {Path(f["input"]).stem: f["error"] for f in json.loads((out_dir / "failures.json").read_text())}
    rows = []
    for c in main_cases:
        row = score(c, video_dir, out_dir, failures)
        if c.twin is not None:
            row["twin_f1"] = score(c.twin, video_dir, twin_dir, failures)["f1"]
        rows.append(row)
    print("\n".join(table(rows)))
    print("\n" + "\n".join(summary(rows)))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
