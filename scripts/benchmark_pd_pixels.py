"""The real PD trial as side-view pixels through the whole analysis, per video event setting; Markdown.

    python scripts/benchmark_pd_pixels.py [--data ../shared/data] [--seeds 3]

Table (b) of docs/gait_accuracy.md calls the event detector alone; this runs ``analyze_series`` on
the same inputs (``benchmark_gait_accuracy.video_proxy``: 30 and 60 fps, 1.5 px noise, both
directions, overground and treadmill, ``--seeds`` noise seeds) for each video heel-strike timing
(``rest``, ``touchdown``) and timing refiner (``none``, ``learned``), against the trial's force-plate
events: F1 at +-50 ms, HS / TO MAE, and the heel-strike error per side (median, detected - truth).
Real human motion, without a pose model's lag: what the video settings do to a walker on a firm floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from benchmark_gait_accuracy import DEFAULT_DATA, _in_span, video_proxy  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.constants import SIDES  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.evaluation import evaluate_events  # noqa: E402
from core.io.events_csv import read_events_csv  # noqa: E402
from core.io.trc import read_trc  # noqa: E402

SETTINGS = (("rest", "none"), ("touchdown", "none"), ("rest", "learned"))


def hs_errors_ms(events: list, truth: list, side: str) -> list[float]:
    """Detected - truth (ms) of each truth heel strike of ``side`` with a detection within 250 ms."""
    found = [e.time_s for e in events if e.side == side and e.event == "heel_strike"]
    out = []
    for t in (t for t in truth if t.side == side and t.event == "heel_strike"):
        near = [f for f in found if abs(f - t.time_s) < 0.25]
        if near:
            out.append(1000.0 * (min(near, key=lambda f: abs(f - t.time_s)) - t.time_s))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the shared real trials")
    parser.add_argument("--seeds", type=int, default=3, help="noise seeds per condition")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)
    series = read_trc(args.data / "overground_pd_150hz.trc")
    truth = read_events_csv(args.data / "overground_pd_150hz.events.csv")
    print("| heel strike | refiner | fps | F1 mean (min) | HS MAE ms | TO MAE ms | HS error ms, median left / right |")
    print("|---|---|---|---|---|---|---|")
    for heel_strike, refiner in SETTINGS:
        cfg = load_profile("balanced", overrides={"preprocessing": {
            "video_heel_strike": heel_strike, "event_refiner": refiner}}).preprocessing
        for fps in (30.0, 60.0):
            f1, hs, to, errors = [], [], [], {side: [] for side in SIDES}
            for mirror in (False, True):
                for treadmill in (False, True):
                    for seed in range(args.seeds):
                        result = analyze_series(video_proxy(series, fps, 1.5, mirror, treadmill, seed), cfg)
                        ev = evaluate_events(_in_span(result.events, truth), truth, tolerance_s=0.05)
                        f1.append(ev["overall"]["f1"])
                        hs.append(ev["heel_strike"]["mae_ms"])
                        to.append(ev["toe_off"]["mae_ms"])
                        for side in SIDES:
                            errors[side] += hs_errors_ms(result.events, truth, side)
            mae = [[v for v in values if v is not None] for values in (hs, to)]
            mae_txt = [f"{np.mean(v):.1f}" if v else "- (none within 50 ms)" for v in mae]
            side_txt = " / ".join(f"{np.median(errors[s]):+.0f}" if errors[s] else "-" for s in SIDES)
            print(f"| {heel_strike} | {refiner} | {fps:.0f} | {np.mean(f1):.3f} ({np.min(f1):.2f}) | "
                  f"{mae_txt[0]} | {mae_txt[1]} | {side_txt} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
