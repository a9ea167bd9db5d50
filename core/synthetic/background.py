"""Scenery behind the walker: a wall with panels and a floor (tiles, grass or asphalt), periodic in x.

Grass also has a fringe: blades in front of the walker's soles (``Background.fringe``), pasted
over the drawn figure so the sole's lower edge is hidden as in real footage on a lawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.camera import Camera

_WALLS = ((196, 204, 210), (214, 206, 190), (180, 196, 188), (206, 200, 214), (170, 178, 190), (222, 218, 208))
_FLOORS = ((120, 104, 92), (96, 98, 104), (150, 136, 118), (84, 96, 88), (132, 122, 126))
_GRASS = ((96, 128, 62), (110, 140, 70), (82, 112, 58), (120, 128, 72))
_ASPHALT = ((92, 92, 94), (70, 72, 76), (110, 106, 102))
PANEL_SPACING_M = 1.2  # wall panel joints; floor tiles are half as wide
BLADE_M = 0.025  # tallest grass blade in front of the soles


@dataclass(frozen=True)
class Background:
    strip: np.ndarray  # (H, W + period_px, 3) uint8 BGR, periodic in x with period_px
    period_px: int
    width_px: int
    fringe: np.ndarray | None = None  # (H, W + period_px) float32 opacity of blades in front of the feet
    floor_rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the floor's mean colour (RGB)

    def frame(self, scroll_px: float) -> np.ndarray:
        """A fresh (H, W, 3) copy of the scenery shifted by ``scroll_px``."""
        offset = int(round(scroll_px)) % self.period_px
        return self.strip[:, offset: offset + self.width_px].copy()

    def paste_fringe(self, frame: np.ndarray, scroll_px: float, down_px: int = 0) -> None:
        """Put the foreground grass blades back over a frame drawn on ``frame(scroll_px)`` moved down by
        ``down_px`` rows (in place)."""
        if self.fringe is None:
            return
        offset = int(round(scroll_px)) % self.period_px
        alpha = self.fringe[:, offset: offset + self.width_px]
        rows = np.flatnonzero(alpha.any(axis=1))
        rows = rows[(rows + down_px >= 0) & (rows + down_px < frame.shape[0])]
        if rows.size == 0:
            return
        band, target = slice(rows[0], rows[-1] + 1), slice(rows[0] + down_px, rows[-1] + 1 + down_px)
        a = alpha[band][..., None]
        scenery = self.strip[band, offset: offset + self.width_px].astype(np.float32)
        frame[target] = (frame[target] * (1.0 - a) + scenery * a + 0.5).astype(np.uint8)


def make_background(width_px: int, height_px: int, camera: Camera, rng: np.random.Generator,
                    level_range: tuple[float, float], ground: str = "tiles", seed: int = 0) -> Background:
    """Wall (gradient, soft blotches, panel joints), skirting, floor, fine grain.

    ground: "tiles" (slanted tile joints; draws only from ``rng``, as before), "grass" or "asphalt"
    (textures drawn from their own stream seeded by ``seed``).
    """
    period = max(int(round(2 * PANEL_SPACING_M * camera.px_per_m)), 16)
    cols = np.arange(width_px + period, dtype=np.float32)[None, :]
    rows = np.arange(height_px, dtype=np.float32)[:, None]
    horizon = camera.ground_row_px - 0.3 * camera.px_per_m
    wall_rgb = np.array(_WALLS[rng.integers(len(_WALLS))], np.float32)
    floor_rgb = np.array(_FLOORS[rng.integers(len(_FLOORS))], np.float32)

    wall_light = 1.05 - 0.2 * rows / height_px + _blotches(cols, rows, period, rng)
    panel = _joints(cols, period / 2.0, width=max(1.5, 0.006 * camera.px_per_m))
    wall = wall_light[..., None] * wall_rgb * (1.0 - 0.18 * panel[..., None])

    depth = np.clip((rows - horizon) / max(height_px - horizon, 1.0), 0.0, 1.0)
    slant_cols = cols + 0.8 * (rows - camera.ground_row_px)
    tiles = _joints(slant_cols, period / 4.0, width=max(1.0, 0.004 * camera.px_per_m))
    floor_light = 0.85 + 0.25 * depth + 0.5 * _blotches(cols, rows, period, rng)
    floor = floor_light[..., None] * floor_rgb * (1.0 - 0.25 * tiles[..., None])
    fringe = None
    if ground != "tiles":
        texture_rng = np.random.default_rng([seed, 6])
        floor_rgb, texture = _ground_texture(ground, rows, period, camera.px_per_m, texture_rng)
        floor = floor_light[..., None] * floor_rgb * np.tile(texture, (1, int(np.ceil(cols.shape[1] / period))))[
            :, : cols.shape[1], None]
        if ground == "grass":
            fringe = _blade_fringe(rows, cols.shape[1], period, camera, texture_rng)

    skirting = (rows >= horizon - 0.08 * camera.px_per_m) & (rows < horizon)
    image = np.where((rows >= horizon)[..., None], floor, wall)
    image = np.where(skirting[..., None], 0.72 * wall_rgb, image)
    grain = rng.normal(0.0, 2.5, size=(height_px, period, 3)).astype(np.float32)
    image = image + np.tile(grain, (1, int(np.ceil(image.shape[1] / period)), 1))[:, : image.shape[1]]
    bgr = np.clip(image[..., ::-1], *level_range).astype(np.uint8)
    return Background(np.ascontiguousarray(bgr), period, width_px, fringe, tuple(float(c) for c in floor_rgb))


def _ground_texture(ground: str, rows: np.ndarray, period: int, px_per_m: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Base colour (RGB) and (H, period) brightness texture around 1 of a grass or asphalt floor."""
    shape = (rows.shape[0], period)
    if ground == "grass":
        rgb = np.array(_GRASS[rng.integers(len(_GRASS))], np.float32)
        blade = max(2, int(round(0.012 * px_per_m)))  # vertical streaks: blades seen from the side
        noise = rng.normal(0.0, 1.0, size=(shape[0] + blade, period)).astype(np.float32)
        csum = np.cumsum(noise, axis=0)
        streaks = (csum[blade:] - csum[:-blade]) / np.sqrt(blade)
        patches = rng.normal(0.0, 1.0, size=(1, period)).astype(np.float32)
        patches = np.real(np.fft.ifft(np.fft.fft(patches) * (np.arange(period) < 8))).astype(np.float32)
        return rgb, 1.0 + 0.18 * streaks + 0.08 * patches / (patches.std() + 1e-6)
    rgb = np.array(_ASPHALT[rng.integers(len(_ASPHALT))], np.float32)
    speckle = rng.normal(0.0, 0.12, size=shape).astype(np.float32)
    stones = (rng.random(shape) < 0.01) * rng.uniform(0.2, 0.5, size=shape).astype(np.float32)
    return rgb, 1.0 + speckle + stones


