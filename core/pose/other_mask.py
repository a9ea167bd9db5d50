"""The other people out of the walker's crop: their pixels neutralised before the pose model sees it.

The scan's boxes (``core.pose.people.body_boxes``) are squares around the hip centre, about 1.6 x
as wide as a walking body; a person fills the middle of the box's width. So each other person's
box is narrowed to a strip around its centre (``OTHER_HALF_WIDTH_BOXES`` of its side each way) and
filled with its mean colour, less the walker's kept box: the extent of her last pose, padded (else
the middle of her scanned box). The walker is not masked, and where the other person overlaps her
(an occlusion, or someone right behind her) those pixels are left as they are. Measured in
docs/walker.md, "Session 15".
"""

from __future__ import annotations

import numpy as np

OTHER_HALF_WIDTH_BOXES = 0.3  # an other person's strip: centre +- this x its box side (arms and a long stride)
WALKER_HALF_WIDTH_BOXES = 0.35  # the walker's kept box: centre +- this x its box side, across
WALKER_HALF_HEIGHT_BOXES = 0.5  # and up and down (the whole box)
POSE_PAD_BOXES = 0.08  # the walker's kept box from her last pose: its landmarks' extent padded by this x her box side
MEAN_EVERY_PX = 4  # a rectangle's mean colour from every 4th pixel each way


def strip_px(box_px: np.ndarray, half_width_boxes: float, half_height_boxes: float = 0.5) -> np.ndarray:
    """(4,) x0 y0 x1 y1 px: a box's middle, ``half_width_boxes`` (across) and ``half_height_boxes``
    (up and down) of its side (x1 - x0) each way from its centre."""
    cx, cy = (box_px[0] + box_px[2]) / 2, (box_px[1] + box_px[3]) / 2
    side = float(box_px[2] - box_px[0])
    return np.array([cx - half_width_boxes * side, cy - half_height_boxes * side,
                     cx + half_width_boxes * side, cy + half_height_boxes * side])


def rects_outside(rect: np.ndarray, hole: np.ndarray) -> list[np.ndarray]:
    """The parts of ``rect`` (x0 y0 x1 y1) outside ``hole``: up to four rectangles (left, right, above, below)."""
    x0, y0, x1, y1 = rect
    hx0, hy0, hx1, hy1 = np.maximum(hole, [x0, y0, x0, y0]).clip(max=[x1, y1, x1, y1])
    if hx1 <= hx0 or hy1 <= hy0:
        return [rect]
    parts = [(x0, y0, hx0, y1), (hx1, y0, x1, y1), (hx0, y0, hx1, hy0), (hx0, hy1, hx1, y1)]
    return [np.array(p) for p in parts if p[2] > p[0] and p[3] > p[1]]


def kept_box_px(walker_box_px: np.ndarray, pose_px: np.ndarray | None = None) -> np.ndarray:
    """(4,) px the mask never touches: the walker's last pose's landmarks (33, >=2 px; None: none) padded by
    ``POSE_PAD_BOXES`` of her box side, else the middle of her scanned box (``strip_px``)."""
    if pose_px is None or not np.isfinite(pose_px[:, :2]).all():
        return strip_px(walker_box_px, WALKER_HALF_WIDTH_BOXES, WALKER_HALF_HEIGHT_BOXES)
    pad = POSE_PAD_BOXES * float(walker_box_px[2] - walker_box_px[0])
    lo, hi = pose_px[:, :2].min(axis=0) - pad, pose_px[:, :2].max(axis=0) + pad
    return np.concatenate([lo, hi])


def mask_rects_px(walker_box_px: np.ndarray, others_px: np.ndarray, pose_px: np.ndarray | None = None
                  ) -> list[np.ndarray]:
    """The rectangles (x0 y0 x1 y1 px) to neutralise: each other person's strip (``strip_px``) less the
    walker's kept box (``kept_box_px``). ``walker_box_px`` (4,) and ``others_px`` (m, 4): square body boxes,
    the same px; ``pose_px``: the walker's last pose (33, >=2) in those px, or None."""
    keep = kept_box_px(walker_box_px, pose_px)
    out: list[np.ndarray] = []
    for box in np.asarray(others_px, float).reshape(-1, 4):
        out += rects_outside(strip_px(box, OTHER_HALF_WIDTH_BOXES), keep)
    return out


def masked_image(image: np.ndarray, rects_px: list[np.ndarray], region_px: np.ndarray | None = None) -> np.ndarray:
    """``image`` (h, w, 3) uint8 with the ``rects_px`` (x0 y0 x1 y1 px of ``image``) filled, each with its mean
    colour (from every ``MEAN_EVERY_PX``-th pixel each way); only their parts inside ``region_px`` (None: the
    whole image). A copy when anything is filled, else ``image``."""
    import cv2

    h, w = image.shape[:2]
    bound = np.array([0, 0, w, h], float) if region_px is None else np.clip(region_px, 0, [w, h, w, h])
    out = image
    for r in rects_px:
        x0, y0 = int(round(max(r[0], bound[0]))), int(round(max(r[1], bound[1])))
        x1, y1 = int(round(min(r[2], bound[2]))), int(round(min(r[3], bound[3])))
        if x1 <= x0 or y1 <= y0:
            continue
        if out is image:
            out = image.copy()
        sample = np.ascontiguousarray(image[y0:y1:MEAN_EVERY_PX, x0:x1:MEAN_EVERY_PX])
        colour = tuple(int(round(c)) for c in cv2.mean(sample)[: image.shape[2]])
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), colour, thickness=-1)
    return out


def without_others(image: np.ndarray, scale: float, crop_px: np.ndarray, walker_box_px: np.ndarray,
                   others_px: np.ndarray | None, pose_px: np.ndarray | None = None) -> np.ndarray:
    """The decoded frame ``image`` (px = original px x ``scale``) as the pose model should see the walker's
    crop ``crop_px`` (original px; the pixels filled reach half a crop beyond it, where the pose model's
    own crop may reach): the other people's strips filled (``mask_rects_px``, ``masked_image``).
    ``walker_box_px``, ``others_px`` (m, 4): body boxes in original px. ``image`` itself when nobody is near."""
    if others_px is None or not len(others_px):
        return image
    side = float(crop_px[2] - crop_px[0])
    region = (np.asarray(crop_px, float) + np.array([-1, -1, 1, 1]) * side / 2) * scale
    rects = [r * scale for r in mask_rects_px(walker_box_px, others_px, pose_px)]
    return masked_image(image, rects, region)
