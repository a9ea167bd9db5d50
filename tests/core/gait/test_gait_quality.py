"""Confidence grade (core/gait/quality.py) on constructed good and bad analyses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEG_LANDMARKS
from core.gait.analysis import analyze_series, presence_share
from core.gait.quality import (
    LOW_HEEL_RISE_PCT, SHUFFLING_HEEL_RISE_MOCAP_PCT, Quality, agreement_share, grade_analysis,
    non_alternating_heel_strikes, supported_only,
)
from core.synthetic import GaitParams, simulate_walk, truth_to_series
from core.types import GaitEvent

CFG = load_profile("balanced").preprocessing
RATE_HZ = 100.0


def _events(n_strides: int = 6, stride_s: float = 1.2, stance: float = 0.6, jitter_s: float = 0.0,
            seed: int = 0) -> list[GaitEvent]:
    """Alternating events of a regular walk starting at 0.5 s."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_strides):
        for side, shift in (("right", 0.0), ("left", 0.5)):
            hs = 0.5 + (k + shift) * stride_s + rng.normal(0.0, jitter_s)
            for event, t in (("heel_strike", hs), ("toe_off", hs + stance * stride_s)):
                out.append(GaitEvent(side, event, int(round(t * RATE_HZ)), t))
    return sorted(out, key=lambda e: e.time_s)


def _side(stride_s: list[float]) -> dict:
    v = np.asarray(stride_s)
    sd = float(v.std(ddof=1)) if v.size > 1 else None
    return {"stride_time_s": {"mean": float(v.mean()), "sd": sd, "n": int(v.size),
                              "cv_pct": 100 * sd / float(v.mean()) if sd is not None else None},
            "step_time_s": {"mean": float(v.mean()) / 2, "sd": 0.0, "n": int(v.size), "cv_pct": 0.0},
            "n_strides_used": int(v.size)}


def _params(left: list[float], right: list[float], cadence: float | None = None, rejected: int = 0) -> dict:
    n = len(left) + len(right)
    mean = float(np.mean(left + right))
    return {"cadence_steps_per_min": cadence if cadence is not None else 120.0 / mean, "left": _side(left),
            "right": _side(right), "n_strides_used": n, "n_strides_rejected": rejected,
            "symmetry": {"step_time_s": {"si_pct": 1.0, "ratio_left_right": 1.0}}}


def _grade(events, params, n_rejected=0, presence=1.0, confirming=None) -> Quality:
    time_s = np.arange(int(8.0 * RATE_HZ)) / RATE_HZ
    return grade_analysis(events, n_rejected, params, [(0, len(time_s))], time_s, presence, confirming)


def test_regular_walk_is_graded_high() -> None:
    events = _events()
    q = _grade(events, _params([1.2] * 5, [1.2] * 5), confirming=events)
    assert q.grade == "high" and q.reasons == []
    assert q.evidence["method_agreement"] == pytest.approx(1.0)
    assert q.evidence["non_alternating_heel_strikes"] == 0


def test_heel_strike_on_the_wrong_leg_is_low() -> None:
    events = _events()
    hs = [i for i, e in enumerate(events) if e.event == "heel_strike"]
    for i in hs[3:5]:
        events[i] = dataclasses.replace(events[i], side="left" if events[i].side == "right" else "right")
    assert non_alternating_heel_strikes(events, [(0, 800)]) >= 2
    q = _grade(events, _params([1.2] * 5, [1.2] * 5))
    assert q.grade == "low"
    assert any("same leg" in r for r in q.reasons)


@pytest.mark.parametrize("case", ["sides_disagree", "irregular", "few_events", "absent", "unconfirmed", "rejected",
                                  "periodicity"])
def test_each_kind_of_weak_evidence_lowers_the_grade(case: str) -> None:
    events, params, kw = _events(), _params([1.2] * 5, [1.2] * 5), {}
    if case == "sides_disagree":
        params = _params([1.1] * 5, [1.3] * 5)
    elif case == "irregular":
        params = _params([1.0, 1.4, 1.0, 1.5, 1.1], [1.2] * 5)
    elif case == "few_events":
        events = [e for i, e in enumerate(events) if i % 4 < 2][:8]
    elif case == "absent":
        kw["presence"] = 0.4
    elif case == "periodicity":  # extra heel strikes: events say 130 steps/min, the legs' period 100
        params["cadence"] = {"difference_pct": 30.0}
    elif case == "unconfirmed":
        kw["confirming"] = [dataclasses.replace(e, time_s=e.time_s + 0.2) for e in events]
    else:
        kw["n_rejected"] = len(events)
    q = _grade(events, params, **kw)
    assert q.grade == "low", (case, q)
    assert q.reasons


def test_periodicity_disagreement_is_named_in_the_reasons() -> None:
    events, params = _events(), _params([1.2] * 5, [1.2] * 5)
    params["cadence"] = {"difference_pct": 4.0}
    q = _grade(events, params, confirming=events)
    assert q.grade == "medium" and "periodicity differ by 4.0 %" in q.reasons[0]
    params["cadence"] = {"difference_pct": 1.0}
    assert _grade(events, params, confirming=events).grade == "high"


def test_one_doubt_gives_medium() -> None:
    events = _events()
    q = _grade(events, _params([1.17] * 5, [1.23] * 5), confirming=events)
    assert 3.0 < q.evidence["side_stride_time_diff_pct"] < 6.0
    assert q.grade == "medium" and len(q.reasons) == 1


