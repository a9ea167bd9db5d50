"""Kinematic sagittal gait model: exact landmark paths and gait events of a synthetic walker.

World frame: metres, X forward (walking direction), Y up, ground at Y = 0. Both legs and arms lie
in the sagittal plane (the far-side ones are hidden behind the near-side ones by the renderer).
The feet follow the event schedule without sliding (``feet``); the pelvis height follows the
stance legs' normative knee flexion curves (blended through double support and kept within reach of
both feet); knees come from two-link inverse kinematics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import SIDES
from core.synthetic.curves import hermite, hip_ankle_distance, smoothstep, softmin, two_link_knee
from core.synthetic.feet import FootPose, LegGait, foot_shape, merge_poses, stance_pose, swing_pose
from core.synthetic.params import Body, GaitParams
from core.synthetic.timeline import LegSchedule, build_schedule, heel_strike_knots
from core.synthetic.upper_body import upper_body_points
from core.types import GaitEvent

PELVIS_BEHIND_HEEL_STEPS = 0.52  # pelvis X behind the striking heel, in step lengths
MIN_KNEE_FLEXION_DEG = 2.0


@dataclass(frozen=True)
class GaitKinematics:
    """Model output. points_m: name -> (T, 2) metres; angles_rad: name -> (T,); contact: side -> (T,) stance."""

    time_s: np.ndarray
    points_m: dict[str, np.ndarray]
    angles_rad: dict[str, np.ndarray]
    contact: dict[str, np.ndarray]
    events: list[GaitEvent]
    schedule: dict[str, LegSchedule]
    body: Body
    reach_slack_min_m: float


def simulate_gait(params: GaitParams) -> GaitKinematics:
    """Landmark paths at the video's frame times ``arange(n_frames) / fps``."""
    rng = np.random.default_rng(params.seed)
    body = Body(params.subject_height_m)
    schedule = build_schedule(params, rng)
    legs = {
        side: LegGait(schedule[side], params.side_pattern(side), foot_shape(body), body, params.pattern.clearance_scale)
        for side in SIDES
    }
    pelvis_x = _pelvis_x_fn(schedule, PELVIS_BEHIND_HEEL_STEPS * params.step_length)

    def pelvis_design(t: np.ndarray) -> np.ndarray:
        return np.stack([pelvis_x(t), _pelvis_height(legs, t, pelvis_x(t))], axis=-1)

    time_s = np.arange(params.n_frames) / params.fps
    feet = {side: merge_poses(stance_pose(leg, time_s), swing_pose(leg, time_s, pelvis_design)) for side, leg in legs.items()}
    pelvis = pelvis_design(time_s)
    pelvis[:, 1] = softmin([pelvis[:, 1]] + [_reach_height(legs[s], feet[s], pelvis[:, 0]) for s in SIDES],
                           0.004 * body.height_m / 1.75)
    points: dict[str, np.ndarray] = {}
    slack = []
    for side, leg in legs.items():
        ankle = feet[side].point(leg.shape.ankle)
        knee, leg_slack = two_link_knee(pelvis, ankle, body.thigh, body.shank)
        slack.append(leg_slack.min())
        points.update(_leg_points(side, pelvis, knee, ankle, feet[side], leg))
    angles = {f"{side}_foot_pitch": feet[side].pitch_rad for side in SIDES}
    upper_points, upper_angles = upper_body_points(params, body, pelvis, points, rng)
    points.update(upper_points)
    angles.update(upper_angles)
    return GaitKinematics(
        time_s=time_s,
        points_m=points,
        angles_rad=angles,
        contact={side: feet[side].in_stance for side in SIDES},
        events=_events_in_video(schedule, params),
        schedule=schedule,
        body=body,
        reach_slack_min_m=float(min(slack)),
    )


def _pelvis_x_fn(schedule: dict[str, LegSchedule], behind_m: float):
    """Pelvis X(t): smooth curve through (heel-strike time, heel X - behind_m) of both legs."""
    t, x = heel_strike_knots(schedule)
    x = x - behind_m
    slope = np.gradient(x, t)
    return lambda time_s: hermite(time_s, t, x, slope)


