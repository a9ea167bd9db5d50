"""Landmark CSV round trip and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_NAMES, NUM_LANDMARKS
from core.errors import InputError
from core.io.landmarks_csv import COLUMNS, read_landmarks_csv, write_landmarks_csv
from core.types import KeypointSeries


def _series(units: str = "px", is_2d: bool = True) -> KeypointSeries:
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 1000, (7, NUM_LANDMARKS, 3))
    pos[2, 5] = np.nan
    conf = rng.uniform(0, 1, (7, NUM_LANDMARKS))
    return KeypointSeries(pos, np.arange(7) / 30.0, conf, units=units, name="walk 01", is_2d=is_2d)


@pytest.mark.parametrize("units, is_2d", [("px", True), ("m", False)])
def test_round_trip(tmp_path: Path, units: str, is_2d: bool) -> None:
    series = _series(units, is_2d)
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, series, chunk_frames=3)
    lines = path.read_text().splitlines()
    assert lines[0].startswith(f"# units={units}")
    assert lines[1].split(",") == list(COLUMNS)
    assert len(lines) == 2 + series.n_frames
    back = read_landmarks_csv(path)
    np.testing.assert_allclose(back.positions, series.positions, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(back.confidence, series.confidence, atol=1e-4)
    np.testing.assert_allclose(back.time_s, series.time_s, atol=1e-6)
    assert (back.units, back.is_2d, back.name) == (units, is_2d, "walk 01")


def test_subset_of_columns_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("frame,time_s,left_hip_x,left_hip_y,left_hip_z,left_hip_confidence\n0,0.0,1,2,3,0.5\n1,0.1,4,,6,\n")
    s = read_landmarks_csv(path)
    assert s.units == "m" and s.name == "few" and not s.is_2d
    i = LANDMARK_NAMES.index("left_hip")
    np.testing.assert_allclose(s.positions[:, i], [[1, 2, 3], [4, np.nan, 6]])
    assert s.confidence[1, i] == 0.0 and np.isnan(s.positions[:, 0]).all()


@pytest.mark.parametrize(
    "text, message",
    [
        ("frame,left_hip_x\n0,1\n", "time_s"),
        ("frame,time_s,elbow_x\n0,0,1\n", "unknown column"),
        ("frame,time_s,left_hip_x,left_hip_y\n0,0,1,2\n", "incomplete landmark left_hip"),
        ("frame,time_s,left_hip_x,left_hip_y,left_hip_z,left_hip_confidence\n0,0,1,abc,3,1\n", "line 2: left_hip_y"),
        ("frame,time_s\n0,0.1\n1,0.1\n", "strictly increasing"),
        ("# units=cm\nframe,time_s\n0,0\n", "units"),
        ("frame,time_s\n", "no data rows"),
        ("frame,time_s\n0,0,5\n", "line 2"),
    ],
)
def test_bad_files_raise_input_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        read_landmarks_csv(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_landmarks_csv(tmp_path / "absent.csv")
