"""Treadmill versions of a walk, events near the ends of a recording, one-sided data, and the
foot-speed contacts used on pixel data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEG_LANDMARKS
from core.gait.analysis import analyze_series
from core.gait.contact import heel_rest, toe_launch_over_ground
from core.gait.direction import VIRTUAL_TOE_LEG, rearfoot_toe_tip, stance_ground_velocity
from core.gait.evaluation import evaluate_events
from core.gait.events_candidates import (
    Candidate, _extrema, edge_padded, first_step_heel_strike, partial_step_contacts,
)
from core.gait.ground import on_belt
from core.gait.preprocessing import preprocess
from core.io.events_csv import read_events_csv
from core.io.trc import read_trc
from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series
from core.types import KeypointSeries

CFG = load_profile("balanced").preprocessing
FORWARD = np.array([1.0, 0.0, 0.0])
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
# Metric toe off on the synthetic walker's rigid foot: the midpoint of the tip's launch (its true toe off) and Zeni's
# extremum, which comes 27-47 ms after it there (docs/gait_accuracy.md (aa), table D).
RIGID_FOOT_TO_MAE_MS = 35.0


def _metric_walk(style: str = "normal", seed: int = 5, fps: float = 100.0, seconds: float = 10.0
                 ) -> tuple[KeypointSeries, list]:
    """The synthetic walker's exact landmarks in metres walking overground along +X (motion-capture-like;
    the generator's camera follows the walker, so its walking speed is added back), and its events."""
    truth = simulate_walk(GaitParams(style=style, duration_s=seconds, seed=seed, fps=fps))[2]
    series = truth_to_series(truth)
    overground = on_belt(series.positions / truth["px_per_m"], series.time_s, FORWARD, truth["walking_speed_m_s"])
    return dataclasses.replace(series, positions=overground, units="m"), truth_to_events(truth)


def test_on_belt_moves_every_point_by_the_belt() -> None:
    p = np.zeros((5, 33, 3))
    t = np.arange(5) * 0.1 + 2.0
    out = on_belt(p, t, np.array([-2.0, 0.0, 0.0]), -1.0)
    np.testing.assert_allclose(out[:, 7, 0], [0.0, 0.1, 0.2, 0.3, 0.4])  # belt backwards of a walk towards -X
    np.testing.assert_allclose(out[..., 1:], 0.0)


@pytest.mark.parametrize("belt_fraction", [0.9, 1.0, 1.1])
def test_treadmill_version_gives_the_overground_events_and_parameters(belt_fraction: float) -> None:
    series, truth = _metric_walk()
    ground = analyze_series(series, CFG, truth_events=truth)
    pelvis_speed = np.polyfit(series.time_s, np.nanmean(series.positions[:, [23, 24], 0], axis=1), 1)[0]
    belt = dataclasses.replace(series, positions=on_belt(series.positions, series.time_s, FORWARD,
                                                         -belt_fraction * pelvis_speed))
    tm = analyze_series(belt, CFG, truth_events=truth)
    assert tm.evaluation["overall"]["f1"] == pytest.approx(ground.evaluation["overall"]["f1"], abs=0.02)
    assert tm.evaluation["overall"]["f1"] >= 0.95
    assert tm.evaluation["heel_strike"]["mae_ms"] <= 15.0
    # The synthetic foot is rigid (no toe joint): its tip's launch is its toe off, and metric toe off, the midpoint
    # of that launch and Zeni's extremum (``events_refine.refine_toe_off``), reads about 25 ms late on it.
    assert tm.evaluation["toe_off"]["mae_ms"] == pytest.approx(ground.evaluation["toe_off"]["mae_ms"], abs=3.0)
    assert tm.evaluation["toe_off"]["mae_ms"] <= RIGID_FOOT_TO_MAE_MS
    assert tm.parameters["cadence_steps_per_min"] == pytest.approx(ground.parameters["cadence_steps_per_min"], rel=0.01)
    assert tm.parameters["walking_speed_m_s"] == pytest.approx(ground.parameters["walking_speed_m_s"], rel=0.03)
    assert ground.parameters["ground"]["camera_motion"] == "static"
    assert tm.parameters["ground"]["camera_motion"] != "static"


