"""Video landmarks in metres, in the ground frame, for an OpenSim-readable TRC (``--subject-height``).

The pixel series (X = column, Y up, Z = 0), its bouts turned to one walking direction
(``core.gait.direction.orient_bouts``), is mirrored where that direction is -X so the walk runs along +X, moved into
the ground frame (the camera's pan removed: ``core.gait.ground.to_ground_frame``) and scaled by metres per pixel.
Its origin: X at the first seen hip, Y on the floor (the median over frames of the lowest foot point: a
walking person always has a foot on it). Z stays 0: one camera sees one plane.
"""

from __future__ import annotations

import numpy as np

from core.constants import LEFT_HEEL, LEFT_HIP, LEFT_TOE, RIGHT_HEEL, RIGHT_HIP, RIGHT_TOE

FOOT_POINTS = (LEFT_HEEL, RIGHT_HEEL, LEFT_TOE, RIGHT_TOE)


def metric_ground_positions(ground_positions_px: np.ndarray, forward: np.ndarray, m_per_px: float) -> np.ndarray:
    """(T, 33, 3) metres from ``ground_positions_px`` (T, 33, 3), pixels in the ground frame, Y up, walking along
    ``forward`` (3,); NaN stays NaN. X runs along the walk from the first seen hip; Y = 0 is the floor; Z = 0."""
    if not m_per_px > 0:
        raise ValueError(f"m_per_px must be > 0, got {m_per_px!r}")
    p = np.array(ground_positions_px, dtype=float)
    out = np.full_like(p, np.nan)
    if not np.isfinite(p).any():
        return out
    hips_x = p[:, [LEFT_HIP, RIGHT_HIP], 0]
    feet_y = p[:, FOOT_POINTS, 1]
    x0 = float(hips_x[np.isfinite(hips_x)][0]) if np.isfinite(hips_x).any() else float(np.nanmin(p[..., 0]))
    seen_feet = np.isfinite(feet_y).any(axis=1)
    floor = float(np.median(np.nanmin(feet_y[seen_feet], axis=1))) if seen_feet.any() else float(np.nanmin(p[..., 1]))
    out[..., 0] = (p[..., 0] - x0) * m_per_px * (1.0 if forward[0] >= 0 else -1.0)
    out[..., 1] = (p[..., 1] - floor) * m_per_px
    out[..., 2] = np.where(np.isfinite(p[..., 0]), 0.0, np.nan)
    return out
