"""Feet out of the frame: a walk whose feet are cut by the frame's bottom edge is refused with the reason,
one whose feet touch the edge now and then gets a note, and a walk in full view gets neither."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEFT_HEEL, RIGHT_HEEL
from core.errors import InsufficientDataError
from core.gait.analysis import analyze_series
from core.gait.framing import FEET_EDGE_SHARE, HEELS_OUT_SHARE, bottom_edge_shares, feet_framing
from core.synthetic import GaitParams, simulate_walk, truth_to_series

CFG = load_profile("balanced").preprocessing


def _walk(seed: int):
    truth = simulate_walk(GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480, seed=seed), "w")[2]
    series = truth_to_series(truth)
    return dataclasses.replace(series, meta={**series.meta, "image_height_px": int(truth["height"])})


def _cut_at(series, rows_above_heels: float):
    """The same walk in a frame whose bottom edge lies ``rows_above_heels`` px above the heels' median row
    (pixel Y runs up from the bottom edge, so the whole picture moves down by the rows cut away)."""
    heels = series.positions[:, [LEFT_HEEL, RIGHT_HEEL], 1]
    cut_px = float(np.nanmedian(heels)) + rows_above_heels
    height = series.meta["image_height_px"] - cut_px
    p = series.positions.copy()
    p[..., 1] -= cut_px
    return dataclasses.replace(series, positions=p, meta={**series.meta, "image_height_px": height})


@pytest.mark.parametrize("seed", [3, 11])
def test_feet_in_view_pass_without_a_note(seed):
    series = _walk(seed)
    assert bottom_edge_shares(series) == (0.0, 0.0)
    result = analyze_series(series, CFG)
    assert result.detection.events and not any("feet" in n for n in result.notes)
    assert result.quality.evidence["feet_at_edge_share"] == 0.0


def test_feet_below_the_frame_are_refused_with_the_reason():
    cut = _cut_at(_walk(3), 20.0)  # every heel and toe below the edge (pose models still place them there)
    heels, toes = bottom_edge_shares(cut)
    assert heels >= HEELS_OUT_SHARE and toes >= HEELS_OUT_SHARE
    with pytest.raises(InsufficientDataError, match=r"feet not in view: the heels lie at the bottom edge .* in "
                                                    r"\d+% .*film the whole body, feet included"):
        analyze_series(cut, CFG)


def test_feet_touching_the_edge_get_a_note_and_are_analysed():
    series = _cut_at(_walk(3), -10.0)  # the edge 10 px below the heels: the feet are in view
    assert bottom_edge_shares(series) == (0.0, 0.0)
    p = series.positions.copy()  # then the camera tilts up over the last 40 %: the feet leave the frame
    start = int(0.6 * series.n_frames)
    p[start:, :, 1] -= np.linspace(0.0, 40.0, series.n_frames - start)[:, None]
    touching = dataclasses.replace(series, positions=p)
    heels_share, _ = bottom_edge_shares(touching)
    assert FEET_EDGE_SHARE <= heels_share < HEELS_OUT_SHARE
    result = analyze_series(touching, CFG)
    assert result.detection.events
    assert any(n.startswith("feet cut by the frame: heels at its bottom edge in") for n in result.notes)
    # and the events and lengths from such feet are not graded high
    assert result.quality.evidence["feet_at_edge_share"] >= FEET_EDGE_SHARE
    for quantity in ("event_timing", "lengths"):
        trust = result.quality.trust[quantity]
        assert trust["grade"] != "high" and any("feet at the frame's bottom edge" in r for r in trust["reasons"])


def test_no_check_without_the_image_height_or_for_metric_data():
    cut = _cut_at(_walk(3), 20.0)
    assert bottom_edge_shares(dataclasses.replace(cut, meta={})) is None
    assert feet_framing(dataclasses.replace(cut, units="m")) == (None, None)
