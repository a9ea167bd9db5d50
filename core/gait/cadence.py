"""Cadence: one definition for the pipeline (``gait_parameters.json``) and ``scripts/evaluate_events.py``.

    cadence (steps/min) = 120 / (mean left step time + mean right step time)

A step is the time (s) from a heel strike to the next heel strike of the other foot, inside one
walking bout, within ``STEP_TIME_RANGE_S`` and consistent with its bout's other steps (see
``core.gait.parameters``). Averaging each side first keeps unequal step counts from biasing an
asymmetric gait. With steps of one side only: 60 / mean step time; with no step but strides
(one leg seen): 120 / mean stride time. The pipeline also drops steps that are too short in
length, which needs positions; from an events file alone those steps are kept.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core.constants import SIDES
from core.types import GaitEvent


def cadence_from_step_times(
    step_times_s: dict[str, Sequence[float]], stride_times_s: Sequence[float] = ()
) -> float | None:
    """Steps/min from accepted step times per side (``{"left": [...], "right": [...]}``, seconds) and,
    as a fallback, stride times (s). None without any."""
    by_side = [list(step_times_s.get(side, ())) for side in SIDES]
    if all(by_side):
        return 120.0 / float(sum(np.mean(times) for times in by_side))
    steps = by_side[0] + by_side[1]
    if steps:
        return 60.0 / float(np.mean(steps))
    return 120.0 / float(np.mean(stride_times_s)) if len(stride_times_s) else None


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
    return cadence_from_step_times({side: [s.step_time_s for s in steps if s.side == side] for side in SIDES},
                                   [s.stride_time_s for s in strides])
