"""Walking direction and body geometry shared by the gait stages.

All functions take positions (T, 33, 3), NaN = missing, Y up (metres or pixels).
"""

from __future__ import annotations

import numpy as np

from core.constants import LEFT_HIP, LEG_LANDMARKS, RIGHT_HIP, SIDES
from core.errors import InsufficientDataError

# Pelvis travel (in leg lengths) above which the walk is overground: treadmill pelvis sway is
# a few centimetres, while even one slow overground stride moves the pelvis ~0.5-1 leg length.
OVERGROUND_TRAVEL_LEG = 0.5
# A mean heel->toe vector shorter than this fraction of the foot length has no reliable sign.
MIN_FOOT_AXIS_CONSISTENCY = 0.2


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

    Overground: the net pelvis displacement. Treadmill or walking in place: the mean heel->toe
    vector, else the skew of foot velocity relative to the pelvis (swing is forward and faster).
    Raises ``InsufficientDataError`` when none of these is available.
    """
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        scale = np.nan
    net = _pelvis_travel(positions)
    if net is not None and np.isfinite(scale) and np.linalg.norm(net) > OVERGROUND_TRAVEL_LEG * scale:
        return _horizontal_unit(net)
    for estimate in (_foot_axis, _foot_swing_axis):
        axis = estimate(positions)
        if axis is not None and np.linalg.norm(axis) > 0:
            return _horizontal_unit(axis)
    raise InsufficientDataError("cannot determine the walking direction (no pelvis travel, no feet)")


def bout_direction(positions: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Walking direction (3,) of one bout: its own when more than 60 degrees from the recording's
    ``forward`` (the walk back after a turn), else ``forward``."""
    try:
        own = progression_direction(positions)
    except InsufficientDataError:
        return forward
    return own if float(own @ forward) < 0.5 else forward
