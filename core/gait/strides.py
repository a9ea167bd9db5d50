"""Strides and steps from gait events, and the checks that reject them (pure functions).

Definitions (stride, step, bouts, rejection rules) are those of ``core.gait.parameters``, which
summarises what this module finds. Times in s; lengths in the positions' units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import (
    CONSISTENT_DURATION_RANGE, CONSISTENT_MIN_STEP_LENGTH_FRACTION, SIDES, STANCE_PCT_RANGE, STEP_TIME_RANGE_S,
    STRIDE_TIME_RANGE_S,
)
from core.gait.direction import foot_points
from core.types import GaitEvent

_OTHER = {"left": "right", "right": "left"}


@dataclass(frozen=True)
class Stride:
    """One accepted stride; lengths in data units (NaN when a heel is missing)."""

    side: str
    start_frame: int
    end_frame: int
    start_s: float
    stride_time_s: float
    stance_pct: float
    double_support_pct: float
    single_support_pct: float
    stride_length: float

    @property
    def swing_pct(self) -> float:
        return 100.0 - self.stance_pct


@dataclass(frozen=True)
class Step:
    """One accepted step ending with a heel strike of ``side``; lengths in data units."""

    side: str
    frame: int
    time_s: float
    step_time_s: float
    step_length: float
    step_width: float


@dataclass(frozen=True)
class Rejection:
    """A stride or step left out, with a short reason category and the numbers behind it."""

    kind: str
    side: str
    start_s: float
    end_s: float
    reason: str
    detail: str = ""


def heel_tracks(positions: np.ndarray, forward: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, (T, 2) heel (else ankle) coordinates along ``forward`` and the lateral axis."""
    fwd = np.array([forward[0], 0.0, forward[2]], dtype=float)
    fwd /= np.linalg.norm(fwd)
    axes = np.stack([fwd, np.cross(fwd, [0.0, 1.0, 0.0])], axis=1)
    return {side: foot_points(positions, side)[0] @ axes for side in SIDES}


def timing_only_heels(events: list[GaitEvent]) -> dict[str, np.ndarray]:
    """Heel tracks of NaN long enough for ``events``: for ``find_steps``/``find_strides`` where only the
    times are wanted (lengths come out NaN)."""
    n = max((e.frame for e in events), default=-1) + 1
    return {side: np.full((n, 3), np.nan) for side in SIDES}


def bout_of(frame: int, bouts: list[tuple[int, int]] | None) -> int | None:
    """Index of the bout (frames [start, end)) holding ``frame``; 0 when ``bouts`` is None."""
    if bouts is None:
        return 0
    for i, (start, end) in enumerate(bouts):
        if start <= frame < end:
            return i
    return None


def _phase_events(
    between: list[GaitEvent], side: str, one_sided: bool
) -> tuple[float, float, float] | tuple[str, str]:
    """Times (TO_X, HS_Y, TO_Y) inside a stride of ``side``, or a reason (category, detail).

    ``one_sided``: the other side has no events at all (its landmarks are missing), so only TO_X
    is required and HS_Y, TO_Y are NaN.
    """
    other = _OTHER[side]
    groups = {
        f"{side} toe_off": [e.time_s for e in between if e.side == side and e.event == "toe_off"],
        f"{other} heel_strike": [e.time_s for e in between if e.side == other and e.event == "heel_strike"],
        f"{other} toe_off": [e.time_s for e in between if e.side == other and e.event == "toe_off"],
    }
    if one_sided:
        groups = {name: times for name, times in groups.items() if name.startswith(side)}
    extra = [name for name, times in groups.items() if len(times) > 1]
    if extra:
        return "missing heel strike", f"more than one {', '.join(extra)} inside the stride"
    missing = [name for name, times in groups.items() if not times]
    if missing:
        return "missing events", f"no {', '.join(missing)} inside the stride"
    if one_sided:
        return groups[f"{side} toe_off"][0], float("nan"), float("nan")
    to_x, hs_y, to_y = (times[0] for times in groups.values())
    if not to_y < hs_y < to_x:
        return "events out of order", f"expected {other} toe_off < {other} heel_strike < {side} toe_off"
    return to_x, hs_y, to_y


