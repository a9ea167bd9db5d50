"""Small output fixes a new user asked for (issue 16, "Small things")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import load_profile
from core.gait.analysis import analyze_series
from core.io.gait_outputs import parameters_document
from core.io.notices import first_time
from core.synthetic import GaitParams, simulate_walk, truth_to_series


def test_rate_is_rounded_and_ground_speeds_name_their_unit():
    _, _, truth = simulate_walk(GaitParams(duration_s=4.0, seed=2, fps=30.0, width_px=640, height_px=360))
    series = truth_to_series(truth)
    jitter = series.time_s + np.linspace(0.0, 1e-12, series.n_frames)  # float noise in the sample times
    doc = parameters_document(analyze_series(series.__class__(series.positions, jitter, series.confidence,
                                                              series.units, "w", series.is_2d, dict(series.meta)),
                                             load_profile("balanced").preprocessing))
    assert doc["data"]["rate_hz"] == 30.0
    assert series.units == "px" and "median_ground_speed_px_s" in doc["ground"]
    assert not any(key.endswith("_units_s") for key in doc["ground"])


def test_a_notice_is_shown_once_per_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert first_time("model-fallback-0-1")
    assert not first_time("model-fallback-0-1")
    assert first_time("model-fallback-2-1")  # another notice is its own


def test_an_unwritable_cache_shows_the_notice_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert first_time("x") and first_time("x")
