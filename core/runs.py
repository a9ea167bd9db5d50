"""Runs of a boolean mask (pure numpy; shared ground of ``core.pose`` and ``core.gait``, which may not import
each other)."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray, min_len: int = 1) -> list[tuple[int, int]]:
    """[start, end) of the runs where ``mask`` (1-D bool) is True, at least ``min_len`` samples long."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(mask, dtype=bool).astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_len]
