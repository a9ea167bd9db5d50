"""Parameters of a synthetic walk: the user's ``GaitParams`` and the per-style gait patterns."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.constants import SIDES
from core.errors import ConfigError

DIRECTIONS: tuple[str, str] = ("left_to_right", "right_to_left")
CAMERA_MODES: tuple[str, ...] = ("auto", "static", "tracking")
GROUNDS: tuple[str, ...] = ("tiles", "grass", "asphalt")
FOOTWEAR: tuple[str, ...] = ("shoes", "varied")
LOOKS: tuple[str, ...] = ("clean", "phone")
SECOND_PERSON_ROLES: tuple[str, ...] = ("none", "standing", "opposite", "crossing", "on_box")
LIGHT_SIDES: tuple[str, str] = ("left", "right")


@dataclass(frozen=True)
class SidePattern:
    """Per-leg gait pattern. Angles in degrees; ``stance_frac`` of the leg's own gait cycle."""

    stance_frac: float
    step_ratio: float  # this leg's step length / mean step length
    knee_loading_deg: float  # knee flexion peak in loading response
    knee_swing_deg: float  # target knee flexion peak in swing
    heel_strike_pitch_deg: float  # foot sole angle to the ground at heel strike (toes up > 0)
    toe_off_pitch_deg: float  # sole angle at toe off (heel up < 0)
    heel_off_frac: float  # heel rise, as a fraction of the cycle
    arm_swing_deg: float  # shoulder flexion amplitude
    elbow_flexion_deg: float  # mean elbow flexion
    swing_ankle_deg: float  # ankle dorsiflexion early in swing (< 0: drop foot)
    swing_hip_rise_frac: float  # swing-side hip rise mid swing (hip hiking > 0, pelvic drop < 0), x height
    hip_hike_share: float = 0.0  # share of the foot lift needed for ground clearance done by hip hiking


@dataclass(frozen=True)
class StylePattern:
    """A walking style: typical cadence/step, the affected and the other leg, posture."""

    cadence_steps_per_min: float
    step_length_per_height: float
    affected: SidePattern
    other: SidePattern
    trunk_lean_deg: float
    clearance_scale: float  # swing foot clearance relative to normal gait


_NORMAL_SIDE = SidePattern(0.61, 1.0, 17.0, 62.0, 18.0, -50.0, 0.38, 16.0, 22.0, 0.0, -0.004)

STYLES: dict[str, StylePattern] = {
    "normal": StylePattern(108.0, 0.37, _NORMAL_SIDE, _NORMAL_SIDE, 4.0, 1.0),
    # Paretic leg: short stance, long step, stiff knee, flat-foot landing, arm held flexed.
    "hemiparetic": StylePattern(
        86.0, 0.26,
        SidePattern(0.55, 1.18, 6.0, 36.0, 3.0, -14.0, 0.30, 3.0, 85.0, 0.0, 0.01, 0.6),
        SidePattern(0.70, 1.0, 15.0, 56.0, 14.0, -30.0, 0.45, 14.0, 24.0, 0.0, -0.003),
        7.0, 1.3,
    ),
    # Short, flat, quick steps with little knee motion and a stooped trunk.
    "shuffling": StylePattern(
        128.0, 0.19,
        SidePattern(0.66, 1.0, 9.0, 34.0, 4.0, -14.0, 0.45, 6.0, 35.0, 8.0, 0.0),
        SidePattern(0.66, 1.0, 9.0, 34.0, 4.0, -14.0, 0.45, 6.0, 35.0, 8.0, 0.0),
        14.0, 0.45,
    ),
    # Painful leg: short stance (so the sound leg's step is short), reduced knee motion.
    "antalgic": StylePattern(
        96.0, 0.30,
        SidePattern(0.52, 1.14, 9.0, 50.0, 9.0, -22.0, 0.36, 10.0, 26.0, 0.0, 0.0),
        SidePattern(0.66, 1.0, 17.0, 58.0, 16.0, -32.0, 0.44, 15.0, 22.0, 0.0, -0.004),
        6.0, 0.9,
    ),
}


