"""The CLI, in-process, on a synthetic video with exact ground truth."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX
from core.io.keypoint_store import MANIFEST_NAME, STORE_NAME, read_store
from core.io.trc import read_trc
from usecases.gait_analysis.cli import main

CHECKED = ("left_hip", "right_hip", "left_ankle", "right_ankle")


@pytest.fixture(scope="module")
def run(synthetic_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli_out")
    code = main(["--videos", str(synthetic_video), "--output", str(out), "-q", "--subject-height", "1.75"])
    assert code == 0
    return out


def test_detection_rate_and_position_error(run: Path, synthetic_video: Path):
    truth = json.loads(synthetic_video.with_name("walk.truth.json").read_text())
    batch = read_store(run / "walk" / STORE_NAME)
    assert len(batch) == truth["n_frames"]
    np.testing.assert_array_equal(batch.frame, np.arange(truth["n_frames"]))
    assert batch.valid.mean() >= 0.95
    leg_px = truth["leg_length_px"]
    for name in CHECKED:
        true_xy = np.asarray(truth["landmarks"][name], dtype=float)
        got_xy = batch.image[:, LANDMARK_INDEX[name], :2]
        ok = batch.valid
        err = np.linalg.norm(got_xy[ok] - true_xy[ok], axis=1)
        assert np.median(err) < 0.05 * leg_px, f"{name}: median error {np.median(err):.1f}px"


def test_store_is_batched(run: Path, synthetic_video: Path):
    folder = run / "walk"
    report = json.loads((run / "performance_report.json").read_text())
    n_frames = len(read_store(folder / STORE_NAME))
    # one write per batch of 100 frames; each segment after the first may end in one partial batch
    segments = report["counters"]["workers"]  # this short clip is cut into one segment per worker
    assert report["counters"]["store_write_calls"] <= max(1, int(np.ceil(n_frames / 100))) + segments - 1
    store_files = {p.name for p in folder.iterdir() if p.name.startswith("keypoints")}
    assert store_files == {STORE_NAME, MANIFEST_NAME}
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["complete"] and manifest["settings"]["model_used"] == "full"


def test_outputs_and_reports_exist(run: Path, synthetic_video: Path):
    folder = run / "walk"
    for name in ("events.csv", "gait_parameters.json", "angles_cycles.csv", "landmarks.csv", "walk.trc",
                 "walk_m.trc", "angles.png", "events_timeline.png"):
        assert (folder / name).stat().st_size > 0, name
    for name in ("summary.csv", "failures.json", "performance_report.json", "effective_config.json"):
        assert (run / name).exists(), name
    params = json.loads((folder / "gait_parameters.json").read_text())
    truth = json.loads(synthetic_video.with_name("walk.truth.json").read_text())
    assert params["cadence_steps_per_min"] == pytest.approx(truth["cadence_steps_per_min"], rel=0.02)
    step_m = np.mean([params[side]["step_length_m"]["mean"] for side in ("left", "right")])
    # The fixture's camera pans with the walker: the pan comes from the scenery's shift.
    assert params["ground"]["source"] == "scenery" and params["ground"]["camera_motion"] == "moving/treadmill"
    summary = (run / "summary.csv").read_text().splitlines()
    header, row = summary[0].split(","), summary[1].split(",")
    assert row[header.index("ground_source")] == "scenery" and row[header.index("n_bouts")] == "1"
    assert step_m == pytest.approx(truth["step_length_m"], rel=0.05)
    metric = read_trc(folder / "walk_m.trc")  # --subject-height: metres in the ground frame (the pan removed)
    hips = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
    hip_x_m = np.nanmean(metric.positions[:, hips, 0], axis=1)
    seen = np.isfinite(hip_x_m)
    assert metric.units == "m" and seen.sum() > 0.8 * metric.n_frames
    assert np.polyfit(metric.time_s[seen], hip_x_m[seen], 1)[0] == pytest.approx(truth["walking_speed_m_s"], rel=0.1)
    assert params["walking_speed_m_s"] == pytest.approx(truth["walking_speed_m_s"], rel=0.05)


def test_html_report_and_index(run: Path):
    folder = run / "walk"
    page = (folder / "report.html").read_text()
    params = json.loads((folder / "gait_parameters.json").read_text())
    assert f"{params['cadence_steps_per_min']:.1f}" in page and f"{params['walking_speed_m_s']:.2f}" in page
    images = re.findall(r'<img src="([^"]+)"', page)
    assert "events_review.png" in images and "angles.png" in images
    assert all((folder / name).is_file() for name in images)
    index = (run / "index.html").read_text()
    assert re.findall(r'<a href="([^"]+)"', index) == ["walk/report.html"] and "1 analysed, 0 failed" in index


def test_pose_workers_start_while_the_video_is_probed(run: Path):
    # before the rerun below, which rewrites the report
    report = json.loads((run / "performance_report.json").read_text())
    timeline = report["timeline"]
    assert {"probe", "pose", "shutdown"} <= set(timeline["phases"])
    assert timeline["critical_path"]["idle_core_s"] >= 0
    workers = [p for p in timeline["processes"] if p["role"].startswith("worker")]
    if report["counters"]["workers"] > 1:  # a pool: the probe did not wait for its workers' set-up
        assert workers and sum(p["cpu_s"] for p in workers) > 0
        probe, first = timeline["phases"]["probe"], min(p["start_s"] for p in workers)
        start = report["executor"]["start_method"]  # as the run found this process (core.process_pool._fork_safe)
        assert start in ("fork", "forkserver", "spawn")
        # Forked from the main process, they start before it probes; from a fork server (or spawned) they start
        # from a background thread, before or after the probe begins as the server is ready: no order to check.
        assert start != "fork" or (sys.platform.startswith("linux") and first <= probe["start_s"])


def test_rerun_reuses_the_store(run: Path, synthetic_video: Path, capsys):
    before = (run / "walk" / STORE_NAME).stat().st_mtime_ns
    assert main(["--videos", str(synthetic_video), "--output", str(run), "-q"]) == 0
    assert (run / "walk" / STORE_NAME).stat().st_mtime_ns == before

