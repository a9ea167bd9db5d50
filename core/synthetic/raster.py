"""Anti-aliased, shaded 2-D primitives (pure numpy).

A ``Canvas`` holds a float copy of one rectangle of a uint8 image; primitives blend into it, touching
only the pixels of their own bounding box, and ``commit`` writes the rectangle back once. Coordinates
are image pixels (x = column, y = row, pixel centres at integers). Shading treats a shape as a
rounded solid lit from the upper front (from the left or the right: ``light_toward``), so limbs look
like cylinders.
"""

from __future__ import annotations

import numpy as np

AMBIENT, DIFFUSE = np.float32(0.42), np.float32(0.68)


def light_toward(side: str) -> np.ndarray:
    """Unit vector (x, y, z) toward a key light at the upper front ``side`` ("left" or "right") of the image;
    rows grow down, z points at the camera."""
    toward = np.array([-0.35 if side == "left" else 0.35, -0.55, 0.76], dtype=np.float32)
    return toward / np.linalg.norm(toward)


class Canvas:
    """Float working copy of ``image[y0:y1, x0:x1]`` (the part the primitives may touch)."""

    def __init__(self, image: np.ndarray, lo: np.ndarray, hi: np.ndarray, levels: tuple[float, float],
                 light_side: str = "left") -> None:
        h, w = image.shape[:2]
        self.light = light_toward(light_side)
        self.image = image
        self.x0, self.y0 = max(int(np.floor(lo[0])), 0), max(int(np.floor(lo[1])), 0)
        self.x1, self.y1 = min(int(np.ceil(hi[0])) + 1, w), min(int(np.ceil(hi[1])) + 1, h)
        self.empty = self.x0 >= self.x1 or self.y0 >= self.y1
        self.levels = (np.float32(levels[0]), np.float32(levels[1]))
        if not self.empty:
            # Channel planes (3, h, w): per-plane arithmetic is much faster than on interleaved pixels.
            self.buf = np.moveaxis(image[self.y0: self.y1, self.x0: self.x1], -1, 0).astype(np.float32)

    def window(self, lo: np.ndarray, hi: np.ndarray) -> tuple[slice, slice, np.ndarray, np.ndarray] | None:
        """Buffer slices covering [lo, hi] (x, y) and the pixel-centre grids (image coordinates)."""
        if self.empty:
            return None
        x0, y0 = max(int(np.floor(lo[0])), self.x0), max(int(np.floor(lo[1])), self.y0)
        x1, y1 = min(int(np.ceil(hi[0])) + 1, self.x1), min(int(np.ceil(hi[1])) + 1, self.y1)
        if x0 >= x1 or y0 >= y1:
            return None
        xs = np.arange(x0, x1, dtype=np.float32)[None, :]
        ys = np.arange(y0, y1, dtype=np.float32)[:, None]
        return slice(y0 - self.y0, y1 - self.y0), slice(x0 - self.x0, x1 - self.x0), xs, ys

    def blend(self, rows: slice, cols: slice, alpha: np.ndarray, color: np.ndarray, shade: np.ndarray | float) -> None:
        """Blend ``color * shade`` with coverage ``alpha``; the colour is first kept within the levels.

        An array ``shade`` must come from ``_lit`` (so lies within [AMBIENT, AMBIENT + DIFFUSE]).
        """
        shade_lo, shade_hi = (AMBIENT, AMBIENT + DIFFUSE) if np.ndim(shade) else (float(shade), float(shade))
        lo, hi = self.levels[0] / max(shade_lo, 1e-3), self.levels[1] / max(shade_hi, 1e-3)
        color = [min(max(float(c), lo), hi) for c in color]
        keep = 1.0 - alpha
        paint = alpha * np.asarray(shade, np.float32)
        for channel in range(3):
            plane = self.buf[channel, rows, cols]
            plane *= keep
            plane += paint * color[channel]

    def commit(self) -> None:
        if not self.empty:
            self.buf += 0.5
            self.image[self.y0: self.y1, self.x0: self.x1] = np.moveaxis(self.buf, 0, -1).astype(np.uint8)


def _lit(light: np.ndarray, nx: np.ndarray, ny: np.ndarray, nz: np.ndarray) -> np.ndarray:
    return AMBIENT + DIFFUSE * np.maximum(nx * light[0] + ny * light[1] + nz * light[2], 0.0)


