"""Spatiotemporal gait parameters from gait events (pure functions on events and arrays).

Definitions, for a stride of side X (X heel strike -> next X heel strike; Y = other side),
whose events must occur in the order HS_X, TO_Y, HS_Y, TO_X, HS_X':
- stride time = HS_X' - HS_X; stance % = 100 (TO_X - HS_X) / stride time; swing % = 100 - stance %;
- double support % = 100 ((TO_Y - HS_X) + (TO_X - HS_Y)) / stride time (both double-support phases);
- single support % = 100 (HS_Y - TO_Y) / stride time (X is the only foot on the ground);
- stride length = forward displacement of the X heel between HS_X and HS_X'.
A step of side X ends with an X heel strike and starts at the preceding Y heel strike:
step time = HS_X - HS_Y; step length = forward distance from the Y heel at HS_Y to the X heel at
HS_X (between footprints, as on an instrumented walkway, so two steps make a stride; positions
must be in the ground frame, see ``core.gait.ground.to_ground_frame``); step width =
mediolateral distance between the same two footprints (3-D data only).
Cadence (steps/min): from the accepted strides and steps (``core.gait.cadence``), replaced by the
legs' periodicity where the two disagree (``cadence`` block: both values and the source). With one
leg's landmarks missing, strides of the other need only their own toe off and support phases are
not reported.
Walking speed = mean over strides of stride length / stride time. Symmetry index (%) =
100 |L - R| / (0.5 (L + R)) of the side medians over clean values (``core.gait.symmetry``: outliers
left out; 0 = symmetric), reported with the ratio L / R.
Coefficient of variation (%) = 100 SD / mean (sample SD). The heel stands for the foot (the
ankle where a heel is never seen).
Strides that cross a bout boundary, miss or duplicate events, or fall outside the physiological
bounds of ``core.constants`` are rejected with a reason; so are steps and strides whose duration is
outside ``CONSISTENT_DURATION_RANGE`` x their bout's median (a missed or spurious heel strike), and
steps shorter than ``CONSISTENT_MIN_STEP_LENGTH_FRACTION`` x their bout's median step length (a
spurious heel strike splits a step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import (
    CONSISTENT_DURATION_RANGE, CONSISTENT_MIN_STEP_LENGTH_FRACTION, LEG_LANDMARKS, LEG_LENGTH_TO_HEIGHT,
    SCALE_MIN_CONFIDENCE, SIDES, STANCE_PCT_RANGE, STEP_TIME_RANGE_S, STRIDE_TIME_RANGE_S,
)
from core.gait.direction import foot_points
from core.gait.symmetry import robust_symmetry, symmetry_index
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


def leg_length(positions: np.ndarray, confidence: np.ndarray | None = None) -> float:
    """Median over frames of hip->knee + knee->ankle (data units), averaged over both sides.

    positions: (T, 33, 3); confidence: (T, 33) or None. Frames where any leg landmark is missing
    or below ``SCALE_MIN_CONFIDENCE`` are ignored. NaN when no frame qualifies.
    """
    lengths = []
    for side in SIDES:
        idx = LEG_LANDMARKS[side]
        hip, knee, ankle = (positions[:, idx[k]] for k in ("hip", "knee", "ankle"))
        total = np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1)
        if confidence is not None:
            low = (confidence[:, [idx["hip"], idx["knee"], idx["ankle"]]] < SCALE_MIN_CONFIDENCE).any(axis=1)
            total = np.where(low, np.nan, total)
        if np.isfinite(total).any():
            lengths.append(float(np.nanmedian(total)))
    return float(np.mean(lengths)) if lengths else float("nan")


def pixel_scale_m_per_px(
    positions_px: np.ndarray, subject_height_m: float, confidence: np.ndarray | None = None
) -> float:
    """Metres per pixel from the subject's height: leg length ~ ``LEG_LENGTH_TO_HEIGHT`` x height.

    The leg length in pixels is ``leg_length`` (median hip-knee-ankle sum over confident frames);
    the anthropometric ratio is Winter's hip-joint height minus ankle height (0.491 H).
    """
    if not subject_height_m > 0:
        raise ValueError(f"subject_height_m must be > 0, got {subject_height_m!r}")
    leg_px = leg_length(positions_px, confidence)
    if not np.isfinite(leg_px) or leg_px <= 0:
        raise ValueError("cannot measure leg length: hip, knee or ankle never visible")
    return LEG_LENGTH_TO_HEIGHT * subject_height_m / leg_px


def heel_tracks(positions: np.ndarray, forward: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, (T, 2) heel (else ankle) coordinates along ``forward`` and the lateral axis."""
    fwd = np.array([forward[0], 0.0, forward[2]], dtype=float)
    fwd /= np.linalg.norm(fwd)
    axes = np.stack([fwd, np.cross(fwd, [0.0, 1.0, 0.0])], axis=1)
    return {side: foot_points(positions, side)[0] @ axes for side in SIDES}


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


