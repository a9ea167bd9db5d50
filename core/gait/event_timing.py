"""Learned timing refinement of video (pixel-unit) gait events.

A pose model's foot landmarks settle late or early by a stride-dependent amount; the kinematic
detector (``core.gait.events``) inherits that bias. For each detected event, ``event_features``
samples the leg's trajectories in a window of WINDOW_S either side of it and a small regression
model (``TimingModel``: gradient-boosted shallow trees, evaluated here in numpy) predicts the
offset (s) from the detected to the true event. ``refine_events`` moves every event by its
prediction, clipped to MAX_SHIFT_S and kept between the side's neighbouring events.

Features (one row per event; positions relative to the pelvis, in leg lengths, along the walking
direction ``forward`` and the vertical; the series must already be turned so that every bout walks
along ``forward``): on a grid of N_GRID times from -WINDOW_S to +WINDOW_S around the event, the
same leg's heel, toe, ankle and knee and the other leg's heel and toe (forward and vertical), the
same heel's and toe's velocities (leg lengths/s), the pelvis height about its window mean, and,
where the keypoint store holds them (``core.gait.contact_pixels``), the same foot's heel and toe
patch speeds over the scenery (leg lengths/s) with their correlation peaks (0 where absent, with a
flag); then the event type (1 heel strike, 0 toe off), the side's median stride time (s) and the
patch flag. The model is trained by ``scripts/train_event_timing.py`` on rendered sweep videos
(metadata in the model file); it learns the renderer's MediaPipe bias, which real footage may not share.
Metric (motion-capture) data is never refined.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES
from core.errors import InsufficientDataError
from core.gait.contact_pixels import FOOT_PEAK_META, FOOT_VELOCITY_META, has_foot_evidence, point_column
from core.gait.direction import leg_length, pelvis_position
from core.types import GaitEvent, KeypointSeries

WINDOW_S = 0.3
N_GRID = 19
MAX_SHIFT_S = 0.15
# A moved event keeps at least this gap (s) to the side's previous and next events.
MIN_GAP_S = 0.05
SAME_LEG_POINTS = ("heel", "toe", "ankle", "knee")
OTHER_LEG_POINTS = ("heel", "toe")
N_SIGNALS = 2 * len(SAME_LEG_POINTS) + 2 * len(OTHER_LEG_POINTS) + 4 + 1 + 4
N_FEATURES = N_SIGNALS * N_GRID + 3


@dataclass(frozen=True)
class TimingModel:
    """Gradient-boosted regression trees: prediction = ``base_s`` + ``learning_rate`` * sum of leaves (s).

    Node arrays (n_nodes,) over all trees: ``feature`` (-1 at a leaf), ``threshold`` (go left when
    the feature is <= it), ``left``/``right`` (node index within the arrays), ``value`` (leaf output);
    ``roots`` (n_trees,) the first node of each tree. ``meta``: training data, seeds, scores.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    base_s: float
    learning_rate: float
    n_features: int
    meta: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.feature.shape[0]
        for name in ("threshold", "left", "right", "value"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"timing model: {name} has shape {getattr(self, name).shape}, expected ({n},)")
        inner = self.feature >= 0
        if np.any(self.feature >= self.n_features) or np.any((self.left[inner] < 0) | (self.left[inner] >= n)):
            raise ValueError("timing model: a node points outside the model")

    def predict_s(self, features: np.ndarray) -> np.ndarray:
        """(n,) predicted offsets (s, truth - detected) for ``features`` (n, n_features)."""
        x = np.asarray(features, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"timing model expects (n, {self.n_features}) features, got {x.shape}")
        rows = np.arange(x.shape[0])
        total = np.zeros(x.shape[0])
        for root in self.roots:
            node = np.full(x.shape[0], root)
            while True:
                inner = self.feature[node] >= 0
                if not inner.any():
                    break
                f = np.where(inner, self.feature[node], 0)
                go_left = x[rows, f] <= self.threshold[node]
                node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
            total += self.value[node]
        return self.base_s + self.learning_rate * total


