"""Joint-angle error of our processing alone: the full analysis on the generator's exact landmarks.

    python scripts/benchmark_angles.py [--seeds 3]
    python scripts/benchmark_angles.py --truth WALK.truth.json --store OUT/WALK/keypoints.jsonl.gz


Normal gait at 80, 100 and 120 steps/min, both directions, ``--seeds`` seeds (8 s, 1280x720,
tracking camera, 2 % stride variability), analysed by ``analyze_series`` (profile ``balanced``) with
its 6 Hz low-pass and with the low-pass off. Per joint: RMSE between the measured and the truth's
mean cycle (each over its own heel strikes; both sides pooled) and the signed error of the mean
cycle's maximum and minimum (degrees). What video adds on top of this is the pose model's error
(``scripts/benchmark_gait_sweep.py``). With --truth and --store: the same errors, per leg, for one
video's MediaPipe keypoint store analysed with low-pass cutoffs of 4..12 Hz (is the filter to blame?).
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
    """(RMSE, max error, min error) in degrees, averaged over both legs."""
    both = [leg_errors(truth, result, joint, side) for side in ("left", "right")]
    return tuple(float(v) for v in np.mean(both, axis=0))


def leg_errors(truth: dict, result, joint: str, side: str) -> tuple[float, float, float]:  # noqa: ANN001
    """(RMSE, max error, min error) in degrees of one leg's mean cycle."""
    hs = [e["time_s"] * truth["fps"] for e in truth["events"] if e["side"] == side and e["event"] == "heel_strike"]
    expected = normalise_cycles(np.asarray(truth["joint_angles_deg"][f"{side}_{TRUTH_KEYS[joint]}"]),
                                np.asarray(hs)).mean(axis=0)
    mean = result.summaries[f"{side}_{joint}"]["mean"]
    return float(np.sqrt(np.mean((mean - expected) ** 2))), float(mean.max() - expected.max()), \
        float(mean.min() - expected.min())


def cutoff_table(truth_path: Path, store: Path) -> None:
    import json

    from core.io.keypoint_store import read_store
    from core.series import batch_to_series

    truth = json.loads(truth_path.read_text())
    series = batch_to_series(read_store(store), int(truth["height"]), float(truth["fps"]))
    base = load_profile("balanced").preprocessing
    print("| cutoff Hz | leg | hip RMSE, max err, min err | knee RMSE, max err, min err | "
          "ankle RMSE, max err, min err |")
    print("|---|---|---|---|---|")
    for cutoff in (4.0, 6.0, 8.0, 10.0, 12.0):
        result = analyze_series(series, dataclasses.replace(base, cutoff_hz=cutoff), truth["subject_height_m"])
        for side in ("left", "right"):
            leg = "near" if side == truth["near_side"] else "far"
            cells = ["{:.1f}, {:+.1f}, {:+.1f}".format(*leg_errors(truth, result, j, side)) for j in TRUTH_KEYS]
            print(f"| {cutoff:g} | {leg} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--truth", type=Path, help="a synthetic video's truth.json (with --store)")
    p.add_argument("--store", type=Path, help="its keypoints.jsonl.gz (with --truth)")
    args = p.parse_args(argv)
    if args.truth or args.store:
        if not (args.truth and args.store):
            p.error("--truth and --store go together")
        cutoff_table(args.truth, args.store)
        return 0
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
