"""Swing legs driven by normative joint-angle curves (thigh, knee, ankle over the swing phase).

Each curve starts with the angle and angular velocity at toe off (smooth lift-off) and ends with the
angle at heel strike and zero angular velocity (an impact: the heel lands exactly on its contact point),
and its shape in between follows the normative swing (knee peak early in swing, thigh flexion peak
in terminal swing, ankle back to neutral by mid swing). The foot is lifted where needed to
keep the foot clear of the ground (the knee and hip follow through inverse kinematics).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.curves import hermite, smooth_envelope, smoothstep, two_link_knee
from core.synthetic.feet import FootPose, LegGait, PelvisFn, stance_pose_k

_RATE_STEP_S = 1e-3
_CHECK_U = np.linspace(0.0, 1.0, 61)


@dataclass(frozen=True)
class SwingPlan:
    """Per swing k (from toe off k to heel strike k+1): times and joint-curve knots."""

    start_s: np.ndarray
    end_s: np.ndarray
    knots: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # name -> (u, value, slope per unit u), (n, K)
    lift_m: np.ndarray  # (n, len(_CHECK_U)) upward foot shift that keeps the sole clear of the ground


def plan_swings(leg: LegGait, pelvis_fn: PelvisFn) -> SwingPlan:
    """Joint-curve knots and clearance lift of every swing of ``leg``."""
    s = leg.schedule
    k = np.arange(len(s.hs_time_s) - 2)
    t0, t1 = s.to_time_s[k], s.hs_time_s[k + 1]
    dur = t1 - t0
    v0, r0 = _state_and_rate(leg, k, t0, -_RATE_STEP_S, pelvis_fn)
    v1 = _stance_angles(leg, k + 1, t1, pelvis_fn)
    ones = np.ones_like(t0)
    thigh_peak = np.maximum(v1["thigh"] + np.radians(4.0), v0["thigh"] + np.radians(10.0))
    knee_peak = np.maximum(np.radians(leg.pattern.knee_swing_deg) * ones, v0["knee"] + np.radians(5.0))
    knee_span = knee_peak - v1["knee"]
    knots = {
        "thigh": _knots([0.0, 0.31, 0.62, 1.0],
                        [v0["thigh"], v0["thigh"] + 0.55 * (thigh_peak - v0["thigh"]), thigh_peak, v1["thigh"]],
                        [r0["thigh"] * dur, None, 0 * ones, 0 * ones]),
        "knee": _knots([0.0, 0.3, 0.62, 0.87, 1.0],
                       [v0["knee"], knee_peak, v1["knee"] + 0.45 * knee_span, v1["knee"] + 0.08 * knee_span,
                        v1["knee"]],
                       [r0["knee"] * dur, 0 * ones, None, None, 0 * ones]),
        "ankle": _knots([0.0, 0.4, 1.0], [v0["ankle"], np.radians(leg.pattern.swing_ankle_deg) * ones, v1["ankle"]],
                        [r0["ankle"] * dur, None, 0 * ones]),
    }
    plan = SwingPlan(t0, t1, knots, np.zeros((len(t0), len(_CHECK_U))))
    return SwingPlan(t0, t1, knots, _clearance_lift(leg, plan, pelvis_fn))


def _knots(u: list[float], values: list[np.ndarray], slopes: list[np.ndarray | None]) -> tuple[np.ndarray, ...]:
    """Knot arrays (n, K); a None slope is the centred difference of the neighbouring knots."""
    n = len(np.atleast_1d(values[0]))
    uu = np.broadcast_to(np.array(u), (n, len(u)))
    vals = np.stack([np.broadcast_to(v, (n,)) for v in values], axis=-1)
    out = []
    for i, slope in enumerate(slopes):
        if slope is None:
            slope = (vals[:, i + 1] - vals[:, i - 1]) / (u[i + 1] - u[i - 1])
        out.append(np.broadcast_to(slope, (n,)))
    return uu, vals, np.stack(out, axis=-1)


def _state_and_rate(leg: LegGait, k: np.ndarray, time_s: np.ndarray, step_s: float,
                    pelvis_fn: PelvisFn) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Joint angles of stance k at time_s and their rates (one-sided, toward step_s) in rad/s."""
    a = _stance_angles(leg, k, time_s, pelvis_fn)
    b = _stance_angles(leg, k, time_s + step_s, pelvis_fn)
    return a, {name: (b[name] - a[name]) / step_s for name in a}


def _stance_angles(leg: LegGait, k: np.ndarray, time_s: np.ndarray, pelvis_fn: PelvisFn) -> dict[str, np.ndarray]:
    pose = stance_pose_k(leg, k, time_s, pelvis_fn)
    hip = pelvis_fn(time_s)
    ankle = pose.point(leg.shape.ankle)
    knee, _ = two_link_knee(hip, ankle, leg.body.thigh, leg.body.shank)
    thigh = np.arctan2(knee[:, 0] - hip[:, 0], hip[:, 1] - knee[:, 1])
    shank = np.arctan2(ankle[:, 0] - knee[:, 0], knee[:, 1] - ankle[:, 1])
    return {"thigh": thigh, "knee": thigh - shank, "ankle": pose.pitch_rad - shank}


