"""Heel strike (HS) and toe off (TO) detection on a preprocessed, uniformly sampled series.

Methods (``method`` argument):
- ``zeni``: coordinate method of Zeni et al. (2008): HS at maxima of the heel position relative to
  the pelvis along the walking direction, TO at minima of the toe position relative to the pelvis.
  Works unchanged on a treadmill (the pelvis is the reference, not the lab).
- ``velocity``: foot velocity relative to the ground along the walking direction (the ground
  velocity is the slower foot's median velocity: 0 overground, minus the belt speed on a
  treadmill). TO when the toe speeds up through SWING_VELOCITY_FRACTION of its swing peak,
  HS when the heel slows down through it.
- ``auto`` (reported as ``zeni_refined``): Zeni finds one candidate per stride (robust), then each
  is moved within the near-extremum region of Zeni's signal (where the signal stays within
  REGION_FRACTION of the extremum, i.e. where Zeni's timing is uncertain) to a contact criterion:
  HS at the heel's lowest point (the end of its descent = contact), or, when that point is at the
  region's edge and the heel is still airborne at Zeni's time, when the heel's speed over ground
  falls through half the walking speed; TO at the toe's launch (peak upward acceleration) when the
  toe really lifts, else when the toe's speed over ground reaches half the walking speed; a foot
  seen only at its ankle takes TO from the shank's rotation instead (``shank_toe_offs``). Zeni's
  extrema are when heel/toe move as fast as the pelvis, which lags
  contact on slow, shuffling or asymmetric gait and lags toe off for toe-tip landmarks (video).
  See docs/gait_accuracy.md for the measurements behind this choice. On pixel (pose-model) data
  both are taken from foot speed over ground instead (``core.gait.contact``): a pose model's foot
  heights settle late and scatter, its forward positions do not.
Every candidate gets a sub-frame time (parabolic peak or linear crossing interpolation) and passes
the consistency checks of ``check_consistency``; rejected candidates are returned with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from core.constants import LEG_LANDMARKS
from core.errors import InsufficientDataError
from core.gait.contact import heel_rest, toe_off_over_ground
from core.gait.direction import (
    ankle_only_sides, bout_direction, foot_points, leg_length, pelvis_position, present_sides,
)
from core.gait.edge_extrema import edge_maxima
from core.gait.preprocessing import valid_segments
from core.types import GaitEvent, KeypointSeries

METHODS = ("auto", "zeni", "velocity")
# Physiological bounds for walking (healthy to severely pathological): stride time 0.4-3.0 s
# (cadence 40-300 steps/min); stance 40-85% of the stride (normal ~60%, slow pathological gait
# up to ~80%, below 40% would be running).
MIN_STRIDE_S, MAX_STRIDE_S = 0.4, 3.0
MIN_STANCE_FRACTION, MAX_STANCE_FRACTION = 0.40, 0.85
# Extrema smaller than this fraction of the signal's 5-95 percentile range are noise, not steps.
PEAK_PROMINENCE_FRACTION = 0.2
# Extrema near a recording's or bout's ends are searched on the signal extended by EDGE_PAD_S
# (``edge_padded``): about half the shortest stride, enough for one flank.
EDGE_PAD_S = 0.2
# Refinement searches the near-extremum region of Zeni's signal: samples within REGION_FRACTION of
# the signal's range of the extremum (a flat extremum is an uncertain one), at most REGION_MAX_S away.
REGION_FRACTION = 0.1
REGION_MAX_S = 0.25
# A heel more than HEEL_AIRBORNE_LEG leg lengths (~13 mm) above its lowest height of the next
# REGION_MAX_S at Zeni's HS has not landed yet (flat or gliding landing; pose landmarks that keep
# sinking after contact): HS is then where, within the near-extremum region, the heel stops over the
# ground (its forward speed over ground falls through FOOT_SPEED_FRACTION of the walking speed). A
# heel already down at Zeni's time keeps Zeni: the PD trial's gliding left heel is ~6 mm up at
# contact, ~5 mm at Zeni's time, and slows only 75 ms later; 1% of leg length let 1.5 px of noise
# (~3 mm) trip it (table (b) of docs/gait_accuracy.md), 2% lost most of the gain on shuffling
# heels (~1.5% up at Zeni's time).
HEEL_AIRBORNE_LEG = 0.015
# The toe's launch is only trusted when the toe then rises by 2% of leg length (~2 cm) within
# TOE_LIFT_S. Shuffling feet barely lift; then the toe's speed over ground decides: toe off when
# the toe speeds up through half the walking speed.
MIN_TOE_LIFT_LEG = 0.02
TOE_LIFT_S = 0.15
FOOT_SPEED_FRACTION = 0.5
# Pixel (pose-model) data takes contacts from foot speed over ground (``core.gait.contact``): heel
# strike where the heel slows through FOOT_SPEED_FRACTION of the walking speed, toe off where the toe
# speeds up through TOE_SPEED_FRACTION_PX of it (closer to rest: the toe accelerates fast), and
# not before the heel speeds up through HEEL_SPEED_FRACTION_AT_TO_PX of it (a pose model's toe creeps
# forward while the heel rises; measured on phone-look sweep landmarks, docs/gait_accuracy.md (l)).
TOE_SPEED_FRACTION_PX = 0.4
HEEL_SPEED_FRACTION_AT_TO_PX = 0.8
# Velocity method: a swing is a run of at least MIN_SWING_S (shortest swings ~0.25 s) where the foot
# moves faster than SWING_VELOCITY_FRACTION of its 95th-percentile forward speed over ground.
SWING_VELOCITY_FRACTION = 0.2
MIN_SWING_S = 0.15
# Finite runs shorter than about half a stride cannot hold an extremum with both flanks.
MIN_RUN_S = 0.5
# Feet without heel or toe (ankle-only keypoints, e.g. COCO-17): the ankle's Zeni minimum comes at
# heel off, well before toe off (docs/gait_accuracy.md, tables (e) and (f)). Toe off is then the
# shank's last backward-rotation trough before its mid-swing forward-rotation peak (Aminian et al.
# 2002, shank gyroscopes), searched at most SHANK_TO_SEARCH_S before the peak; a peak must reach
# SHANK_MIN_PEAK_RAD_S.
SHANK_TO_SEARCH_S = 0.5
SHANK_MIN_PEAK_RAD_S = 1.0


@dataclass(frozen=True)
class EventDetection:
    """Accepted events (sorted by time), rejected candidates with reasons, and the method used."""

    events: list[GaitEvent]
    rejected: list[tuple[GaitEvent, str]]
    method: str


@dataclass(frozen=True)
class Candidate:
    """An event candidate: sub-frame index into the series, and a strength to rank duplicates."""

    side: str
    event: str
    index: float
    strength: float


def parabolic_peak(y: np.ndarray, i: int) -> float:
    """Sub-sample position of the extremum of y near integer index i (3-point parabola)."""
    if i <= 0 or i >= len(y) - 1:
        return float(i)
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    denom = y0 - 2.0 * y1 + y2
    if denom == 0 or not np.isfinite(denom):
        return float(i)
    return float(i + np.clip(0.5 * (y0 - y2) / denom, -0.5, 0.5))


def crossings(y: np.ndarray, level: float, rising: bool) -> np.ndarray:
    """Sub-sample positions where y crosses ``level`` upwards (``rising``) or downwards."""
    s = y - level if rising else level - y
    i = np.flatnonzero((s[:-1] < 0) & (s[1:] >= 0))
    return i + (-s[i]) / (s[i + 1] - s[i])


def edge_padded(signal: np.ndarray, pad: int) -> np.ndarray:
    """``signal`` (T,) extended by ``pad`` samples at each end by point reflection about its end
    samples (2 x[0] - x[k]): the trend at an end continues, so an extremum a few samples inside an
    end gets a flank on its outer side (a recording that starts or ends mid-step)."""
    pad = min(pad, len(signal) - 1)
    if pad <= 0:
        return signal
    head = 2.0 * signal[0] - signal[pad:0:-1]
    tail = 2.0 * signal[-1] - signal[-2:-pad - 2:-1]
    return np.concatenate([head, signal, tail])


def _extrema(signal: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(sub-frame positions, prominences) of the maxima of a step-periodic signal, including maxima
    near either end (found on the ``edge_padded`` signal, or by their inward depth alone:
    ``core.gait.edge_extrema.edge_maxima``; never at the first or last sample)."""
    amplitude = np.percentile(signal, 95) - np.percentile(signal, 5)
    pad = int(np.ceil(EDGE_PAD_S * rate_hz))
    padded = edge_padded(signal, pad)
    pad = (len(padded) - len(signal)) // 2
    peaks, props = find_peaks(
        padded, prominence=PEAK_PROMINENCE_FRACTION * amplitude, distance=max(1, int(MIN_STRIDE_S * rate_hz))
    )
    inside = (peaks > pad) & (peaks < pad + len(signal) - 1)
    found, prominences = peaks[inside] - pad, list(props["prominences"][inside])
    extra = edge_maxima(signal, pad, PEAK_PROMINENCE_FRACTION * amplitude, max(1, int(MIN_STRIDE_S * rate_hz)), found)
    indices = list(found) + [i for i, _ in extra]
    return (np.array([parabolic_peak(signal, int(i)) for i in indices]),
            np.array(prominences + [depth for _, depth in extra]))


