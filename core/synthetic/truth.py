"""Ground truth of a synthetic video: landmarks in image pixels, events, gait parameters, joint angles."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from core.constants import LANDMARK_NAMES, NUM_LANDMARKS, SIDES
from core.synthetic.camera import Camera
from core.synthetic.gait_model import GaitKinematics
from core.synthetic.params import GaitParams
from core.synthetic.timeline import LegSchedule
from core.synthetic.upper_body import near_side_of
from core.types import GaitEvent, KeypointSeries

TRUTH_FORMAT = "synthetic-gait-truth/1"
# Landmarks drawn exactly where the truth puts them; face and hand points are approximate.
EXACT_LANDMARKS: tuple[str, ...] = tuple(
    f"{side}_{part}" for side in SIDES
    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
) + ("nose",)
ANGLE_DEFINITIONS = {
    "hip_flexion": "angle from the trunk's downward axis (shoulder->hip) to the thigh (hip->knee), + knee forward",
    "knee_flexion": "180 deg minus the hip-knee-ankle angle, + flexed",
    "ankle_dorsiflexion": "foot axis angle (heel landmark -> foot_index landmark) minus shank angle, 0 when "
                          "that axis is perpendicular to the shank (as core.gait.kinematics measures it; the sole "
                          "itself is ~2.5 deg more plantarflexed, by the foot's geometry)",
}


def build_truth(kin: GaitKinematics, camera: Camera, params: GaitParams, name: str = "") -> dict:
    """The truth record written beside a synthetic video (JSON-ready; arrays are numpy)."""
    pixels = {n: camera.to_image(kin.points_m[n]) for n in LANDMARK_NAMES}
    body = kin.body
    summary = gait_summary(kin.schedule, kin.time_s)
    return {
        "format": TRUTH_FORMAT,
        "name": name,
        "fps": params.fps,
        "n_frames": int(kin.time_s.shape[0]),
        "width": params.width_px,
        "height": params.height_px,
        "px_per_m": camera.px_per_m,
        "camera_mode": camera.mode,
        "camera_center_x_m": camera.center_x_m,  # world X (m) seen at column center_col_px, per frame
        "center_col_px": camera.center_col_px,
        "ground_row_px": camera.ground_row_px,
        "direction": params.direction,
        "near_side": near_side_of(params),
        "style": params.style,
        "params": asdict(params),
        "subject_height_m": params.subject_height_m,
        "leg_length_m": body.thigh + body.shank,
        "leg_length_px": (body.thigh + body.shank) * camera.px_per_m,
        "landmarks": pixels,
        "landmarks_world_m": {n: kin.points_m[n] for n in LANDMARK_NAMES},
        "exact_landmarks": list(EXACT_LANDMARKS),
        "events": [{"side": e.side, "event": e.event, "frame": e.frame, "time_s": e.time_s} for e in kin.events],
        **summary,
        "joint_angles_deg": joint_angles_deg(kin.points_m),
        "angle_definitions": ANGLE_DEFINITIONS,
    }


def gait_summary(schedule: dict[str, LegSchedule], time_s: np.ndarray) -> dict:
    """Cadence, step length, speed and stance/swing/double-support percentages of the strides in the video."""
    left, right = schedule["left"], schedule["right"]
    t0, t1 = time_s[0], time_s[-1]
    keep = (right.hs_time_s[:-1] < t1) & (right.hs_time_s[1:] > t0)
    if not keep.any():
        keep = np.abs(right.hs_time_s[:-1] - t0) == np.abs(right.hs_time_s[:-1] - t0).min()
    idx = np.nonzero(keep)[0]
    stride_s = right.hs_time_s[idx + 1] - right.hs_time_s[idx]
    left_step = left.hs_heel_x_m[idx] - right.hs_heel_x_m[idx]
    right_step = right.hs_heel_x_m[idx + 1] - left.hs_heel_x_m[idx]
    stance = {s: _stance_pct(schedule[s], idx) for s in SIDES}
    later = idx[idx > 0]
    double_s = (left.to_time_s[later - 1] - right.hs_time_s[later]) + (right.to_time_s[later] - left.hs_time_s[later])
    later_stride_s = right.hs_time_s[later + 1] - right.hs_time_s[later]
    double = float(100.0 * np.mean(double_s / later_stride_s)) if later.size else float("nan")
    stride_m = float(np.mean(left_step + right_step))
    return {
        "cadence_steps_per_min": float(120.0 / np.mean(stride_s)),
        "stride_time_s": float(np.mean(stride_s)),
        "stride_length_m": stride_m,
        "step_length_m": stride_m / 2.0,
        "step_length_m_by_side": {"left": float(np.mean(left_step)), "right": float(np.mean(right_step))},
        "walking_speed_m_s": stride_m / float(np.mean(stride_s)),
        "stance_pct": stance,
        "swing_pct": {s: 100.0 - stance[s] for s in SIDES},
        "double_support_pct": float(double),
    }


def _stance_pct(s: LegSchedule, idx: np.ndarray) -> float:
    idx = idx[idx + 1 < len(s.hs_time_s)]
    return float(100.0 * np.mean((s.to_time_s[idx] - s.hs_time_s[idx]) / (s.hs_time_s[idx + 1] - s.hs_time_s[idx])))


def joint_angles_deg(points_m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sagittal hip/knee/ankle angles per side, (T,) degrees (see ANGLE_DEFINITIONS)."""
    out = {}
    for side in SIDES:
        p = lambda name: points_m[f"{side}_{name}"]  # noqa: E731
        trunk = _segment_angle(p("shoulder"), p("hip"))
        thigh = _segment_angle(p("hip"), p("knee"))
        shank = _segment_angle(p("knee"), p("ankle"))
        foot = p("foot_index") - p("heel")
        out[f"{side}_hip_flexion"] = np.degrees(thigh - trunk)
        out[f"{side}_knee_flexion"] = np.degrees(thigh - shank)
        out[f"{side}_ankle_dorsiflexion"] = np.degrees(np.arctan2(foot[:, 1], foot[:, 0]) - shank)
    return out


