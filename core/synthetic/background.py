"""Scenery behind the walker: a wall with panels and a tiled floor, periodic in x so it can scroll."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.camera import Camera

_WALLS = ((196, 204, 210), (214, 206, 190), (180, 196, 188), (206, 200, 214), (170, 178, 190), (222, 218, 208))
_FLOORS = ((120, 104, 92), (96, 98, 104), (150, 136, 118), (84, 96, 88), (132, 122, 126))
PANEL_SPACING_M = 1.2  # wall panel joints; floor tiles are half as wide


@dataclass(frozen=True)
class Background:
    strip: np.ndarray  # (H, W + period_px, 3) uint8 BGR, periodic in x with period_px
    period_px: int
    width_px: int

    def frame(self, scroll_px: float) -> np.ndarray:
        """A fresh (H, W, 3) copy of the scenery shifted by ``scroll_px``."""
        offset = int(round(scroll_px)) % self.period_px
        return self.strip[:, offset: offset + self.width_px].copy()


def make_background(width_px: int, height_px: int, camera: Camera, rng: np.random.Generator,
                    level_range: tuple[float, float]) -> Background:
    """Wall (gradient, soft blotches, panel joints), skirting, floor (slanted tile joints), fine grain."""
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

    skirting = (rows >= horizon - 0.08 * camera.px_per_m) & (rows < horizon)
    image = np.where((rows >= horizon)[..., None], floor, wall)
    image = np.where(skirting[..., None], 0.72 * wall_rgb, image)
    grain = rng.normal(0.0, 2.5, size=(height_px, period, 3)).astype(np.float32)
    image = image + np.tile(grain, (1, int(np.ceil(image.shape[1] / period)), 1))[:, : image.shape[1]]
    bgr = np.clip(image[..., ::-1], *level_range).astype(np.uint8)
    return Background(np.ascontiguousarray(bgr), period, width_px)


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
