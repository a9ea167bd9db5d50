"""Re-analyse the stored MediaPipe landmarks of a sweep run against the videos' truth (no pose run).

    python scripts/reanalyse_sweep.py /tmp/gait_sweep/phone_<seed> [more run folders...]

A run folder is what ``scripts/benchmark_gait_sweep.py`` leaves (``videos/*.truth.json`` and
``out/<video>/landmarks.csv``). Each video's landmarks go through ``analyze_series`` (profile
``balanced``, no subject height) with the current code; per video it prints event F1 at +-50 ms,
HS/TO MAE and bias (ms), the reported cadence's error (%), the step-time symmetry index on symmetric
styles (``-`` where withheld), the confidence grade and the frames whose legs were relabelled; then
medians and worst cases, and how many videos with cadence more than 5 % off were graded low; then
the grades (with the per-quantity grades per video: cadence, event timing, symmetry as h/m/l) and
how many high or medium videos are wrong (event F1 < 0.8, cadence > 2 % off, step-time SI > 5 %
reported on a symmetric walk), and how the good videos (F1 >= 0.9, cadence within 2 %) are graded.
Iterating on event code takes seconds this way.

A ``landmarks.csv`` written by this code carries the foot-patch shifts in its sidecar;
``--from-store`` reads each video's keypoint store (``out/<video>/keypoints.jsonl.gz``) as the
pipeline does, with its foot-patch shifts (the pixel contact evidence, ``core.gait.contact_pixels``)
where the store has them; ``--no-pixels`` then leaves those out (the landmark events alone).
``--refiner learned|none`` sets the learned event-timing refinement (``core.gait.event_timing``),
``--heel-strike rest|touchdown`` the video heel-strike timing (``core.gait.contact.heel_touchdown``). The
summary adds the signed HS and TO errors (detected - truth, ms; each truth event against the nearest
detection of its side and type within 250 ms): median, p10, p90 and the share within 50 ms.

Where the event error comes from: ``--truth-blend A`` replaces each stored landmark by
truth + A x (stored - truth) (A = 0: the truth wherever the model gave a pose; gaps stay gaps), for
the landmarks and axes of ``--blend-part``: ``all``, ``feet`` (heels, toes, ankles), ``other`` (all
but the feet), ``x`` or ``y`` (one image axis of every landmark). The rest keeps the model's error.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.constants import LEG_LANDMARKS, SIDES  # noqa: E402
from core.errors import InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.io.keypoint_store import read_store  # noqa: E402
from core.io.landmarks_csv import read_landmarks_csv  # noqa: E402
from core.series import batch_to_series  # noqa: E402
from core.synthetic.truth import truth_to_events, truth_to_series  # noqa: E402


def _ms(block: dict, key: str) -> str:
    value = block[key]
    return "-" if value is None else f"{value:+.1f}" if key == "bias_ms" else f"{value:.1f}"


SYMMETRIC = ("normal", "shuffling")  # styles whose true step-time symmetry index is ~0


def _step_si(result, style: str) -> float | None:
    """Reported step-time symmetry index (%) of a symmetric style; None if withheld or asymmetric."""
    if style not in SYMMETRIC:
        return None
    return ((result.parameters.get("symmetry") or {}).get("step_time_s") or {}).get("si_pct")


NEAREST_S = 0.25  # a truth event's signed error is to the nearest detection of its side and type within this


def signed_errors_ms(detected: list, truth: list, event: str) -> list[float]:
    """Per truth ``event`` (GaitEvent lists): detected - truth (ms) of the nearest detection of the same side
    and type within NEAREST_S; truth events with none are left out."""
    out = []
    for t in (e for e in truth if e.event == event):
        times = np.array([e.time_s for e in detected if e.side == t.side and e.event == event])
        if times.size and np.min(np.abs(times - t.time_s)) <= NEAREST_S:
            out.append(1000.0 * float(times[np.argmin(np.abs(times - t.time_s))] - t.time_s))
    return out


def _series(folder: Path, truth: dict, from_store: bool, pixels: bool):
    """The video's series: from its landmarks.csv, or from its keypoint store as the pipeline reads it."""
    if not from_store:
        return read_landmarks_csv(folder / "landmarks.csv")
    batch = read_store(folder / "keypoints.jsonl.gz")
    if not pixels:
        batch = dataclasses.replace(batch, feet=None)
    return batch_to_series(batch, int(truth["height"]), float(truth["fps"]), name=folder.name)


BLEND_PARTS = ("all", "feet", "other", "x", "y")