_ARRAYS = {"feature": "<i4", "threshold": "<f8", "left": "<i4", "right": "<i4", "value": "<f8", "roots": "<i4"}


def model_to_dict(model: TimingModel) -> dict:
    """Plain data for ``model`` (arrays as base64 little-endian bytes), read back by ``model_from_dict``."""
    out = {name: base64.b64encode(np.asarray(getattr(model, name), dtype).tobytes()).decode("ascii")
           for name, dtype in _ARRAYS.items()}
    return {**out, "base_s": float(model.base_s), "learning_rate": float(model.learning_rate),
            "n_features": int(model.n_features), "meta": dict(model.meta)}


def model_from_dict(data: dict) -> TimingModel:
    """The ``TimingModel`` of ``model_to_dict``'s plain data."""
    arrays = {name: np.frombuffer(base64.b64decode(data[name]), dtype).astype(np.int64 if "i" in dtype else float)
              for name, dtype in _ARRAYS.items()}
    return TimingModel(**arrays, base_s=float(data["base_s"]), learning_rate=float(data["learning_rate"]),
                       n_features=int(data["n_features"]), meta=dict(data.get("meta", {})))


@functools.lru_cache(maxsize=1)
def shipped_model() -> TimingModel:
    """The model shipped with the code (``core.gait.event_timing_weights``, written by
    ``scripts/train_event_timing.py``)."""
    from core.gait.event_timing_weights import MODEL

    model = model_from_dict(MODEL)
    if model.n_features != N_FEATURES:
        raise ValueError(f"shipped timing model has {model.n_features} features; this code makes {N_FEATURES}")
    return model


def _sample(signal: np.ndarray, time_s: np.ndarray, at_s: np.ndarray) -> np.ndarray:
    """``signal`` (T,) linearly interpolated at ``at_s`` (n, N_GRID); NaN outside the series or its data."""
    ok = np.isfinite(signal)
    if ok.sum() < 2:
        return np.full(at_s.shape, np.nan)
    out = np.interp(at_s, time_s[ok], signal[ok])
    frames = np.interp(at_s, time_s, np.arange(time_s.size))
    lo, hi = np.floor(frames).astype(int), np.ceil(frames).astype(int)
    inside = (at_s >= time_s[0]) & (at_s <= time_s[-1])
    lo, hi = np.clip(lo, 0, time_s.size - 1), np.clip(hi, 0, time_s.size - 1)
    return np.where(inside & ok[lo] & ok[hi], out, np.nan)


def _stride_s(events: list[GaitEvent], side: str) -> float:
    """Median time (s) between consecutive heel strikes of ``side``; NaN with fewer than two."""
    times = np.sort([e.time_s for e in events if e.side == side and e.event == "heel_strike"])
    gaps = np.diff(times)
    gaps = gaps[(gaps > 0.6) & (gaps < 2.5)]
    return float(np.median(gaps)) if gaps.size else float("nan")


def _leg_signals(positions: np.ndarray, side: str, forward: np.ndarray, scale: float) -> list[np.ndarray]:
    """Forward and vertical positions (T,) relative to the pelvis (leg lengths) of the event's leg, then the other's."""
    pelvis = pelvis_position(positions)
    other = SIDES[1 - SIDES.index(side)]
    out = []
    for leg, points in ((side, SAME_LEG_POINTS), (other, OTHER_LEG_POINTS)):
        for point in points:
            rel = (positions[:, LEG_LANDMARKS[leg][point]] - pelvis) / scale
            out += [rel @ forward, rel[:, 1]]
    return out


def _patch_signals(meta: dict, side: str, n_frames: int, scale: float) -> list[np.ndarray]:
    """The side's heel and toe patch speeds over the scenery (leg lengths/s) and peaks, (T,) each; NaN if absent."""
    if not has_foot_evidence(meta, n_frames):
        return [np.full(n_frames, np.nan)] * 4
    velocity, peak = np.asarray(meta[FOOT_VELOCITY_META], float), np.asarray(meta[FOOT_PEAK_META], float)
    cols = [point_column(side, p) for p in ("heel", "toe")]
    return [np.linalg.norm(velocity[:, c], axis=1) / scale for c in cols] + [peak[:, c] for c in cols]


