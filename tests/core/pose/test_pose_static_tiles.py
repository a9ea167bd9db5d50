"""The finder's memory of empty, unchanged tiles (core.pose.static_tiles) and the finder's use of it."""

from __future__ import annotations

import numpy as np

from core.pose.people import FinderConfig, PersonFinder, square_tiles
from core.pose.static_tiles import STATIC_BLOCKS, StaticTiles, grey_copy, tile_blocks

TILE = (0, 0, 100)


def test_an_empty_tile_is_skipped_until_a_block_changes_by_the_limit_since_its_last_run():
    memory = StaticTiles(max_change_grey=8.0)
    still = np.full((STATIC_BLOCKS, STATIC_BLOCKS), 100.0, np.float32)
    assert not memory.unchanged_empty(TILE, still)  # never ran
    memory.remember(TILE, still, found_anyone=False)
    assert memory.unchanged_empty(TILE, still + 5.0)  # less than 8 levels in every block
    drifted = still.copy()
    drifted[3, 4] += 9.0
    assert not memory.unchanged_empty(TILE, drifted)  # one block changed by more: it runs
    assert memory.unchanged_empty(TILE, still + 7.0)  # compared with its last run's picture, not the skipped ones
    memory.remember(TILE, still, found_anyone=True)
    assert not memory.unchanged_empty(TILE, still)  # someone there: always runs


def test_tile_blocks_are_the_tiles_part_of_the_small_grey_frame():
    bgr = np.zeros((360, 640, 3), np.uint8)
    bgr[200:300, 500:600] = 255  # a bright patch in the lower right
    grey, per_px = grey_copy(bgr)
    assert grey.shape == (180, 320) and per_px == 0.5
    left, right = tile_blocks(grey, per_px, (0, 0, 360)), tile_blocks(grey, per_px, (280, 0, 360))
    assert left.shape == (STATIC_BLOCKS, STATIC_BLOCKS) and left.max() == 0.0
    assert right.max() > 200.0 and right[:STATIC_BLOCKS // 2].max() == 0.0


class _Detector:
    """Stands in for the detector: nobody, or one person in the tiles whose input's mean exceeds ``bright``."""

    def __init__(self, bright: float = 2.0) -> None:
        self.calls = 0
        self.bright = bright

    def run(self, tensor: np.ndarray) -> list[np.ndarray]:
        self.calls += 1
        scores = np.full((1, 2254, 1), -100.0, np.float32)
        regress = np.zeros((1, 2254, 12), np.float32)
        if float(tensor.mean()) > self.bright - 1.0:  # input in -1..1
            scores[0, 0, 0] = 100.0
            regress[0, 0, 6:8] = (0.0, 20.0)  # scale point 20 px below the hip: a body box of 50 px
        return [regress, scores]


def _finder(detector: _Detector) -> PersonFinder:
    finder = PersonFinder(FinderConfig(tile_fractions=(0.6,)))
    finder._model = detector
    return finder


def test_the_finder_runs_again_only_the_tiles_that_changed_or_saw_someone():
    bgr = np.full((360, 640, 3), 60, np.uint8)
    n_tiles = len(square_tiles(640, 360, (0.6,)))
    detector = _Detector(bright=0.5)  # a tile with a bright quarter sees someone
    finder, memory = _finder(detector), StaticTiles(8.0)
    finder.find(bgr, memory=memory)
    assert detector.calls == n_tiles  # the first time every tile runs
    finder.find(bgr, memory=memory)
    assert detector.calls == n_tiles  # nothing changed, nobody seen: none runs
    moved = bgr.copy()
    moved[:100, :100] = 255  # a change in the top left corner only
    finder.find(moved, memory=memory)
    changed = [t for t in square_tiles(640, 360, (0.6,)) if t[0] < 100 and t[1] < 100]
    assert detector.calls == n_tiles + len(changed) and 0 < len(changed) < n_tiles
    bright = np.full((360, 640, 3), 250, np.uint8)
    boxes, _ = finder.find(bright, memory=memory)  # everything changed: all run, each sees someone
    assert detector.calls == 2 * n_tiles + len(changed) and len(boxes)
    finder.find(bright, memory=memory)  # unchanged, but someone was seen: all run again
    assert detector.calls == 3 * n_tiles + len(changed)
    finder.find(bright)  # without a memory every tile runs
    assert detector.calls == 4 * n_tiles + len(changed)