def stats(values: list[float] | np.ndarray) -> dict:
    """``{"mean", "sd", "n", "cv_pct"}`` over the finite values; sd/cv need n >= 2 (else None)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    mean = float(v.mean()) if v.size else None
    sd = float(v.std(ddof=1)) if v.size > 1 else None
    cv = 100.0 * sd / abs(mean) if sd is not None and mean else None
    return {"mean": mean, "sd": sd, "n": int(v.size), "cv_pct": cv}


def symmetry(left: float | None, right: float | None) -> dict:
    """Symmetry index % = 100 |L - R| / (0.5 (L + R)) and ratio L / R (None when undefined)."""
    return symmetry_index(left, right)


def _side_values(side: str, strides: list[Stride], steps: list[Step], leg: float) -> dict[str, list[float]]:
    """Per-stride and per-step values of ``side`` behind the symmetry keys."""
    own = [s for s in strides if s.side == side]
    own_steps = [s for s in steps if s.side == side]
    return {"step_time_s": [s.step_time_s for s in own_steps], "stride_time_s": [s.stride_time_s for s in own],
            "stance_pct": [s.stance_pct for s in own], "swing_pct": [s.swing_pct for s in own],
            "step_length_leg_norm": [s.step_length / leg if leg > 0 else np.nan for s in own_steps]}


def _lengths(values: list[float], m_per_unit: float | None, leg: float) -> tuple[dict | None, dict]:
    """Stats in metres (None without a scale) and in leg lengths."""
    v = np.asarray(values, dtype=float)
    metres = stats(v * m_per_unit) if m_per_unit else None
    return metres, stats(v / leg if leg > 0 else np.full(v.shape, np.nan))


def side_parameters(
    side: str, strides: list[Stride], steps: list[Step], m_per_unit: float | None, leg: float, is_2d: bool
) -> dict:
    """Per-side means/SDs of the temporal and spatial parameters (keys carry units)."""
    own = [s for s in strides if s.side == side]
    own_steps = [s for s in steps if s.side == side]
    step_m, step_leg = _lengths([s.step_length for s in own_steps], m_per_unit, leg)
    stride_m, stride_leg = _lengths([s.stride_length for s in own], m_per_unit, leg)
    width_m = None if is_2d else _lengths([s.step_width for s in own_steps], m_per_unit, leg)[0]
    return {
        "step_time_s": stats([s.step_time_s for s in own_steps]),
        "stride_time_s": stats([s.stride_time_s for s in own]),
        "stance_pct": stats([s.stance_pct for s in own]),
        "swing_pct": stats([s.swing_pct for s in own]),
        "single_support_pct": stats([s.single_support_pct for s in own]),
        "double_support_pct": stats([s.double_support_pct for s in own]),
        "step_length_m": step_m,
        "stride_length_m": stride_m,
        "step_width_m": width_m,
        "step_length_leg_norm": step_leg,
        "stride_length_leg_norm": stride_leg,
        "n_strides_used": len(own),
        "n_steps_used": len(own_steps),
    }


def _cadence(steps: list[Step], strides: list[Stride]) -> float | None:
    """Cadence of the accepted steps and strides (the one definition: ``core.gait.cadence``)."""
    from core.gait.cadence import cadence_from_times, times_by_side

    return cadence_from_times(*times_by_side(steps, strides))


def _reported_cadence(steps: list[Step], strides: list[Stride], positions: np.ndarray, time_s: np.ndarray,
                      forward: np.ndarray, bouts: list[tuple[int, int]] | None) -> tuple[float | None, dict]:
    """The event cadence reconciled with the legs' periodicity (``core.gait.cadence.reconciled_cadence``)."""
    from core.gait.cadence import periodicity_cadence, reconciled_cadence

    rate_hz = (len(time_s) - 1) / float(time_s[-1] - time_s[0]) if len(time_s) > 1 and time_s[-1] > time_s[0] else 0.0
    periodic = periodicity_cadence(positions, forward, bouts, rate_hz) if rate_hz > 0 else None
    return reconciled_cadence(_cadence(steps, strides), periodic)


