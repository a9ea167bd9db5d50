"""The glance before the scan: one large person alone skips the scan; anything else does not."""

from __future__ import annotations

import numpy as np

from core.pose.glance import GLANCE_MIN_FRAMES, glance_frames, lone_person


def _box(x: float, height: float, top: float = 100.0) -> np.ndarray:
    return np.array([[x, top, x + 0.4 * height, top + height]])


def test_glances_spread_over_the_video_and_move_to_near_keyframes() -> None:
    frames = glance_frames(600, 30.0, keyframes=list(range(0, 600, 30)))
    assert len(frames) == 10  # 20 s, one per 2 s
    assert all(f % 30 == 0 for f in frames)
    assert frames[0] < 60 and frames[-1] > 540
    assert glance_frames(600, 30.0, None) == [30, 90, 150, 210, 270, 330, 390, 450, 510, 570]
    assert glance_frames(600, 30.0, [0])[1:] == glance_frames(600, 30.0, None)[1:]  # too far: the targets themselves
    assert len(glance_frames(180, 30.0, None)) < GLANCE_MIN_FRAMES and glance_frames(180, 30.0, None) == []


def test_one_large_person_alone_is_a_lone_walker() -> None:
    frames = [30, 90, 150, 210, 270, 330]
    boxes = [_box(100.0 + 150 * k, 700.0) for k in range(6)]
    summary = lone_person(frames, boxes, frame_height_px=1080.0)
    assert summary is not None
    assert (summary.first_frame, summary.last_frame, summary.n_scans) == (30, 330, 6)
    assert np.isnan(summary.travel_px) and "whole frame" in summary.reason


def test_two_people_a_small_person_or_a_rarely_seen_one_need_the_scan() -> None:
    frames = [30, 90, 150, 210, 270, 330]
    two = [_box(100.0, 700.0)] * 5 + [np.vstack([_box(100.0, 700.0), _box(900.0, 680.0)])]
    assert lone_person(frames, two, 1080.0) is None
    small = [_box(100.0 + 50 * k, 520.0) for k in range(6)]  # 48 % of 1080 px: the crop is safer
    assert lone_person(frames, small, 1080.0) is None
    assert lone_person(frames, small, 700.0) is not None  # the same person fills a smaller frame or ROI
    rare = [_box(100.0, 700.0)] * 4 + [np.zeros((0, 4))] * 2
    assert lone_person(frames, rare, 1080.0) is None
    assert lone_person(frames[:3], [_box(100.0, 700.0)] * 3, 1080.0) is None  # too few glances


def test_glance_frames_are_cut_into_runs_of_about_two_per_worker():
    from pathlib import Path

    from core.pose.glance import GLANCE_MIN_PER_PART, glance_tasks

    frames = [30, 90, 150, 210, 270, 330, 390, 450, 510, 570, 630, 690]
    tasks = glance_tasks(Path("v.mp4"), frames, 1080, parts=2)
    assert [t.frames for t in tasks] == [tuple(frames[k : k + 3]) for k in range(0, 12, 3)]
    assert all(len(t.frames) >= GLANCE_MIN_PER_PART for t in glance_tasks(Path("v.mp4"), frames[:4], 1080, parts=8))
    assert [f for t in glance_tasks(Path("v.mp4"), frames[:7], 1080, parts=2) for f in t.frames] == frames[:7]


def test_glance_parts_are_joined_in_frame_order_and_the_first_crowded_part_stops_the_glance(synthetic_video):
    from core.pose.glance import GlancePart, glance

    asked = []

    def run(crowded_at: int | None):
        def parts(tasks):
            for k, t in enumerate(reversed(tasks)):  # parts arrive in any order
                asked.append(k)
                boxes = tuple(_box(100.0 + f, 700.0) for f in t.frames)
                if k == crowded_at:
                    boxes = boxes[:1] + (np.vstack([_box(100.0, 700.0), _box(900.0, 680.0)]),)
                yield GlancePart(t.frames[: len(boxes)], boxes, 1080.0, k == crowded_at)
        return parts

    got = glance(synthetic_video, 300, 30.0, 1080, run_parts=run(None), parts=2)  # 10 s: 5 glances
    assert got is not None
    arrays, meta = got
    assert len(arrays["scan_frames"]) == 5 and np.all(np.diff(arrays["scan_frames"]) > 0) and meta["whole_frame"]
    assert np.allclose(arrays["boxes"][0, :, 0], 100.0 + arrays["scan_frames"])
    asked.clear()
    assert glance(synthetic_video, 300, 30.0, 1080, run_parts=run(0), parts=2) is None
    assert asked == [0]  # no part asked for after the crowded one


def test_a_glance_cut_in_two_sees_what_one_pass_sees(synthetic_video):
    from core.pose.glance import GlanceTask, glance_part

    whole = glance_part(GlanceTask(str(synthetic_video), (15, 60, 105, 150), 360))
    halves = [glance_part(GlanceTask(str(synthetic_video), f, 360)) for f in ((15, 60), (105, 150))]
    assert whole.frames == halves[0].frames + halves[1].frames and not whole.crowded
    for a, b in zip(whole.boxes, halves[0].boxes + halves[1].boxes):
        assert a.shape == b.shape and np.allclose(a, b)
    assert sum(len(b) for b in whole.boxes) >= 3  # the walker is found, so the comparison means something
