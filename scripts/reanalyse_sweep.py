"""Re-analyse the stored MediaPipe landmarks of a sweep run against the videos' truth (no pose run).

    python scripts/reanalyse_sweep.py /tmp/gait_sweep/phone_<seed> [more run folders...]

A run folder is what ``scripts/benchmark_gait_sweep.py`` leaves (``videos/*.truth.json`` and
``out/<video>/landmarks.csv``). Each video's landmarks go through ``analyze_series`` (profile
``balanced``, no subject height) with the current code; per video it prints event F1 at +-50 ms,
HS/TO MAE and bias (ms), the stride cadence error (%) and the frames whose legs were relabelled,
then the median and worst F1 and cadence error. Iterating on event code takes seconds this way.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.cadence import cadence_steps_per_min  # noqa: E402
from core.io.landmarks_csv import read_landmarks_csv  # noqa: E402
from core.synthetic.truth import truth_to_events  # noqa: E402


def _ms(block: dict, key: str) -> str:
    value = block[key]
    return "-" if value is None else f"{value:+.1f}" if key == "bias_ms" else f"{value:.1f}"


def reanalyse(run: Path) -> list[tuple[float, float]]:
    """Print one line per video of ``run``; returns (F1, cadence error %) per video."""
    cfg = load_profile("balanced").preprocessing
    rows = []
    for landmarks in sorted(run.glob("out/*/landmarks.csv")):
        name = landmarks.parent.name
        truth_file = run / "videos" / f"{name}.truth.json"
        if not truth_file.exists():
            continue
        truth = json.loads(truth_file.read_text())
        result = analyze_series(read_landmarks_csv(landmarks), cfg, truth_events=truth_to_events(truth))
        ev = result.evaluation
        cadence = cadence_steps_per_min(result.detection.events, result.bouts or None)
        error = 100.0 * (cadence / truth["cadence_steps_per_min"] - 1.0) if cadence else float("nan")
        rows.append((ev["overall"]["f1"], error))
        hs, to = ev["heel_strike"], ev["toe_off"]
        print(f"{name:44s} F1 {ev['overall']['f1']:.3f}  HS {_ms(hs, 'mae_ms'):>5} ({_ms(hs, 'bias_ms'):>6})  "
              f"TO {_ms(to, 'mae_ms'):>5} ({_ms(to, 'bias_ms'):>6})  cadence {error:+6.2f} %  "
              f"relabelled {int(result.swapped.sum())} frames")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-analyse stored sweep landmarks against their truth.")
    parser.add_argument("runs", nargs="+", type=Path, help="sweep run folders (WORK/<look>_<seed>)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)
    rows = [row for run in args.runs for row in reanalyse(run)]
    if not rows:
        print("error: no out/*/landmarks.csv with a videos/*.truth.json found", file=sys.stderr)
        return 2
    f1 = np.array([r[0] for r in rows])
    cadence = np.abs([r[1] for r in rows])
    print(f"{len(rows)} videos: F1 median {np.median(f1):.3f}, worst {f1.min():.3f}, "
          f"F1 >= 0.95 on {np.mean(f1 >= 0.95):.0%}; |cadence error| median {np.nanmedian(cadence):.2f} %, "
          f"worst {np.nanmax(cadence):.2f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
