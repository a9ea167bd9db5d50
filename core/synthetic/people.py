"""Other people in a synthetic scene: a bystander, a walker going the other way, one crossing in front.

A second figure never changes the walker: it has its own random stream (``[seed, 2]``), so the same
seed gives the same walker, events, camera, scenery and noise with or without it. Each figure lives at
its own depth: a scale ``px_per_m`` (smaller behind the walker, larger in front) and a ground row
(higher behind, lower in front). It moves in the image by its own walking plus the camera pan seen at
its depth. Figures behind the walker are drawn before it, figures in front after it.

Roles (``GaitParams.second_person``):
- "standing": idle sway about the ankles, feet still; behind or in front of the walker.
- "opposite": walks the other way behind the walker, passing it mid-video.
- "crossing": walks in front of the walker (either way, at a speed that makes it pass the walker
  in the image), hiding the walker for a while.
- "on_box": stands (idle sway) on a box near the wall, higher in the image than the walker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.synthetic.camera import Camera
from core.synthetic.gait_model import GaitKinematics, simulate_gait
from core.synthetic.params import Body, GaitParams
from core.synthetic.render import Look, choose_look, draw_walker

FOOT_PARTS = ("ankle", "heel", "foot_index", "heel_ball", "toe_ball", "heel_pivot", "toe_pivot")
LEG_PARTS = ("hip", "knee") + FOOT_PARTS
ARM_PARTS = ("shoulder", "elbow", "wrist", "hand_tip", "index", "pinky", "thumb")
WALL_DEPTH_M = 0.3  # the wall base lies this far (in walker-plane metres) above the walker's ground row
_BOX_RGB = (150, 112, 70)


@dataclass(frozen=True)
class SceneFigure:
    """One extra figure, ready to draw. points_px: name -> (T, 2) image px; box_px: (T, 4) x0, y0, x1, y1.

    prop_px: (T, 4) the box it stands on (x0, y0, x1, y1 px), or None.
    """

    role: str
    behind: bool
    points_px: dict[str, np.ndarray]
    body_px: Body
    look: Look
    near: str
    ground_row_px: float
    box_px: np.ndarray
    prop_px: np.ndarray | None = None

    def draw(self, image: np.ndarray, i: int, levels: tuple[float, float]) -> None:
        """Draw frame ``i`` of this figure (and its box) in place."""
        if self.prop_px is not None:
            _fill_box(image, self.prop_px[i], levels)
        if np.isnan(self.box_px[i, 0]):
            return
        pts = {name: p[i] for name, p in self.points_px.items()}
        draw_walker(image, pts, self.body_px, self.look, self.near, levels, self.ground_row_px)


def make_others(params: GaitParams, kin: GaitKinematics, camera: Camera) -> list[SceneFigure]:
    """The extra figures of ``params.second_person`` (an empty list for "none")."""
    if params.second_person == "none":
        return []
    rng = np.random.default_rng([params.seed, 2])
    look = replace(_distinct_look(rng, np.random.default_rng([params.seed, 1])), light_side=params.light_side)
    builder = {"standing": _standing, "opposite": _opposite, "crossing": _crossing, "on_box": _on_box}
    return [builder[params.second_person](params, kin, camera, rng, look)]


def figure_box_px(points_px: dict[str, np.ndarray], height_px: float, width: int, height: int) -> np.ndarray:
    """(T, 4) box around a drawn figure (x0, y0, x1, y1 px), clipped to the frame; NaN when out of view."""
    box = _unclipped_box(points_px, height_px)
    clipped = np.stack([np.clip(box[:, 0], 0, width), np.clip(box[:, 1], 0, height),
                        np.clip(box[:, 2], 0, width), np.clip(box[:, 3], 0, height)], axis=1)
    out_of_view = (clipped[:, 2] <= clipped[:, 0]) | (clipped[:, 3] <= clipped[:, 1])
    clipped[out_of_view] = np.nan
    return clipped


def visible_fraction(box_px: np.ndarray, points_px: dict[str, np.ndarray], height_px: float) -> np.ndarray:
    """(T,) share of the figure's unclipped box that lies inside the frame (its clipped ``box_px``)."""
    full = _unclipped_box(points_px, height_px)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    return np.clip(np.nan_to_num(area(box_px) / area(full)), 0.0, 1.0)


