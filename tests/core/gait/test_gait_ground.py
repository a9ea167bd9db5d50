"""Ground frame: camera pans and treadmills must not change step/stride length and walking speed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LANDMARK_NAMES, NUM_LANDMARKS, SIDES
from core.gait.analysis import analyze_series
from core.gait.ground import (
    ground_displacement, ground_velocity, stance_phases, to_ground_frame,
)
from core.gait.parameters import spatiotemporal_parameters
from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series
from core.types import GaitEvent, KeypointSeries

CFG = load_profile("balanced").preprocessing
HEIGHT_M = 1.7
GROUND_FRAME = "ground frame (camera motion compensated)"


def _mean_step_m(params: dict) -> float:
    return float(np.mean([params[side]["step_length_m"]["mean"] for side in SIDES]))


def _mean_stride_m(params: dict) -> float:
    return float(np.mean([params[side]["stride_length_m"]["mean"] for side in SIDES]))


def _panned_series(truth: dict, camera_x_m: np.ndarray, sign: int = 1) -> KeypointSeries:
    """Truth world landmarks seen by an orthographic camera centred on ``camera_x_m`` (T,) metres."""
    n, k = truth["n_frames"], truth["px_per_m"]
    pos = np.zeros((n, NUM_LANDMARKS, 3))
    for j, name in enumerate(LANDMARK_NAMES):
        world = np.asarray(truth["landmarks_world_m"][name])
        pos[:, j, 0] = 0.5 * truth["width"] + sign * (world[:, 0] - camera_x_m) * k
        pos[:, j, 1] = 100.0 + world[:, 1] * k
    t = np.arange(n) / truth["fps"]
    return KeypointSeries(pos, t, np.ones((n, NUM_LANDMARKS)), units="px", is_2d=True)


def test_static_camera_truth_is_left_unchanged() -> None:
    params = GaitParams(camera="static", duration_s=6.0, width_px=1280, subject_height_m=HEIGHT_M)
    truth = simulate_walk(params)[2]
    series, events = truth_to_series(truth), truth_to_events(truth)
    forward = np.array([1.0, 0.0, 0.0])
    out, report = to_ground_frame(series.positions, series.time_s, events, forward)
    assert report.camera_motion == "static" and not report.compensated
    assert out is series.positions
    walking_px_s = truth["walking_speed_m_s"] * truth["px_per_m"]
    assert report.walking_speed_units_s == pytest.approx(walking_px_s, rel=0.05)
    assert abs(report.median_ground_speed_units_s) < 0.01 * walking_px_s
    assert np.median(np.abs(ground_velocity(series.positions, series.time_s, events, forward))) < 0.02 * walking_px_s

    result = analyze_series(series, CFG, subject_height_m=HEIGHT_M)
    p = result.parameters
    assert p["spatial_reference"] == "data frame (static camera)" and p["ground"]["camera_motion"] == "static"
    s = result.series
    raw = spatiotemporal_parameters(result.events, s.positions, s.time_s, result.forward, result.bouts or None,
                                    result.m_per_unit, s.is_2d, s.confidence)
    assert p["walking_speed_m_s"] == raw["walking_speed_m_s"]
    assert _mean_step_m(p) == _mean_step_m(raw)
    assert _mean_step_m(p) == pytest.approx(truth["step_length_m"], rel=0.02)


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
@pytest.mark.parametrize("cadence", [80.0, 108.0, 130.0])
def test_tracking_camera_lengths_and_speed(cadence: float, direction: str) -> None:
    params = GaitParams(camera="tracking", cadence_steps_per_min=cadence, direction=direction, duration_s=6.0,
                        subject_height_m=HEIGHT_M)
    truth = simulate_walk(params)[2]
    assert truth["camera_mode"] == "tracking"
    series = truth_to_series(truth)
    rng = np.random.default_rng(int(cadence))
    noisy = replace(series, positions=series.positions + rng.normal(0.0, 1.0, series.positions.shape) * [1, 1, 0])
    result = analyze_series(noisy, CFG, subject_height_m=HEIGHT_M)
    p = result.parameters
    assert p["spatial_reference"] == GROUND_FRAME and p["ground"]["camera_motion"] == "moving/treadmill"
    assert p["n_strides_used"] >= 4
    pan_m_s = abs(np.polyfit(series.time_s, truth["camera_center_x_m"], 1)[0])
    assert p["ground"]["median_ground_speed_m_s"] == pytest.approx(-pan_m_s, rel=0.05)
    assert _mean_step_m(p) == pytest.approx(truth["step_length_m"], rel=0.05)
    assert _mean_stride_m(p) == pytest.approx(truth["stride_length_m"], rel=0.05)
    assert p["walking_speed_m_s"] == pytest.approx(truth["walking_speed_m_s"], rel=0.05)
    assert p["cadence_steps_per_min"] == pytest.approx(truth["cadence_steps_per_min"], rel=0.02)
    assert any("moving camera or treadmill" in note for note in result.notes)
    s = result.series
    uncompensated = spatiotemporal_parameters(result.events, s.positions, s.time_s, result.forward,
                                              result.bouts or None, result.m_per_unit, s.is_2d, s.confidence)
    assert abs(uncompensated["walking_speed_m_s"]) < 0.2 * truth["walking_speed_m_s"]


def test_varying_pan_speed_is_followed() -> None:
    truth = simulate_walk(GaitParams(duration_s=8.0, subject_height_m=HEIGHT_M))[2]
    t = np.arange(truth["n_frames"]) / truth["fps"]
    v = truth["walking_speed_m_s"]
    camera_x_m = 0.5 * v * t + 0.15 * np.sin(2 * np.pi * t / 4.0)  # pan at 0.5 v +- 0.24 m/s
    result = analyze_series(_panned_series(truth, camera_x_m, sign=-1), CFG, subject_height_m=HEIGHT_M)
    p = result.parameters
    assert p["spatial_reference"] == GROUND_FRAME
    assert _mean_step_m(p) == pytest.approx(truth["step_length_m"], rel=0.05)
    assert p["walking_speed_m_s"] == pytest.approx(v, rel=0.05)
    s = result.series
    estimate = ground_velocity(s.positions, s.time_s, result.events, result.forward)
    pan_px_s = np.gradient(camera_x_m, t) * truth["px_per_m"]
    mid = slice(30, -30)
    assert np.sqrt(np.mean((estimate[mid] + pan_px_s[mid]) ** 2)) < 0.1 * v * truth["px_per_m"]


@pytest.mark.parametrize("pan_fraction, expected", [(0.01, "static"), (0.15, "moving/treadmill")])
def test_slow_pan_threshold(pan_fraction: float, expected: str) -> None:
    truth = simulate_walk(GaitParams(duration_s=6.0))[2]
    t = np.arange(truth["n_frames"]) / truth["fps"]
    series = _panned_series(truth, pan_fraction * truth["walking_speed_m_s"] * t)
    out, report = to_ground_frame(series.positions, series.time_s, truth_to_events(truth), np.array([1.0, 0, 0]))
    assert report.camera_motion == expected
    assert (out is series.positions) == (expected == "static")


@pytest.mark.parametrize("style, cadence", [("normal", 100.0), ("hemiparetic", 90.0), ("shuffling", 120.0)])
def test_treadmill_speed_equals_belt_speed(style: str, cadence: float) -> None:
    """Metric 3-D data with the pelvis held in place by a belt moving at the walking speed."""
    truth = simulate_walk(GaitParams(style=style, cadence_steps_per_min=cadence, duration_s=8.0, fps=100.0))[2]
    n = truth["n_frames"]
    t = np.arange(n) / truth["fps"]
    belt_m_s = truth["walking_speed_m_s"]
    pos = np.zeros((n, NUM_LANDMARKS, 3))
    for j, name in enumerate(LANDMARK_NAMES):
        world = np.asarray(truth["landmarks_world_m"][name])
        pos[:, j, 0], pos[:, j, 1] = world[:, 0] - belt_m_s * t, world[:, 1]
        pos[:, j, 2] = {"l": -0.1, "r": 0.1}.get(name[0], 0.0)
    series = KeypointSeries(pos, t, np.ones((n, NUM_LANDMARKS)), units="m", name="treadmill")
    pelvis_x = 0.5 * (pos[:, LANDMARK_NAMES.index("left_hip"), 0] + pos[:, LANDMARK_NAMES.index("right_hip"), 0])
    assert np.ptp(pelvis_x) < 0.1 * belt_m_s * t[-1]
    p = analyze_series(series, CFG).parameters
    assert p["spatial_reference"] == GROUND_FRAME
    assert p["ground"]["median_ground_speed_m_s"] == pytest.approx(-belt_m_s, rel=0.05)
    assert p["walking_speed_m_s"] == pytest.approx(belt_m_s, rel=0.05)
    assert _mean_step_m(p) == pytest.approx(truth["step_length_m"], rel=0.05)


def test_stance_phases_extend_cut_stances() -> None:
    ev = [GaitEvent("left", "toe_off", 5, 0.05), GaitEvent("left", "heel_strike", 50, 0.5),
          GaitEvent("left", "toe_off", 110, 1.1), GaitEvent("left", "heel_strike", 150, 1.5)]
    phases = stance_phases(ev, "left")
    assert phases == [pytest.approx((0.05 - 0.6, 0.05)), pytest.approx((0.5, 1.1)), pytest.approx((1.5, 2.1))]
    assert stance_phases(ev, "right") == []


def test_no_events_gives_zero_ground_velocity_and_displacement() -> None:
    t = np.arange(50) / 50.0
    pos = np.random.default_rng(0).normal(size=(50, NUM_LANDMARKS, 3))
    v = ground_velocity(pos, t, [], np.array([1.0, 0.0, 0.0]))
    assert v.shape == (50,) and not v.any()
    out, report = to_ground_frame(pos, t, [], np.array([1.0, 0.0, 0.0]))
    assert out is pos and report.camera_motion == "static" and report.n_midstances == 0
    assert ground_displacement(np.full(50, 2.0), t)[-1] == pytest.approx(2.0 * t[-1])


def test_median_standard_error() -> None:
    from core.gait.ground import median_standard_error
    assert median_standard_error(np.array([1.0, 2.0])) == float("inf")
    values = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, np.nan])  # MAD 1 over 5 finite values
    assert median_standard_error(values) == pytest.approx(np.sqrt(np.pi / 2) * 1.4826 / np.sqrt(5))


@pytest.mark.parametrize("spread, expected", [(0.2, False), (0.01, True)])
def test_biased_scattered_midstances_are_not_camera_motion(spread: float, expected: bool) -> None:
    """Median ground velocity 8 % of the walking speed: a camera pan when every mid-stance agrees,
    landmark bias when the mid-stances scatter around it (fixed camera seen through MediaPipe)."""
    from core.gait.ground import camera_is_moving, median_standard_error
    walking = 100.0
    knots = 8.0 + walking * spread * np.array([-1.0, 1.0, -0.5, 0.5, 0.0, -1.5, 1.5, 0.2])
    assert camera_is_moving(float(np.median(knots)), median_standard_error(knots), walking) is expected
    assert camera_is_moving(8.0, float("inf"), walking)  # too few mid-stances: speed fraction alone
    assert not camera_is_moving(2.0, 0.0, walking)  # below GROUND_MIN_SPEED_FRACTION


def test_midstance_window_is_foot_flat_to_heel_rise() -> None:
    """The ground velocity of a stance is the foot's mean velocity from foot flat (8 % of the cycle)
    to heel rise (30 %) of a 60 % stance, i.e. 0.133-0.5 of the stance."""
    from core.constants import LEG_LANDMARKS
    from core.gait.ground import midstance_velocities
    fps, stance_s = 100.0, 0.6
    t = np.arange(0.0, 1.2, 1.0 / fps)
    pos = np.full((t.size, NUM_LANDMARKS, 3), np.nan)
    accel = 50.0  # foot drifts with a velocity proportional to time: mean over a window = accel x centre
    for part in ("heel", "toe", "ankle"):
        pos[:, LEG_LANDMARKS["left"][part], 0] = 0.5 * accel * t ** 2
        pos[:, LEG_LANDMARKS["left"][part], 1:] = 0.0
    events = [GaitEvent("left", "heel_strike", 0, 0.0), GaitEvent("left", "toe_off", 60, stance_s)]
    knot_s, knot_v = midstance_velocities(pos, t, events, np.array([1.0, 0.0, 0.0]))
    lo, hi = 0.08 / 0.60 * stance_s, 0.30 / 0.60 * stance_s
    inside = t[(t >= lo) & (t <= hi)]
    assert knot_s.size == 1
    assert knot_s[0] == pytest.approx(inside.mean())
    assert knot_v[0] == pytest.approx(accel * inside.mean(), rel=1e-6)


def _sliding_stance_feet(series: KeypointSeries, events: list[GaitEvent], px_s: float) -> KeypointSeries:
    """``series`` whose feet drift forward by ``px_s`` during every stance (landmarks that slide)."""
    from core.constants import LEG_LANDMARKS
    from core.gait.ground import stance_phases

    pos = series.positions.copy()
    for side in SIDES:
        feet = [LEG_LANDMARKS[side][k] for k in ("heel", "toe", "ankle")]
        for start, end in stance_phases(events, side):
            inside = (series.time_s >= start) & (series.time_s <= end)
            pos[np.ix_(inside, feet, [0])] += (px_s * (series.time_s[inside] - start))[:, None, None]
    return replace(series, positions=pos)


def test_measured_scenery_pan_replaces_the_stance_feet() -> None:
    """Stance feet that slide read the pan wrong; the scenery's velocity gives it exactly."""
    truth = simulate_walk(GaitParams(duration_s=8.0))[2]
    events = truth_to_events(truth)
    t = np.arange(truth["n_frames"]) / truth["fps"]
    v = truth["walking_speed_m_s"]
    series = _panned_series(truth, 0.9 * v * t)
    sliding = _sliding_stance_feet(series, events, 0.15 * v * truth["px_per_m"])
    fwd = np.array([1.0, 0.0, 0.0])
    scene = np.full(t.size, -0.9 * v * truth["px_per_m"])
    scene[::15] = np.nan  # a few unknown frames are interpolated
    out, report = to_ground_frame(sliding.positions, t, events, fwd, scene)
    assert report.source == "scenery" and report.compensated
    assert report.median_ground_speed_units_s == pytest.approx(-0.9 * v * truth["px_per_m"], rel=1e-6)
    step = spatiotemporal_parameters(events, out, t, fwd, None, 1.0 / truth["px_per_m"], True)
    feet_only = spatiotemporal_parameters(events, to_ground_frame(sliding.positions, t, events, fwd)[0], t, fwd, None,
                                          1.0 / truth["px_per_m"], True)
    assert _mean_step_m(step) == pytest.approx(truth["step_length_m"], rel=0.01)
    assert abs(_mean_step_m(feet_only) / truth["step_length_m"] - 1.0) > 0.03


