"""The finder's memory of tiles that found nobody: such a tile is not run again while its picture stays the same.

A scan task runs the same tiles every other scan (``core.pose.scan_plan.tile_level``). On a still camera most of
the frame is empty scenery, and a tile where the detector saw nobody (not even a person cut by its edge) gives
nobody again while nothing in it changes: its picture, in ``STATIC_BLOCKS`` x ``STATIC_BLOCKS`` blocks of the
frame's small grey copy, differs from the last time it ran by less than ``max_change_grey`` grey levels in every
block. Someone entering changes the blocks they cover by their contrast against the scenery; the comparison is
always with the picture of the tile's last run, so a slow change adds up until the tile runs again. Measured
(docs/README_Performance_Optimization.md, Session 14): at 8 grey levels the scan is the same, box for box, on
the real clip, the Sports2D demo and the 26 videos of one walker-benchmark seed; at 16 levels a skipped tile of
the real clip would have found someone.
"""

from __future__ import annotations

import numpy as np

STATIC_BLOCKS = 16  # blocks per tile side (a small tile of a 1280 px scan frame: blocks of about 27 px)
GREY_WIDTH_PX = 320  # the small grey copy of the frame the blocks are measured in (px wide)


class StaticTiles:
    """One scan task's memory: tile (x0, y0, side) -> its blocks (STATIC_BLOCKS, STATIC_BLOCKS) grey levels at
    its last run, kept only when the detector saw nobody there."""

    def __init__(self, max_change_grey: float) -> None:
        self.max_change_grey = max_change_grey
        self._empty: dict[tuple[int, int, int], np.ndarray] = {}

    def unchanged_empty(self, tile: tuple[int, int, int], blocks: np.ndarray) -> bool:
        """Whether ``tile`` found nobody at its last run and no block has changed by ``max_change_grey`` since."""
        before = self._empty.get(tile)
        return before is not None and float(np.abs(blocks - before).max()) < self.max_change_grey

    def remember(self, tile: tuple[int, int, int], blocks: np.ndarray, found_anyone: bool) -> None:
        """The tile ran: keep its picture if the detector saw nobody there, else forget it."""
        if found_anyone:
            self._empty.pop(tile, None)
        else:
            self._empty[tile] = blocks


def grey_copy(bgr: np.ndarray) -> tuple[np.ndarray, float]:
    """(small grey float32 copy of ``bgr`` (h, w, 3) uint8, ``GREY_WIDTH_PX`` wide; its px per ``bgr`` px)."""
    import cv2

    h, w = bgr.shape[:2]
    width = min(w, GREY_WIDTH_PX)
    size = (width, max(1, round(h * width / w)))
    return cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA).astype(np.float32), \
        width / w


def tile_blocks(grey: np.ndarray, per_px: float, tile: tuple[int, int, int]) -> np.ndarray:
    """(STATIC_BLOCKS, STATIC_BLOCKS) mean grey levels of ``tile`` (x0, y0, side in frame px) in ``grey`` (its
    ``per_px`` px per frame px); a tile reaching past the frame's edge is measured on the part inside."""
    import cv2

    x0, y0, side = tile
    a0, b0 = int(round(x0 * per_px)), int(round(y0 * per_px))
    a1 = max(a0 + 1, min(grey.shape[1], int(round((x0 + side) * per_px))))
    b1 = max(b0 + 1, min(grey.shape[0], int(round((y0 + side) * per_px))))
    return cv2.resize(grey[b0:b1, a0:a1], (STATIC_BLOCKS, STATIC_BLOCKS), interpolation=cv2.INTER_AREA)
