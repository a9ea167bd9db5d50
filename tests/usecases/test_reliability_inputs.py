"""Fault injection, inputs: every bad input gets one clear line, a failures.json entry and a non-zero exit
code, while the good inputs of the same run still succeed. All bad files are made here."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX
from core.io.keypoint_store import MANIFEST_NAME, STORE_NAME, read_store
from core.synthetic import GaitParams, generate_walking_video
from tests.usecases.reliability_media import (
    assert_reported,
    background_only,
    remux_faststart,
    run_cli,
    truncate,
    walk,
    write_audio_only,
    write_av,
    write_mp4,
    write_trc_from_truth,
    zero_frame_durations,
)

LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
SMALL = dict(fps=30.0, width_px=320, height_px=240)


def _median_error_px(batch, truth: dict, scale: float = 1.0) -> float:
    errors = []
    for name in LEGS:
        true_xy = np.asarray(truth["landmarks"][name], dtype=float)[batch.frame] * scale
        got = batch.image[:, LANDMARK_INDEX[name], :2]
        ok = batch.valid & np.isfinite(true_xy).all(axis=1)
        errors.append(np.linalg.norm(got[ok] - true_xy[ok], axis=1))
    return float(np.median(np.concatenate(errors)))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Good, bad and odd videos, each made here."""
    d = tmp_path_factory.mktemp("media")
    m: dict = {}
    m["good"] = d / "dir with spaces" / "wälk ñ 1.mp4"
    m["good"].parent.mkdir()
    m["good_truth"] = generate_walking_video(m["good"], GaitParams(duration_s=3.0, fps=30.0, width_px=480,
                                                                   height_px=270, seed=2))
    m["missing"] = d / "missing.mp4"
    (d / "no_videos").mkdir()
    (d / "no_videos" / "readme.txt").write_text("no videos here")
    m["no_videos"] = d / "no_videos"
    m["glob"] = str(d / "*.mkv")
    m["zero"] = d / "zero.mp4"
    m["zero"].write_bytes(b"")
    m["text"] = d / "notes.mp4"
    m["text"].write_text("these are notes, not a video\n")
    m["cut"] = truncate(m["good"], d / "cut.mp4", 0.5)
    m["cut_indexed"] = truncate(remux_faststart(m["good"], d / "faststart.mp4"), d / "cut_indexed.mp4", 0.8)
    m["audio"] = write_audio_only(d / "voice.mp4")
    m["nobody"] = write_mp4(d / "empty_room.mp4", background_only(GaitParams(duration_s=1.0, seed=5, **SMALL)),
                            30.0, (320, 240))
    leaves = GaitParams(duration_s=4.0, seed=6, **SMALL)
    m["leaves"] = write_mp4(d / "leaves.mp4", background_only(leaves, from_frame=75), 30.0, (320, 240))
    m["short"] = d / "short.mp4"
    generate_walking_video(m["short"], GaitParams(duration_s=1.0, seed=3, **SMALL))
    m["fps0"] = zero_frame_durations(m["good"], d / "fps0.mp4")
    frames, _ = walk(GaitParams(duration_s=1.0, seed=7, **SMALL))
    m["raw"] = write_av(d / "stream.h264", frames, np.arange(30) / 30.0, fmt="h264", codec="libx264")
    vfr_params = GaitParams(duration_s=3.0, fps=60.0, width_px=480, height_px=270, seed=8)
    frames, m["vfr_truth"] = walk(vfr_params)
    m["vfr_kept"] = np.cumsum(np.r_[0, np.tile([1, 3], 45)])[:90]  # 60 fps, then steps of 1/60 and 3/60 s
    kept = set(m["vfr_kept"].tolist())
    m["vfr"] = write_av(d / "vfr.mp4", (f for i, f in enumerate(frames) if i in kept), m["vfr_kept"] / 60.0)
    frames, m["rot_truth"] = walk(GaitParams(duration_s=1.5, fps=30.0, width_px=270, height_px=480, seed=9))
    coded = (np.rot90(f, k=-1) for f in frames)  # the sensor's landscape frames; players turn them back
    m["rotated"] = write_av(d / "phone.mp4", coded, np.arange(45) / 30.0, rotation_deg=90)
    return m


@pytest.fixture(scope="module")
def batch(media: dict, tmp_path_factory: pytest.TempPathFactory):
    """One run over every video input above (two pose workers)."""
    out = tmp_path_factory.mktemp("batch_out")
    keys = ("good", "missing", "no_videos", "glob", "zero", "text", "cut", "cut_indexed", "audio", "nobody",
            "leaves", "short", "fps0", "raw", "vfr", "rotated")
    return run_cli(["--videos", *[str(media[k]) for k in keys], "--output", str(out), "--workers", "2", "--no-plots"])


