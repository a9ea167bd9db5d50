"""Rigid-foot trajectories: stance with heel/flat/toe rockers (no sliding), swing with ground clearance.

Foot-local frame: X along the sole toward the toes, Y up, origin at the back of the sole. The foot
rotates about the heel contact point (heel rocker), lies flat, then rotates about the toe contact
point (toe rocker); both contact points stay fixed on the ground while they carry the foot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.synthetic.curves import hermite, hip_ankle_distance, rotate, softmin
from core.synthetic.params import Body, SidePattern
from core.synthetic.timeline import LegSchedule

FOOT_FLAT_FRAC = 0.08  # foot flat, as a fraction of the gait cycle
KNEE_PEAK_SWING_U = 0.3  # fraction of swing where the swing knee target applies


@dataclass(frozen=True)
class FootShape:
    """Foot geometry in foot-local metres (see module doc)."""

    heel_pivot: np.ndarray
    toe_pivot: np.ndarray
    heel_point: np.ndarray  # back of the heel (the heel landmark)
    toe_point: np.ndarray  # toe tip (the foot_index landmark)
    heel_ball: np.ndarray  # centre of the heel's rounded end
    toe_ball: np.ndarray
    ankle: np.ndarray
    heel_radius_m: float
    toe_radius_m: float

    @property
    def pivot_span_m(self) -> float:
        return float(self.toe_pivot[0] - self.heel_pivot[0])


def foot_shape(body: Body) -> FootShape:
    rh, rt, length = body.heel_radius, body.toe_radius, body.foot_length
    return FootShape(
        heel_pivot=np.array([rh, 0.0]),
        toe_pivot=np.array([length - rt, 0.0]),
        heel_point=np.array([0.0, rh]),
        toe_point=np.array([length, rt]),
        heel_ball=np.array([rh, rh]),
        toe_ball=np.array([length - rt, rt]),
        ankle=np.array([body.ankle_forward, body.ankle_height]),
        heel_radius_m=rh,
        toe_radius_m=rt,
    )


@dataclass(frozen=True)
class FootPose:
    """Foot pose per sample: a world point ``anchor_m`` (N, 2) that is foot-local ``anchor_local`` (N, 2)."""

    anchor_m: np.ndarray
    anchor_local: np.ndarray
    pitch_rad: np.ndarray
    in_stance: np.ndarray

    def point(self, local: np.ndarray) -> np.ndarray:
        """World position (N, 2) of a foot-local point."""
        return self.anchor_m + rotate(local - self.anchor_local, self.pitch_rad)


@dataclass(frozen=True)
class LegGait:
    """What the foot trajectory of one leg needs."""

    schedule: LegSchedule
    pattern: SidePattern
    shape: FootShape
    body: Body
    clearance_scale: float

    @property
    def flat_tau(self) -> float:
        return min(FOOT_FLAT_FRAC / self.pattern.stance_frac, 0.3)

    @property
    def heel_off_tau(self) -> float:
        return float(np.clip(self.pattern.heel_off_frac / self.pattern.stance_frac, self.flat_tau + 0.1, 0.9))


def stance_pose(leg: LegGait, time_s: np.ndarray) -> FootPose:
    """Foot pose at times within a stance (NaN elsewhere)."""
    s = leg.schedule
    k = np.clip(s.stance_index(time_s), 0, len(s.hs_time_s) - 1)
    hs, to = s.hs_time_s[k], s.to_time_s[k]
    in_stance = (time_s >= hs) & (time_s < to)
    tau = np.where(in_stance, (time_s - hs) / (to - hs), np.nan)
    p = leg.pattern
    x_flat, x_off = np.clip(tau / leg.flat_tau, 0, 1), np.clip((tau - leg.heel_off_tau) / (1 - leg.heel_off_tau), 0, 1)
    heel_phase = tau < leg.heel_off_tau
    pitch = np.where(heel_phase, np.radians(p.heel_strike_pitch_deg) * (1 - x_flat) ** 2 * (1 + x_flat),
                     np.radians(p.toe_off_pitch_deg) * x_off**2)
    heel_x = s.hs_heel_x_m[k]
    anchor_x = np.where(heel_phase, heel_x, heel_x + leg.shape.pivot_span_m)
    anchor_local = np.where(heel_phase[:, None], leg.shape.heel_pivot, leg.shape.toe_pivot)
    anchor = np.stack([anchor_x, np.zeros_like(anchor_x)], axis=-1)
    nan = ~in_stance
    anchor[nan], pitch[nan] = np.nan, np.nan
    return FootPose(anchor, anchor_local, pitch, in_stance)


def _pitch_rates(leg: LegGait, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sole pitch rates (rad/s) at the toe off ending stance k and at the heel strike starting stance k+1."""
    s, p = leg.schedule, leg.pattern
    stance_s = s.to_time_s - s.hs_time_s
    rate_to = 2 * np.radians(p.toe_off_pitch_deg) / ((1 - leg.heel_off_tau) * stance_s[k])
    rate_hs = -np.radians(p.heel_strike_pitch_deg) / (leg.flat_tau * stance_s[k + 1])
    return rate_to, rate_hs