def blended(series, truth: dict, scale: float, part: str = "all"):
    """``series`` with its error against the truth landmarks scaled by ``scale`` (see the module
    docstring) for ``part`` (``BLEND_PARTS``); missing landmarks stay missing."""
    true_pos = truth_to_series(truth).positions
    first = int(round(series.time_s[0] * float(truth["fps"])))
    n = min(len(series.positions), len(true_pos) - first)
    measured, true = series.positions[:n], true_pos[first:first + n]
    mask = np.zeros(measured.shape, dtype=bool)
    feet = sorted({LEG_LANDMARKS[side][p] for side in SIDES for p in ("heel", "toe", "ankle")})
    if part == "all":
        mask[:] = True
    elif part in ("feet", "other"):
        mask[:, feet] = True
        mask = mask if part == "feet" else ~mask
    else:
        mask[..., "xy".index(part)] = True
    positions = series.positions.copy()
    positions[:n] = np.where(mask & np.isfinite(measured), true + scale * (measured - true), measured)
    return dataclasses.replace(series, positions=positions)


def reanalyse(run: Path, from_store: bool = False, pixels: bool = True, refiner: str | None = None,
              heel_strike: str | None = None, blend: tuple[float, str] | None = None) -> list[dict]:
    """Print one line per video of ``run``; returns its scores per video. ``refiner`` and ``heel_strike``
    override the profile's ``event_refiner`` and ``video_heel_strike``; ``blend``: (scale, part) for
    ``blended``."""
    chosen = {"event_refiner": refiner, "video_heel_strike": heel_strike}
    overrides = {k: v for k, v in chosen.items() if v is not None}
    cfg = load_profile("balanced", overrides={"preprocessing": overrides} if overrides else None).preprocessing
    rows = []
    found = "keypoints.jsonl.gz" if from_store else "landmarks.csv"
    for landmarks in sorted(run.glob(f"out/*/{found}")):
        name = landmarks.parent.name
        truth_file = run / "videos" / f"{name}.truth.json"
        if not truth_file.exists():
            continue
        truth = json.loads(truth_file.read_text())
        try:
            series = _series(landmarks.parent, truth, from_store, pixels)
            if blend is not None:
                series = blended(series, truth, *blend)
            truth_events = [e for e in truth_to_events(truth) if series.time_s[0] <= e.time_s <= series.time_s[-1]]
            result = analyze_series(series, cfg, truth_events=truth_to_events(truth))
        except InsufficientDataError as exc:
            print(f"{name:44s} failed: {exc}")
            rows.append(dict(f1=0.0, cadence=float("nan"), hs=None, to=None, si=None,
                             symmetric=truth["style"] in SYMMETRIC, grade="failed", hs_errors=[], to_errors=[]))
            continue
        ev = result.evaluation
        cadence = result.parameters["cadence_steps_per_min"]
        error = 100.0 * (cadence / truth["cadence_steps_per_min"] - 1.0) if cadence else float("nan")
        hs, to = ev["heel_strike"], ev["toe_off"]
        si = _step_si(result, truth["style"])
        grade = result.quality.grade if result.quality else "-"
        trust = "".join(v["grade"][0] for v in result.quality.trust.values()) if result.quality else "-"
        rows.append(dict(f1=ev["overall"]["f1"], cadence=error, hs=hs["mae_ms"], to=to["mae_ms"], si=si,
                         symmetric=truth["style"] in SYMMETRIC, grade=grade,
                         hs_errors=signed_errors_ms(result.detection.events, truth_events, "heel_strike"),
                         to_errors=signed_errors_ms(result.detection.events, truth_events, "toe_off")))
        print(f"{name:44s} F1 {ev['overall']['f1']:.3f}  HS {_ms(hs, 'mae_ms'):>5} ({_ms(hs, 'bias_ms'):>6})  "
              f"TO {_ms(to, 'mae_ms'):>5} ({_ms(to, 'bias_ms'):>6})  cadence {error:+6.2f} %  "
              f"SI {'-' if si is None else f'{si:.1f}':>5}  {grade:6s} {trust}  relabelled {int(result.swapped.sum())} frames")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-analyse stored sweep landmarks against their truth.")
    parser.add_argument("runs", nargs="+", type=Path, help="sweep run folders (WORK/<look>_<seed>)")
    parser.add_argument("--from-store", action="store_true",
                        help="read out/<video>/keypoints.jsonl.gz (with its foot-patch shifts) instead of landmarks.csv")
    parser.add_argument("--no-pixels", action="store_true",
                        help="with --from-store: leave the foot-patch shifts out (landmark events alone)")
    parser.add_argument("--refiner", choices=("learned", "none"),
                        help="event timing refinement (default: the balanced profile's event_refiner)")
    parser.add_argument("--heel-strike", choices=("rest", "touchdown"),
                        help="video heel-strike timing (default: the balanced profile's video_heel_strike)")
    parser.add_argument("--truth-blend", type=float, metavar="A",
                        help="landmarks = truth + A x (stored - truth) for --blend-part (where the event error comes from)")
    parser.add_argument("--blend-part", choices=BLEND_PARTS, default="all")
    args = parser.parse_args(argv)
    if args.no_pixels and not args.from_store:
        parser.error("--no-pixels needs --from-store")
    warnings.simplefilter("ignore", RuntimeWarning)
    rows = [row for run in args.runs
            for row in reanalyse(run, args.from_store, not args.no_pixels, args.refiner, args.heel_strike,
                                 None if args.truth_blend is None else (args.truth_blend, args.blend_part))]
    if not rows:
        print("error: no video with its out/<video>/ files and a videos/*.truth.json found", file=sys.stderr)
        return 2
    _summary(rows)
    return 0


