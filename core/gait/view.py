"""Is a 2-D video a side view? Seen from the side, a walker's shoulders and hips overlap on the image's
horizontal axis; seen from the front or back (walking towards or away from the camera) they spread
to about half the trunk's length. Events, lengths and sagittal angles all assume the side view.

Measured on MediaPipe landmarks (the landmarks.csv of 704 earlier 2-D runs: synthetic sweeps and the
real side-view clips): median (shoulder width + hip width) / 2 / trunk length 0.054, 99th percentile
0.115, largest 0.115 (the real two-person demo). Pose2Sim's real demo (a person turning on the spot, seen
by four cameras from the front, the back and obliquely behind): 0.37, 0.44, 0.40 and 0.30 after
preprocessing. Body proportions give ~0.55 for a walker facing the camera (shoulders 0.23 H, hip joints
0.11 H apart, trunk 0.30 H).
"""

from __future__ import annotations

import numpy as np

from core.constants import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER
from core.errors import InsufficientDataError
from core.types import KeypointSeries

# Median (shoulder + hip width) / 2 / trunk length at and above which the walker is not seen from the
# side: ~33 degrees away from it, 2.6 times the widest side view measured (0.115).
FRONT_VIEW_WIDTH_TRUNK = 0.30
# At and above this ratio (about 19 degrees from the side, lengths about 5 % short; 1.6 times the widest side view
# measured) the analysis goes on with a note that the view is oblique.
OBLIQUE_WIDTH_TRUNK = 0.18
# (Shoulder + hip width) / 2 / trunk length of a walker facing the camera (body proportions, module docstring).
FACING_WIDTH_TRUNK = 0.55
MIN_VIEW_CONFIDENCE = 0.5
MIN_VIEW_FRAMES = 10


def width_to_trunk(series: KeypointSeries) -> float | None:
    """Median over frames of the mean horizontal shoulder and hip widths over the trunk length (the
    distance between the shoulders' and the hips' midpoints); None with fewer than ``MIN_VIEW_FRAMES``
    frames where all four landmarks are seen (confidence >= ``MIN_VIEW_CONFIDENCE``)."""
    joints = [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP]
    p = series.positions[:, joints, :2]
    seen = np.isfinite(p).all(axis=(1, 2)) & (series.confidence[:, joints] >= MIN_VIEW_CONFIDENCE).all(axis=1)
    if seen.sum() < MIN_VIEW_FRAMES:
        return None
    p = p[seen]
    widths = (np.abs(p[:, 0, 0] - p[:, 1, 0]) + np.abs(p[:, 2, 0] - p[:, 3, 0])) / 2.0
    trunk = np.linalg.norm((p[:, 0] + p[:, 1] - p[:, 2] - p[:, 3]) / 2.0, axis=1)
    ok = trunk > 0
    if ok.sum() < MIN_VIEW_FRAMES:
        return None
    return float(np.median(widths[ok] / trunk[ok]))


def check_side_view(series: KeypointSeries) -> str | None:
    """Raise ``InsufficientDataError`` when a 2-D series shows the walker from the front or back; a note when
    it shows them obliquely (``OBLIQUE_WIDTH_TRUNK``), else None."""
    if not series.is_2d:
        return None
    ratio = width_to_trunk(series)
    if ratio is None or ratio < OBLIQUE_WIDTH_TRUNK:
        return None
    if ratio < FRONT_VIEW_WIDTH_TRUNK:
        degrees = np.degrees(np.arcsin(min(1.0, ratio / FACING_WIDTH_TRUNK)))
        return (f"oblique view: shoulders and hips {ratio:.0%} of the trunk's length wide (a side view shows under "
                f"{OBLIQUE_WIDTH_TRUNK:.0%}; about {degrees:.0f} deg from the side): step lengths, speed and sagittal "
                "angles read short; film at right angles to the walking direction")
    raise InsufficientDataError(
        f"not a side view: the walker is seen from the front or back (shoulders and hips {ratio:.0%} of the "
        f"trunk's length wide; a side view shows under {OBLIQUE_WIDTH_TRUNK:.0%}, and from "
        f"{FRONT_VIEW_WIDTH_TRUNK:.0%} a view is taken for the front or back): walking towards or away "
        "from the camera gives no reliable events, lengths or angles; film the walk from the side, the "
        "camera at right angles to the walking direction"
    )
