"""The direct pose engine's geometry: a rotated square ROI in frame px, the crop it makes for a model,
the way back from the model's normalised output to frame px, and the landmark heatmap refinement.

Conventions follow MediaPipe's pose graph: a model input of side S maps its corners (0, 0) and (S, S)
to the ROI's corners; normalised crop coordinates u, v in 0..1 (y down) reach the frame through
``centre + R(rotation) @ ((u - 0.5) * side, (v - 0.5) * side)``, R rotating clockwise on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# MediaPipe's body ROI: side = 2 x 1.25 x |centre -> scale point| (detector keypoints 0 and 1, or the
# landmark model's auxiliary landmarks 33 and 34), rotated so the centre -> scale point vector points up.
ROI_SCALE = 1.25
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class PoseRoi:
    """A square region: centre (px), side (px) and clockwise rotation (rad) in some image's px."""

    centre_x_px: float
    centre_y_px: float
    side_px: float
    rotation_rad: float

    def moved(self, offset_px: np.ndarray) -> "PoseRoi":
        """The same region shifted by ``offset_px`` (x, y)."""
        return PoseRoi(self.centre_x_px + float(offset_px[0]), self.centre_y_px + float(offset_px[1]),
                       self.side_px, self.rotation_rad)

    def scaled(self, factor: float) -> "PoseRoi":
        """The same region in an image scaled by ``factor`` (px per px)."""
        return PoseRoi(self.centre_x_px * factor, self.centre_y_px * factor, self.side_px * factor, self.rotation_rad)


def roi_from_points(centre_px: np.ndarray, scale_point_px: np.ndarray, scale: float = ROI_SCALE) -> PoseRoi:
    """The ROI of a body whose centre and scale point (each (2,) x, y px) are given: side
    2 x ``scale`` x their distance, rotated so the scale point lies straight above the centre."""
    dx, dy = float(scale_point_px[0] - centre_px[0]), float(scale_point_px[1] - centre_px[1])
    rotation = _wrap(np.pi / 2 - np.arctan2(-dy, dx))
    side = 2.0 * scale * float(np.hypot(dx, dy))
    return PoseRoi(float(centre_px[0]), float(centre_px[1]), side, rotation)


def square_around(box_px: tuple[float, float, float, float]) -> PoseRoi:
    """The unrotated square ROI centred on box (x0, y0, x1, y1) px with its longer side (letterboxed)."""
    x0, y0, x1, y1 = box_px
    return PoseRoi((x0 + x1) / 2, (y0 + y1) / 2, float(max(x1 - x0, y1 - y0)), 0.0)


def _wrap(angle_rad: float) -> float:
    return float(angle_rad - 2 * np.pi * np.floor((angle_rad + np.pi) / (2 * np.pi)))


def crop_matrix(roi: PoseRoi, size_px: int) -> np.ndarray:
    """(2, 3) affine map from the model input's px (0..size_px) to the image's px."""
    c, s = np.cos(roi.rotation_rad), np.sin(roi.rotation_rad)
    k = roi.side_px / size_px
    half = roi.side_px / 2
    return np.array([
        [c * k, -s * k, roi.centre_x_px - c * half + s * half],
        [s * k, c * k, roi.centre_y_px - s * half - c * half],
    ])


def crop(image: np.ndarray, roi: PoseRoi, size_px: int, replicate_border: bool) -> np.ndarray:
    """The ROI of ``image`` (h, w, 3) uint8 as a (size_px, size_px, 3) uint8 crop, one bilinear warp;
    outside the image the edge pixels are repeated (landmark model) or black (detector), as MediaPipe."""
    import cv2

    border = cv2.BORDER_REPLICATE if replicate_border else cv2.BORDER_CONSTANT
    return cv2.warpAffine(image, crop_matrix(roi, size_px), (size_px, size_px),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=border)


def crop_to_image(points_norm: np.ndarray, roi: PoseRoi) -> np.ndarray:
    """(n, 2) crop coordinates in 0..1 -> (n, 2) image px."""
    c, s = np.cos(roi.rotation_rad), np.sin(roi.rotation_rad)
    u = (points_norm[:, 0] - 0.5) * roi.side_px
    v = (points_norm[:, 1] - 0.5) * roi.side_px
    return np.stack([roi.centre_x_px + c * u - s * v, roi.centre_y_px + s * u + c * v], axis=1)


def rotate_world(world_m: np.ndarray, rotation_rad: float) -> np.ndarray:
    """(n, 3) world landmarks of the upright crop -> the frame's orientation (x, y rotated; z kept)."""
    c, s = np.cos(rotation_rad), np.sin(rotation_rad)
    out = np.array(world_m, dtype=float, copy=True)
    out[:, 0] = c * world_m[:, 0] - s * world_m[:, 1]
    out[:, 1] = s * world_m[:, 0] + c * world_m[:, 1]
    return out


def refine_from_heatmap(points_norm: np.ndarray, heatmap_logits: np.ndarray, kernel: int = HEATMAP_KERNEL,
                        min_confidence: float = HEATMAP_MIN_CONFIDENCE) -> np.ndarray:
    """Move each landmark to the confidence-weighted mean cell of its heatmap around it, as MediaPipe.

    points_norm: (n, 2) x, y in 0..1 of the crop; heatmap_logits: (H, W, n) raw (a sigmoid gives the
    confidence). A landmark moves only where its window (``kernel`` cells, cut at the map's edges)
    holds a confidence >= ``min_confidence``; a landmark outside the map stays. Returns (n, 2)."""
    hm_h, hm_w, n = heatmap_logits.shape
    col = np.trunc(points_norm[:, 0] * hm_w).astype(int)  # C++ float -> int conversion truncates
    row = np.trunc(points_norm[:, 1] * hm_h).astype(int)
    inside = (col >= 0) & (col < hm_w) & (row >= 0) & (row < hm_h)
    off = np.arange(kernel) - (kernel - 1) // 2
    cols, rows = col[:, None] + off, row[:, None] + off  # (n, k)
    ok = ((cols >= 0) & (cols < hm_w))[:, None, :] & ((rows >= 0) & (rows < hm_h))[:, :, None]  # (n, k, k)
    logits = heatmap_logits[np.clip(rows, 0, hm_h - 1)[:, :, None], np.clip(cols, 0, hm_w - 1)[:, None, :],
                            np.arange(n)[:, None, None]]
    conf = np.where(ok, 1.0 / (1.0 + np.exp(-logits.astype(float))), 0.0)
    total = conf.sum(axis=(1, 2))
    refine = inside & (conf.max(axis=(1, 2)) >= min_confidence) & (total > 0)
    out = np.array(points_norm, dtype=float, copy=True)
    safe = np.where(total > 0, total, 1.0)
    out[refine, 0] = ((conf * cols[:, None, :]).sum(axis=(1, 2)) / hm_w / safe)[refine]
    out[refine, 1] = ((conf * rows[:, :, None]).sum(axis=(1, 2)) / hm_h / safe)[refine]
    return out