def _speed(strides: list[Stride], scale: float | None) -> float | None:
    v = [s.stride_length / s.stride_time_s for s in strides if np.isfinite(s.stride_length)]
    return float(np.mean(v)) * scale if v and scale else None


def bout_parameters(
    bouts: list[tuple[int, int]], time_s: np.ndarray, strides: list[Stride], steps: list[Step],
    m_per_unit: float | None,
) -> list[dict]:
    """Cadence, speed and counts per walking bout (frames [start, end))."""
    rows = []
    for i, (start, end) in enumerate(bouts):
        b_strides = [s for s in strides if bout_of(s.start_frame, bouts) == i]
        b_steps = [s for s in steps if bout_of(s.frame, bouts) == i]
        rows.append({
            "bout": i, "start_frame": int(start), "end_frame": int(end),
            "start_s": float(time_s[start]), "end_s": float(time_s[min(end, time_s.size) - 1]),
            "n_strides": len(b_strides), "n_steps": len(b_steps),
            "cadence_steps_per_min": _cadence(b_steps, b_strides), "walking_speed_m_s": _speed(b_strides, m_per_unit),
        })
    return rows


def _rejection_summary(rejected: list[Rejection], kind: str) -> tuple[list[dict], dict[str, int]]:
    items = [r for r in rejected if r.kind == kind]
    listing = [{"side": r.side, "start_s": r.start_s, "end_s": r.end_s, "reason": r.reason, "detail": r.detail}
               for r in items]
    counts: dict[str, int] = {}
    for r in items:
        counts[r.reason] = counts.get(r.reason, 0) + 1
    return listing, counts


def spatiotemporal_parameters(
    events: list[GaitEvent], positions: np.ndarray, time_s: np.ndarray, forward: np.ndarray,
    bouts: list[tuple[int, int]] | None = None, m_per_unit: float | None = None, is_2d: bool = False,
    confidence: np.ndarray | None = None,
) -> dict:
    """The ``gait_parameters.json`` parameter block (see module docstring for definitions).

    positions: (T, 33, 3) in data units, in the ground frame (footprints stationary); time_s: (T,);
    forward: (3,) walking direction;
    bouts: frame ranges [start, end) (None = one bout); m_per_unit: metres per data unit or None
    (then lengths are only reported in leg lengths, ``*_m`` entries are null).
    """
    heels = heel_tracks(positions, forward)
    strides, rej_strides = find_strides(events, bouts, heels)
    strides, lost = drop_inconsistent(strides, "stride", bouts)
    rej_strides += lost
    steps, rej_steps = find_steps(events, bouts, heels)
    steps, lost = drop_inconsistent(steps, "step", bouts)
    rej_steps += lost
    steps, lost = drop_short_steps(steps, bouts)
    rej_steps += lost
    leg = leg_length(positions, confidence)
    per_side = {side: side_parameters(side, strides, steps, m_per_unit, leg, is_2d) for side in SIDES}
    stride_list, stride_counts = _rejection_summary(rej_strides, "stride")
    _, step_counts = _rejection_summary(rej_steps, "step")
    sym_keys = ("step_time_s", "stride_time_s", "stance_pct", "swing_pct", "step_length_leg_norm")
    values = {side: _side_values(side, strides, steps, leg) for side in SIDES}
    cadence, cadence_block = _reported_cadence(steps, strides, positions, time_s, forward, bouts)
    return {
        "cadence_steps_per_min": cadence,
        "cadence": cadence_block,
        "walking_speed_m_s": _speed(strides, m_per_unit),
        "walking_speed_leg_norm_per_s": _speed(strides, 1.0 / leg if leg > 0 else None),
        **per_side,
        "symmetry": {k: robust_symmetry(values["left"][k], values["right"][k]) for k in sym_keys},
        "bouts": bout_parameters(bouts if bouts is not None else [(0, len(time_s))], time_s, strides, steps,
                                 m_per_unit),
        "n_strides_used": len(strides),
        "n_strides_rejected": len(rej_strides),
        "rejected_strides": stride_list,
        "stride_rejection_counts": stride_counts,
        "n_steps_used": len(steps),
        "n_steps_rejected": len(rej_steps),
        "step_rejection_counts": step_counts,
        "leg_length_units": leg if np.isfinite(leg) else None,
        "m_per_unit": m_per_unit,
        "units": {"time": "s", "cadence": "steps/min", "phases": "% of gait cycle", "speed": "m/s",
                  "lengths_m": "m", "leg_norm": "leg lengths (hip-knee-ankle)", "cv_pct": "%",
                  "symmetry_si_pct": "100 |L - R| / (0.5 (L + R))"},
    }