def zeni_candidates(heel_fwd: np.ndarray, toe_fwd: np.ndarray, side: str, rate_hz: float) -> list[Candidate]:
    """Zeni HS/TO from heel and toe positions relative to the pelvis along the walking direction (T,)."""
    hs, hs_strength = _extrema(heel_fwd, rate_hz)
    to, to_strength = _extrema(-toe_fwd, rate_hz)
    return [Candidate(side, "heel_strike", float(i), float(p)) for i, p in zip(hs, hs_strength)] + [
        Candidate(side, "toe_off", float(i), float(p)) for i, p in zip(to, to_strength)
    ]


def extremum_region(signal: np.ndarray, index: float, fraction: float, max_samples: int) -> tuple[int, int]:
    """[lo, hi] samples around ``index`` whose value stays within ``fraction`` of the signal's
    5-95 percentile range of the value at ``index`` (how flat the extremum is), at most ``max_samples`` away."""
    i = int(np.clip(round(index), 0, len(signal) - 1))
    tolerance = fraction * (np.percentile(signal, 95) - np.percentile(signal, 5))
    near = np.abs(signal - signal[i]) <= tolerance
    lo, hi = i, i
    while lo > max(0, i - max_samples) and near[lo - 1]:
        lo -= 1
    while hi < min(len(signal) - 1, i + max_samples) and near[hi + 1]:
        hi += 1
    return lo, hi


