"""Re-analysing our own exports (issue 16, items 5 and 7): ``landmarks.csv`` and the TRC, fed back
with --keypoints, give the same cadence and the same event frames as the video's analysis (the
camera pans in the synthetic video, so the pan estimate must travel with the export)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from core.io.keypoint_store import STORE_NAME, read_store
from tests.usecases.reliability_media import run_cli


@pytest.fixture(scope="module")
def analysed(synthetic_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("video_run")
    assert run_cli(["--videos", str(synthetic_video), "--output", str(out), "-q", "--no-plots"]).code == 0
    return out / "walk"


def _events(folder: Path) -> list[tuple[str, str, int]]:
    return [(r["side"], r["event"], int(r["frame"])) for r in csv.DictReader((folder / "events.csv").open())]


def _cadence(folder: Path) -> float:
    return json.loads((folder / "gait_parameters.json").read_text())["cadence_steps_per_min"]


@pytest.mark.parametrize("export", ["landmarks.csv", "walk.trc"])
def test_reanalysing_an_export_gives_the_same_result(analysed: Path, export: str, tmp_path: Path):
    run = run_cli(["--keypoints", str(analysed / export), "--output", str(tmp_path), "-q", "--no-plots"])
    assert run.code == 0, run.out + run.err
    again = tmp_path / Path(export).stem
    params = json.loads((again / "gait_parameters.json").read_text())
    assert params["ground"]["source"] == "scenery"  # the camera's pan came back with the export
    assert _cadence(again) == pytest.approx(_cadence(analysed), abs=0.05)
    assert _events(again) == _events(analysed)
    before = json.loads((analysed / "gait_parameters.json").read_text())
    for side in ("left", "right"):  # lengths depend on the pan (without it they were ~5% longer)
        assert params[side]["step_length_leg_norm"]["mean"] == pytest.approx(
            before[side]["step_length_leg_norm"]["mean"], rel=1e-3)
    assert params["walking_speed_leg_norm_per_s"] == pytest.approx(before["walking_speed_leg_norm_per_s"], rel=1e-3)


def test_landmarks_csv_has_its_header_first_and_image_rows_for_y(analysed: Path):
    lines = (analysed / "landmarks.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["frame", "time_s", "nose_x_px", "nose_y_px"]
    batch = read_store(analysed / STORE_NAME)
    k = int(batch.valid.argmax())
    row = lines[1 + k].split(",")
    hip = header.index("left_hip_y_px")
    assert float(row[hip]) == pytest.approx(batch.image[k, 23, 1], abs=1e-3)  # the store holds image rows
    meta = json.loads((analysed / "landmarks.meta.json").read_text())
    assert meta["units"] == "px" and meta["y_axis"].startswith("down") and meta["image_height_px"] == 360


def test_older_landmarks_csv_with_comment_line_and_y_up_still_reads(tmp_path: Path):
    from core.io.landmarks_csv import read_landmarks_csv

    path = tmp_path / "old.csv"
    path.write_text("# units=px; is_2d=true; name=old\nframe,time_s,left_hip_x,left_hip_y,left_hip_z,"
                    "left_hip_confidence\n0,0.0,10.0,300.0,0.0,0.9\n1,0.033333,11.0,301.0,0.0,0.8\n")
    series = read_landmarks_csv(path)
    assert series.units == "px" and series.is_2d and series.name == "old"
    assert series.positions[1, 23].tolist() == [11.0, 301.0, 0.0]


def test_evaluate_events_script_reports_the_pipelines_cadence(analysed: Path, tmp_path: Path):
    """Issue 16, item 6: one cadence definition (core.gait.cadence) for the pipeline and the script."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("evaluate_events", Path("scripts/evaluate_events.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    events = str(analysed / "events.csv")
    assert script.main(["--detected", events, "--truth", events, "--output", str(tmp_path / "r.json")]) == 0
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["cadence_steps_per_min"]["detected"] == pytest.approx(_cadence(analysed), abs=0.05)