def _blade_fringe(rows: np.ndarray, n_cols: int, period: int, camera: Camera,
                  rng: np.random.Generator) -> np.ndarray:
    """(H, n_cols) opacity of grass blades standing on the walker's ground line, periodic in x."""
    tallest = BLADE_M * camera.px_per_m
    heights = tallest * rng.random(period) ** 0.7 * (rng.random(period) < 0.6)
    heights = np.tile(heights, int(np.ceil(n_cols / period)))[:n_cols].astype(np.float32)
    top = camera.ground_row_px - heights[None, :]
    alpha = np.clip(rows - top + 0.5, 0.0, 1.0) * np.clip(camera.ground_row_px + 2.5 - rows, 0.0, 1.0)
    return (0.9 * alpha).astype(np.float32)


def _blotches(cols: np.ndarray, rows: np.ndarray, period: int, rng: np.random.Generator) -> np.ndarray:
    """Soft low-frequency light variation, periodic in x, amplitude ~0.05."""
    total = np.zeros((rows.shape[0], cols.shape[1]), np.float32)
    for harmonic in (1, 2, 3):
        phase_x, phase_y = rng.uniform(0, 2 * np.pi, 2)
        wave_y = np.sin(rows / (rows.shape[0] / rng.uniform(1.0, 3.0)) + phase_y)
        total += (0.03 / harmonic) * np.sin(2 * np.pi * harmonic * cols / period + phase_x) * wave_y
    return total


def _joints(cols: np.ndarray, spacing: float, width: float) -> np.ndarray:
    """1 on thin vertical lines every ``spacing`` pixels (anti-aliased), else 0."""
    distance = np.abs(((cols + spacing / 2.0) % spacing) - spacing / 2.0)
    return np.clip(width / 2.0 + 0.5 - distance, 0.0, 1.0)
