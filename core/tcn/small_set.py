"""Adaptations of the training configuration for a small classification set (no torch).

With a few labelled videos per class a TCN overfits: it memorises the handful of training videos
within a few epochs. For classification with fewer than ``SMALL_SET_VIDEOS`` training videos per fold
the model is narrowed and made shallower, with more dropout, each fold trains an ensemble
of ``SMALL_ENSEMBLE`` such models, and the window is shortened so that a video yields at least
``MIN_CROPS_PER_VIDEO`` distinct windows (more random crops in time per video). The model is made left/right invariant
(``core.tcn.model``: the head sees the sum and absolute difference of the pooled features of a
window and of its mirror image), so the few videos need not show every style with either side
affected. With ``SMALL_CYCLES`` the samples are gait cycles instead of windows (``core.tcn.cycle_model``:
each stride cut at the kinematic detector's heel strikes and time-normalised, a video's probabilities the
mean of its strides'; docs/tcn.md, seventh round). Whether the inner
validation split is kept is decided separately (``use_validation``).
"""

from __future__ import annotations

import dataclasses

from core.config import TrainingConfig

# Training videos per fold below which a classification set counts as small. 30 until session 11; at 30 training
# videos per fold (40 videos, 4 folds) the gait-cycle ensemble classified 40 of 40 on three splits against
# 0.875-1.000 for the fixed windows; at 60 (80 videos) the windows reach 1.000 (docs/tcn.md, tenth round).
SMALL_SET_VIDEOS = 50
SMALL_CHANNELS = 32  # 16 and 8 measured worse on 16 videos (docs/tcn.md, fourth round)
SMALL_BLOCKS = 3
SMALL_DROPOUT = 0.2  # at least
SMALL_ENSEMBLE = 3  # models per fold (seeds), averaged: a few small models vary less than one
MIN_CROPS_PER_VIDEO = 2  # the window is at most half the median video
MIN_WINDOW_FRAMES = 32
SMALL_MIRROR_INVARIANT = True  # left/right-invariant model: one walk and its mirror image are one example
SMALL_CYCLES = True  # gait-cycle model (``core.tcn.cycle_model``): each stride a sample, cut at heel strikes


def small_set_config(
    cfg: TrainingConfig, task: str, n_train_videos: int, median_frames: int
) -> tuple[TrainingConfig, dict]:
    """(configuration to train with, what was changed and why) for ``n_train_videos`` per fold."""
    if task != "classification" or n_train_videos >= SMALL_SET_VIDEOS:
        return cfg, {}
    window = cfg.window_frames
    while window > MIN_WINDOW_FRAMES and window * MIN_CROPS_PER_VIDEO > median_frames:
        window //= 2
    changes = {
        "channels": min(cfg.channels, SMALL_CHANNELS),
        "n_blocks": min(cfg.n_blocks, SMALL_BLOCKS),
        "dropout": max(cfg.dropout, SMALL_DROPOUT),
        "window_frames": max(min(window, cfg.window_frames), min(MIN_WINDOW_FRAMES, cfg.window_frames)),
    }
    changes = {k: v for k, v in changes.items() if v != getattr(cfg, k)}
    reason = (f"{n_train_videos} training videos per fold (< {SMALL_SET_VIDEOS}): smaller model and window, "
              f"{SMALL_ENSEMBLE} models per fold" + (", left/right-invariant head" if SMALL_MIRROR_INVARIANT else "")
              + (", one sample per gait cycle (stride)" if SMALL_CYCLES else ""))
    extra = {"ensemble_members": SMALL_ENSEMBLE, "mirror_invariant": SMALL_MIRROR_INVARIANT, "cycles": SMALL_CYCLES}
    return dataclasses.replace(cfg, **changes), {"reason": reason, **changes, **extra}


def use_validation(task: str, n_train_groups: int, n_classes: int, val_fraction: float) -> bool:
    """Keep an inner validation split only when it can hold a video of every class (classification);
    otherwise the few videos train, and the epochs run to the end (best epoch by training loss)."""
    if task != "classification":
        return True
    return n_train_groups * val_fraction >= n_classes
