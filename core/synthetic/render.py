"""Rasterise the synthetic walker frame by frame (pure numpy; BGR uint8 frames like OpenCV's).

The figure is built from shaded capsules and ellipses placed on the exact landmark positions, so the
truth landmarks are where the drawing puts them: joint centres on the limb axes, the heel landmark
at the back of the rounded heel, foot_index at the toe tip, the nose at the tip of the nose.
Far-side limbs are darker and drawn behind the trunk; near-side limbs in front.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

import numpy as np

from core.synthetic.background import Background, make_background
from core.synthetic.camera import Camera
from core.synthetic.gait_model import GaitKinematics
from core.synthetic.params import Body, GaitParams
from core.synthetic.raster import Canvas, draw_capsule, draw_ellipse
from core.synthetic.upper_body import near_side_of

_SKINS = ((224, 182, 150), (198, 148, 112), (160, 112, 80), (112, 76, 54), (236, 200, 170))
_HAIRS = ((40, 30, 24), (92, 60, 36), (20, 20, 22), (150, 110, 60), (120, 120, 120))
_SHIRTS = ((200, 40, 40), (40, 90, 190), (40, 140, 70), (230, 170, 30), (130, 50, 150), (30, 150, 160), (235, 235, 235))
_TROUSERS = ((40, 50, 80), (30, 30, 34), (90, 80, 70), (60, 70, 60), (110, 110, 130))
_SHOES = ((25, 25, 25), (240, 240, 240), (90, 60, 40), (180, 40, 40))
FAR_SIDE_SHADE = 0.7


@dataclass(frozen=True)
class Look:
    """Colours (BGR float32, 0..255)."""

    skin: np.ndarray
    hair: np.ndarray
    shirt: np.ndarray
    trousers: np.ndarray
    shoes: np.ndarray


def choose_look(rng: np.random.Generator) -> Look:
    pick = lambda options: np.array(options[rng.integers(len(options))][::-1], np.float32)  # noqa: E731
    return Look(pick(_SKINS), pick(_HAIRS), pick(_SHIRTS), pick(_TROUSERS), pick(_SHOES))


@dataclass
class Scene:
    """Everything fixed for one video: colours, scenery, noise and the random stream for noise offsets."""

    look: Look
    levels: tuple[float, float]
    background: Background
    noise: _NoiseBank
    rng: np.random.Generator


def make_scene(params: GaitParams, camera: Camera) -> Scene:
    rng = np.random.default_rng([params.seed, 1])
    look = choose_look(rng)
    margin = float(np.ceil(3 * params.noise) + 1) if params.noise > 0 else 0.0
    levels = (margin, 255.0 - margin)
    background = make_background(params.width_px, params.height_px, camera, rng, levels)
    return Scene(look, levels, background, _NoiseBank(params, rng), rng)


class OtherFigure(Protocol):
    """Another figure in the scene (``core.synthetic.people``): drawn before the walker when ``behind``."""

    behind: bool

    def draw(self, image: np.ndarray, i: int, levels: tuple[float, float]) -> None: ...


def render_frames(kin: GaitKinematics, camera: Camera, params: GaitParams,
                  others: Sequence[OtherFigure] = ()) -> Iterator[np.ndarray]:
    """Yield the video's frames, (height_px, width_px, 3) uint8 BGR, one at a time."""
    scene = make_scene(params, camera)
    pixels = {name: camera.to_image(points) for name, points in kin.points_m.items()}
    body_px = Body(params.subject_height_m * camera.px_per_m)
    scroll = camera.scroll_px()
    near = near_side_of(params)
    for i in range(kin.time_s.shape[0]):
        frame = scene.background.frame(scroll[i])
        for other in (o for o in others if o.behind):
            other.draw(frame, i, scene.levels)
        draw_walker(frame, {name: p[i] for name, p in pixels.items()}, body_px, scene.look, near, scene.levels,
                    camera.ground_row_px)
        for other in (o for o in others if not o.behind):
            other.draw(frame, i, scene.levels)
        scene.noise.add(frame, scene.rng)
        yield frame


def draw_walker(image: np.ndarray, pts: dict[str, np.ndarray], b: Body, look: Look, near: str,
                levels: tuple[float, float], ground_row_px: float) -> None:
    """Draw the figure in place; ``pts`` are image positions (x, y) and ``b`` lengths are in pixels."""
    far = "left" if near == "right" else "right"
    stacked = np.array(list(pts.values()))
    shadow_at = np.array([pts["pelvis"][0], ground_row_px + 0.2 * b.heel_radius])
    shadow_size = np.array([0.16, 0.03]) * b.height_m
    lo = np.minimum(stacked.min(axis=0) - 0.08 * b.height_m, shadow_at - shadow_size)
    hi = np.maximum(stacked.max(axis=0) + 0.08 * b.height_m, shadow_at + shadow_size)
    canvas = Canvas(image, lo, hi, levels)
    draw_ellipse(canvas, shadow_at, 0.14 * b.height_m, 0.018 * b.height_m, np.array([0.0, -1.0]),
                 np.zeros(3, np.float32), shaded=False, softness_px=max(2.0, 0.01 * b.height_m), opacity=0.3)
    _draw_arm(canvas, pts, far, b, look, FAR_SIDE_SHADE)
    _draw_leg(canvas, pts, far, b, look, FAR_SIDE_SHADE)
    _draw_trunk(canvas, pts, b, look)
    _draw_leg(canvas, pts, near, b, look, 1.0)
    _draw_head(canvas, pts, b, look, near)
    _draw_arm(canvas, pts, near, b, look, 1.0)
    canvas.commit()


