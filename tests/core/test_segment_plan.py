"""The segment planner: keyframe-aware, work-weighted balance; every frame once, stride-aligned."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import load_profile
from core.segment_plan import MediaPipeOptimizer, decode_weight, preroll_frames


def test_preroll_counts_from_the_keyframe_at_or_before_the_warm_up_start():
    keys = [0, 60, 120, 180]
    assert preroll_frames(100, keys) == 40
    assert preroll_frames(120, keys) == 0  # a warm-up that starts on a keyframe decodes nothing extra
    assert preroll_frames(20, [30, 90]) == 20  # no keyframe before: decoded from the first frame
    assert preroll_frames(100, ()) == 0  # keyframes unknown
    assert decode_weight(1) < decode_weight(2) < 1.0  # a decoded frame weighs more where fewer are posed


def _work(segments, keys, stride):
    return [stop - warm + decode_weight(stride) * preroll_frames(warm, keys) for _, stop, warm in segments]


@pytest.mark.parametrize("gop", [12, 57, 60, 250])
@pytest.mark.parametrize("first,n_frames,workers,stride", [(0, 690, 2, 1), (0, 690, 2, 2), (400, 1000, 2, 1),
                                                           (0, 1800, 2, 2), (0, 650, 3, 2), (130, 240, 2, 2)])
def test_keyframe_aware_segments_cover_every_frame_once_and_balance_the_pre_roll(gop, first, n_frames, workers,
                                                                                 stride):
    profile = load_profile("balanced", overrides={"pose": {"frame_stride": stride}})
    keys = list(range(0, n_frames, gop))
    planner = MediaPipeOptimizer(profile)
    segments = planner.segment_plan(first, n_frames, workers, keys).segments
    owned = []
    for start, stop, warm in segments:
        assert warm <= start and (start - warm) % stride == 0 and start % stride == first % stride
        assert start - warm <= profile.parallel.segment_warmup_frames + stride
        owned.extend(range(start, stop, stride))
    assert owned == list(range(first, n_frames, stride))  # every frame of the range once, stride-aligned
    work = _work(segments, keys, stride)
    # equal within a start step, or within the jump of a pre-roll where a warm-up start passes a keyframe
    assert max(work) - min(work) <= 2 * stride + decode_weight(stride) * gop
    blind = planner.segment_plan(first, n_frames, workers).segments
    assert max(_work(segments, keys, stride)) <= max(_work(blind, keys, stride)) + 1e-9  # never a slower last worker


def test_a_long_pre_roll_moves_work_to_the_other_segment():
    profile = load_profile("fast")  # stride 2: a pre-roll frame weighs most of a processed frame
    planner = MediaPipeOptimizer(profile)
    blind = planner.segment_plan(0, 690, 2).segments
    aware = planner.segment_plan(0, 690, 2, list(range(0, 690, 60))).segments
    assert blind[1][2] - 300 == 30  # warm-up start 330: 30 frames decoded and dropped after keyframe 300
    assert aware[0][1] > blind[0][1]  # the first segment owns more, the second less


def test_frames_outside_the_walkers_path_weigh_a_decode_so_the_busy_half_is_split():
    profile = load_profile("balanced")
    work = np.full(690, decode_weight(1))
    work[360:661] = 1.0  # the walker's crop path: frames 360-660 (as on the real two-person clip)
    planner = MediaPipeOptimizer(profile)
    blind = planner.segment_plan(0, 690, 2).segments
    aware = planner.segment_plan(0, 690, 2, frame_work=work).segments
    warm = profile.parallel.segment_warmup_frames
    assert blind[0][1] == (690 + warm) // 2 >= 345  # equal frames: the second segment holds all the pose work

    def load(segments):
        cum = np.concatenate([[0.0], np.cumsum(work)])
        return [cum[stop] - cum[warm] for _, stop, warm in segments]

    assert max(load(blind)) / min(load(blind)) > 1.5
    assert max(load(aware)) / min(load(aware)) < 1.1
    owned = [f for start, stop, _ in aware for f in range(start, stop)]
    assert owned == list(range(690))


def test_a_segment_whose_first_frames_are_not_decoded_counts_its_pre_roll_from_its_first_decoded_frame():
    from core.segment_plan import _cumulative, _first_worked

    work = np.zeros(690)
    work[344:661] = 1.0  # only the walker's path (and the frames just before it) is decoded
    cum = _cumulative(work, 690)
    assert _first_worked(0, cum) == 344 and _first_worked(400, cum) == 400 and _first_worked(670, cum) == 670
    keys = list(range(0, 690, 30))  # a keyframe a second: the first decoder starts at keyframe 330
    segments = MediaPipeOptimizer(load_profile("balanced")).segment_plan(0, 690, 2, keys, work).segments
    load = [cum[stop] - cum[warm] + decode_weight(1) * preroll_frames(_first_worked(warm, cum), keys)
            for _, stop, warm in segments]
    assert segments[0][0] == 0 and preroll_frames(_first_worked(0, cum), keys) == 14
    assert max(load) / min(load) < 1.1
