"""Walking direction helpers: bouts turned to one direction, and virtual foot points on a rigid foot."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS, NUM_LANDMARKS, SIDES
from core.gait.direction import (
    VIRTUAL_TOE_LEG, ankle_only_sides, heading_deg, leg_length, orient_bouts, pass_runs, with_virtual_feet,
)


def _pelvis_walk(n: int, dx: float, start_x: float = 0.0) -> np.ndarray:
    """(n, 33, 3) rigid legs under a pelvis moving ``dx`` per frame along X (toes point that way;
    the left leg on the walker's left)."""
    pos = np.full((n, NUM_LANDMARKS, 3), np.nan)
    x = start_x + dx * np.arange(n)[:, None]
    sign = np.sign(dx)
    for side, z in (("left", -0.1 * sign), ("right", 0.1 * sign)):
        leg = LEG_LANDMARKS[side]
        for part, y in (("hip", 0.9), ("knee", 0.5), ("ankle", 0.08), ("heel", 0.03), ("toe", 0.03)):
            pos[:, leg[part], 0] = x[:, 0] + (0.2 * sign if part == "toe" else 0.0)
            pos[:, leg[part], 1], pos[:, leg[part], 2] = y, z
    return pos


def test_bouts_are_turned_onto_the_longest_bouts_direction() -> None:
    pos = np.concatenate([_pelvis_walk(120, 0.01), _pelvis_walk(80, -0.01, start_x=1.19)])
    o = orient_bouts(pos, [(0, 120), (120, 200)])
    np.testing.assert_allclose(o.forward, [1.0, 0.0, 0.0], atol=1e-9)
    assert [round(heading_deg(d)) % 360 for d in o.bout_forward] == [0, 180]
    hips = [LEG_LANDMARKS[s]["hip"] for s in SIDES]
    assert (o.positions[199, hips, 0].mean() - o.positions[120, hips, 0].mean()) == pytest.approx(0.79, abs=1e-9)
    # Turned, not mirrored: the walker's left stays on its left (-Z when walking along +X).
    assert o.positions[150, LEG_LANDMARKS["left"]["hip"], 2] < o.positions[150, LEG_LANDMARKS["right"]["hip"], 2]
    vectors = np.tile([1.0, 0.0, 0.0], (200, 1))
    along = o.along_forward(vectors)
    assert (along[:120] == 1.0).all() and np.allclose(along[120:], -1.0)


def test_rigid_foot_points_turn_with_the_seen_points() -> None:
    pos = _pelvis_walk(100, 0.01)
    leg = LEG_LANDMARKS["left"]
    pitch = np.radians(np.where(np.arange(100) >= 80, 20.0, 0.0))  # the heel rises in the last frames
    heel = pos[:, leg["heel"]]
    rel = np.array([0.05, 0.05, 0.0])
    pos[:, leg["ankle"]] = heel + np.stack([rel[0] * np.cos(pitch) - rel[1] * np.sin(pitch),
                                            rel[0] * np.sin(pitch) + rel[1] * np.cos(pitch), 0 * pitch], 1)
    pos[:, leg["toe"]] = np.nan
    out, made = with_virtual_feet(pos, np.array([1.0, 0.0, 0.0]))
    assert made == ["left toe"]
    toe = out[:, leg["toe"]] - heel
    np.testing.assert_allclose(np.linalg.norm(toe, axis=1), VIRTUAL_TOE_LEG * leg_length(pos), rtol=1e-9)
    np.testing.assert_allclose(np.degrees(np.arctan2(toe[:, 1], toe[:, 0])), np.degrees(pitch), atol=1e-6)
    assert np.isfinite(out[:, LEG_LANDMARKS["right"]["toe"]]).all() and "right toe" not in made


def test_ankle_only_sides() -> None:
    pos = _pelvis_walk(10, 0.01)
    pos[:, [LEG_LANDMARKS["right"]["heel"], LEG_LANDMARKS["right"]["toe"]]] = np.nan
    assert ankle_only_sides(pos) == ["right"]
    out, made = with_virtual_feet(pos, np.array([1.0, 0.0, 0.0]))
    assert made == [] and np.isnan(out[:, LEG_LANDMARKS["right"]["toe"]]).all()


def test_pass_runs_cut_a_walk_after_each_turning_point() -> None:
    x = np.concatenate([np.arange(0.0, 100.0, 2.0), np.arange(100.0, 0.0, -2.0)])  # there (50 frames) and back
    pelvis = np.stack([x, np.zeros_like(x), np.zeros_like(x)], axis=1)
    assert pass_runs(pelvis, 20.0) == [(0, 51), (51, 100)]
    assert pass_runs(pelvis[:50], 20.0) == [(0, 50)]  # one way
    assert pass_runs(pelvis, float("nan")) == [(0, 100)]
