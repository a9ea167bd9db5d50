"""Person finder: the shipped BlazePose detector run on square tiles of a frame, decoded to boxes.

Every candidate is a box in frame px (x0, y0, x1, y1) around the whole body, plus a score. The
detector returns a face box and two keypoints per person (hip centre, and a point whose distance
from the hip centre gives the body's half-size); the body box is built from those keypoints.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from core.pose.static_tiles import StaticTiles, grey_copy, tile_blocks

DETECTOR_INPUT_PX = 224
_STRIDES = (8, 16, 32, 32, 32)
_BOX_SCALE = 224.0
_SCORE_CLIP = 100.0
BODY_SCALE = 1.25  # MediaPipe's body ROI: side = 2 x 1.25 x |hip -> scale keypoint|


@dataclass(frozen=True)
class FinderConfig:
    """min_score: detector confidence to keep a candidate (0..1). tile_fractions: square tile sides
    as fractions of the frame's shorter side (smaller tiles find smaller people, at more calls).
    nms_overlap: boxes overlapping more than this (over the smaller box's area) are one person;
    so are boxes whose centres are closer than nms_centre_sides of the smaller box's side (body
    boxes are square and wide: two people side by side, or one passing in front of the other,
    overlap by half their area and were merged into one box between them at an overlap of 0.5).
    max_outside: a tile's detection whose body box reaches further than this fraction of its own
    side beyond a tile edge that is not the frame's edge is dropped (a person cut by the tile is
    sized wrongly; the body box has a margin of about a third of the body height around the person).
    static_max_change_grey: in a scan, a tile where the detector saw nobody is not run again while none of its
    blocks changes by this many grey levels (``core.pose.static_tiles``; 0: every tile runs)."""

    min_score: float = 0.5
    tile_fractions: tuple[float, ...] = (1.0, 0.6)
    nms_overlap: float = 0.8
    nms_centre_sides: float = 0.3
    max_outside: float = 0.2
    static_max_change_grey: float = 8.0


@functools.cache
def detector_anchors() -> np.ndarray:
    """(2254, 2) anchor centres in 0..1 (x, y) of the 224 px input; anchors of one stride merged."""
    centres = []
    layer = 0
    while layer < len(_STRIDES):
        stride = _STRIDES[layer]
        n_same = 0
        while layer < len(_STRIDES) and _STRIDES[layer] == stride:
            n_same += 1
            layer += 1
        fm = int(np.ceil(DETECTOR_INPUT_PX / stride))
        per_cell = 2 * n_same  # one aspect ratio plus the interpolated scale, per merged layer
        ys, xs = np.meshgrid((np.arange(fm) + 0.5) / fm, (np.arange(fm) + 0.5) / fm, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres)


def decode_keypoints(scores_raw: np.ndarray, regress: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """Raw detector outputs -> (keypoints (n, 4, 2) x, y in 0..1 of the input, scores (n,)) of the
    anchors scoring at least ``min_score``; keypoint 0 is the hip centre, 1 the body's scale point.

    scores_raw: (2254,) logits; regress: (2254, 12) box centre/size then 4 keypoints (x, y), in
    input px relative to the anchor centre."""
    anchors = detector_anchors()
    logits = np.clip(scores_raw.reshape(-1).astype(np.float64), -_SCORE_CLIP, _SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = scores >= min_score
    if not keep.any():
        return np.zeros((0, 4, 2)), np.zeros(0)
    reg = regress.reshape(-1, 12)[keep]
    return reg[:, 4:].reshape(-1, 4, 2) / _BOX_SCALE + anchors[keep][:, None, :], scores[keep]


def body_boxes(keypoints: np.ndarray) -> np.ndarray:
    """(n, 4) square body boxes x0 y0 x1 y1 around the hip centre, from (n, 4, 2) detector keypoints."""
    hip, scale_pt = keypoints[:, 0], keypoints[:, 1]
    half = BODY_SCALE * np.linalg.norm(scale_pt - hip, axis=1)
    return np.stack([hip[:, 0] - half, hip[:, 1] - half, hip[:, 0] + half, hip[:, 1] + half], axis=1)


def decode_detections(scores_raw: np.ndarray, regress: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
    """Raw detector outputs -> (boxes (n, 4) x0 y0 x1 y1, scores (n,)), both in 0..1 of the input."""
    keypoints, scores = decode_keypoints(scores_raw, regress, min_score)
    if not len(scores):
        return np.zeros((0, 4)), np.zeros(0)
    return body_boxes(keypoints), scores


def run_detector(model, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001 (a TfliteModel)
    """The detector on one (224, 224, 3) uint8 RGB image: (score logits, regressions) as it outputs them."""
    outs = model.run((rgb.astype(np.float32) / 127.5 - 1.0)[None])
    return next(o for o in outs if o.shape[-1] == 1), next(o for o in outs if o.shape[-1] == 12)


def box_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the smaller box's area, (len(a), len(b)), of boxes x0 y0 x1 y1 (a box
    inside a larger one overlaps it fully: one person found at two tile sizes)."""
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-9)


