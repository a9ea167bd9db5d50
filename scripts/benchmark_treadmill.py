"""Randomised treadmill benchmark on metric (motion-capture) data; prints Markdown tables.

    python scripts/benchmark_treadmill.py [--n 60] [--seed S] [--data ../shared/data]

Each case takes an annotated walk, puts it on a treadmill (``core.gait.ground.on_belt``: a constant
belt velocity of 0.8-1.3 x the walking speed, backwards; a few cases stay overground), resamples it
to 100, 120 or 200 Hz, crops a random 0-0.6 s off each end (so events fall near the start and the
end), adds Gaussian marker noise (0-2 mm per coordinate), and brings it in one form: 3-D, 2-D
(Z = 0), 2-D walking towards -X, right leg only 3-D or 2-D (then only right events are scored).
Walks: the shared PD trial (150 Hz, 6 HS / 7 TO annotated) and the synthetic walker's exact
landmarks in metres (``core.synthetic``, styles normal / hemiparetic / shuffling / antalgic, 70-120
steps/min, 8 s). The full ``analyze_series`` runs on each; F1 at +-50 ms and HS / TO MAE are
printed per case and summarised as median and worst per walk and form. "missed near an end": truth
events within 0.15 s of the recording's first or last sample that were not found.

Truth-free check on the stroke trial (no annotations): the same crop, rate and noise overground and
on the belt must give the same events (count and time; the belt only adds a constant velocity).
Seeds: ``--seed`` (default: a new one, printed) seeds every case.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import secrets  # noqa: E402
from collections import defaultdict  # noqa: E402

import numpy as np  # noqa: E402

from core.config import PreprocessConfig, load_profile  # noqa: E402
from core.constants import LEG_LANDMARKS  # noqa: E402
from core.errors import InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.direction import pelvis_position, progression_direction  # noqa: E402
from core.gait.evaluation import evaluate_events, match_events  # noqa: E402
from core.gait.ground import on_belt  # noqa: E402
from core.io.events_csv import read_events_csv  # noqa: E402
from core.io.trc import read_trc  # noqa: E402
from core.types import GaitEvent, KeypointSeries  # noqa: E402

TOLERANCE_S = 0.05
EDGE_S = 0.15
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FORMS = ("3-D", "2-D", "2-D towards -X", "right leg 3-D", "right leg 2-D")
STYLES = ("normal", "hemiparetic", "shuffling", "antalgic")


@dataclasses.dataclass(frozen=True)
class Case:
    """One randomised condition (see the module docstring)."""

    walk: str
    belt_fraction: float
    rate_hz: float
    crop_s: tuple[float, float]
    noise_mm: float
    form: str
    seed: int


def draw_case(rng: np.random.Generator, walks: list[str]) -> Case:
    belt = 0.0 if rng.random() < 0.1 else float(rng.uniform(0.8, 1.3))
    return Case(str(rng.choice(walks)), belt, float(rng.choice([100.0, 120.0, 200.0])),
                (float(rng.uniform(0, 0.6)), float(rng.uniform(0, 0.6))), float(rng.uniform(0, 2.0)),
                str(rng.choice(FORMS)), int(rng.integers(2**31)))


def synthetic_walk(style: str, seed: int) -> tuple[KeypointSeries, list[GaitEvent]]:
    """The synthetic walker's exact landmarks in metres, overground along +X, at 200 Hz, and its events."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series

    cadence = float(np.random.default_rng(seed).uniform(70, 120))
    truth = simulate_walk(GaitParams(style=style, duration_s=8.0, seed=seed % 10000, fps=200.0,
                                     cadence_steps_per_min=cadence))[2]
    series = truth_to_series(truth)
    p = on_belt(series.positions / truth["px_per_m"], series.time_s, np.array([1.0, 0.0, 0.0]),
                truth["walking_speed_m_s"])
    return dataclasses.replace(series, positions=p, units="m"), truth_to_events(truth)


def walking_speed(series: KeypointSeries) -> tuple[float, np.ndarray]:
    pelvis = pelvis_position(series.positions)
    ok = np.isfinite(pelvis).all(axis=1)
    forward = progression_direction(series.positions)
    return float(np.polyfit(series.time_s[ok], pelvis[ok] @ forward, 1)[0]), forward


