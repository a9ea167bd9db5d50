"""Torch Dataset over (video, start) windows of cached feature arrays, sliced lazily."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset, get_worker_info

from core.tcn.features import FeatureLayout
from core.tcn.windows import Augment, label_fill, mirror_window, rotate_pairs, slice_padded, stretch


class WindowDataset(Dataset):
    """Items ``(x (W, F) float32 normalised, y, mask (W,) bool)``.

    ``y`` is (W, 4) float32 for events, (W,) int64 for phases, a class index for classification.
    ``features``/``targets`` are held by reference: each item copies only its own window.
    """

    def __init__(
        self,
        features: list[np.ndarray],
        targets: list[np.ndarray | int],
        index: np.ndarray,
        window_frames: int,
        task: str,
        mean: np.ndarray,
        std: np.ndarray,
        augment: Augment | None = None,
        layout: FeatureLayout | None = None,
        seed: int = 0,
    ) -> None:
        self.features, self.targets, self.index = features, targets, index
        self.window_frames, self.task, self.augment, self.layout = window_frames, task, augment, layout
        self.mean, self.std = mean.astype(np.float32), std.astype(np.float32)
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def _window(self, video: int, start: int, length: int) -> tuple[np.ndarray, np.ndarray | int, np.ndarray]:
        x, mask = slice_padded(self.features[video], start, length, 0.0)
        target = self.targets[video]
        if self.task == "classification":
            return x, int(target), mask
        y, _ = slice_padded(target, start, length, label_fill(self.task))
        return x, y, mask

    def _augmented(self, video: int, start: int) -> tuple[np.ndarray, np.ndarray | int, np.ndarray]:
        aug, rng, w = self.augment, self.rng, self.window_frames
        length = max(2, int(round(w * rng.uniform(1 - aug.time_scale, 1 + aug.time_scale))))
        start = start + int(rng.integers(-aug.jitter_frames, aug.jitter_frames + 1)) - (length - w) // 2
        x, y, mask = self._window(video, start, length)
        if length != w:
            x, mask = stretch(x, w), stretch(mask, w, nearest=True)
            if self.task != "classification":
                y = stretch(y, w, nearest=self.task == "phases")
        if self.layout is not None:
            if rng.random() < aug.mirror_prob:
                x, y = mirror_window(x, y, self.layout, self.task)
            x = rotate_pairs(x, self.layout.rotation_pairs, np.radians(rng.uniform(-1, 1) * aug.rotation_deg))
        x = x + rng.normal(0.0, aug.noise_std, x.shape).astype(np.float32) * self.std
        return x, y, mask

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        video, start = (int(v) for v in self.index[i])
        if self.augment is None:
            x, y, mask = self._window(video, start, self.window_frames)
        else:
            x, y, mask = self._augmented(video, start)
        x = (x - self.mean) / self.std
        x[~mask] = 0.0
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.as_tensor(y), torch.from_numpy(mask)


def seed_worker(worker_id: int) -> None:
    """DataLoader ``worker_init_fn``: a distinct augmentation stream per worker and epoch."""
    info = get_worker_info()
    if info is not None:
        info.dataset.rng = np.random.default_rng(torch.initial_seed() % 2**32)