def _unclipped_box(points_px: dict[str, np.ndarray], height_px: float) -> np.ndarray:
    """From the model points padded by the drawing radii (torso and head reach ~0.07 height beyond them)."""
    stacked = np.stack(list(points_px.values()), axis=1)  # (T, N, 2)
    lo, hi = stacked.min(axis=1), stacked.max(axis=1)
    head_top = points_px["head_center"][:, 1] - 0.08 * height_px
    return np.stack([lo[:, 0] - 0.07 * height_px, np.minimum(lo[:, 1], head_top),
                     hi[:, 0] + 0.07 * height_px, hi[:, 1] + 0.02 * height_px], axis=1)


def overlap_fraction(box_px: np.ndarray, cover_px: np.ndarray) -> np.ndarray:
    """(T,) share of each ``box_px`` covered by ``cover_px`` (both (T, 4)); 0 where either is NaN."""
    w = np.minimum(box_px[:, 2], cover_px[:, 2]) - np.maximum(box_px[:, 0], cover_px[:, 0])
    h = np.minimum(box_px[:, 3], cover_px[:, 3]) - np.maximum(box_px[:, 1], cover_px[:, 1])
    area = (box_px[:, 2] - box_px[:, 0]) * (box_px[:, 3] - box_px[:, 1])
    return np.nan_to_num(np.clip(w, 0, None) * np.clip(h, 0, None) / area)


# --- roles -------------------------------------------------------------------------------------------


def _standing(params: GaitParams, kin: GaitKinematics, camera: Camera, rng: np.random.Generator,
              look: Look, on_box: bool = False) -> SceneFigure:
    behind = on_box or bool(rng.random() < 0.5)
    scale = _depth_scale(camera, rng, behind)
    facing = int(rng.choice([-1, 1]))
    second = _second_params(params, rng, facing, duration_s=2.0)
    points_m = standing_pose(simulate_gait(second), params.n_frames, params.fps, rng)
    ground = _ground_row(params, camera, rng, behind)
    prop = None
    t_ref = rng.uniform(0.3, 0.7) * (params.n_frames - 1) / params.fps if camera.mode == "tracking" else 0.0
    col_ref = rng.uniform(0.25, 0.75) * params.width_px
    if on_box:
        box_h_m, box_w_m = rng.uniform(0.9, 1.3), rng.uniform(0.8, 1.2)
        floor = camera.ground_row_px - rng.uniform(0.75, 0.9) * WALL_DEPTH_M * camera.px_per_m
        ground = floor - box_h_m * scale
        pan = _pan_px(camera, scale, t_ref, params.fps)
        half = 0.5 * box_w_m * scale
        prop = np.stack([col_ref - half - pan, np.full_like(pan, ground), col_ref + half - pan,
                         np.full_like(pan, floor)], axis=1)
    return _place(params, camera, points_m, second, scale, ground, facing, t_ref, col_ref,
                  "on_box" if on_box else "standing", behind, look, prop)


def _on_box(params: GaitParams, kin: GaitKinematics, camera: Camera, rng: np.random.Generator,
            look: Look) -> SceneFigure:
    return _standing(params, kin, camera, rng, look, on_box=True)


def _opposite(params: GaitParams, kin: GaitKinematics, camera: Camera, rng: np.random.Generator,
              look: Look) -> SceneFigure:
    return _passer(params, kin, camera, rng, look, "opposite", behind=True, same_way=False,
                   speed_m_s=rng.uniform(1.0, 1.4))


def _crossing(params: GaitParams, kin: GaitKinematics, camera: Camera, rng: np.random.Generator,
              look: Look) -> SceneFigure:
    """In front: the other way, or the same way at a speed that passes the walker in the image in about a second."""
    scale = _depth_scale(camera, rng, behind=False)
    pan_m_s = _pan_speed_m_s(camera, params.fps)
    walker_img_m_s = camera.px_per_m / scale * (params.walking_speed_m_s - pan_m_s)
    relative = rng.uniform(0.7, 1.0) * camera.px_per_m / scale  # image speed vs the walker, at its depth
    options = [pan_m_s + walker_img_m_s + relative, pan_m_s + walker_img_m_s - relative]
    options = [v for v in options if 0.45 <= v <= 1.8]
    if rng.random() < 0.5 or not options:
        return _passer(params, kin, camera, rng, look, "crossing", behind=False, same_way=False,
                       speed_m_s=rng.uniform(1.0, 1.4), scale=scale)
    return _passer(params, kin, camera, rng, look, "crossing", behind=False, same_way=True,
                   speed_m_s=float(rng.choice(options)), scale=scale)