def _stance_knee_deg(leg: LegGait, tau: np.ndarray) -> np.ndarray:
    """Normative stance knee flexion (deg) over the stance fraction tau in [0, 1]."""
    s, load = leg.pattern.stance_frac, leg.pattern.knee_loading_deg
    t_load, t_mid = min(0.15 / s, 0.35), min(0.42 / s, 0.8)
    return hermite(tau, np.array([0.0, t_load, t_mid, 1.0]), np.array([3.0, load, 5.0, 35.0]),
                   np.array([1.5 * (load - 3.0) / t_load, 0.0, 0.0, 1.6 * 30.0 / (1.0 - t_mid)]))


def _pelvis_height(legs: dict[str, LegGait], time_s: np.ndarray, pelvis_x: np.ndarray) -> np.ndarray:
    """Pelvis height: weighted over the stance legs of the height their knee curve implies."""
    total = np.zeros_like(time_s)
    weight_sum = np.zeros_like(time_s)
    for side, leg in legs.items():
        other = legs[_other(side)].schedule
        pose = stance_pose(leg, time_s)
        s = leg.schedule
        k = np.clip(s.stance_index(time_s), 0, len(s.hs_time_s) - 1)
        hs, to = s.hs_time_s[k], s.to_time_s[k]
        other_to = other.to_time_s[np.clip(np.searchsorted(other.to_time_s, hs), 0, len(other.to_time_s) - 1)]
        other_hs = other.hs_time_s[np.clip(np.searchsorted(other.hs_time_s, to) - 1, 0, len(other.hs_time_s) - 1)]
        w = smoothstep((time_s - hs) / (other_to - hs)) * (1.0 - smoothstep((time_s - other_hs) / (to - other_hs)))
        w = np.where(pose.in_stance, w, 0.0)
        tau = (time_s - hs) / (to - hs)
        ankle = pose.point(leg.shape.ankle)
        reach = hip_ankle_distance(leg.body.thigh, leg.body.shank, np.radians(_stance_knee_deg(leg, tau)))
        height = ankle[:, 1] + np.sqrt(np.maximum(reach**2 - (pelvis_x - ankle[:, 0]) ** 2, 0.0))
        total += np.where(pose.in_stance, w * height, 0.0)
        weight_sum += w
    return total / np.maximum(weight_sum, 1e-9)


def _reach_height(leg: LegGait, foot: FootPose, pelvis_x: np.ndarray) -> np.ndarray:
    """Highest pelvis height (T,) that keeps this leg's ankle within reach (knee >= the minimum flexion)."""
    ankle = foot.point(leg.shape.ankle)
    reach = hip_ankle_distance(leg.body.thigh, leg.body.shank, np.radians(MIN_KNEE_FLEXION_DEG))
    return ankle[:, 1] + np.sqrt(np.maximum(reach**2 - (pelvis_x - ankle[:, 0]) ** 2, 0.0))


def _leg_points(side: str, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, foot: FootPose,
                leg: LegGait) -> dict[str, np.ndarray]:
    shape = leg.shape
    return {
        f"{side}_hip": hip.copy(),
        f"{side}_knee": knee,
        f"{side}_ankle": ankle,
        f"{side}_heel": foot.point(shape.heel_point),
        f"{side}_foot_index": foot.point(shape.toe_point),
        f"{side}_heel_ball": foot.point(shape.heel_ball),
        f"{side}_toe_ball": foot.point(shape.toe_ball),
        f"{side}_heel_pivot": foot.point(shape.heel_pivot),
        f"{side}_toe_pivot": foot.point(shape.toe_pivot),
    }


def _events_in_video(schedule: dict[str, LegSchedule], params: GaitParams) -> list[GaitEvent]:
    last_s = (params.n_frames - 1) / params.fps
    events = []
    for side, s in schedule.items():
        for kind, times in (("heel_strike", s.hs_time_s), ("toe_off", s.to_time_s)):
            for t in times[(times >= 0.0) & (times <= last_s)]:
                events.append(GaitEvent(side, kind, int(round(t * params.fps)), float(t)))
    return sorted(events, key=lambda e: e.time_s)


def _other(side: str) -> str:
    return "left" if side == "right" else "right"
