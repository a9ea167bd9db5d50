"""Do a person's legs move against their body? A cheap step cue from two frames a few frames apart (pure numpy).

A walker's legs move against the torso all the time (the stance leg backwards, the swing leg
forwards); someone carried along (a moving walkway, a scenery patch sliding with the camera's pan,
a person standing still while the camera turns) moves as one piece. So: align the torso region of a
body box between the two frames by the horizontal shift that best explains it, and see how much more of the legs region
than of the torso region neither that shift nor standing still explains (the scenery behind a body
stands still in a static camera, moves with it in a panning one).
"""

from __future__ import annotations

import numpy as np

# Regions of a square body box centred on the hip (see core/pose/people.py), in box sides from its centre.
_HALF_WIDTH_SIDES = 0.25
_TORSO_ROWS_SIDES = (-0.35, -0.05)
_LEGS_ROWS_SIDES = (0.05, 0.38)
_MAX_SHIFT_SIDES = 0.12  # largest body shift between the two frames searched (a fast walker, 2 frames, 30 fps)
_SAMPLES_PER_SIDE = 64  # boxes are subsampled to about this many px per side
_CONTRAST_FLOOR = 1.0  # grey levels: keeps a flat legs region from dividing by zero


def leg_motion(grey_a: np.ndarray, grey_b: np.ndarray | None, boxes_px: np.ndarray) -> np.ndarray:
    """(n,) leg motion of each body box (n, 4) x0 y0 x1 y1 px of ``grey_a`` (H, W), seen again in
    ``grey_b`` (same size, a few frames later): the legs region's mean absolute grey change that
    neither the torso's best horizontal shift nor no shift explains, less the torso region's, over
    the legs region's contrast
    (about 0 for a body moving as one piece; NaN without ``grey_b`` or where a region leaves the frame)."""
    boxes_px = np.asarray(boxes_px, float).reshape(-1, 4)
    out = np.full(len(boxes_px), np.nan)
    if grey_b is None:
        return out
    a, b = np.asarray(grey_a, np.float32), np.asarray(grey_b, np.float32)
    for i, box in enumerate(boxes_px):
        out[i] = _one_box(a, b, box)
    return out


def _one_box(a: np.ndarray, b: np.ndarray, box: np.ndarray) -> float:
    side = float(box[3] - box[1])
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    step = max(1, int(side // _SAMPLES_PER_SIDE))
    shift = int(np.ceil(_MAX_SHIFT_SIDES * side))
    c0, c1 = int(cx - _HALF_WIDTH_SIDES * side), int(cx + _HALF_WIDTH_SIDES * side)
    t0, t1 = (int(cy + k * side) for k in _TORSO_ROWS_SIDES)
    l0, l1 = (int(cy + k * side) for k in _LEGS_ROWS_SIDES)
    if side < 8 or c0 - shift < 0 or c1 + shift > a.shape[1] or t0 < 0 or l1 > a.shape[0]:
        return float("nan")
    torso, legs = a[t0:t1:step, c0:c1:step], a[l0:l1:step, c0:c1:step]
    torso_still, legs_still = b[t0:t1:step, c0:c1:step], b[l0:l1:step, c0:c1:step]
    torso_change, best_dx = min(
        (_unexplained(torso, b[t0:t1:step, c0 + dx : c1 + dx : step], torso_still), dx)
        for dx in range(-shift, shift + 1, step))
    legs_change = _unexplained(legs, b[l0:l1:step, c0 + best_dx : c1 + best_dx : step], legs_still)
    contrast = float(np.abs(legs - legs.mean()).mean())
    return (legs_change - torso_change) / (contrast + _CONTRAST_FLOOR)


def _unexplained(before: np.ndarray, moved: np.ndarray, still: np.ndarray) -> float:
    """Mean grey change per pixel that neither the body's shift (``moved``) nor none (``still``) explains."""
    return float(np.minimum(np.abs(moved - before), np.abs(still - before)).mean())
