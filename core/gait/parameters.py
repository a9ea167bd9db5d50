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

import numpy as np

from core.constants import LEG_LANDMARKS, LEG_LENGTH_TO_HEIGHT, SCALE_MIN_CONFIDENCE, SIDES
from core.gait.strides import (
    Rejection, Step, Stride, bout_of, drop_inconsistent, drop_short_steps, find_steps, find_strides, heel_tracks,
)
from core.gait.symmetry import robust_symmetry
from core.types import GaitEvent


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



def stats(values: list[float] | np.ndarray) -> dict:
    """``{"mean", "sd", "n", "cv_pct"}`` over the finite values; sd/cv need n >= 2 (else None)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    mean = float(v.mean()) if v.size else None
    sd = float(v.std(ddof=1)) if v.size > 1 else None
    cv = 100.0 * sd / abs(mean) if sd is not None and mean else None
    return {"mean": mean, "sd": sd, "n": int(v.size), "cv_pct": cv}


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
    confidence: np.ndarray | None = None, landing_frames: dict[tuple[str, int], int] | None = None,
) -> dict:
    """The ``gait_parameters.json`` parameter block (see module docstring for definitions).

    positions: (T, 33, 3) in data units, in the ground frame (footprints stationary); time_s: (T,);
    forward: (3,) walking direction;
    bouts: frame ranges [start, end) (None = one bout); m_per_unit: metres per data unit or None
    (then lengths are only reported in leg lengths, ``*_m`` entries are null); landing_frames:
    (side, heel-strike frame) -> the frame where that heel is read for lengths (a heel strike timed at
    touchdown is read where the heel came to rest, ``core.gait.events.landing_frames``).
    """
    heels = heel_tracks(positions, forward)
    for (side, frame), rest_frame in (landing_frames or {}).items():
        heels[side][frame] = heels[side][rest_frame]
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
