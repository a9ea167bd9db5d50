"""The CLI on a short walk there and back (issue 12): both passes analysed, each posed and labelled the way it
goes, and a note saying the walk had two passes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from usecases.gait_analysis.cli import main


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    from core.synthetic import GaitParams, truth_path
    from core.synthetic.there_and_back import generate_there_and_back_video

    path = tmp_path_factory.mktemp("there_and_back") / "back.mp4"
    truth = generate_there_and_back_video(path, GaitParams(duration_s=3.5, fps=30.0, width_px=640, height_px=360,
                                                           direction="right_to_left", noise=2.0, seed=5), 1.0)
    assert truth_path(path).is_file()
    return path, truth


def test_both_passes_of_a_walk_there_and_back_are_analysed(walk: tuple[Path, dict], tmp_path: Path) -> None:
    video, truth = walk
    truth_file = video.with_name(video.stem + ".truth.json")
    assert main(["--videos", str(video), "--output", str(tmp_path), "-q", "--no-plots",
                 "--events", str(truth_file)]) == 0
    params = json.loads((tmp_path / "back" / "gait_parameters.json").read_text())
    assert any("2 passes" in note for note in params["notes"])
    assert [round(abs(b["heading_deg"])) for b in params["bouts"]] == [180, 0]
    there, back = truth["passes"]
    rows = (tmp_path / "back" / "events.csv").read_text().splitlines()[1:]
    frames = np.array([int(r.split(",")[2]) for r in rows])
    assert (frames <= there["last_frame"]).sum() >= 6 and (frames >= back["first_frame"]).sum() >= 6
    assert params["evaluation"]["overall"]["f1"] >= 0.8
    assert abs(params["cadence_steps_per_min"] / truth["cadence_steps_per_min"] - 1.0) < 0.03
