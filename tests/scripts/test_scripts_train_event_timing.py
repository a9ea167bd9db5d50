"""train_event_timing.py on a run folder made from the synthetic truth: collection, export, written module."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.gait.event_timing import N_FEATURES, model_from_dict
from core.synthetic import GaitParams, simulate_walk
from tests.scripts.test_scripts_reanalyse_sweep import script_module, store_run

TINY = {"n_estimators": 4, "max_depth": 2, "min_samples_leaf": 2}


@pytest.fixture(scope="module")
def train():
    return script_module("train_event_timing")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    for seed in (4, 5):
        store_run(folder, f"v0{seed}_normal_walk", simulate_walk(GaitParams(duration_s=6.0, seed=seed))[2])
    return folder


def test_collects_paired_events_and_exports_the_trees_exactly(train, run) -> None:
    data = train.collect([run])
    assert data["X"].shape[1] == N_FEATURES and data["X"].shape[0] == data["y"].size > 10
    assert np.all(np.abs(data["y"]) <= train.PAIR_S) and set(data["group"].tolist()) == {0, 1}
    est = train.fit(data["X"], data["y"], 0, {**train.HYPER, **TINY})
    model = train.export(est, {"note": "test"})
    assert np.allclose(model.predict_s(data["X"]), est.predict(data["X"]), atol=1e-12)


def test_write_puts_a_loadable_model_with_its_record_where_asked(train, run, tmp_path, capsys) -> None:
    out = tmp_path / "weights.py"
    assert train.main([str(run), "--write", "--out", str(out), "--hyper", json.dumps(TINY), "--seed", "3"]) == 0
    namespace: dict = {}
    exec(out.read_text(), namespace)
    model = model_from_dict(namespace["MODEL"])
    assert model.n_features == N_FEATURES and model.roots.size == TINY["n_estimators"]
    assert model.meta["seed"] == 3 and model.meta["trained_on"] == [str(run)] and model.meta["n_videos"] == 2
    assert "wrote" in capsys.readouterr().out
