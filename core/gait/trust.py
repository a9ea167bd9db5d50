"""Evidence on event timing and symmetry from the events themselves (pure numpy, no ground truth).

Cadence can be right while single events are 50-120 ms off, and a constant timing bias on one leg
reads as an asymmetry. These measures say when timing and symmetry are not supported:

- step-time irregularity: the larger robust CV (%) of the two sides' step times. Walking steps vary
  by 2-4 %; a heel strike off by tens of ms lengthens one step and shortens the next;
- stance spread: the larger robust SD (points of the gait cycle) of a side's stance %. Stance
  varies by 1-2 points within a walk; toe offs or heel strikes at random times spread it;
- the symmetry interval: a 90 % bootstrap interval of the step-time symmetry index (signed,
  left - right). Few or irregular steps cannot tell a real asymmetry from noise;
- method symmetry difference: the step-time symmetry index from a second, independent event method
  against the reported one (points), where the second method's steps are at least as regular. A
  leg whose heel strikes carry a method-specific bias gives an asymmetry that the other method does
  not see;
- heel rise: how high the lower-rising heel goes over the walk (% of leg length). Feet that barely
  leave the floor (shuffling) slide into and out of contact, so contacts taken from the foot's speed
  over the ground (video) can be 100 ms off with no irregularity to show it.

Steps here are those of ``core.gait.strides.find_steps`` (consecutive heel strikes on alternating
sides within a bout, the step of side X ending with X's heel strike, within ``STEP_TIME_RANGE_S``),
before its consistency checks; stances are from
an X heel strike to X's only toe off before its next heel strike (stride within
``STRIDE_TIME_RANGE_S``). Times in s; indices in %.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES, STRIDE_TIME_RANGE_S
from core.gait.strides import find_steps, timing_only_heels
from core.gait.symmetry import MAD_TO_SD, clean_values, robust_symmetry
from core.types import GaitEvent

# A spread needs at least this many values on a side.
MIN_SPREAD_VALUES = 3
SI_INTERVAL_LEVEL = 0.9
SI_BOOTSTRAP_DRAWS = 400
SI_BOOTSTRAP_SEED = 0

# The heel's rise is the spread of its heights between these percentiles (robust to a few wild samples).
HEEL_RISE_PERCENTILES = (3.0, 97.0)
MIN_HEEL_SAMPLES = 20

Bouts = Sequence[tuple[int, int]] | None


def _bout_events(events: list[GaitEvent], bouts: Bouts) -> list[list[GaitEvent]]:
    """The events of each bout ([start, end) frames; None = one bout), sorted by time."""
    spans = bouts if bouts else [(0, np.iinfo(np.int64).max)]
    ordered = sorted(events, key=lambda e: e.time_s)
    return [[e for e in ordered if start <= e.frame < end] for start, end in spans]


def step_times_by_side(events: list[GaitEvent], bouts: Bouts = None) -> dict[str, np.ndarray]:
    """Per side, the step times (s) ending with that side's heel strike, in time order: the steps of
    ``core.gait.strides.find_steps``, before its consistency checks (their scatter is measured here)."""
    steps, _ = find_steps(events, list(bouts) if bouts else None, timing_only_heels(events))
    return {side: np.array([s.step_time_s for s in steps if s.side == side], dtype=float) for side in SIDES}


def stance_pcts_by_side(events: list[GaitEvent], bouts: Bouts = None) -> dict[str, np.ndarray]:
    """Per side, stance % of each stride (heel strike to heel strike) holding exactly one toe off."""
    out: dict[str, list[float]] = {side: [] for side in SIDES}
    for bout in _bout_events(events, bouts):
        for side in SIDES:
            hs = [e.time_s for e in bout if e.side == side and e.event == "heel_strike"]
            to = np.array([e.time_s for e in bout if e.side == side and e.event == "toe_off"])
            for start, end in zip(hs[:-1], hs[1:]):
                inside = to[(to > start) & (to < end)]
                if STRIDE_TIME_RANGE_S[0] <= end - start <= STRIDE_TIME_RANGE_S[1] and inside.size == 1:
                    out[side].append(100.0 * (inside[0] - start) / (end - start))
    return {side: np.asarray(v, dtype=float) for side, v in out.items()}


def robust_sd(values: np.ndarray) -> float | None:
    """1.4826 x the median absolute deviation (None with fewer than MIN_SPREAD_VALUES values)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < MIN_SPREAD_VALUES:
        return None
    return MAD_TO_SD * float(np.median(np.abs(v - np.median(v))))


