"""Interlaced video (1080i/576i camcorders, broadcast-style exports): each frame weaves two fields taken a
field period apart (1/50 or 1/60 s), so a moving leg shows as a comb of two legs. The pose model is given the
first field alone, stretched back to the frame's height: the frame's time is that field's time.
"""

from __future__ import annotations

import numpy as np

# FFmpeg's AVFieldOrder: 3 = bottom field coded and shown first, 5 = bottom coded first and shown second.
BOTTOM_FIRST_ORDERS = frozenset({3, 5})


def top_field_first(field_order: int | str | None) -> bool:
    """Whether the top field is shown first (the default, also for an unknown order)."""
    try:
        return int(field_order) not in BOTTOM_FIRST_ORDERS
    except (TypeError, ValueError):
        return str(field_order).lower() not in ("bb", "bt")


def first_field(image: np.ndarray, top_first: bool, width_px: int, height_px: int) -> np.ndarray:
    """(height_px, width_px, 3) from the first field's rows of the woven (H, W, 3) ``image``, scaled linearly."""
    import cv2

    field = image[0::2] if top_first else image[1::2]
    return np.ascontiguousarray(cv2.resize(field, (width_px, height_px), interpolation=cv2.INTER_LINEAR))
