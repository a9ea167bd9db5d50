"""The whole-frame pose guard on a finished store (usecases/gait_analysis/person_guard.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.io.keypoint_store import KeypointBatch
from core.io.people_tracks import read_people, write_people
from tests.core.pose.test_pose_frame_guard import FPS, _pose, _walk
from usecases.gait_analysis.person_guard import guard_whole_frame


def _batch(n: int, passer_by: range) -> KeypointBatch:
    image = np.full((n, 33, 5), np.nan)
    image[:, :, :2] = np.stack(_walk(n))
    for i in passer_by:
        image[i, :, :2] = _pose(900.0, 480.0, facing=-1, torso=130.0)
    image[:, :, 3:] = 1.0
    return KeypointBatch(frame=np.arange(n), time_s=np.arange(n) / FPS, valid=np.ones(n, bool), image=image,
                         world=np.zeros((n, 33, 3)))


def _people(folder: Path, whole_frame: bool) -> None:
    write_people(folder, {"scan_frames": np.array([0])}, {"mode": "auto", "chosen_id": 0, "whole_frame": whole_frame,
                                                          "summaries": [{"track_id": 0, "reason": "alone"}]})


def test_refused_poses_become_gaps_and_are_recorded(tmp_path: Path):
    _people(tmp_path, whole_frame=True)
    guarded = guard_whole_frame(_batch(120, range(50, 75)), tmp_path)
    assert not guarded.valid[50:75].any() and guarded.valid[:50].all() and guarded.valid[75:].all()
    assert np.isnan(guarded.image[50:75]).all() and np.isnan(guarded.world[50:75]).all()
    guard = read_people(tmp_path)[1]["guard"]
    assert guard["refused"] == 25 and guard["crowded"] and guard["span"] == [50, 74]


def test_a_crop_run_or_no_people_file_is_left_alone(tmp_path: Path):
    batch = _batch(60, range(20, 40))
    assert guard_whole_frame(batch, tmp_path) is batch
    _people(tmp_path, whole_frame=False)
    assert guard_whole_frame(batch, tmp_path) is batch and "guard" not in read_people(tmp_path)[1]


def _store(folder: Path, batch: KeypointBatch) -> Path:
    from core.io.keypoint_store import KeypointStoreWriter

    path = folder / "keypoints.jsonl.gz"
    with KeypointStoreWriter(path, 1) as writer:
        writer.append(batch)
    return path


def test_a_whole_frame_store_that_followed_someone_else_sends_the_next_extraction_to_the_scan(tmp_path: Path):
    from usecases.gait_analysis.person_guard import glance_overruled

    _people(tmp_path, whole_frame=True)
    why = glance_overruled(_store(tmp_path, _batch(120, range(50, 75))), tmp_path)
    assert "25 of 120" in why and "50-74" in why and why.endswith("someone else was in view")
    meta = read_people(tmp_path)[1]
    assert meta["scan_needed"] and meta["glance_overruled"] == why and meta["mode"] == "auto"
    assert glance_overruled(tmp_path / "keypoints.jsonl.gz", tmp_path) == why  # still marked: not scanned yet


def test_a_store_with_undecoded_frames_names_damage_as_a_cause(tmp_path: Path):
    from usecases.gait_analysis.person_guard import glance_overruled, undecoded_frames

    assert undecoded_frames(np.arange(0, 20, 2)) == 0 and undecoded_frames(np.array([0, 2, 4, 10, 12])) == 2
    _people(tmp_path, whole_frame=True)
    b = _batch(120, range(50, 75))
    kept = np.r_[0:100, 103:120]  # frames 100-102 rejected by the decoder
    damaged = KeypointBatch(frame=b.frame[kept], time_s=b.time_s[kept], valid=b.valid[kept], image=b.image[kept],
                            world=b.world[kept])
    why = glance_overruled(_store(tmp_path, damaged), tmp_path)
    assert "or the 3 frame(s) that could not be decoded (damaged data)" in why, why


def test_a_lone_walker_or_a_crop_run_is_not_overruled(tmp_path: Path):
    from usecases.gait_analysis.person_guard import glance_overruled

    _people(tmp_path, whole_frame=True)
    assert glance_overruled(_store(tmp_path, _batch(120, range(0))), tmp_path) == ""
    assert "scan_needed" not in read_people(tmp_path)[1]
    _people(tmp_path, whole_frame=False)
    assert glance_overruled(_store(tmp_path, _batch(120, range(50, 75))), tmp_path) == ""