def test_scenery_still_finds_a_treadmill_belt_and_a_static_camera() -> None:
    truth = simulate_walk(GaitParams(duration_s=8.0))[2]
    events = truth_to_events(truth)
    t = np.arange(truth["n_frames"]) / truth["fps"]
    v_px = truth["walking_speed_m_s"] * truth["px_per_m"]
    fwd = np.array([1.0, 0.0, 0.0])
    still_room = np.zeros(t.size)
    belt = _panned_series(truth, truth["walking_speed_m_s"] * t)  # a static camera on a treadmill
    _, report = to_ground_frame(belt.positions, t, events, fwd, still_room)
    assert report.source == "scenery + stance feet" and report.compensated
    assert report.median_ground_speed_units_s == pytest.approx(-v_px, rel=0.05)
    overground = _panned_series(truth, np.zeros(t.size))
    out, report = to_ground_frame(overground.positions, t, events, fwd, still_room)
    assert report.source == "scenery" and not report.compensated and out is overground.positions
    unknown = np.full(t.size, np.nan)
    assert to_ground_frame(overground.positions, t, events, fwd, unknown)[1].source == "stance feet"


def test_a_pan_from_the_stance_feet_makes_video_lengths_doubtful() -> None:
    """On video a tracking camera's pan from the scenery leaves lengths graded high; without the scenery the stance
    feet give it (MediaPipe's read it 1-7 % fast), and the lengths grade says so (``quality.PAN_FROM_FEET_LENGTHS_PCT``)."""
    import dataclasses

    from core.config import load_profile
    from core.gait.analysis import analyze_series
    from core.synthetic import GaitParams, simulate_walk, truth_to_series

    cfg = load_profile("balanced").preprocessing
    truth = simulate_walk(GaitParams(camera="tracking", duration_s=6.0, width_px=1280, height_px=480, seed=3), "w")[2]
    series = truth_to_series(truth)
    from_feet = analyze_series(series, cfg)
    assert from_feet.parameters["ground"]["source"] == "stance feet"
    lengths = from_feet.quality.trust["lengths"]
    assert lengths["grade"] == "medium" and any("pan came from the stance feet" in r for r in lengths["reasons"])
    assert any(n.startswith("moving camera") and "lengths and speed may read long" in n for n in from_feet.notes)
    # the scenery moves against the camera: its image velocity is minus the camera's
    scene = -np.gradient(np.asarray(truth["camera_center_x_m"], float)) * truth["fps"] * truth["px_per_m"]
    from_scene = analyze_series(dataclasses.replace(series, meta={**series.meta, "scene_velocity_px_s": scene}), cfg)
    assert from_scene.parameters["ground"]["source"] == "scenery"
    assert from_scene.quality.trust["lengths"]["grade"] == "high" and from_scene.quality.evidence["pan_from_stance_feet"] == 0
    assert not any("may read long" in n for n in from_scene.notes)
