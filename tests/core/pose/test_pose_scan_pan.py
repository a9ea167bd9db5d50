"""The walker scan's pan (``core.pose.scan_pan``) on pairs of small grey frames cut from a wider scene
at a known offset: a wall with faint panel joints over a darker, faintly textured floor, as the
synthetic generator draws it (a strong horizontal edge across the whole width, little else). Seen
through the narrow column runs that the walker's box and its neighbours' leave free, the edge held the
former single-strip correlation at zero shift: a tracking camera read as still (scripts/benchmark_scan_pan.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.pose.scan_pan import PAN_GAP_FRAMES, _strip_tiles, integrate_pan, pan_speed, steady_speeds

H, W = 180, 320  # a 16:9 frame's small grey size
NO_BOXES = np.zeros((0, 4))
NEAR_WALKER = np.array([[56.0, 30.0, 268.0, 175.0]])  # a walker's box widened by its neighbour scans' boxes


def _scene(seed: int, width: int = W + 64) -> np.ndarray:
    """(H, width) grey: wall (~200, darker downwards) with a faint joint every 75 px, floor (80, faint grain)
    below row 130."""
    rng = np.random.default_rng(seed)
    scene = np.full((H, width), 200.0) - 0.1 * np.arange(H)[:, None]
    scene[:130, 11::75] -= 10.0
    scene[130:] = 80.0 + 4.0 * rng.standard_normal((H - 130, width))
    return scene


def _pair(shift_px: int, seed: int = 1, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Two frames of ``_scene``, the second with the scenery moved ``shift_px`` leftwards, each with its own noise."""
    scene, rng = _scene(seed), np.random.default_rng(seed + 100)
    a, b = (scene[:, x : x + W] + noise * rng.standard_normal((H, W)) for x in (16, 16 + shift_px))
    return a.astype(np.float32), b.astype(np.float32)


@pytest.mark.parametrize("shift_px", [0, 3, 6, 11])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_pan_over_a_blank_wall_and_its_skirting_reads_its_shift(shift_px, seed):
    a, b = _pair(shift_px, seed)
    for boxes in (NO_BOXES, NEAR_WALKER):
        assert pan_speed((a, b), boxes) == pytest.approx(-shift_px / PAN_GAP_FRAMES, rel=0.06, abs=0.15)


def test_a_person_box_leaves_its_columns_out():
    a, b = _pair(6)
    walker = np.array([[130.0, 20.0, 190.0, 175.0]])
    a[20:175, 130:190] = b[20:175, 130:190] = 40.0  # held still by the tracking camera
    assert pan_speed((a, b), walker) == pytest.approx(-3.0, rel=0.06, abs=0.15)


def test_an_unboxed_object_moving_through_one_strip_does_not_sway_the_pan():
    a, b = _pair(4)
    rng = np.random.default_rng(7)
    blob = 255.0 * (rng.random((100, 60)) > 0.5)
    a[40:140, 10:70] = blob  # a passer-by the finder missed, moving 10 px rightwards
    b[40:140, 20:80] = blob
    walker = np.array([[150.0, 20.0, 200.0, 175.0]])
    assert pan_speed((a, b), walker) == pytest.approx(-2.0, rel=0.06, abs=0.15)


def test_no_pair_no_free_columns_or_no_texture_give_nan():
    a, b = _pair(4)
    assert np.isnan(pan_speed(None, NO_BOXES))
    assert np.isnan(pan_speed((a, b), np.array([[0.0, 0.0, 150.0, H], [180.0, 0.0, W, H]])))
    flat = np.full((H, W), 128.0, np.float32)
    assert np.isnan(pan_speed((flat, flat.copy()), NO_BOXES))


def test_tiles_lie_in_the_free_runs_with_even_widths():
    runs = [(0, 130), (190, 320), (140, 180)]
    tiles = _strip_tiles(runs, H)
    assert tiles
    for (x0, x1), (y0, y1) in tiles:
        assert (x1 - x0) % 2 == 0 and x1 - x0 >= 32 and 0 <= y0 < y1 <= H
        assert any(lo <= x0 and x1 <= hi for lo, hi in runs)
    assert max(y1 for _, (_, y1) in tiles) == H  # packed against the ground


def test_integrate_pan_fills_gaps_between_measured_speeds():
    frames = np.array([0.0, 15.0, 30.0, 45.0])
    pan = integrate_pan(np.array([-2.0, np.nan, -2.0, -2.0]), frames)
    np.testing.assert_allclose(pan, [0.0, -30.0, -60.0, -90.0])


def test_steady_speeds_drop_a_lone_swayed_scan():
    speeds = np.array([-2.0, -2.1, 2.5, -1.9, -2.0, np.nan, np.nan, np.nan, -2.0])
    got = steady_speeds(speeds)
    np.testing.assert_allclose(got[[0, 1, 2, 3, 4, 5, 7, 8]], [-2.05, -2.0, -1.9, -1.9, -1.95, -2.0, -2.0, -2.0])
    assert np.isnan(got[6])