@dataclass(frozen=True)
class GaitParams:
    """What to generate. ``None`` cadence/step length means the style's typical value.

    noise: standard deviation of the Gaussian camera noise, in 8-bit grey levels.
    noise_seed: draw that noise from this seed instead of ``seed`` (None: from ``seed``, as before). The same
        walk, scenery and figures with other camera noise: how far the pose model's answer to pixel noise alone
        moves a score (docs/walker.md, "Session 17").
    variability: stride-to-stride coefficient of variation of stride time and step length.
    camera: "auto" (static if the whole walk fits the frame, else tracking), "static", "tracking".

    Phone-footage effects (all off by default, so older renders stay bit-identical; ``with_look``
    sets them together): shutter_s, exposure time for motion blur (0: instantaneous; 1/60 s is a
    phone's indoor shutter); bitrate_mbps, H.264 (libx264) bitrate of the written video (0: the
    default writer); ground, "tiles", or "grass"/"asphalt" whose texture hides the sole's lower edge;
    footwear, "shoes" or "varied" (sandals, boots, barefoot, colours near the ground's);
    occluder, a pole or bush passing in front of the walker once; shake_px, RMS image translation
    per axis of a handheld camera (the truth landmarks move with it).
    second_person: another figure in the scene (see ``core.synthetic.people``): "none", "standing"
        (idle sway, behind or in front), "opposite" (walks the other way, behind), "crossing" (walks the
        other way in front, occluding the walker for a while), "on_box" (stands on a box behind, higher up).
        It never changes the walker: the same seed gives the same walker, events and camera.
    walker_height_px: the standing walker's height in pixels (overrides ``figure_height_frac`` for the
        scale; the ground row still follows ``figure_height_frac``).
    light_side: the image side ("left" or "right") of the key light at the upper front that shades the
        figures. With the light on the left a walker going left is lit from the front and one going right
        from behind, which the pose model does not see alike (docs/walker.md, "Session 18: walkers going left").
    """

    cadence_steps_per_min: float | None = None
    step_length_m: float | None = None
    subject_height_m: float = 1.75
    direction: str = "left_to_right"
    style: str = "normal"
    fps: float = 30.0
    width_px: int = 640
    height_px: int = 480
    duration_s: float = 10.0
    seed: int = 0
    noise: float = 0.0
    noise_seed: int | None = None
    variability: float = 0.0
    affected_side: str = "right"
    camera: str = "auto"
    figure_height_frac: float = 0.6
    shutter_s: float = 0.0
    bitrate_mbps: float = 0.0
    ground: str = "tiles"
    footwear: str = "shoes"
    occluder: bool = False
    shake_px: float = 0.0
    second_person: str = "none"
    walker_height_px: float | None = None
    light_side: str = "left"

    def __post_init__(self) -> None:
        checks = (
            (self.direction in DIRECTIONS, f"direction must be one of {DIRECTIONS}, got {self.direction!r}"),
            (self.style in STYLES, f"style must be one of {tuple(STYLES)}, got {self.style!r}"),
            (self.affected_side in SIDES, f"affected_side must be one of {SIDES}, got {self.affected_side!r}"),
            (self.camera in CAMERA_MODES, f"camera must be one of {CAMERA_MODES}, got {self.camera!r}"),
            (self.cadence_steps_per_min is None or 30.0 <= self.cadence_steps_per_min <= 200.0,
             f"cadence must be within 30..200 steps/min, got {self.cadence_steps_per_min}"),
            (self.step_length_m is None or 0.1 <= self.step_length_m <= 1.2,
             f"step length must be within 0.1..1.2 m, got {self.step_length_m}"),
            (1.0 <= self.subject_height_m <= 2.3,
             f"subject height must be within 1.0..2.3 m, got {self.subject_height_m}"),
            (5.0 <= self.fps <= 240.0, f"fps must be within 5..240, got {self.fps}"),
            (64 <= self.width_px <= 4096 and 64 <= self.height_px <= 4096,
             f"frame size must be within 64..4096 px, got {self.width_px}x{self.height_px}"),
            (0.0 < self.duration_s <= 600.0, f"duration must be within 0..600 s, got {self.duration_s}"),
            (0.0 <= self.noise <= 40.0, f"noise must be within 0..40 grey levels, got {self.noise}"),
            (0.0 <= self.variability <= 0.1, f"variability must be within 0..0.1, got {self.variability}"),
            (0.3 <= self.figure_height_frac <= 0.9,
             f"figure_height_frac must be within 0.3..0.9, got {self.figure_height_frac}"),
            (0.0 <= self.shutter_s and self.shutter_s * self.fps <= 1.0 + 1e-9,
             f"shutter must be within 0..1/fps s, got {self.shutter_s}"),
            (0.0 <= self.bitrate_mbps <= 200.0, f"bitrate must be within 0..200 Mbit/s, got {self.bitrate_mbps}"),
            (self.ground in GROUNDS, f"ground must be one of {GROUNDS}, got {self.ground!r}"),
            (self.footwear in FOOTWEAR, f"footwear must be one of {FOOTWEAR}, got {self.footwear!r}"),
            (0.0 <= self.shake_px <= 0.05 * self.height_px,
             f"shake must be within 0..5 % of the frame height in px, got {self.shake_px}"),
            (self.second_person in SECOND_PERSON_ROLES,
             f"second_person must be one of {SECOND_PERSON_ROLES}, got {self.second_person!r}"),
            (self.walker_height_px is None or 40.0 <= self.walker_height_px <= 0.9 * self.height_px,
             f"walker_height_px must be within 40 px..90% of the frame height, got {self.walker_height_px}"),
            (self.light_side in LIGHT_SIDES, f"light_side must be one of {LIGHT_SIDES}, got {self.light_side!r}"),
        )
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if self.step_length > 0.5 * self.subject_height_m:
            raise ConfigError(f"step length {self.step_length:.2f} m is too long for a {self.subject_height_m:.2f} m "
                              f"subject (at most half the height)")

    @property
    def pattern(self) -> StylePattern:
        return STYLES[self.style]

    @property
    def cadence(self) -> float:
        """Effective cadence in steps/min."""
        return self.cadence_steps_per_min or self.pattern.cadence_steps_per_min

    @property
    def step_length(self) -> float:
        """Effective mean step length in metres."""
        return self.step_length_m or self.pattern.step_length_per_height * self.subject_height_m

    @property
    def walking_speed_m_s(self) -> float:
        return self.step_length * self.cadence / 60.0

    @property
    def n_frames(self) -> int:
        return max(1, int(round(self.duration_s * self.fps)))

    def side_pattern(self, side: str) -> SidePattern:
        return self.pattern.affected if side == self.affected_side else self.pattern.other