def _stride(
    events: list[GaitEvent], a: GaitEvent, b: GaitEvent, bouts: list[tuple[int, int]] | None, heel_fwd: np.ndarray,
    one_sided: bool = False,
) -> Stride | tuple[str, str]:
    """The stride between heel strikes ``a`` and ``b`` of one side, or why it is rejected."""
    bout = bout_of(a.frame, bouts)
    if bout is None or bout != bout_of(b.frame, bouts):
        return "crosses a bout boundary", f"frames {a.frame}-{b.frame} are not inside one walking bout"
    phases = _phase_events([e for e in events if a.time_s < e.time_s < b.time_s], a.side, one_sided)
    if isinstance(phases[0], str):
        return phases
    to_x, hs_y, to_y = phases
    stride_s = b.time_s - a.time_s
    stance_pct = 100.0 * (to_x - a.time_s) / stride_s
    (t_low, t_high), (s_low, s_high) = STRIDE_TIME_RANGE_S, STANCE_PCT_RANGE
    if not t_low <= stride_s <= t_high:
        return "stride time out of bounds", f"{stride_s:.3f} s outside [{t_low}, {t_high}] s"
    if not s_low <= stance_pct <= s_high:
        return "stance out of bounds", f"{stance_pct:.1f} % outside [{s_low}, {s_high}] %"
    return Stride(
        side=a.side, start_frame=a.frame, end_frame=b.frame, start_s=a.time_s, stride_time_s=stride_s,
        stance_pct=stance_pct, double_support_pct=100.0 * ((to_y - a.time_s) + (to_x - hs_y)) / stride_s,
        single_support_pct=100.0 * (hs_y - to_y) / stride_s,
        stride_length=float(heel_fwd[b.frame] - heel_fwd[a.frame]),
    )


def find_strides(
    events: list[GaitEvent], bouts: list[tuple[int, int]] | None, heels: dict[str, np.ndarray]
) -> tuple[list[Stride], list[Rejection]]:
    """Accepted strides of both sides and the rejected ones with reasons (see module docstring).

    When one side has no events at all, the other side's strides need only their own toe off
    (support phases are then NaN)."""
    events = sorted(events, key=lambda e: e.time_s)
    strides: list[Stride] = []
    rejected: list[Rejection] = []
    sides_with_events = {e.side for e in events}
    for side in SIDES:
        hs = [e for e in events if e.side == side and e.event == "heel_strike"]
        for a, b in zip(hs[:-1], hs[1:]):
            stride = _stride(events, a, b, bouts, heels[side][:, 0], _OTHER[side] not in sides_with_events)
            if isinstance(stride, Stride):
                strides.append(stride)
            else:
                rejected.append(Rejection("stride", side, a.time_s, b.time_s, *stride))
    return strides, rejected


def find_steps(
    events: list[GaitEvent], bouts: list[tuple[int, int]] | None, heels: dict[str, np.ndarray]
) -> tuple[list[Step], list[Rejection]]:
    """Steps between consecutive heel strikes of alternating sides inside one bout."""
    hs = sorted((e for e in events if e.event == "heel_strike"), key=lambda e: e.time_s)
    steps: list[Step] = []
    rejected: list[Rejection] = []
    low, high = STEP_TIME_RANGE_S
    for prev, cur in zip(hs[:-1], hs[1:]):
        step_s = cur.time_s - prev.time_s
        reason = None
        if prev.side == cur.side:
            reason = ("missing heel strike", f"two {cur.side} heel strikes in a row")
        elif bout_of(prev.frame, bouts) is None or bout_of(prev.frame, bouts) != bout_of(cur.frame, bouts):
            reason = ("crosses a bout boundary", f"frames {prev.frame}-{cur.frame}")
        elif not low <= step_s <= high:
            reason = ("step time out of bounds", f"{step_s:.3f} s outside [{low}, {high}] s")
        if reason:
            rejected.append(Rejection("step", cur.side, prev.time_s, cur.time_s, *reason))
            continue
        own, other = heels[cur.side][cur.frame], heels[prev.side][prev.frame]
        steps.append(Step(cur.side, cur.frame, cur.time_s, step_s,
                          float(own[0] - other[0]), float(abs(own[1] - other[1]))))
    return steps, rejected


