"""Raster images as PNG files (written atomically)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from core.io.atomic import write_bytes


def write_png(path: str | Path, rgb: np.ndarray) -> None:
    """Write an (H, W, 3) uint8 RGB image as PNG, atomically."""
    from matplotlib.image import imsave

    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {rgb.shape} {rgb.dtype}")
    buf = io.BytesIO()
    imsave(buf, rgb, format="png")
    write_bytes(path, buf.getvalue())