def _ok(run, source: Path) -> dict:
    rows = list(csv.DictReader((run.output_dir / "summary.csv").open()))
    hits = [r for r in rows if r["input"] == str(source)]
    assert len(hits) == 1 and hits[0]["status"] == "ok", (source, run.err)
    return hits[0]


def _store(run, name: str):
    return read_store(run.output_dir / name / STORE_NAME)


def test_good_input_succeeds_among_bad_ones(batch, media):
    assert batch.code == 1
    row = _ok(batch, media["good"])
    assert 95 <= float(row["cadence_steps_per_min"]) <= 125
    assert f"{len(batch.failures)} of 16 input(s) failed" in batch.out


def test_paths_with_spaces_and_non_ascii(batch, media):
    folder = batch.output_dir / "wälk_ñ_1"
    for name in ("events.csv", "gait_parameters.json", "landmarks.csv", "angles_cycles.csv", STORE_NAME):
        assert (folder / name).stat().st_size > 0, name
    assert json.loads((folder / MANIFEST_NAME).read_text())["source"]["path"] == str(media["good"])


@pytest.mark.parametrize("key, reason", [
    ("missing", "no such file or folder"),
    ("no_videos", "folder contains no .mp4/"),
    ("glob", "glob matches no file"),
])
def test_missing_paths_folders_and_globs(batch, media, key, reason):
    assert assert_reported(batch, media[key], reason)["kind"] == "input"


@pytest.mark.parametrize("key, reason", [
    ("zero", r"file is empty \(0 bytes\)"),
    ("text", "not a video: the file contains text"),
    ("cut", r"truncated MP4: the file ends inside its 'mdat' box and has no complete 'moov' index"),
    ("audio", r"no video track \(audio only\)"),
    ("nobody", r"a person was detected in only 0% of 30 processed frames .*is anyone visible"),
    ("short", r"no gait event detected .*at least one complete stride"),
])
def test_unusable_videos(batch, media, key, reason):
    assert assert_reported(batch, media[key], reason)["kind"] == "video"


def test_too_short_still_reports_the_landmarks(batch):
    folder = batch.output_dir / "short"
    assert (folder / "landmarks.csv").stat().st_size > 0 and (folder / "short.trc").stat().st_size > 0
    assert len(_store(batch, "short")) == 30


def test_truncated_mp4_with_index_reports_the_decoded_part(batch, media):
    store = _store(batch, "cut_indexed")
    assert 30 < len(store) < 90
    np.testing.assert_array_equal(store.frame, np.arange(len(store)))
    lines = batch.error_lines(media["cut_indexed"])
    assert any(f"decoding ended at frame {len(store) - 1} but the metadata announces 90 frames" in ln
               for ln in lines), batch.err
    assert (batch.output_dir / "cut_indexed" / "landmarks.csv").exists()


def test_person_leaves_the_frame_halfway(batch, media):
    row = _ok(batch, media["leaves"])
    assert 0.4 < float(row["detection_rate"]) < 0.9
    assert float(row["cadence_steps_per_min"]) > 0
    assert "note: person detected in" in batch.out


def test_frame_rate_zero_in_metadata_uses_frame_index_and_says_so(batch, media):
    (line,) = [ln for ln in batch.error_lines(media["fps0"]) if "frame rate" in ln]
    assert line.endswith("frame rate in the metadata is 0.333 fps and the frame timestamps are unusable; "
                         "assuming 30 fps (times, cadence and speed scale with this assumption)")
    store = _store(batch, "fps0")
    np.testing.assert_allclose(store.time_s, store.frame / 30.0, atol=1e-9)
    same_frames = _ok(batch, media["good"])
    assert abs(float(_ok(batch, media["fps0"])["cadence_steps_per_min"])
               - float(same_frames["cadence_steps_per_min"])) < 0.5


def test_frame_rate_missing_in_raw_stream(batch, media):
    assert any("frame timestamps are unusable; assuming 30 fps" in ln for ln in batch.error_lines(media["raw"]))
    store = _store(batch, "stream")
    assert len(store) == 30
    np.testing.assert_allclose(store.time_s, store.frame / 30.0, atol=1e-9)


def test_variable_frame_rate_keeps_frame_timestamps(batch, media):
    store = _store(batch, "vfr")
    np.testing.assert_array_equal(store.frame, np.arange(90))
    np.testing.assert_allclose(store.time_s, media["vfr_kept"] / 60.0, atol=2e-3)
    cadence = float(_ok(batch, media["vfr"])["cadence_steps_per_min"])
    assert abs(cadence - media["vfr_truth"]["cadence_steps_per_min"]) < 0.12 * media["vfr_truth"]["cadence_steps_per_min"]