def _passer(params: GaitParams, kin: GaitKinematics, camera: Camera, rng: np.random.Generator, look: Look,
            role: str, behind: bool, same_way: bool, speed_m_s: float, scale: float | None = None) -> SceneFigure:
    """A figure walking at ``speed_m_s`` that meets the walker's column mid-video."""
    scale = scale if scale is not None else _depth_scale(camera, rng, behind)
    facing = camera.direction_sign if same_way else -camera.direction_sign
    second = _second_params(params, rng, facing, params.duration_s, speed_m_s)
    kin2 = simulate_gait(second)
    ground = _ground_row(params, camera, rng, behind)
    ref = int(round(rng.uniform(0.35, 0.65) * (params.n_frames - 1)))
    col_ref = float(camera.to_image(kin.points_m["pelvis"])[ref, 0])
    return _place(params, camera, kin2.points_m, second, scale, ground, facing, ref / params.fps, col_ref, role,
                  behind, look, None)


# --- geometry ----------------------------------------------------------------------------------------


def standing_pose(kin: GaitKinematics, n_frames: int, fps: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """(T, 2) world points of a person standing still: feet together, swaying about the ankles.

    Taken from the walk's frame where the feet pass each other (right foot in stance), with the left leg
    and arm copied from the right ones; the body above the ankles tilts by about +-1.5 deg.
    """
    gap = np.abs(kin.points_m["left_ankle"][:, 0] - kin.points_m["right_ankle"][:, 0])
    gap = np.where(kin.contact["right"], gap, np.inf)
    i = int(np.argmin(gap))
    pose = {name: p[i].copy() for name, p in kin.points_m.items()}
    for part in LEG_PARTS + ARM_PARTS:
        pose[f"left_{part}"] = pose[f"right_{part}"].copy()
    t = np.arange(n_frames) / fps
    freq, phase = rng.uniform(0.15, 0.35), rng.uniform(0, 2 * np.pi, 2)
    tilt = np.radians(1.2 * np.sin(2 * np.pi * freq * t + phase[0])
                      + 0.4 * np.sin(2 * np.pi * 2.3 * freq * t + phase[1]))
    pivot = pose["right_ankle"]
    cos, sin = np.cos(tilt)[:, None], np.sin(tilt)[:, None]
    out = {}
    for name, p in pose.items():
        if any(name.endswith(part) for part in FOOT_PARTS):
            out[name] = np.tile(p, (n_frames, 1))
            continue
        d = p - pivot
        out[name] = pivot + np.concatenate([cos * d[0] - sin * d[1], sin * d[0] + cos * d[1]], axis=1)
    return out


def _place(params: GaitParams, camera: Camera, points_m: dict[str, np.ndarray], second: GaitParams, scale: float,
           ground: float, facing: int, t_ref_s: float, col_ref: float, role: str, behind: bool, look: Look,
           prop: np.ndarray | None) -> SceneFigure:
    """Image points: own motion (``facing`` = +1 rightward) + the camera pan at this depth, through ``col_ref``."""
    ref = int(np.clip(round(t_ref_s * params.fps), 0, params.n_frames - 1))
    pan = _pan_px(camera, scale, t_ref_s, params.fps)
    x_ref = points_m["pelvis"][ref, 0]
    pixels = {}
    for name, p in points_m.items():
        col = col_ref + facing * scale * (p[:, 0] - x_ref) - pan
        pixels[name] = np.stack([col, ground - scale * p[:, 1]], axis=-1)
    body = Body(second.subject_height_m * scale)
    box = figure_box_px(pixels, body.height_m, params.width_px, params.height_px)
    near = "right" if facing > 0 else "left"
    return SceneFigure(role, behind, pixels, body, look, near, ground, box, prop)


def _pan_px(camera: Camera, scale: float, t_ref_s: float, fps: float) -> np.ndarray:
    """(T,) image shift of world-fixed things at this depth since ``t_ref_s`` (subtract from the column)."""
    ref = int(np.clip(round(t_ref_s * fps), 0, len(camera.center_x_m) - 1))
    return camera.direction_sign * scale * (camera.center_x_m - camera.center_x_m[ref])


def _pan_speed_m_s(camera: Camera, fps: float) -> float:
    if len(camera.center_x_m) < 2:
        return 0.0
    return float((camera.center_x_m[-1] - camera.center_x_m[0]) * fps / (len(camera.center_x_m) - 1))


def _depth_scale(camera: Camera, rng: np.random.Generator, behind: bool) -> float:
    return camera.px_per_m * (rng.uniform(0.72, 0.88) if behind else rng.uniform(1.1, 1.25))


def _ground_row(params: GaitParams, camera: Camera, rng: np.random.Generator, behind: bool) -> float:
    """Feet row at the figure's depth: between the wall base and the walker behind, below the walker in front."""
    if behind:
        return camera.ground_row_px - rng.uniform(0.35, 0.75) * WALL_DEPTH_M * camera.px_per_m
    return camera.ground_row_px + rng.uniform(0.4, 0.8) * (params.height_px - 1 - camera.ground_row_px)


def _second_params(params: GaitParams, rng: np.random.Generator, facing: int, duration_s: float,
                   speed_m_s: float | None = None) -> GaitParams:
    height_m = rng.uniform(1.55, 1.9)
    cadence = float(np.clip(75.0 + 30.0 * (speed_m_s or 1.2), 90.0, 132.0)) + rng.uniform(-3, 3)
    step_m = None
    if speed_m_s is not None:  # tall enough for the step this speed needs
        step_m = max(60.0 * speed_m_s / cadence, 0.2)
        height_m = float(np.clip(max(height_m, step_m / 0.46), 1.0, 2.2))
        step_m = min(step_m, 0.48 * height_m)
    direction = "left_to_right" if facing > 0 else "right_to_left"
    return replace(params, cadence_steps_per_min=cadence, step_length_m=step_m, subject_height_m=height_m,
                   direction=direction, style="normal", duration_s=duration_s, seed=int(rng.integers(2**31)),
                   variability=0.02, second_person="none", walker_height_px=None)


def _distinct_look(rng: np.random.Generator, walker_rng: np.random.Generator) -> Look:
    """A look whose shirt differs from the walker's (the walker's look is drawn from its own stream)."""
    walker = choose_look(walker_rng)
    for _ in range(20):
        look = choose_look(rng)
        if not np.array_equal(look.shirt, walker.shirt):
            return look
    return look


def _fill_box(image: np.ndarray, box: np.ndarray, levels: tuple[float, float]) -> None:
    """A wooden box: flat front face with a lighter top edge (pixel rectangle, clipped to the frame)."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, x1, y0, y1 = max(x0, 0), min(x1, w), max(y0, 0), min(y1, h)
    if x0 >= x1 or y0 >= y1:
        return
    bgr = np.clip(np.array(_BOX_RGB[::-1], np.float32), *levels).astype(np.uint8)
    image[y0:y1, x0:x1] = bgr
    edge = max(2, (y1 - y0) // 12)
    image[y0:y0 + edge, x0:x1] = np.clip(bgr.astype(np.float32) * 1.25, *levels).astype(np.uint8)
    image[y0:y1, x0:x0 + edge] = np.clip(bgr.astype(np.float32) * 0.75, *levels).astype(np.uint8)


def people_truth(kin: GaitKinematics, camera: Camera, params: GaitParams, others: list[SceneFigure]) -> list[dict]:
    """Truth of who is where: the walker (id 0) then the others, each with per-frame boxes in px.

    box_px: (T, 4) x0, y0, x1, y1 clipped to the frame, NaN (null in JSON) when out of view;
    visible_frac: (T,) share of the figure's box inside the frame; the walker's occluded_frac: (T,) share
    of its box covered by the boxes of figures in front of it.
    """
    pixels = {name: camera.to_image(p) for name, p in kin.points_m.items()}
    height_px = params.subject_height_m * camera.px_per_m
    box = figure_box_px(pixels, height_px, params.width_px, params.height_px)
    occluded = np.zeros(len(box))
    for other in others:
        if not other.behind:
            occluded = np.maximum(occluded, overlap_fraction(box, other.box_px))
    people = [{"id": 0, "role": "walker", "depth": "walker", "height_px": height_px, "box_px": box,
               "visible_frac": visible_fraction(box, pixels, height_px), "occluded_frac": occluded}]
    for k, other in enumerate(others, start=1):
        entry = {"id": k, "role": other.role, "depth": "behind" if other.behind else "in_front",
                 "height_px": other.body_px.height_m, "box_px": other.box_px,
                 "visible_frac": visible_fraction(other.box_px, other.points_px, other.body_px.height_m)}
        if other.prop_px is not None:
            entry["prop_box_px"] = other.prop_px
        people.append(entry)
    return people
