"""End-to-end gait analysis on an analytic 3-D walker, the synthetic video generator's truth and real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEG_LANDMARKS, NUM_LANDMARKS
from core.errors import InsufficientDataError
from core.gait.analysis import GaitResult, analyze_series
from core.gait.evaluation import evaluate_events
from core.gait.kinematics import ANGLE_KEYS
from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series
from core.types import GaitEvent, KeypointSeries

DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
CFG = load_profile("balanced").preprocessing
HIP_Y, THIGH, SHANK, FOOT = 0.90, 0.46, 0.46, 0.20


def _knee(hip: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Two-link knee (T, 2) bending forward; a straight leg when the ankle is out of reach."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=1, keepdims=True)
    u = d / dist
    cos_a = np.clip((THIGH**2 + dist**2 - SHANK**2) / (2 * THIGH * dist), -1.0, 1.0)
    sin_a = np.sqrt(1.0 - cos_a**2)
    rot = np.concatenate([u[:, :1] * cos_a - u[:, 1:] * sin_a, u[:, :1] * sin_a + u[:, 1:] * cos_a], axis=1)
    return hip + THIGH * rot


def _trapezoid_glide(s: np.ndarray, ramp: float = 0.1) -> np.ndarray:
    """0..1 position of a foot whose swing speed ramps up and down over ``ramp`` of the swing."""
    pos = np.where(s < ramp, s**2 / (2 * ramp), np.where(s > 1 - ramp, 1 - ramp - (1 - s) ** 2 / (2 * ramp),
                                                           s - ramp / 2))
    return pos / (1 - ramp)


def analytic_walk(cadence: float = 110.0, step_m: float = 0.62, duration_s: float = 8.0, rate_hz: float = 100.0,
                  heading_deg: float = 0.0, stance_frac: float = 0.62) -> tuple[KeypointSeries, list[GaitEvent]]:
    """Constant-speed walk in metres; feet rest in stance and glide with a lift in swing."""
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    step_s = 60.0 / cadence
    speed = step_m / step_s
    stride_s = 2 * step_s
    sag = np.full((t.size, NUM_LANDMARKS, 2), np.nan)
    events = []
    for side, phase0 in (("right", 0.3), ("left", 0.3 + step_s)):
        idx = LEG_LANDMARKS[side]
        hs_times = phase0 + stride_s * np.arange(-1, int(duration_s / stride_s) + 2)
        cyc = np.floor((t - phase0) / stride_s)
        tau = (t - phase0) / stride_s - cyc
        land = speed * (phase0 + cyc * stride_s) + 0.25
        swing = np.clip((tau - stance_frac) / (1 - stance_frac), 0, 1)
        glide = _trapezoid_glide(swing)
        heel = np.stack([land + glide * speed * stride_s, 0.02 + 0.12 * np.sin(np.pi * swing)], axis=1)
        hip = np.stack([speed * t, np.full(t.size, HIP_Y)], axis=1)
        ankle = heel + (0.04, 0.06)
        sag[:, idx["hip"]], sag[:, idx["ankle"]], sag[:, idx["heel"]] = hip, ankle, heel
        sag[:, idx["knee"]] = _knee(hip, ankle)
        sag[:, idx["toe"]] = heel + (FOOT, 0.0)
        sag[:, idx["shoulder"]] = hip + (0.02, 0.5)
        for ev, times in (("heel_strike", hs_times), ("toe_off", hs_times + stance_frac * stride_s)):
            for ts in times[(times >= 0) & (times <= t[-1])]:
                events.append(GaitEvent(side, ev, int(round(ts * rate_hz)), float(ts)))
    h = np.radians(heading_deg)
    fwd, lat = np.array([np.cos(h), 0.0, np.sin(h)]), np.array([-np.sin(h), 0.0, np.cos(h)])
    pos = sag[..., :1] * fwd + sag[..., 1:] * np.array([0.0, 1.0, 0.0])
    for side, z in (("left", -0.1), ("right", 0.1)):
        for k in LEG_LANDMARKS[side].values():
            pos[:, k] += z * lat
    series = KeypointSeries(pos, t, np.ones((t.size, NUM_LANDMARKS)), units="m", name="analytic")
    return series, sorted(events, key=lambda e: e.time_s)


@pytest.mark.parametrize("heading_deg", [0.0, 180.0, 35.0])
def test_metric_walk_cadence_and_step_length(heading_deg: float) -> None:
    series, truth = analytic_walk(heading_deg=heading_deg)
    result = analyze_series(series, CFG, truth_events=truth)
    assert isinstance(result, GaitResult) and result.m_per_unit == 1.0
    p = result.parameters
    assert p["cadence_steps_per_min"] == pytest.approx(110.0, rel=0.02)
    for side in ("left", "right"):
        assert p[side]["step_length_m"]["mean"] == pytest.approx(0.62, rel=0.05)
        assert 50.0 <= p[side]["stance_pct"]["mean"] <= 72.0
        assert p[side]["step_width_m"]["mean"] == pytest.approx(0.2, abs=0.02)
    assert p["walking_speed_m_s"] == pytest.approx(0.62 * 110 / 60, rel=0.05)
    assert p["n_strides_used"] >= 6
    assert result.evaluation is not None and result.evaluation["overall"]["n_truth"] == len(truth)
    assert set(result.cycles) == set(ANGLE_KEYS)
    assert result.cycles["left_knee"].shape[1] == 101 and result.summaries["left_knee"]["n"] >= 3
    assert result.summaries["right_knee"]["max_deg"] > 20.0


def test_walk_there_and_back_keeps_lengths_and_angle_signs() -> None:
    there, _ = analytic_walk(duration_s=6.0, heading_deg=30.0)
    back, _ = analytic_walk(duration_s=6.0, heading_deg=210.0)
    pause = np.repeat(there.positions[-1:], 150, axis=0)
    hip = LEG_LANDMARKS["left"]["hip"]
    back_pos = back.positions + (there.positions[-1, hip] - back.positions[0, hip])
    pos = np.concatenate([there.positions, pause, back_pos])
    series = KeypointSeries(pos, np.arange(len(pos)) / 100.0, np.ones(pos.shape[:2]), units="m", name="there-back")
    result = analyze_series(series, CFG)
    alone = analyze_series(there, CFG)
    p = result.parameters
    assert [round(b["heading_deg"]) % 360 for b in p["bouts"]] == [30, 210]
    assert len(result.events) == 2 * len(alone.events)
    assert p["walking_speed_m_s"] == pytest.approx(0.62 * 110 / 60, rel=0.05)
    for side in ("left", "right"):
        assert p[side]["step_length_m"]["mean"] == pytest.approx(0.62, rel=0.05)
        assert p[side]["step_width_m"]["mean"] == pytest.approx(0.2, abs=0.02)
        for joint in ("hip", "knee"):
            both, one = result.summaries[f"{side}_{joint}"], alone.summaries[f"{side}_{joint}"]
            assert both["n"] > one["n"]
            np.testing.assert_allclose(both["mean"], one["mean"], atol=2.0)
    pelvis = result.oriented_positions[:, [LEG_LANDMARKS[s]["hip"] for s in ("left", "right")]].mean(axis=1)
    for start, end in result.bouts:
        assert (pelvis[end - 1] - pelvis[start]) @ result.forward > 1.0


def test_one_leg_missing_gives_that_sides_strides_and_says_so() -> None:
    series, _ = analytic_walk()
    pos = series.positions.copy()
    pos[:, list(LEG_LANDMARKS["left"].values())] = np.nan
    result = analyze_series(KeypointSeries(pos, series.time_s, np.isfinite(pos[..., 0]).astype(float), units="m"), CFG)
    p = result.parameters
    assert p["cadence_steps_per_min"] == pytest.approx(110.0, rel=0.02)
    assert p["right"]["n_strides_used"] >= 6 and p["left"]["n_strides_used"] == 0
    assert p["right"]["stride_length_m"]["mean"] == pytest.approx(2 * 0.62, rel=0.05)
    assert any("no left event" in n for n in result.notes)


@pytest.mark.parametrize("point, event", [("toe", "toe_off"), ("heel", "heel_strike")])
def test_a_missing_foot_point_is_placed_on_a_rigid_foot_with_the_same_events(
    point: str, event: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    series, truth = analytic_walk()
    if point == "heel":
        # A seen heel lands with an impact here: timed from its 20 Hz heights, every heel strike is
        # within 50 ms of the truth. A placed heel has no such heights; it gives what a seen heel
        # gives without them (the 6 Hz timing).
        impact = analyze_series(series, CFG)
        scored = evaluate_events([e for e in impact.events if e.event == event],
                                 [e for e in truth if e.event == event], tolerance_s=0.05)
        assert scored["overall"]["f1"] == 1.0
        monkeypatch.setattr("core.gait.preprocessing.impact_heel_heights", lambda *_: None)
    seen = analyze_series(series, CFG)
    pos = series.positions.copy()
    pos[:, [LEG_LANDMARKS[side][point] for side in ("left", "right")]] = np.nan
    result = analyze_series(KeypointSeries(pos, series.time_s, np.isfinite(pos[..., 0]).astype(float), units="m"), CFG)
    assert any(f"no left {point} or right {point} landmark" in n for n in result.notes)
    reference = [e for e in seen.events if e.event == event]
    score = evaluate_events([e for e in result.events if e.event == event], reference, tolerance_s=0.02)
    assert score["overall"]["f1"] == 1.0
    assert result.summaries["left_ankle"]["rom_deg"] == pytest.approx(seen.summaries["left_ankle"]["rom_deg"], abs=2.0)


@pytest.mark.parametrize("direction, style", [("left_to_right", "normal"), ("right_to_left", "hemiparetic")])
def test_synthetic_video_truth_with_height(direction: str, style: str) -> None:
    params = GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480, direction=direction,
                        style=style, subject_height_m=1.68)
    truth = simulate_walk(params, "synthetic")[2]
    result = analyze_series(truth_to_series(truth), CFG, subject_height_m=1.68, truth_events=truth_to_events(truth))
    p = result.parameters
    assert result.m_per_unit == pytest.approx(1.0 / truth["px_per_m"], rel=0.02)
    assert p["cadence_steps_per_min"] == pytest.approx(truth["cadence_steps_per_min"], rel=0.02)
    assert p["walking_speed_m_s"] == pytest.approx(truth["walking_speed_m_s"], rel=0.05)
    for side in ("left", "right"):
        assert p[side]["step_length_m"]["mean"] == pytest.approx(truth["step_length_m_by_side"][side], rel=0.05)
        assert p[side]["stance_pct"]["mean"] == pytest.approx(truth["stance_pct"][side], abs=5.0)
        assert p[side]["step_width_m"] is None
    assert result.summaries["left_knee"]["n"] >= 2


def test_synthetic_video_without_height_uses_leg_lengths() -> None:
    truth = simulate_walk(GaitParams(camera="static", duration_s=6.0, width_px=1280, height_px=480), "syn")[2]
    result = analyze_series(truth_to_series(truth), CFG)
    p = result.parameters
    assert result.m_per_unit is None and p["walking_speed_m_s"] is None and p["left"]["step_length_m"] is None
    expected = truth["step_length_m"] / truth["leg_length_m"]
    assert p["left"]["step_length_leg_norm"]["mean"] == pytest.approx(expected, rel=0.05)
    assert p["leg_length_units"] == pytest.approx(truth["leg_length_px"], rel=0.03)


def test_no_complete_stride_is_partial_and_still_life_raises() -> None:
    series, _ = analytic_walk(cadence=60.0, duration_s=2.2)
    short = analyze_series(series, CFG)
    assert len(short.events) >= 2 and short.parameters["n_strides_used"] == 0
    assert any("no complete stride" in n for n in short.notes)
    assert short.cycles["left_knee"].shape == (0, 101) and short.summaries["left_knee"]["n"] == 0
    still = KeypointSeries(np.repeat(series.positions[:1], 300, axis=0), np.arange(300) / 100.0,
                           np.ones((300, NUM_LANDMARKS)), units="m", name="still")
    with pytest.raises(InsufficientDataError):
        analyze_series(still, CFG)


def test_shared_overground_pd_plausible() -> None:
    trc = DATA_DIR / "overground_pd_150hz.trc"
    if not trc.exists():
        pytest.skip(f"shared data absent: {trc}")
    from core.io.events_csv import read_events_csv
    from core.io.trc import read_trc

    truth = read_events_csv(DATA_DIR / "overground_pd_150hz.events.csv")
    result = analyze_series(read_trc(trc), CFG, truth_events=truth)
    p = result.parameters
    assert 70.0 <= p["cadence_steps_per_min"] <= 130.0
    assert 0.3 <= p["walking_speed_m_s"] <= 1.6
    assert p["n_strides_used"] >= 2
    for side in ("left", "right"):
        assert 50.0 <= p[side]["stance_pct"]["mean"] <= 80.0
        assert 0.15 <= p[side]["step_length_m"]["mean"] <= 0.9
        assert 25.0 <= result.summaries[f"{side}_knee"]["rom_deg"] <= 80.0
    assert result.evaluation is not None and result.evaluation["overall"]["f1"] >= 0.6


def test_a_clip_shorter_than_a_walking_bout_says_what_a_bout_needs() -> None:
    """A 1.9 s walk holds a complete stride but no 2 s bout: the message names the bout's length."""
    truth = simulate_walk(GaitParams(camera="static", duration_s=1.9, width_px=1280, height_px=480, seed=5), "two")[2]
    assert truth["stride_time_s"] < 1.2
    with pytest.raises(InsufficientDataError, match=r"0 walking bout\(s\)\); at least one complete stride .* "
                                                    r"within at least 2 s of steady walking \(preprocessing.min_bout_s\)"):
        analyze_series(truth_to_series(truth), CFG)
