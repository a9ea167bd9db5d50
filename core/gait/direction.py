"""Walking direction and body geometry shared by the gait stages.

All functions take positions (T, 33, 3), NaN = missing, Y up (metres or pixels).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from core.constants import LEFT_HIP, LEG_LANDMARKS, RIGHT_HIP, SIDES
from core.errors import InsufficientDataError
from core.turns import one_way_runs

# Pelvis travel (in leg lengths) above which the walk is overground: treadmill pelvis sway is
# a few centimetres, while even one slow overground stride moves the pelvis ~0.5-1 leg length.
OVERGROUND_TRAVEL_LEG = 0.5
# A pelvis that turns back by more than TURN_BACK_LEG leg lengths along a horizontal axis (a walk there and
# back) walks overground: no belt carries it. Along one direction, its heels' velocities mix both passes
# and read as a belt of 30-100 px/s (0.3-1 leg lengths/s) on synthetic walks there and back, which moved
# or cut the walking bouts.
TURN_BACK_LEG = 2.0
# A mean heel->toe vector shorter than this fraction of the foot length has no reliable sign.
MIN_FOOT_AXIS_CONSISTENCY = 0.2
# A rigid foot for missing heel or toe landmarks, in leg lengths (hip-ankle ~0.491 H), from
# body-segment proportions of height H (Winter 2009): heel to toe tip 0.152 H (0.31 leg); ankle
# joint 0.039 H above the floor and ~0.25 foot length ahead of the heel (0.08 leg each way).
# The toe tip, not the metatarsal heads, because a point ahead of the push-off pivot stays down
# until toe off, while one behind it rises with the heel and reads toe off early.
VIRTUAL_TOE_LEG = 0.31
VIRTUAL_HEEL_FROM_ANKLE_LEG = (-0.08, -0.08)


def pelvis_position(positions: np.ndarray) -> np.ndarray:
    """(T, 3) hip midpoint; one hip alone where the other is missing."""
    hips = positions[:, [LEFT_HIP, RIGHT_HIP]]
    valid = np.isfinite(hips).all(axis=2)
    count = valid.sum(axis=1)[:, None]
    total = np.where(valid[..., None], hips, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def foot_points(positions: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(heel, toe), each (T, 3), for ``side``; the ankle stands in for a missing heel or toe."""
    leg = LEG_LANDMARKS[side]
    ankle = positions[:, leg["ankle"]]

    def pick(index: int) -> np.ndarray:
        point = positions[:, index]
        return ankle if not np.isfinite(point).any() else point

    return pick(leg["heel"]), pick(leg["toe"])


def ankle_only_sides(positions: np.ndarray) -> list[str]:
    """Sides whose foot is never seen but at its ankle (no heel, no toe: e.g. COCO-17 keypoints)."""
    return [s for s in SIDES if np.isfinite(positions[:, LEG_LANDMARKS[s]["ankle"]]).any()
            and not np.isfinite(positions[:, [LEG_LANDMARKS[s]["heel"], LEG_LANDMARKS[s]["toe"]]]).any()]


def present_sides(positions: np.ndarray) -> list[str]:
    """Sides whose heel (or ankle) has any data."""
    return [s for s in SIDES if np.isfinite(foot_points(positions, s)[0]).all(axis=1).any()]


def leg_length(positions: np.ndarray) -> float:
    """Median hip-to-ankle (else hip-to-heel) distance over frames and sides, in the data's units."""
    lengths = []
    for side in SIDES:
        leg = LEG_LANDMARKS[side]
        hip = positions[:, leg["hip"]]
        for distal in (leg["ankle"], leg["heel"]):
            d = np.linalg.norm(positions[:, distal] - hip, axis=1)
            if np.isfinite(d).any():
                lengths.append(d[np.isfinite(d)])
                break
    if not lengths:
        raise InsufficientDataError("cannot measure leg length: no hip with an ankle or heel")
    return float(np.median(np.concatenate(lengths)))


def _horizontal_unit(vector: np.ndarray) -> np.ndarray:
    out = np.array([vector[0], 0.0, vector[2]], dtype=float)
    return out / np.linalg.norm(out)