def swing_pose(leg: LegGait, time_s: np.ndarray, pelvis_fn: Callable[[np.ndarray], np.ndarray]) -> FootPose:
    """Foot pose at times within a swing (NaN elsewhere), anchored at the heel contact point.

    The lowest point of the sole follows a clearance curve (zero at toe off and heel strike), lifted
    early in swing so that the knee flexion reaches ``pattern.knee_swing_deg`` given the pelvis path.
    """
    s, p, shape = leg.schedule, leg.pattern, leg.shape
    k = np.clip(s.stance_index(time_s), 0, len(s.hs_time_s) - 2)
    t0, t1 = s.to_time_s[k], s.hs_time_s[k + 1]
    in_swing = (time_s >= t0) & (time_s < t1)
    u = np.where(in_swing, (time_s - t0) / (t1 - t0), np.nan)
    pitch, heel_x = _swing_pitch_and_x(leg, k, u)
    lowest = softmin([np.zeros_like(pitch), shape.pivot_span_m * np.sin(pitch)], 0.002)
    lift = hermite(u, *_lift_knots(leg, k, pelvis_fn))
    anchor = np.stack([heel_x, lift - lowest], axis=-1)
    anchor_local = np.broadcast_to(shape.heel_pivot, anchor.shape)
    return FootPose(anchor, anchor_local, pitch, np.zeros_like(in_swing))


def _swing_pitch_and_x(leg: LegGait, k: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, p, span = leg.schedule, leg.pattern, leg.shape.pivot_span_m
    swing_s = s.hs_time_s[k + 1] - s.to_time_s[k]
    rate_to, rate_hs = _pitch_rates(leg, k)
    p_to, p_hs = np.radians(p.toe_off_pitch_deg), np.radians(p.heel_strike_pitch_deg)
    ones = np.ones_like(swing_s)
    pitch = hermite(
        u,
        np.stack([0 * ones, 0.5 * ones, ones], -1),
        np.stack([p_to * ones, 0.55 * p_hs * ones, p_hs * ones], -1),
        np.stack([rate_to * swing_s, (p_hs - p_to) * ones, rate_hs * swing_s], -1),
    )
    x0 = s.hs_heel_x_m[k] + span - span * np.cos(p_to)
    vx0 = rate_to * span * np.sin(p_to)
    heel_x = hermite(u, np.stack([0 * ones, ones], -1), np.stack([x0, s.hs_heel_x_m[k + 1]], -1),
                     np.stack([vx0 * swing_s, 0 * ones], -1))
    return pitch, heel_x


def _lift_knots(leg: LegGait, k: np.ndarray, pelvis_fn: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, ...]:
    """Clearance curve knots (u, height m, slope m/unit u) per sample, shape (N, 5) each."""
    s, body = leg.schedule, leg.body
    scale = leg.clearance_scale * body.height_m / 1.75
    swing_s = s.hs_time_s[k + 1] - s.to_time_s[k]
    g_mtc, g_late = 0.014 * scale, 0.035 * scale
    peak = _lift_for_knee_target(leg, np.unique(k), pelvis_fn)
    g_peak = np.interp(k, np.unique(k), peak) if peak.size else np.zeros_like(swing_s)
    ones = np.ones_like(swing_s)
    knots_u = np.stack([0 * ones, KNEE_PEAK_SWING_U * ones, 0.55 * ones, 0.8 * ones, ones], -1)
    knots_g = np.stack([0 * ones, np.maximum(g_peak, 0.03 * scale), g_mtc * ones, g_late * ones, 0 * ones], -1)
    impact_m_s = 0.12 * scale
    knots_dg = np.stack([0 * ones, 0 * ones, 0 * ones, 0 * ones, -impact_m_s * swing_s], -1)
    return knots_u, knots_g, knots_dg


def _lift_for_knee_target(leg: LegGait, swings: np.ndarray, pelvis_fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Lowest-point height at KNEE_PEAK_SWING_U of each swing that gives the target knee flexion."""
    s, body, shape = leg.schedule, leg.body, leg.shape
    t = s.to_time_s[swings] + KNEE_PEAK_SWING_U * (s.hs_time_s[swings + 1] - s.to_time_s[swings])
    u = np.full(t.shape, KNEE_PEAK_SWING_U)
    pitch, heel_x = _swing_pitch_and_x(leg, swings, u)
    ankle_off = rotate(shape.ankle - shape.heel_pivot, pitch)
    hip = pelvis_fn(t)
    reach = hip_ankle_distance(body.thigh, body.shank, np.radians(leg.pattern.knee_swing_deg))
    dx = heel_x + ankle_off[:, 0] - hip[:, 0]
    ankle_y = hip[:, 1] - np.sqrt(np.maximum(reach**2 - dx**2, 0.0))
    lowest = np.minimum(0.0, shape.pivot_span_m * np.sin(pitch))
    return np.clip(ankle_y - ankle_off[:, 1] + lowest, 0.0, 0.25 * body.height_m)


def merge_poses(a: FootPose, b: FootPose) -> FootPose:
    """Take ``a`` where it is defined, else ``b``."""
    use_a = np.isfinite(a.pitch_rad)
    pick = lambda x, y: np.where(use_a[:, None] if x.ndim == 2 else use_a, x, y)  # noqa: E731
    return FootPose(pick(a.anchor_m, b.anchor_m), pick(a.anchor_local, b.anchor_local),
                    pick(a.pitch_rad, b.pitch_rad), a.in_stance | b.in_stance)
