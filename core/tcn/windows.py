"""Window slicing and train-time augmentation on numpy arrays (no torch)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import TCN_IGNORE_INDEX
from core.tcn.features import FeatureLayout
from core.tcn.targets import EVENT_MIRROR, mirror_phase_targets


@dataclass(frozen=True)
class Augment:
    """Train-time augmentation: time scale factor in 1 +- ``time_scale``, start jitter in frames,
    Gaussian noise in units of each feature's std, rotation of sagittal coordinates in degrees,
    and the probability of left/right mirroring."""

    time_scale: float = 0.1
    jitter_frames: int = 8
    noise_std: float = 0.03
    rotation_deg: float = 5.0
    mirror_prob: float = 0.5


def window_starts(n_frames: int, window_frames: int, overlap: float) -> np.ndarray:
    """Start frames of windows covering ``[0, n_frames)``; the last window ends at the last frame."""
    if n_frames <= window_frames:
        return np.zeros(1, dtype=np.int64)
    hop = max(1, int(round(window_frames * (1.0 - overlap))))
    starts = np.arange(0, n_frames - window_frames + 1, hop, dtype=np.int64)
    if starts[-1] + window_frames < n_frames:
        starts = np.append(starts, n_frames - window_frames)
    return starts


def window_index(lengths: list[int], window_frames: int, overlap: float) -> np.ndarray:
    """(N, 2) int64 rows of (video, start frame) for every window of every video."""
    rows = []
    for video, n_frames in enumerate(lengths):
        starts = window_starts(n_frames, window_frames, overlap)
        rows.append(np.stack([np.full(len(starts), video), starts], axis=1))
    return np.concatenate(rows).astype(np.int64)


def slice_padded(array: np.ndarray, start: int, length: int, fill: float | int) -> tuple[np.ndarray, np.ndarray]:
    """``array[start:start+length]`` (a copy), padded with ``fill`` outside the array; plus a (length,) mask."""
    out = np.full((length,) + array.shape[1:], fill, dtype=array.dtype)
    lo, hi = max(0, start), min(array.shape[0], start + length)
    mask = np.zeros(length, dtype=bool)
    if hi > lo:
        out[lo - start : hi - start] = array[lo:hi]
        mask[lo - start : hi - start] = True
    return out, mask


def stretch(array: np.ndarray, n_out: int, nearest: bool = False) -> np.ndarray:
    """Resample axis 0 of ``array`` to ``n_out`` samples (linear, or nearest for labels)."""
    n_in = array.shape[0]
    pos = np.linspace(0.0, n_in - 1, n_out)
    if nearest:
        return array[np.rint(pos).astype(np.int64)]
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (pos - lo).reshape((-1,) + (1,) * (array.ndim - 1)).astype(np.float32)
    return (array[lo] * (1 - frac) + array[hi] * frac).astype(array.dtype)


def mirror_window(
    x: np.ndarray, y: np.ndarray | int, layout: FeatureLayout, task: str
) -> tuple[np.ndarray, np.ndarray | int]:
    """Swap left and right in features and, consistently, in the labels."""
    x = x[:, layout.mirror]
    if task == "events":
        y = y[:, list(EVENT_MIRROR)]
    elif task == "phases":
        y = mirror_phase_targets(y)
    return x, y


def rotate_pairs(x: np.ndarray, pairs: np.ndarray, angle_rad: float) -> np.ndarray:
    """Rotate each (forward, up) column pair of (W, F) ``x`` by ``angle_rad`` (a copy)."""
    out = x.copy()
    c, s = np.float32(np.cos(angle_rad)), np.float32(np.sin(angle_rad))
    a, b = x[:, pairs[:, 0]], x[:, pairs[:, 1]]
    out[:, pairs[:, 0]] = c * a - s * b
    out[:, pairs[:, 1]] = s * a + c * b
    return out


def label_fill(task: str) -> float | int:
    return TCN_IGNORE_INDEX if task == "phases" else 0