def _spread(values: list) -> str:
    """'median M, worst W (n=N)' of the finite values (worst = largest)."""
    v = np.array([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    return f"median {np.median(v):.1f}, worst {v.max():.1f} (n={v.size})" if v.size else "none (n=0)"


def _summary(rows: list[dict]) -> None:
    f1 = np.array([r["f1"] for r in rows])
    cadence = np.abs([r["cadence"] for r in rows])
    print(f"{len(rows)} videos: F1 median {np.median(f1):.3f}, mean {np.mean(f1):.3f}, worst {f1.min():.3f}, "
          f"F1 >= 0.95 on {np.mean(f1 >= 0.95):.0%}; |cadence error| median {np.nanmedian(cadence):.2f} %, "
          f"worst {np.nanmax(cadence):.2f} %, within 2 % on {np.mean(cadence <= 2.0):.0%}")
    symmetric = [r for r in rows if r["symmetric"]]
    print(f"HS MAE ms {_spread([r['hs'] for r in rows])}; TO MAE ms {_spread([r['to'] for r in rows])}; "
          f"step-time SI % on symmetric walks {_spread([r['si'] for r in symmetric])}, "
          f"below 3 % on {sum(r['si'] is not None and r['si'] < 3.0 for r in symmetric)}, "
          f"withheld on {sum(r['si'] is None for r in symmetric)} of {len(symmetric)}")
    for key, label in (("hs_errors", "HS"), ("to_errors", "TO")):
        e = np.array([x for r in rows for x in r[key]])
        if e.size:
            print(f"{label} error ms (detected - truth, nearest within {1000 * NEAREST_S:.0f} ms): median "
                  f"{np.median(e):+.1f}, p10 {np.percentile(e, 10):+.1f}, p90 {np.percentile(e, 90):+.1f}; "
                  f"within 50 ms {np.mean(np.abs(e) <= 50):.0%} (n={e.size})")
    off = [r for r in rows if not abs(r["cadence"]) <= 5.0]
    flagged = sum(r["grade"] in ("low", "failed") for r in off)
    print(f"cadence > 5 % off (or none): {len(off)} videos, graded low or failed visibly: {flagged}")
    _grade_summary(rows)


def _grade_summary(rows: list[dict]) -> None:
    """What the grade lets through: wrong answers graded high or medium, and right ones graded down."""
    def count(grade: str, keep) -> int:
        return sum(r["grade"] == grade and keep(r) for r in rows)

    grades = ("high", "medium", "low", "failed")
    print("grades: " + ", ".join(f"{g} {count(g, lambda r: True)}" for g in grades))
    wrong = {"event F1 < 0.8": lambda r: r["f1"] < 0.8, "cadence > 2 % off": lambda r: not abs(r["cadence"]) <= 2.0,
             "step-time SI > 5 % reported on a symmetric walk": lambda r: r["symmetric"] and (r["si"] or 0.0) > 5.0}
    for label, keep in wrong.items():
        print(f"  {label}: high {count('high', keep)}, medium {count('medium', keep)}")
    good = lambda r: r["f1"] >= 0.9 and abs(r["cadence"]) <= 2.0  # noqa: E731
    print(f"  good (F1 >= 0.9, cadence within 2 %): {sum(good(r) for r in rows)}, graded "
          + ", ".join(f"{g} {count(g, good)}" for g in grades[:3]))


if __name__ == "__main__":
    raise SystemExit(main())
