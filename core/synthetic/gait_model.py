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
from core.synthetic.curves import hermite, hip_ankle_distance, smooth_below, smoothstep, two_link_knee
from core.synthetic.feet import (FootPose, LegGait, PelvisFn, design_pose, foot_shape, merge_poses, stance_index,
                                 stance_pose)
from core.synthetic.swing import plan_swings, swing_hip_rise_m, swing_pose
from core.synthetic.params import Body, GaitParams
from core.synthetic.timeline import LegSchedule, build_schedule, heel_strike_knots
from core.synthetic.upper_body import upper_body_points
from core.types import GaitEvent

PELVIS_BEHIND_HEEL_STEPS = 0.36  # pelvis X behind the striking heel, in step lengths
MIN_KNEE_FLEXION_DEG = 4.0
PELVIS_GRID_S, PELVIS_SMOOTH_S = 1e-3, 0.03


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
        side: LegGait(schedule[side], schedule[_other(side)], params.side_pattern(side), foot_shape(body), body,
                      params.pattern.clearance_scale)
        for side in SIDES
    }
    pelvis_fn = _pelvis_fn(legs, PELVIS_BEHIND_HEEL_STEPS * params.step_length)
    time_s = np.arange(params.n_frames) / params.fps
    pelvis = pelvis_fn(time_s)
    points: dict[str, np.ndarray] = {}
    angles: dict[str, np.ndarray] = {}
    contact: dict[str, np.ndarray] = {}
    slack = []
    for side, leg in legs.items():
        plan = plan_swings(leg, pelvis_fn)
        foot = merge_poses(stance_pose(leg, time_s, pelvis_fn), swing_pose(leg, plan, time_s, pelvis_fn))
        hip = pelvis + np.stack([np.zeros_like(time_s), swing_hip_rise_m(leg, plan, time_s)], axis=-1)
        ankle = foot.point(leg.shape.ankle)
        knee, leg_slack = two_link_knee(hip, ankle, body.thigh, body.shank)
        slack.append(leg_slack.min())
        points.update(_leg_points(side, hip, knee, ankle, foot, leg))
        angles[f"{side}_foot_pitch"] = foot.pitch_rad
        contact[side] = foot.in_stance
    upper_points, upper_angles = upper_body_points(params, body, pelvis, points, rng)
    points["pelvis"] = pelvis
    points.update(upper_points)
    angles.update(upper_angles)
    return GaitKinematics(
        time_s=time_s,
        points_m=points,
        angles_rad=angles,
        contact=contact,
        events=_events_in_video(schedule, params),
        schedule=schedule,
        body=body,
        reach_slack_min_m=float(min(slack)),
    )


def _pelvis_fn(legs: dict[str, LegGait], behind_m: float) -> PelvisFn:
    """Hip joint centre (N, 2) at any times (N,) of the schedule.

    X: smooth curve through (heel-strike time, heel X - behind_m). Y: the stance legs' design height,
    kept within reach of the loaded feet, smoothed on a fine time grid.
    """
    t_hs, x_hs = heel_strike_knots({side: leg.schedule for side, leg in legs.items()})
    x_hs = x_hs - behind_m
    slope = np.gradient(x_hs, t_hs)
    grid_s = np.arange(t_hs[0], t_hs[-1], PELVIS_GRID_S)
    grid_x = hermite(grid_s, t_hs, x_hs, slope)
    limit = np.min([_reach_height(leg, grid_s, grid_x) for leg in legs.values()], axis=0)
    grid_y = smooth_below(_pelvis_height(legs, grid_s, grid_x), limit, PELVIS_SMOOTH_S / PELVIS_GRID_S)

    def pelvis(time_s: np.ndarray) -> np.ndarray:
        return np.stack([hermite(time_s, t_hs, x_hs, slope), np.interp(time_s, grid_s, grid_y)], axis=-1)

    return pelvis


def _pelvis_height(legs: dict[str, LegGait], time_s: np.ndarray, pelvis_x: np.ndarray) -> np.ndarray:
    """Weighted over the stance legs of the pelvis height their normative knee flexion implies.

    A leg's weight rises through the double support after its heel strike and falls through the
    one before its toe off (the weights of both legs sum to one).
    """
    total = np.zeros_like(time_s)
    weight_sum = np.zeros_like(time_s)
    for leg in legs.values():
        s, other = leg.schedule, leg.other
        k, in_stance = stance_index(leg, time_s)
        hs, to = s.hs_time_s[k], s.to_time_s[k]
        other_to = other.to_time_s[np.clip(np.searchsorted(other.to_time_s, hs), 0, len(other.to_time_s) - 1)]
        other_hs = other.hs_time_s[np.clip(np.searchsorted(other.hs_time_s, to) - 1, 0, None)]
        w = smoothstep((time_s - hs) / (other_to - hs)) * (1.0 - smoothstep((time_s - other_hs) / (to - other_hs)))
        w = np.where(in_stance, w, 0.0)
        ankle = design_pose(leg, k, time_s).point(leg.shape.ankle)
        knee_rad = np.radians(leg.stance_knee_deg((time_s - hs) / (to - hs)))
        reach = hip_ankle_distance(leg.body.thigh, leg.body.shank, knee_rad)
        height = ankle[:, 1] + np.sqrt(np.maximum(reach**2 - (pelvis_x - ankle[:, 0]) ** 2, 0.0))
        total += np.where(in_stance, w * height, 0.0)
        weight_sum += w
    return total / np.maximum(weight_sum, 1e-9)


def _reach_height(leg: LegGait, time_s: np.ndarray, pelvis_x: np.ndarray) -> np.ndarray:
    """Highest pelvis (N,) keeping the foot within reach from heel strike to the other heel strike (inf elsewhere).

    Later (pre-swing) the foot's own angle adapts to the pelvis.
    """
    s, other = leg.schedule, leg.other
    k, in_stance = stance_index(leg, time_s)
    other_hs = other.hs_time_s[np.clip(np.searchsorted(other.hs_time_s, s.to_time_s[k]) - 1, 0, None)]
    ankle = design_pose(leg, k, time_s).point(leg.shape.ankle)
    reach = hip_ankle_distance(leg.body.thigh, leg.body.shank, np.radians(MIN_KNEE_FLEXION_DEG))
    height = ankle[:, 1] + np.sqrt(np.maximum(reach**2 - (pelvis_x - ankle[:, 0]) ** 2, 0.0))
    return np.where(in_stance & (time_s < other_hs), height, np.inf)


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
