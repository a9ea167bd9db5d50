"""The CLI on a short synthetic crossing: a second figure walks past in front of the walker (hiding it
for a moment); the walker is chosen and the analysed pose stays on the walker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from usecases.gait_analysis.cli import main


@pytest.mark.parametrize("seed", [11])
def test_walker_followed_through_a_crossing_in_front(tmp_path: Path, seed: int):
    from core.io.keypoint_store import read_store
    from core.synthetic import GaitParams, generate_walking_video

    video = tmp_path / "crossing.mp4"
    truth = generate_walking_video(video, GaitParams(
        fps=30.0, width_px=640, height_px=360, camera="static", duration_s=4.0, seed=seed, noise=2.0,
        second_person="crossing", direction="right_to_left"))
    walker_box = np.asarray([[np.nan] * 4 if b is None or b[0] is None else b for b in truth["people"][0]["box_px"]])
    occluded = np.asarray(truth["people"][0]["occluded_frac"], float)
    assert occluded.max() > 0.5  # the second figure does hide the walker

    assert main(["--videos", str(video), "--output", str(tmp_path / "out"), "-q", "--no-plots"]) == 0
    person = json.loads((tmp_path / "out" / "crossing" / "gait_parameters.json").read_text())["person"]
    batch = read_store(tmp_path / "out" / "crossing" / "keypoints.jsonl.gz")
    keep = batch.valid & (batch.frame < len(walker_box))
    hip = batch.image[keep][:, [23, 24], :2].mean(axis=1)
    box = walker_box[batch.frame[keep]]
    inside = (hip[:, 0] >= box[:, 0]) & (hip[:, 0] <= box[:, 2]) & (hip[:, 1] >= box[:, 1]) & (hip[:, 1] <= box[:, 3])
    assert inside.mean() >= 0.9, person["why"]
    assert keep.sum() >= 0.6 * len(walker_box)