def heel_stop(heel_speed: np.ndarray, start: int, stop: int, walking_speed: float) -> float | None:
    """First time in [start, stop] that the heel's forward speed over ground ``heel_speed`` (T,)
    falls through FOOT_SPEED_FRACTION of ``walking_speed`` (same units; sub-frame); None if never."""
    found = crossings(heel_speed[start:stop + 1], FOOT_SPEED_FRACTION * walking_speed, rising=False)
    return float(start + found[0]) if len(found) else None


def refine_heel_strike(index: float, heel_height: np.ndarray, region: tuple[int, int],
                       heel_speed: np.ndarray | None = None, walking_speed: float = 0.0,
                       landing_samples: int = 0, airborne: float = 0.0) -> float:
    """The end of the heel's descent: its lowest point strictly inside ``region`` (sub-frame parabola).

    When that lowest point is at an edge and the heel at ``index`` is still more than ``airborne``
    (height units) above its lowest height within ``landing_samples`` after ``index``, the heel
    lands later: ``heel_stop`` within ``region``. Otherwise (or without a stop there) ``index``.
    """
    lo, hi = region
    low = lo + int(np.argmin(heel_height[lo:hi + 1]))
    if lo < low < hi:
        return parabolic_peak(-heel_height, low)
    if heel_speed is None or landing_samples <= 0:
        return index
    i = int(np.clip(round(index), 0, len(heel_height) - 1))
    stop = min(len(heel_height) - 1, i + landing_samples)
    if not heel_height[i] - np.min(heel_height[i:stop + 1]) > airborne:
        return index
    found = heel_stop(heel_speed, lo, hi, walking_speed)
    return index if found is None else found


