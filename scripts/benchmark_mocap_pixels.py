"""Real walkers (motion capture) as side-view video pixels through the whole analysis; Markdown.

    python scripts/benchmark_mocap_pixels.py --data DIR_OF_C3D [--shared ../shared/data] [--fps 30 60]
        [--px-per-m 250 450] [--noise-px 1.5] [--seeds 2] [--directions right] [--profile balanced]

A user films a walker from the side; here the trials of ``benchmark_mocap`` (the C3D files of
``benchmark_mocap.TRIALS`` found in ``--data``, else every .c3d there) and the shared PD trial (with its
events csv, when ``--shared`` holds it) become that video's landmarks: each trial is turned about the
vertical so that it walks along +X (``core.gait.direction.progression_direction``), its lowest point
put at X = Y = 0, and then ``benchmark_gait_accuracy.video_proxy`` drops the depth, resamples it to
each ``--fps``, scales it to each ``--px-per-m`` and adds Gaussian noise (``--noise-px``, one draw per
``--seeds``): 2-D pixels (``units="px"``, ``is_2d=True``), so speed contacts, stance votes and the
leg-label cleaning all run, on labels that are all correct. Truth: the C3D EVENT group, the force
plates for a treadmill trial where ``benchmark_mocap.plate_truth`` finds them (and for a file without
events), the events csv for the shared trial; events are scored within +-50 ms inside the span the
truth covers (``analyze_series(..., truth_events=...)``). Per trial and setting: F1 (mean and min over
seeds), HS / TO MAE and bias (ms, mean over seeds), the frames whose leg labels the preprocessing
exchanged (``GaitResult.swapped``, per seed) and the confidence grade (per seed); then the median and
the worst over the trials of each setting (a failed run counts as F1 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import itertools  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from benchmark_gait_accuracy import DEFAULT_DATA, _turned, video_proxy  # noqa: E402
from benchmark_mocap import TOLERANCE_S, TRIALS, Trial, load_trial  # noqa: E402

from core.config import PreprocessConfig, load_profile  # noqa: E402
from core.errors import InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.direction import progression_direction  # noqa: E402
from core.io.events_csv import read_events_csv  # noqa: E402
from core.io.trc import read_trc  # noqa: E402
from core.types import KeypointSeries  # noqa: E402

SHARED_TRIAL = "overground_pd_150hz"


def load_trials(data: Path | None, shared: Path | None) -> list[Trial]:
    """The C3D trials of ``data`` (``TRIALS`` when present there, else every .c3d; a treadmill trial's plate
    events as its truth where it has them) and the shared PD trial (``shared``, when it holds it)."""
    trials = []
    if data is not None:
        files = [data / n for n in TRIALS if (data / n).is_file()] or sorted(data.glob("*.c3d"))
        for t in filter(None, map(load_trial, files)):
            trials.append(t._replace(truth=t.plates, source="plates") if t.plates else t)
    if shared is not None and (shared / f"{SHARED_TRIAL}.trc").is_file():
        series = read_trc(shared / f"{SHARED_TRIAL}.trc")
        truth = read_events_csv(shared / f"{SHARED_TRIAL}.events.csv")
        trials.append(Trial(f"shared {SHARED_TRIAL}", "overground", "events csv", series, truth))
    return trials


def along_x(series: KeypointSeries) -> KeypointSeries:
    """``series`` (metres) turned about the vertical so that it walks along +X, its lowest X and Y at 0."""
    forward = progression_direction(series.positions)
    p = _turned(series, -np.degrees(np.arctan2(forward[2], forward[0]))).positions
    p[..., :2] -= np.nanmin(p[..., :2].reshape(-1, 2), axis=0)
    return dataclasses.replace(series, positions=p)


def run_one(trial: Trial, fps: float, px_per_m: float, noise_px: float, seed: int, mirror: bool,
            cfg: PreprocessConfig) -> dict:
    """One proxy video of ``trial`` analysed and scored: F1, MAE / bias (ms), relabelled frames, grade."""
    video = video_proxy(along_x(trial.series), fps, noise_px, mirror, False, seed, px_per_m)
    try:
        result = analyze_series(video, cfg, truth_events=trial.truth, tolerance_s=TOLERANCE_S)
    except InsufficientDataError as exc:
        return {"f1": 0.0, "failed": exc.reason}
    ev = result.evaluation
    return {"f1": ev["overall"]["f1"], "hs_mae": ev["heel_strike"]["mae_ms"], "hs_bias": ev["heel_strike"]["bias_ms"],
            "to_mae": ev["toe_off"]["mae_ms"], "to_bias": ev["toe_off"]["bias_ms"],
            "swapped": int(np.sum(result.swapped)), "grade": result.quality.grade if result.quality else "-"}


def _mean(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if r.get(key) is not None and np.isfinite(r[key])]
    return float(np.mean(values)) if values else float("nan")


def _f(v: float, spec: str = ".1f") -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


def row(trial: Trial, setting: str, runs: list[dict]) -> str:
    """One Markdown row: a trial at one setting, over its runs (seeds x directions)."""
    f1 = [r["f1"] for r in runs]
    n_hs = sum(e.event == "heel_strike" for e in trial.truth)
    failed = "; ".join(sorted({r["failed"][:60] for r in runs if "failed" in r}))
    return (f"| {trial.name} | {trial.kind} | {trial.source} | {setting} | {n_hs} / {len(trial.truth) - n_hs} | "
            f"{np.mean(f1):.3f} ({min(f1):.2f}) | {_f(_mean(runs, 'hs_mae'))} / {_f(_mean(runs, 'hs_bias'), '+.1f')} | "
            f"{_f(_mean(runs, 'to_mae'))} / {_f(_mean(runs, 'to_bias'), '+.1f')} | "
            f"{' / '.join(str(r['swapped']) if 'swapped' in r else 'failed' for r in runs)} | "
            f"{' / '.join(r.get('grade', '-') for r in runs)}{f'; failed: {failed}' if failed else ''} |")


def summary(setting: str, per_trial: list[list[dict]]) -> str:
    """Median / worst over the trials of one setting (each trial's mean over its runs)."""
    def med_worst(values: list[float], worst, spec: str = ".1f") -> str:  # noqa: ANN001 - min or max
        v = [x for x in values if np.isfinite(x)]
        return f"{_f(np.median(v), spec)} / {_f(worst(v), spec)}" if v else "- / -"

    f1 = [float(np.mean([r["f1"] for r in runs])) for runs in per_trial]
    hs, to = ([_mean(runs, k) for runs in per_trial] for k in ("hs_mae", "to_mae"))
    swapped = [_mean(runs, "swapped") for runs in per_trial]
    return (f"| **median / worst** | | | {setting} | {len(per_trial)} trials | {med_worst(f1, min, '.3f')} | "
            f"{med_worst(hs, max)} | {med_worst(to, max)} | {med_worst(swapped, max, '.0f')} | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of the .c3d trials (benchmark_mocap's)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_DATA, help="folder with the shared PD trial")
    parser.add_argument("--fps", type=float, nargs="+", default=[30.0, 60.0])
    parser.add_argument("--px-per-m", type=float, nargs="+", default=[250.0, 450.0])
    parser.add_argument("--noise-px", type=float, default=1.5, help="Gaussian noise per coordinate (px)")
    parser.add_argument("--seeds", type=int, default=2, help="noise seeds per setting")
    parser.add_argument("--directions", nargs="+", choices=("right", "left"), default=["right"],
                        help="walking direction(s) in the image")
    parser.add_argument("--profile", default="balanced")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)
    trials = load_trials(args.data, args.shared)
    if not trials:
        raise SystemExit("no trial: pass --data with .c3d files or --shared with the shared PD trial")
    cfg = load_profile(args.profile).preprocessing
    print(f"# {len(trials)} trials as side-view pixels: noise {args.noise_px:g} px, {args.seeds} seed(s), walking "
          f"{' and '.join(args.directions)}; events within +-{TOLERANCE_S * 1000:.0f} ms; profile {args.profile}\n")
    print("| trial | kind | truth | fps, px/m | n HS / TO truth | F1 mean (min) | HS MAE / bias ms | "
          "TO MAE / bias ms | frames relabelled (per run) | grade (per run) |\n|---|---|---|---|---|---|---|---|---|---|")
    summaries = []
    for fps, px_per_m in itertools.product(args.fps, args.px_per_m):
        setting = f"{fps:g}, {px_per_m:g}"
        per_trial = []
        for trial in trials:
            runs = [run_one(trial, fps, px_per_m, args.noise_px, seed, direction == "left", cfg)
                    for direction in args.directions for seed in range(args.seeds)]
            per_trial.append(runs)
            print(row(trial, setting, runs), flush=True)
        summaries.append(summary(setting, per_trial))
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
