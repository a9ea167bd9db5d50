"""Convert stored video landmarks into a ``KeypointSeries`` at the full frame rate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.constants import NUM_LANDMARKS
from core.io.keypoint_store import KeypointBatch
from core.types import KeypointSeries


def batch_to_series(
    batch: KeypointBatch, image_height_px: int, fps: float, name: str = "", min_presence: float = 0.0
) -> KeypointSeries:
    """Store records (image px, y down) -> series (X = column px, Y = height - row px, Z = 0).

    Frames skipped by a frame stride are linearly interpolated between processed neighbours
    that both have a detection; frames with no detection stay NaN (confidence 0).
    Output covers frames ``batch.frame[0] .. batch.frame[-1]``; time_s from the stored timestamps
    (interpolated likewise), so variable frame rate is kept. ``meta["scene_velocity_px_s"]`` (T,):
    the scenery's velocity along X (px/s) from the stored scene shifts, each spread over the frames
    since its ``from_frame``; NaN where unknown. ``meta["foot_velocity_px_s"]`` (T, 4, 2): the image
    velocity (X, Y as the positions, px/s) of the patch at each foot point of ``FOOT_MOTION_POINTS``
    relative to the scenery (the scene's X velocity removed; NaN where either is unknown), and
    ``meta["foot_patch_peak"]`` (T, 4) its correlation peak; both spread like the scene's.
    """
    if len(batch) == 0:
        raise ValueError("no stored frames")
    frames = batch.frame
    full = np.arange(frames[0], frames[-1] + 1)
    pos = np.full((len(full), NUM_LANDMARKS, 3), np.nan)
    conf = np.zeros((len(full), NUM_LANDMARKS))
    idx = frames - frames[0]
    xy = batch.image[:, :, :2].copy()
    vis = np.nan_to_num(batch.image[:, :, 3], nan=0.0)
    ok = batch.valid[:, None] & np.isfinite(xy).all(axis=2)
    if min_presence > 0:
        ok &= np.nan_to_num(batch.image[:, :, 4], nan=0.0) >= min_presence
    pos[idx, :, 0] = np.where(ok, xy[:, :, 0], np.nan)
    pos[idx, :, 1] = np.where(ok, image_height_px - xy[:, :, 1], np.nan)
    pos[idx, :, 2] = np.where(ok, 0.0, np.nan)
    conf[idx] = np.where(ok, vis, 0.0)
    time_s = np.interp(full, frames, batch.time_s) if len(frames) > 1 else batch.time_s.astype(float)
    if len(frames) > 1 and np.any(np.diff(frames) > 1):
        _interpolate_skipped(pos, conf, idx)
    scene = _spread(batch.scene[:, :1], batch.scene[:, 3], batch, idx, time_s, rate=True)[:, 0]
    feet = batch.feet
    flip = np.array([1.0, -1.0])  # image rows down -> Y up
    foot_velocity = np.stack([_spread(feet[:, k, :2] * flip, feet[:, k, 3], batch, idx, time_s, rate=True)
                              for k in range(feet.shape[1])], axis=1)
    foot_velocity[:, :, 0] -= scene[:, None]
    foot_peak = np.stack([_spread(feet[:, k, 2:3], feet[:, k, 3], batch, idx, time_s, rate=False)[:, 0]
                          for k in range(feet.shape[1])], axis=1)
    return KeypointSeries(
        positions=pos, time_s=time_s, confidence=conf, units="px", name=name, is_2d=True,
        meta={"first_frame": int(frames[0]), "fps": fps, "image_height_px": image_height_px,
              "scene_velocity_px_s": scene, "foot_velocity_px_s": foot_velocity, "foot_patch_peak": foot_peak},
    )


def at_recorded_rate(batch: KeypointBatch, stored_fps: float, recorded_fps: float) -> KeypointBatch:
    """``batch`` with its times (s) turned from a file's playback clock to the clock the video was recorded on: a
    slow-motion file recorded at ``recorded_fps`` and stored for playback at ``stored_fps`` shows one real second
    over ``recorded_fps / stored_fps`` seconds, so every time is multiplied by ``stored_fps / recorded_fps``."""
    return replace(batch, time_s=batch.time_s * (stored_fps / recorded_fps))


def _spread(values: np.ndarray, from_frame: np.ndarray, batch: KeypointBatch, idx: np.ndarray, time_s: np.ndarray,
            rate: bool) -> np.ndarray:
    """(T, m) per-frame values from stored rows ``values`` (n, m) measured since video frame
    ``from_frame`` (n,): each row covers the frames after ``from_frame`` up to its own, as a rate (divided
    by the time it spans: a shift in px -> px/s) when ``rate``, else as is; a frame takes the mean of the
    rows that cover it; NaN where none does."""
    total, count = np.zeros((time_s.size, values.shape[1])), np.zeros(time_s.size)
    a = np.where(np.isfinite(from_frame), from_frame, -1).astype(np.int64) - int(batch.frame[0])
    b = idx.astype(np.int64)
    ok = np.isfinite(values).all(axis=1) & np.isfinite(from_frame) & (a >= 0) & (a < b)
    a, b, rows = a[ok], b[ok], values[ok]
    dt = time_s[b] - time_s[a]
    keep = dt > 0
    a, b, rows, dt = a[keep], b[keep], rows[keep], dt[keep]
    if rate:
        rows = rows / dt[:, None]
    for step in range(1, int((b - a).max()) + 1 if len(a) else 1):
        covers = b - a >= step
        np.add.at(total, a[covers] + step, rows[covers])
        np.add.at(count, a[covers] + step, 1)
    with np.errstate(invalid="ignore"):
        return np.where(count[:, None] > 0, total / np.maximum(count, 1)[:, None], np.nan)


def _interpolate_skipped(pos: np.ndarray, conf: np.ndarray, idx: np.ndarray) -> None:
    """Fill frames between consecutive processed frames, where both neighbours are valid."""
    gaps = np.nonzero(np.diff(idx) > 1)[0]
    for g in gaps:
        a, b = idx[g], idx[g + 1]
        both = np.isfinite(pos[a, :, 0]) & np.isfinite(pos[b, :, 0])
        w = ((np.arange(a + 1, b) - a) / (b - a))[:, None, None]
        filled = pos[a][None] * (1 - w) + pos[b][None] * w
        pos[a + 1 : b] = np.where(both[None, :, None], filled, np.nan)
        conf[a + 1 : b] = np.where(both[None], np.minimum(conf[a], conf[b])[None], 0.0)
