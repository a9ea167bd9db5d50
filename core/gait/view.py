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


def degrees_from_side(ratio: float) -> float:
    """The camera's angle (deg) away from the side view that shows shoulders and hips ``ratio`` of the trunk's
    length wide (0 seen from the side, 90 facing the camera, by ``FACING_WIDTH_TRUNK``)."""
    return float(np.degrees(np.arcsin(min(1.0, max(0.0, ratio) / FACING_WIDTH_TRUNK))))


def lengths_short_pct(ratio: float | None) -> float | None:
    """How much shorter (%) a length along the walking direction reads in a view whose shoulders and hips are
    ``ratio`` of the trunk's length wide (the cosine of ``degrees_from_side``); None without a ratio."""
    if ratio is None:
        return None
    return 100.0 * (1.0 - float(np.cos(np.radians(degrees_from_side(ratio)))))


def side_view(series: KeypointSeries) -> tuple[float | None, str | None]:
    """A 2-D series' ``width_to_trunk`` and its ``view_note`` (which raises for a view from the front or back);
    (None, None) for 3-D data."""
    ratio = width_to_trunk(series) if series.is_2d else None
    return ratio, view_note(ratio)


def view_note(ratio: float | None) -> str | None:
    """Raise ``InsufficientDataError`` when ``ratio`` (``width_to_trunk``) shows the walker from the front or back;
    a note when it shows them obliquely (``OBLIQUE_WIDTH_TRUNK``), else None (also without a ratio)."""
    if ratio is None or ratio < OBLIQUE_WIDTH_TRUNK:
        return None
    if ratio < FRONT_VIEW_WIDTH_TRUNK:
        return (f"oblique view: shoulders and hips {ratio:.0%} of the trunk's length wide (a side view shows under "
                f"{OBLIQUE_WIDTH_TRUNK:.0%}; about {degrees_from_side(ratio):.0f} deg from the side): step lengths "
                f"and speed read about {lengths_short_pct(ratio):.0f} % short, sagittal angles are distorted; film "
                "at right angles to the walking direction")
    raise InsufficientDataError(
        f"not a side view: the walker is seen from the front or back (shoulders and hips {ratio:.0%} of the "
        f"trunk's length wide; a side view shows under {OBLIQUE_WIDTH_TRUNK:.0%}, and from "
        f"{FRONT_VIEW_WIDTH_TRUNK:.0%} a view is taken for the front or back): walking towards or away "
        "from the camera gives no reliable events, lengths or angles; film the walk from the side, the "
        "camera at right angles to the walking direction"
    )
