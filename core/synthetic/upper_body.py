"""Trunk, head and arms of the synthetic walker (metres, X forward, Y up)."""

from __future__ import annotations

import numpy as np

from core.constants import SIDES
from core.synthetic.curves import rotate
from core.synthetic.params import Body, GaitParams

# Face landmarks in head-local coordinates, as fractions of body height (X forward, Y up from the
# head centre). The far-side eye/ear are hidden in a side view; they get near-side positions nudged.
_FACE_LOCAL: dict[str, tuple[float, float]] = {
    "nose": (0.066, -0.006),
    "eye_inner": (0.050, 0.010),
    "eye": (0.044, 0.011),
    "eye_outer": (0.037, 0.010),
    "ear": (-0.004, 0.0),
    "mouth": (0.050, -0.030),
}


def upper_body_points(params: GaitParams, body: Body, pelvis: np.ndarray, legs: dict[str, np.ndarray],
                      rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Points (name -> (T, 2)) and angles (name -> (T,), rad) of trunk, head and arms.

    Each arm swings forward as the opposite foot moves ahead of the same-side foot.
    """
    lean = np.radians(params.pattern.trunk_lean_deg + rng.uniform(-1.5, 1.5)) * np.ones(len(pelvis))
    up = np.stack([np.sin(lean), np.cos(lean)], axis=-1)
    shoulder = pelvis + body.trunk * up
    head_tilt = 0.4 * lean
    head_center = shoulder + rotate(np.array([body.head_forward, body.head_up]), head_tilt)
    points = {
        "neck_base": shoulder + 0.02 * body.height_m * up,
        "neck_top": shoulder + rotate(np.array([0.25 * body.head_forward, body.neck_up]), head_tilt),
        "head_center": head_center,
    }
    h = body.height_m
    near_side = near_side_of(params)
    for name, (fx, fy) in _FACE_LOCAL.items():
        by_side = {
            near_side: head_center + rotate(np.array([fx * h, fy * h]), head_tilt),
            _other(near_side): head_center + rotate(np.array([(fx + 0.004) * h, fy * h]), head_tilt),
        }
        if name == "nose":
            points["nose"] = by_side[near_side]
        elif name == "mouth":
            points["mouth_left"], points["mouth_right"] = by_side["left"], by_side["right"]
        else:
            points[f"left_{name}"], points[f"right_{name}"] = by_side["left"], by_side["right"]
    stride_m = 2.0 * params.step_length
    angles = {"trunk_lean": lean, "head_tilt": head_tilt}
    for side in SIDES:
        ahead_m = legs[f"{_other(side)}_ankle"][:, 0] - legs[f"{side}_ankle"][:, 0]
        lead = np.clip(ahead_m / (0.75 * stride_m), -1, 1)
        points.update(_arm_points(side, shoulder, lead, params, body))
        arm = points[f"{side}_elbow"] - shoulder
        angles[f"{side}_shoulder_flexion"] = np.arctan2(arm[:, 0], -arm[:, 1])
    return points, angles


def near_side_of(params: GaitParams) -> str:
    """The side facing the camera: walking left to right the camera sees the right side."""
    return "right" if params.direction == "left_to_right" else "left"


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _arm_points(side: str, shoulder: np.ndarray, lead: np.ndarray, params: GaitParams,
                body: Body) -> dict[str, np.ndarray]:
    """Arm chain; ``lead`` in [-1, 1] is how far the opposite leg is ahead (1: arm fully forward)."""
    pat = params.side_pattern(side)
    flex = np.radians(pat.arm_swing_deg * lead - 2.0)
    elbow_flex = np.radians(pat.elbow_flexion_deg + 0.6 * pat.arm_swing_deg * np.clip(lead, 0, 1))
    upper_dir = np.stack([np.sin(flex), -np.cos(flex)], axis=-1)
    fore_dir = np.stack([np.sin(flex + elbow_flex), -np.cos(flex + elbow_flex)], axis=-1)
    hand_dir = rotate(fore_dir, np.full(len(flex), np.radians(8.0)))
    elbow = shoulder + body.upper_arm * upper_dir
    wrist = elbow + body.forearm * fore_dir
    normal = rotate(hand_dir, np.full(len(flex), np.pi / 2))
    return {
        f"{side}_shoulder": shoulder.copy(),
        f"{side}_elbow": elbow,
        f"{side}_wrist": wrist,
        f"{side}_hand_tip": wrist + body.hand * hand_dir,
        f"{side}_index": wrist + 0.55 * body.hand * hand_dir + 0.15 * body.hand * normal,
        f"{side}_pinky": wrist + 0.5 * body.hand * hand_dir - 0.1 * body.hand * normal,
        f"{side}_thumb": wrist + 0.35 * body.hand * hand_dir + 0.3 * body.hand * normal,
    }
