"""Real motion capture from C3D files (gaitkit's bundled public trials) against their own events; Markdown.

    python scripts/benchmark_mocap.py [--data DIR_OF_C3D] [--work DIR] [--profile balanced]

Without ``--data``, the six trials of ``python/src/gaitkit/data/c3d/`` in github.com/IDMDataHub/gaitkit
(MIT; a pinned commit, 17 MB) are downloaded once into ``--work`` (network needed); ``--data`` takes a
folder of .c3d files instead. The trials: Fukuchi et al. 2018
(instrumented treadmill, 150 Hz, CC BY 4.0), the figshare Parkinson dataset 14896881 (overground,
150 Hz, CC BY 4.0) and van der Zee et al. 2022 (split-belt treadmill, 120 Hz). Nothing of them is
committed here.

Truth: the C3D EVENT group; for a file without one (van der Zee), the force plates' vertical force
crossing a threshold (``core.io.c3d_forces``; the stretch between cross-over steps). Each trial runs
twice through ``analyze_series``: "3-D" (all mapped markers, ``core.io.c3d_series``) and "right 2-D"
(the team's one-sided variant: the left leg's landmarks removed, the horizontal plane turned so that
the walking direction is +X, then Z = 0; only right events are scored). A treadmill trial with both an
EVENT group and force plates is also scored against its plates ("3-D, plate truth"). Events count within +-50 ms.
Truth cadence: 120 / the mean of each side's median stride time (over the scored sides). A second
table checks the force-plate truth against the EVENT group where a file has both.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import urllib.request  # noqa: E402
from typing import NamedTuple  # noqa: E402

import numpy as np  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.constants import LEG_LANDMARKS, SIDES  # noqa: E402
from core.errors import GaitToolError, InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.evaluation import evaluate_events  # noqa: E402
from core.io.c3d import read_c3d  # noqa: E402
from core.io.c3d_forces import force_plate_events, plate_vertical_forces  # noqa: E402
from core.io.c3d_series import c3d_events, c3d_series, event_kind  # noqa: E402
from core.types import GaitEvent, KeypointSeries  # noqa: E402

# gaitkit's trials at a pinned commit (its PyPI releases up to 1.5.0 ship no C3D files).
GAITKIT_RAW = ("https://raw.githubusercontent.com/IDMDataHub/gaitkit/3c4de9729da67da67b11ddd13666eb909914ce53/"
               "python/src/gaitkit/data/c3d")
TRIALS = ("figshare_pd_SUB01_off_walk_12b.c3d", "figshare_pd_SUB05_off_walk_8.c3d", "figshare_pd_SUB07_off_walk_7.c3d",
          "fukuchi_WBDS19walkT01.c3d", "fukuchi_WBDS42walkT03.c3d", "vanderzee_p10_trial3.c3d")
TOLERANCE_S = 0.05
FORMS = ("3-D", "right 2-D", "3-D, plate truth")  # table order
OVERGROUND_TRAVEL_M = 2.0  # the pelvis travels further than this over ground; on a treadmill it stays


def fetch_trials(work: Path, base_url: str = GAITKIT_RAW) -> Path:
    """gaitkit's C3D trials (TRIALS) downloaded once into ``work/c3d`` from ``base_url`` (a pinned commit
    of github.com/IDMDataHub/gaitkit; any URL urllib opens, file:// included)."""
    out = work / "c3d"
    out.mkdir(parents=True, exist_ok=True)
    for name in TRIALS:
        target = out / name
        if target.is_file():
            continue
        try:
            with urllib.request.urlopen(f"{base_url}/{name}", timeout=60) as response:
                data = response.read()
        except OSError as exc:
            raise SystemExit(f"could not download {name} from {base_url} ({exc}); pass --data with a folder of the "
                             "trials (github.com/IDMDataHub/gaitkit: python/src/gaitkit/data/c3d/)") from exc
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return out


class Trial(NamedTuple):
    """A trial: its series (metres, Y up), truth events and their source ("EVENT", "plates"...), its kind
    ("treadmill" or "overground") and, for a treadmill trial with an EVENT group, its force plates' events."""

    name: str
    kind: str
    source: str
    series: KeypointSeries
    truth: list[GaitEvent]
    plates: list[GaitEvent] | None = None


def load_trial(path: Path) -> Trial | None:
    """The C3D trial at ``path`` (None, and a printed line saying why, when it cannot be one)."""
    try:
        series, truth, source = truth_of(path)
    except GaitToolError as exc:
        print(f"skipped {path.name}: {exc.reason}")
        return None
    kind = "treadmill" if is_treadmill(series) else "overground"
    plates = plate_truth(path, series) if source == "EVENT" and kind == "treadmill" else None
    return Trial(path.stem, kind, source, series, truth, plates)