def refine_toe_off(
    index: float, toe_height: np.ndarray, toe_speed: np.ndarray, walking_speed: float, min_lift: float,
    region: tuple[int, int], lift_samples: int,
) -> float:
    """Toe off in ``region``: the toe's launch (peak upward acceleration) when the toe then rises by
    ``min_lift`` within ``lift_samples``; otherwise the last time before ``index`` that the toe's
    forward speed over ground (``toe_speed``) rose through FOOT_SPEED_FRACTION of ``walking_speed``."""
    lo, hi = region
    accel = np.gradient(np.gradient(toe_height))
    launch = lo + int(np.argmax(accel[lo:hi + 1]))
    rise = np.max(toe_height[launch:launch + lift_samples + 1]) - np.min(toe_height[lo:hi + 1])
    if rise >= min_lift:
        return parabolic_peak(accel, launch)
    found = lo + crossings(toe_speed[lo:hi + 1], FOOT_SPEED_FRACTION * walking_speed, rising=True)
    found = found[found <= index]
    return float(found[-1]) if len(found) else index


def shank_toe_offs(knee: np.ndarray, ankle: np.ndarray, forward: np.ndarray, side: str, rate_hz: float
                   ) -> list[Candidate]:
    """TO candidates from the sagittal shank angular velocity (knee, ankle: (T, 3)); see
    SHANK_TO_SEARCH_S. The shank angle is positive with the ankle ahead of the knee."""
    shank = ankle - knee
    omega = np.gradient(np.unwrap(np.arctan2(shank @ forward, -shank[:, 1]))) * rate_hz
    peaks, _ = find_peaks(omega, height=SHANK_MIN_PEAK_RAD_S, distance=max(1, int(MIN_STRIDE_S * rate_hz)))
    out = []
    search = int(np.ceil(SHANK_TO_SEARCH_S * rate_hz))
    for peak in peaks:
        lo = max(0, peak - search)
        troughs, _ = find_peaks(-omega[lo:peak + 1])
        if len(troughs):
            i = lo + int(troughs[-1])
            out.append(Candidate(side, "toe_off", parabolic_peak(-omega, i), float(omega[peak] - omega[i])))
    return out


def _runs_above(u: np.ndarray, level: float, min_samples: int) -> list[tuple[float, float, float]]:
    """(start, end, peak) of runs where u > level, with sub-frame ends (NaN when a run touches an edge)."""
    out = []
    for start, end in valid_segments(u > level):
        if end - start < min_samples:
            continue
        t0 = start - 1 + (level - u[start - 1]) / (u[start] - u[start - 1]) if start > 0 else np.nan
        t1 = end - 1 + (u[end - 1] - level) / (u[end - 1] - u[end]) if end < len(u) else np.nan
        out.append((float(t0), float(t1), float(np.max(u[start:end]))))
    return out


