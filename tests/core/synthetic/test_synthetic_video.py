"""Synthetic video files: MP4 round trip, truth JSON, conversions, and the two scripts."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.errors import GaitToolError
from core.io.atomic import read_json
from core.io.events_csv import read_events_csv
from core.io.video_writer import write_video
from core.synthetic import GaitParams, generate_walking_video, truth_path, truth_to_events, truth_to_series

REPO = Path(__file__).resolve().parents[3]


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_back(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "walk.mp4"
    params = GaitParams(duration_s=1.5, fps=20.0, width_px=320, height_px=240, seed=7, noise=1.0)
    return path, params, generate_walking_video(path, params)


def test_video_reads_back_with_all_frames(video):
    path, params, truth = video
    frames = _read_back(path)
    assert len(frames) == truth["n_frames"] == params.n_frames == 30
    assert frames[0].shape == (240, 320, 3)
    assert not list(path.parent.glob(".walk*"))  # no temporary file left behind


def test_truth_json_is_written_beside_the_video(video):
    path, params, truth = video
    loaded = read_json(truth_path(path))
    assert truth_path(path).name == "walk.truth.json"
    assert loaded["fps"] == params.fps and loaded["width"] == 320 and loaded["height"] == 240
    assert len(loaded["landmarks"]["left_ankle"]) == loaded["n_frames"]
    assert loaded["camera_mode"] in ("static", "tracking")
    assert loaded["walking_speed_m_s"] == pytest.approx(loaded["step_length_m"] * loaded["cadence_steps_per_min"] / 60)
    expected = [e["event"] for e in sorted(truth["events"], key=lambda e: e["time_s"])]
    assert [e.event for e in truth_to_events(loaded)] == expected


def test_truth_to_series_flips_rows_to_y_up(video):
    path, params, _ = video
    truth = read_json(truth_path(path))
    series = truth_to_series(truth)
    assert series.units == "px" and series.is_2d and series.n_frames == 30
    assert series.rate_hz == pytest.approx(params.fps)
    knee = np.asarray(truth["landmarks"]["right_knee"])
    assert series.positions[:, 26, 0] == pytest.approx(knee[:, 0])
    assert series.positions[:, 26, 1] == pytest.approx(240 - knee[:, 1])
    assert np.all(series.positions[..., 2] == 0) and np.all(series.confidence == 1.0)


def test_truth_to_series_marks_missing_landmarks_nan(video):
    path, _, _ = video
    truth = read_json(truth_path(path))
    del truth["landmarks"]["left_pinky"]
    truth["landmarks"]["nose"][3] = None
    series = truth_to_series(truth)
    assert np.isnan(series.positions[:, 17]).all() and (series.confidence[:, 17] == 0).all()
    assert np.isnan(series.positions[3, 0]).all() and series.confidence[3, 0] == 0


def test_writer_rejects_wrong_frame_size_and_leaves_nothing(tmp_path):
    frames = [np.zeros((48, 64, 3), np.uint8), np.zeros((40, 64, 3), np.uint8)]
    with pytest.raises(GaitToolError, match="frame 1"):
        write_video(tmp_path / "bad.mp4", iter(frames), 10.0, (64, 48))
    assert list(tmp_path.iterdir()) == []


def test_writer_streams_a_generator(tmp_path):
    count = write_video(tmp_path / "g.mp4", (np.full((48, 64, 3), 10 * i, np.uint8) for i in range(12)), 12.0, (64, 48))
    frames = _read_back(tmp_path / "g.mp4")
    assert count == len(frames) == 12
    assert abs(int(frames[-1].mean()) - 110) < 6


def test_video_script_writes_video_truth_and_events(tmp_path, capsys):
    script = _load_script("make_synthetic_video")
    out = tmp_path / "demo" / "walk.mp4"
    code = script.main(["--out", str(out), "--seconds", "1", "--cadence", "110", "--fps", "20", "--width", "160",
                        "--height-px", "120", "--events-csv", "--light-side", "right"])
    assert code == 0
    assert "wrote" in capsys.readouterr().out
    truth = read_json(out.with_name("walk.truth.json"))
    assert truth["cadence_steps_per_min"] == pytest.approx(110)
    assert truth["params"]["light_side"] == "right"
    events = read_events_csv(out.with_name("walk.events.csv"), n_frames=truth["n_frames"])
    expected = [(e["side"], e["event"], e["frame"]) for e in truth["events"]]
    assert [(e.side, e.event, e.frame) for e in events] == expected


def test_video_script_reports_bad_values(tmp_path, capsys):
    script = _load_script("make_synthetic_video")
    assert script.main(["--out", str(tmp_path / "x.mp4"), "--cadence", "900"]) == 2
    assert "cadence" in capsys.readouterr().err
    assert not (tmp_path / "x.mp4").exists()


def test_dataset_script_writes_labelled_videos(tmp_path):
    script = _load_script("make_synthetic_dataset")
    out = tmp_path / "set"
    assert script.main(["--per-style", "1", "--out", str(out), "--seconds", "0.5", "--fps", "10", "--width", "96",
                        "--height-px", "72"]) == 0
    with open(out / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["label"] for r in rows) == ["antalgic", "hemiparetic", "normal", "shuffling"]
    for row in rows:
        video = out / row["video"]
        assert video.exists() and truth_path(video).exists()
        assert video.with_name(video.stem + ".events.csv").exists()
        assert read_json(truth_path(video))["style"] == row["label"]
