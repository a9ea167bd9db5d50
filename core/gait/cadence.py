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
    from core.gait.parameters import drop_inconsistent, find_steps, find_strides

    if not events:
        return None
    n = max(e.frame for e in events) + 1
    no_heels = {side: np.full((n, 3), np.nan) for side in SIDES}  # positions are not needed for times
    steps, _ = drop_inconsistent(find_steps(events, bouts, no_heels)[0], "step", bouts)
    strides, _ = drop_inconsistent(find_strides(events, bouts, no_heels)[0], "stride", bouts)
    return cadence_from_times(*times_by_side(steps, strides))


def times_by_side(steps: list, strides: list) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Step and stride times (s) per side of ``Step``/``Stride`` records."""
    return ({side: [s.step_time_s for s in steps if s.side == side] for side in SIDES},
            {side: [s.stride_time_s for s in strides if s.side == side] for side in SIDES})