def event_features(series: KeypointSeries, forward: np.ndarray, events: list[GaitEvent]) -> np.ndarray:
    """(n_events, N_FEATURES) features of ``events`` on ``series`` (pixel or metric, turned to ``forward``).

    Rows with a landmark missing in the window hold NaN (``refine_events`` leaves those events as they are).
    """
    out = np.full((len(events), N_FEATURES), np.nan)
    if not events:
        return out
    try:
        scale = leg_length(series.positions)
    except InsufficientDataError:
        return out
    fwd = np.array([forward[0], 0.0, forward[2]], float)
    fwd /= np.linalg.norm(fwd)
    grid = np.linspace(-WINDOW_S, WINDOW_S, N_GRID)
    dt = grid[1] - grid[0]
    t = series.time_s
    pelvis_y = pelvis_position(series.positions)[:, 1] / scale
    for side in SIDES:
        rows = [i for i, e in enumerate(events) if e.side == side]
        if not rows:
            continue
        at = np.array([events[i].time_s for i in rows])[:, None] + grid[None, :]
        legs = [_sample(sig, t, at) for sig in _leg_signals(series.positions, side, fwd, scale)]
        velocities = [np.gradient(legs[k], dt, axis=1) for k in range(4)]
        hip = _sample(pelvis_y, t, at)
        hip = hip - np.mean(hip, axis=1, keepdims=True)
        patches = [_sample(sig, t, at) for sig in _patch_signals(series.meta, side, series.n_frames, scale)]
        has_patch = np.all(np.isfinite(np.concatenate(patches, axis=1)), axis=1).astype(float)
        patches = [np.where(has_patch[:, None] > 0, p, 0.0) for p in patches]
        grid_part = np.concatenate(legs + velocities + [hip] + patches, axis=1)
        kind = np.array([events[i].event == "heel_strike" for i in rows], float)
        stride = np.full(len(rows), _stride_s(events, side))
        out[rows] = np.column_stack([grid_part, kind, stride, has_patch])
    return out


def refine_events(series: KeypointSeries, forward: np.ndarray, events: list[GaitEvent], model: TimingModel
                  ) -> tuple[list[GaitEvent], np.ndarray]:
    """Events moved by ``model`` on pixel data (metric data: unchanged), and the shifts applied (s, (n,)).

    A shift is clipped to +-MAX_SHIFT_S and keeps MIN_GAP_S to the side's neighbouring (original)
    events; an event whose features are incomplete keeps its time.
    """
    shifts = np.zeros(len(events))
    if series.units != "px" or not events:
        return list(events), shifts
    x = event_features(series, forward, events)
    ok = np.all(np.isfinite(x), axis=1)
    if ok.any():
        shifts[ok] = np.clip(model.predict_s(x[ok]), -MAX_SHIFT_S, MAX_SHIFT_S)
    moved = []
    for i, e in enumerate(events):
        same = sorted(o.time_s for o in events if o.side == e.side and o is not e)
        before = max((s for s in same if s < e.time_s), default=-np.inf) + MIN_GAP_S
        after = min((s for s in same if s > e.time_s), default=np.inf) - MIN_GAP_S
        time_s = float(np.clip(e.time_s + shifts[i], min(before, e.time_s), max(after, e.time_s)))
        time_s = float(np.clip(time_s, series.time_s[0], series.time_s[-1]))
        shifts[i] = time_s - e.time_s
        frame = int(np.clip(round(float(np.interp(time_s, series.time_s, np.arange(series.n_frames)))),
                            0, series.n_frames - 1))
        moved.append(GaitEvent(e.side, e.event, frame, time_s))
    order = sorted(range(len(moved)), key=lambda i: (moved[i].time_s, moved[i].side, moved[i].event))
    return [moved[i] for i in order], shifts[order]
