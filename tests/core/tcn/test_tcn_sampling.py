"""Class- and video-balanced window sampling."""

from __future__ import annotations

import numpy as np

from core.tcn.sampling import BalancedWindowSampler, balanced_draw, windows_per_video


def test_balanced_draw_equalises_classes_and_videos() -> None:
    # video 0 (class 0) has 40 windows, video 1 (class 0) 4, video 2 (class 1) 10
    window_video = np.repeat([0, 1, 2], [40, 4, 10])
    draw = balanced_draw(window_video, np.array([0, 0, 1]), 5, np.random.default_rng(0))
    per_video = np.bincount(window_video[draw], minlength=3)
    assert per_video.tolist() == [5, 5, 10]  # each class 2 videos x 5; class 1 has one video
    assert np.all(draw < window_video.size)


def test_balanced_sampler_redraws_every_epoch_reproducibly() -> None:
    window_video = np.repeat(np.arange(4), 20)
    a = BalancedWindowSampler(window_video, np.array([0, 0, 1, 1]), 3, seed=1)
    b = BalancedWindowSampler(window_video, np.array([0, 0, 1, 1]), 3, seed=1)
    first, second = list(a), list(a)
    assert len(first) == len(a) == 12 and first != second
    assert first == list(b)


def test_windows_per_video_matches_overlapping_windows_with_a_floor() -> None:
    assert windows_per_video([1000, 1000], 100, 0.5) == 19
    assert windows_per_video([180], 128, 0.5) == 8


def test_small_classification_sets_get_a_smaller_model_and_window() -> None:
    from core.config import load_profile
    from core.tcn.small_set import SMALL_CYCLES, SMALL_SET_VIDEOS, small_set_config, use_validation

    cfg = load_profile("balanced").training
    small, changes = small_set_config(cfg, "classification", 11, 180)
    assert (small.channels, small.n_blocks, small.window_frames) == (32, 3, 64) and small.dropout >= 0.2
    assert changes["window_frames"] == 64 and "11 training videos" in changes["reason"]
    assert changes["cycles"] is SMALL_CYCLES and ("gait cycle" in changes["reason"]) is SMALL_CYCLES
    assert small_set_config(cfg, "classification", 30, 180)[1]["cycles"] is SMALL_CYCLES  # 40 videos, 4 folds
    assert small_set_config(cfg, "classification", SMALL_SET_VIDEOS, 180) == (cfg, {})
    assert small_set_config(cfg, "events", 11, 180) == (cfg, {})
    assert not use_validation("classification", 11, 4, 0.2) and use_validation("classification", 30, 4, 0.2)
    assert use_validation("events", 3, 0, 0.2)
