"""Stance feet: a rigid foot that rocks over its heel, lies flat, then rocks over its toe, never sliding.

Foot-local frame: X along the sole toward the toes, Y up, origin at the back of the sole. The heel
contact point is fixed on the ground from heel strike to heel off, the toe contact point from foot
flat to toe off. Until the other foot strikes, the sole angle follows a prescribed curve; in the
final double support (pre-swing) it is solved so that the knee follows its normative flexion curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.synthetic.curves import hermite, hip_ankle_distance, rotate, smoothstep
from core.synthetic.params import Body, SidePattern
from core.synthetic.timeline import LegSchedule

FOOT_FLAT_FRAC = 0.08  # foot flat, as a fraction of the gait cycle
PelvisFn = Callable[[np.ndarray], np.ndarray]  # times (N,) -> hip joint centre (N, 2)


@dataclass(frozen=True)
class FootShape:
    """Foot geometry in foot-local metres (see module doc)."""

    heel_pivot: np.ndarray
    toe_pivot: np.ndarray
    heel_point: np.ndarray  # back-bottom of the heel's rounded end (the heel landmark)
    toe_point: np.ndarray  # toe tip (the foot_index landmark)
    heel_ball: np.ndarray  # centre of the heel's rounded end
    toe_ball: np.ndarray
    ankle: np.ndarray

    @property
    def pivot_span_m(self) -> float:
        return float(self.toe_pivot[0] - self.heel_pivot[0])


def foot_shape(body: Body) -> FootShape:
    rh, rt, length = body.heel_radius, body.toe_radius, body.foot_length
    return FootShape(
        heel_pivot=np.array([rh, 0.0]),
        toe_pivot=np.array([length - rt, 0.0]),
        heel_point=np.array([rh * (1 - np.sqrt(0.5)), rh * (1 - np.sqrt(0.5))]),
        toe_point=np.array([length, rt]),
        heel_ball=np.array([rh, rh]),
        toe_ball=np.array([length - rt, rt]),
        ankle=np.array([body.ankle_forward, body.ankle_height]),
    )


@dataclass(frozen=True)
class FootPose:
    """Foot pose per sample: world point ``anchor_m`` (N, 2) is foot-local ``anchor_local`` (N, 2)."""

    anchor_m: np.ndarray
    anchor_local: np.ndarray
    pitch_rad: np.ndarray  # sole angle to the ground, toes up > 0
    in_stance: np.ndarray

    def point(self, local: np.ndarray) -> np.ndarray:
        """World position (N, 2) of a foot-local point."""
        return self.anchor_m + rotate(local - self.anchor_local, self.pitch_rad)


@dataclass(frozen=True)
class LegGait:
    """One leg: its schedule, the other leg's, its pattern and body geometry."""

    schedule: LegSchedule
    other: LegSchedule
    pattern: SidePattern
    shape: FootShape
    body: Body
    clearance_scale: float

    @property
    def flat_tau(self) -> float:
        return min(FOOT_FLAT_FRAC / self.pattern.stance_frac, 0.3)

    @property
    def heel_off_tau(self) -> float:
        return float(np.clip(self.pattern.heel_off_frac / self.pattern.stance_frac, self.flat_tau + 0.1, 0.85))

    def stance_knee_deg(self, tau: np.ndarray) -> np.ndarray:
        """Normative stance knee flexion (deg) over the stance fraction tau in [0, 1]."""
        s, load = self.pattern.stance_frac, self.pattern.knee_loading_deg
        toe_off = 38.0 * (0.5 + 0.5 * self.pattern.knee_swing_deg / 62.0)
        t_load, t_mid = min(0.15 / s, 0.35), min(0.42 / s, 0.8)
        return hermite(tau, np.array([0.0, t_load, t_mid, 1.0]), np.array([5.0, load, 5.0, toe_off]),
                       np.array([1.5 * (load - 5.0) / t_load, 0.0, 0.0, 1.6 * (toe_off - 5.0) / (1.0 - t_mid)]))