def step_time_irregularity_pct(steps: dict[str, np.ndarray]) -> float | None:
    """The larger robust CV (%) of the sides' step times (None when no side has enough)."""
    cvs = [100.0 * sd / float(np.median(v)) for v in steps.values() if (sd := robust_sd(v)) is not None]
    return max(cvs) if cvs else None


def stance_spread_pct(stances: dict[str, np.ndarray]) -> float | None:
    """The larger robust SD (points of stance %) of the sides (None when no side has enough)."""
    sds = [sd for v in stances.values() if (sd := robust_sd(v)) is not None]
    return max(sds) if sds else None


def _signed_si_pct(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return 100.0 * (left - right) / (0.5 * (left + right))


def si_interval_pct(left: np.ndarray, right: np.ndarray) -> tuple[float, float] | None:
    """SI_INTERVAL_LEVEL bootstrap interval of the signed symmetry index 100 (L - R) / mean of the
    sides' medians over clean values (``core.gait.symmetry.clean_values``); None with fewer than
    MIN_SPREAD_VALUES clean values on a side. Deterministic (fixed seed)."""
    sides = [clean_values(left), clean_values(right)]
    if min(v.size for v in sides) < MIN_SPREAD_VALUES:
        return None
    rng = np.random.default_rng(SI_BOOTSTRAP_SEED)
    medians = [np.median(v[rng.integers(0, v.size, (SI_BOOTSTRAP_DRAWS, v.size))], axis=1) for v in sides]
    tail = 50.0 * (1.0 - SI_INTERVAL_LEVEL)
    low, high = np.percentile(_signed_si_pct(*medians), [tail, 100.0 - tail])
    return float(low), float(high)


def step_time_si_pct(steps: dict[str, np.ndarray]) -> float | None:
    """``core.gait.symmetry.robust_symmetry`` of the step times (None without values on a side)."""
    return robust_symmetry(steps["left"], steps["right"])["si_pct"]


def method_si_difference(steps: dict[str, np.ndarray], other_steps: dict[str, np.ndarray]) -> float | None:
    """|step-time SI of ``steps`` - that of ``other_steps``| (points). None where one is undefined, or
    where the other method's steps are less regular than these (it is then no better witness: a
    method that fails on a gait spreads its steps and blurs a real asymmetry)."""
    a, b = step_time_si_pct(steps), step_time_si_pct(other_steps)
    own, other = step_time_irregularity_pct(steps), step_time_irregularity_pct(other_steps)
    if a is None or b is None or own is None or other is None or other > own:
        return None
    return abs(a - b)


def timing_evidence(events: list[GaitEvent], bouts: Bouts, confirming: list[GaitEvent] | None) -> dict:
    """The measures of this module for one analysis (None where they cannot be made)."""
    steps = step_times_by_side(events, bouts)
    interval = si_interval_pct(steps["left"], steps["right"])
    return {
        "step_time_irregularity_pct": step_time_irregularity_pct(steps),
        "stance_spread_pct": stance_spread_pct(stance_pcts_by_side(events, bouts)),
        "step_time_si_interval_pct": list(interval) if interval else None,
        "step_time_si_interval_width_pct": interval[1] - interval[0] if interval else None,
        "method_step_time_si_diff_pct": (method_si_difference(steps, step_times_by_side(confirming, bouts))
                                         if confirming is not None else None),
    }


def heel_rise_pct(positions: np.ndarray, bouts: Bouts, leg_length: float | None) -> float | None:
    """The lower of the two heels' rise over the walking bouts: the spread of its heights (axis 1, up)
    between ``HEEL_RISE_PERCENTILES``, in % of ``leg_length`` (the positions' units; the parameters'
    ``leg_length_units``). ``positions`` (T, 33, 3) oriented. None without a finite leg length or
    ``MIN_HEEL_SAMPLES`` heights on a side."""
    if leg_length is None or not (np.isfinite(leg_length) and leg_length > 0):
        return None
    spans = bouts if bouts else [(0, len(positions))]
    rises = []
    for side in SIDES:
        h = np.concatenate([positions[a:b, LEG_LANDMARKS[side]["heel"], 1] for a, b in spans])
        h = h[np.isfinite(h)]
        if h.size >= MIN_HEEL_SAMPLES:
            lo, hi = np.percentile(h, HEEL_RISE_PERCENTILES)
            rises.append(100.0 * float(hi - lo) / leg_length)
    return min(rises) if rises else None
