"""Event candidates: Zeni extrema (heel/toe relative to the pelvis), the foot-velocity method and
the shank's rotation (ankle-only feet), with their sub-frame helpers. Indices are sub-frame sample
positions into the series they were found on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from core.runs import true_runs

# Physiological bounds for walking (healthy to severely pathological): stride time 0.4-3.0 s
# (cadence 40-300 steps/min); stance 40-85% of the stride (normal ~60%, slow pathological gait
# up to ~80%, below 40% would be running).
MIN_STRIDE_S, MAX_STRIDE_S = 0.4, 3.0
# Extrema smaller than this fraction of the signal's 5-95 percentile range are noise, not steps.
PEAK_PROMINENCE_FRACTION = 0.2
# Extrema near a recording's or bout's ends are searched on the signal extended by EDGE_PAD_S
# (``edge_padded``): about half the shortest stride, enough for one flank.
EDGE_PAD_S = 0.2
# A maximum whose outer flank the recording's end cuts short needs an outer descent (to the end) of
# at least EDGE_MIN_DROP_FRACTION of the signal's range (a maximum ~70 ms before the end of a 1.1 s
# stride; ~2 cm of heel or toe against ~0.6 m, far above filtered marker or landmark noise), and its
# inner flank the full prominence.
EDGE_MIN_DROP_FRACTION = 0.03
# Velocity method: a swing is a run of at least MIN_SWING_S (shortest swings ~0.25 s) where the foot
# moves faster than SWING_VELOCITY_FRACTION of its 95th-percentile forward speed over ground.
SWING_VELOCITY_FRACTION = 0.2
MIN_SWING_S = 0.15
# Feet without heel or toe (ankle-only keypoints, e.g. COCO-17): the ankle's Zeni minimum comes at
# heel off, well before toe off (docs/gait_accuracy.md, tables (e) and (f)). Toe off is then the
# shank's last backward-rotation trough before its mid-swing forward-rotation peak (Aminian et al.
# 2002, shank gyroscopes), searched at most SHANK_TO_SEARCH_S before the peak; a peak must reach
# SHANK_MIN_PEAK_RAD_S.
SHANK_TO_SEARCH_S = 0.5
SHANK_MIN_PEAK_RAD_S = 1.0


@dataclass(frozen=True)
class Candidate:
    """An event candidate: sub-frame index into the series, and a strength to rank duplicates; ``timing``
    "impact" for a heel strike timed at the heel's impact (``events_refine.heel_impact``)."""

    side: str
    event: str
    index: float
    strength: float
    timing: str = ""


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


def _edge_drops(padded: np.ndarray, pad: int, peak: int, left_base: int, right_base: int) -> list[tuple[float, float]]:
    """(inner, outer) drops of a maximum at ``peak`` of ``padded`` (the signal with ``pad`` samples of
    ``edge_padded`` at each end), once for each end of the signal that no sample between it and the
    peak exceeds: its descent towards the inside, and towards that end of the signal itself. Both
    ends are tried: a maximum near the start may also top every later sample."""
    first, last = pad, len(padded) - pad - 1
    x = padded[peak]
    out = []
    if peak < last and x > np.max(padded[peak + 1:last + 1]):
        out.append((x - np.min(padded[left_base:peak + 1]), x - np.min(padded[peak:last + 1])))
    if peak > first and x > np.max(padded[first:peak]):
        out.append((x - np.min(padded[peak:right_base + 1]), x - np.min(padded[first:peak + 1])))
    return out