def test_rotated_phone_video_gives_landmarks_in_display_orientation(batch, media):
    manifest = json.loads((batch.output_dir / "phone" / MANIFEST_NAME).read_text())
    assert (manifest["width"], manifest["height"]) == (270, 480) and manifest["rotation_deg"] in (90, 270)
    store = _store(batch, "phone")
    assert len(store) == 45 and store.valid.mean() > 0.9
    assert _median_error_px(store, media["rot_truth"]) < 0.05 * media["rot_truth"]["leg_length_px"]


def test_4k_video_with_accurate_profile_caps_the_decode_queue(media, tmp_path):
    from core.config import load_profile

    frames, truth = walk(GaitParams(duration_s=1.0, fps=30.0, width_px=960, height_px=540, seed=10))
    big = (np.repeat(np.repeat(f, 4, axis=0), 4, axis=1) for f in frames)  # 3840x2160
    video = write_mp4(tmp_path / "uhd.mp4", big, 30.0, (3840, 2160))
    out = tmp_path / "out"
    run = run_cli(["--videos", str(media["short"]), str(video), "--output", str(out), "--performance-mode",
                   "accurate", "--extract-only", "--workers", "1", "-q"])
    assert run.code == 0, run.err
    held_mb = json.loads((out / "performance_report.json").read_text())["counters"]["decode_queue_mb"]
    frame_mb = 3840 * 2160 * 3 / 2**20
    assert held_mb <= max(load_profile("accurate").memory.queue_max_mb, np.ceil(2 * frame_mb))
    store = read_store(out / "uhd" / STORE_NAME)
    np.testing.assert_array_equal(store.frame, np.arange(30))
    assert _median_error_px(store, truth, scale=4.0) < 0.05 * 4 * truth["leg_length_px"]


def test_both_decoders_give_display_orientation_and_the_same_times(media):
    from core.pose.video import iter_frames, probe_video

    for key, shape in (("rotated", (480, 270, 3)), ("fps0", (270, 480, 3))):
        fps = probe_video(media[key]).fps
        a, b = (list(iter_frames(media[key], fps=fps, decoder=d)) for d in ("opencv", "pyav"))
        assert len(a) == len(b) and a[0].image.shape == b[0].image.shape == shape
        np.testing.assert_allclose([f.time_s for f in a], [f.time_s for f in b], atol=1e-3)
        assert np.mean(np.abs(a[5].image.astype(float) - b[5].image.astype(float))) < 8.0


