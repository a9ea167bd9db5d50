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


def test_a_whole_frame_pass_that_followed_someone_else_is_extracted_again_with_the_scan(tmp_path: Path, monkeypatch,
                                                                                       capsys):
    import numpy as np

    import core.pose.frame_guard as frame_guard
    from core.io.people_tracks import read_people
    from core.synthetic import GaitParams, generate_walking_video

    video = tmp_path / "walk.mp4"
    generate_walking_video(video, GaitParams(duration_s=8.0, seed=3, fps=30.0, width_px=480, height_px=270,
                                             camera="tracking"))
    real = frame_guard.refused_poses

    def someone_else_midway(frames, time_s, valid, image, glances=None):  # the guard finds a passer-by's poses
        refused = real(frames, time_s, valid, image, glances)
        return refused | ((frames >= 100) & (frames < 140) & valid)

    monkeypatch.setattr(frame_guard, "refused_poses", someone_else_midway)
    out = tmp_path / "out"
    assert main(["--videos", str(video), "--output", str(out), "--no-plots"]) == 0  # not -q: the warning is shown
    said = capsys.readouterr()
    assert "extracting again with the person finder's scan and crop" in said.out + said.err
    arrays, meta = read_people(out / "walk")
    assert not meta.get("whole_frame") and not meta.get("scan_needed") and "frames 100-139" in meta["glance_overruled"]
    assert len(arrays["scan_frames"]) > 4 and len(arrays["path_boxes"]) > 0  # the dense scan ran, and the crop
    doc = json.loads((out / "walk" / "gait_parameters.json").read_text())
    assert "scanned after a first pass on the whole frame" in doc["person"]["why"]
    assert np.isfinite(doc["cadence_steps_per_min"])
