"""End-to-end cross-validated training on synthetic walks (small and fast)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import orjson
import pytest
import torch

from core.config import TrainingConfig
from core.synthetic.params import GaitParams
from core.tcn.decode import events_to_positions
from core.tcn.features import build_features
from core.tcn.infer import load_models, predict_class, predict_events, predict_phases
from core.tcn.metrics import combine_matches, event_scores, match_events
from core.tcn.samples import Sample
from core.tcn.small_set import SMALL_CYCLES
from core.tcn.train import train_cross_validated

STYLES = ("normal", "hemiparetic", "shuffling", "antalgic")
OUTPUT_FILES = (
    "cv_metrics.json",
    "fold_scores.json",
    "training_histories.json",
    "detailed_results.json",
    "classification_report.txt",
    "confusion_matrix.png",
    "training_curves.png",
    "model_fold_0.pt",
    "model_fold_1.pt",
)


def _samples(make_walk: Callable, n: int, seed0: int, fps: float = 30.0, duration_s: float = 8.0) -> list[Sample]:
    out = []
    for i in range(n):
        style = STYLES[i % len(STYLES)]
        params = GaitParams(
            style=style, fps=fps, duration_s=duration_s, seed=seed0 + i, variability=0.03,
            direction=("left_to_right", "right_to_left")[i % 2], affected_side=("right", "left")[(i // 4) % 2],
        )
        series, events = make_walk(params)
        out.append(Sample(f"walk{seed0 + i}", f"subject{seed0 + i}", build_features(series), fps, events, style))
    return out


@pytest.fixture(scope="module")
def walks(make_walk: Callable) -> list[Sample]:
    return _samples(make_walk, 8, seed0=100)


@pytest.mark.slow
@pytest.mark.parametrize("task", ["classification", "phases"])
def test_tcn_training_run_writes_every_output(
    walks: list[Sample], tiny_training_config: TrainingConfig, tmp_path: Path, task: str
) -> None:
    cfg = replace(tiny_training_config, epochs=2, batch_size=0)
    summary = train_cross_validated(walks, task, cfg, tmp_path, device="cpu", progress=False, pseudo_labels=True)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).stat().st_size > 0, name
    on_disk = orjson.loads((tmp_path / "cv_metrics.json").read_bytes())
    assert on_disk["pseudo_labels"] is True and on_disk["task"] == task and on_disk["n_folds"] == 2
    assert on_disk["receptive_field_frames"] == 1 + 2 * 2 * 7 and on_disk["precision"] == "fp32"
    search = summary["batch_search"]
    measured = task != "classification" or not SMALL_CYCLES  # the cycle model's batch is fixed
    assert summary["batch_size"] >= 1 and bool(search["measurements_mb"]) == measured
    assert not measured or search["measurements_mb"][0]["batch"] == 1
    assert summary["throughput_windows_per_s"]["mean"] > 0
    assert 0.0 <= summary["metrics"]["accuracy"]["mean"] <= 1.0
    histories = orjson.loads((tmp_path / "training_histories.json").read_bytes())
    assert set(histories) == {"fold_0", "fold_1"} and {"train_loss", "val_loss", "lr"} <= set(histories["fold_0"][0])
    folds = orjson.loads((tmp_path / "fold_scores.json").read_bytes())
    tested = [v for f in folds for v in f["test_videos"]]
    assert sorted(tested) == sorted(s.name for s in walks)
    raw = torch.load(tmp_path / "model_fold_0.pt", weights_only=True)
    assert raw["meta"]["pseudo_labels"] is True and raw["task"] == task
    models = load_models(tmp_path)
    small_set = summary["small_set"]  # a few training walks: classification trains 3 models per fold
    assert (small_set is not None) == (task == "classification")
    assert len(models) == 2 * (small_set["ensemble_members"] if small_set else 1)
    assert bool(models[0].module.cfg.mirror) == (task == "classification")  # small sets: left/right invariant
    assert (small_set or {}).get("mirror_invariant", False) == (task == "classification")
    assert all(("cycles" in m.meta) == (task == "classification" and SMALL_CYCLES) for m in models)
    if task == "classification":
        label, prob, probs = predict_class(models, walks[0].features, walks[0].rate_hz, walks[0].events)
        assert label in STYLES and set(probs) == set(STYLES) and 0 < prob <= 1
    else:
        phases, probs = predict_phases(models, walks[0].features, walks[0].rate_hz)
        assert phases.shape == (walks[0].n_frames,) and probs.shape == (walks[0].n_frames, 4)


@pytest.mark.slow
def test_tcn_learns_gait_events_of_held_out_synthetic_walks(
    walks: list[Sample], make_walk: Callable, tiny_training_config: TrainingConfig, tmp_path: Path
) -> None:
    cfg = replace(tiny_training_config, epochs=25, channels=24, n_blocks=4, learning_rate=3e-3, patience=25)
    summary = train_cross_validated(walks, "events", cfg, tmp_path, device="cpu", progress=False)
    assert summary["metrics"]["f1"]["mean"] >= 0.9
    assert summary["metrics"]["mae_frames"]["mean"] <= 1.0
    # The fold ensemble on walks no fold has seen, at another frame rate (resampled internally).
    models = load_models(tmp_path)
    fresh = _samples(make_walk, 2, seed0=500, fps=40.0, duration_s=6.0)
    matches = []
    for s in fresh:
        predicted = events_to_positions(predict_events(models, s.features, s.rate_hz))
        matches += [match_events(p, t, 2) for p, t in zip(predicted, events_to_positions(s.events))]
    assert event_scores(combine_matches(matches))["f1"] >= 0.9


@pytest.mark.slow
def test_tcn_training_resamples_samples_recorded_at_another_rate(
    walks: list[Sample], make_walk: Callable, tiny_training_config: TrainingConfig, tmp_path: Path
) -> None:
    fast = _samples(make_walk, 2, seed0=700, fps=60.0, duration_s=4.0)
    cfg = replace(tiny_training_config, epochs=1)
    summary = train_cross_validated(walks + fast, "events", cfg, tmp_path, device="cpu", progress=False)
    assert summary["rate_hz"] == 30.0
    detailed = {r["name"]: r for r in orjson.loads((tmp_path / "detailed_results.json").read_bytes())}
    for s in fast:
        true_frames = sorted(f for frames in detailed[s.name]["true_frames"].values() for f in frames)
        assert true_frames == sorted(round(e.frame / 2) for e in s.events)  # 60 fps frames at 30 fps
        assert max(true_frames) < 4.0 * 30 + 1