def _extrema(signal: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(sub-frame positions, prominences) of the maxima of a step-periodic signal, including maxima
    near either end (found on the ``edge_padded`` signal; never at the first or last sample).

    A maximum near an end whose outer flank is cut short by the recording counts by its inner
    flank: that descent must reach the prominence a full maximum needs, its outer one
    EDGE_MIN_DROP_FRACTION of the signal's range (a real turn, not the end of a rise).
    """
    amplitude = np.percentile(signal, 95) - np.percentile(signal, 5)
    pad = int(np.ceil(EDGE_PAD_S * rate_hz))
    padded = edge_padded(signal, pad)
    pad = (len(padded) - len(signal)) // 2
    peaks, props = find_peaks(padded, prominence=0.0, distance=max(1, int(MIN_STRIDE_S * rate_hz)))
    level = PEAK_PROMINENCE_FRACTION * amplitude
    strength = np.where(props["prominences"] >= level, props["prominences"], np.nan)
    for k in np.flatnonzero(np.isnan(strength)):
        drops = _edge_drops(padded, pad, int(peaks[k]), int(props["left_bases"][k]), int(props["right_bases"][k]))
        inner = [d[0] for d in drops if d[0] >= level and d[1] >= EDGE_MIN_DROP_FRACTION * amplitude]
        if inner:
            strength[k] = max(inner)
    keep = np.isfinite(strength) & (peaks > pad) & (peaks < pad + len(signal) - 1)
    return np.array([parabolic_peak(signal, int(i) - pad) for i in peaks[keep]]), strength[keep]


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
    for start, end in true_runs(u > level):
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


def partial_step_contacts(found: list[Candidate], heel_speed: np.ndarray, toe_speed: np.ndarray, level: float,
                          min_gap: int, side: str) -> list[Candidate]:
    """Contacts of a step that the recording's end cuts before Zeni's extremum: after ``side``'s last
    toe off with no heel strike after it, the first time (sub-sample) the heel's forward speed over
    ground ``heel_speed`` (T,) falls through ``level`` (it landed); after its last heel strike with no
    toe off after it, the first time the toe's ``toe_speed`` rises through ``level`` (it launched).
    Searched from ``min_gap`` samples after that event. A real landing, not a wobble: the heel moved
    faster than twice ``level`` before it, stays below ``level`` to the end and gets below half of it;
    a real launch: the toe stays above ``level`` to the end and reaches twice it. Strength 0: such a
    contact loses to any full candidate."""
    mine = sorted((c for c in found if c.side == side), key=lambda c: c.index)
    if not mine or level <= 0:
        return []
    last = mine[-1]
    n = len(heel_speed)
    start = int(np.ceil(last.index)) + min_gap
    if start >= n - 2:
        return []
    if last.event == "toe_off":
        speed, rising, event = heel_speed[start:], False, "heel_strike"
    else:
        speed, rising, event = toe_speed[start:], True, "toe_off"
    at = crossings(speed, level, rising)
    if not len(at):
        return []
    k = int(np.ceil(at[0]))
    after = speed[k:]
    if rising:
        settled = np.all(after >= level) and np.max(after) >= 2.0 * level
    else:
        settled = np.all(after <= level) and np.min(after) <= 0.5 * level
    swung = rising or np.nanmax(speed[:k + 1]) >= 2.0 * level
    return [Candidate(side, event, float(start + at[0]), 0.0)] if settled and swung else []


def first_step_heel_strike(found: list[Candidate], heel_speed: np.ndarray, level: float, min_gap: int,
                           side: str, impact: float | None = None) -> list[Candidate]:
    """A heel strike that the recording's start cuts after Zeni's extremum (the heel's forward maximum
    came before the first sample), when ``side``'s first event is a toe off: at ``impact`` (sub-sample,
    the heel's impact found from the start by the caller) if that is ``min_gap`` samples or more before
    the toe off; else when the heel's forward speed over ground ``heel_speed`` (T,) falls through
    ``level`` (it landed) that long before it. A real landing, as in ``partial_step_contacts``: from the
    first sample to there the heel moves faster than ``level`` and reaches twice it (a swing), then stays
    below ``level`` for ``min_gap`` samples and gets below half of it. Strength 0."""
    mine = sorted((c for c in found if c.side == side), key=lambda c: c.index)
    if not mine or level <= 0 or mine[0].event != "toe_off":
        return []
    stop = int(np.floor(mine[0].index)) - min_gap
    if impact is not None and impact <= stop:
        return [Candidate(side, "heel_strike", float(impact), 0.0, "impact")]
    if stop < 2:
        return []
    at = crossings(heel_speed[:stop + 1], level, rising=False)
    if len(at) != 1:
        return []
    k = int(np.ceil(at[0]))
    swung = np.all(heel_speed[:k] >= level) and np.max(heel_speed[:k]) >= 2.0 * level
    after = heel_speed[k:k + min_gap]
    settled = np.all(after <= level) and np.min(after) <= 0.5 * level
    return [Candidate(side, "heel_strike", float(at[0]), 0.0)] if swung and settled else []