def velocity_candidates(heel_u: np.ndarray, toe_u: np.ndarray, side: str, rate_hz: float) -> list[Candidate]:
    """HS/TO from heel and toe forward velocity relative to the ground (T,), any unit/s."""
    min_samples = max(2, int(MIN_SWING_S * rate_hz))
    out = []
    for u, event, edge in ((toe_u, "toe_off", 0), (heel_u, "heel_strike", 1)):
        level = SWING_VELOCITY_FRACTION * np.percentile(u, 95)
        for run in _runs_above(u, level, min_samples):
            if np.isfinite(run[edge]):
                out.append(Candidate(side, event, run[edge], run[2]))
    return out


def ground_velocity(forward_velocities: list[np.ndarray]) -> float:
    """Ground (belt) velocity along the walking direction: the slower foot is the one on the ground."""
    if len(forward_velocities) >= 2:
        return float(np.nanmedian(np.nanmin(np.vstack(forward_velocities), axis=0)))
    return float(np.nanpercentile(forward_velocities[0], 30))


def _reject_weaker(group: list[Candidate], reason: str) -> tuple[Candidate, list[tuple[Candidate, str]]]:
    """Keep the strongest candidate of ``group``; the others are rejected with ``reason``."""
    best = max(group, key=lambda c: c.strength)
    return best, [(c, reason) for c in group if c is not best]


def _drop_close_duplicates(cands: list[Candidate], rate_hz: float) -> tuple[list[Candidate], list]:
    """Same side and type closer than the minimum stride time: keep the stronger."""
    kept, rejected = [], []
    for c in sorted(cands, key=lambda c: c.index):
        prev = next((k for k in reversed(kept) if k.side == c.side and k.event == c.event), None)
        if prev is not None and (c.index - prev.index) / rate_hz < MIN_STRIDE_S:
            gap_s = (c.index - prev.index) / rate_hz
            best, lost = _reject_weaker([prev, c], f"{gap_s:.2f} s after another {c.side} {c.event} "
                                        f"(minimum stride {MIN_STRIDE_S} s); weaker candidate")
            kept.remove(prev)
            kept.append(best)
            rejected += lost
        else:
            kept.append(c)
    return kept, rejected


def _drop_extras_between(cands: list[Candidate], rate_hz: float, event: str, inside_side: bool) -> tuple[list, list]:
    """Within each stride (consecutive same-side HS, or TO for ``event`` toe_off) allow one ``event``.

    ``inside_side`` False checks the contralateral side's ``event`` (left/right alternation),
    True the same side's (HS -> TO -> HS order; only used with event toe_off and HS strides).
    """
    rejected: list = []
    for side in ("left", "right"):
        other = side if inside_side else ("right" if side == "left" else "left")
        ref_event = "heel_strike" if inside_side else event
        refs = sorted(c.index for c in cands if c.side == side and c.event == ref_event)
        for a, b in zip(refs[:-1], refs[1:]):
            if (b - a) / rate_hz > MAX_STRIDE_S:
                continue
            group = [c for c in cands if c.side == other and c.event == event and a < c.index < b]
            if len(group) > 1:
                where = "the same" if inside_side else f"one {side}"
                best, lost = _reject_weaker(group, f"{len(group)} {other} {event}s within {where} stride; weaker candidate")
                rejected += lost
                cands = [c for c in cands if all(c is not r for r, _ in lost)]
    return cands, rejected


def _drop_bad_stance(cands: list[Candidate], rate_hz: float) -> tuple[list, list]:
    """Reject a TO whose stance (HS -> TO) is outside the physiological fraction of its stride."""
    rejected = []
    for side in ("left", "right"):
        hs = sorted(c.index for c in cands if c.side == side and c.event == "heel_strike")
        for a, b in zip(hs[:-1], hs[1:]):
            if (b - a) / rate_hz > MAX_STRIDE_S:
                continue
            for c in [c for c in cands if c.side == side and c.event == "toe_off" and a < c.index < b]:
                fraction = (c.index - a) / (b - a)
                if not MIN_STANCE_FRACTION <= fraction <= MAX_STANCE_FRACTION:
                    rejected.append((c, f"stance {100 * fraction:.0f}% of stride outside "
                                        f"{100 * MIN_STANCE_FRACTION:.0f}-{100 * MAX_STANCE_FRACTION:.0f}%"))
    lost = [r for r, _ in rejected]
    return [c for c in cands if all(c is not r for r in lost)], rejected


