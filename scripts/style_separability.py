"""How well can the synthetic walking styles be told apart from their TRUE gait parameters, on few walks?

    python scripts/style_separability.py --dataset /tmp/tcn/ds --seeds 0,1,2,3,4,5
    python scripts/style_separability.py --draws 30 --per-style 4,10,20 --seeds 0,1,2

No video, no pose model: the generator's exact per-walk parameters (cadence, step length / height,
double support, and per pair of sides the mean and absolute difference of stance %, step length / leg
length and hip, knee and ankle range of motion) go into the baseline's model (``core.baseline``:
logistic regression, L2, C = 1) on grouped, stratified folds (``core.tcn.cv.grouped_kfold``, the
TCN's folds: with ``--dataset`` the same folds as ``scripts/tcn_cv_seeds.py`` for the same seeds).
This is an upper bound for the gait-parameter route, where measurement error is zero, and shows which
walks lie nearer another style than their own.

``--dataset``: a folder of ``make_synthetic_dataset.py`` (its ``*.truth.json``). Prints per walk its
distance in (log cadence, log step length / height), in units of the generator's +-12 % range, to
its style's typical values and to the nearest other style's, then pooled accuracy per seed.
``--draws``: that many fresh sets per ``--per-style`` count, drawn as ``make_synthetic_dataset.py``
draws them (``--seed`` + draw as its seed), simulated without rendering; prints the median and the
worst pooled accuracy over draws x seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.baseline.gait_classifier import cross_validate_baseline  # noqa: E402
from core.synthetic.params import STYLES  # noqa: E402
from core.tcn.cv import grouped_kfold  # noqa: E402

RANGE = 1.12  # the generator's cadence and step-length factor range (core.synthetic.dataset.random_params)
FOLDS = {4: 3}  # walks per style -> folds (the 3 for 4 per style); 4 folds otherwise, as docs/tcn.md (d)


def true_parameters(truth: dict) -> list[float]:
    """Side-free vector of a walk's exact parameters (truth record of ``core.synthetic``)."""
    p, angles = truth["params"], truth["joint_angles_deg"]

    def rom(key: str) -> float:
        values = np.asarray(angles[key], dtype=float)
        return float(np.nanmax(values) - np.nanmin(values))

    leg = truth["leg_length_m"]
    pairs = [(truth["stance_pct"]["left"], truth["stance_pct"]["right"]),
             (truth["step_length_m_by_side"]["left"] / leg, truth["step_length_m_by_side"]["right"] / leg)]
    pairs += [(rom(f"left_{j}"), rom(f"right_{j}")) for j in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")]
    out = [p["cadence_steps_per_min"], p["step_length_m"] / p["subject_height_m"], truth["double_support_pct"]]
    for a, b in pairs:
        out += [(a + b) / 2, abs(a - b)]
    return out


def style_distance(params: dict, style: str) -> float:
    """Distance of (cadence, step length / height) to ``style``'s typical values, in generator ranges."""
    s = STYLES[style]
    c = math.log(params["cadence_steps_per_min"] / s.cadence_steps_per_min) / math.log(RANGE)
    step = math.log(params["step_length_m"] / params["subject_height_m"] / s.step_length_per_height) / math.log(RANGE)
    return math.hypot(c, step)


def cv_accuracy(names: list[str], labels: list[str], x: np.ndarray, folds: int, seed: int) -> tuple[float, list[str]]:
    """(pooled accuracy, ``name->predicted`` errors) of the baseline's model on grouped folds of ``seed``."""
    classes = sorted(set(labels))
    y = np.array([classes.index(lab) for lab in labels])
    results = cross_validate_baseline(x, y, len(classes), grouped_kfold(names, folds, labels, seed), seed)
    wrong = [f"{names[i]}->{classes[p]}" for f in results for i, p in zip(f.test_idx, f.predicted) if p != y[i]]
    return 1.0 - len(wrong) / len(names), wrong


def report_dataset(folder: Path, seeds: list[int]) -> None:
    files = sorted(folder.glob("*.truth.json"))
    truths = [json.loads(f.read_text()) for f in files]
    names = [f.name[: -len(".truth.json")] for f in files]
    labels = [t["params"]["style"] for t in truths]
    for name, t, style in zip(names, truths, labels):
        own = style_distance(t["params"], style)
        other = min((s for s in STYLES if s != style), key=lambda s: style_distance(t["params"], s))
        flag = "  nearer another style" if style_distance(t["params"], other) < own else ""
        print(f"{name}: own style {own:.2f}, nearest other {other} {style_distance(t['params'], other):.2f}{flag}")
    x = np.array([true_parameters(t) for t in truths])
    per_style = len(names) // len(set(labels))
    accuracies = []
    for seed in seeds:
        accuracy, wrong = cv_accuracy(names, labels, x, FOLDS.get(per_style, 4), seed)
        accuracies.append(accuracy)
        print(f"seed {seed}: pooled accuracy {accuracy:.3f}; errors: {', '.join(wrong) or 'none'}")
    print(f"true-parameter baseline: median {np.median(accuracies):.3f}, worst {min(accuracies):.3f}")


def report_draws(draws: int, per_style_counts: list[int], seeds: list[int], first_seed: int) -> None:
    from core.synthetic import GaitParams, simulate_walk
    from core.synthetic.dataset import random_params

    base = GaitParams(duration_s=6.0)
    for per_style in per_style_counts:
        accuracies = []
        for draw in range(draws):
            rng = np.random.default_rng(first_seed + draw)
            jobs = [(style, i) for style in STYLES for i in range(per_style)]
            truths = [simulate_walk(random_params(style, rng, base))[2] for style, _ in jobs]
            names = [f"{style}_{i:03d}" for style, i in jobs]
            x = np.array([true_parameters(t) for t in truths])
            labels = [style for style, _ in jobs]
            accuracies += [cv_accuracy(names, labels, x, FOLDS.get(per_style, 4), seed)[0] for seed in seeds]
        print(f"{per_style} per style ({FOLDS.get(per_style, 4)} folds), {draws} draws x {len(seeds)} seeds: "
              f"median {np.median(accuracies):.3f}, 10th percentile {np.percentile(accuracies, 10):.3f}, "
              f"worst {min(accuracies):.3f}, share >= 0.9: {np.mean(np.array(accuracies) >= 0.9):.2f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", type=Path, help="folder of make_synthetic_dataset.py (its *.truth.json)")
    p.add_argument("--draws", type=int, default=0, help="fresh sets drawn (and simulated, not rendered) per count")
    p.add_argument("--per-style", default="4", help="comma-separated walks per style for --draws")
    p.add_argument("--seed", type=int, default=0, help="generator seed of the first draw")
    p.add_argument("--seeds", default="0,1,2,3,4,5", help="comma-separated CV seeds (folds)")
    a = p.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    if a.dataset is None and a.draws < 1:
        p.error("give --dataset or --draws")
    if a.dataset is not None:
        report_dataset(a.dataset, seeds)
    if a.draws:
        report_draws(a.draws, [int(n) for n in a.per_style.split(",")], seeds, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