def test_one_sided_treadmill_data_gives_that_sides_events_on_time() -> None:
    """Only the right leg's markers (hip, knee, ankle, heel, toe), 2-D, on a treadmill."""
    series, truth = _metric_walk(style="hemiparetic", seed=8)
    keep = [LEG_LANDMARKS["right"][k] for k in ("hip", "knee", "ankle", "heel", "toe")]
    speed = float(np.polyfit(series.time_s, series.positions[:, LEG_LANDMARKS["right"]["hip"], 0], 1)[0])
    p = on_belt(series.positions, series.time_s, FORWARD, -1.05 * speed)
    drop = [i for i in range(33) if i not in keep]
    p[:, drop], p[..., 2] = np.nan, 0.0
    c = series.confidence.copy()
    c[:, drop] = 0.0
    r = analyze_series(dataclasses.replace(series, positions=p, confidence=c, is_2d=True), CFG,
                       truth_events=[e for e in truth if e.side == "right"])
    assert {e.side for e in r.events} == {"right"}
    assert r.evaluation["overall"]["f1"] >= 0.95
    for kind in ("heel_strike", "toe_off"):
        assert abs(r.evaluation[kind]["bias_ms"]) <= 20.0, (kind, r.evaluation[kind])
    assert r.parameters["right"]["stride_time_s"]["mean"] == pytest.approx(60.0 / 86.0 * 2, rel=0.05)


def test_edge_padding_continues_the_trend() -> None:
    x = np.array([1.0, 2.0, 4.0, 3.0])
    np.testing.assert_allclose(edge_padded(x, 2), [-2.0, 0.0, 1.0, 2.0, 4.0, 3.0, 2.0, 4.0])


def test_extremum_a_few_samples_from_either_end_is_found() -> None:
    rate_hz = 30.0
    t = np.arange(90) / rate_hz
    head = np.cos(2 * np.pi * (t - 5 / rate_hz) / 1.1)  # maxima at samples 5, 38 and 71 ...
    assert np.any(np.abs(_extrema(head, rate_hz)[0] - 5.0) < 0.2)
    tail = np.cos(2 * np.pi * (t - 84 / rate_hz) / 1.1)  # ... and at sample 84 of 90
    assert np.any(np.abs(_extrema(tail, rate_hz)[0] - 84.0) < 0.2)
    assert len(_extrema(np.linspace(0.0, 1.0, 90), rate_hz)[0]) == 0  # a ramp has no maximum



def test_maximum_near_the_start_that_tops_every_later_sample_is_found() -> None:
    # The first maximum is the highest of the clip; its outer flank is the start, not the end.
    rate_hz = 120.0
    t = np.arange(360) / rate_hz
    signal = np.cos(2 * np.pi * (t - 9 / rate_hz) / 1.3) * (1.0 - 0.05 * t)
    found = _extrema(signal, rate_hz)[0]
    assert np.any(np.abs(found - 9.0) < 0.5), found


def _swing_then(after: np.ndarray) -> np.ndarray:
    """Heel speed (m/s, 100 Hz): 30 samples of swing at 3 m/s, then ``after``."""
    return np.concatenate([np.full(30, 3.0), after])


def test_a_landing_cut_by_the_end_is_found_where_the_heel_slows() -> None:
    toe_off = [Candidate("left", "toe_off", 5.0, 1.0)]
    heel = _swing_then(np.linspace(3.0, 0.1, 20))  # slows through 0.6 m/s at sample 30 + 2.4 / (2.9 / 19)
    found = partial_step_contacts(toe_off, heel, np.zeros_like(heel), 0.6, 15, "left")
    assert [(c.event, c.side) for c in found] == [("heel_strike", "left")]
    assert found[0].index == pytest.approx(30 + 2.4 * 19 / 2.9, abs=0.01)
    wobble = _swing_then(np.array([3.0, 1.0, 0.5, 0.4, 0.8, 2.0, 3.0, 3.0]))  # dips, then swings on
    assert partial_step_contacts(toe_off, wobble, np.zeros_like(wobble), 0.6, 15, "left") == []
    still_high = _swing_then(np.linspace(3.0, 0.45, 6))  # below 0.6 but never near rest
    assert partial_step_contacts(toe_off, still_high, np.zeros_like(still_high), 0.6, 15, "left") == []


