"""Peak picking and the evaluation metrics on hand-made cases."""

from __future__ import annotations

import numpy as np

from core.tcn.decode import channel_peaks, events_to_positions, peaks_to_events, pick_peaks
from core.tcn.metrics import (
    classification_report,
    classification_scores,
    confusion_matrix,
    event_confusion,
    event_scores,
    match_events,
    mean_sd,
)


def _bumps(centres: list[float], n: int = 100, sigma: float = 1.5, heights: list[float] | None = None) -> np.ndarray:
    t = np.arange(n, dtype=float)
    heights = heights or [1.0] * len(centres)
    return np.max([h * np.exp(-0.5 * ((t - c) / sigma) ** 2) for c, h in zip(centres, heights)], axis=0)


def test_tcn_pick_peaks_refines_to_sub_frame_positions() -> None:
    peaks = pick_peaks(_bumps([20.0, 50.3, 80.7]), threshold=0.5, min_distance_frames=5)
    assert peaks.shape == (3,)
    assert np.allclose(peaks, [20.0, 50.3, 80.7], atol=0.15)
    assert abs(peaks[1] - 50.0) > 0.1  # refinement actually moved it off the integer frame


def test_tcn_pick_peaks_threshold_and_min_distance() -> None:
    prob = _bumps([20, 26, 60], heights=[0.9, 0.6, 0.2])
    assert pick_peaks(prob, threshold=0.5, min_distance_frames=10).round().tolist() == [20.0]
    assert pick_peaks(prob, threshold=0.5, min_distance_frames=3).round().tolist() == [20.0, 26.0]
    assert pick_peaks(prob, threshold=0.1, min_distance_frames=10).round().tolist() == [20.0, 60.0]
    assert pick_peaks(np.zeros(10), 0.5).size == 0
    edges = _bumps([-1.0, 100.0])  # events just outside the recording leave only slopes at the edges
    assert edges[0] > 0.5 and edges[-1] > 0.5
    assert pick_peaks(edges, threshold=0.3, min_distance_frames=5).size == 0


def test_tcn_peaks_become_events_with_times() -> None:
    probs = np.zeros((100, 4))
    probs[:, 0] = _bumps([30.0])
    probs[:, 3] = _bumps([40.5])
    events = peaks_to_events(channel_peaks(probs, 50.0, 0.5, 0.3), 50.0, 100, time_offset_s=1.0)
    assert [(e.side, e.event, e.frame) for e in events] == [("left", "heel_strike", 30), ("right", "toe_off", 40)]
    assert abs(events[1].time_s - (1.0 + 40.5 / 50.0)) < 0.004
    positions = events_to_positions(events)
    assert positions[0].tolist() == [30.0] and positions[1].size == 0


def test_tcn_match_events_one_to_one_within_tolerance() -> None:
    m = match_events(np.array([10.0, 11.0, 30.0, 52.5]), np.array([10.5, 31.0, 50.0, 70.0]), tolerance_frames=2)
    assert (m.tp, m.fp, m.fn) == (2, 2, 2)  # 10/10.5 and 30/31; 11 is a duplicate; 52.5 too far from 50
    s = event_scores(m, rate_hz=100.0)
    assert s["f1"] == 0.5 and s["precision"] == 0.5 and s["recall"] == 0.5
    assert abs(s["mae_frames"] - 0.75) < 1e-12 and abs(s["mae_ms"] - 7.5) < 1e-9
    empty = event_scores(match_events(np.zeros(0), np.zeros(0), 2))
    assert np.isnan(empty["f1"])


def test_tcn_event_confusion_shows_side_swaps() -> None:
    pred = [np.array([10.0]), np.zeros(0), np.array([50.0, 90.0]), np.zeros(0)]
    true = [np.array([10.0, 30.0]), np.zeros(0), np.zeros(0), np.array([51.0])]
    cm = event_confusion(pred, true, 2)
    assert cm[0, 0] == 1  # left HS found
    assert cm[3, 2] == 1  # right TO detected as right HS
    assert cm[0, 4] == 1  # left HS at 30 missed
    assert cm[4, 2] == 1  # spurious right HS at 90
    assert cm.sum() == 4


def test_tcn_classification_metrics_and_report() -> None:
    y_true = np.array([0, 0, 1, 1, 2, 2, -100])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 0])
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    scores = classification_scores(cm)
    assert abs(scores["accuracy"] - 4 / 6) < 1e-12
    f1 = [2 * 0.5 * 0.5 / 1.0, 2 * (2 / 3) * 1.0 / (2 / 3 + 1.0), 2 * 1.0 * 0.5 / 1.5]
    assert abs(scores["macro_f1"] - np.mean(f1)) < 1e-12
    text = classification_report(cm, ["a", "bb", "c"])
    assert "precision" in text and "macro avg" in text and "bb" in text
    assert mean_sd([1.0, 3.0, float("nan")]) == {"mean": 2.0, "sd": np.sqrt(2.0), "n": 2}


def test_tcn_detections_outside_the_annotated_span_are_not_scored() -> None:
    from core.tcn.evaluate import in_truth_span

    peaks = [np.array([2.0, 20.0, 95.0]), np.array([49.0])]
    truth = [np.array([20.0]), np.array([50.0, 60.0])]
    kept = in_truth_span(peaks, truth, 2)
    assert kept[0].tolist() == [20.0] and kept[1].tolist() == [49.0]
    assert in_truth_span(peaks, [np.zeros(0), np.zeros(0)], 2)[0].size == 3
