"""Joint-angle error of our processing alone: the full analysis on the generator's exact landmarks.

    python scripts/benchmark_angles.py [--seeds 3]

Normal gait at 80, 100 and 120 steps/min, both directions, ``--seeds`` seeds (8 s, 1280x720,
tracking camera, 2 % stride variability), analysed by ``analyze_series`` (profile ``balanced``) with
its 6 Hz low-pass and with the low-pass off. Per joint: RMSE between the measured and the truth's
mean cycle (each over its own heel strikes; both sides pooled) and the signed error of the mean
cycle's maximum and minimum (degrees). What video adds on top of this is the pose model's error
(``scripts/benchmark_gait_sweep.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402

import numpy as np  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.kinematics import normalise_cycles  # noqa: E402
from core.synthetic import GaitParams, simulate_walk, truth_to_series  # noqa: E402

TRUTH_KEYS = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}


def errors(truth: dict, result, joint: str) -> tuple[float, float, float]:  # noqa: ANN001
    """(RMSE, max error, min error) in degrees, averaged over both sides."""
    out = []
    for side in ("left", "right"):
        hs = [e["time_s"] * truth["fps"] for e in truth["events"] if e["side"] == side and e["event"] == "heel_strike"]
        expected = normalise_cycles(np.asarray(truth["joint_angles_deg"][f"{side}_{TRUTH_KEYS[joint]}"]),
                                    np.asarray(hs)).mean(axis=0)
        mean = result.summaries[f"{side}_{joint}"]["mean"]
        out.append((np.sqrt(np.mean((mean - expected) ** 2)), mean.max() - expected.max(), mean.min() - expected.min()))
    return tuple(float(v) for v in np.mean(out, axis=0))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    base = load_profile("balanced").preprocessing
    configs = {"6 Hz low-pass (default)": base, "no low-pass": dataclasses.replace(base, cutoff_hz=1e6)}
    rows: dict[str, list[tuple[float, float, float]]] = {f"{c}|{j}": [] for c in configs for j in TRUTH_KEYS}
    for cadence in (80.0, 100.0, 120.0):
        for direction in ("left_to_right", "right_to_left"):
            for seed in range(args.seeds):
                truth = simulate_walk(GaitParams(cadence_steps_per_min=cadence, direction=direction, seed=seed,
                                                 duration_s=8.0, width_px=1280, height_px=720, camera="tracking",
                                                 variability=0.02))[2]
                series = truth_to_series(truth)
                for name, cfg in configs.items():
                    result = analyze_series(series, cfg, 1.75)
                    for joint in TRUTH_KEYS:
                        rows[f"{name}|{joint}"].append(errors(truth, result, joint))
    n = 6 * args.seeds
    print(f"| processing | joint | RMSE deg (median, worst of {n}) | max error deg (median, worst) | "
          "min error deg (median, worst) |")
    print("|---|---|---|---|---|")
    for key, values in rows.items():
        name, joint = key.split("|")
        v = np.array(values)
        cells = [f"{np.median(v[:, k]):+.2f}, {v[np.argmax(np.abs(v[:, k])), k]:+.2f}" for k in (1, 2)]
        print(f"| {name} | {joint} | {np.median(v[:, 0]):.2f}, {v[:, 0].max():.2f} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
