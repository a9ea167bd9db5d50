"""Sagittal-plane joint angles and gait-cycle normalisation.

Every point is projected onto the sagittal plane spanned by the walking direction ``forward``
(horizontal unit vector) and the vertical (+Y), giving 2-D coordinates (a = forward, b = up).
Angles therefore do not depend on the walking direction (+X, -X or any heading in 3-D).

Sign conventions (degrees, clinical):
- hip: angle of the thigh (hip -> knee) relative to the trunk line (shoulder-mid -> hip-mid),
  flexion + (knee in front of the trunk line), extension -. When no shoulder is visible in a
  frame the reference is the vertical (thigh inclination). The pelvis is not tracked, so a
  forward trunk lean counts as hip flexion (as it does at the joint between trunk and thigh).
- knee: angle between the thigh (hip -> knee) and the shank (knee -> ankle); 0 = straight leg,
  flexion + (ankle behind the thigh line), hyperextension -.
- ankle: angle between the foot axis (heel -> toe) and the shank, minus 90; 0 = foot
  perpendicular to the shank, dorsiflexion + (toe towards the shin), plantarflexion -.
  With MediaPipe's heel and foot-index landmarks, or heel/toe markers, the offset between this
  foot axis and the anatomical sole is not removed.
"""

from __future__ import annotations

import numpy as np

from core.constants import LEG_LANDMARKS, LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER, SIDES

JOINTS: tuple[str, str, str] = ("hip", "knee", "ankle")
ANGLE_KEYS: tuple[str, ...] = tuple(f"{side}_{joint}" for side in SIDES for joint in JOINTS)
_UP = np.array([0.0, 1.0, 0.0])


def _sagittal(positions: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """(T, 33, 3) -> (T, 33, 2) coordinates (forward, up) in the sagittal plane."""
    fwd = np.asarray(forward, dtype=float).copy()
    fwd[1] = 0.0
    norm = np.linalg.norm(fwd)
    if not np.isfinite(norm) or norm < 1e-9:
        raise ValueError(f"forward must be a non-vertical direction, got {forward!r}")
    fwd /= norm
    return np.stack([positions @ fwd, positions @ _UP], axis=-1)


def _signed_angle_deg(ref: np.ndarray, vec: np.ndarray) -> np.ndarray:
    """Angle (T,) from 2-D vectors ``ref`` to ``vec`` (T, 2), counter-clockwise + (forward-up frame)."""
    cross = ref[:, 0] * vec[:, 1] - ref[:, 1] * vec[:, 0]
    dot = np.sum(ref * vec, axis=1)
    return np.degrees(np.arctan2(cross, dot))


def _wrap_deg(angle_deg: np.ndarray) -> np.ndarray:
    return (angle_deg + 180.0) % 360.0 - 180.0


def _mean_available(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-frame mean of two (T, 2) point tracks, using whichever one exists."""
    out = np.where(np.isnan(a), b, a)
    both = ~np.isnan(a).any(axis=1) & ~np.isnan(b).any(axis=1)
    out[both] = 0.5 * (a[both] + b[both])
    return out


def _trunk_down(sag: np.ndarray) -> np.ndarray:
    """(T, 2) trunk direction shoulder-mid -> hip-mid; vertical down where shoulders are missing."""
    shoulders = _mean_available(sag[:, LEFT_SHOULDER], sag[:, RIGHT_SHOULDER])
    hips = _mean_available(sag[:, LEFT_HIP], sag[:, RIGHT_HIP])
    trunk = hips - shoulders
    missing = np.isnan(trunk).any(axis=1) | (np.linalg.norm(np.nan_to_num(trunk), axis=1) < 1e-12)
    trunk[missing] = (0.0, -1.0)
    return trunk


def sagittal_angles(positions: np.ndarray, forward: np.ndarray) -> dict[str, np.ndarray]:
    """Hip, knee and ankle angles per side, (T,) degrees each, NaN where a landmark is missing.

    positions: (T, 33, 3), Y up, any units. forward: (3,) walking direction (its Y is ignored).
    Keys: ``left_hip, left_knee, left_ankle, right_hip, right_knee, right_ankle``.
    """
    sag = _sagittal(np.asarray(positions, dtype=float), forward)
    trunk = _trunk_down(sag)
    angles: dict[str, np.ndarray] = {}
    for side in SIDES:
        idx = LEG_LANDMARKS[side]
        thigh = sag[:, idx["knee"]] - sag[:, idx["hip"]]
        shank = sag[:, idx["ankle"]] - sag[:, idx["knee"]]
        foot = sag[:, idx["toe"]] - sag[:, idx["heel"]]
        angles[f"{side}_hip"] = _signed_angle_deg(trunk, thigh)
        angles[f"{side}_knee"] = -_signed_angle_deg(thigh, shank)
        angles[f"{side}_ankle"] = _wrap_deg(_signed_angle_deg(shank, foot) - 90.0)
    return angles


def normalise_cycles(signal: np.ndarray, heel_strike_idx: np.ndarray, n_points: int = 101) -> np.ndarray:
    """Resample each cycle between consecutive heel strikes to ``n_points`` (0..100 % of the cycle).

    signal: (T,) samples at frame indices 0..T-1. heel_strike_idx: (k,) increasing sub-frame
    indices of consecutive heel strikes of one side. Returns (n_cycles, n_points) by linear
    interpolation. Cycles that leave the signal, are not increasing, or touch a NaN sample are
    skipped (dropped), so n_cycles <= k - 1.
    """
    signal = np.asarray(signal, dtype=float)
    hs = np.asarray(heel_strike_idx, dtype=float)
    frames = np.arange(signal.size, dtype=float)
    cycles = []
    for start, end in zip(hs[:-1], hs[1:]):
        if not (0.0 <= start < end <= signal.size - 1):
            continue
        support = signal[int(np.floor(start)) : int(np.ceil(end)) + 1]
        if np.isnan(support).any():
            continue
        cycles.append(np.interp(np.linspace(start, end, n_points), frames, signal))
    return np.array(cycles, dtype=float).reshape(len(cycles), n_points)


def cycle_summary(cycles: np.ndarray) -> dict:
    """Across-cycle statistics of (n, P) normalised cycles (degrees).

    Returns mean (P,), sd (P,) (sample SD, 0 for one cycle), n, rom_deg (mean of per-cycle
    max - min), rom_sd_deg, max_deg and min_deg (means of per-cycle extremes). NaN when n = 0.
    """
    cycles = np.asarray(cycles, dtype=float)
    n, n_points = cycles.shape
    if n == 0:
        nan_curve = np.full(n_points, np.nan)
        return {"mean": nan_curve, "sd": nan_curve.copy(), "n": 0, "rom_deg": float("nan"),
                "rom_sd_deg": float("nan"), "max_deg": float("nan"), "min_deg": float("nan")}
    rom = cycles.max(axis=1) - cycles.min(axis=1)
    return {
        "mean": cycles.mean(axis=0),
        "sd": cycles.std(axis=0, ddof=1) if n > 1 else np.zeros(n_points),
        "n": int(n),
        "rom_deg": float(rom.mean()),
        "rom_sd_deg": float(rom.std(ddof=1)) if n > 1 else 0.0,
        "max_deg": float(cycles.max(axis=1).mean()),
        "min_deg": float(cycles.min(axis=1).mean()),
    }