def test_corrupt_keypoint_store_is_rebuilt_with_a_message(batch, media, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(batch.output_dir / "wälk_ñ_1", out / "wälk_ñ_1")
    store = out / "wälk_ñ_1" / STORE_NAME
    store.write_bytes(b"\x00garbage" * 100)
    run = run_cli(["--videos", str(media["good"]), "--output", str(out), "--workers", "1", "--no-plots"])
    assert run.code == 0, run.err
    assert f"{media['good']}: keypoint store unreadable; rebuilding" in run.err.splitlines()
    np.testing.assert_array_equal(read_store(store).frame, np.arange(90))


# ---------------------------------------------------------------- configuration

@pytest.fixture
def bad_config(tmp_path: Path) -> Path:
    path = tmp_path / "profile.json"
    path.write_text('{"profiles": {"balanced": {}},')
    return path


@pytest.mark.parametrize("case", ["invalid_json", "unknown_profile", "bad_roi"])
def test_configuration_errors(case, bad_config, tmp_path, synthetic_video):
    out = tmp_path / "out"
    args = {"invalid_json": ["--config", str(bad_config)], "unknown_profile": ["--performance-mode", "turbo"],
            "bad_roi": ["--roi", "0.5,0.2,0.1,0.9"]}[case]
    expected = {"invalid_json": (str(bad_config), "invalid JSON"),
                "unknown_profile": ("performance_optimized.json", "unknown profile 'turbo'; choose one of fast, balanced, accurate"),
                "bad_roi": ("command line", "--roi must satisfy x0 < x1")}[case]
    run = run_cli(["--videos", str(synthetic_video), "--output", str(out), *args])
    assert run.code == 2
    (line,) = [ln for ln in run.err.splitlines() if ln.startswith("error: ")]
    assert expected[0] in line or expected[0] == "command line"
    assert expected[1] in line and "Traceback" not in run.err
    (entry,) = run.failures
    assert entry["kind"] == "config" and expected[0] in (entry["input"] or "command line")
    assert expected[1] in entry["error"] and "FAILED" not in run.out  # a setting, not a failed input
    assert not (out / "walk").exists()


def test_configuration_error_traceback_only_with_verbose(bad_config, tmp_path):
    run = run_cli(["--keypoints", "x.trc", "--output", str(tmp_path), "--config", str(bad_config), "-v"])
    assert run.code == 2 and "Traceback" in run.err


# ---------------------------------------------------------------- keypoint files and annotations

EVENTS_HEADER = "side,event,frame,time_s\n"


@pytest.fixture(scope="module")
def keypoint_run(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    d = tmp_path_factory.mktemp("keypoints")
    from core.io.events_csv import write_events_csv
    from core.synthetic import simulate_walk, truth_to_events

    _, _, truth = simulate_walk(GaitParams(duration_s=4.0, seed=11, **SMALL))
    events = d / "events"
    events.mkdir()
    files = {}
    for name in ("good", "bad_side", "bad_event", "bad_frame"):
        files[name] = write_trc_from_truth(d / f"{name}.trc", truth)
    write_events_csv(events / "good.events.csv", truth_to_events(truth))
    (events / "bad_side.events.csv").write_text(EVENTS_HEADER + "left,heel_strike,10,\nup,toe_off,20,\n")
    (events / "bad_event.events.csv").write_text(EVENTS_HEADER + "left,heel_strike,10,\nright,jump,20,\n")
    (events / "bad_frame.events.csv").write_text(EVENTS_HEADER + "left,heel_strike,10,\nright,toe_off,5000,\n")
    text = files["good"].read_text().splitlines()
    files["bad_header"] = d / "bad_header.trc"
    files["bad_header"].write_text("\n".join(["Frame#\tTime"] + text[1:]) + "\n")
    renamed = text[3].replace("LHip", "Pelvis_L").replace("RHip", "Pelvis_R")
    files["no_hips"] = d / "no_hips.trc"
    files["no_hips"].write_text("\n".join(text[:3] + [renamed] + text[4:]) + "\n")
    run = run_cli(["--keypoints", *map(str, files.values()), "--events", str(events),
                   "--output", str(d / "out"), "-q", "--no-plots"])
    return run, files, events


def test_trc_with_malformed_header(keypoint_run):
    run, files, _ = keypoint_run
    assert_reported(run, files["bad_header"], r"malformed TRC header \(the first line must start with 'PathFileType'\)")


def test_trc_with_missing_markers(keypoint_run):
    run, files, _ = keypoint_run
    assert_reported(run, files["no_hips"], r"no hip marker \(LHip/RHip\) with data")


@pytest.mark.parametrize("name, reason", [
    ("bad_side", r"line 3: unknown side 'up' \(expected left or right\)"),
    ("bad_event", r"line 3: unknown event 'jump' \(expected heel_strike or toe_off\)"),
    ("bad_frame", r"line 3: frame 5000 is out of range \[0, 120\)"),
])
def test_bad_events_csv_is_reported_and_the_input_still_analysed(keypoint_run, name, reason):
    run, files, events = keypoint_run
    entry = assert_reported(run, events / f"{name}.events.csv", reason)
    assert entry["kind"] == "annotation"
    assert (run.output_dir / name / "gait_parameters.json").exists()
    assert f"OK      {files[name]}" not in run.out  # -q: only failures are listed


def test_good_keypoint_file_with_events_is_evaluated(keypoint_run):
    run, _, _ = keypoint_run
    params = json.loads((run.output_dir / "good" / "gait_parameters.json").read_text())
    assert params["evaluation"] is not None
    assert run.code == 1 and len(run.failures) == 5


def test_labels_csv_naming_missing_videos(tmp_path):
    from core.synthetic import simulate_walk

    _, _, truth = simulate_walk(GaitParams(duration_s=4.0, seed=12, **SMALL))
    trc = write_trc_from_truth(tmp_path / "walk_a.trc", truth)
    labels = tmp_path / "labels.csv"
    labels.write_text("video,label\nwalk_a.trc,normal\nmissing_1.mp4,normal\nmissing_2.mp4,slow\n")
    run = run_cli(["--keypoints", str(trc), "--labels", str(labels), "--task", "classification",
                   "--output", str(tmp_path / "out"), "-q", "--no-plots"])
    # one labelled input cannot form folds: a configuration error before any analysis, naming both problems
    reason = (r"1 video cannot be cross-validated: add videos .*; it also names 2 video\(s\) "
              r"that are not among the inputs: missing_1.mp4, missing_2.mp4")
    assert re.search(rf"^error: {re.escape(str(labels))}: {reason}", run.err, re.M) and "Traceback" not in run.err
    assert "FAILED" not in run.out  # a settings error, not a failed input
    assert re.search(reason, run.failure(labels)["error"])
    assert run.code == 2 and not (tmp_path / "out" / "walk_a" / "gait_parameters.json").exists()