def transformed(series: KeypointSeries, truth: list[GaitEvent], case: Case, belt: bool = True
                ) -> tuple[KeypointSeries, list[GaitEvent]]:
    """``series`` put on the belt, resampled, cropped, noised and in ``case.form``; truth moved along."""
    speed, forward = walking_speed(series)
    p = on_belt(series.positions, series.time_s, forward, -case.belt_fraction * speed) if belt else series.positions
    t0, t1 = series.time_s[0] + case.crop_s[0], series.time_s[-1] - case.crop_s[1]
    t = np.arange(t0, t1, 1.0 / case.rate_hz)
    flat = p.reshape(series.n_frames, -1)
    q = np.stack([np.interp(t, series.time_s, col) for col in flat.T], axis=1).reshape(len(t), -1, 3)
    q = q + np.random.default_rng(case.seed).normal(0.0, case.noise_mm / 1000.0, q.shape)
    conf = np.ones(q.shape[:2])
    if case.form.startswith("right leg"):
        left = list(LEG_LANDMARKS["left"].values())
        q[:, left], conf[:, left] = np.nan, 0.0
        truth = [e for e in truth if e.side == "right"]
    if "-X" in case.form:
        q[..., 0], q[..., 2] = -q[..., 0], -q[..., 2]
    if "2-D" in case.form:
        q[..., 2] = 0.0
    moved = [GaitEvent(e.side, e.event, int(round((e.time_s - t0) * case.rate_hz)), e.time_s - t0)
             for e in truth if t0 <= e.time_s <= t[-1]]
    out = KeypointSeries(q, t - t0, conf, units="m", name=case.walk, is_2d="2-D" in case.form)
    return out, moved


def score(case: Case, source: tuple[KeypointSeries, list[GaitEvent]], cfg: PreprocessConfig) -> dict:
    series, truth = transformed(*source, case)
    try:
        ev = analyze_series(series, cfg, truth_events=truth, tolerance_s=TOLERANCE_S).evaluation
    except InsufficientDataError as exc:
        print(f"no events: {case}: {exc}")
        ev = evaluate_events([], truth, TOLERANCE_S)
    end = series.time_s[-1]
    found = {(p["side"], p["event"], round(p["truth_s"], 6)) for p in ev["pairs"]}
    near = [e for e in truth if min(e.time_s, end - e.time_s) < EDGE_S]
    missed = sum((e.side, e.event, round(e.time_s, 6)) not in found for e in near)
    return {"f1": ev["overall"]["f1"], "hs": ev["heel_strike"]["mae_ms"], "to": ev["toe_off"]["mae_ms"],
            "hs_bias": ev["heel_strike"]["bias_ms"], "to_bias": ev["toe_off"]["bias_ms"],
            "near": len(near), "missed_near": missed, "n_truth": len(truth)}


def _f(v: float | None, spec: str = ".1f") -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


def _stats(values: list[float | None], worst: str) -> str:
    v = np.array([x for x in values if x is not None], dtype=float)
    if not v.size:
        return "-"
    return f"{np.median(v):.{3 if worst == 'min' else 1}f} / {(v.min() if worst == 'min' else v.max()):.{3 if worst == 'min' else 1}f}"


def summary(rows: list[tuple[Case, dict]], key) -> list[str]:  # noqa: ANN001 - a function of a Case
    groups: dict[str, list[dict]] = defaultdict(list)
    for case, s in rows:
        groups[key(case)].append(s)
        groups["all"].append(s)
    out = ["| group | cases | F1 median / worst | HS MAE ms median / worst | TO MAE ms median / worst | "
           "HS bias ms median | TO bias ms median | truth events near an end: missed |", "|---|---|---|---|---|---|---|---|"]
    for name in sorted(groups, key=lambda g: (g == "all", g)):
        g = groups[name]
        out.append(f"| {name} | {len(g)} | {_stats([s['f1'] for s in g], 'min')} | {_stats([s['hs'] for s in g], 'max')} | "
                   f"{_stats([s['to'] for s in g], 'max')} | {_f(np.nanmedian([s['hs_bias'] or np.nan for s in g]), '+.1f')} | "
                   f"{_f(np.nanmedian([s['to_bias'] or np.nan for s in g]), '+.1f')} | "
                   f"{sum(s['near'] for s in g)}: {sum(s['missed_near'] for s in g)} |")
    return out


