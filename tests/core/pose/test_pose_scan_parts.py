"""The person finder's scan cut into frame ranges gives the scan of the whole video, and reads the
frames OpenCV reads."""

from __future__ import annotations

import numpy as np

from core.config import load_profile
from core.pose.follow import SCAN_MAX_SIDE_PX, _scan_frames, finish_scan, scan_part, scan_tasks, scan_video
from core.pose.video import _resize, probe_video

EVERY_S = load_profile("balanced").pose.scan_every_s  # the default scan period


def test_scan_frames_are_the_frames_opencv_reads(synthetic_video):
    import cv2

    cap = cv2.VideoCapture(str(synthetic_video))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(_resize(image, SCAN_MAX_SIDE_PX)[0])
    cap.release()
    got = list(_scan_frames(synthetic_video, 0, len(frames), 15))
    assert [g[0] for g in got] == list(range(0, len(frames), 15))
    for index, image, pair, _ in got:
        assert np.array_equal(image, frames[index])
        assert (pair is None) == (index + 2 >= len(frames)) and (pair is None or np.array_equal(pair, frames[index + 2]))


def test_a_scan_cut_into_ranges_equals_the_whole_scan(synthetic_video):
    info = probe_video(synthetic_video)
    args = (synthetic_video, info.n_frames, info.fps, info.width, info.height)
    whole = scan_video(*args, coarse_step=1, every_s=EVERY_S)
    tasks = scan_tasks(synthetic_video, info.n_frames, info.fps, parts=3, min_scans=3, every_s=EVERY_S)
    assert len(tasks) > 1 and tasks[0].start == 0 and all(t.start % t.every == 0 for t in tasks)
    cut = finish_scan([scan_part(t) for t in reversed(tasks)][::-1], tasks[0].every, info.n_frames, info.width,
                      info.height)
    assert whole.chosen_id is not None and cut.chosen_id == whole.chosen_id
    assert np.array_equal(cut.scan_frames, whole.scan_frames)
    np.testing.assert_array_equal(cut.pan_px, whole.pan_px)
    assert [t.frames for t in cut.tracks] == [t.frames for t in whole.tracks]
    assert all(np.array_equal(a.boxes, b.boxes) for a, b in zip(cut.tracks, whole.tracks))
    assert np.array_equal(cut.path.boxes_px, whole.path.boxes_px)


def test_a_coarse_then_refined_scan_cut_into_ranges_equals_the_whole_scan(synthetic_video):
    info = probe_video(synthetic_video)
    args = (synthetic_video, info.n_frames, info.fps, info.width, info.height)
    whole = scan_video(*args, coarse_step=2, every_s=EVERY_S)
    cut = scan_video(*args, parts=3, run_parts=lambda tasks: [scan_part(t) for t in reversed(tasks)][::-1],
                     coarse_step=2, every_s=EVERY_S)
    assert whole.chosen_id is not None and cut.chosen_id == whole.chosen_id
    assert np.array_equal(cut.scan_frames, whole.scan_frames)
    np.testing.assert_array_equal(cut.pan_px, whole.pan_px)
    assert np.array_equal(cut.path.boxes_px, whole.path.boxes_px)


def test_the_scan_decodes_without_the_loop_filter_when_asked(h264_with_b_frames):
    info = probe_video(h264_with_b_frames)
    tasks = scan_tasks(h264_with_b_frames, info.n_frames, info.fps, parts=2, min_scans=1, skip_loop_filter=True,
                       every_s=EVERY_S)
    assert tasks and all(t.skip_loop_filter for t in tasks)
    assert not any(t.skip_loop_filter for t in scan_tasks(h264_with_b_frames, info.n_frames, info.fps, parts=2,
                                                             every_s=EVERY_S))
    full = list(_scan_frames(h264_with_b_frames, 0, info.n_frames, 15))
    fast = list(_scan_frames(h264_with_b_frames, 0, info.n_frames, 15, skip_loop_filter=True))
    assert [f[0] for f in fast] == [f[0] for f in full]
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(full, fast))  # the decoder got the option
    assert max(np.abs(a[1].astype(int) - b[1].astype(int)).mean() for a, b in zip(full, fast)) < 4


def test_a_scans_refinement_tasks_keep_the_loop_filter_choice(synthetic_video):
    from core.pose.follow import frame_tasks

    tasks = frame_tasks(synthetic_video, [15, 45, 75, 105], 15, parts=2, min_scans=1, skip_loop_filter=True)
    assert len(tasks) == 2 and all(t.skip_loop_filter and t.frames for t in tasks)


def test_the_scan_period_sets_the_scanned_frames(synthetic_video):
    info = probe_video(synthetic_video)
    assert info.fps == 30.0
    slow = scan_tasks(synthetic_video, info.n_frames, info.fps, every_s=1.0)
    assert [t.every for t in slow] == [30]
    got = [g[0] for g in _scan_frames(synthetic_video, slow[0].start, slow[0].stop, slow[0].every)]
    assert got == list(range(0, info.n_frames, 30))
    assert scan_tasks(synthetic_video, info.n_frames, info.fps, every_s=EVERY_S)[0].every == 15  # balanced's 0.5 s
    scan = scan_video(synthetic_video, info.n_frames, info.fps, info.width, info.height, every_s=1.0)
    assert list(scan.scan_frames) == list(range(0, info.n_frames, 30))


def test_skipping_empty_unchanged_tiles_gives_the_same_scan_with_fewer_detector_calls(tmp_path, monkeypatch):
    from dataclasses import replace

    import core.pose.people as people
    from core.pose.people import FinderConfig
    from core.synthetic import GaitParams, generate_walking_video

    synthetic_video = tmp_path / "still.mp4"  # a still camera: the scenery away from the walker does not change
    generate_walking_video(synthetic_video, GaitParams(cadence_steps_per_min=110, duration_s=6.0, fps=30.0,
                                                       width_px=640, height_px=360, seed=2, camera="static"))

    calls = []
    run = people.run_detector
    monkeypatch.setattr(people, "run_detector", lambda model, rgb: calls.append(1) or run(model, rgb))
    info = probe_video(synthetic_video)
    args = (synthetic_video, info.n_frames, info.fps, info.width, info.height)
    every_tile = scan_video(*args, finder_cfg=replace(FinderConfig(), static_max_change_grey=0.0), every_s=EVERY_S)
    n_every = len(calls)
    skipping = scan_video(*args, every_s=EVERY_S)
    assert FinderConfig().static_max_change_grey > 0 and len(calls) - n_every < n_every  # some tiles were skipped
    assert skipping.chosen_id == every_tile.chosen_id is not None
    assert [t.frames for t in skipping.tracks] == [t.frames for t in every_tile.tracks]
    assert all(np.array_equal(a.boxes, b.boxes) for a, b in zip(skipping.tracks, every_tile.tracks))
    assert np.array_equal(skipping.path.boxes_px, every_tile.path.boxes_px)
