"""Walking direction and body geometry shared by the gait stages.

All functions take positions (T, 33, 3), NaN = missing, Y up (metres or pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import LEFT_HIP, LEG_LANDMARKS, RIGHT_HIP, SIDES
from core.errors import InsufficientDataError

# Pelvis travel (in leg lengths) above which the walk is overground: treadmill pelvis sway is
# a few centimetres, while even one slow overground stride moves the pelvis ~0.5-1 leg length.
OVERGROUND_TRAVEL_LEG = 0.5
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
        seen = {k: np.isfinite(p).all(axis=1) for k, p in (("heel", heel), ("ankle", ankle), ("toe", toe))}
        for missing, base, ref, grounded, offset in (
            ("toe", heel, ankle, heel, (VIRTUAL_TOE_LEG, 0.0)),
            ("heel", ankle, toe, toe, VIRTUAL_HEEL_FROM_ANKLE_LEG),
        ):
            both = np.isfinite(base).all(axis=1) & np.isfinite(ref).all(axis=1)
            if seen[missing].any() or both.sum() < 3:
                continue
            height = grounded[:, 1]
            flat = both & (height <= np.nanpercentile(height[both], 25))
            out[:, leg[missing]] = _rigid_point(base, ref, np.array(offset) * leg_units, fwd, flat)
            made.append(f"{side} {missing}")
    return out, made
