"""Rasterise the synthetic walker frame by frame (pure numpy; BGR uint8 frames like OpenCV's).

The figure is built from shaded capsules and ellipses placed on the exact landmark positions, so the
truth landmarks are where the drawing puts them: joint centres on the limb axes, the heel landmark
at the back of the rounded heel, foot_index at the toe tip, the nose at the tip of the nose.
Far-side limbs are darker and drawn behind the trunk; near-side limbs in front.
Phone-look options (``GaitParams``): the shutter averages sub-frame renders of the walker (landmarks
interpolated between frames) over scenery box-blurred by its own pan; grass blades are pasted back
over the soles; an occluder is drawn in front (not blurred); camera shake translates everything (the
truth moves with it, see ``simulate_walk``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Protocol, Sequence

import numpy as np

from core.synthetic.background import Background, make_background
from core.synthetic.camera import Camera
from core.synthetic.gait_model import GaitKinematics
from core.synthetic.params import Body, GaitParams
from core.synthetic.phone import draw_occluder, make_occluder, shake_offsets_px, shift_rows
from core.synthetic.raster import Canvas, draw_capsule, draw_ellipse
from core.synthetic.upper_body import near_side_of

_SKINS = ((224, 182, 150), (198, 148, 112), (160, 112, 80), (112, 76, 54), (236, 200, 170))
_HAIRS = ((40, 30, 24), (92, 60, 36), (20, 20, 22), (150, 110, 60), (120, 120, 120))
_SHIRTS = ((200, 40, 40), (40, 90, 190), (40, 140, 70), (230, 170, 30), (130, 50, 150), (30, 150, 160), (235, 235, 235))
_TROUSERS = ((40, 50, 80), (30, 30, 34), (90, 80, 70), (60, 70, 60), (110, 110, 130))
_SHOES = ((25, 25, 25), (240, 240, 240), (90, 60, 40), (180, 40, 40))
FOOTWEAR_KINDS: tuple[str, ...] = ("shoes", "sandals", "boots", "barefoot")
FAR_SIDE_SHADE = 0.7
SHUTTER_SAMPLES = 5  # sub-frame renders averaged over the shutter time


@dataclass(frozen=True)
class Look:
    """Colours (BGR float32, 0..255)."""

    skin: np.ndarray
    hair: np.ndarray
    shirt: np.ndarray
    trousers: np.ndarray
    shoes: np.ndarray
    footwear: str = "shoes"
    light_side: str = "left"  # the key light's image side (``GaitParams.light_side``)


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
    background = make_background(params.width_px, params.height_px, camera, rng, levels, params.ground, params.seed)
    if params.footwear == "varied":
        look = _vary_footwear(look, background.floor_rgb, np.random.default_rng([params.seed, 3]))
    look = replace(look, light_side=params.light_side)
    if params.noise_seed is not None:  # the noise alone from another stream; everything above as with ``seed``
        rng = np.random.default_rng([params.noise_seed, 8])
    return Scene(look, levels, background, _NoiseBank(params, rng), rng)


class OtherFigure(Protocol):
    """Another figure in the scene (``core.synthetic.people``): drawn before the walker when ``behind``."""

    behind: bool

    def draw(self, image: np.ndarray, i: int, levels: tuple[float, float]) -> None: ...


def _vary_footwear(look: Look, floor_rgb: tuple[float, float, float], rng: np.random.Generator) -> Look:
    """Another kind of footwear; half the time coloured close to the floor (low contrast at the sole)."""
    kind = str(FOOTWEAR_KINDS[rng.integers(len(FOOTWEAR_KINDS))])
    if rng.random() < 0.5:
        colour = np.clip(np.array(floor_rgb[::-1], np.float32) * rng.uniform(0.75, 1.1), 0, 255)
    else:
        colour = np.array(_SHOES[rng.integers(len(_SHOES))][::-1], np.float32)
    return replace(look, shoes=colour.astype(np.float32), footwear=kind)


def shutter_offsets(params: GaitParams) -> np.ndarray:
    """Sub-frame sample times (in frames, centred on the frame time) averaged for motion blur."""
    if params.shutter_s <= 0:
        return np.zeros(1)
    half = 0.5 * params.shutter_s * params.fps
    return np.linspace(-half, half, SHUTTER_SAMPLES)


def render_frames(kin: GaitKinematics, camera: Camera, params: GaitParams,
                  others: Sequence[OtherFigure] = ()) -> Iterator[np.ndarray]:
    """Yield the video's frames, (height_px, width_px, 3) uint8 BGR, one at a time."""
    scene = make_scene(params, camera)
    names = list(kin.points_m)
    pixels = np.stack([camera.to_image(kin.points_m[name]) for name in names], axis=1)  # (T, N, 2)
    body_px = Body(params.subject_height_m * camera.px_per_m)
    scroll = camera.scroll_px()
    near = near_side_of(params)
    shake = shake_offsets_px(params, pixels.shape[0])
    occluder = make_occluder(params, pixels[:, names.index("pelvis"), 0], camera.ground_row_px, body_px.height_m,
                             shake)
    if shake is not None:
        pixels = pixels + shake[:, None, :]
        scroll = scroll - shake[:, 0]
    offsets = shutter_offsets(params)
    background = blur_scenery(scene.background, scroll, params) if offsets.size > 1 else scene.background
    for i in range(kin.time_s.shape[0]):
        frame = background.frame(scroll[i])
        down_px = 0 if shake is None else int(round(shake[i, 1]))
        frame = shift_rows(frame, down_px)
        for other in (o for o in others if o.behind):
            other.draw(frame, i, scene.levels)
        if offsets.size == 1:
            draw_walker(frame, dict(zip(names, pixels[i])), body_px, scene.look, near, scene.levels,
                        camera.ground_row_px + (0.0 if shake is None else shake[i, 1]))
        else:
            _draw_blurred_walker(frame, names, pixels, i, offsets, body_px, scene, near, camera.ground_row_px,
                                 None if shake is None else shake[:, 1])
        for other in (o for o in others if not o.behind):
            other.draw(frame, i, scene.levels)
        background.paste_fringe(frame, scroll[i], down_px)
        if occluder is not None:
            draw_occluder(frame, occluder, i, scene.levels)
        scene.noise.add(frame, scene.rng)
        yield frame


