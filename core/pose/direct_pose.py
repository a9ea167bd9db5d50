"""The direct pose engine: MediaPipe's pose models run through LiteRT with our own crops and tracking.

Same interface and outputs as ``core.pose.extractor.PoseEstimator`` (the ``mp.solutions`` graph), and
the same steps as the graph: the BlazePose detector finds the body when nothing is tracked; the
landmark model runs on one rotated square crop of the frame (no full-frame resize); the next frame's
crop comes from this frame's auxiliary landmarks; a pose score below ``min_tracking_confidence`` means
lost (detect again next frame). Works in the decoded frame's px and reports original-frame px.
"""

from __future__ import annotations

import numpy as np

from core.config import PoseConfig
from core.constants import MIRROR_PERMUTATION, NUM_LANDMARKS
from core.pose.one_euro import PoseSmoother
from core.pose.people import DETECTOR_INPUT_PX, body_boxes, box_overlap, decode_keypoints, run_detector
from core.pose.pose_roi import (
    PoseRoi, crop, crop_to_image, refine_from_heatmap, roi_from_points, rotate_world, square_around,
)
from core.pose.roi import Roi
from core.pose.video import Frame

LANDMARK_INPUT_PX = 256
_ALL_LANDMARKS = 39  # 33 pose landmarks, then the auxiliary centre and scale point, then 4 unused
_AUX = slice(NUM_LANDMARKS, NUM_LANDMARKS + 2)
_SAME_PERSON_OVERLAP = 0.5  # detections whose body boxes overlap this much (of the smaller) are one
# The model's outputs of a mirrored input, read back: left and right landmarks exchanged (the auxiliary ones stay).
_MIRRORED_ROWS = np.array(MIRROR_PERMUTATION + tuple(range(NUM_LANDMARKS, _ALL_LANDMARKS)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0)))


