"""Timing and symmetry evidence (core/gait/trust.py) and the per-quantity grades it feeds
(core/gait/quality.py) on constructed event series."""

from __future__ import annotations

import numpy as np
import pytest

from core.gait.quality import Quality, grade_analysis, supported_only
from core.gait.trust import (
    heel_rise_pct,
    method_si_difference, si_interval_pct, stance_pcts_by_side, stance_spread_pct, step_time_irregularity_pct, step_times_by_side,
    timing_evidence,
)
from core.types import GaitEvent

RATE_HZ = 100.0
N_FRAMES = 2000


def _walk(n_strides: int = 12, left_step_s: float = 0.6, right_step_s: float = 0.6, stance: float = 0.62,
          hs_noise_s: float = 0.0, to_noise_s: float = 0.0, variability: float = 0.01, left_hs_bias_s: float = 0.0,
          seed: int = 0) -> list[GaitEvent]:
    """Alternating events from 0.5 s: right heel strike, then left after ``left_step_s``, then right
    after ``right_step_s``; steps vary by ``variability`` (fraction), heel strikes get random errors of
    SD ``hs_noise_s``, toe offs ``to_noise_s``, left heel strikes a constant ``left_hs_bias_s``."""
    rng = np.random.default_rng(seed)
    out, t = [], 0.5
    for _ in range(n_strides):
        stride_s = (left_step_s + right_step_s) * (1.0 + rng.normal(0.0, variability))
        for side, start in (("right", t), ("left", t + left_step_s * stride_s / (left_step_s + right_step_s))):
            hs = start + rng.normal(0.0, hs_noise_s) + (left_hs_bias_s if side == "left" else 0.0)
            to = start + stance * stride_s + rng.normal(0.0, to_noise_s)
            out += [GaitEvent(side, "heel_strike", int(round(hs * RATE_HZ)), hs),
                    GaitEvent(side, "toe_off", int(round(to * RATE_HZ)), to)]
        t += stride_s
    return sorted(out, key=lambda e: e.time_s)


def _params(events: list[GaitEvent]) -> dict:
    """A parameter block consistent with ``events`` (regular strides on both sides)."""
    steps = step_times_by_side(events)
    side = {s: {"stride_time_s": {"mean": 1.2, "sd": 0.01, "n": 10, "cv_pct": 1.0},
                "step_time_s": {"mean": float(np.mean(steps[s])), "sd": 0.01, "n": len(steps[s]), "cv_pct": 1.0},
                "n_strides_used": 10} for s in ("left", "right")}
    si = 100.0 * abs(np.median(steps["left"]) - np.median(steps["right"])) / np.mean(np.r_[steps["left"],
                                                                                        steps["right"]])
    return {"cadence_steps_per_min": 100.0, **side, "n_strides_used": 20, "n_strides_rejected": 0,
            "symmetry": {k: {"si_pct": float(si), "ratio_left_right": 1.0, "n_left": 11, "n_right": 11}
                         for k in ("step_time_s", "stance_pct", "stride_time_s")}}


def _grade(events: list[GaitEvent], confirming: list[GaitEvent] | None = None) -> Quality:
    time_s = np.arange(N_FRAMES) / RATE_HZ
    bout = (events[0].frame - 10, events[-1].frame + 10)
    return grade_analysis(events, 0, _params(events), [bout], time_s, 1.0,
                          events if confirming is None else confirming)


def test_step_and_stance_series_of_a_regular_walk() -> None:
    events = _walk(variability=0.0)
    steps = step_times_by_side(events)
    assert steps["left"].size == 12 and steps["right"].size == 11
    assert np.allclose(np.r_[steps["left"], steps["right"]], 0.6)
    stances = stance_pcts_by_side(events)
    assert np.allclose(np.r_[stances["left"], stances["right"]], 62.0)
    assert step_time_irregularity_pct(steps) == pytest.approx(0.0)
    assert stance_spread_pct(stances) == pytest.approx(0.0)


def test_steps_do_not_cross_bouts_or_join_same_side_strikes() -> None:
    events = _walk(n_strides=4, variability=0.0)
    split = step_times_by_side(events, [(0, 250), (250, N_FRAMES)])
    assert sum(v.size for v in split.values()) == sum(v.size for v in step_times_by_side(events).values()) - 1
    no_left = [e for e in events if not (e.side == "left" and e.event == "heel_strike")]
    assert all(v.size == 0 for v in step_times_by_side(no_left).values())


def test_clean_symmetric_walk_stays_high_with_a_narrow_interval() -> None:
    q = _grade(_walk())
    assert q.grade == "high", q
    assert all(t["grade"] == "high" for t in q.trust.values()), q.trust
    assert q.evidence["step_time_si_interval_width_pct"] < 5.0
    out = supported_only(_params(_walk()), q)
    assert out["symmetry"]["step_time_s"]["si_pct"] is not None
    low, high = out["symmetry"]["step_time_s"]["si_interval_pct"]
    assert low < 0.0 < high


