"""A pose lane that follows a walker decodes only the crop path's span; the frames around it come blank."""

from __future__ import annotations

import numpy as np
import pytest

import core.pose.extractor as ex
from core.config import load_profile
from core.pose.follow_path import PRIME_FRAMES, FollowPath
from core.pose.video import blank_frames, indexed_frame_count, iter_frames


def _task(video, follow, stride: int, warmup_start: int = 0, start: int = 0, stop: int = 1 << 62) -> ex.SegmentTask:
    pose = load_profile("fast").pose
    pose = type(pose)(**{**pose.__dict__, "frame_stride": stride})
    return ex.SegmentTask(video_path=str(video), start=start, stop=stop, warmup_start=warmup_start, pose=pose,
                          model_complexity=1, roi=None, batch_frames=50, decoder="pyav", queue_frames=4, fps=30.0,
                          decode_threads=1, follow=follow)


def test_blank_frames_are_timed_as_decoded_ones(h264_with_b_frames):
    decoded = list(iter_frames(h264_with_b_frames, start=4, stop=60, stride=3, decoder="pyav"))
    blank = list(blank_frames(h264_with_b_frames, range(4, 60, 3), 30.0))
    assert [f.index for f in blank] == [f.index for f in decoded]
    assert np.allclose([f.time_s for f in blank], [f.time_s for f in decoded])
    assert all(f.blank for f in blank) and not any(f.blank for f in decoded)
    assert indexed_frame_count(h264_with_b_frames) == 180


@pytest.mark.parametrize("stride,warmup_start", [(1, 0), (2, 0), (2, 6), (3, 3)])
def test_a_following_lane_decodes_only_the_crop_paths_span(h264_with_b_frames, monkeypatch, stride, warmup_start):
    follow = FollowPath(60, np.zeros((40, 4)))  # the crop covers frames 60..99
    lo, hi = follow.decode_span(stride)
    assert (lo, hi) == (60 - PRIME_FRAMES * stride, 100)
    asked: list[tuple[int, int]] = []

    def recording(path, start=0, stop=None, **kw):
        asked.append((start, stop))
        return iter_frames(path, start=start, stop=stop, **kw)

    monkeypatch.setattr(ex, "iter_frames", recording)
    task = _task(h264_with_b_frames, follow, stride, warmup_start)
    got = list(ex._lane_frames(task, warmup_start, 1 << 62))
    full = list(iter_frames(h264_with_b_frames, start=warmup_start, stride=stride, decoder="pyav", rgb=True,
                            skip_loop_filter=task.pose.skip_loop_filter))
    assert [f.index for f in got] == [f.index for f in full]  # every frame of the lane, on its stride grid
    assert np.allclose([f.time_s for f in got], [f.time_s for f in full])
    (a, b), = asked  # one decoder, over the span only
    assert lo <= a < lo + stride and hi <= b < hi + stride
    for g, f in zip(got, full):
        assert g.blank == (not a <= g.index < b)
        if not g.blank:
            assert np.array_equal(g.image, f.image)


def test_a_lane_without_a_walker_decodes_everything(h264_with_b_frames):
    got = list(ex._lane_frames(_task(h264_with_b_frames, None, 2), 0, 40))
    assert [f.index for f in got] == list(range(0, 40, 2)) and not any(f.blank for f in got)


def test_a_lane_wholly_outside_the_path_decodes_nothing(h264_with_b_frames, monkeypatch):
    monkeypatch.setattr(ex, "iter_frames", lambda *a, **k: pytest.fail("decoded"))
    follow = FollowPath(150, np.zeros((20, 4)))
    got = list(ex._lane_frames(_task(h264_with_b_frames, follow, 2), 0, 100))
    assert [f.index for f in got] == list(range(0, 100, 2)) and all(f.blank for f in got)


def test_extracted_rows_away_from_the_path_are_empty_and_the_rest_as_before(h264_with_b_frames):
    follow = FollowPath(60, np.tile([[0.0, 0.0, 640.0, 360.0]], (40, 1)))
    batch = ex.extract_segment(_task(h264_with_b_frames, follow, 2, stop=180))
    assert list(batch.frame) == list(range(0, 180, 2))
    away = (batch.frame < 60 - PRIME_FRAMES * 2) | (batch.frame >= 100)
    assert not batch.valid[away].any() and np.isnan(batch.scene[away]).all() and np.isnan(batch.feet[away]).all()
    assert batch.valid[~away].any()  # the walker is posed on the path