def blur_scenery(background: Background, scroll_px: np.ndarray, params: GaitParams) -> Background:
    """The scenery strip box-blurred along x by its median motion during the shutter (a panning camera)."""
    step_px = float(np.median(np.abs(np.diff(scroll_px)))) if scroll_px.size > 1 else 0.0
    length = int(round(step_px * params.shutter_s * params.fps))
    if length < 2:
        return background
    strip, period = background.strip, background.period_px
    before, after = length // 2, length - length // 2 - 1
    cols = np.arange(-before, strip.shape[1] + after) % period  # the strip is periodic: wrap its ends
    csum = np.cumsum(strip[:, cols].astype(np.float32), axis=1)
    csum = np.concatenate([np.zeros_like(csum[:, :1]), csum], axis=1)
    blurred = (csum[:, length:] - csum[:, :-length]) / length
    return replace(background, strip=np.ascontiguousarray((blurred + 0.5).astype(np.uint8)))


def _draw_blurred_walker(frame: np.ndarray, names: list[str], pixels: np.ndarray, i: int, offsets: np.ndarray,
                         body_px: Body, scene: Scene, near: str, ground_row_px: float,
                         shake_y_px: np.ndarray | None) -> None:
    """Average of the walker drawn at the sub-frame times ``i + offsets`` (landmarks interpolated), in place.

    Only the box the walker sweeps during the shutter is rendered several times.
    """
    subs = []
    for offset in offsets:
        at = float(np.clip(i + offset, 0, pixels.shape[0] - 1))
        lo = min(int(np.floor(at)), pixels.shape[0] - 2) if pixels.shape[0] > 1 else 0
        frac = at - lo
        pts = pixels[lo] if frac == 0.0 else (1.0 - frac) * pixels[lo] + frac * pixels[lo + 1]
        ground = ground_row_px + (0.0 if shake_y_px is None else float(np.interp(at, np.arange(len(shake_y_px)),
                                                                                  shake_y_px)))
        subs.append((pts, ground))
    box_lo, box_hi = np.full(2, np.inf), np.full(2, -np.inf)
    for pts, ground in subs:
        lo, hi = walker_bounds(dict(zip(names, pts)), body_px, ground)
        box_lo, box_hi = np.minimum(box_lo, lo), np.maximum(box_hi, hi)
    h, w = frame.shape[:2]
    x0, y0 = max(int(np.floor(box_lo[0])), 0), max(int(np.floor(box_lo[1])), 0)
    x1, y1 = min(int(np.ceil(box_hi[0])) + 2, w), min(int(np.ceil(box_hi[1])) + 2, h)
    if x0 >= x1 or y0 >= y1:
        return
    empty = frame[y0:y1, x0:x1].copy()
    total = np.zeros(empty.shape, np.float32)
    origin = np.array([x0, y0], dtype=float)
    for pts, ground in subs:
        crop = empty.copy()
        draw_walker(crop, dict(zip(names, pts - origin)), body_px, scene.look, near, scene.levels, ground - y0)
        total += crop
    frame[y0:y1, x0:x1] = (total / len(subs) + 0.5).astype(np.uint8)