def _coverage(dist: np.ndarray, softness_px: float = 1.0) -> np.ndarray:
    alpha = np.float32(0.5) - dist / np.float32(softness_px)
    return np.minimum(np.maximum(alpha, 0.0, out=alpha), 1.0, out=alpha)


def draw_capsule(canvas: Canvas, p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, color: np.ndarray,
                 shaded: bool = True) -> None:
    """A tapered capsule from p0 (radius r0) to p1 (radius r1), in pixels.

    The radius varies linearly along the axis and the ends are circles; for limb-like tapers this
    matches the exact round cone to a small fraction of a pixel.
    """
    p0, p1 = np.asarray(p0, np.float32), np.asarray(p1, np.float32)
    r_max = max(r0, r1) + 1.0
    win = canvas.window(np.minimum(p0, p1) - r_max, np.maximum(p0, p1) + r_max)
    if win is None:
        return
    rows, cols, xs, ys = win
    ax, ay = p1 - p0
    length_sq = float(ax * ax + ay * ay) + 1e-9
    dx, dy = xs - p0[0], ys - p0[1]
    t = dx * np.float32(ax / length_sq) + dy * np.float32(ay / length_sq)
    np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
    vx, vy = dx - t * ax, dy - t * ay
    norm = np.sqrt(vx * vx + vy * vy)
    radius = np.float32(r0) + np.float32(r1 - r0) * t
    alpha = _coverage(norm - radius)
    crop = _nonzero_box(alpha)
    if crop is None:
        return
    alpha = alpha[crop]
    rows, cols = _sub(rows, crop[0]), _sub(cols, crop[1])
    if not shaded:
        canvas.blend(rows, cols, alpha, color, 1.0)
        return
    vx, vy, norm, radius = vx[crop], vy[crop], norm[crop], radius[crop]
    u = np.minimum(norm / radius, 1.0)
    scale = u / (norm + np.float32(1e-6))
    canvas.blend(rows, cols, alpha, color, _lit(canvas.light, vx * scale, vy * scale, np.sqrt(1.0 - u * u)))


def _nonzero_box(alpha: np.ndarray) -> tuple[slice, slice] | None:
    """The smallest (row, column) slices holding every non-zero value of a 2-D array."""
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha.any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _sub(outer: slice, inner: slice) -> slice:
    return slice(outer.start + inner.start, outer.start + inner.stop)


def draw_ellipse(canvas: Canvas, center: np.ndarray, rx: float, ry: float, up: np.ndarray, color: np.ndarray,
                 shaded: bool = True, softness_px: float = 1.0, opacity: float = 1.0) -> None:
    """An ellipse with semi-axis ``ry`` along the unit vector ``up`` and ``rx`` across it."""
    center = np.asarray(center, np.float32)
    r_max = max(rx, ry) + softness_px + 1.0
    win = canvas.window(center - r_max, center + r_max)
    if win is None:
        return
    rows, cols, xs, ys = win
    vx, vy = np.float32(up[0]), np.float32(up[1])
    dx, dy = xs - center[0], ys - center[1]
    qy = dx * vx + dy * vy
    qx = dy * vx - dx * vy
    ax, ay = np.float32(1.0 / rx), np.float32(1.0 / ry)
    k0 = np.sqrt((qx * ax) ** 2 + (qy * ay) ** 2)
    gx, gy = qx * (ax * ax), qy * (ay * ay)
    gnorm = np.sqrt(gx * gx + gy * gy) + np.float32(1e-9)
    alpha = _coverage(k0 * (k0 - 1.0) / gnorm, softness_px)
    if opacity != 1.0:
        alpha *= np.float32(opacity)
    crop = _nonzero_box(alpha)
    if crop is None:
        return
    alpha, k0, gx, gy, gnorm = alpha[crop], k0[crop], gx[crop], gy[crop], gnorm[crop]
    rows, cols = _sub(rows, crop[0]), _sub(cols, crop[1])
    if not shaded:
        canvas.blend(rows, cols, alpha, color, 1.0)
        return
    u = np.minimum(k0, 1.0)
    scale = u / gnorm
    nx_local, ny_local = gx * scale, gy * scale
    shade = _lit(canvas.light, ny_local * vx - nx_local * vy, nx_local * vx + ny_local * vy, np.sqrt(1.0 - u * u))
    canvas.blend(rows, cols, alpha, color, shade)
