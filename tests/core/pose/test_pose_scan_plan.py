"""Where the coarse scan is refined (pure functions over coarse tracks)."""

from __future__ import annotations

import numpy as np

from core.pose.scan_plan import COARSE_STEP, refine_frames, tile_level
from core.pose.tracking import Track

EVERY = 15
COARSE = list(range(0, 300, COARSE_STEP * EVERY))  # 10 coarse scans, 1 s apart at 30 fps


def _walker(track_id: int, frames: list[int], x0_px: float, speed_px_per_frame: float, side_px: float = 200.0) -> Track:
    boxes = [np.array([x0_px + speed_px_per_frame * f, 400.0, x0_px + speed_px_per_frame * f + side_px,
                       400.0 + side_px]) for f in frames]
    return Track(track_id, list(frames), boxes, [0.9] * len(frames))


def _boxes(tracks: list[Track]) -> list[np.ndarray]:
    return [np.array([b for t in tracks for g, b in zip(t.frames, t.boxes) if g == f]).reshape(-1, 4) for f in COARSE]


def _between(f: int) -> list[int]:
    return list(range(f + EVERY, f + COARSE_STEP * EVERY, EVERY))


def test_a_lone_steady_walker_is_refined_only_at_the_ends():
    walker = _walker(1, COARSE, 100.0, 2.0)
    got = refine_frames(COARSE, _boxes([walker]), [walker], EVERY)
    assert got == _between(COARSE[0]) + _between(COARSE[-2]) + _between(COARSE[-1])


def test_two_people_far_apart_leave_the_middle_coarse_but_a_crossing_is_refined():
    apart = [_walker(1, COARSE, 100.0, 2.0), _walker(2, COARSE, 1500.0, 0.0)]
    assert set(refine_frames(COARSE, _boxes(apart), apart, EVERY)) == set(
        _between(COARSE[0]) + _between(COARSE[-2]) + _between(COARSE[-1]))
    crossing = [_walker(1, COARSE, 100.0, 4.0), _walker(2, COARSE, 1300.0, -2.0)]  # meet near frame 200
    got = refine_frames(COARSE, _boxes(crossing), crossing, EVERY)
    assert 195 in got and 165 in got and 105 not in got


def test_someone_appearing_or_a_box_no_track_explains_is_refined():
    walker = _walker(1, COARSE, 100.0, 2.0)
    late = _walker(2, COARSE[5:], 1600.0, 0.0)
    got = refine_frames(COARSE, _boxes([walker, late]), [walker, late], EVERY)
    assert _between(COARSE[4])[0] in got and _between(COARSE[2])[0] not in got
    boxes = _boxes([walker])
    boxes[3] = np.vstack([boxes[3], [1500, 100, 1600, 200]])  # a box no track has
    got = refine_frames(COARSE, boxes, [walker], EVERY)
    assert _between(COARSE[2])[0] in got and _between(COARSE[3])[0] in got and _between(COARSE[5])[0] not in got


def test_coarse_scans_alternate_tile_sizes_and_the_scan_between_takes_the_other():
    coarse = [tile_level(f, EVERY, 2) for f in COARSE]
    assert coarse[:4] == [0, 1, 0, 1]
    assert all(tile_level(f + EVERY, EVERY, 2) != tile_level(f, EVERY, 2) for f in COARSE)
    assert [tile_level(k * EVERY, EVERY, 2, step=1) for k in range(4)] == [0, 1, 0, 1]


def test_scan_cuts_move_to_a_keyframe_so_no_interval_is_decoded_twice():
    from core.pose.scan_plan import keyframe_cuts

    keys = list(range(0, 690, 60))  # the real phone clip: a keyframe every 60 frames; a scan every 15
    assert keyframe_cuts([345], 15, 2, keys, 5) == [360]  # the part before ends at 345 + 2 < 360
    assert keyframe_cuts([315], 15, 2, keys, 5) == [300]  # the nearer keyframe, backwards
    assert keyframe_cuts([330], 15, 2, keys, 1) == [330]  # none within one scan: the cut stays
    assert keyframe_cuts([345, 360], 15, 2, keys, 2) == [345, 360]  # a cut moves no further than its neighbours
    assert keyframe_cuts([150, 225], 15, 2, keys, 2) == [120, 240]
    assert keyframe_cuts([345], 15, 2, [0], 5) == [345]  # a single keyframe: nothing to gain