def consistent_durations(durations_s: np.ndarray, bout_ids: np.ndarray) -> np.ndarray:
    """(N,) bool: durations (s) within ``CONSISTENT_DURATION_RANGE`` x the median of their bout.

    durations_s: (N,) step or stride times; bout_ids: (N,) bout index of each. A missed heel strike
    doubles a duration, a spurious one splits it; real gait varies far less (see the constant).
    """
    low, high = CONSISTENT_DURATION_RANGE
    return _within_bout_median(durations_s, bout_ids, low, high, min_count=1)


def _within_bout_median(values: np.ndarray, bout_ids: np.ndarray, low: float, high: float, min_count: int) -> np.ndarray:
    """(N,) bool: finite ``values`` within [low, high] x the median of their bout's finite values.

    NaN values, and whole bouts with fewer than ``min_count`` finite values or a median <= 0, pass.
    """
    ok = np.ones(values.shape, dtype=bool)
    for bout in np.unique(bout_ids):
        mine = (bout_ids == bout) & np.isfinite(values)
        median = float(np.median(values[mine])) if mine.sum() >= min_count else 0.0
        if median > 0:
            ok[mine] = (values[mine] >= low * median) & (values[mine] <= high * median)
    return ok


def _bout_ids(frames: list[int], bouts: list[tuple[int, int]] | None) -> np.ndarray:
    """(N,) bout index of each frame (-1 outside every bout)."""
    return np.array([-1 if (b := bout_of(f, bouts)) is None else b for f in frames])


def drop_inconsistent(items: list, kind: str, bouts: list[tuple[int, int]] | None) -> tuple[list, list[Rejection]]:
    """Split accepted ``Step`` or ``Stride`` items into (consistent, rejected) by ``consistent_durations``."""
    if not items:
        return items, []
    is_step = kind == "step"
    durations = np.array([i.step_time_s if is_step else i.stride_time_s for i in items])
    ok = consistent_durations(durations, _bout_ids([i.frame if is_step else i.start_frame for i in items], bouts))
    low, high = CONSISTENT_DURATION_RANGE
    rejected = [
        Rejection(kind, i.side, (i.time_s - d) if is_step else i.start_s, i.time_s if is_step else i.start_s + d,
                  f"{kind} time inconsistent with the bout",
                  f"{d:.3f} s outside {low}-{high} x the bout's median {kind} time")
        for i, d, good in zip(items, durations, ok) if not good
    ]
    return [i for i, good in zip(items, ok) if good], rejected


def long_enough_steps(lengths: np.ndarray, bout_ids: np.ndarray) -> np.ndarray:
    """(N,) bool: step lengths (any unit) >= ``CONSISTENT_MIN_STEP_LENGTH_FRACTION`` x their bout's median.

    lengths: (N,) step lengths (NaN is kept: judged elsewhere); bout_ids: (N,) bout index of each.
    Bouts with fewer than 3 finite lengths or a median <= 0 (no forward progression) are kept whole.
    """
    return _within_bout_median(lengths, bout_ids, CONSISTENT_MIN_STEP_LENGTH_FRACTION, np.inf, min_count=3)


def drop_short_steps(steps: list[Step], bouts: list[tuple[int, int]] | None) -> tuple[list[Step], list[Rejection]]:
    """Split steps into (kept, rejected) by ``long_enough_steps`` (steps of the same bout compared)."""
    if not steps:
        return steps, []
    lengths = np.array([st.step_length for st in steps])
    ok = long_enough_steps(lengths, _bout_ids([st.frame for st in steps], bouts))
    rejected = [
        Rejection("step", st.side, st.time_s - st.step_time_s, st.time_s, "step length inconsistent with the bout",
                  f"{st.step_length:.4g} units < {CONSISTENT_MIN_STEP_LENGTH_FRACTION} x the bout's median step length")
        for st, good in zip(steps, ok) if not good
    ]
    return [st for st, good in zip(steps, ok) if good], rejected