def stroke_consistency(data: Path, cfg: PreprocessConfig, rng: np.random.Generator, n: int) -> list[str]:
    """Stroke trial overground vs on the belt (same crop, rate, noise, form): events must coincide."""
    stroke = read_trc(data / "overground_stroke_100hz.trc")
    out = ["| belt x speed | rate Hz | crop s | noise mm | form | events overground / belt | unmatched | max |dt| ms | "
           "cadence overground / belt |", "|---|---|---|---|---|---|---|---|---|"]
    for _ in range(n):
        case = draw_case(rng, ["stroke"])  # its 2.9 s keep at least 2.3 s (a walking bout needs 2 s)
        case = dataclasses.replace(case, belt_fraction=float(rng.uniform(0.8, 1.3)),
                                   crop_s=(case.crop_s[0] / 2, case.crop_s[1] / 2))
        try:
            ground = analyze_series(transformed(stroke, [], case, belt=False)[0], cfg)
            belt = analyze_series(transformed(stroke, [], case)[0], cfg)
        except InsufficientDataError as exc:
            out.append(f"| {case.belt_fraction:.2f} | {case.rate_hz:.0f} | {case.crop_s[0]:.2f}+{case.crop_s[1]:.2f} | "
                       f"{case.noise_mm:.1f} | {case.form} | no events: {exc} | | | |")
            continue
        dts, unmatched = [], 0
        for side in ("left", "right"):
            for kind in ("heel_strike", "toe_off"):
                a = [e.time_s for e in ground.events if e.side == side and e.event == kind]
                b = [e.time_s for e in belt.events if e.side == side and e.event == kind]
                pairs = match_events(b, a, TOLERANCE_S)
                dts += [abs(b[i] - a[j]) for i, j in pairs]
                unmatched += len(a) + len(b) - 2 * len(pairs)
        out.append(f"| {case.belt_fraction:.2f} | {case.rate_hz:.0f} | {case.crop_s[0]:.2f}+{case.crop_s[1]:.2f} | "
                   f"{case.noise_mm:.1f} | {case.form} | {len(ground.events)} / {len(belt.events)} | {unmatched} | "
                   f"{_f(1000 * max(dts) if dts else None)} | {_f(ground.parameters['cadence_steps_per_min'])} / "
                   f"{_f(belt.parameters['cadence_steps_per_min'])} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the shared real trials")
    parser.add_argument("--n", type=int, default=60, help="randomised cases")
    parser.add_argument("--n-stroke", type=int, default=10, help="stroke overground/belt pairs")
    parser.add_argument("--seed", type=int, default=None, help="master seed (default: a new one, printed)")
    parser.add_argument("--profile", default="balanced")
    parser.add_argument("--no-synthetic", action="store_true", help="the PD trial only")
    parser.add_argument("--cases", action="store_true", help="also print every case")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    print(f"master seed {seed}\n")
    rng = np.random.default_rng(seed)
    cfg = load_profile(args.profile).preprocessing
    have_data = (args.data / "overground_pd_150hz.trc").is_file()
    walks = (["PD"] if have_data else []) + ([] if args.no_synthetic else [f"synthetic {s}" for s in STYLES])
    sources: dict[str, tuple[KeypointSeries, list[GaitEvent]]] = {}
    if have_data:
        truth = sorted(read_events_csv(args.data / "overground_pd_150hz.events.csv"), key=lambda e: e.time_s)
        sources["PD"] = (read_trc(args.data / "overground_pd_150hz.trc"), truth)
    rows = []
    for _ in range(args.n):
        case = draw_case(rng, walks)
        source = sources.get(case.walk) or synthetic_walk(case.walk.split()[1], case.seed)
        rows.append((case, score(case, source, cfg)))
    if args.cases:
        print("| walk | belt | Hz | crop s | noise mm | form | F1 | HS MAE | TO MAE | missed near end |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for c, s in rows:
            print(f"| {c.walk} | {c.belt_fraction:.2f} | {c.rate_hz:.0f} | {c.crop_s[0]:.2f}+{c.crop_s[1]:.2f} | "
                  f"{c.noise_mm:.1f} | {c.form} | {s['f1']:.3f} | {_f(s['hs'])} | {_f(s['to'])} | "
                  f"{s['missed_near']}/{s['near']} |")
    print(f"\n## Treadmill sweep: {args.n} cases by walk\n")
    print("\n".join(summary(rows, lambda c: c.walk)))
    print("\n## By form\n")
    print("\n".join(summary(rows, lambda c: c.form)))
    if have_data and args.n_stroke:
        print("\n## Stroke trial (no annotations): overground vs the same on a belt\n")
        print("\n".join(stroke_consistency(args.data, cfg, rng, args.n_stroke)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
