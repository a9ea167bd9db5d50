"""The scenery's pan during the walker scan: its x speed at each scan from a pair of small grey frames
``PAN_GAP_FRAMES`` apart (the peak-weighted median shift of tiles on the columns free of people, see
``pan_speed``), integrated over the scans (px). Used by ``core.pose.follow`` to measure travel over the
ground. ``scripts/benchmark_scan_pan.py`` measures it against the synthetic generator's camera truth."""

from __future__ import annotations

import numpy as np

from core.pose.scene_motion import fast_dft_size, hann_window, weighted_median
from core.runs import true_runs

PAN_WIDTH_PX = 320  # the small grey frames of the scan (px wide); the pan and leg motion are measured there
MIN_STRIP_PX = 32  # narrower people-free column runs are not used (small-grey px)
# The pan is the median over tiles at least this wide and tall (small-grey px): narrow, so that a pole
# passing in front covers few of them; several rows, so that the ground's texture fills some.
TILE_W_PX, TILE_H_PX = 32, 45
MIN_PEAK = 0.1  # a tile whose phase-correlation peak is lower has no clear shift
PAN_GAP_FRAMES = 2  # the pan is measured over this many frames at each scan (short: periodic scenery aliases)


def people_near(scans: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]], k: int) -> np.ndarray:
    """Boxes of scan ``k`` and, widened by a quarter, of its neighbours (a scan at one tile size
    can miss a person the other size sees)."""
    near = [scans[k][1]] + [_widened(scans[j][1], 0.25) for j in (k - 1, k + 1) if 0 <= j < len(scans)]
    return np.vstack(near)


def pan_speed(pair: tuple[np.ndarray, np.ndarray] | None, boxes: np.ndarray) -> float:
    """The scenery's x speed (small-grey px per frame) over a pair of small grey frames: the
    peak-weighted median of the x shifts of tiles (``_strip_tiles``) over the column runs free of
    ``boxes`` (small-grey px), each correlated on its x gradient, so that a horizontal edge (a
    skirting board, the horizon) cannot hold the peak at zero shift; NaN without a pair or a tile
    whose peak reaches ``MIN_PEAK``."""
    if pair is None:
        return float("nan")
    import cv2

    a, b = (_x_gradient(x) for x in pair)
    shifts, peaks = [], []
    for (x0, x1), (y0, y1) in _strip_tiles(_free_runs(boxes, a.shape[1]), a.shape[0]):
        ta, tb = (np.ascontiguousarray(x[y0:y1, x0:x1] - x[y0:y1, x0:x1].mean()) for x in (a, b))
        (dx, _), peak = cv2.phaseCorrelate(ta, tb, hann_window(x1 - x0, y1 - y0))
        if peak >= MIN_PEAK:
            shifts.append(dx)
            peaks.append(peak)
    if not shifts:
        return float("nan")
    return float(weighted_median(np.array(shifts)[:, None], np.array(peaks))[0]) / PAN_GAP_FRAMES


def _widened(boxes: np.ndarray, fraction: float) -> np.ndarray:
    """Boxes grown by ``fraction`` of their width on the left and on the right."""
    grow = fraction * (boxes[:, 2] - boxes[:, 0])
    return boxes + np.stack([-grow, np.zeros_like(grow), grow, np.zeros_like(grow)], axis=1)


def _free_runs(boxes: np.ndarray, width: int) -> list[tuple[int, int]]:
    """Column runs [lo, hi) at least ``MIN_STRIP_PX`` wide that no person box covers."""
    free = np.ones(width, bool)
    for b in boxes:
        free[max(0, int(np.floor(b[0]))) : max(0, int(np.ceil(b[2])))] = False
    return true_runs(free, MIN_STRIP_PX)


def _strip_tiles(runs: list[tuple[int, int]], height: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Tiles ((x0, x1), (y0, y1)) over the column ``runs`` x [0, ``height``): as many columns and rows
    of at least ``TILE_W_PX`` x ``TILE_H_PX`` as fit in each, of an even, fast DFT size (an odd width
    biases the shift by 0.5 px), centred in the run and packed against the bottom (the ground)."""
    n_y = max(1, height // TILE_H_PX)
    h = fast_dft_size(height // n_y)
    ys = [(height - (k + 1) * h, height - k * h) for k in range(n_y)]
    tiles = []
    if h <= 0:
        return tiles
    for lo, hi in runs:
        n_x = max(1, (hi - lo) // TILE_W_PX)
        w = fast_dft_size((hi - lo) // n_x)
        start = lo + (hi - lo - n_x * w) // 2
        tiles += [((start + k * w, start + (k + 1) * w), y) for k in range(n_x) for y in ys if w > 0]
    return tiles


def _x_gradient(grey: np.ndarray) -> np.ndarray:
    """The horizontal difference of a small grey frame (same shape; the last column repeats)."""
    d = np.empty_like(grey)
    d[:, :-1] = grey[:, 1:] - grey[:, :-1]
    d[:, -1] = d[:, -2]
    return d


def integrate_pan(speeds_px_per_frame: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Cumulative pan (px) at each scan (video ``frames``) from the speeds measured there: each speed
    first the median of its own and its neighbour scans' (``steady_speeds``), gaps filled, then
    trapezoids."""
    v = steady_speeds(speeds_px_per_frame)
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros(len(v))
    v[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), v[ok])
    return np.concatenate([[0.0], np.cumsum((v[1:] + v[:-1]) / 2 * np.diff(frames))])


def steady_speeds(speeds: np.ndarray) -> np.ndarray:
    """The median of each scan's speed and its two neighbours' (those measured; NaN where none is): a
    camera's pan changes little over a scan interval, while an object crossing the free columns (a
    pole passing in front) sways the speed at a single scan."""
    v = np.asarray(speeds, dtype=float)
    out = np.full(len(v), np.nan)
    for i in range(len(v)):
        near = v[max(0, i - 1) : i + 2]
        if np.isfinite(near).any():
            out[i] = float(np.median(near[np.isfinite(near)]))
    return out


def small_grey(bgr: np.ndarray) -> np.ndarray:
    import cv2

    h, w = bgr.shape[:2]
    size = (PAN_WIDTH_PX, max(8, round(h * PAN_WIDTH_PX / w)))
    return cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA).astype(np.float32)
