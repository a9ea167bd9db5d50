"""Camera pan from the scenery: the image shift of the background over the last few processed frames.

A phone that turns to follow the walker moves the whole scene across the image; the walker's own
landmarks cannot measure that reliably (a stance foot's landmark sticks and slides, see
docs/gait_accuracy.md). Every ``EVERY_FRAMES``-th processed frame is phase-correlated (OpenCV) with
the one ``SPAN_FRAMES`` processed frames earlier (fewer at the start of a run; the spans overlap, so
every frame is covered), on a grey copy ``SCENE_WIDTH_PX`` wide made by halving the grey frame (a
2x bilinear step averages 2 x 2 pixels) and a final area resize. The scene is taken separately left
and right of the walker's landmark box. Each strip at least ``MIN_STRIP_PX`` wide is cut into tiles
of a fast DFT size about ``TILE_PX`` square (``_tiles``), each less its mean and under a Hann window,
so that neither its borders nor a blank wall correlate at zero shift; each tile whose peak reaches
``MIN_RESPONSE`` gives a shift, and the scene's shift is the peak-weighted median of the tiles' (per
axis). A moving object then sways only the tiles it covers: a bush or pole passing a static camera,
in one of the two strips, had made the mean of two whole strips read pans of 1 to 8 walking speeds,
against which the stance feet were measured (docs/gait_accuracy.md, section (r)). The span keeps the
scenery's correlation peak clear of the walker's own peak at zero shift (a walker that a tracking
camera holds still): over one frame a slow pan's peak merges with it and reads slow. A turning camera
shifts every depth alike; a camera carried alongside the walker shifts the background less than the
walker's plane (parallax), which this does not correct.
"""

from __future__ import annotations

import functools
from collections import deque

import numpy as np

from core.pose.video import Frame
from core.runs import true_runs

SCENE_WIDTH_PX = 480
SPAN_FRAMES = 4
EVERY_FRAMES = 2
MIN_STRIP_PX = 96
TILE_PX = 96
MIN_RESPONSE = 0.08
# The walker's landmark box is widened by this fraction of its height on each side (arms, feet, blur).
BOX_MARGIN_HEIGHT = 0.15


