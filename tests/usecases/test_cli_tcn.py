"""TCN through the CLI on a tiny synthetic dataset: train (classification, events), then apply."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.tcn.small_set import SMALL_CYCLES
from usecases.gait_analysis.cli import main

ROOT = Path(__file__).resolve().parents[2]
TRAINING_FILES = ("cv_metrics.json", "fold_scores.json", "training_histories.json", "detailed_results.json",
                  "classification_report.txt", "confusion_matrix.png", "training_curves.png", "model_fold_0.pt")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One output folder for the module, so each video is extracted once."""
    return tmp_path_factory.mktemp("tcn_out")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    cmd = [sys.executable, "scripts/make_synthetic_dataset.py", "--per-style", "2", "--out", str(out),
           "--seconds", "3", "--width", "320", "--height-px", "240"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    return out


def test_classification_training_writes_everything(dataset: Path, out: Path):
    code = main(["--videos", str(dataset), "--labels", str(dataset / "labels.csv"), "--task", "classification",
                 "--folds", "2", "--epochs", "2", "--performance-mode", "fast", "--no-plots", "--output", str(out), "-q"])
    assert code == 0
    for name in TRAINING_FILES:
        assert (out / "training" / name).stat().st_size > 0, name
    metrics = json.loads((out / "training" / "cv_metrics.json").read_text())
    assert metrics["task"] == "classification" and metrics["n_videos"] == 8 and metrics["pseudo_labels"] is False
    assert metrics["baseline"] is not None and metrics["combined"]["model"] == "TCN + gait parameters"
    assert "combined_predicted" in (out / "training" / "predictions.csv").read_text().splitlines()[0]
    ckpt = torch.load(out / "training" / "model_fold_0.pt", weights_only=True)
    assert "state_dict" in ckpt and ("cycles" in ckpt["meta"]) is SMALL_CYCLES  # 4 training videos per fold
    assert main(["--videos", str(dataset / "normal_000.mp4"), "--model", str(out / "training"),
                 "--performance-mode", "fast", "--no-plots", "--output", str(out), "-q"]) == 0
    pred = json.loads((out / "normal_000" / "tcn_prediction.json").read_text())
    assert pred["predicted_label"] in {"normal", "hemiparetic", "shuffling", "antalgic"}
    assert 0.0 <= pred["probability"] <= 1.0


def test_events_training_and_side_by_side_evaluation(dataset: Path, out: Path):
    code = main(["--videos", str(dataset), "--events", str(dataset), "--task", "events", "--folds", "2",
                 "--epochs", "2", "--performance-mode", "fast", "--no-plots", "--output", str(out), "-q"])
    assert code == 0
    metrics = json.loads((out / "training" / "cv_metrics.json").read_text())
    assert metrics["task"] == "events" and metrics["pseudo_labels"] is False
    assert main(["--videos", str(dataset / "antalgic_001.mp4"), "--events", str(dataset), "--model",
                 str(out / "training" / "model_fold_1.pt"), "--performance-mode", "fast", "--no-plots", "--output", str(out), "-q"]) == 0
    record = json.loads((out / "antalgic_001" / "tcn_evaluation.json").read_text())
    assert {"tcn", "kinematic"} <= set(record)
    assert (out / "antalgic_001" / "events_tcn.csv").read_text().startswith("side,event,frame,time_s")


def test_pseudo_labels_are_declared(dataset: Path, out: Path):
    code = main(["--videos", str(dataset), "--train", "--folds", "2", "--epochs", "1", "--performance-mode", "fast",
                 "--output", str(out), "-q"])
    assert code == 0
    metrics = json.loads((out / "training" / "cv_metrics.json").read_text())
    assert metrics["pseudo_labels"] is True
