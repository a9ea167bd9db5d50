"""Per-video gait parameters as constant input channels of the TCN ("TCN + gait parameters"; no torch).

A small classification set can hold too few videos for the TCN to learn what a cadence or a step
length is from the keypoint channels alone. The hybrid model sees the video's side-free gait
parameters (``core.baseline.gait_classifier.gait_feature_vector``: the baseline's inputs) as extra
channels, constant over the frames, after the keypoint channels. A missing parameter takes the
training videos' median (``fill_values``), stored with the model so that inference fills alike.
"""

from __future__ import annotations

import numpy as np

from core.tcn.features import FeatureLayout

HYBRID_NAME = "TCN + gait parameters"


def fill_values(vectors: np.ndarray) -> np.ndarray:
    """(G,) per-parameter median over (N, G) training vectors, ignoring NaN; 0 for a parameter missing
    in every training video."""
    x = np.asarray(vectors, dtype=np.float64)
    med = np.full(x.shape[1], 0.0)
    seen = np.isfinite(x).any(axis=0)
    if seen.any():
        med[seen] = np.nanmedian(x[:, seen], axis=0)
    return med


def with_gait_channels(features: np.ndarray, gait: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """(T, F + G) float32: ``features`` (T, F) with the (G,) ``gait`` vector (NaN -> ``fill``) repeated
    on every frame."""
    g = np.asarray(gait, dtype=np.float64)
    if g.shape != np.shape(fill):
        raise ValueError(f"gait parameters: expected {np.shape(fill)[0]} values, got {g.size}")
    g = np.where(np.isfinite(g), g, fill).astype(np.float32)
    return np.concatenate([np.asarray(features, dtype=np.float32), np.tile(g, (features.shape[0], 1))], axis=1)


def extend_layout(layout: FeatureLayout, n_extra: int) -> FeatureLayout:
    """``layout`` of F columns plus ``n_extra`` side-free columns (mirroring leaves them in place)."""
    n = layout.mirror.size
    return FeatureLayout(np.concatenate([layout.mirror, np.arange(n, n + n_extra)]), layout.rotation_pairs)
