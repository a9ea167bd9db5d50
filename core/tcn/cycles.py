"""Gait cycles as TCN samples: strides cut at heel strikes and time-normalised (pure numpy; no torch).

A stride runs from a heel strike to the next heel strike of the same side. Its rows of the per-frame
features (``core.tcn.features.build_features``) are resampled to ``CycleSpec.n_samples`` points over
0..100 % of the cycle, keeping the columns that MediaPipe measures in every frame of a side view: the six
sagittal joint angles (radians) and the knee, ankle, heel and toe positions relative to the hip midpoint
(forward and up, in leg lengths), per side. Per side one stance column follows from the video's gait events
(1 from a heel strike to the next toe off, 0 in swing), so a shortened stance or a long swing is seen
directly, not only through noisy angles. The stride's duration (s) is appended as one constant column,
so the cadence lost by the time normalisation stays visible. Columns keep left and right, so
``cycle_mirror`` (left <-> right) is a side swap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import SIDES
from core.tcn.features import FEATURE_NAMES, swap_side
from core.types import GaitEvent

CYCLE_PARTS: tuple[str, ...] = ("knee", "ankle", "heel", "foot_index")
CYCLE_FEATURES: tuple[str, ...] = tuple(
    n for n in FEATURE_NAMES
    if n.endswith("_rad") or (n.split("_", 1)[1].rsplit("_", 1)[0] in CYCLE_PARTS and n.endswith(("_fwd", "_up")))
)
STANCE_NAMES: tuple[str, ...] = tuple(f"{side}_stance" for side in SIDES)
STRIDE_TIME_NAME = "stride_time_s"
CYCLE_NAMES: tuple[str, ...] = CYCLE_FEATURES + STANCE_NAMES + (STRIDE_TIME_NAME,)
N_CYCLE_FEATURES = len(CYCLE_NAMES)


@dataclass(frozen=True)
class CycleSpec:
    """How strides are cut: ``n_samples`` points per stride; a stride lasts ``min_stride_s``..``max_stride_s``
    and at most ``max_ratio`` times (or at least 1 / ``max_ratio`` of) its side's median stride."""

    n_samples: int = 64
    min_stride_s: float = 0.4
    max_stride_s: float = 2.5
    max_ratio: float = 1.6

    def __post_init__(self) -> None:
        if self.n_samples < 8:
            raise ValueError(f"n_samples must be at least 8, got {self.n_samples}")
        if not 0 < self.min_stride_s < self.max_stride_s:
            raise ValueError("need 0 < min_stride_s < max_stride_s")
        if self.max_ratio <= 1:
            raise ValueError(f"max_ratio must exceed 1, got {self.max_ratio}")


def _column_index() -> np.ndarray:
    index = {n: i for i, n in enumerate(FEATURE_NAMES)}
    return np.array([index[n] for n in CYCLE_FEATURES], dtype=np.int64)


def cycle_mirror() -> np.ndarray:
    """(N_CYCLE_FEATURES,) column permutation of a cycle sample that swaps left and right."""
    return np.array([CYCLE_NAMES.index(swap_side(n)) for n in CYCLE_NAMES], dtype=np.int64)


def stride_bounds(events: list[GaitEvent], rate_hz: float, n_frames: int, spec: CycleSpec) -> np.ndarray:
    """(S, 2) int64 (first, last) frames of every usable stride, both sides, ordered by first frame.

    Usable: consecutive heel strikes of one side inside ``[0, n_frames)``, ``spec``'s duration limits,
    and within ``spec.max_ratio`` of that side's median stride.
    """
    rows = []
    for side in sorted({e.side for e in events}):
        frames = np.unique([e.frame for e in events if e.side == side and e.event == "heel_strike"])
        frames = frames[(frames >= 0) & (frames < n_frames)]
        pairs = np.stack([frames[:-1], frames[1:]], axis=1) if frames.size > 1 else np.zeros((0, 2), np.int64)
        seconds = (pairs[:, 1] - pairs[:, 0]) / rate_hz
        ok = (seconds >= spec.min_stride_s) & (seconds <= spec.max_stride_s)
        if ok.any():
            median = float(np.median(seconds[ok]))
            ok &= (seconds <= median * spec.max_ratio) & (seconds >= median / spec.max_ratio)
        rows.append(pairs[ok])
    out = np.concatenate(rows).astype(np.int64) if rows else np.zeros((0, 2), np.int64)
    return out[np.argsort(out[:, 0], kind="stable")]


