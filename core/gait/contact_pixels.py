"""Contact timing from pixel evidence: a foot patch at rest against the scenery (video only).

``core.pose.foot_motion`` measures, per frame, the image shift of a small patch at each heel and toe
relative to the scenery; ``core.series`` turns it into a velocity (``FOOT_VELOCITY_META``, (T, 4, 2)
px/s) with the correlation peak (``FOOT_PEAK_META``, (T, 4)), in the order of
``core.constants.FOOT_MOTION_POINTS``. A foot on the ground moves with the scenery: its patch's speed
is near 0 and its peak high. The sample at frame t covers the interval (t-1, t), so it stands at
t - 0.5.

A heel strike is moved to the onset of rest of that foot's heel patch: the first sample of a run of
at least ``REST_SAMPLES`` rest samples (speed below ``REST_FRACTION`` of the walking speed, peak at
least ``MIN_PEAK``) that comes straight after a moving sample (above ``MOVING_FRACTION``, peak at
least ``MIN_PEAK``), searched from ``HS_BEFORE_S`` before to ``HS_AFTER_S`` after the kinematic event;
of several, the one nearest to it. A toe off is moved to the end of rest of the toe patch: the last
sample of such a rest run followed straight away by a sample that moves or loses its peak, within
``TO_AROUND_S`` of the kinematic event. The time is where the speed crosses ``REST_FRACTION`` between
the two samples (or their midpoint when one has a low peak). Without such a clear transition the
kinematic time is kept, so a static patch in a blank floor, a foot lost by the pose model or a patch
that the floor's texture dominates all leave the landmark events as they were.
"""

from __future__ import annotations

import warnings

import numpy as np

from core.constants import FOOT_MOTION_POINTS

FOOT_VELOCITY_META = "foot_velocity_px_s"
FOOT_PEAK_META = "foot_patch_peak"
REST_FRACTION = 0.65
MOVING_FRACTION = 0.9
MIN_PEAK = 0.5
REST_SAMPLES = 5
MOVING_SAMPLES = 2
HS_BEFORE_S = 0.25
HS_AFTER_S = 0.08
TO_AROUND_S = 0.15


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


def _rest_runs(rest: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) runs of rest at least REST_SAMPLES long."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rest.astype(int), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= REST_SAMPLES]


def _crossing(ratio: np.ndarray, peak: np.ndarray, j: int) -> float | None:
    """Sample time (frames) where the speed crosses REST_FRACTION between samples j-1 and j when both
    have a good peak and j-1 moves fast (samples stand at their frame - 0.5); None otherwise."""
    a, b = ratio[j - 1], ratio[j]
    if min(peak[j - 1], peak[j]) >= MIN_PEAK and a > MOVING_FRACTION and b < REST_FRACTION:
        return float(j - 1.5 + (a - REST_FRACTION) / (a - b))
    return None


def rest_onset(index: float, ratio: np.ndarray, peak: np.ndarray, rate_hz: float) -> float | None:
    """Heel strike (sub-frame index) from the heel patch's ``ratio`` (T,) and ``peak`` (T,) near the
    kinematic ``index``: see the module docstring; None without a clear swing -> rest transition."""
    rest, moving = _states(ratio, peak)
    lo, hi = index - HS_BEFORE_S * rate_hz, index + HS_AFTER_S * rate_hz
    found = []
    for start, _ in _rest_runs(rest):
        if start >= MOVING_SAMPLES and moving[start - MOVING_SAMPLES:start].all():
            t = _crossing(ratio, peak, start)
            if t is not None and lo <= t <= hi:
                found.append(t)
    return max(found) if found else None


def rest_end(index: float, ratio: np.ndarray, peak: np.ndarray, rate_hz: float) -> float | None:
    """Toe off (sub-frame index) from the toe patch's ``ratio`` and ``peak`` (T,) near the kinematic
    ``index``: see the module docstring; None without a clear rest -> leaving transition."""
    rest, moving = _states(ratio, peak)
    lo, hi = index - TO_AROUND_S * rate_hz, index + TO_AROUND_S * rate_hz
    found = []
    for _, end in _rest_runs(rest):
        if end + MOVING_SAMPLES <= len(rest) and moving[end:end + MOVING_SAMPLES].all():
            t = _crossing(ratio[::-1], peak[::-1], len(rest) - end)
            t = None if t is None else len(rest) - 2 - t
            if t is not None and lo <= t <= hi:
                found.append(t)
    return min(found) if found else None


def pixel_contact(event: str, index: float, side: str, evidence: tuple[np.ndarray, np.ndarray],
                  walking_speed: float, rate_hz: float) -> float:
    """``index`` (sub-frame) moved to the pixel evidence of ``event`` ("heel_strike": the heel patch's
    ``rest_onset``; "toe_off": the toe patch's ``rest_end``) of ``side``; ``evidence``: the foot-patch
    velocity (T, 4, 2) px/s and peak (T, 4) over the same frames; unchanged without clear evidence."""
    velocity, peak = evidence
    if not (np.isfinite(walking_speed) and abs(walking_speed) > 0):
        return index
    heel = event == "heel_strike"
    k = point_column(side, "heel" if heel else "toe")
    ratio = speed_ratio(velocity[:, k], walking_speed)
    found = (rest_onset if heel else rest_end)(index, median3(ratio), median3(peak[:, k]), rate_hz)
    return index if found is None else found