class DirectPoseEstimator:
    """``PoseEstimator``'s interface on the shipped models; ``threads``: LiteRT threads per model."""

    def __init__(self, cfg: PoseConfig, model_complexity: int, roi: Roi | None = None, threads: int = 1) -> None:
        from core.pose.litert_runner import DETECTOR_FILE, shared_model, shipped_model_path
        from core.pose.models import model_path

        self.roi = roi
        self._min_detection = cfg.min_detection_confidence
        self._min_tracking = cfg.min_tracking_confidence
        self._landmarker = shared_model(model_path(model_complexity), threads)
        self._detector = shared_model(shipped_model_path(DETECTOR_FILE), threads)  # the person finder's too
        self._smoother = PoseSmoother(cfg.smooth_landmarks)
        self._track: PoseRoi | None = None  # the next crop, original-frame px relative to the box corner

    def process(self, frame: Frame, box_px: np.ndarray | None = None, mirror: bool = False
                ) -> tuple[np.ndarray, np.ndarray] | None:
        """Landmarks of one frame: image (33, 5) x, y, z px of the original frame, visibility, presence;
        world (33, 3) m; None if nobody. ``box_px``: (x0, y0, x1, y1) original-frame px where the person
        is (the walker's crop): detection searches it, and a tracked crop centred outside it is dropped.
        Tracking and smoothing run relative to the box's corner, so that the box's motion carries the
        next crop along, as for the graph, which is handed the box as its image. ``mirror``: the landmark
        model sees its crop mirrored left to right (its outputs are mirrored back, left and right
        exchanged): a walker going left is seen going right (``core.pose.follow_path.FollowPath.mirrored``)."""
        h, w = frame.image.shape[:2]
        region = self._region_px(box_px, frame.scale, w, h)
        origin = np.zeros(2) if box_px is None else np.asarray(box_px[:2], dtype=float)
        roi = None if self._track is None else self._track.moved(origin).scaled(frame.scale)
        if roi is not None and region is not None and not _inside(roi, region):
            roi = None
        if roi is None:
            self._smoother.reset()
            region = region or (0.0, 0.0, float(w), float(h))
            if region[2] - region[0] < 1 or region[3] - region[1] < 1:  # a box outside the frame
                return None
            roi = self._detect(frame, region)
            if roi is None:
                return None
        result = self._landmarks(frame, roi, origin, mirror)
        if result is None:
            self.reset()
        return result

    def _region_px(self, box_px: np.ndarray | None, scale: float, w: int, h: int
                   ) -> tuple[float, float, float, float] | None:
        """Where to search, in the decoded frame's px: the given box, else the ROI, else None (all)."""
        if box_px is not None:
            x0, y0, x1, y1 = (float(v) * scale for v in box_px)
            return max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
        if self.roi is not None:
            return tuple(float(v) for v in self.roi.pixel_box(w, h))  # type: ignore[return-value]
        return None

    def _detect(self, frame: Frame, region: tuple[float, float, float, float]) -> PoseRoi | None:
        """The best detection whose hip centre lies in ``region`` (the square around it is what the
        detector sees, letterboxed to its input) as a body ROI: a wide ROI's square reaches past it, and
        someone there, e.g. above the walker, is not the walker."""
        square = square_around(region)
        rgb = _rgb(crop(frame.image, square, DETECTOR_INPUT_PX, replicate_border=False), frame.rgb)
        keypoints, scores = decode_keypoints(*run_detector(self._detector, rgb), self._min_detection)
        if len(scores):
            hips = crop_to_image(keypoints[:, 0], square)
            x0, y0, x1, y1 = region
            inside = (hips[:, 0] >= x0) & (hips[:, 0] <= x1) & (hips[:, 1] >= y0) & (hips[:, 1] <= y1)
            keypoints, scores = keypoints[inside], scores[inside]
        if not len(scores):
            return None
        kp = _merged_best(keypoints, scores)
        centre, scale_pt = crop_to_image(kp[:2], square)
        return roi_from_points(centre, scale_pt)

    def _landmarks(self, frame: Frame, roi: PoseRoi, origin: np.ndarray, mirror: bool = False
                   ) -> tuple[np.ndarray, np.ndarray] | None:
        """The landmark model on ``roi`` (decoded-frame px); ``origin``: the box corner (original px)
        that tracking and smoothing are relative to; ``mirror``: see ``process``."""
        rgb = _rgb(crop(frame.image, roi, LANDMARK_INPUT_PX, replicate_border=True), frame.rgb)
        if mirror:
            rgb = rgb[:, ::-1]
        outs = self._landmarker.run((rgb.astype(np.float32) / 255.0)[None])
        by_size = {o.size: o for o in outs}
        flag = float(by_size[1].ravel()[0])
        if flag < self._min_tracking:
            return None
        raw = by_size[_ALL_LANDMARKS * 5].reshape(_ALL_LANDMARKS, 5).astype(float)
        heatmap = next(o for o in outs if o.ndim == 4 and o.shape[-1] == _ALL_LANDMARKS)[0]
        world_raw = by_size[_ALL_LANDMARKS * 3].reshape(_ALL_LANDMARKS, 3).astype(float)
        norm = refine_from_heatmap(raw[:, :2] / LANDMARK_INPUT_PX, heatmap)
        if mirror:
            norm, raw, world_raw = _mirrored(norm, raw, world_raw)
        xy = crop_to_image(norm, roi)
        image = np.empty((NUM_LANDMARKS, 5))
        image[:, :2] = xy[:NUM_LANDMARKS] / frame.scale - origin
        image[:, 2] = raw[:NUM_LANDMARKS, 2] / LANDMARK_INPUT_PX * roi.side_px / frame.scale
        image[:, 3:] = _sigmoid(raw[:NUM_LANDMARKS, 3:])
        world = rotate_world(world_raw[:NUM_LANDMARKS], roi.rotation_rad)
        image, world, aux = self._smoother(image, world, xy[_AUX] / frame.scale - origin)
        self._track = roi_from_points(aux[0], aux[1])
        image[:, :2] += origin
        return image, world

    def reset(self) -> None:
        """Forget tracking: the next frame is searched afresh."""
        self._track = None
        self._smoother.reset()

    def close(self) -> None:
        self._landmarker = self._detector = None  # type: ignore[assignment]

    def __enter__(self) -> "DirectPoseEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mirrored(norm: np.ndarray, raw: np.ndarray, world: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The landmark model's outputs for a mirrored input, read as outputs for the input itself: ``norm``
    (39, 2) refined x, y in 0..1 of the crop, ``raw`` (39, 5), ``world`` (39, 3) m; x mirrored, left and
    right rows exchanged. The heatmap refinement runs before, on the mirrored input: its cells are
    centred on multiples of the cell size, so a heatmap flipped in place would be one cell off."""
    norm, raw, world = norm[_MIRRORED_ROWS], raw[_MIRRORED_ROWS], world[_MIRRORED_ROWS]
    norm[:, 0] = 1.0 - norm[:, 0]
    raw[:, 0] = LANDMARK_INPUT_PX - raw[:, 0]
    world[:, 0] = -world[:, 0]
    return norm, raw, world


def _rgb(image: np.ndarray, is_rgb: bool) -> np.ndarray:
    return image if is_rgb else np.ascontiguousarray(image[:, :, ::-1])


def _inside(roi: PoseRoi, region: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = region
    return x0 <= roi.centre_x_px <= x1 and y0 <= roi.centre_y_px <= y1


def _merged_best(keypoints: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """(4, 2) keypoints of the best-scoring person: the score-weighted mean of the detections that
    overlap its body box (MediaPipe's weighted non-maximum suppression, first detection)."""
    boxes = body_boxes(keypoints)
    best = int(np.argmax(scores))
    same = box_overlap(boxes[best : best + 1], boxes)[0] > _SAME_PERSON_OVERLAP
    weights = scores[same] / scores[same].sum()
    return (keypoints[same] * weights[:, None, None]).sum(axis=0)