def _draw_leg(canvas: Canvas, pts: dict[str, np.ndarray], side: str, b: Body, look: Look, shade: float) -> None:
    p = lambda name: pts[f"{side}_{name}"]  # noqa: E731
    shoes, trousers = look.shoes * shade, look.trousers * shade
    forefoot = p("toe_ball") + 0.4 * (p("heel_ball") - p("toe_ball"))
    draw_capsule(canvas, p("heel_ball"), p("toe_ball"), b.heel_radius, b.toe_radius, shoes)
    draw_capsule(canvas, p("ankle"), p("heel_ball"), 0.022 * b.height_m, b.heel_radius, shoes)
    draw_capsule(canvas, p("ankle"), forefoot, 0.02 * b.height_m, 1.5 * b.toe_radius, shoes)
    draw_capsule(canvas, p("knee"), p("ankle"), b.shank_r0, b.shank_r1, trousers)
    draw_capsule(canvas, p("hip"), p("knee"), b.thigh_r0, b.thigh_r1, trousers)


def _draw_arm(canvas: Canvas, pts: dict[str, np.ndarray], side: str, b: Body, look: Look, shade: float) -> None:
    p = lambda name: pts[f"{side}_{name}"]  # noqa: E731
    skin = look.skin * shade
    draw_capsule(canvas, p("wrist"), p("hand_tip"), b.hand_r, 0.75 * b.hand_r, skin)
    draw_capsule(canvas, p("elbow"), p("wrist"), b.forearm_r0, b.forearm_r1, skin)
    draw_capsule(canvas, p("shoulder"), p("elbow"), b.upper_arm_r0, b.upper_arm_r1, look.shirt * shade)


def _draw_trunk(canvas: Canvas, pts: dict[str, np.ndarray], b: Body, look: Look) -> None:
    hip, shoulder = pts["pelvis"], pts["right_shoulder"]
    up = (shoulder - hip) / (np.hypot(*(shoulder - hip)) + 1e-9)
    chest = shoulder - 0.035 * b.height_m * up
    draw_capsule(canvas, hip, chest, b.torso_r0, b.torso_r1, look.shirt)
    draw_capsule(canvas, hip - 0.01 * b.height_m * up, hip + 0.06 * b.height_m * up, 1.03 * b.torso_r0, b.torso_r0,
                 look.trousers)
    draw_capsule(canvas, pts["neck_base"], pts["neck_top"], b.neck_r, b.neck_r, look.skin * 0.92)


def _draw_head(canvas: Canvas, pts: dict[str, np.ndarray], b: Body, look: Look, near: str) -> None:
    center, h = pts["head_center"], b.height_m
    up = center - pts["neck_top"]
    up = up / (np.hypot(*up) + 1e-9)
    forward = np.array([-up[1], up[0]])
    if np.dot(forward, pts["nose"] - center) < 0:
        forward = -forward
    draw_ellipse(canvas, center + 0.008 * h * up - 0.01 * h * forward, b.head_rx, 0.97 * b.head_ry, up, look.hair)
    face_at = center + 0.004 * h * forward - 0.004 * h * up
    draw_ellipse(canvas, face_at, 0.92 * b.head_rx, 0.9 * b.head_ry, up, look.skin)
    draw_ellipse(canvas, center + 0.03 * h * up - 0.008 * h * forward, 0.9 * b.head_rx, 0.45 * b.head_ry, up,
                 look.hair)
    nose_root = center + 0.046 * h * forward + 0.008 * h * up
    draw_capsule(canvas, nose_root, pts["nose"] - 0.004 * h * forward, 0.007 * h, 0.004 * h, look.skin)
    draw_ellipse(canvas, pts[f"{near}_ear"], 0.011 * h, 0.017 * h, up, look.skin * 0.85)
    eye = pts[f"{near}_eye"]
    draw_ellipse(canvas, eye, 0.0055 * h, 0.0035 * h, up, np.array([235, 235, 235], np.float32), shaded=False)
    draw_ellipse(canvas, eye + 0.002 * h * forward, 0.0028 * h, 0.0028 * h, up, np.array([40, 30, 30], np.float32),
                 shaded=False)
    brow = eye + 0.009 * h * up
    draw_capsule(canvas, brow - 0.006 * h * forward, brow + 0.004 * h * forward, 0.0022 * h, 0.0018 * h, look.hair,
                 shaded=False)
    mouth = pts[f"mouth_{near}"]
    draw_capsule(canvas, mouth - 0.006 * h * forward, mouth + 0.004 * h * forward, 0.002 * h, 0.002 * h,
                 np.array([70, 70, 150], np.float32), shaded=False)


class _NoiseBank:
    """Gaussian camera noise: one precomputed block, added from a random offset each frame.

    Frame values stay within the noise margin of 0 and 255, so uint8 wrap-around addition is exact.
    """

    PAD = 4099  # offsets not a multiple of 3, so channels see different noise too

    def __init__(self, params: GaitParams, rng: np.random.Generator) -> None:
        self.sigma = params.noise
        if self.sigma <= 0:
            return
        size = params.height_px * params.width_px * 3 + self.PAD
        noise = np.clip(np.round(rng.normal(0.0, self.sigma, size=size)), -3 * self.sigma, 3 * self.sigma)
        self.bank = noise.astype(np.int8).view(np.uint8)

    def add(self, frame: np.ndarray, rng: np.random.Generator) -> None:
        if self.sigma <= 0:
            return
        flat = frame.reshape(-1)
        offset = int(rng.integers(0, self.PAD))
        np.add(flat, self.bank[offset: offset + flat.size], out=flat)