def truth_of(path: Path) -> tuple[KeypointSeries, list[GaitEvent], str]:
    """The trial's series, its truth events and where they come from ("EVENT" or "plates")."""
    data = read_c3d(path)
    series = c3d_series(data, path)
    if any(event_kind(label, context) for label, context, _ in data.events):
        return series, c3d_events(data, series.n_frames, path), "EVENT"
    return series, force_plate_events(data, series, path), "plates"


def is_treadmill(series: KeypointSeries) -> bool:
    hips = [LEG_LANDMARKS[s]["hip"] for s in SIDES]
    pelvis = np.nanmean(series.positions[:, hips][..., [0, 2]], axis=1)
    travel = np.nanpercentile(pelvis, 98, axis=0) - np.nanpercentile(pelvis, 2, axis=0)
    return bool(np.hypot(*travel) < OVERGROUND_TRAVEL_M)


def right_sagittal(series: KeypointSeries) -> KeypointSeries:
    """Right leg only, in the sagittal plane: the walking direction (the right heel's swing about the
    right hip, forwards during swing) turned to +X, then Z = 0."""
    p = series.positions.copy()
    heel, hip = LEG_LANDMARKS["right"]["heel"], LEG_LANDMARKS["right"]["hip"]
    rel = (p[:, heel] - p[:, hip])[:, [0, 2]]
    ok = np.isfinite(rel).all(axis=1)
    axis = np.linalg.svd(rel[ok] - rel[ok].mean(axis=0), full_matrices=False)[2][0]
    height = p[:, heel, 1]
    along = p[:, heel][:, [0, 2]] @ axis
    swing = ok & (height > np.nanpercentile(height, 70))
    velocity = np.gradient(np.where(ok, along, np.nan))
    if np.nanmedian(velocity[swing]) < 0:
        axis = -axis
    x = p[..., 0] * axis[0] + p[..., 2] * axis[1]
    p[..., 0], p[..., 2] = x, 0.0
    p[:, list(LEG_LANDMARKS["left"].values())] = np.nan
    conf = np.where(np.isfinite(p).all(axis=2), series.confidence, 0.0)
    return dataclasses.replace(series, positions=p, confidence=conf, is_2d=True)


def truth_cadence(truth: list[GaitEvent]) -> float:
    strides = []
    for side in SIDES:
        t = np.sort([e.time_s for e in truth if e.side == side and e.event == "heel_strike"])
        if len(t) >= 2:
            strides.append(float(np.median(np.diff(t))))
    return 120.0 / float(np.mean(strides)) if strides else float("nan")


def score(series: KeypointSeries, truth: list[GaitEvent], cfg) -> dict:  # noqa: ANN001 - PreprocessConfig
    row: dict = {"n_hs": sum(e.event == "heel_strike" for e in truth), "n_to": sum(e.event == "toe_off" for e in truth),
                 "truth_cadence": truth_cadence(truth)}
    try:
        result = analyze_series(series, cfg, truth_events=truth, tolerance_s=TOLERANCE_S)
    except InsufficientDataError as exc:
        return {**row, "failed": exc.reason}
    ev = result.evaluation
    return {**row, "f1": ev["overall"]["f1"], "hs_f1": ev["heel_strike"]["f1"],
            "hs_mae": ev["heel_strike"]["mae_ms"], "hs_bias": ev["heel_strike"]["bias_ms"],
            "to_mae": ev["toe_off"]["mae_ms"], "to_bias": ev["toe_off"]["bias_ms"],
            "cadence": result.parameters.get("cadence_steps_per_min"),
            "grade": result.quality.grade if result.quality else "-"}


def _f(v: float | None, spec: str = ".1f") -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


