"""Frame probabilities -> gait events by peak picking with sub-frame refinement (no torch)."""

from __future__ import annotations

import numpy as np

from core.constants import TCN_EVENT_CHANNELS, TCN_MIN_EVENT_INTERVAL_S, TCN_PEAK_THRESHOLD
from core.tcn.targets import event_channel
from core.types import GaitEvent


def pick_peaks(prob: np.ndarray, threshold: float = TCN_PEAK_THRESHOLD, min_distance_frames: float = 1.0) -> np.ndarray:
    """Sub-frame positions (sorted) of local maxima of (T,) ``prob`` above ``threshold``.

    Higher peaks win: a peak closer than ``min_distance_frames`` to a higher kept one is dropped.
    Each position is refined by the vertex of the parabola through the peak and its neighbours.
    The first and last frames are never peaks: a slope there is the tail of an event outside the
    recording.
    """
    p = np.asarray(prob, dtype=np.float64).ravel()
    if p.size < 3:
        return np.zeros(0)
    mid = p[1:-1]
    is_peak = (mid >= p[:-2]) & (mid > p[2:]) & (mid >= threshold)
    candidates = np.flatnonzero(is_peak) + 1
    kept: list[int] = []
    for i in candidates[np.argsort(-p[candidates], kind="stable")]:
        if all(abs(i - k) >= min_distance_frames for k in kept):
            kept.append(int(i))
    kept.sort()
    return np.array([_refine(p, i) for i in kept], dtype=np.float64)


def _refine(p: np.ndarray, i: int) -> float:
    left, mid, right = p[i - 1], p[i], p[i + 1]
    curvature = left - 2 * mid + right
    if curvature >= 0:
        return float(i)
    return float(i + np.clip(0.5 * (left - right) / curvature, -0.5, 0.5))


def channel_peaks(
    probs: np.ndarray,
    rate_hz: float,
    threshold: float = TCN_PEAK_THRESHOLD,
    min_interval_s: float = TCN_MIN_EVENT_INTERVAL_S,
) -> list[np.ndarray]:
    """Per event channel, the sub-frame peak positions of (T, 4) ``probs``."""
    min_distance = max(1.0, min_interval_s * rate_hz)
    return [pick_peaks(probs[:, c], threshold, min_distance) for c in range(probs.shape[1])]


def peaks_to_events(
    peaks: list[np.ndarray], rate_hz: float, n_frames: int, time_offset_s: float = 0.0
) -> list[GaitEvent]:
    """Events (sorted by time) from per-channel sub-frame positions; time = offset + position / rate."""
    events = []
    for (side, kind), positions in zip(TCN_EVENT_CHANNELS, peaks):
        for pos in positions:
            frame = int(min(max(round(pos), 0), n_frames - 1))
            events.append(GaitEvent(side, kind, frame, float(time_offset_s + pos / rate_hz)))
    return sorted(events, key=lambda e: (e.time_s, e.side, e.event))


def events_to_positions(events: list[GaitEvent]) -> list[np.ndarray]:
    """Per event channel, the (sorted) frames of ``events``."""
    out: list[list[float]] = [[] for _ in TCN_EVENT_CHANNELS]
    for ev in events:
        out[event_channel(ev)].append(float(ev.frame))
    return [np.sort(np.asarray(v, dtype=np.float64)) for v in out]