def walker_bounds(pts: dict[str, np.ndarray], b: Body, ground_row_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Image box (lo, hi) (x, y) that ``draw_walker`` may touch: the figure, its margin and its shadow."""
    stacked = np.array(list(pts.values()))
    shadow_at = np.array([pts["pelvis"][0], ground_row_px + 0.2 * b.heel_radius])
    shadow_size = np.array([0.16, 0.03]) * b.height_m
    lo = np.minimum(stacked.min(axis=0) - 0.08 * b.height_m, shadow_at - shadow_size)
    hi = np.maximum(stacked.max(axis=0) + 0.08 * b.height_m, shadow_at + shadow_size)
    return lo, hi


def draw_walker(image: np.ndarray, pts: dict[str, np.ndarray], b: Body, look: Look, near: str,
                levels: tuple[float, float], ground_row_px: float) -> None:
    """Draw the figure in place; ``pts`` are image positions (x, y) and ``b`` lengths are in pixels."""
    far = "left" if near == "right" else "right"
    shadow_at = np.array([pts["pelvis"][0], ground_row_px + 0.2 * b.heel_radius])
    canvas = Canvas(image, *walker_bounds(pts, b, ground_row_px), levels, look.light_side)
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
    foot = look.skin * shade if look.footwear in ("sandals", "barefoot") else shoes
    forefoot = p("toe_ball") + 0.4 * (p("heel_ball") - p("toe_ball"))
    draw_capsule(canvas, p("heel_ball"), p("toe_ball"), b.heel_radius, b.toe_radius, foot)
    draw_capsule(canvas, p("ankle"), p("heel_ball"), 0.022 * b.height_m, b.heel_radius, foot)
    draw_capsule(canvas, p("ankle"), forefoot, 0.02 * b.height_m, 1.5 * b.toe_radius, foot)
    if look.footwear == "sandals":
        draw_capsule(canvas, p("heel_pivot"), p("toe_pivot"), 0.006 * b.height_m, 0.005 * b.height_m, shoes)
        draw_capsule(canvas, p("ankle"), forefoot, 0.006 * b.height_m, 0.006 * b.height_m, shoes, shaded=False)
    draw_capsule(canvas, p("knee"), p("ankle"), b.shank_r0, b.shank_r1, trousers)
    if look.footwear == "boots":
        shaft_top = p("ankle") + 0.35 * (p("knee") - p("ankle"))
        draw_capsule(canvas, p("ankle"), shaft_top, 1.15 * b.shank_r1, 1.15 * b.shank_r1, shoes)
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
