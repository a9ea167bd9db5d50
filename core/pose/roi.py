"""Region of interest: a normalised box that restricts detection; landmarks map back to full-frame pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import ConfigError


@dataclass(frozen=True)
class Roi:
    """Box in normalised frame coordinates, 0..1, x0 < x1 and y0 < y1 (y down, as in images)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        vals = (self.x0, self.y0, self.x1, self.y1)
        if not all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in vals):
            raise ConfigError(f"--roi values must be in [0, 1], got {','.join(map(str, vals))}")
        if not (self.x1 - self.x0 >= 0.05 and self.y1 - self.y0 >= 0.05):
            raise ConfigError("--roi must satisfy x0 < x1 and y0 < y1 with a size of at least 0.05")

    @staticmethod
    def parse(text: str) -> "Roi":
        """Parse ``"x0,y0,x1,y1"``."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise ConfigError(f"--roi expects x0,y0,x1,y1 (four numbers in 0..1), got {text!r}")
        try:
            return Roi(*(float(p) for p in parts))
        except ValueError:
            raise ConfigError(f"--roi expects four numbers, got {text!r}") from None

    def pixel_box(self, width_px: int, height_px: int) -> tuple[int, int, int, int]:
        """Integer pixel box (x0, y0, x1, y1) in a frame of the given size; x1/y1 exclusive."""
        x0, x1 = int(np.floor(self.x0 * width_px)), int(np.ceil(self.x1 * width_px))
        y0, y1 = int(np.floor(self.y0 * height_px)), int(np.ceil(self.y1 * height_px))
        return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def crop_to_frame_px(
    xyz_norm: np.ndarray, box_px: tuple[int, int, int, int], scale: float
) -> np.ndarray:
    """Map landmarks normalised to a crop back to full-resolution frame pixels.

    xyz_norm: (33, 3) x, y in 0..1 of the crop, z on the scale of x. box_px: the crop in the
    (possibly downscaled) frame. scale: downscaled px / original px. Returns (33, 3) px.
    """
    x0, y0, x1, y1 = box_px
    w, h = x1 - x0, y1 - y0
    out = np.empty_like(xyz_norm, dtype=float)
    out[:, 0] = (x0 + xyz_norm[:, 0] * w) / scale
    out[:, 1] = (y0 + xyz_norm[:, 1] * h) / scale
    out[:, 2] = xyz_norm[:, 2] * w / scale
    return out
