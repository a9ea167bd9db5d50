"""Shared fixtures: short synthetic walking videos generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def synthetic_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6 s, 640x360, 30 fps walk (left to right) with ``walk.truth.json`` and ``walk.events.csv``."""
    from core.io.events_csv import write_events_csv
    from core.synthetic import GaitParams, generate_walking_video, truth_to_events

    folder = tmp_path_factory.mktemp("synthetic")
    path = folder / "walk.mp4"
    truth = generate_walking_video(
        path, GaitParams(cadence_steps_per_min=110, duration_s=6.0, fps=30.0, width_px=640, height_px=360, seed=1)
    )
    write_events_csv(folder / "walk.events.csv", truth_to_events(truth))
    return path
