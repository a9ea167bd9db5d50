"""Cadence: one definition for the pipeline (``gait_parameters.json``) and ``scripts/evaluate_events.py``.

    cadence (steps/min) = 120 / mean stride time, the mean of the per-side mean stride times (s)

A stride holds one step of each side whatever the asymmetry, so a spurious or mislabelled heel strike,
which corrupts two steps, leaves the other side's strides intact; averaging each side first keeps
unequal stride counts from biasing an asymmetric gait. When the accepted strides span less walking
time than the accepted steps (a short clip: one stride against four steps), or there is no stride:
120 / (mean left step time + mean right step time), or 60 / mean step time of one side. Steps and strides are those accepted inside
a walking bout (see ``core.gait.parameters``); the pipeline also drops steps too short in length,
which needs positions, so from an events file alone those steps are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.constants import SIDES
from core.types import GaitEvent


def cadence_from_times(
    step_times_s: dict[str, Sequence[float]], stride_times_s: dict[str, Sequence[float]]
) -> float | None:
    """Steps/min from accepted step and stride times per side (``{"left": [...], "right": [...]}``,
    seconds), by the definition above; None without any."""
    by_side = [float(np.mean(stride_times_s[side])) for side in SIDES if len(stride_times_s.get(side, ()))]
    steps = [list(step_times_s.get(side, ())) for side in SIDES]
    stride_span_s = sum(float(np.sum(stride_times_s.get(side, ()))) for side in SIDES)
    if by_side and stride_span_s >= float(np.sum(steps[0] + steps[1])):
        return 120.0 / float(np.mean(by_side))
    if all(steps):
        return 120.0 / float(sum(np.mean(times) for times in steps))
    flat = steps[0] + steps[1]
    if flat:
        return 60.0 / float(np.mean(flat))
    return 120.0 / float(np.mean(by_side)) if by_side else None


def cadence_steps_per_min(events: list[GaitEvent], bouts: list[tuple[int, int]] | None = None) -> float | None:
    """Cadence of an event list (e.g. an ``events.csv``) by the definition above; ``bouts``: frame
    ranges [start, end) of the walking bouts (None: one bout)."""
    from core.gait.strides import drop_inconsistent, find_steps, find_strides, timing_only_heels

    if not events:
        return None
    no_heels = timing_only_heels(events)
    steps, _ = drop_inconsistent(find_steps(events, bouts, no_heels)[0], "step", bouts)
    strides, _ = drop_inconsistent(find_strides(events, bouts, no_heels)[0], "stride", bouts)
    return cadence_from_times(*times_by_side(steps, strides))


def times_by_side(steps: list, strides: list) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Step and stride times (s) per side of ``Step``/``Stride`` records."""
    return ({side: [s.step_time_s for s in steps if s.side == side] for side in SIDES},
            {side: [s.stride_time_s for s in strides if s.side == side] for side in SIDES})


# Independent cadence from the legs' periodicity (no events): the forward distance between the two
# feet, |d| with d = left foot - right foot (foot = mean of heel and toe), peaks once per step
# whatever the leg labels (a pose model's left/right swaps leave |d| intact), and d itself once per
# stride. The pooled autocorrelation of |d| over the walking bouts peaks at the step lag (symmetric
# gait) and at the stride lag (always). P = the first autocorrelation peak of |d| between
# PERIOD_MIN_LAG_S and PERIOD_MAX_LAG_S that reaches PERIOD_PEAK_FRACTION of the highest there. P is
# a stride when the autocorrelation of |d| has a peak (a local maximum) between STEP_LAG_RANGE x P (a
# step lag: |d| peaks once per step, evenly or not); when P is a step, that range is about half a
# step, where |d| is in antiphase (negative), and the stride is the peak near 2 P. The test needs no
# leg labels (d's own autocorrelation, which label swaps corrupt, failed on a normal walk).
STEP_LAG_RANGE = (0.3, 0.7)
# ... a peak above STEP_LAG_MARGIN: a step's antiphase that only grazes zero at the range's edge is
# not a step peak (phone-look v37 of seed 1339713944, re-extracted: 0.01 at 0.3 P, -0.34 at 0.5 P;
# the step was taken for a stride, cadence +104 %). 0.1 changed no other cadence of 157 videos. Nor is
# the rise to the next step peak where it passes 0.1 inside the range's upper edge (a real slow PD
# trial, gaitkit's figshare SUB01, +0.1 at 0.7 P: cadence 236 for 121 steps/min; docs/gait_accuracy.md (v)).
STEP_LAG_MARGIN = 0.1
PERIOD_MIN_LAG_S = 0.2
PERIOD_MAX_LAG_S = 3.0
PERIOD_PEAK_FRACTION = 0.7
# The estimate is used only when its peak autocorrelation reaches MIN_PERIOD_STRENGTH (periodic legs;
# 0.53-0.96 on 66 phone-look sweep videos, docs/gait_accuracy.md (n)) and the bouts hold at least
# MIN_PERIOD_STRIDES strides.
MIN_PERIOD_STRENGTH = 0.4
MIN_PERIOD_STRIDES = 3.0
# Event cadence and periodicity cadence further apart than this (%): the periodicity one is reported.
# On the development videos the periodicity estimate was within 1.9 % of the truth on all 66 and
# the event cadence within 2 % on 77 %.
CADENCE_AGREEMENT_PCT = 1.5