def check_consistency(cands: list[Candidate], rate_hz: float) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """Apply the physiological checks in order; returns (kept sorted by time, rejected with reasons)."""
    kept, rejected = _drop_close_duplicates(cands, rate_hz)
    for event, inside in (("heel_strike", False), ("toe_off", False), ("toe_off", True)):
        kept, lost = _drop_extras_between(kept, rate_hz, event, inside)
        rejected += lost
    kept, lost = _drop_bad_stance(kept, rate_hz)
    return sorted(kept, key=lambda c: c.index), rejected + lost


@dataclass(frozen=True)
class BoutContext:
    """Per-bout constants: sample rate, ground and walking speed along ``forward`` (units/s), leg length."""

    rate_hz: float
    forward: np.ndarray
    v_ground: float
    walking_speed: float
    leg_length: float
    speed_contacts: bool = False


def _speed_over_ground(points: np.ndarray, ctx: BoutContext) -> np.ndarray:
    """(T,) forward velocity over the ground (units/s) of points (T, 3)."""
    return np.gradient(points @ ctx.forward) * ctx.rate_hz - ctx.v_ground


def _speed_contact(c: Candidate, heel_speed: np.ndarray, toe_speed: np.ndarray, ctx: BoutContext) -> float | None:
    """Pixel (pose-model) data: the contact time from foot speed over ground (``core.gait.contact``)."""
    if not ctx.speed_contacts:
        return None
    level, window = FOOT_SPEED_FRACTION * ctx.walking_speed, int(np.ceil(REGION_MAX_S * ctx.rate_hz))
    if c.event == "heel_strike":
        return heel_rest(c.index, heel_speed, level, window)
    return toe_off_over_ground(c.index, toe_speed, heel_speed, TOE_SPEED_FRACTION_PX * ctx.walking_speed,
                               HEEL_SPEED_FRACTION_AT_TO_PX * ctx.walking_speed, window)


def _refined(found: list[Candidate], p: np.ndarray, h: np.ndarray, t: np.ndarray, ctx: BoutContext) -> list[Candidate]:
    """Zeni candidates moved to the heel's contact (HS) or the toe's launch (TO) near their extremum."""
    max_samples = int(np.ceil(REGION_MAX_S * ctx.rate_hz))
    heel_fwd, toe_fwd = (h - p) @ ctx.forward, (t - p) @ ctx.forward
    toe_speed, heel_speed = _speed_over_ground(t, ctx), _speed_over_ground(h, ctx)
    out = []
    for c in found:
        index = _speed_contact(c, heel_speed, toe_speed, ctx)
        if index is None and c.event == "heel_strike":
            region = extremum_region(heel_fwd, c.index, REGION_FRACTION, max_samples)
            index = refine_heel_strike(c.index, h[:, 1], region, heel_speed, ctx.walking_speed, max_samples,
                                       HEEL_AIRBORNE_LEG * ctx.leg_length)
        elif index is None:
            region = extremum_region(toe_fwd, c.index, REGION_FRACTION, max_samples)
            index = refine_toe_off(c.index, t[:, 1], toe_speed, ctx.walking_speed, MIN_TOE_LIFT_LEG * ctx.leg_length,
                                   region, int(np.ceil(TOE_LIFT_S * ctx.rate_hz)))
        out.append(Candidate(c.side, c.event, index, c.strength))
    return out