def test_a_launch_cut_by_the_end_is_found_and_a_full_step_adds_nothing() -> None:
    heel_strike = [Candidate("right", "heel_strike", 2.0, 1.0)]
    toe = np.concatenate([np.zeros(30), np.linspace(0.0, 2.0, 11)])  # rises through 0.6 at 30 + 3
    found = partial_step_contacts(heel_strike, np.zeros_like(toe), toe, 0.6, 15, "right")
    assert [(c.event, round(c.index, 1)) for c in found] == [("toe_off", 33.0)]
    creep = np.concatenate([np.zeros(30), np.linspace(0.0, 0.9, 11)])  # never reaches a swing's speed
    assert partial_step_contacts(heel_strike, np.zeros_like(creep), creep, 0.6, 15, "right") == []
    both = heel_strike + [Candidate("right", "toe_off", 33.0, 1.0)]  # the launch is already there
    late = partial_step_contacts(both, np.full_like(toe, 3.0), toe, 0.6, 15, "right")
    assert late == []  # the heel is still swinging at the end: no landing yet

def test_a_landing_cut_by_the_start_is_found_where_the_heel_slows_or_at_its_impact() -> None:
    toe_off = [Candidate("left", "toe_off", 60.0, 1.0)]
    heel = np.concatenate([np.linspace(3.0, 0.1, 20), np.full(50, 0.1)])  # through 0.6 m/s at 2.4 * 19 / 2.9
    found = first_step_heel_strike(toe_off, heel, 0.6, 15, "left")
    assert [(c.event, c.side, c.timing) for c in found] == [("heel_strike", "left", "")]
    assert found[0].index == pytest.approx(2.4 * 19 / 2.9, abs=0.01)
    impact = first_step_heel_strike(toe_off, heel, 0.6, 15, "left", impact=9.5)
    assert [(c.index, c.timing) for c in impact] == [(9.5, "impact")]
    assert first_step_heel_strike(toe_off, heel, 0.6, 15, "left", impact=50.0) == found  # too near the toe off
    stance = np.full(70, 0.1)  # the recording starts with the foot down: the heel strike came before it
    assert first_step_heel_strike(toe_off, stance, 0.6, 15, "left") == []
    slow = np.concatenate([np.linspace(0.9, 0.1, 20), np.full(50, 0.1)])  # no swing before the crossing
    assert first_step_heel_strike(toe_off, slow, 0.6, 15, "left") == []
    rises = np.concatenate([np.linspace(3.0, 0.1, 20), np.full(5, 0.1), np.full(45, 1.0)])  # does not stay down
    assert first_step_heel_strike(toe_off, rises, 0.6, 15, "left") == []
    heel_first = [Candidate("left", "heel_strike", 10.0, 1.0)] + toe_off  # the full step is there already
    assert first_step_heel_strike(heel_first, heel, 0.6, 15, "left") == []


def test_a_heel_strike_just_after_a_recordings_start_is_found() -> None:
    # Recordings that start 50 ms before a heel strike, after the heel's forward maximum (Zeni's HS).
    series, events = _metric_walk("normal", seed=5)
    for e in [e for e in events if e.event == "heel_strike" and 2.0 < e.time_s < 5.0][:3]:
        k0 = int(round((e.time_s - 0.05) * series.rate_hz))
        cut = dataclasses.replace(series, positions=series.positions[k0:k0 + 500], confidence=series.confidence[k0:k0 + 500],
                                  time_s=series.time_s[k0:k0 + 500] - series.time_s[k0], meta={})
        found = analyze_series(cut, CFG).detection.events
        at = e.time_s - series.time_s[k0]
        assert any(x.event == "heel_strike" and x.side == e.side and abs(x.time_s - at) <= 0.05 for x in found), (
            e, [x for x in found if x.time_s < 1.0])


def test_events_near_the_ends_of_a_clip_are_recovered() -> None:
    truth = simulate_walk(GaitParams(duration_s=8.0, seed=2))[2]
    series, events = truth_to_series(truth), truth_to_events(truth)
    hs = [e for e in events if e.event == "heel_strike" and 1.0 < e.time_s < 7.0]
    first, last = hs[0], hs[-1]
    lo, hi = first.frame - 6, last.frame + 7  # the clip starts 0.2 s before a heel strike, ends 0.2 s after one
    clip = dataclasses.replace(series, positions=series.positions[lo:hi], time_s=series.time_s[lo:hi],
                               confidence=series.confidence[lo:hi])
    r = analyze_series(clip, CFG)
    for e in (first, last):
        near = [d for d in r.events if d.side == e.side and d.event == "heel_strike"
                and abs(d.time_s - e.time_s) <= 0.05]
        assert near, (e, [(d.side, d.event, round(d.time_s, 3)) for d in r.events])


