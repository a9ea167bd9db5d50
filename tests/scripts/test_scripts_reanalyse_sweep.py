"""reanalyse_sweep.py on a run folder made from the synthetic truth (no pose model, no video)."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from core.io.atomic import write_json
from core.io.landmarks_csv import write_landmarks_csv
from core.synthetic import GaitParams, simulate_walk, truth_to_series

ROOT = Path(__file__).resolve().parents[2]


def script_module(name: str):
    """``scripts/<name>.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reanalyse():
    return script_module("reanalyse_sweep")


def _store(run: Path, name: str, truth: dict, positions: np.ndarray | None = None) -> None:
    series = truth_to_series(truth)
    if positions is not None:
        series = dataclasses.replace(series, positions=positions)
    (run / "videos").mkdir(parents=True, exist_ok=True)
    write_json(run / "videos" / f"{name}.truth.json", truth)
    (run / "out" / name).mkdir(parents=True, exist_ok=True)
    write_landmarks_csv(run / "out" / name / "landmarks.csv", series, chunk_frames=100)


def test_scores_a_walk_and_counts_a_video_without_events_as_failed(reanalyse, tmp_path, capsys):
    truth = simulate_walk(GaitParams(duration_s=6.0, seed=3))[2]
    _store(tmp_path, "v00_normal_walk", truth)
    standing = np.repeat(truth_to_series(truth).positions[:1], int(truth["n_frames"]), axis=0)
    _store(tmp_path, "v01_normal_standing", truth, standing)
    assert reanalyse.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    walk = next(line for line in out.splitlines() if line.startswith("v00_normal_walk"))
    assert float(walk.split("F1")[1].split()[0]) >= 0.9
    assert "v01_normal_standing" in out and "failed: no gait event detected" in out
    assert "2 videos: F1 median" in out
    assert "cadence > 5 % off (or none): 1 videos, graded low or failed visibly: 1" in out
    assert "grades: high 1, medium 0, low 0, failed 1" in out and "event F1 < 0.8: high 0, medium 0" in out
    assert "good (F1 >= 0.9, cadence within 2 %): 1, graded high 1" in out


def store_run(run: Path, name: str, truth: dict) -> None:
    """A run folder holding ``truth`` and its landmarks as a keypoint store with every foot patch at rest."""
    from core.io.keypoint_store import KeypointBatch, KeypointStoreWriter

    series = truth_to_series(truth)
    n = series.n_frames
    image = np.zeros((n, 33, 5))
    image[:, :, 0] = series.positions[:, :, 0]
    image[:, :, 1] = float(truth["height"]) - series.positions[:, :, 1]
    image[:, :, 3:] = 1.0
    (run / "videos").mkdir(parents=True, exist_ok=True)
    write_json(run / "videos" / f"{name}.truth.json", truth)
    (run / "out" / name).mkdir(parents=True)
    feet = np.zeros((n, 4, 4))
    feet[:, :, 2], feet[:, :, 3] = 0.9, np.arange(n)[:, None] - 1  # every patch at rest, from the frame before
    feet[0] = np.nan
    with KeypointStoreWriter(run / "out" / name / "keypoints.jsonl.gz", 6) as w:
        w.append(KeypointBatch(np.arange(n), series.time_s, np.isfinite(image[:, :, 0]).any(axis=1), image,
                               np.zeros((n, 33, 3)), None, feet))


def test_reads_the_keypoint_stores_with_and_without_the_foot_patches(reanalyse, tmp_path, capsys):
    store_run(tmp_path, "v00_normal_walk", simulate_walk(GaitParams(duration_s=6.0, seed=4))[2])
    for flags in (["--from-store"], ["--from-store", "--no-pixels"]):
        assert reanalyse.main([str(tmp_path), *flags]) == 0
        out = capsys.readouterr().out
        walk = next(line for line in out.splitlines() if line.startswith("v00_normal_walk"))
        assert float(walk.split("F1")[1].split()[0]) >= 0.9
        assert "HS error ms (detected - truth, nearest within 250 ms): median" in out
    with pytest.raises(SystemExit):
        reanalyse.main([str(tmp_path), "--no-pixels"])


def test_heel_strike_option_reaches_the_analysis(reanalyse, tmp_path, capsys):
    """``--heel-strike touchdown`` times the synthetic walker's heel strikes where its heel nears the floor,
    before the model's contact, so the walk scores lower than at rest."""
    _store(tmp_path, "v00_normal_walk", simulate_walk(GaitParams(duration_s=6.0, seed=3))[2])
    f1 = {}
    for mode in ("rest", "touchdown"):
        assert reanalyse.main([str(tmp_path), "--heel-strike", mode]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("v00_normal_walk"))
        f1[mode] = float(line.split("F1")[1].split()[0])
    assert f1["rest"] >= 0.9 and f1["touchdown"] < f1["rest"] - 0.2


def test_truth_blend_removes_the_landmark_error_of_the_chosen_part_only(reanalyse, tmp_path, capsys):
    """Feet thrown 0.1-0.3 leg lengths along x in every third frame: the walk's events suffer; with the
    feet's error scaled to 0 (or the x axis') they recover, with the other landmarks' (or y's) they do not."""
    from core.constants import LEG_LANDMARKS

    truth = simulate_walk(GaitParams(duration_s=6.0, seed=3))[2]
    positions = truth_to_series(truth).positions.copy()
    rng = np.random.default_rng(0)
    feet = [LEG_LANDMARKS[s][p] for s in ("left", "right") for p in ("heel", "toe", "ankle")]
    jolt = rng.uniform(0.1, 0.3, (len(positions) // 3, len(feet))) * float(truth["leg_length_px"])
    positions[::3][: len(jolt), feet, 0] += jolt * rng.choice([-1.0, 1.0], jolt.shape)
    _store(tmp_path, "v00_normal_walk", truth, positions)
    f1 = {}
    for flags in ([], ["--truth-blend", "0", "--blend-part", "feet"], ["--truth-blend", "0", "--blend-part", "other"],
                  ["--truth-blend", "0", "--blend-part", "x"], ["--truth-blend", "0", "--blend-part", "y"]):
        assert reanalyse.main([str(tmp_path), *flags]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("v00_normal_walk"))
        f1[" ".join(flags[-1:]) or "stored"] = float(line.split("F1")[1].split()[0])
    assert f1["feet"] >= 0.9 and f1["x"] >= 0.9
    assert f1["stored"] < 0.8 and f1["other"] < 0.8 and f1["y"] < 0.8