def _side_candidates(positions: np.ndarray, side: str, method: str, ctx: BoutContext) -> list[Candidate]:
    """Candidates of one side in one bout (indices relative to the bout), per finite run."""
    pelvis = pelvis_position(positions)
    heel, toe = foot_points(positions, side)
    knee = positions[:, LEG_LANDMARKS[side]["knee"]]
    ankle_only = side in ankle_only_sides(positions) and np.isfinite(knee).any()
    valid = np.isfinite(pelvis).all(axis=1) & np.isfinite(heel).all(axis=1) & np.isfinite(toe).all(axis=1)
    if ankle_only:
        valid &= np.isfinite(knee).all(axis=1)
    out = []
    for start, end in valid_segments(valid):
        if end - start < MIN_RUN_S * ctx.rate_hz:
            continue
        p, h, t = pelvis[start:end], heel[start:end], toe[start:end]
        if method == "velocity":
            found = velocity_candidates(_speed_over_ground(h, ctx), _speed_over_ground(t, ctx), side, ctx.rate_hz)
        else:
            found = zeni_candidates((h - p) @ ctx.forward, (t - p) @ ctx.forward, side, ctx.rate_hz)
        if method == "auto":
            found = _refined(found, p, h, t, ctx)
            if ankle_only:
                found = [c for c in found if c.event != "toe_off"]
                found += shank_toe_offs(knee[start:end], h, ctx.forward, side, ctx.rate_hz)
        out += [Candidate(c.side, c.event, c.index + start, c.strength) for c in found]
    return out


def _bout_context(positions: np.ndarray, forward: np.ndarray, rate_hz: float, speed_contacts: bool = False
                  ) -> BoutContext:
    sides = present_sides(positions)
    heel_v = [np.gradient(foot_points(positions, s)[0] @ forward) * rate_hz for s in sides]
    v_ground = ground_velocity(heel_v) if sides else 0.0
    pelvis_v = np.gradient(pelvis_position(positions) @ forward) * rate_hz
    walking = float(np.nanmedian(pelvis_v)) - v_ground if np.isfinite(pelvis_v).any() else 0.0
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        scale = float("nan")
    return BoutContext(rate_hz, forward, v_ground, walking, scale, speed_contacts)


def _to_event(c: Candidate, offset: int, time_s: np.ndarray) -> GaitEvent:
    index = c.index + offset
    frame = int(np.clip(round(index), 0, len(time_s) - 1))
    return GaitEvent(c.side, c.event, frame, float(np.interp(index, np.arange(len(time_s)), time_s)))


def detect_events(
    series: KeypointSeries, forward: np.ndarray, method: str = "auto", bouts: list[tuple[int, int]] | None = None
) -> EventDetection:
    """Detect HS/TO per side within each bout ([start, end) frames; default: the whole series).

    ``forward`` is the horizontal walking direction (3,) from ``progression_direction``. A bout
    whose own direction clearly differs (e.g. the walk back after a turn) uses its own direction.
    """
    if method not in METHODS:
        raise ValueError(f"unknown event method {method!r}; choose one of {', '.join(METHODS)}")
    forward = np.array([forward[0], 0.0, forward[2]], dtype=float)
    forward /= np.linalg.norm(forward)
    rate_hz = series.rate_hz
    events: list[GaitEvent] = []
    rejected: list[tuple[GaitEvent, str]] = []
    for start, end in bouts if bouts is not None else [(0, series.n_frames)]:
        positions = series.positions[start:end]
        if end - start < 3:
            continue
        ctx = _bout_context(positions, bout_direction(positions, forward), rate_hz, series.units == "px")
        cands = [c for s in present_sides(positions) for c in _side_candidates(positions, s, method, ctx)]
        kept, lost = check_consistency(cands, rate_hz)
        events += [_to_event(c, start, series.time_s) for c in kept]
        rejected += [(_to_event(c, start, series.time_s), reason) for c, reason in lost]
    events.sort(key=lambda e: (e.time_s, e.side, e.event))
    return EventDetection(events, rejected, "zeni_refined" if method == "auto" else method)
