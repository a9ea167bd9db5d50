"""Step extrema within a fraction of a stride of a recording's ends (pure numpy).

``core.gait.events`` finds Zeni's extrema on the signal extended past its ends by point reflection,
which gives an extremum a few samples inside an end a flank on its outer side. That flank is only
as deep as the signal's rise inside the recording, though: a heel that is already near its
forward-most point in the first frame gets a prominence below the step threshold and its heel strike
is lost (1 to 2 events per 6-10 s phone-look clip, docs/gait_accuracy.md (l)). Here such an
extremum counts by its depth towards the inside of the recording alone.
"""

from __future__ import annotations

import numpy as np


def _inward_depth(signal: np.ndarray, i: int, towards_end: bool) -> float:
    """How far ``signal`` (T,) falls from sample ``i`` towards the inside of the recording before it
    rises above ``signal[i]`` again (the one-sided prominence)."""
    inward = signal[i + 1:] if towards_end else signal[:i][::-1]
    higher = np.flatnonzero(inward > signal[i])
    stop = int(higher[0]) if len(higher) else len(inward)
    return float(signal[i] - np.min(inward[:stop])) if stop > 0 else 0.0


def edge_maxima(signal: np.ndarray, edge_samples: int, min_prominence: float, min_distance: int,
                found: np.ndarray) -> list[tuple[int, float]]:
    """(sample, inward depth) of the highest sample within ``edge_samples`` of each end of ``signal``
    (T,) when it is a maximum strictly inside that stretch (not the end sample: a maximum before the
    recording), at least ``min_distance`` samples from every index in ``found``, and falls by at
    least ``min_prominence`` towards the inside of the recording."""
    n = len(signal)
    out = []
    if n < 3 or edge_samples < 2:
        return out
    for lo, hi, towards_end in ((0, min(edge_samples, n - 1), True), (max(0, n - 1 - edge_samples), n - 1, False)):
        i = lo + int(np.argmax(signal[lo:hi + 1]))
        if not lo < i < hi or i in (0, n - 1):
            continue
        if len(found) and np.min(np.abs(np.asarray(found) - i)) < min_distance:
            continue
        depth = _inward_depth(signal, i, towards_end)
        if depth >= min_prominence:
            out.append((i, depth))
    return out
