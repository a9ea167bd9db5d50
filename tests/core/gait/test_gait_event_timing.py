"""The learned event-timing refinement: shipped model, features, and where it applies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.errors import ConfigError
from core.gait.analysis import analyze_series
from core.gait.event_timing import (
    MAX_SHIFT_S, MIN_GAP_S, N_FEATURES, TimingModel, event_features, model_from_dict, model_to_dict,
    refine_events, shipped_model,
)
from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series
from core.types import GaitEvent

BASE = load_profile("balanced").preprocessing
NONE = dataclasses.replace(BASE, event_refiner="none")
LEARNED = dataclasses.replace(BASE, event_refiner="learned")


def _constant_model(offset_s: float) -> TimingModel:
    """One leaf: every event is predicted ``offset_s`` away."""
    one = np.array([0])
    return TimingModel(feature=np.array([-1]), threshold=np.zeros(1), left=-one - 1, right=-one - 1,
                       value=np.array([offset_s]), roots=one, base_s=0.0, learning_rate=1.0, n_features=N_FEATURES)


@pytest.fixture(scope="module")
def walk():
    truth = simulate_walk(GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480), "lag")[2]
    series = truth_to_series(truth)
    return truth, analyze_series(series, NONE)


def test_shipped_model_loads_with_its_training_record() -> None:
    model = shipped_model()
    n = model.feature.size
    assert model.n_features == N_FEATURES and model.roots.size >= 10
    assert model.threshold.shape == model.left.shape == model.right.shape == model.value.shape == (n,)
    assert {"trained_on", "seed", "n_videos", "hyper"} <= set(model.meta)
    assert model.predict_s(np.zeros((3, N_FEATURES))).shape == (3,)
    again = model_from_dict(model_to_dict(model))
    x = np.random.default_rng(0).normal(size=(5, N_FEATURES))
    assert np.array_equal(again.predict_s(x), model.predict_s(x))


def test_a_model_with_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        shipped_model().predict_s(np.zeros((2, N_FEATURES - 1)))


def test_features_have_one_complete_row_per_event_away_from_the_edges(walk) -> None:
    _, result = walk
    x = event_features(result.oriented_series, result.forward, result.events)
    assert x.shape == (len(result.events), N_FEATURES)
    inner = [i for i, e in enumerate(result.events) if 0.5 < e.time_s < result.series.time_s[-1] - 0.5]
    assert inner and np.isfinite(x[inner]).all()
    assert x[inner, -3].tolist() == [float(result.events[i].event == "heel_strike") for i in inner]


def test_events_made_late_or_early_move_back_towards_the_truth(walk) -> None:
    """Exact pixel landmarks with every event put 90 ms late (then early): the shipped model undoes most of it."""
    truth, result = walk
    t_end = result.series.time_s[-1]
    true = truth_to_events(truth)

    def mean_error_ms(events: list[GaitEvent]) -> float:
        return 1000 * float(np.mean([e.time_s - min((t.time_s for t in true if (t.side, t.event) == (e.side, e.event)),
                                                    key=lambda t: abs(t - e.time_s)) for e in events]))

    for lag_s in (0.09, -0.09):
        shifted = [dataclasses.replace(e, time_s=e.time_s + lag_s) for e in result.events if 0.4 < e.time_s < t_end - 0.4]
        moved, shifts = refine_events(result.oriented_series, result.forward, shifted, shipped_model())
        assert np.sign(np.median(shifts)) == -np.sign(lag_s)
        assert abs(mean_error_ms(moved)) < 0.5 * abs(mean_error_ms(shifted))


def test_shifts_are_clipped_and_keep_the_order_of_a_side(walk) -> None:
    _, result = walk
    moved, shifts = refine_events(result.oriented_series, result.forward, result.events, _constant_model(1.0))
    assert np.all(shifts <= MAX_SHIFT_S + 1e-9) and np.all(shifts >= 0)
    for side in ("left", "right"):
        times = [e.time_s for e in moved if e.side == side]
        kinds = [e.event for e in moved if e.side == side]
        before = [e.event for e in result.events if e.side == side]
        assert kinds == before and np.all(np.diff(times) >= MIN_GAP_S - 1e-9)


def test_metric_data_is_never_refined() -> None:
    truth = simulate_walk(GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480), "m")[2]
    series = truth_to_series(truth)
    metric = dataclasses.replace(series, positions=series.positions / 500.0, units="m")
    moved, shifts = refine_events(metric, np.array([1.0, 0.0, 0.0]), truth_to_events(truth), _constant_model(0.1))
    assert [e.time_s for e in moved] == [e.time_s for e in truth_to_events(truth)] and not shifts.any()
    plain, learned = analyze_series(metric, NONE), analyze_series(metric, LEARNED, timing_model=_constant_model(0.1))
    assert learned.events == plain.events and learned.detection.refiner == "none"


def test_the_switch_is_reported_and_moves_video_events(walk) -> None:
    _, plain = walk
    learned = analyze_series(plain.series, LEARNED, timing_model=_constant_model(0.03))
    assert learned.detection.refiner == "learned"
    report = learned.detection.refinement()
    assert report["n_events_moved"] > 0 and report["median_shift_ms"] == pytest.approx(30.0, abs=0.5)
    assert any("learned refinement" in note for note in learned.notes)
    assert plain.detection.refinement() == {"refiner": "none", "n_events_moved": 0, "shifts_ms": []}


def test_unknown_refiner_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="event_refiner"):
        load_profile("balanced", overrides={"preprocessing": {"event_refiner": "magic"}})
