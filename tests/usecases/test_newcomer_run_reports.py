"""A new user's first runs (issue 16): exit codes, run reports, the lock, pre-fetch and interrupt messages."""

from __future__ import annotations

import csv
import json
import urllib.error
from pathlib import Path

import pytest

from core.io.inputs import OutputLock
from core.synthetic import GaitParams, generate_walking_video, simulate_walk
from tests.usecases.reliability_media import run_cli, write_trc_from_truth

SMALL = dict(fps=30.0, width_px=320, height_px=240)


@pytest.fixture(scope="module")
def trc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, _, truth = simulate_walk(GaitParams(duration_s=4.0, seed=5, **SMALL))
    return write_trc_from_truth(tmp_path_factory.mktemp("trc") / "walk.trc", truth)


@pytest.fixture(scope="module")
def tiny_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "tiny.mp4"
    generate_walking_video(path, GaitParams(duration_s=1.0, seed=3, **SMALL))
    return path


def _summary(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "summary.csv").open()))


def test_summary_lists_every_input_with_status_and_reason(trc, tmp_path):
    run = run_cli(["--keypoints", str(trc), str(tmp_path / "missing.trc"), "--output", str(tmp_path / "out"),
                   "-q", "--no-plots"])
    rows = {r["input"]: r for r in _summary(run.output_dir)}
    assert rows[str(trc)]["status"] == "ok" and rows[str(trc)]["reason"] == ""
    missing = rows[str(tmp_path / "missing.trc")]
    assert missing["status"] == "failed" and missing["reason"] == "no such file or folder"
    assert run.code == 1


def test_a_run_where_every_input_fails_replaces_the_previous_summary(trc, tmp_path):
    out = tmp_path / "out"
    assert run_cli(["--keypoints", str(trc), "--output", str(out), "-q", "--no-plots"]).code == 0
    run = run_cli(["--keypoints", str(tmp_path / "gone.trc"), "--output", str(out), "-q", "--no-plots"])
    assert run.code == 1
    assert [r["input"] for r in _summary(out)] == [str(tmp_path / "gone.trc")]


def test_performance_report_counts_the_files_written_and_names_the_run(trc, tmp_path):
    out = tmp_path / "out"
    assert run_cli(["--keypoints", str(trc), "--output", str(out), "-q", "--no-plots"]).code == 0
    report = json.loads((out / "performance_report.json").read_text())
    files = [p for p in out.rglob("*") if p.is_file()]
    assert report["files_written"] == len(files)
    assert report["profile"] == "balanced" and report["version"]
    assert report["inputs"] == [{"input": str(trc), "kind": "keypoints", "status": "ok"}]
    # A second run over the same folder writes the same files again, and counts only them.
    assert run_cli(["--keypoints", str(trc), "--output", str(out), "-q", "--no-plots"]).code == 0
    assert json.loads((out / "performance_report.json").read_text())["files_written"] == len(files)


def test_no_lock_file_is_left_after_a_run(trc, tmp_path):
    out = tmp_path / "out"
    assert run_cli(["--keypoints", str(trc), "--output", str(out), "-q", "--no-plots"]).code == 0
    assert not (out / OutputLock.NAME).exists()


def test_the_lock_still_excludes_a_second_holder(tmp_path):
    from core.errors import OutputLockedError

    with OutputLock(tmp_path):
        with pytest.raises(OutputLockedError, match="in use by pid"):
            OutputLock(tmp_path).__enter__()
    with OutputLock(tmp_path):  # free again once the first is released
        assert (tmp_path / OutputLock.NAME).exists()


def test_memory_budget_too_small_is_a_settings_error(tiny_video, tmp_path, monkeypatch):
    import core.mediapipe_integration as integration

    monkeypatch.setattr(integration, "measure_worker_mb", lambda job, profile: 500.0)
    run = run_cli(["--videos", str(tiny_video), "--output", str(tmp_path / "out"), "--max-memory", "200", "-q"])
    assert run.code == 2
    assert run.err.strip().startswith("error: --max-memory 200 MB cannot fit one pose worker")
    assert "FAILED" not in run.out and "command line" not in run.out
    assert run.failures[0]["kind"] == "config"
    assert "cannot fit one pose worker" in (tmp_path / "out" / "index.html").read_text()  # not an earlier run's


def test_missing_model_with_strict_models_is_a_settings_error(tiny_video, tmp_path, monkeypatch):
    import core.pose.models as models

    real = models.model_path
    monkeypatch.setattr(models, "model_path", lambda c: tmp_path / "absent.tflite" if c == 0 else real(c))
    run = run_cli(["--videos", str(tiny_video), "--output", str(tmp_path / "out"), "--performance-mode", "fast",
                   "--strict-models", "-q"])
    assert run.code == 2
    assert "'lite' pose model is not available offline" in run.err and "FAILED" not in run.out


