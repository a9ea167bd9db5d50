"""Contact timing from pixel evidence: a foot patch at rest against the scenery (video only).

``core.pose.foot_motion`` measures, per frame, the image shift of a small patch at each heel and toe
relative to the scenery; ``core.series`` turns it into a velocity (``FOOT_VELOCITY_META``, (T, 4, 2)
px/s) with the correlation peak (``FOOT_PEAK_META``, (T, 4)), in the order of
``core.constants.FOOT_MOTION_POINTS``. A foot on the ground moves with the scenery: its patch's speed
is near 0 and its peak high. The sample at frame t covers the interval (t-1, t), so it stands at
t - 0.5.

A heel strike (``pixel_contact``) is moved to the onset of rest of that foot's heel patch. Speed
(over the walking speed) and peak are first smoothed by a running median of 3. A sample is at rest
when its speed is below ``REST_FRACTION`` and its peak at least ``MIN_PEAK``; it moves when its speed
is above ``MOVING_FRACTION`` or its peak below ``MIN_PEAK`` (a swinging foot blurs and turns). The
onset is the first sample of a rest run of at least ``REST_S`` that follows a moving sample within
``MOVING_S``, timed where the speed crosses ``REST_FRACTION`` between the two samples around it (both
with a good peak); searched from ``HS_BEFORE_S`` before to ``HS_AFTER_S`` after the kinematic event,
the latest one there. It is kept only while the landmark heel's own speed over ground is at most
``LANDMARK_MAX_FRACTION`` of the walking speed at that time: on shuffling gait a low, gliding heel's
patch is dominated by the floor and reads rest 100-150 ms before contact, while the landmark heel is
still fast. Without such a clear transition the kinematic time is kept, so a blank floor, a foot lost
by the pose model or a patch that the floor's texture dominates leave the landmark event as it was.

Toe off is not taken from the toe patch: its end of rest (tried with the same rules) comes with the
heel's rise, as the forefoot rolls inside the patch, and was no closer to the truth than the landmark
toe off on the development videos (docs/gait_accuracy.md, section (n)).
"""

from __future__ import annotations

import warnings

import numpy as np

from core.constants import FOOT_MOTION_POINTS
from core.runs import true_runs

FOOT_VELOCITY_META = "foot_velocity_px_s"
FOOT_PEAK_META = "foot_patch_peak"
REST_FRACTION = 0.65
MOVING_FRACTION = 0.9
MIN_PEAK = 0.5
REST_S = 0.15
MOVING_S = 0.1
LANDMARK_MAX_FRACTION = 1.0
HS_BEFORE_S = 0.25
HS_AFTER_S = 0.08


def has_foot_evidence(meta: dict, n_frames: int) -> bool:
    """Whether ``meta`` holds foot-patch arrays for ``n_frames`` frames with any finite sample."""
    velocity = meta.get(FOOT_VELOCITY_META)
    return (velocity is not None and len(velocity) == n_frames and meta.get(FOOT_PEAK_META) is not None
            and bool(np.isfinite(velocity).any()))


def point_column(side: str, point: str) -> int:
    """The column of ``(side, point)`` ("heel" or "toe") in the foot-patch arrays."""
    return FOOT_MOTION_POINTS.index((side, point))


def swap_foot_sides(array: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Copy of a foot-patch array (T, 4, ...) with left and right exchanged where ``frames`` (T,) is True
    (the legs relabelled by ``core.gait.leg_swaps``)."""
    order = [FOOT_MOTION_POINTS.index(("right" if s == "left" else "left", p)) for s, p in FOOT_MOTION_POINTS]
    out = np.array(array, copy=True)
    out[frames] = array[frames][:, order]
    return out


def speed_ratio(velocity: np.ndarray, walking_speed: float) -> np.ndarray:
    """(T,) patch speed relative to the scenery (``velocity`` (T, 2) px/s) over the walking speed (px/s)."""
    return np.hypot(velocity[:, 0], velocity[:, 1]) / abs(walking_speed)


def median3(x: np.ndarray) -> np.ndarray:
    """(T,) running median of 3 (NaN-aware; the ends keep their own value): one wild patch match, a
    blurred or occluded frame, does not break a run of rest or fake a movement."""
    if len(x) < 3:
        return np.array(x, dtype=float, copy=True)
    stacked = np.vstack([np.r_[x[0], x[:-1]], x, np.r_[x[1:], x[-1]]])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmedian(stacked, axis=0)
    out[0], out[-1] = x[0], x[-1]
    return out


def _states(ratio: np.ndarray, peak: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rest, moving) per sample: rest is slow with a good peak; moving is fast, or a patch that changed
    (low peak: a swinging foot blurs and turns); a sample without a finite speed and peak is neither."""
    seen = np.isfinite(ratio) & np.isfinite(peak)
    good = seen & (peak >= MIN_PEAK)
    return good & (ratio < REST_FRACTION), seen & ((ratio > MOVING_FRACTION) | (peak < MIN_PEAK))


def _crossing(ratio: np.ndarray, peak: np.ndarray, j: int) -> float | None:
    """Sample time (frames) of the change between samples j-1 (not at rest) and j (at rest): where the
    speed crosses REST_FRACTION (samples stand at frame - 0.5); None unless both samples have a good
    peak and the speed falls between them."""
    a, b = ratio[j - 1], ratio[j]
    if min(peak[j - 1], peak[j]) >= MIN_PEAK and a > b:
        return float(j - 1.5 + np.clip((a - REST_FRACTION) / (a - b), 0.0, 1.0))
    return None


def rest_onset(index: float, ratio: np.ndarray, peak: np.ndarray, rate_hz: float) -> float | None:
    """Heel strike (sub-frame index) from the heel patch's ``ratio`` (T,) and ``peak`` (T,) near the
    kinematic ``index``: see the module docstring; None without a clear swing -> rest transition."""
    rest, moving = _states(ratio, peak)
    lo, hi = index - HS_BEFORE_S * rate_hz, index + HS_AFTER_S * rate_hz
    found, before = [], max(1, int(round(MOVING_S * rate_hz)))
    for start, _ in true_runs(rest, max(1, int(np.ceil(REST_S * rate_hz - 1e-9)))):
        if start >= 1 and moving[max(0, start - before):start].any():
            t = _crossing(ratio, peak, start)
            if t is not None and lo <= t <= hi:
                found.append(t)
    return max(found) if found else None


def pixel_contact(index: float, side: str, evidence: tuple[np.ndarray, np.ndarray], walking_speed: float,
                  rate_hz: float, landmark_speed: np.ndarray | None = None) -> float:
    """A heel strike of ``side`` at ``index`` (sub-frame) moved to its heel patch's ``rest_onset``;
    ``evidence``: the foot-patch velocity (T, 4, 2) px/s and peak (T, 4) over the same frames;
    ``walking_speed`` px/s; ``landmark_speed`` (T,) the landmark heel's speed over ground (px/s) or None.
    Unchanged without clear evidence (module docstring)."""
    velocity, peak = evidence
    if not (np.isfinite(walking_speed) and abs(walking_speed) > 0):
        return index
    k = point_column(side, "heel")
    found = rest_onset(index, median3(speed_ratio(velocity[:, k], walking_speed)), median3(peak[:, k]), rate_hz)
    if found is None:
        return index
    if landmark_speed is not None:
        at = float(np.interp(found, np.arange(len(landmark_speed)), landmark_speed))
        if not abs(at) <= LANDMARK_MAX_FRACTION * abs(walking_speed):
            return index
    return found
