"""Class- and video-balanced sampling of training windows (numpy; a torch ``Sampler`` wrapper).

Each epoch draws the same number of windows from every class and, within a class, from every video,
at random starts of a dense window index: a long video does not outweigh a short one, nor a large
class a small one, and every epoch sees other crops in time.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from torch.utils.data import Sampler

DENSE_HOPS_PER_WINDOW = 16  # training windows start every window_frames / 16 frames
MIN_WINDOWS_PER_VIDEO = 8  # per video and epoch, however short the videos (small sets)


def dense_hop_frames(window_frames: int) -> int:
    return max(1, window_frames // DENSE_HOPS_PER_WINDOW)


def windows_per_video(lengths: list[int], window_frames: int, overlap: float) -> int:
    """Windows per video and epoch: the mean number of ``overlap``-spaced windows of the videos
    (an epoch as long as plain overlapping windows give), at least ``MIN_WINDOWS_PER_VIDEO``."""
    hop = max(1, int(round(window_frames * (1.0 - overlap))))
    counts = [1 + max(0, n - window_frames) / hop for n in lengths]
    return max(MIN_WINDOWS_PER_VIDEO, int(round(float(np.mean(counts)))))


def balanced_draw(
    window_video: np.ndarray, video_class: np.ndarray, per_video: int, rng: np.random.Generator
) -> np.ndarray:
    """Indices into the window index for one epoch, shuffled.

    window_video: (N,) video of each window; video_class: (V,) class of each video (all 0 without
    classes). Every class gets ``per_video * (videos in the largest class)`` windows, spread evenly
    over its videos (a remainder goes to randomly chosen videos), each a random window of its video.
    """
    windows_of = [np.flatnonzero(window_video == v) for v in range(video_class.size)]
    classes = np.unique(video_class)
    per_class = per_video * max(int(np.sum(video_class == c)) for c in classes)
    picks = []
    for c in classes:
        videos = np.flatnonzero(video_class == c)
        videos = videos[[windows_of[v].size > 0 for v in videos]]
        if videos.size == 0:
            continue
        counts = np.full(videos.size, per_class // videos.size)
        counts[rng.choice(videos.size, per_class % videos.size, replace=False)] += 1
        for v, k in zip(videos, counts):
            picks.append(rng.choice(windows_of[v], size=int(k), replace=True))
    out = np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)
    rng.shuffle(out)
    return out


class BalancedWindowSampler(Sampler[int]):
    """``balanced_draw`` anew every epoch (reproducible from ``seed``)."""

    def __init__(self, window_video: np.ndarray, video_class: np.ndarray, per_video: int, seed: int) -> None:
        self.window_video = np.asarray(window_video, dtype=np.int64)
        self.video_class = np.asarray(video_class, dtype=np.int64)
        self.per_video = int(per_video)
        self.rng = np.random.default_rng(seed)
        self._len = len(balanced_draw(self.window_video, self.video_class, self.per_video, np.random.default_rng(0)))

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        return iter(balanced_draw(self.window_video, self.video_class, self.per_video, self.rng).tolist())
