"""Gait and training figures (issue 16, "Plots"): legends beside the traces, readable titles,
toe-off markers on the angle cycles, whole epochs on the training curves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.gait.analysis import analyze_series
from core.report.gait_plots import plot_angle_cycles, plot_event_timeline
from core.report.training_plots import training_curves_figure
from core.synthetic import GaitParams, simulate_walk, truth_to_series


@pytest.fixture(scope="module")
def result():
    _, _, truth = simulate_walk(GaitParams(duration_s=5.0, seed=7, fps=30.0, width_px=640, height_px=360))
    return analyze_series(truth_to_series(truth), load_profile("balanced").preprocessing)


def _inside(inner, outer) -> bool:
    return inner.x0 >= outer.x0 and inner.x1 <= outer.x1 and inner.y0 >= outer.y0 and inner.y1 <= outer.y1


def test_timeline_legends_sit_beside_the_panels_and_the_title_is_readable(result):
    fig = plot_event_timeline(result)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # the plots are bare Figures (no pyplot): give one a raster canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            assert not _inside(legend.get_window_extent(renderer), ax.get_window_extent(renderer))
    title = fig._suptitle.get_text()
    assert "zeni_refined" not in title and "foot contact" in title
    assert "grey" not in title  # one bout over the whole recording: nothing is shaded


def test_timeline_shades_what_is_not_walking(result):
    n = result.series.n_frames
    fig = plot_event_timeline(dataclasses.replace(result, bouts=[(0, n // 2)]))
    assert "grey = not walking" in fig._suptitle.get_text()


def test_angle_cycles_mark_each_sides_toe_off(result):
    fig = plot_angle_cycles(result)
    for ax in fig.axes:
        labels = [line.get_label() for line in ax.get_lines()]
        for side in ("left", "right"):
            stance = result.parameters[side]["stance_pct"]["mean"]
            assert f"{side} toe off ({stance:.0f}%)" in labels


def test_training_curves_have_whole_epoch_ticks():
    rows = [{"epoch": e, "train_loss": 1.0 / e, "val_loss": 1.2 / e, "val_metric": 0.1 * e} for e in (1, 2, 3)]
    fig = training_curves_figure({"fold 1": rows}, "F1")
    for ax in fig.axes:
        ticks = ax.get_xticks()
        assert np.allclose(ticks, np.round(ticks))