def test_agreement_share_counts_same_side_and_type_only() -> None:
    a = [GaitEvent("left", "heel_strike", 10, 0.10), GaitEvent("right", "heel_strike", 60, 0.60)]
    b = [GaitEvent("right", "heel_strike", 11, 0.11), GaitEvent("right", "heel_strike", 62, 0.62)]
    assert agreement_share(a, b, 0.05) == pytest.approx(0.5)
    assert agreement_share([], b, 0.05) is None


def test_symmetry_and_variability_withheld_without_support() -> None:
    params = _params([1.2, 1.25], [1.2, 1.22, 1.21])
    params["left"]["n_strides_used"], params["right"]["n_strides_used"] = 1, 3
    out = supported_only(params, Quality("high"))
    assert out["left"]["stride_time_s"]["cv_pct"] is None and out["right"]["stride_time_s"]["cv_pct"] is not None
    sym = out["symmetry"]["step_time_s"]
    assert sym["si_pct"] is None and "strides per side" in sym["reason"]
    assert params["left"]["stride_time_s"]["cv_pct"] is not None  # the input is not changed
    low = supported_only(_params([1.2] * 4, [1.2] * 4), Quality("low", ["x"]))
    assert low["right"]["stride_time_s"]["cv_pct"] is None
    assert "confidence low" in low["symmetry"]["step_time_s"]["reason"]


def test_clean_synthetic_walk_is_high_and_jittering_feet_are_not() -> None:
    truth = simulate_walk(GaitParams(duration_s=8.0, seed=3))[2]
    series = truth_to_series(truth)
    good = analyze_series(series, CFG)
    assert good.quality is not None and good.quality.grade == "high", good.quality
    assert good.parameters["symmetry"]["step_time_s"]["si_pct"] is not None
    # Foot landmarks jittering by 20 px (a pose model unsure of the feet): timings become irregular.
    feet = [LEG_LANDMARKS[s][k] for s in ("left", "right") for k in ("heel", "toe", "ankle")]
    p = series.positions.copy()
    p[:, feet, :2] += np.random.default_rng(0).normal(0.0, 20.0, p[:, feet, :2].shape)
    bad = analyze_series(dataclasses.replace(series, positions=p), CFG)
    assert bad.quality.grade != "high", bad.quality
    assert bad.quality.reasons


def _regular_walk_graded(**rise: float | None) -> Quality:
    """A regular 8 s two-sided walk graded with the given heel-rise evidence (``heel_rise_pct`` or
    ``mocap_heel_rise_pct``)."""
    events = _events()
    time_s = np.arange(int(8.0 * RATE_HZ)) / RATE_HZ
    return grade_analysis(events, 0, _params([1.2] * 5, [1.2] * 5), [(0, len(time_s))], time_s, 1.0, events, **rise)


def test_low_heel_rise_doubts_event_timing_only() -> None:
    def grade(rise: float | None) -> Quality:
        return _regular_walk_graded(heel_rise_pct=rise)

    low = grade(12.0)
    assert low.grade == "medium" and low.evidence["heel_rise_pct"] == pytest.approx(12.0)
    assert "heels rise only 12 % of leg length" in low.reasons[0]
    assert low.trust["event_timing"]["grade"] == "medium" and low.trust["cadence"]["grade"] == "high"
    assert grade(25.0).grade == "high" and grade(None).grade == "high"


def test_shuffling_heels_on_motion_capture_doubt_event_timing() -> None:
    def grade(rise: float | None) -> Quality:
        return _regular_walk_graded(mocap_heel_rise_pct=rise)

    shuffling = grade(SHUFFLING_HEEL_RISE_MOCAP_PCT - 4.0)
    assert shuffling.grade == "medium" and shuffling.trust["cadence"]["grade"] == "high"
    assert "heels rise only 6 % of leg length" in shuffling.reasons[0]
    # A Parkinson's walk that still lifts its heels (13 % on real trials) is not doubted.
    assert grade(13.0).grade == "high" and grade(None).grade == "high"


@pytest.mark.parametrize("style, doubted", [("normal", False), ("shuffling", True)])
def test_shuffling_on_video_is_not_graded_high(style: str, doubted: bool) -> None:
    truth = simulate_walk(GaitParams(duration_s=8.0, seed=1, style=style))[2]
    q = analyze_series(truth_to_series(truth), CFG).quality
    assert q is not None
    assert (q.evidence["heel_rise_pct"] < LOW_HEEL_RISE_PCT) == doubted, q.evidence["heel_rise_pct"]
    assert (q.trust["event_timing"]["grade"] != "high") == doubted, q
    assert any("heels rise only" in r for r in q.reasons) == doubted


def test_presence_counts_the_frames_while_the_walker_is_in_view() -> None:
    """A walker entering and leaving a static camera's view is out of view before and after, not missed;
    frames missed in between count."""
    series = truth_to_series(simulate_walk(GaitParams(duration_s=4.0))[2])
    positions = series.positions.copy()
    positions[:30] = np.nan  # not yet in view
    positions[-20:] = np.nan  # gone
    assert presence_share(dataclasses.replace(series, positions=positions)) == 1.0
    positions[60:66] = np.nan  # missed while in view: 6 of the frames from the first to the last sighting
    in_view = series.n_frames - 50
    assert presence_share(dataclasses.replace(series, positions=positions)) == pytest.approx((in_view - 6) / in_view)
    assert presence_share(dataclasses.replace(series, positions=np.full_like(positions, np.nan))) == 0.0