def test_random_heel_strike_errors_widen_the_interval_and_withhold_symmetry() -> None:
    clean, noisy = _walk(), _walk(hs_noise_s=0.05)
    width = [timing_evidence(e, None, None)["step_time_si_interval_width_pct"] for e in (clean, noisy)]
    assert width[1] > 10.0 > 3 * width[0]
    q = _grade(noisy)
    assert q.grade != "high" and q.trust["event_timing"]["grade"] != "high"
    assert q.trust["symmetry"]["grade"] == "low" and q.trust["cadence"]["grade"] == "high"
    assert any("step times scatter" in r for r in q.reasons)
    sym = supported_only(_params(noisy), q)["symmetry"]
    assert sym["step_time_s"]["si_pct"] is None and "symmetry not supported" in sym["step_time_s"]["reason"]
    assert sym["stance_pct"]["si_pct"] is None
    assert sym["stride_time_s"]["si_pct"] is not None  # a leg's timing error cancels in its stride time


def test_one_legs_bias_seen_by_one_method_only_withholds_symmetry() -> None:
    biased, other = _walk(left_hs_bias_s=0.06), _walk()
    q = _grade(biased, confirming=other)
    assert q.evidence["method_step_time_si_diff_pct"] > 15.0
    assert q.trust["symmetry"]["grade"] == "low" and q.trust["event_timing"]["grade"] == "medium"
    assert q.grade == "medium" and any("two event methods" in r for r in q.reasons)
    assert supported_only(_params(biased), q)["symmetry"]["step_time_s"]["si_pct"] is None


def test_real_asymmetry_seen_by_both_methods_is_reported() -> None:
    events = _walk(left_step_s=0.7, right_step_s=0.5)
    q = _grade(events)
    assert q.grade == "high" and q.trust["symmetry"]["grade"] == "high", q
    sym = supported_only(_params(events), q)["symmetry"]["step_time_s"]
    assert sym["si_pct"] == pytest.approx(33.3, abs=1.0)
    assert sym["si_interval_pct"][0] > 25.0


def test_scattered_toe_offs_make_stance_doubtful() -> None:
    q = _grade(_walk(to_noise_s=0.06))
    assert q.evidence["stance_spread_pct"] > 5.0
    assert q.trust["event_timing"]["grade"] != "high" and q.trust["cadence"]["grade"] == "high"
    assert any("stance scatters" in r for r in q.reasons)


def test_interval_needs_three_clean_values_per_side() -> None:
    assert si_interval_pct(np.array([0.6, 0.61]), np.array([0.6, 0.6, 0.6])) is None
    low, high = si_interval_pct(np.full(5, 0.6), np.full(5, 0.6))
    assert low == high == 0.0


def test_a_less_regular_second_method_is_no_witness() -> None:
    """A method that fails on a limping gait scatters its steps and blurs the asymmetry: not a witness."""
    events, blurred = _walk(left_step_s=0.7, right_step_s=0.5), _walk(hs_noise_s=0.08, seed=1)
    steps, other = step_times_by_side(events), step_times_by_side(blurred)
    assert method_si_difference(steps, other) is None
    assert method_si_difference(other, steps) > 20.0
    q = _grade(events, confirming=blurred)
    assert q.evidence["method_step_time_si_diff_pct"] is None and q.trust["symmetry"]["grade"] != "low"
    assert supported_only(_params(events), q)["symmetry"]["step_time_s"]["si_pct"] is not None


def test_stride_and_step_scatter_count_once() -> None:
    """Stride-time CV and step-time scatter measure one irregularity: both doubtful give medium, not low."""
    events = _walk(hs_noise_s=0.03, seed=1)
    params = _params(events)
    for side in ("left", "right"):
        params[side]["stride_time_s"]["cv_pct"] = 8.0
    time_s = np.arange(N_FRAMES) / RATE_HZ
    q = grade_analysis(events, 0, params, [(events[0].frame - 10, events[-1].frame + 10)], time_s, 1.0, events)
    assert 6.0 < q.evidence["step_time_irregularity_pct"] < 12.0 and q.evidence["stance_spread_pct"] < 5.0
    assert len(q.reasons) == 2 and q.grade == "medium", q


def test_heel_rise_is_the_lower_heels_height_spread_over_the_bouts() -> None:
    from core.constants import LEG_LANDMARKS

    t = np.arange(400) / 100.0
    positions = np.zeros((400, 33, 3))
    positions[:, LEG_LANDMARKS["left"]["heel"], 1] = 10.0 * (1 - np.cos(2 * np.pi * t)) / 2  # 0..10 units
    positions[:, LEG_LANDMARKS["right"]["heel"], 1] = 30.0 * (1 - np.cos(2 * np.pi * t)) / 2  # 0..30
    rise = heel_rise_pct(positions, [(0, 400)], leg_length=50.0)
    assert rise is not None and 18.0 < rise < 20.0  # the left heel: ~10 of 50 units, less the percentile tails
    positions[300:, LEG_LANDMARKS["left"]["heel"], 1] = 100.0  # outside the bout: not counted
    assert heel_rise_pct(positions, [(0, 300)], 50.0) == pytest.approx(rise, rel=0.05)
    assert heel_rise_pct(positions, [(0, 300)], float("nan")) is None
    assert heel_rise_pct(positions, [(0, 300)], None) is None
    positions[:, LEG_LANDMARKS["left"]["heel"], 1] = np.nan  # one heel unseen: the other's rise
    assert heel_rise_pct(positions, [(0, 400)], 50.0) == pytest.approx(3 * rise, rel=0.02)