def test_speed_contacts_cross_the_level_near_the_candidate() -> None:
    speed = np.concatenate([np.full(10, 2.0), np.linspace(2.0, 0.0, 11), np.zeros(10)])  # slows from sample 10 to 20
    assert heel_rest(12.0, speed, 1.0, 8) == pytest.approx(15.0)
    assert heel_rest(2.0, speed, 1.0, 4) is None
    rising = speed[::-1]
    assert toe_launch_over_ground(18.0, rising, 0.8, 9) == pytest.approx(14.0)
    assert toe_launch_over_ground(2.0, rising, 0.8, 3) is None


def test_pixel_walk_events_from_foot_speed_are_on_time() -> None:
    """The synthetic walker in pixels with 1.5 px noise: the foot-speed contacts stay within a frame."""
    truth = simulate_walk(GaitParams(duration_s=8.0, seed=4, cadence_steps_per_min=100.0))[2]
    series = truth_to_series(truth)
    p = series.positions.copy()
    p[..., :2] += np.random.default_rng(4).normal(0.0, 1.5, p[..., :2].shape)
    r = analyze_series(dataclasses.replace(series, positions=p), CFG)
    score = evaluate_events(r.events, truth_to_events(truth), 0.05)
    assert score["overall"]["f1"] >= 0.9
    assert score["heel_strike"]["mae_ms"] <= 1000.0 / 30 and score["toe_off"]["mae_ms"] <= 1000.0 / 30


@pytest.mark.skipif(not (SHARED / "overground_pd_150hz.trc").is_file(), reason="../shared/data is absent")
def test_walking_bout_on_a_belt_that_outruns_the_walker_spans_the_recording() -> None:
    """The PD trial (0.65 m/s) with the belt at 1.2 x its speed: the pelvis drifts backwards at about
    the slowest overground speed (it found no bout: no event at all); relative to the stance feet
    the walker still walks, so one bout covers the trial."""
    series = read_trc(SHARED / "overground_pd_150hz.trc")
    pelvis_x = np.nanmean(series.positions[:, [23, 24], 0], axis=1)
    speed = float(np.polyfit(series.time_s, pelvis_x, 1)[0])
    p = on_belt(series.positions, series.time_s, FORWARD, -1.2 * speed)
    bouts = preprocess(dataclasses.replace(series, positions=p), CFG).bouts
    assert len(bouts) == 1 and bouts[0][1] - bouts[0][0] >= 0.9 * series.n_frames, bouts


def test_stance_ground_velocity_is_the_belt() -> None:
    series, _ = _metric_walk(seconds=6.0)
    speed = float(np.polyfit(series.time_s, np.nanmean(series.positions[:, [23, 24], 0], axis=1), 1)[0])
    belt = on_belt(series.positions, series.time_s, FORWARD, -1.1 * speed)
    assert stance_ground_velocity(series.positions, series.rate_hz)[0] == pytest.approx(0.0, abs=0.03 * speed)
    assert stance_ground_velocity(belt, series.rate_hz)[0] == pytest.approx(-1.1 * speed, rel=0.03)


def test_extremum_whose_outer_flank_the_end_cuts_short_is_found() -> None:
    """A maximum 7 samples (70 ms) before the end: its outer descent is too short for the prominence
    a full maximum needs, its inner flank is whole; a rise with a small wiggle at its end is no maximum."""
    rate_hz = 100.0
    t = np.arange(300) / rate_hz
    tail = np.cos(2 * np.pi * (t - 292 / rate_hz) / 1.1)
    assert np.any(np.abs(_extrema(tail, rate_hz)[0] - 292.0) < 0.3)
    rise = np.cos(2 * np.pi * (t - 299.5 / rate_hz) / 1.1)
    rise[-3:] -= [0.0, 0.002, 0.004]  # a turn of 0.2 % of the range two samples before the end
    assert not np.any(_extrema(rise, rate_hz)[0] > 290.0)


def _with_toe_marker_at(series: KeypointSeries, fraction: float) -> KeypointSeries:
    """Each toe marker moved onto the heel -> toe line at ``fraction`` of the way (0.55: a marker on the
    metatarsal bases, behind the push-off pivot)."""
    p = series.positions.copy()
    for side in ("left", "right"):
        leg = LEG_LANDMARKS[side]
        p[:, leg["toe"]] = p[:, leg["heel"]] + fraction * (p[:, leg["toe"]] - p[:, leg["heel"]])
    return dataclasses.replace(series, positions=p)