@dataclass(frozen=True)
class PeriodicCadence:
    """Cadence from the legs' periodicity: steps/min, stride time (s), the autocorrelation at the
    chosen lag (strength, -1..1) and how many strides the walking bouts hold."""

    cadence_steps_per_min: float
    stride_time_s: float
    strength: float
    n_strides: float


def pooled_autocorrelation(signal: np.ndarray, spans: list[tuple[int, int]], max_lag: int) -> np.ndarray:
    """(max_lag + 1,) autocorrelation of ``signal`` (T,), NaN = missing, pooled over the frame spans
    [start, end) (each span's own mean removed; pairs across spans never count), normalised to 1 at
    lag 0; NaN at lags without pairs."""
    products, pairs = np.zeros(max_lag + 1), np.zeros(max_lag + 1)
    for start, end in spans:
        seg = signal[start:end]
        valid = np.isfinite(seg)
        if valid.sum() < 3:
            continue
        centred = np.where(valid, seg - np.mean(seg[valid]), 0.0)
        for lag in range(min(max_lag, len(seg) - 1) + 1):
            products[lag] += np.dot(centred[:len(seg) - lag], centred[lag:])
            pairs[lag] += np.count_nonzero(valid[:len(seg) - lag] & valid[lag:])
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = products / pairs
        return acf / acf[0]


def _highest_peak(y: np.ndarray, lo: int, hi: int) -> float:
    """Highest local maximum of ``y`` (a sample not below either neighbour) among samples lo..hi; -inf
    without one (a range on one flank of a peak outside it)."""
    i = np.arange(max(lo, 1), min(hi, len(y) - 2) + 1)
    peaks = i[(y[i] >= y[i - 1]) & (y[i] >= y[i + 1])]
    return float(np.max(y[peaks])) if peaks.size else -np.inf


def _peak(y: np.ndarray, i: int) -> float:
    """Sub-sample position of the maximum of ``y`` near sample ``i`` (3-point parabola)."""
    if i <= 0 or i >= len(y) - 1 or not np.isfinite(y[i - 1:i + 2]).all():
        return float(i)
    denom = y[i - 1] - 2.0 * y[i] + y[i + 1]
    return float(i) if denom == 0 else float(i + np.clip(0.5 * (y[i - 1] - y[i + 1]) / denom, -0.5, 0.5))


def periodicity_cadence(positions: np.ndarray, forward: np.ndarray, bouts: list[tuple[int, int]] | None,
                        rate_hz: float) -> PeriodicCadence | None:
    """Cadence from the legs' periodicity (see PERIOD_*) over the walking bouts ([start, end) frames;
    None: the whole series); positions (T, 33, 3) any unit, forward (3,) the walking direction.
    None without both feet, without a periodic peak, or below MIN_PERIOD_STRENGTH / MIN_PERIOD_STRIDES."""
    from scipy.signal import find_peaks

    from core.gait.direction import foot_points

    fwd = np.array([forward[0], 0.0, forward[2]], dtype=float)
    fwd /= np.linalg.norm(fwd)
    feet = [0.5 * np.add(*foot_points(positions, side)) @ fwd for side in SIDES]
    separation = feet[0] - feet[1]
    spans = bouts if bouts else [(0, len(positions))]
    lo, hi = int(np.ceil(PERIOD_MIN_LAG_S * rate_hz)), int(PERIOD_MAX_LAG_S * rate_hz)
    distance = np.nan_to_num(pooled_autocorrelation(np.abs(separation), spans, 2 * hi + 2), nan=-1.0)
    peaks = find_peaks(distance[lo:hi + 1])[0] + lo
    if peaks.size == 0:
        return None
    highest = float(np.max(distance[peaks]))
    first = int(peaks[np.argmax(distance[peaks] >= PERIOD_PEAK_FRACTION * highest)])
    lag, strength = _peak(distance, first), float(distance[first])
    double = int(round(2.0 * lag))
    near = double - 2 + int(np.argmax(distance[double - 2:double + 3]))
    if _highest_peak(distance, int(np.ceil(STEP_LAG_RANGE[0] * lag)), int(STEP_LAG_RANGE[1] * lag)) <= STEP_LAG_MARGIN:
        lag = _peak(distance, near)
    stride_s = lag / rate_hz
    walking_s = sum(min(end, len(positions)) - start for start, end in spans) / rate_hz
    if strength < MIN_PERIOD_STRENGTH or walking_s < MIN_PERIOD_STRIDES * stride_s:
        return None
    return PeriodicCadence(120.0 / stride_s, stride_s, strength, walking_s / stride_s)


def reconciled_cadence(event_spm: float | None, periodic: PeriodicCadence | None) -> tuple[float | None, dict]:
    """(reported cadence, its ``cadence`` block): the event cadence, or the periodicity one where they
    differ by more than CADENCE_AGREEMENT_PCT or there is no event cadence. The block holds both
    values (steps/min), their difference (%) and the source of the reported one."""
    block = {"from_events_steps_per_min": event_spm, "from_periodicity_steps_per_min": None,
             "periodicity_strength": None, "difference_pct": None, "source": "events" if event_spm else None}
    if periodic is None:
        return event_spm, block
    block["from_periodicity_steps_per_min"] = periodic.cadence_steps_per_min
    block["periodicity_strength"] = round(periodic.strength, 3)
    if event_spm:
        block["difference_pct"] = 100.0 * abs(event_spm / periodic.cadence_steps_per_min - 1.0)
        if block["difference_pct"] <= CADENCE_AGREEMENT_PCT:
            return event_spm, block
    block["source"] = "periodicity"
    return periodic.cadence_steps_per_min, block