def _swing_angles(plan: SwingPlan, k: np.ndarray, u: np.ndarray) -> dict[str, np.ndarray]:
    return {name: hermite(u, ku[k], kv[k], kd[k]) for name, (ku, kv, kd) in plan.knots.items()}


def _bump(u: np.ndarray) -> np.ndarray:
    return 16.0 * u**2 * (1.0 - u) ** 2


def hip_rise_m(leg: LegGait, u: np.ndarray) -> np.ndarray:
    """Vertical offset (N,) of the swing-side hip from the pelvis centre (pelvic obliquity); NaN u gives 0."""
    return np.nan_to_num(leg.pattern.swing_hip_rise_frac * leg.body.height_m * _bump(u))


def _forward_kinematics(leg: LegGait, hip: np.ndarray, angles: dict[str, np.ndarray]) -> FootPose:
    """Foot pose (anchored at the ankle) from hip positions (..., 2) and joint angles (...)."""
    thigh, knee = angles["thigh"], np.maximum(angles["knee"], np.radians(1.0))
    shank = thigh - knee
    knee_pos = hip + leg.body.thigh * np.stack([np.sin(thigh), -np.cos(thigh)], axis=-1)
    ankle = knee_pos + leg.body.shank * np.stack([np.sin(shank), -np.cos(shank)], axis=-1)
    pitch = angles["ankle"] + shank
    return FootPose(ankle, np.broadcast_to(leg.shape.ankle, ankle.shape), pitch, np.zeros(pitch.shape, dtype=bool))


def _clearance_lift(leg: LegGait, plan: SwingPlan, pelvis_fn: PelvisFn) -> np.ndarray:
    """Upward foot shift (n, len(_CHECK_U)) in metres per swing keeping the sole above a clearance curve.

    The deficit below the curve is widened and smoothed so that the lifted foot path stays smooth;
    the knee and hip then follow the lifted foot through inverse kinematics.
    """
    n = len(plan.start_s)
    k = np.repeat(np.arange(n), len(_CHECK_U))
    u = np.tile(_CHECK_U, n)
    hip = pelvis_fn(plan.start_s[k] + u * (plan.end_s[k] - plan.start_s[k]))
    hip[:, 1] += hip_rise_m(leg, u)
    pose = _forward_kinematics(leg, hip, _swing_angles(plan, k, u))
    lowest = np.minimum(pose.point(leg.shape.heel_pivot)[:, 1], pose.point(leg.shape.toe_pivot)[:, 1])
    needed = 0.008 * leg.body.height_m / 1.75 * leg.clearance_scale * _bump(u)
    deficit = np.maximum(needed - lowest, 0.0).reshape(n, -1)
    # Zero lift at toe off (smoothly) and at heel strike (linearly: the heel lands moving down).
    ends = smoothstep(_CHECK_U / 0.12) * np.clip((1.0 - _CHECK_U) / 0.12, 0.0, 1.0)
    return np.stack([smooth_envelope(row, 3.0, ends) for row in deficit])


def swing_phase(plan: SwingPlan, time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(swing index k, swing fraction u in [0, 1), NaN outside swings) per time."""
    k = np.clip(np.searchsorted(plan.start_s, time_s, side="right") - 1, 0, len(plan.start_s) - 1)
    in_swing = (time_s >= plan.start_s[k]) & (time_s < plan.end_s[k])
    return k, np.where(in_swing, (time_s - plan.start_s[k]) / (plan.end_s[k] - plan.start_s[k]), np.nan)


def _lift_at(plan: SwingPlan, k: np.ndarray, u: np.ndarray) -> np.ndarray:
    pos = np.nan_to_num(u) * (len(_CHECK_U) - 1)
    i0 = np.minimum(pos.astype(int), len(_CHECK_U) - 2)
    frac = pos - i0
    return plan.lift_m[k, i0] * (1 - frac) + plan.lift_m[k, i0 + 1] * frac


def swing_hip_rise_m(leg: LegGait, plan: SwingPlan, time_s: np.ndarray) -> np.ndarray:
    """Rise (N,) of this side's hip above the pelvis centre: pelvic obliquity plus any hip hiking."""
    k, u = swing_phase(plan, time_s)
    return hip_rise_m(leg, u) + leg.pattern.hip_hike_share * _lift_at(plan, k, u)


def swing_pose(leg: LegGait, plan: SwingPlan, time_s: np.ndarray, pelvis_fn: PelvisFn) -> FootPose:
    """Foot pose at the times within a swing (NaN elsewhere)."""
    k, u = swing_phase(plan, time_s)
    hip = pelvis_fn(time_s)
    hip[:, 1] += hip_rise_m(leg, u)
    pose = _forward_kinematics(leg, hip, _swing_angles(plan, k, u))
    lift = _lift_at(plan, k, u)
    anchor = pose.anchor_m + np.stack([np.zeros_like(lift), lift], axis=-1)
    return FootPose(anchor, pose.anchor_local, pose.pitch_rad, np.zeros(time_s.shape, dtype=bool))
