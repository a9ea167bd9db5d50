"""--keypoints trial.c3d and --events trial.c3d: motion capture in C3D, in process, on files written by
the test helper from the synthetic walker's exact landmarks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX, NUM_LANDMARKS
from tests.core.io.c3d_files import pig_markers, write_c3d
from tests.usecases.reliability_media import assert_reported, run_cli

RATE = 100.0
VICON = {("left", "heel_strike"): ("Foot Strike", "Left"), ("right", "heel_strike"): ("Foot Strike", "Right"),
         ("left", "toe_off"): ("Foot Off", "Left"), ("right", "toe_off"): ("Foot Off", "Right")}


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, float]:
    """A 6 s Plug-in Gait trial (Z up, mm) with Vicon-style events; its number of events and cadence."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events

    truth = simulate_walk(GaitParams(duration_s=6.0, fps=RATE, seed=7, width_px=640, height_px=360))[2]
    positions = np.zeros((truth["n_frames"], NUM_LANDMARKS, 3))
    for name, i in LANDMARK_INDEX.items():
        positions[:, i, :2] = np.asarray(truth["landmarks_world_m"][name], dtype=float)
    labels, points = pig_markers(positions)
    events = [(*VICON[(e.side, e.event)], e.time_s) for e in truth_to_events(truth)]
    path = write_c3d(tmp_path_factory.mktemp("c3d") / "walk.c3d", labels, points, RATE, events=events)
    return path, len(events), float(truth["cadence_steps_per_min"])


def test_a_c3d_trial_is_analysed_and_scored_on_its_own_events(trial, tmp_path: Path) -> None:
    path, n_events, cadence = trial
    run = run_cli(["--keypoints", str(path), "--events", str(path), "--output", str(tmp_path), "--no-plots"])
    assert run.code == 0, run.err
    doc = json.loads((tmp_path / "walk" / "gait_parameters.json").read_text())
    ev = doc["evaluation"]
    assert ev["overall"]["n_truth"] == n_events
    assert ev["overall"]["f1"] >= 0.9
    assert doc["cadence_steps_per_min"] == pytest.approx(cadence, rel=0.02)
    assert "C3D markers: up axis +Z; hips from LASI+LPSI, RASI+RPSI" in run.out


def test_events_folder_finds_the_c3d_of_the_same_name(trial, tmp_path: Path) -> None:
    path, n_events, _ = trial
    run = run_cli(["--keypoints", str(path), "--events", str(path.parent), "--output", str(tmp_path), "-q",
                   "--no-plots"])
    assert run.code == 0, run.err
    doc = json.loads((tmp_path / "walk" / "gait_parameters.json").read_text())
    assert doc["evaluation"]["overall"]["n_truth"] == n_events


def test_a_corrupt_c3d_is_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.c3d"
    bad.write_bytes(b"\x02\x50" + bytes(700))
    run = run_cli(["--keypoints", str(bad), "--output", str(tmp_path / "out"), "--no-plots"])
    assert run.code != 0
    assert_reported(run, bad, "C3D")


def test_a_c3d_without_leg_markers_is_one_error_line(tmp_path: Path) -> None:
    path = write_c3d(tmp_path / "arms.c3d", ["LELB", "RELB", "LWRA"], np.ones((50, 3, 3)), RATE)
    run = run_cli(["--keypoints", str(path), "--output", str(tmp_path / "out"), "--no-plots"])
    assert_reported(run, path, "no hip, trochanter or ASIS/PSIS marker")
