"""Contact evidence from pixels: the image shift of small patches at the heels and toes.

A pose model's heel settles on the floor frames after the heel visibly lands (issue 12), so its
landmarks cannot time contact well. The pixels can: a foot on the ground moves exactly as the
scenery does, a swinging one does not. Per processed frame and per foot point (``FOOT_POINTS``:
left heel, left toe, right heel, right toe), a grey patch is cut from the previous processed frame
around that point's landmark there and the patch at the same place in this frame; both are resampled
to ``PATCH_PX`` square and phase-correlated (OpenCV, Hann window, mean removed). The shift (original
frame px, x right, y down) and the correlation peak (0..1, the share of the patch that moved as one)
are stored per point; ``core.series`` turns them into velocities relative to the scenery.

The patch side is ``PATCH_FOOT`` foot lengths (heel to toe in the previous frame), within
``MIN_SIDE_PX``..``MAX_SIDE_PX`` of the processed frame. A swinging foot can move more than half a
patch between two frames; its correlation peak then drops, which the analysis reads as movement, not
rest. (0.6 foot lengths did better on the development videos but not on three validation sets:
docs/gait_accuracy.md section (n).)
"""

from __future__ import annotations

import functools
import math

import numpy as np

from core.constants import FOOT_MOTION_POINTS, LEG_LANDMARKS
from core.pose.video import Frame

# Landmark indices of the tracked points, in their stored order (``FOOT_MOTION_POINTS``).
FOOT_POINTS: tuple[int, ...] = tuple(LEG_LANDMARKS[side][point] for side, point in FOOT_MOTION_POINTS)
PATCH_PX = 32
PATCH_FOOT = 1.0
MIN_SIDE_PX = 16
MAX_SIDE_PX = 160


class FootShift:
    """Per processed frame: (4, 4) [dx_px, dy_px, peak, from_frame] for ``FOOT_POINTS``, each point's
    patch shift in original-frame px since video frame ``from_frame`` (the previous processed frame);
    NaN rows where the point was not seen in the previous frame, and for a run's first frame."""

    def __init__(self) -> None:
        self._previous: tuple[int, float, list[tuple[tuple[int, int, int, int], np.ndarray] | None]] | None = None

    def reset(self) -> None:
        self._previous = None

    def update(self, frame: Frame, landmarks_px: np.ndarray | None) -> np.ndarray:
        """(4, 4) for ``frame`` (see the class docstring); ``landmarks_px``: (33, >=2) original-frame px or None."""
        import cv2

        out = np.full((len(FOOT_POINTS), 4), np.nan)
        previous, self._previous = self._previous, None
        if frame.blank:  # not decoded
            return out
        if previous is not None and previous[1] == frame.scale:
            from_frame, _, patches = previous
            for k, item in enumerate(patches):
                if item is None:
                    continue
                box, before = item
                after = _patch(frame.image, box, frame.grey_code())
                if after is None:
                    continue
                (dx, dy), peak = cv2.phaseCorrelate(before, after, _hann(PATCH_PX))
                to_frame_px = (box[2] - box[0]) / PATCH_PX / frame.scale
                out[k] = dx * to_frame_px, dy * to_frame_px, peak, from_frame
        if landmarks_px is not None:
            boxes = foot_boxes(landmarks_px, frame.scale, frame.image.shape[1], frame.image.shape[0])
            patches = [None if b is None else _with_patch(b, frame.image, frame.grey_code()) for b in boxes]
            self._previous = (frame.index, frame.scale, patches)
        return out


def foot_boxes(landmarks_px: np.ndarray, scale: float, width: int, height: int
               ) -> list[tuple[int, int, int, int] | None]:
    """Per ``FOOT_POINTS`` the square patch (x0, y0, x1, y1) in the processed frame (``scale`` = processed
    / original px) centred on the point, or None where the point or its foot is unseen or the patch
    leaves the frame."""
    out: list[tuple[int, int, int, int] | None] = []
    xy = landmarks_px[:, :2].tolist()
    for (side, _), point in zip(FOOT_MOTION_POINTS, FOOT_POINTS):
        (hx, hy), (tx, ty) = (xy[LEG_LANDMARKS[side][p]] for p in ("heel", "toe"))
        cx, cy = xy[point]
        if not all(math.isfinite(v) for v in (hx, hy, tx, ty)):
            out.append(None)
            continue
        side_px = min(MAX_SIDE_PX, max(MIN_SIDE_PX, round(PATCH_FOOT * math.hypot(tx - hx, ty - hy) * scale)))
        x0, y0 = round(cx * scale - side_px / 2), round(cy * scale - side_px / 2)
        inside = x0 >= 0 and y0 >= 0 and x0 + side_px <= width and y0 + side_px <= height
        out.append((x0, y0, x0 + side_px, y0 + side_px) if inside else None)
    return out


def _with_patch(box: tuple[int, int, int, int], image: np.ndarray, grey_code: int
                ) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    patch = _patch(image, box, grey_code)
    return None if patch is None else (box, patch)


def _patch(image: np.ndarray, box: tuple[int, int, int, int], grey_code: int) -> np.ndarray | None:
    """The grey patch of ``image`` (H, W, 3; ``grey_code``: its ``cvtColor`` code to grey) inside ``box``,
    resampled to PATCH_PX square, float32, mean 0."""
    import cv2

    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    if crop.shape[0] != y1 - y0 or crop.shape[1] != x1 - x0:
        return None
    grey = cv2.cvtColor(crop, grey_code)
    small = cv2.resize(grey, (PATCH_PX, PATCH_PX), interpolation=cv2.INTER_AREA).astype(np.float32)
    small -= cv2.mean(small)[0]
    return small


@functools.cache
def _hann(size: int) -> np.ndarray:
    import cv2

    return cv2.createHanningWindow((size, size), cv2.CV_32F)