def test_metric_toe_off_does_not_depend_on_where_the_toe_marker_sits() -> None:
    """Toe off on metric data comes from the rigid foot's toe tip, so a toe marker behind the push-off
    pivot (it rises with the heel, before toe off) moves no toe off."""
    series, truth = _metric_walk()
    tip = analyze_series(series, CFG, truth_events=truth).evaluation["toe_off"]
    proximal = analyze_series(_with_toe_marker_at(series, 0.55), CFG, truth_events=truth).evaluation["toe_off"]
    assert tip["f1"] >= 0.95 and proximal["f1"] >= 0.95
    assert proximal["mae_ms"] <= RIGID_FOOT_TO_MAE_MS and abs(proximal["bias_ms"]) <= RIGID_FOOT_TO_MAE_MS, proximal
    assert proximal["bias_ms"] == pytest.approx(tip["bias_ms"], abs=2.0)


def test_rearfoot_toe_tip_lies_ahead_of_a_flat_heel_and_turns_with_the_foot() -> None:
    p = np.full((20, 33, 3), np.nan)
    leg = LEG_LANDMARKS["right"]
    p[:, leg["heel"]] = [0.0, 0.05, 0.0]
    p[:, leg["toe"]] = [0.15, 0.05, 0.0]  # a marker on the metatarsal heads
    p[15:, leg["heel"]] = [0.0, 0.10, 0.0]  # heel raised 5 cm about the metatarsal heads (push-off)
    tip = rearfoot_toe_tip(p, FORWARD, "right", 1.0)
    np.testing.assert_allclose(tip[0], [VIRTUAL_TOE_LEG, 0.05, 0.0], atol=1e-9)
    assert tip[-1, 1] < 0.05  # beyond the pivot the tip stays down while the heel rises
    assert rearfoot_toe_tip(p, FORWARD, "left", 1.0) is None


@pytest.mark.skipif(not (SHARED / "overground_pd_150hz.trc").is_file(), reason="../shared/data is absent")
def test_placed_heels_keep_the_toe_marker_for_toe_off() -> None:
    """Without heel markers the heel is placed from ankle and toe; a toe tip on a line through that
    placed heel read the PD trial's toe offs 18 ms early, the toe marker 12 ms."""
    series = read_trc(SHARED / "overground_pd_150hz.trc")
    truth = read_events_csv(SHARED / "overground_pd_150hz.events.csv")
    heels = [LEG_LANDMARKS[s]["heel"] for s in ("left", "right")]
    p, c = series.positions.copy(), series.confidence.copy()
    p[:, heels], c[:, heels] = np.nan, 0.0
    r = analyze_series(dataclasses.replace(series, positions=p, confidence=c), CFG, truth_events=truth)
    assert r.evaluation["overall"]["f1"] == 1.0
    assert r.evaluation["toe_off"]["mae_ms"] <= 15.0, r.evaluation["toe_off"]


@pytest.mark.parametrize("cadence", [70.0, 76.0])
def test_one_leg_of_a_slow_shuffling_walk_is_one_walking_bout(cadence: float) -> None:
    """Right leg only, overground, shuffling at 70-76 steps/min: the foot rests through a stance of
    ~1 s, so a stepping window of 1.2 s split the walk into pieces under 2 s and no event was found."""
    truth = simulate_walk(GaitParams(style="shuffling", duration_s=8.0, seed=1778, fps=100.0,
                                     cadence_steps_per_min=cadence))[2]
    series = truth_to_series(truth)
    p = on_belt(series.positions / truth["px_per_m"], series.time_s, FORWARD, truth["walking_speed_m_s"])
    left = list(LEG_LANDMARKS["left"].values())
    p[:, left] = np.nan
    c = series.confidence.copy()
    c[:, left] = 0.0
    one_leg = dataclasses.replace(series, positions=p, confidence=c, units="m")
    bouts = preprocess(one_leg, CFG).bouts
    assert len(bouts) == 1 and bouts[0][1] - bouts[0][0] >= 0.9 * series.n_frames, bouts
    r = analyze_series(one_leg, CFG, truth_events=[e for e in truth_to_events(truth) if e.side == "right"])
    assert r.evaluation["overall"]["f1"] >= 0.9
