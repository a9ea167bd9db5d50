"""A video long enough for the glance, with one large walker alone: the dense scan is skipped, the
pose model gets the whole frame, and gait_parameters.json says so (core/pose/glance.py)."""

from __future__ import annotations

import json
from pathlib import Path

from usecases.gait_analysis.cli import main


def test_one_large_walker_alone_skips_the_scan(tmp_path: Path):
    from core.io.events_csv import write_events_csv
    from core.io.people_tracks import read_people
    from core.synthetic import GaitParams, generate_walking_video, truth_to_events

    video = tmp_path / "walk.mp4"
    truth = generate_walking_video(video, GaitParams(duration_s=8.0, seed=3, fps=30.0, width_px=480, height_px=270,
                                                     camera="tracking"))
    write_events_csv(tmp_path / "walk.events.csv", truth_to_events(truth))
    out = tmp_path / "out"
    assert main(["--videos", str(video), "--output", str(out), "-q", "--no-plots", "--events", str(tmp_path)]) == 0
    doc = json.loads((out / "walk" / "gait_parameters.json").read_text())
    assert "whole frame" in doc["person"]["why"] and len(doc["person"]["tracks"]) == 1
    assert doc["person"]["refused_poses"] == 0  # the whole-frame guard keeps a lone walker's every pose
    assert "nan" not in doc["person"]["summary"]
    assert doc["evaluation"]["overall"]["f1"] >= 0.8
    arrays, meta = read_people(out / "walk")
    assert meta["whole_frame"] and len(arrays["scan_frames"]) == 4  # 8 s: one glance per 2 s, no dense scan
