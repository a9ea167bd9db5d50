"""style_separability.py: true parameters of simulated walks (no video), style distances, grouped CV."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.io.atomic import write_json
from core.synthetic import GaitParams, simulate_walk
from core.synthetic.params import STYLES
from tests.scripts.test_scripts_reanalyse_sweep import script_module


@pytest.fixture(scope="module")
def sep():
    return script_module("style_separability")


def _typical(style: str, seed: int) -> GaitParams:
    s = STYLES[style]
    return GaitParams(style=style, duration_s=4.0, seed=seed, subject_height_m=1.75,
                      cadence_steps_per_min=s.cadence_steps_per_min, step_length_m=s.step_length_per_height * 1.75)


def test_true_parameters_show_the_hemiparetic_stance_asymmetry(sep) -> None:
    normal = sep.true_parameters(simulate_walk(_typical("normal", 1))[2])
    hemi = sep.true_parameters(simulate_walk(_typical("hemiparetic", 1))[2])
    assert len(normal) == len(hemi) == 13 and np.all(np.isfinite(hemi))
    stance_difference = 4  # cadence, step/height, double support, stance mean, stance |difference|
    assert hemi[stance_difference] > 10.0 > normal[stance_difference]


def test_a_walk_at_its_styles_typical_values_is_at_distance_zero(sep) -> None:
    params = dataclasses.asdict(_typical("antalgic", 2))
    assert sep.style_distance(params, "antalgic") == pytest.approx(0.0, abs=1e-12)
    assert sep.style_distance(params, "shuffling") > 2.0


def test_cv_accuracy_is_one_on_separated_and_names_the_errors_on_swapped_labels(sep) -> None:
    names = [f"v{i:02d}" for i in range(12)]
    labels = ["a", "b", "c"] * 4
    centre = {"a": (0.0, 0.0), "b": (10.0, 0.0), "c": (0.0, 10.0)}
    x = np.array([np.add(centre[lab], 0.1 * i) for i, lab in enumerate(labels)])
    assert sep.cv_accuracy(names, labels, x, 3, 0) == (1.0, [])
    swapped = labels[:]
    swapped[0], swapped[1] = "b", "a"
    accuracy, wrong = sep.cv_accuracy(names, swapped, x, 3, 0)
    assert accuracy < 1.0 and any(w.startswith(("v00->", "v01->")) for w in wrong)


def test_dataset_report_reads_truth_files(sep, tmp_path, capsys) -> None:
    for style in STYLES:
        for i in range(3):
            truth = simulate_walk(dataclasses.replace(_typical(style, 10 + i), duration_s=3.0))[2]
            write_json(tmp_path / f"{style}_{i:03d}.truth.json", truth)
    sep.report_dataset(tmp_path, [0])
    out = capsys.readouterr().out
    assert "normal_000: own style" in out and "seed 0: pooled accuracy" in out and "true-parameter baseline" in out