def stance_index(leg: LegGait, time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stance index k, in-stance mask) per time."""
    s = leg.schedule
    k = np.clip(s.stance_index(time_s), 0, len(s.hs_time_s) - 2)
    return k, (time_s >= s.hs_time_s[k]) & (time_s < s.to_time_s[k])


def design_pose(leg: LegGait, k: np.ndarray, time_s: np.ndarray) -> FootPose:
    """Stance k's foot with the prescribed sole angle (times may lie outside the stance)."""
    s, p = leg.schedule, leg.pattern
    tau = (time_s - s.hs_time_s[k]) / (s.to_time_s[k] - s.hs_time_s[k])
    x_flat = np.clip(tau / leg.flat_tau, 0, 1)
    x_off = np.clip((tau - leg.heel_off_tau) / (1 - leg.heel_off_tau), 0, 1)
    heel_phase = tau < leg.heel_off_tau
    pitch = np.where(heel_phase, np.radians(p.heel_strike_pitch_deg) * (1 - x_flat) ** 2 * (1 + x_flat),
                     np.radians(p.toe_off_pitch_deg) * x_off**2 * (2 - x_off))
    heel_x = s.hs_heel_x_m[k]
    anchor_x = np.where(heel_phase, heel_x, heel_x + leg.shape.pivot_span_m)
    anchor = np.stack([anchor_x, np.zeros_like(anchor_x)], axis=-1)
    anchor_local = np.where(heel_phase[:, None], leg.shape.heel_pivot, leg.shape.toe_pivot)
    return FootPose(anchor, anchor_local, pitch, np.ones(time_s.shape, dtype=bool))


def stance_pose_k(leg: LegGait, k: np.ndarray, time_s: np.ndarray, pelvis_fn: PelvisFn) -> FootPose:
    """Stance k's foot; in pre-swing the sole angle lets the knee follow ``stance_knee_deg``."""
    s = leg.schedule
    pose = design_pose(leg, k, time_s)
    hs, to = s.hs_time_s[k], s.to_time_s[k]
    other_hs = leg.other.hs_time_s[np.clip(np.searchsorted(leg.other.hs_time_s, to) - 1, 0, None)]
    blend = smoothstep((time_s - other_hs) / (0.3 * (to - other_hs)))
    tau = (time_s - hs) / (to - hs)
    pre = (blend > 0) & (tau >= leg.heel_off_tau)  # only while the foot rocks over its toe
    if not pre.any():
        return pose
    tau = tau[pre]
    knee_rad = np.radians(leg.stance_knee_deg(tau))
    solved = _toe_rocker_pitch(leg, pose.anchor_m[pre], pelvis_fn(time_s[pre]), knee_rad)
    pitch = pose.pitch_rad.copy()
    pitch[pre] += blend[pre] * (solved - pitch[pre])
    return FootPose(pose.anchor_m, pose.anchor_local, pitch, pose.in_stance)


def _toe_rocker_pitch(leg: LegGait, toe_m: np.ndarray, hip_m: np.ndarray, knee_rad: np.ndarray) -> np.ndarray:
    """Sole angle rotating about the toe contact that puts the ankle at the knee-given hip distance."""
    shape, body = leg.shape, leg.body
    arm_local = shape.ankle - shape.toe_pivot
    arm = float(np.hypot(*arm_local))
    reach = hip_ankle_distance(body.thigh, body.shank, knee_rad)
    delta = hip_m - toe_m
    dist = np.linalg.norm(delta, axis=-1)
    unit = delta / dist[:, None]
    along = np.clip((arm**2 - reach**2 + dist**2) / (2 * dist), -arm, arm)
    across = np.sqrt(np.maximum(arm**2 - along**2, 0.0))
    # The solution behind the toe-hip line is the one with the heel up.
    ankle_rel = along[:, None] * unit + across[:, None] * np.stack([-unit[:, 1], unit[:, 0]], axis=-1)
    return np.arctan2(ankle_rel[:, 1], ankle_rel[:, 0]) - np.arctan2(arm_local[1], arm_local[0])


def stance_pose(leg: LegGait, time_s: np.ndarray, pelvis_fn: PelvisFn) -> FootPose:
    """Foot pose at the times within a stance (NaN elsewhere)."""
    k, in_stance = stance_index(leg, time_s)
    pose = stance_pose_k(leg, k, time_s, pelvis_fn)
    anchor, pitch = pose.anchor_m.copy(), pose.pitch_rad.copy()
    anchor[~in_stance], pitch[~in_stance] = np.nan, np.nan
    return FootPose(anchor, pose.anchor_local, pitch, in_stance)


def merge_poses(a: FootPose, b: FootPose) -> FootPose:
    """Take ``a`` where it is defined, else ``b``."""
    use_a = np.isfinite(a.pitch_rad)
    return FootPose(np.where(use_a[:, None], a.anchor_m, b.anchor_m),
                    np.where(use_a[:, None], a.anchor_local, b.anchor_local),
                    np.where(use_a, a.pitch_rad, b.pitch_rad), a.in_stance | b.in_stance)