def _pelvis_travel(positions: np.ndarray) -> np.ndarray | None:
    """Net horizontal pelvis displacement (3,) from the first to the last tenth of valid frames."""
    pelvis = pelvis_position(positions)
    pelvis = pelvis[np.isfinite(pelvis).all(axis=1)]
    if len(pelvis) < 4:
        return None
    k = max(1, len(pelvis) // 10)
    net = np.median(pelvis[-k:], axis=0) - np.median(pelvis[:k], axis=0)
    net[1] = 0.0
    return net


def _foot_axis(positions: np.ndarray) -> np.ndarray | None:
    """Mean horizontal heel->toe vector (3,), when the feet agree on a direction."""
    vectors = []
    for side in SIDES:
        leg = LEG_LANDMARKS[side]
        v = positions[:, leg["toe"]] - positions[:, leg["heel"]]
        vectors.append(v[np.isfinite(v).all(axis=1)])
    v = np.concatenate(vectors)
    if len(v) == 0:
        return None
    v[:, 1] = 0.0
    mean = v.mean(axis=0)
    typical = np.mean(np.linalg.norm(v, axis=1))
    if typical == 0 or np.linalg.norm(mean) < MIN_FOOT_AXIS_CONSISTENCY * typical:
        return None
    return mean


def _foot_swing_axis(positions: np.ndarray) -> np.ndarray | None:
    """Forward axis from foot motion relative to the pelvis: swing (forward) is faster than stance."""
    pelvis = pelvis_position(positions)
    velocities = []
    for side in SIDES:
        heel, _ = foot_points(positions, side)
        rel = heel - pelvis
        velocities.append(np.diff(rel, axis=0))
    v = np.concatenate(velocities)
    v = v[np.isfinite(v).all(axis=1)][:, [0, 2]]
    if len(v) < 10:
        return None
    _, _, vt = np.linalg.svd(v - v.mean(axis=0), full_matrices=False)
    axis = vt[0]
    projected = v @ axis
    skew = np.mean((projected - projected.mean()) ** 3)
    if not np.isfinite(skew) or skew == 0:
        return None
    axis = axis * np.sign(skew)
    return np.array([axis[0], 0.0, axis[1]])


def ground_velocity(forward_velocities: list[np.ndarray]) -> float:
    """Ground (belt) velocity along the walking direction from the feet's forward velocities (each
    (T,), units/s): the slower foot is the one on the ground (one foot: its 30th percentile, inside
    its ~60 % stance)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without any foot: NaN, left out
        if len(forward_velocities) >= 2:
            return float(np.nanmedian(np.nanmin(np.vstack(forward_velocities), axis=0)))
        return float(np.nanpercentile(forward_velocities[0], 30))


def stance_ground_velocity(positions: np.ndarray, rate_hz: float) -> np.ndarray:
    """(3,) horizontal velocity (units/s) of the ground under the stance feet: 0 overground, the belt
    on a treadmill (``ground_velocity`` of the heels along ``progression_direction``); 0 without feet,
    and 0 for a walk that turns back (``TURN_BACK_LEG``)."""
    sides = present_sides(positions)
    if _turns_back(positions):
        return np.zeros(3)
    try:
        forward = progression_direction(positions)
    except InsufficientDataError:
        return np.zeros(3)
    heel_v = [np.gradient(foot_points(positions, s)[0] @ forward) * rate_hz for s in sides]
    v = ground_velocity(heel_v) if heel_v else float("nan")
    return v * forward if np.isfinite(v) else np.zeros(3)


def pass_runs(pelvis: np.ndarray, turn: float) -> list[tuple[int, int]]:
    """[start, end) frame runs of a walk's passes: the pelvis (T, 3) cut after each point where it turns back
    by more than ``turn`` (units) along X or Z (``core.turns.one_way_runs``); one run [0, T) for a walk one way."""
    return one_way_runs(pelvis[:, [0, 2]], turn)


def _turns_back(positions: np.ndarray) -> bool:
    """Whether the pelvis turns back by more than ``TURN_BACK_LEG`` leg lengths along X or Z."""
    try:
        turn = TURN_BACK_LEG * leg_length(positions)
    except InsufficientDataError:
        return False
    return len(pass_runs(pelvis_position(positions), turn)) > 1


def progression_direction(positions: np.ndarray) -> np.ndarray:
    """Unit (3,) horizontal forward direction (Y component 0).

    Overground: the net pelvis displacement, signed by the feet: on a treadmill whose belt runs
    faster than the walker, the pelvis drifts backwards while the feet still point (heel -> toe) and
    swing forwards. Treadmill or walking in place: the mean heel->toe vector, else the skew of foot
    velocity relative to the pelvis (swing is forward and faster).
    Raises ``InsufficientDataError`` when none of these is available.
    """
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        scale = np.nan
    feet = _feet_direction(positions)
    net = _pelvis_travel(positions)
    if net is not None and np.isfinite(scale) and np.linalg.norm(net) > OVERGROUND_TRAVEL_LEG * scale:
        travel = _horizontal_unit(net)
        return -travel if feet is not None and float(feet @ travel) < 0 else travel
    if feet is not None:
        return feet
    raise InsufficientDataError("cannot determine the walking direction (no pelvis travel, no feet)")


def _feet_direction(positions: np.ndarray) -> np.ndarray | None:
    """Unit (3,) direction the feet point (heel -> toe), else the one they swing in; None without feet."""
    for estimate in (_foot_axis, _foot_swing_axis):
        axis = estimate(positions)
        if axis is not None and np.linalg.norm(axis) > 0:
            return _horizontal_unit(axis)
    return None


def bout_direction(positions: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Walking direction (3,) of one bout: its own when more than 60 degrees from the recording's
    ``forward`` (the walk back after a turn), else ``forward``."""
    try:
        own = progression_direction(positions)
    except InsufficientDataError:
        return forward
    return own if float(own @ forward) < 0.5 else forward


def count_passes(bout_forward: list[np.ndarray]) -> int:
    """Passes of a walk (0 without bouts): 1, plus 1 each time a bout walks the other way (more than 90 degrees)
    from the bout before it (a walk there and back: 2). bout_forward: each bout's direction (3,)."""
    turns = sum(float(a @ b) < 0 for a, b in zip(bout_forward, bout_forward[1:]))
    return 1 + turns if bout_forward else 0


def heading_deg(direction: np.ndarray) -> float:
    """Horizontal heading (degrees, -180..180] of a direction (3,): 0 = +X, 90 = +Z."""
    return float(np.degrees(np.arctan2(direction[2], direction[0])))


def _rotate_about_vertical(positions: np.ndarray, angle_rad: float, centre: np.ndarray) -> np.ndarray:
    """(..., 3) positions turned by ``angle_rad`` about the vertical line through ``centre`` (3,)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    x, z = positions[..., 0] - centre[0], positions[..., 2] - centre[2]
    out = positions.copy()
    out[..., 0] = centre[0] + c * x - s * z
    out[..., 2] = centre[2] + s * x + c * z
    return out


@dataclass(frozen=True)
class Orientation:
    """Bouts turned to one walking direction.

    forward: (3,) horizontal unit direction every bout walks along in ``positions``;
    positions: (T, 33, 3) the input with each bout turned about the vertical through its mean
    pelvis (frames outside bouts unchanged); bout_forward: per bout, its own direction (3,) in the
    input's frame; bouts and turn_rad: the bouts' frame ranges and the angles they were turned by.
    """

    forward: np.ndarray
    positions: np.ndarray
    bout_forward: list[np.ndarray]
    bouts: tuple[tuple[int, int], ...] = ()
    turn_rad: tuple[float, ...] = ()

    def along_forward(self, vectors: np.ndarray) -> np.ndarray:
        """(T,) components along ``forward`` of per-frame vectors (T, 3) given in the input's frame
        (turned with their bout, like the positions)."""
        out = vectors @ self.forward
        for (start, end), angle in zip(self.bouts, self.turn_rad):
            turned = _rotate_about_vertical(vectors[start:end], angle, np.zeros(3))
            out[start:end] = turned @ self.forward
        return out


def orient_bouts(positions: np.ndarray, bouts: list[tuple[int, int]]) -> Orientation:
    """Each bout's own walking direction, and positions turned so that all bouts walk along the
    longest bout's direction (a walk back after a turn, a diagonal pass in 3-D).

    positions: (T, 33, 3). Without bouts, the whole recording's ``progression_direction``.
    Raises ``InsufficientDataError`` when no direction can be found.
    """
    if not bouts:
        forward = progression_direction(positions)
        return Orientation(forward, positions, [])
    whole: np.ndarray | None = None
    own = []
    for start, end in bouts:
        try:
            own.append(progression_direction(positions[start:end]))
        except InsufficientDataError:
            whole = progression_direction(positions) if whole is None else whole
            own.append(whole)
    longest = int(np.argmax([end - start for start, end in bouts]))
    forward = own[longest]
    out = positions.copy()
    angles = []
    for (start, end), direction in zip(bouts, own):
        angle = float(np.radians(heading_deg(direction) - heading_deg(forward)))
        angles.append(angle)
        if abs(angle) > 1e-12:
            centre = pelvis_position(positions[start:end])
            out[start:end] = _rotate_about_vertical(positions[start:end], angle, np.nanmean(centre, axis=0))
    return Orientation(forward, out, own, tuple(bouts), tuple(angles))


def _rigid_point(base: np.ndarray, ref: np.ndarray, offset_flat: np.ndarray, fwd: np.ndarray,
                 flat: np.ndarray) -> np.ndarray:
    """(T, 3) point fixed to the sagittal line base -> ref (each (T, 3)): ``offset_flat`` (forward,
    up) from ``base`` while the foot is flat (the median line angle over the ``flat`` frames),
    turning with the line; lateral position that of ``base``."""
    rel = ref - base
    theta = np.arctan2(rel[:, 1], rel @ fwd)
    alpha = theta - np.median(theta[flat])
    c, s = np.cos(alpha)[:, None], np.sin(alpha)[:, None]
    up = np.array([0.0, 1.0, 0.0])
    return base + (c * offset_flat[0] - s * offset_flat[1]) * fwd + (s * offset_flat[0] + c * offset_flat[1]) * up


def _foot_point_on_line(base: np.ndarray, ref: np.ndarray, grounded: np.ndarray, offset_leg: tuple[float, float],
                        leg_units: float, fwd: np.ndarray) -> np.ndarray | None:
    """(T, 3) ``_rigid_point`` ``offset_leg`` leg lengths from ``base`` on the line base -> ref, the foot
    flat while ``grounded`` is in the lowest quarter of its heights; None with under 3 frames of both."""
    both = np.isfinite(base).all(axis=1) & np.isfinite(ref).all(axis=1)
    if both.sum() < 3:
        return None
    height = grounded[:, 1]
    flat = both & (height <= np.nanpercentile(height[both], 25))
    return _rigid_point(base, ref, np.array(offset_leg) * leg_units, fwd, flat)


def rearfoot_toe_tip(positions: np.ndarray, forward: np.ndarray, side: str, leg_units: float) -> np.ndarray | None:
    """(T, 3) the toe tip of ``side`` as a point of the rigid foot on the line from the heel through the
    toe marker: ``VIRTUAL_TOE_LEG`` leg lengths ahead of the heel and level with it while the foot is
    flat. It leaves the floor when the whole foot does, wherever the toe marker sits: a marker on or
    behind the metatarsal heads turns with the rearfoot (and rises with the heel, before toe off), a
    toe-tip marker stays down until toe off, and so does the point just beyond it. The toe marker's
    ~15-25 cm from the heel keep the line's angle steady under marker noise (a heel -> ankle line, ~8 cm,
    read toe off up to 68 ms early at 1.8 mm of noise: docs/gait_accuracy.md, section (l)). None without
    heel and toe."""
    leg = LEG_LANDMARKS[side]
    heel, toe = positions[:, leg["heel"]], positions[:, leg["toe"]]
    if not np.isfinite(leg_units):
        return None
    return _foot_point_on_line(heel, toe, heel, (VIRTUAL_TOE_LEG, 0.0), leg_units, _horizontal_unit(forward))


def with_virtual_feet(positions: np.ndarray, forward: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Positions (T, 33, 3) with a toe (heel) for each foot whose toe (heel) is never seen but whose
    other two foot points are, and what was added ("left toe", ...).

    The foot is rigid in the sagittal plane (``forward``, up), flat while its grounded point is in
    the lowest quarter of its heights: the toe lies ``VIRTUAL_TOE_LEG`` ahead of the heel and level
    with it, the heel ``VIRTUAL_HEEL_FROM_ANKLE_LEG`` from the ankle; both turn with the line
    between the two seen points. The toe tip pivots in push-off and moves at toe off, the heel
    lands at heel strike, so the events keep their meaning.
    """
    fwd = _horizontal_unit(forward)
    try:
        leg_units = leg_length(positions)
    except InsufficientDataError:
        return positions, []
    out = positions.copy()
    made = []
    for side in SIDES:
        leg = LEG_LANDMARKS[side]
        heel, ankle, toe = (positions[:, leg[k]] for k in ("heel", "ankle", "toe"))
        seen = {"heel": np.isfinite(heel).all(axis=1).any(), "toe": np.isfinite(toe).all(axis=1).any()}
        for missing, base, ref, grounded, offset in (
            ("toe", heel, ankle, heel, (VIRTUAL_TOE_LEG, 0.0)),
            ("heel", ankle, toe, toe, VIRTUAL_HEEL_FROM_ANKLE_LEG),
        ):
            point = None if seen[missing] else _foot_point_on_line(base, ref, grounded, offset, leg_units, fwd)
            if point is not None:
                out[:, leg[missing]] = point
                made.append(f"{side} {missing}")
    return out, made
