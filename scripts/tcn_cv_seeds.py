"""Repeat the classification cross-validation of a finished run over several seeds (no pose extraction).

    python scripts/tcn_cv_seeds.py --run /tmp/tcn/res --labels /tmp/tcn/ds/labels.csv --folds 3 --seeds 0,1,2
    python scripts/tcn_cv_seeds.py --truth /tmp/tcn/ds --labels /tmp/tcn/ds/labels.csv --folds 3 --seeds 0,1,2

Reads each labelled input's ``landmarks.csv`` and the run's ``summary.csv`` (gait parameters for the
baseline), analyses the landmarks again and builds the TCN features with the current code, then calls
``train_cross_validated`` once per seed (the seed sets the folds and the training) with the profile's
training settings. Prints per seed the pooled accuracy of the TCN, of the baseline on the same folds
and of their combination ("TCN + gait parameters": mean of both probabilities), and the TCN's per-fold
accuracies, CPU seconds and the TCN's misclassified videos (``name->predicted``, from
``detailed_results.json``); then per model the median and worst over the seeds. Each seed's outputs go to
``--out/seed_<s>``. With ``--truth`` (a folder of ``make_synthetic_dataset.py``) the features come from the
generator's exact landmarks instead (no video, no pose model, no baseline): what the TCN can do when the
keypoints are perfect. ``--small-set-model windows`` trains the fixed-window model of sessions 4-7 under the
small-set rule instead of the gait-cycle model. Set ``OMP_NUM_THREADS=1`` on a shared machine; run seeds as separate processes to
use several cores.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.baseline.gait_classifier import gait_feature_vector  # noqa: E402
from core.config import load_profile  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.io.labels_csv import read_labels_csv  # noqa: E402
from core.io.landmarks_csv import read_landmarks_csv  # noqa: E402
from core.tcn.features import build_features  # noqa: E402
from core.tcn.samples import Sample  # noqa: E402


def load_samples(run: Path, labels_csv: Path, profile: str) -> list[Sample]:
    """One Sample per labelled input of ``run`` analysed there (status ok), sorted by name as the CLI orders
    its inputs (the folds depend on the order): features rebuilt, the baseline's gait parameters from
    summary.csv, the kinematic detector's events (the cycle model's strides)."""
    pre = load_profile(profile).preprocessing
    with open(run / "summary.csv", newline="") as f:
        summary = {Path(r["input"]).stem: r for r in csv.DictReader(f)}
    samples = []
    for row in sorted(read_labels_csv(labels_csv), key=lambda r: Path(r.video).stem):  # the CLI's input order
        name = Path(row.video).stem
        if summary.get(name, {}).get("status") != "ok":  # failed in the run (its reason is in summary.csv)
            print(f"{name}: not analysed in {run}, left out", flush=True)
            continue
        series = read_landmarks_csv(run / name / "landmarks.csv")
        result = analyze_series(series, pre)
        samples.append(Sample(name, name, build_features(result.oriented_series), series.rate_hz, result.events, row.label,
                              gait_feature_vector(summary[name])))
    return samples


def truth_samples(dataset: Path, labels_csv: Path, profile: str) -> list[Sample]:
    """One Sample per labelled synthetic video of ``dataset`` from its ``.truth.json`` landmarks (exact, no
    video, no pose model), analysed and featurised as a run's keypoints are; no gait parameters (no baseline)."""
    from core.synthetic.truth import truth_to_series

    pre = load_profile(profile).preprocessing
    samples = []
    for row in sorted(read_labels_csv(labels_csv), key=lambda r: Path(r.video).stem):
        name = Path(row.video).stem
        series = truth_to_series(json.loads((dataset / f"{name}.truth.json").read_text()))
        result = analyze_series(series, pre)
        samples.append(Sample(name, name, build_features(result.oriented_series), series.rate_hz, result.events,
                              row.label))
    return samples


def misclassified(out: Path) -> list[str]:
    """``name->predicted`` of every held-out video the TCN got wrong in the run written to ``out``."""
    rows = json.loads((out / "detailed_results.json").read_text())
    return [f"{r['name']}->{r['predicted']}" for r in rows if r["predicted"] != r["true"]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", type=Path, help="output folder of a finished run")
    source.add_argument("--truth", type=Path, help="synthetic dataset folder: its exact .truth.json landmarks instead")
    p.add_argument("--labels", type=Path, required=True, help="labels CSV (video,label)")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--profile", default="balanced")
    p.add_argument("--out", type=Path, default=Path("/tmp/tcn_cv_seeds"))
    p.add_argument("--small-set-model", choices=("cycles", "windows"), default="cycles",
                   help="under the small-set rule: the gait-cycle model (the product) or fixed windows (before)")
    a = p.parse_args()
    from core.tcn import small_set
    from core.tcn.train import train_cross_validated

    small_set.SMALL_CYCLES = a.small_set_model == "cycles"

    samples = truth_samples(a.truth, a.labels, a.profile) if a.truth else load_samples(a.run, a.labels, a.profile)
    pooled: dict[str, list[float]] = {"TCN": [], "baseline": [], "TCN + gait parameters": []}
    for seed in (int(s) for s in a.seeds.split(",")):
        cfg = dataclasses.replace(load_profile(a.profile).training, folds=a.folds, seed=seed)
        cpu_start = time.process_time()
        s = train_cross_validated(samples, "classification", cfg, a.out / f"seed_{seed}", progress=False)
        cpu_s = time.process_time() - cpu_start
        for key, part in zip(pooled, (s, s.get("baseline"), s.get("combined"))):
            pooled[key].append(part["pooled"]["accuracy"] if part else float("nan"))
        folds = ", ".join(f"{v:.3f}" for v in s["metrics"]["accuracy"]["per_fold"])
        print(f"seed {seed}: pooled accuracy " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in pooled.items())
              + f" (TCN folds {folds}); {s['seconds']:.0f} s wall, {cpu_s:.0f} s CPU; TCN errors: "
              + (", ".join(misclassified(a.out / f"seed_{seed}")) or "none"), flush=True)
    for key, values in pooled.items():
        print(f"{key} pooled accuracy: median {np.median(values):.3f}, worst {min(values):.3f}")


if __name__ == "__main__":
    main()
