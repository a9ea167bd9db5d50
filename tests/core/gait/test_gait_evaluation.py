import json

import pytest

from core.gait.evaluation import evaluate_events, match_events
from core.types import GaitEvent


def _ev(side: str, kind: str, t: float) -> GaitEvent:
    return GaitEvent(side, kind, int(round(t * 100)), t)


TRUTH = [_ev("right", "heel_strike", 1.0), _ev("left", "toe_off", 1.2), _ev("left", "heel_strike", 1.5),
         _ev("right", "toe_off", 1.7), _ev("right", "heel_strike", 2.0)]


def test_exact_match_is_perfect():
    r = evaluate_events(TRUTH, TRUTH)
    for block in ("overall", "heel_strike", "toe_off"):
        assert r[block]["precision"] == r[block]["recall"] == r[block]["f1"] == 1.0
        assert r[block]["mae_ms"] == 0.0
    assert r["overall"]["n_matched"] == 5
    json.dumps(r)


def test_shifted_events_give_bias_and_mae():
    shifted = [GaitEvent(e.side, e.event, e.frame, e.time_s + 0.02) for e in TRUTH]
    r = evaluate_events(shifted, TRUTH, tolerance_s=0.05)
    assert r["overall"]["f1"] == 1.0
    assert r["heel_strike"]["bias_ms"] == pytest.approx(20.0)
    assert r["toe_off"]["mae_ms"] == pytest.approx(20.0)
    late = [GaitEvent(e.side, e.event, e.frame, e.time_s - 0.08) for e in TRUTH]
    assert evaluate_events(late, TRUTH, tolerance_s=0.05)["overall"]["n_matched"] == 0


def test_missing_and_extra_events():
    detected = TRUTH[:3] + [_ev("left", "heel_strike", 1.8)]
    r = evaluate_events(detected, TRUTH, restrict_to_truth_span=False)
    assert r["overall"]["n_matched"] == 3
    assert r["overall"]["precision"] == pytest.approx(3 / 4)
    assert r["overall"]["recall"] == pytest.approx(3 / 5)
    assert r["toe_off"]["recall"] == pytest.approx(1 / 2)
    assert len(r["unmatched_truth"]) == 2 and len(r["unmatched_detected"]) == 1


def test_side_and_type_must_agree():
    wrong_side = [GaitEvent("left" if e.side == "right" else "right", e.event, e.frame, e.time_s) for e in TRUTH]
    assert evaluate_events(wrong_side, TRUTH)["overall"]["n_matched"] == 0


def test_events_outside_truth_span_are_ignored_by_default():
    detected = TRUTH + [_ev("right", "heel_strike", 0.2), _ev("left", "heel_strike", 3.0)]
    r = evaluate_events(detected, TRUTH, tolerance_s=0.05)
    assert r["restricted_to_truth_span"] is True and r["n_outside_span"] == 2
    assert r["overall"]["precision"] == 1.0
    r_all = evaluate_events(detected, TRUTH, tolerance_s=0.05, restrict_to_truth_span=False)
    assert r_all["overall"]["precision"] == pytest.approx(5 / 7)


def test_matching_is_one_to_one_and_minimal():
    assert match_events([1.0, 1.03], [1.02], 0.05) == [(1, 0)]
    pairs = match_events([0.99, 1.04], [1.0, 1.05], 0.05)
    assert sorted(pairs) == [(0, 0), (1, 1)]


def test_empty_inputs():
    r = evaluate_events([], TRUTH)
    assert r["overall"]["recall"] == 0.0 and r["overall"]["mae_ms"] is None
    assert evaluate_events(TRUTH, [])["overall"]["precision"] == 0.0