def _segment_angle(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Angle of a segment pointing down from ``top`` to ``bottom``, from straight down, + forward (rad)."""
    d = bottom - top
    return np.arctan2(d[:, 0], -d[:, 1])


def truth_to_events(truth: dict) -> list[GaitEvent]:
    """The truth's gait events as ``GaitEvent`` objects, time-sorted."""
    events = [GaitEvent(e["side"], e["event"], int(e["frame"]), float(e["time_s"])) for e in truth["events"]]
    return sorted(events, key=lambda e: e.time_s)


def truth_to_series(truth: dict) -> KeypointSeries:
    """The truth landmarks as a pixel ``KeypointSeries`` (X = column, Y = height - row, NaN where not drawn)."""
    n = int(truth["n_frames"])
    positions = np.full((n, NUM_LANDMARKS, 3), np.nan)
    for j, name in enumerate(LANDMARK_NAMES):
        track = truth["landmarks"].get(name)
        if track is None:
            continue
        xy = np.array([[np.nan, np.nan] if p is None else [np.nan if v is None else v for v in p] for p in track],
                      dtype=float)
        positions[:, j, 0] = xy[:, 0]
        positions[:, j, 1] = float(truth["height"]) - xy[:, 1]
        positions[:, j, 2] = 0.0
    positions[np.isnan(positions[..., 0])] = np.nan
    confidence = np.where(np.isfinite(positions[..., 0]), 1.0, 0.0)
    return KeypointSeries(positions, np.arange(n) / float(truth["fps"]), confidence, units="px",
                          name=str(truth.get("name", "")), is_2d=True,
                          meta={"source": "synthetic", "camera_mode": truth.get("camera_mode"),
                                "px_per_m": truth.get("px_per_m")})
