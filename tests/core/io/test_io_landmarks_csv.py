"""Landmark CSV round trip and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_NAMES, NUM_LANDMARKS
from core.errors import InputError
from core.io.landmarks_csv import read_landmarks_csv, write_landmarks_csv
from core.types import KeypointSeries


def _series(units: str = "px", is_2d: bool = True) -> KeypointSeries:
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 1000, (7, NUM_LANDMARKS, 3))
    pos[2, 5] = np.nan
    conf = rng.uniform(0, 1, (7, NUM_LANDMARKS))
    if is_2d:
        pos[..., 2] = np.where(np.isnan(pos[..., 0]), np.nan, 0.0)
    return KeypointSeries(pos, np.arange(7) / 30.0, conf, units=units, name="walk 01", is_2d=is_2d)


@pytest.mark.parametrize("units, is_2d, first_axes", [("px", True, ["x_px", "y_up_px", "confidence"]),
                                                     ("m", False, ["x_m", "y_up_m", "z_m", "confidence"])])
def test_round_trip(tmp_path: Path, units: str, is_2d: bool, first_axes: list[str]) -> None:
    series = _series(units, is_2d)
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, series, chunk_frames=3)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")  # the header comes first: no comment line
    assert header[:2 + len(first_axes)] == ["frame", "time_s"] + [f"nose_{a}" for a in first_axes]
    assert len(lines) == 1 + series.n_frames
    back = read_landmarks_csv(path)
    np.testing.assert_allclose(back.positions, series.positions, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(back.confidence, series.confidence, atol=1e-4)
    np.testing.assert_allclose(back.time_s, series.time_s, atol=1e-6)
    assert (back.units, back.is_2d, back.name) == (units, is_2d, "walk 01")


def test_pixels_are_written_in_image_convention_y_down(tmp_path: Path) -> None:
    series = _series()
    series = KeypointSeries(series.positions, series.time_s, series.confidence, "px", "walk", True,
                            meta={"image_height_px": 1080, "first_frame": 4})
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, series, chunk_frames=100)
    rows = [line.split(",") for line in path.read_text().splitlines()]
    y = rows[0].index("left_hip_y_px")
    i = LANDMARK_NAMES.index("left_hip")
    assert float(rows[1][y]) == pytest.approx(1080 - series.positions[0, i, 1], abs=1e-5)
    assert rows[1][0] == "4"  # the video frame number
    back = read_landmarks_csv(path)  # the sidecar gives the image height back
    np.testing.assert_allclose(back.positions, series.positions, atol=1e-5, equal_nan=True)
    assert back.meta["first_frame"] == 4 and (tmp_path / "landmarks.meta.json").exists()


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


def test_the_foot_patches_come_back_from_the_sidecar(tmp_path: Path) -> None:
    series = _series()
    velocity = np.random.default_rng(5).normal(size=(7, 4, 2)) * 100
    velocity[0] = np.nan
    peak = np.full((7, 4), 0.8)
    series = KeypointSeries(series.positions, series.time_s, series.confidence, "px", "walk", True,
                            meta={"image_height_px": 540, "foot_velocity_px_s": velocity, "foot_patch_peak": peak})
    write_landmarks_csv(tmp_path / "landmarks.csv", series, chunk_frames=100)
    back = read_landmarks_csv(tmp_path / "landmarks.csv").meta
    np.testing.assert_allclose(back["foot_velocity_px_s"], velocity, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(back["foot_patch_peak"], peak)
    plain = KeypointSeries(series.positions, series.time_s, series.confidence, "px", "walk", True,
                           meta={"image_height_px": 540})
    write_landmarks_csv(tmp_path / "old.csv", plain, chunk_frames=100)
    assert "foot_velocity_px_s" not in read_landmarks_csv(tmp_path / "old.csv").meta