def test_a_bad_profile_file_is_one_line_not_a_failed_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"profiles": {"balanced": {"pose": {"frame_stride": 99}}}}')
    run = run_cli(["--keypoints", str(tmp_path / "x.trc"), "--config", str(bad), "--output", str(tmp_path / "o")])
    assert run.code == 2
    assert run.out == "" and len(run.err.strip().splitlines()) == 1
    assert _summary(tmp_path / "o") == []


def test_prefetch_without_internet_fails_with_one_line_per_model(tmp_path, monkeypatch):
    import core.pose.models as models
    from mediapipe.python.solutions import download_utils

    real = models.model_path
    monkeypatch.setattr(models, "model_path", lambda c: tmp_path / "absent.tflite" if c != 1 else real(c))

    def offline(path: str) -> None:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(download_utils, "download_oss_model", offline)
    run = run_cli(["--prefetch-models"])
    assert run.code == 2
    assert run.out.splitlines() == [
        "lite: NOT fetched ([Errno -3] Temporary failure in name resolution)",
        "heavy: NOT fetched ([Errno -3] Temporary failure in name resolution)",
    ]
    assert "{" not in run.out and "could not fetch the lite and heavy model(s)" in run.err


def test_interrupt_message_counts_the_frames_kept(tmp_path):
    import numpy as np

    from core.io.keypoint_store import KeypointBatch, KeypointStoreWriter, write_manifest
    from usecases.gait_analysis.cli import interrupt_summary

    assert "no unfinished extraction had stored frames" in interrupt_summary(tmp_path)
    folder = tmp_path / "walk"
    folder.mkdir()
    n = 40
    batch = KeypointBatch(frame=np.arange(n), time_s=np.arange(n) / 30.0, valid=np.ones(n, bool),
                          image=np.zeros((n, 33, 5)), world=np.zeros((n, 33, 3)))
    with KeypointStoreWriter(folder / "keypoints.jsonl.gz", 1) as writer:
        writer.append(batch)
    write_manifest(folder, {"complete": False})
    assert interrupt_summary(tmp_path).startswith("40 extracted frame(s) of 1 unfinished video(s) are kept")
    write_manifest(folder, {"complete": True})
    assert "no unfinished extraction" in interrupt_summary(tmp_path)


def test_a_json_file_given_as_events_fails_visibly(trc, tmp_path):
    """Issue 16, item 8: a wrong --events file is a per-input failure of the annotation, exit 1."""
    wrong = tmp_path / "events.json"
    wrong.write_text('{"events": []}')
    run = run_cli(["--keypoints", str(trc), "--events", str(wrong), "--output", str(tmp_path / "out"),
                   "--no-plots"])
    assert run.code == 1
    (entry,) = run.failures
    assert entry == {"input": str(wrong), "kind": "annotation",
                     "error": "events JSON lists no events"}
    assert f"FAILED  {wrong}" in run.out


def test_an_events_folder_without_this_inputs_file_says_so(trc, tmp_path):
    (tmp_path / "ann").mkdir()
    run = run_cli(["--keypoints", str(trc), "--events", str(tmp_path / "ann"), "--output", str(tmp_path / "out"),
                   "--no-plots"])
    assert run.code == 0
    assert f"note: not evaluated: no walk.events.csv or walk.truth.json in {tmp_path / 'ann'}" in run.out


def test_an_events_folder_with_the_generators_truth_json_is_evaluated(trc, tmp_path):
    """A synthetic video's <stem>.truth.json in the --events folder serves as its annotation."""
    from core.io.events_csv import format_events_csv, read_events_csv

    (tmp_path / "ann").mkdir()
    (tmp_path / "csv").mkdir()
    events = [{"side": "left", "event": "heel_strike", "frame": 20, "time_s": 0.6667},
              {"side": "right", "event": "heel_strike", "frame": 40, "time_s": 1.3333}]
    (tmp_path / "ann" / "walk.truth.json").write_text(json.dumps({"fps": 30.0, "events": events}))
    as_csv = format_events_csv(read_events_csv(tmp_path / "ann" / "walk.truth.json"))
    (tmp_path / "csv" / "walk.events.csv").write_text(as_csv)
    runs = {name: run_cli(["--keypoints", str(trc), "--events", str(tmp_path / name), "--output",
                           str(tmp_path / f"out_{name}"), "--no-plots"]) for name in ("ann", "csv")}
    evaluations = [json.loads((tmp_path / f"out_{name}" / "walk" / "gait_parameters.json").read_text())["evaluation"]
                   for name in runs]
    assert all(run.code == 0 for run in runs.values())
    assert evaluations[0] is not None and evaluations[0] == evaluations[1]


def test_no_empty_stage_table_after_a_run_that_never_started_a_stage(tmp_path):
    run = run_cli(["--keypoints", str(tmp_path / "missing.trc"), "--output", str(tmp_path / "out")])
    assert run.code == 1 and "FAILED" in run.out
    assert "wall s" not in run.out and "peak RSS" not in run.out
