"""Score detected gait events against annotated ones.

    python scripts/evaluate_events.py --detected events.csv --truth truth.events.csv \
        [--tolerance-ms 50] [--all-events] [--output result.json]

Prints precision / recall / F1 and MAE / bias (detected minus truth) per event type and writes
the full result (matched pairs included) as JSON. By default detected events outside the span
of the annotations (+- tolerance) are not scored; ``--all-events`` scores every event.
Exit code 2 with a one-line message for missing or malformed files.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402

from core.errors import GaitToolError  # noqa: E402
from core.gait.cadence import cadence_steps_per_min  # noqa: E402
from core.gait.evaluation import evaluate_events  # noqa: E402
from core.io.atomic import write_json  # noqa: E402
from core.io.events_csv import read_events_csv  # noqa: E402


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_table(result: dict) -> str:
    """The score blocks of ``evaluate_events`` as a fixed-width text table."""
    lines = [f"{'event':<12} {'P':>5} {'R':>5} {'F1':>5} {'det':>4} {'truth':>5} {'match':>5} {'MAE ms':>7} {'bias ms':>8}"]
    for key in ("heel_strike", "toe_off", "overall"):
        r = result[key]
        lines.append(
            f"{key:<12} {r['precision']:>5.2f} {r['recall']:>5.2f} {r['f1']:>5.2f} {r['n_detected']:>4} "
            f"{r['n_truth']:>5} {r['n_matched']:>5} {_fmt(r['mae_ms'], '7.1f'):>7} {_fmt(r['bias_ms'], '+8.1f'):>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score detected gait events against annotations.")
    parser.add_argument("--detected", required=True, help="detected events CSV (side,event,frame,time_s)")
    parser.add_argument("--truth", required=True, help="annotated events CSV (same format)")
    parser.add_argument("--tolerance-ms", type=float, default=50.0, help="matching tolerance (default 50 ms)")
    parser.add_argument("--all-events", action="store_true", help="also score events outside the annotated span")
    parser.add_argument("--output", help="write the full result as JSON here")
    args = parser.parse_args(argv)
    if args.tolerance_ms <= 0:
        print("error: --tolerance-ms must be > 0", file=sys.stderr)
        return 2
    try:
        detected = read_events_csv(args.detected)
        truth = read_events_csv(args.truth)
        result = evaluate_events(detected, truth, args.tolerance_ms / 1000.0, restrict_to_truth_span=not args.all_events)
        span = result["truth_span_s"]
        scored = [e for e in detected if span is None or span[0] <= e.time_s <= span[1]]
        result["cadence_steps_per_min"] = {"detected": cadence_steps_per_min(scored),
                                            "truth": cadence_steps_per_min(truth)}
        if args.output:
            write_json(args.output, result)
    except GaitToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    cad = result["cadence_steps_per_min"]
    print(f"cadence (steps/min, core.gait.cadence, as in gait_parameters.json): detected "
          f"{_fmt(cad['detected'], '.1f')}, truth {_fmt(cad['truth'], '.1f')}")
    if result["restricted_to_truth_span"]:
        print(f"scored within the annotated span {span[0]:.3f}-{span[1]:.3f} s; "
              f"{result['n_outside_span']} detected event(s) outside it were not scored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