def span_bounds(n_frames: int, span_frames: int) -> np.ndarray:
    """(S, 2) int64 (first, last) frames of spans of ``span_frames`` every half span over ``n_frames`` frames
    (one span of the whole series when it is shorter): cycles for a video without a usable stride."""
    span = max(1, min(int(span_frames), n_frames - 1))
    starts = np.arange(0, n_frames - span, max(1, span // 2), dtype=np.int64)
    return np.stack([starts, starts + span], axis=1)


def resample_span(features: np.ndarray, start: float, end: float, n_samples: int) -> np.ndarray:
    """(n_samples, F) float32 rows of (T, F) ``features`` at ``n_samples`` evenly spaced fractional frames
    from ``start`` to ``end`` (linear interpolation, clipped to the series)."""
    pos = np.clip(np.linspace(start, end, n_samples), 0.0, features.shape[0] - 1)
    return _at_positions(features, pos)


def _at_positions(features: np.ndarray, pos: np.ndarray) -> np.ndarray:
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, features.shape[0] - 1)
    frac = (pos - lo)[:, None]
    return (features[lo] * (1 - frac) + features[hi] * frac).astype(np.float32)


def stance_columns(events: list[GaitEvent], n_frames: int) -> np.ndarray:
    """(n_frames, 2) float32 per side (``SIDES`` order): 1 from a heel strike to the side's next toe off (stance),
    0 from a toe off to its next heel strike (swing). Before a side's first event the other state holds; a side
    without events is 0.5 throughout (unknown)."""
    out = np.full((n_frames, len(SIDES)), 0.5, dtype=np.float32)
    frame_index = np.arange(n_frames)
    for j, side in enumerate(SIDES):
        marks = sorted((e.frame, e.event == "heel_strike") for e in events if e.side == side)
        if not marks:
            continue
        frames = np.array([f for f, _ in marks])
        stance = np.array([s for _, s in marks], dtype=np.float32)
        last = np.searchsorted(frames, frame_index, side="right") - 1  # the latest event at or before each frame
        out[:, j] = np.where(last >= 0, stance[np.maximum(last, 0)], 1.0 - stance[0])
    return out


def cycle_columns(features: np.ndarray, events: list[GaitEvent] | None) -> np.ndarray:
    """(T, N_CYCLE_FEATURES - 1) the cycle columns of (T, N_FEATURES) ``build_features`` output and the
    video's gait ``events`` (the stance columns)."""
    features = np.asarray(features, dtype=np.float32)
    return np.concatenate([features[:, _column_index()], stance_columns(events or [], features.shape[0])], axis=1)


def cut_cycles(
    features: np.ndarray, events: list[GaitEvent], rate_hz: float, spec: CycleSpec = CycleSpec()
) -> np.ndarray:
    """(S, spec.n_samples, N_CYCLE_FEATURES) float32: every usable stride (``stride_bounds``) of a video,
    time-normalised, with its duration in seconds as the last column. S may be 0."""
    cols = cycle_columns(features, events)
    return cycles_at(cols, stride_bounds(events, rate_hz, cols.shape[0], spec), rate_hz, spec.n_samples)


def cycles_at(columns: np.ndarray, bounds: np.ndarray, rate_hz: float, n_samples: int) -> np.ndarray:
    """(S, n_samples, N_CYCLE_FEATURES) float32: the spans ``bounds`` (S, 2) (first, last frame) of
    (T, N_CYCLE_FEATURES - 1) ``columns``, time-normalised, each with its duration (s) as the last column."""
    if not len(bounds):
        return np.zeros((0, n_samples, N_CYCLE_FEATURES), np.float32)
    return np.stack([with_stride_time(resample_span(columns, a, b, n_samples), (b - a) / rate_hz) for a, b in bounds])


def with_stride_time(cycle: np.ndarray, stride_time_s: float) -> np.ndarray:
    """(N, F + 1) ``cycle`` with a constant column of ``stride_time_s`` appended."""
    return np.concatenate([cycle, np.full((cycle.shape[0], 1), stride_time_s, dtype=np.float32)], axis=1)


@dataclass(frozen=True)
class CycleAugment:
    """Train-time augmentation of one stride: each end moves by up to ``end_jitter`` of the stride's length
    (frames), a smooth time warp moves the middle by up to ``warp`` of the length, the deviation of every
    column from its mean over the stride is scaled by 1 +- ``amplitude``, Gaussian noise of ``noise_std``
    (in units of the normalised columns) is added, and left and right are swapped with ``swap_prob``."""

    end_jitter: float = 0.04
    warp: float = 0.05
    amplitude: float = 0.1
    noise_std: float = 0.05
    swap_prob: float = 0.5


def augmented_cycle(
    columns: np.ndarray, start: int, end: int, rate_hz: float, n_samples: int, aug: CycleAugment,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n_samples, N_CYCLE_FEATURES) one randomly perturbed copy of the stride ``start``..``end`` (frames)
    of (T, N_CYCLE_FEATURES - 1) ``columns``, before normalisation (noise and side swap come after it)."""
    length = end - start
    a = start + rng.uniform(-aug.end_jitter, aug.end_jitter) * length
    b = end + rng.uniform(-aug.end_jitter, aug.end_jitter) * length
    u = np.linspace(0.0, 1.0, n_samples)
    u = u + rng.uniform(-aug.warp, aug.warp) * np.sin(np.pi * u)  # monotone for |warp| < 1 / pi
    pos = np.clip(a + u * (b - a), 0.0, columns.shape[0] - 1)
    cycle = _at_positions(columns, pos)
    mean = cycle.mean(axis=0, keepdims=True)
    cycle = mean + (cycle - mean) * np.float32(1.0 + rng.uniform(-aug.amplitude, aug.amplitude))
    return with_stride_time(cycle, (b - a) / rate_hz)