class SceneShift:
    """Per processed frame: [dx_px, dy_px, peak, from_frame], the scenery's shift in original-frame
    px since the video frame ``from_frame`` (a processed frame up to ``SPAN_FRAMES`` earlier); all
    NaN for the first frame of a run, a lost walker, a scene without texture, or a frame skipped by
    ``EVERY_FRAMES``."""

    def __init__(self) -> None:
        self._previous: deque[tuple[int, np.ndarray]] = deque(maxlen=max(1, SPAN_FRAMES // EVERY_FRAMES))
        self._count = 0

    def reset(self) -> None:
        self._previous.clear()
        self._count = 0

    def update(self, frame: Frame, landmarks_px: np.ndarray | None, others_px: np.ndarray | None = None) -> np.ndarray:
        """(4,) for ``frame`` (see the class docstring); ``landmarks_px``: (33, >=2) original-frame px or
        None; ``others_px``: (m, 4) boxes (x0 y0 x1 y1, original-frame px) of other people, whose
        columns are left out of the strips (a passer-by moves against the scenery)."""
        import cv2

        out = np.full(4, np.nan)
        self._count += 1
        if frame.blank:  # not decoded: nothing to compare with afterwards
            self._previous.clear()
            return out
        if self._count % EVERY_FRAMES:
            return out
        h, w = frame.image.shape[:2]
        factor = SCENE_WIDTH_PX / w
        small = _small_grey(frame.image, (SCENE_WIDTH_PX, max(8, round(h * factor))), frame.grey_code())
        if self._previous and self._previous[-1][1].shape != small.shape:
            self._previous.clear()
        from_frame, earlier = self._previous[0] if self._previous else (-1, None)
        self._previous.append((frame.index, small))
        if earlier is None or landmarks_px is None:
            return out
        cols = _walker_columns(landmarks_px, frame.scale * factor)
        if cols is None:
            return out
        shifts, peaks = [], []
        for lo, hi in _free_strips(cols, _other_columns(others_px, frame.scale * factor)):
            for (x0, x1), (y0, y1) in _tiles(lo, hi, small.shape[0], left_of_walker=hi <= cols[0]):
                a, b = (np.ascontiguousarray(x[y0:y1, x0:x1] - x[y0:y1, x0:x1].mean()) for x in (earlier, small))
                (dx, dy), peak = cv2.phaseCorrelate(a, b, hann_window(x1 - x0, y1 - y0))
                if peak >= MIN_RESPONSE:
                    shifts.append((dx, dy))
                    peaks.append(peak)
        if shifts:
            out[:2] = weighted_median(np.array(shifts), np.array(peaks)) / (frame.scale * factor)
            out[2:] = float(np.max(peaks)), float(from_frame)
        return out


def _tiles(lo: int, hi: int, height: int, left_of_walker: bool) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Tiles ((x0, x1), (y0, y1)) of the strip [lo, hi) x [0, height): as many columns and rows of at
    least ``TILE_PX`` as fit, each of a fast DFT size (``fast_dft_size``), packed against the walker's
    side of the strip and the bottom of the image (the ground); the few columns and rows left over are
    dropped."""
    n_x, n_y = max(1, (hi - lo) // TILE_PX), max(1, height // TILE_PX)
    w, h = fast_dft_size((hi - lo) // n_x), fast_dft_size(height // n_y)
    if w <= 0 or h <= 0:
        return []
    xs = [(hi - (k + 1) * w, hi - k * w) for k in range(n_x)] if left_of_walker else \
        [(lo + k * w, lo + (k + 1) * w) for k in range(n_x)]
    ys = [(height - (k + 1) * h, height - k * h) for k in range(n_y)]
    return [(x, y) for x in xs for y in ys]


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per column of ``values`` (n, k), the median weighted by ``weights`` (n,): the value where the
    cumulative weight first reaches half (the mean of the two around it at an exact half)."""
    out = np.empty(values.shape[1])
    total = float(weights.sum())
    for c in range(values.shape[1]):
        order = np.argsort(values[:, c])
        v, cum = values[order, c], np.cumsum(weights[order])
        k = int(np.searchsorted(cum, 0.5 * total))
        exact = k + 1 < len(v) and np.isclose(cum[k], 0.5 * total)
        out[c] = 0.5 * (v[k] + v[k + 1]) if exact else v[k]
    return out


@functools.cache
def fast_dft_size(limit: int) -> int:
    """The largest even width <= ``limit`` whose DFT is fast (a product of 2, 3 and 5): on an odd
    width OpenCV 4.11's ``phaseCorrelate`` reads a still scene as shifted by half a pixel."""
    import cv2

    n = limit
    while n > 0 and (cv2.getOptimalDFTSize(n) != n or n % 2):
        n -= 1
    return n


@functools.cache
def hann_window(width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.createHanningWindow((width, height), cv2.CV_32F)


def _small_grey(image: np.ndarray, size: tuple[int, int], grey_code: int) -> np.ndarray:
    """(H, W, 3) colour -> float32 grey of ``size`` (width, height): grey first (one channel to resize,
    not three: 2.3 against 5.4 ms of CPU on a 1088x1920 frame), 2x bilinear halvings, then area.
    ``grey_code``: the ``cvtColor`` code for the image's channel order (``Frame.grey_code``)."""
    import cv2

    small = cv2.cvtColor(image, grey_code)
    while small.shape[1] >= 2 * size[0]:
        small = cv2.resize(small, (small.shape[1] // 2, small.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(small, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def _walker_columns(landmarks_px: np.ndarray, px_to_small: float) -> tuple[int, int] | None:
    """Columns [lo, hi) of the small image covered by the walker's widened landmark box."""
    xy = landmarks_px[:, :2]
    xy = xy[np.isfinite(xy).all(axis=1)] * px_to_small
    if len(xy) < 2:
        return None
    margin = BOX_MARGIN_HEIGHT * float(np.ptp(xy[:, 1]))
    return max(0, int(np.floor(xy[:, 0].min() - margin))), min(SCENE_WIDTH_PX, int(np.ceil(xy[:, 0].max() + margin)))


def _other_columns(boxes_px: np.ndarray | None, px_to_small: float) -> list[tuple[int, int]]:
    """Columns [lo, hi) of the small image covered by each box (original-frame px), widened as the walker's."""
    if boxes_px is None:
        return []
    out = []
    for x0, y0, x1, y1 in np.asarray(boxes_px, dtype=float) * px_to_small:
        margin = BOX_MARGIN_HEIGHT * (y1 - y0)
        out.append((max(0, int(np.floor(x0 - margin))), min(SCENE_WIDTH_PX, int(np.ceil(x1 + margin)))))
    return out


def _free_strips(walker: tuple[int, int], others: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Column runs [lo, hi) of the small image, at least ``MIN_STRIP_PX`` wide, covered by neither the
    walker's columns nor any of ``others``: without others, the strips left and right of the walker."""
    free = np.ones(SCENE_WIDTH_PX, dtype=bool)
    for lo, hi in [walker, *others]:
        free[max(0, lo):max(0, hi)] = False
    return true_runs(free, MIN_STRIP_PX)
