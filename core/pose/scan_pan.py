"""The scenery's pan during the walker scan: its x speed at each scan from a pair of small grey frames
``PAN_GAP_FRAMES`` apart, on the widest strip free of people, integrated over the scans (px).
Used by ``core.pose.follow`` to measure travel over the ground."""

from __future__ import annotations

import numpy as np

PAN_WIDTH_PX = 320  # the small grey frames of the scan (px wide); the pan and leg motion are measured there
_MIN_STRIP_PX = 48
PAN_GAP_FRAMES = 2  # the pan is measured over this many frames at each scan (short: periodic scenery aliases)


def people_near(scans: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]], k: int) -> np.ndarray:
    """Boxes of scan ``k`` and, widened by a quarter, of its neighbours (a scan at one tile size
    can miss a person the other size sees)."""
    near = [scans[k][1]] + [_widened(scans[j][1], 0.25) for j in (k - 1, k + 1) if 0 <= j < len(scans)]
    return np.vstack(near)


def pan_speed(pair: tuple[np.ndarray, np.ndarray] | None, boxes: np.ndarray) -> float:
    """The scenery's x speed (small-grey px per frame) over a pair of small grey frames, on the
    widest strip free of ``boxes`` (small-grey px); NaN without a pair or a wide enough strip."""
    if pair is None:
        return float("nan")
    a, b = pair
    lo, hi = _free_columns(boxes, a.shape[1])
    if hi - lo < _MIN_STRIP_PX:
        return float("nan")
    a, b = (np.ascontiguousarray(x[:, lo:hi] - x[:, lo:hi].mean()) for x in (a, b))
    return _shift_x(a, b) / PAN_GAP_FRAMES


def _widened(boxes: np.ndarray, fraction: float) -> np.ndarray:
    """Boxes grown by ``fraction`` of their width on the left and on the right."""
    grow = fraction * (boxes[:, 2] - boxes[:, 0])
    return boxes + np.stack([-grow, np.zeros_like(grow), grow, np.zeros_like(grow)], axis=1)


def _free_columns(boxes: np.ndarray, width: int) -> tuple[int, int]:
    """The widest run of columns [lo, hi) that no person box covers, cut to an even, fast DFT width."""
    import cv2

    free = np.ones(width, bool)
    for b in boxes:
        free[max(0, int(np.floor(b[0]))) : max(0, int(np.ceil(b[2])))] = False
    best, start = (0, 0), None
    for i, f in enumerate(np.append(free, False)):
        if f and start is None:
            start = i
        elif not f and start is not None:
            best = max(best, (start, i), key=lambda r: r[1] - r[0])
            start = None
    lo, hi = best
    n = hi - lo
    while n > 0 and (cv2.getOptimalDFTSize(n) != n or n % 2):  # an odd width biases the shift by 0.5 px
        n -= 1
    return lo, lo + n


def integrate_pan(speeds_px_per_frame: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Cumulative pan (px) at each scan (video ``frames``) from the speeds measured there (trapezoids;
    gaps filled)."""
    v = speeds_px_per_frame.copy()
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros(len(v))
    v[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), v[ok])
    return np.concatenate([[0.0], np.cumsum((v[1:] + v[:-1]) / 2 * np.diff(frames))])


def small_grey(bgr: np.ndarray) -> np.ndarray:
    import cv2

    h, w = bgr.shape[:2]
    size = (PAN_WIDTH_PX, max(8, round(h * PAN_WIDTH_PX / w)))
    return cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA).astype(np.float32)


def _shift_x(a: np.ndarray, b: np.ndarray) -> float:
    """Horizontal shift (px of the small image) of ``b`` against ``a``; 0 when the peak is weak."""
    import cv2

    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, _), peak = cv2.phaseCorrelate(a, b, window)
    return float(dx) if peak >= 0.05 else 0.0