def phone_bitrate_mbps(width_px: int, height_px: int) -> float:
    """A phone camera's H.264 bitrate for the frame size: 14 Mbit/s at 1080p, 6.2 at 720p, 2.8 at 854x480."""
    return float(np.clip(14.0 * width_px * height_px / (1920 * 1080), 1.0, 40.0))


def with_look(params: GaitParams, look: str) -> GaitParams:
    """``params`` with a named set of footage effects: "clean" (all off) or "phone".

    phone: 1/60 s shutter (or the whole frame interval at high fps), H.264 at a phone's bitrate for the
    size, grass or asphalt (by seed), varied footwear, an occluder, handheld shake (RMS 0.4 % of the
    frame height per axis), camera noise of at least 2 grey levels, and the light from the left or the
    right (by seed: phone footage is lit from any side). "clean" keeps ``params.light_side``.
    """
    if look not in LOOKS:
        raise ConfigError(f"look must be one of {LOOKS}, got {look!r}")
    if look == "clean":
        return replace(params, shutter_s=0.0, bitrate_mbps=0.0, ground="tiles", footwear="shoes", occluder=False,
                       shake_px=0.0)
    ground = ("grass", "asphalt")[int(np.random.default_rng([params.seed, 7]).integers(2))]
    return replace(params, shutter_s=min(1.0 / 60.0, 1.0 / params.fps), ground=ground, footwear="varied",
                   bitrate_mbps=phone_bitrate_mbps(params.width_px, params.height_px), occluder=True,
                   shake_px=0.004 * params.height_px, noise=max(params.noise, 2.0),
                   light_side=drawn_light_side(params.seed))


def drawn_light_side(seed: int) -> str:
    """The light's side for a render drawn from ``seed`` ("left" or "right", even odds)."""
    return LIGHT_SIDES[int(np.random.default_rng([seed, 9]).integers(2))]


@dataclass(frozen=True)
class Body:
    """Segment lengths and body radii in metres, from anthropometric ratios of height."""

    height_m: float

    def __getattr__(self, name: str) -> float:
        ratio = _BODY_RATIOS.get(name)
        if ratio is None:
            raise AttributeError(name)
        return ratio * self.height_m


# Segment lengths (Drillis & Contini style ratios of body height) and drawing radii.
_BODY_RATIOS: dict[str, float] = {
    "thigh": 0.245, "shank": 0.246, "ankle_height": 0.039, "foot_length": 0.140,
    "trunk": 0.288, "upper_arm": 0.186, "forearm": 0.146, "hand": 0.108,
    "neck_up": 0.052, "head_up": 0.117, "head_forward": 0.018, "head_rx": 0.056, "head_ry": 0.066,
    "heel_radius": 0.017, "toe_radius": 0.011, "ankle_forward": 0.024,
    "thigh_r0": 0.050, "thigh_r1": 0.032, "shank_r0": 0.031, "shank_r1": 0.021,
    "upper_arm_r0": 0.026, "upper_arm_r1": 0.021, "forearm_r0": 0.019, "forearm_r1": 0.015,
    "hand_r": 0.014, "torso_r0": 0.060, "torso_r1": 0.064, "neck_r": 0.028,
}
