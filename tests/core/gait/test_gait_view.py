"""Side view or not: a walker filmed from the front or back is refused with a message, not measured."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER
from core.errors import InsufficientDataError
from core.gait.analysis import analyze_series
from core.gait.view import (
    FACING_WIDTH_TRUNK, FRONT_VIEW_WIDTH_TRUNK, OBLIQUE_WIDTH_TRUNK, lengths_short_pct, side_view, width_to_trunk,
)
from core.synthetic import GaitParams, simulate_walk, truth_to_series

CFG = load_profile("balanced").preprocessing


def _side_walk(seed: int):
    truth = simulate_walk(GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480, seed=seed), "w")[2]
    return truth_to_series(truth)


def _facing_camera(series, half_width_trunk: float):
    """The same walk with shoulders and hips spread across the image as a walker facing the camera shows
    them (each pair ``half_width_trunk`` trunk lengths either side of its midpoint)."""
    p = series.positions.copy()
    trunk = np.linalg.norm((p[:, LEFT_SHOULDER, :2] + p[:, RIGHT_SHOULDER, :2]
                            - p[:, LEFT_HIP, :2] - p[:, RIGHT_HIP, :2]) / 2, axis=1)
    for left, right in ((LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP)):
        mid = (p[:, left, 0] + p[:, right, 0]) / 2
        p[:, left, 0], p[:, right, 0] = mid + half_width_trunk * trunk, mid - half_width_trunk * trunk
    return dataclasses.replace(series, positions=p)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_side_view_passes_and_is_analysed(seed):
    series = _side_walk(seed)
    assert series.is_2d and width_to_trunk(series) < 0.1
    assert side_view(series)[1] is None
    result = analyze_series(series, CFG)
    assert result.detection.events and not any("oblique" in n for n in result.notes)


def test_a_walker_facing_the_camera_is_refused_with_the_reason():
    facing = _facing_camera(_side_walk(3), 0.25)
    assert width_to_trunk(facing) == pytest.approx(0.5, abs=0.01)
    with pytest.raises(InsufficientDataError, match=r"not a side view: .*front or back \(shoulders and hips 50% .*"
                                                    r"film the walk from the side"):
        analyze_series(facing, CFG)


def test_the_limit_and_what_is_not_checked():
    series = _side_walk(3)
    assert side_view(_facing_camera(series, FRONT_VIEW_WIDTH_TRUNK / 2 - 0.02))[1].startswith("oblique view")  # under the limit
    with pytest.raises(InsufficientDataError):
        side_view(_facing_camera(series, FRONT_VIEW_WIDTH_TRUNK / 2 + 0.02))
    # 3-D data (motion capture) has real shoulder widths on any axis; too few seen frames say nothing
    assert side_view(dataclasses.replace(_facing_camera(series, 0.25), is_2d=False)) == (None, None)
    hidden = _facing_camera(series, 0.25)
    hidden = dataclasses.replace(hidden, confidence=np.where(np.arange(series.n_frames)[:, None] < 9, 1.0, 0.1)
                                 * np.ones_like(series.confidence))
    assert width_to_trunk(hidden) is None
    assert side_view(hidden) == (None, None)


def test_an_oblique_view_is_analysed_with_a_note():
    oblique = _facing_camera(_side_walk(3), 0.12)  # about 26 degrees from the side
    assert OBLIQUE_WIDTH_TRUNK < width_to_trunk(oblique) < FRONT_VIEW_WIDTH_TRUNK
    result = analyze_series(oblique, CFG)
    assert result.detection.events
    assert any(n.startswith("oblique view: shoulders and hips 24% of the trunk's length wide") and "26 deg" in n
               and "about 10 % short" in n for n in result.notes), result.notes
    # Lengths get their own grade: cadence and timing do not depend on the view, lengths and speed do.
    lengths = result.quality.trust["lengths"]
    assert lengths["grade"] != "high" and any("lengths and speed read about 10 % short" in r for r in lengths["reasons"])
    assert result.quality.evidence["view_lengths_short_pct"] == pytest.approx(10.1, abs=0.5)
    assert side_view(_facing_camera(_side_walk(3), OBLIQUE_WIDTH_TRUNK / 2 - 0.02))[1] is None


def test_a_side_view_keeps_its_lengths_grade():
    result = analyze_series(_side_walk(3), CFG)
    assert result.quality.trust["lengths"]["grade"] == "high", result.quality.trust["lengths"]
    assert result.quality.evidence["view_lengths_short_pct"] < 2.0


def test_lengths_shorten_with_the_cosine_of_the_view_angle():
    assert lengths_short_pct(None) is None
    assert lengths_short_pct(0.0) == 0.0
    assert lengths_short_pct(FACING_WIDTH_TRUNK) == pytest.approx(100.0)
    # Half the facing width: 30 degrees from the side, cos 30 = 0.866.
    assert lengths_short_pct(FACING_WIDTH_TRUNK / 2) == pytest.approx(13.4, abs=0.05)
    assert 5.0 < lengths_short_pct(OBLIQUE_WIDTH_TRUNK) < 6.0