def weighted_nms(
    boxes: np.ndarray, scores: np.ndarray, overlap: float, centre_sides: float = 0.3,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge boxes of one person: each cluster around the best remaining box (boxes overlapping it
    more than ``overlap`` of the smaller area, or centred within ``centre_sides`` of the smaller
    side from it) becomes the score-weighted mean."""
    order = np.argsort(-scores)
    boxes, scores = boxes[order], scores[order]
    used = np.zeros(len(boxes), bool)
    out_b, out_s = [], []
    for i in range(len(boxes)):
        if used[i]:
            continue
        group = (~used) & ((box_overlap(boxes[i : i + 1], boxes)[0] > overlap) | _near(boxes[i], boxes, centre_sides))
        group[i] = True
        used |= group
        w = scores[group]
        out_b.append((boxes[group] * w[:, None]).sum(0) / w.sum())
        out_s.append(scores[i])
    if not out_b:
        return np.zeros((0, 4)), np.zeros(0)
    return np.array(out_b), np.array(out_s)


def _near(box: np.ndarray, boxes: np.ndarray, sides: float) -> np.ndarray:
    """Mask of ``boxes`` centred within ``sides`` x the smaller box's side of ``box``'s centre."""
    d = np.linalg.norm((boxes[:, :2] + boxes[:, 2:]) / 2 - (box[:2] + box[2:]) / 2, axis=1)
    side = np.minimum(box[2] - box[0], boxes[:, 2] - boxes[:, 0])
    return d < sides * side


def square_tiles(width_px: int, height_px: int, fractions: tuple[float, ...]) -> list[tuple[int, int, int]]:
    """Square tiles (x0, y0, side) covering the frame at each side fraction of the shorter side,
    overlapping by at least a quarter of a tile."""
    short = min(width_px, height_px)
    tiles = []
    for frac in fractions:
        side = max(16, int(round(short * frac)))
        for y0 in _offsets(height_px, side):
            for x0 in _offsets(width_px, side):
                tiles.append((x0, y0, side))
    return tiles


def _offsets(length_px: int, side: int) -> list[int]:
    if side >= length_px:
        return [0]
    n = int(np.ceil((length_px - side) / (0.75 * side))) + 1
    return [int(round(v)) for v in np.linspace(0, length_px - side, n)]


class PersonFinder:
    """Candidates (boxes in frame px, scores) in a BGR frame; the model loads on first use."""

    def __init__(self, cfg: FinderConfig = FinderConfig(), threads: int = 1) -> None:
        self.cfg = cfg
        self.threads = threads
        self._model = None

    def _detector(self):  # noqa: ANN202
        if self._model is None:
            from core.pose.litert_runner import DETECTOR_FILE, shared_model, shipped_model_path

            self._model = shared_model(shipped_model_path(DETECTOR_FILE), self.threads)  # the pose engine's too
        return self._model

    def find(
        self, bgr: np.ndarray, region_px: tuple[int, int, int, int] | None = None,
        fractions: tuple[float, ...] | None = None, memory: StaticTiles | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """People in ``bgr`` (h, w, 3) uint8, optionally only those centred inside ``region_px`` (x0, y0,
        x1, y1: the whole frame is searched, so that a person whose head or feet leave the region is still
        seen); ``fractions``: tile sizes to use this time (default: all of the config's); ``memory``: skips the
        tiles that found nobody and have not changed since (``core.pose.static_tiles``; a scan task's own).

        Returns boxes (n, 4) x0 y0 x1 y1 in px of ``bgr`` and scores (n,), best first."""
        import cv2

        h, w = bgr.shape[:2]
        model = self._detector()
        all_b, all_s = [], []
        grey = grey_copy(bgr) if memory is not None else None
        for x0, y0, side in square_tiles(w, h, fractions or self.cfg.tile_fractions):
            blocks = tile_blocks(*grey, (x0, y0, side)) if grey is not None else None
            if memory is not None and memory.unchanged_empty((x0, y0, side), blocks):
                continue
            tile = bgr[y0 : y0 + side, x0 : x0 + side]
            th, tw = tile.shape[:2]
            if th != tw:  # a frame narrower than tall: pad the tile to a square
                tile = cv2.copyMakeBorder(tile, 0, side - th, 0, side - tw, cv2.BORDER_CONSTANT)
            rgb = cv2.cvtColor(cv2.resize(tile, (DETECTOR_INPUT_PX, DETECTOR_INPUT_PX), interpolation=cv2.INTER_AREA),
                              cv2.COLOR_BGR2RGB)
            boxes, scores = decode_detections(*run_detector(model, rgb), self.cfg.min_score)
            if memory is not None:
                memory.remember((x0, y0, side), blocks, len(boxes) > 0)  # anyone, even cut by the tile's edge
            inside = _inside_tile(boxes, x0, y0, side, w, h, self.cfg.max_outside)
            boxes, scores = boxes[inside], scores[inside]
            if len(boxes):
                all_b.append(boxes * side + np.array([x0, y0] * 2))
                all_s.append(scores)
        boxes, scores = (np.concatenate(all_b), np.concatenate(all_s)) if all_b else (np.zeros((0, 4)), np.zeros(0))
        if region_px is not None:
            centres = (boxes[:, :2] + boxes[:, 2:]) / 2
            x0, y0, x1, y1 = region_px
            inside = (centres[:, 0] >= x0) & (centres[:, 0] <= x1) & (centres[:, 1] >= y0) & (centres[:, 1] <= y1)
            boxes, scores = boxes[inside], scores[inside]
        if not len(boxes):
            return np.zeros((0, 4)), np.zeros(0)
        return weighted_nms(boxes, scores, self.cfg.nms_overlap, self.cfg.nms_centre_sides)


def _inside_tile(boxes01: np.ndarray, x0: int, y0: int, side: int, width_px: int, height_px: int,
                 max_outside: float) -> np.ndarray:
    """Mask of detections (boxes in 0..1 of the tile) not cut by a tile edge inside the frame."""
    slack = max_outside * (boxes01[:, 2] - boxes01[:, 0])
    lo, hi = -slack, 1.0 + slack
    ok = np.ones(len(boxes01), bool)
    if x0 > 0:
        ok &= boxes01[:, 0] >= lo
    if y0 > 0:
        ok &= boxes01[:, 1] >= lo
    if x0 + side < width_px:
        ok &= boxes01[:, 2] <= hi
    if y0 + side < height_px:
        ok &= boxes01[:, 3] <= hi
    return ok


_finders: dict[FinderConfig, PersonFinder] = {}


def shared_finder(cfg: FinderConfig) -> PersonFinder:
    """This process's finder for ``cfg``: its detector loads once per process (~40 ms of CPU), not once
    per scan or glance task."""
    return _finders.setdefault(cfg, PersonFinder(cfg))
