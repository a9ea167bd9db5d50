"""Per-frame TCN input features from a keypoint series (pure numpy; no torch).

Layout (see ``FEATURE_NAMES``), all in the sagittal plane (forward = walking direction, up = +Y),
so a walk from right to left gives the same features as one from left to right:
- positions of ``TCN_FEATURE_LANDMARKS`` relative to the hip midpoint, in leg lengths
  (hip-to-ankle, ``core.gait.direction.leg_length``);
- their ground-frame velocities in leg lengths per second;
- the six sagittal joint angles in radians;
- the fraction of those landmarks present in the frame.

A landmark missing in some frames (occluded, or rejected by preprocessing) is interpolated linearly in
time from its neighbouring frames, held constant before its first and after its last detection, before
positions, velocities and angles are computed; one missing in every frame gives 0. (Zeros in place of a
briefly hidden knee would put it at the hip, which a small training set learns as a style cue.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import LANDMARK_INDEX, SIDES, TCN_FEATURE_LANDMARKS, TCN_RATE_TOLERANCE
from core.errors import InsufficientDataError
from core.gait.direction import leg_length, pelvis_position, progression_direction
from core.gait.kinematics import sagittal_angles
from core.types import KeypointSeries

FEATURE_VERSION = 2  # 2: missing landmarks interpolated in time instead of 0
ANGLE_NAMES: tuple[str, ...] = tuple(f"{side}_{joint}" for side in SIDES for joint in ("hip", "knee", "ankle"))
_POS_NAMES = tuple(f"{lm}_{axis}" for lm in TCN_FEATURE_LANDMARKS for axis in ("fwd", "up"))
_VEL_NAMES = tuple(f"{lm}_v{axis}" for lm in TCN_FEATURE_LANDMARKS for axis in ("fwd", "up"))
FEATURE_NAMES: tuple[str, ...] = _POS_NAMES + _VEL_NAMES + tuple(f"{a}_rad" for a in ANGLE_NAMES) + ("valid_fraction",)
N_FEATURES = len(FEATURE_NAMES)


@dataclass(frozen=True)
class FeatureLayout:
    """What augmentation needs to know about the columns.

    mirror: column permutation that swaps left and right. rotation_pairs: (P, 2) columns of
    (forward, up) pairs that rotate together.
    """

    mirror: np.ndarray
    rotation_pairs: np.ndarray


def swap_side(name: str) -> str:
    """A column name with its side prefix (``left_`` / ``right_``) swapped; others unchanged."""
    for a, b in (("left_", "right_"), ("right_", "left_")):
        if name.startswith(a):
            return b + name[len(a):]
    return name


def standard_layout() -> FeatureLayout:
    """The layout of ``build_features`` output."""
    index = {n: i for i, n in enumerate(FEATURE_NAMES)}
    mirror = np.array([index[swap_side(n)] for n in FEATURE_NAMES], dtype=np.int64)
    pairs = [(index[f"{lm}_{p}fwd"], index[f"{lm}_{p}up"]) for p in ("", "v") for lm in TCN_FEATURE_LANDMARKS]
    return FeatureLayout(mirror=mirror, rotation_pairs=np.array(pairs, dtype=np.int64))


def _sagittal_frame(forward: np.ndarray) -> np.ndarray:
    """(3, 2) projection onto (forward, up) from a walking direction (its Y is ignored)."""
    fwd = np.asarray(forward, dtype=np.float64).reshape(3).copy()
    fwd[1] = 0.0
    norm = np.linalg.norm(fwd)
    if not np.isfinite(norm) or norm < 1e-9:
        raise InsufficientDataError("cannot determine the walking direction for TCN features")
    return np.stack([fwd / norm, np.array([0.0, 1.0, 0.0])], axis=1)


def interpolate_missing(x: np.ndarray) -> np.ndarray:
    """(T, ...) copy of ``x`` with every non-finite value of a column linearly interpolated in time
    (axis 0) from the column's finite values, held at its first/last one; all-missing columns stay NaN."""
    out = np.array(x, dtype=np.float64, copy=True, order="C")
    flat = out.reshape(out.shape[0], -1)  # a view (C order), so writing a column writes ``out``
    frames = np.arange(out.shape[0])
    for col in flat.T:
        ok = np.isfinite(col)
        if ok.any() and not ok.all():
            col[~ok] = np.interp(frames[~ok], frames[ok], col[ok])
    return out


def build_features(series: KeypointSeries) -> np.ndarray:
    """(T, N_FEATURES) float32 features of ``series`` (layout in the module docstring)."""
    if series.n_frames < 2:
        raise InsufficientDataError("need at least 2 frames to build TCN features")
    positions = np.asarray(series.positions, dtype=np.float64)
    forward = np.asarray(progression_direction(positions), dtype=np.float64)
    proj = _sagittal_frame(forward)
    scale = 1.0 / leg_length(positions)
    idx = [LANDMARK_INDEX[n] for n in TCN_FEATURE_LANDMARKS]
    valid = np.isfinite(positions[:, idx] @ proj).all(axis=2).mean(axis=1, keepdims=True)
    positions = positions.copy()
    positions[:, idx] = interpolate_missing(positions[:, idx])
    sag = positions[:, idx] @ proj * scale  # (T, L, 2)
    pelvis = (pelvis_position(positions) @ proj * scale)[:, None, :]
    rel = (sag - pelvis).reshape(series.n_frames, -1)
    vel = np.gradient(sag, np.asarray(series.time_s, dtype=np.float64), axis=0).reshape(series.n_frames, -1)
    angles = sagittal_angles(positions, forward)
    ang = np.stack([np.radians(np.asarray(angles[k], dtype=np.float64)) for k in ANGLE_NAMES], axis=1)
    out = np.concatenate([rel, vel, ang, valid], axis=1)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def same_rate(rate_hz: float, target_rate_hz: float) -> bool:
    """Whether two frame rates (Hz) differ by at most ``TCN_RATE_TOLERANCE`` (no resampling needed)."""
    return abs(rate_hz / target_rate_hz - 1.0) <= TCN_RATE_TOLERANCE


def resample_features(features: np.ndarray, rate_hz: float, target_rate_hz: float) -> np.ndarray:
    """(T, F) features sampled at ``rate_hz`` linearly resampled to ``target_rate_hz``."""
    n_in = features.shape[0]
    duration_s = (n_in - 1) / rate_hz
    n_out = int(np.floor(duration_s * target_rate_hz + 1e-9)) + 1
    pos = np.arange(n_out) * (rate_hz / target_rate_hz)
    lo = np.clip(np.floor(pos).astype(np.int64), 0, n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (pos - lo)[:, None].astype(np.float32)
    return (features[lo] * (1 - frac) + features[hi] * frac).astype(np.float32)
