"""A weak input is flagged: LOW CONFIDENCE in the console and the confidence columns of summary.csv."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np

from core.constants import LEG_LANDMARKS
from core.io.trc import write_trc
from core.synthetic import GaitParams, simulate_walk, truth_to_series
from tests.usecases.reliability_media import run_cli


def _trc(path: Path, foot_noise_px: float) -> Path:
    """A synthetic walk as a pixel TRC, its foot landmarks jittered by ``foot_noise_px`` (30 px: a
    pose model unsure of the feet; at 20 px the learned event timing recovers event F1 0.93 and the
    grade is rightly medium)."""
    series = truth_to_series(simulate_walk(GaitParams(duration_s=8.0, seed=3))[2])
    feet = [LEG_LANDMARKS[s][k] for s in ("left", "right") for k in ("heel", "toe", "ankle")]
    p = series.positions.copy()
    p[:, feet, :2] += np.random.default_rng(0).normal(0.0, foot_noise_px, p[:, feet, :2].shape)
    series = dataclasses.replace(series, positions=p)
    write_trc(path, series, series.rate_hz, chunk_frames=100)
    return path


def test_low_confidence_is_shown_in_console_summary_and_json(tmp_path: Path) -> None:
    good, bad = _trc(tmp_path / "good.trc", 0.0), _trc(tmp_path / "bad.trc", 30.0)
    run = run_cli(["--keypoints", str(good), str(bad), "--output", str(tmp_path / "out"), "--no-plots"])
    assert run.code == 0, run.err
    lines = {("bad" if "bad.trc" in ln else "good"): ln for ln in run.out.splitlines() if ln.startswith("OK")}
    assert "LOW CONFIDENCE" in lines["bad"] and "LOW CONFIDENCE" not in lines["good"], run.out
    rows = {Path(r["input"]).stem: r for r in csv.DictReader(open(tmp_path / "out" / "summary.csv"))}
    assert rows["bad"]["confidence"] == "low" and rows["bad"]["confidence_reasons"]
    assert rows["good"]["confidence"] == "high" and rows["good"]["confidence_reasons"] == ""
    for quantity in ("cadence", "event_timing", "symmetry"):
        assert rows["good"][f"confidence_{quantity}"] == "high"
    assert rows["bad"]["confidence_event_timing"] == "low", rows["bad"]
    assert "confidence low: cadence" in run.out and "event timing (stance, swing, double support) low" in run.out
    doc = json.loads(next((tmp_path / "out").glob("bad*/gait_parameters.json")).read_text())
    assert doc["confidence"]["grade"] == "low" and doc["confidence"]["reasons"]
    assert "stride_time_cv_pct" in doc["confidence"]["evidence"]
    assert doc["confidence"]["trust"]["event_timing"]["grade"] == "low"
    assert doc["confidence"]["trust"]["event_timing"]["reasons"]
    sym = doc["symmetry"]["step_time_s"]
    assert sym["si_pct"] is None and "confidence low" in sym["reason"]