def table(rows: list[tuple[str, str, str, float, str, dict]]) -> list[str]:
    out = ["| trial | kind | truth | rate Hz | data | n HS / TO truth | F1 | HS F1 | HS MAE / bias ms | "
           "TO MAE / bias ms | cadence (truth) | grade |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, kind, source, rate, form, r in rows:
        head = f"| {name} | {kind} | {source} | {rate:g} | {form} | {r['n_hs']} / {r['n_to']} |"
        if "failed" in r:
            out.append(f"{head} 0 (failed: {r['failed'][:90]}) | | | | {_f(r['truth_cadence'])} | |")
            continue
        out.append(f"{head} {r['f1']:.3f} | {r['hs_f1']:.3f} | {_f(r['hs_mae'])} / {_f(r['hs_bias'], '+.1f')} | "
                   f"{_f(r['to_mae'])} / {_f(r['to_bias'], '+.1f')} | {_f(r['cadence'])} ({_f(r['truth_cadence'])}) | "
                   f"{r['grade']} |")
    return out + [_summary(form, [r for *_, f, r in rows if f == form]) for form in dict.fromkeys(r[4] for r in rows)]


def _median_worst(values: list[float], worst) -> str:  # noqa: ANN001 - min or max
    return f"{_f(np.median(values) if values else None)} / {_f(worst(values) if values else None)}"


def _summary(form: str, g: list[dict]) -> str:
    """Median and worst over the trials of one form (a failed trial counts as F1 0)."""
    f1 = [r.get("f1", 0.0) for r in g]
    hs, to = ([abs(r[k]) for r in g if r.get(k) is not None and np.isfinite(r[k])] for k in ("hs_mae", "to_mae"))
    cad = [abs(r["cadence"] / r["truth_cadence"] - 1) * 100 for r in g if r.get("cadence")]
    return (f"| **median / worst** | | | | {form} | {len(g)} trials | {np.median(f1):.3f} / {min(f1):.3f} | | "
            f"{_median_worst(hs, max)} | {_median_worst(to, max)} | cadence error % {_median_worst(cad, max)} | |")


def plate_truth(path: Path, series: KeypointSeries) -> list[GaitEvent] | None:
    """The force plates' events of a trial that also has an EVENT group (None without usable plates): the
    same analysis scored against a second definition of contact (a 5 % threshold, ``core.io.c3d_forces``)."""
    data = read_c3d(path)
    if not plate_vertical_forces(data):
        return None
    try:
        return force_plate_events(data, series, path)
    except GaitToolError:
        return None


def plate_check(files: list[Path]) -> list[str]:
    """Force-plate events against the EVENT group, for the trials that have both (overground, the plates
    see a few steps only: their share matched, not F1, says whether they agree)."""
    out = ["| trial | kind | plate events / EVENT events | plate events matched | F1 | HS MAE / bias ms | "
           "TO MAE / bias ms |", "|---|---|---|---|---|---|---|"]
    for path in files:
        data = read_c3d(path)
        if not plate_vertical_forces(data) or not any(event_kind(lab, ctx) for lab, ctx, _ in data.events):
            continue
        series = c3d_series(data, path)
        kind = "treadmill" if is_treadmill(series) else "overground"
        try:
            plates = force_plate_events(data, series, path)
        except GaitToolError as exc:
            out.append(f"| {path.stem} | {kind} | no plate events ({exc.reason}) | | | | |")
            continue
        ev = evaluate_events(plates, c3d_events(data, series.n_frames, path), TOLERANCE_S)
        hs, to, all_ = ev["heel_strike"], ev["toe_off"], ev["overall"]
        out.append(f"| {path.stem} | {kind} | {len(plates)} / {all_['n_truth']} | {all_['precision']:.3f} | "
                   f"{all_['f1']:.3f} | {_f(hs['mae_ms'])} / {_f(hs['bias_ms'], '+.1f')} | "
                   f"{_f(to['mae_ms'])} / {_f(to['bias_ms'], '+.1f')} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of .c3d trials (default: gaitkit's, fetched into --work)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gait_mocap"), help="download folder")
    parser.add_argument("--profile", default="balanced")
    args = parser.parse_args(argv)
    folder = args.data or fetch_trials(args.work)
    files = sorted(folder.glob("*.c3d"))
    if not files:
        raise SystemExit(f"no .c3d file in {folder}")
    cfg = load_profile(args.profile).preprocessing
    rows = []
    for trial in filter(None, map(load_trial, files)):
        name, kind, source, series, truth, plates = trial
        rows.append((name, kind, source, series.rate_hz, "3-D", score(series, truth, cfg)))
        right = [e for e in truth if e.side == "right"]
        rows.append((name, kind, source, series.rate_hz, "right 2-D", score(right_sagittal(series), right, cfg)))
        if plates:
            rows.append((name, kind, "plates", series.rate_hz, "3-D, plate truth", score(series, plates, cfg)))
    rows.sort(key=lambda r: (FORMS.index(r[4]), r[0]))
    print(f"# {len(files)} C3D trials from {folder}; events within +-{TOLERANCE_S * 1000:.0f} ms; "
          f"profile {args.profile}\n")
    print("\n".join(table(rows)))
    print("\nForce-plate events (threshold crossings) against the files' EVENT group:\n")
    print("\n".join(plate_check(files)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
