"""Invariants of the synthetic gait model: events, timing, step lengths, no foot sliding, styles."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import SIDES
from core.errors import ConfigError
from core.synthetic import GaitParams, simulate_walk
from core.synthetic.gait_model import simulate_gait
from core.synthetic.params import STYLES

FPS = 100.0


def _events(kin, side: str, kind: str) -> np.ndarray:
    return np.array([e.time_s for e in kin.events if e.side == side and e.event == kind])


@pytest.fixture(scope="module", params=sorted(STYLES))
def walk(request):
    params = GaitParams(style=request.param, duration_s=8.0, fps=FPS, seed=3)
    return params, simulate_gait(params)


def test_events_alternate_per_side_and_between_sides(walk):
    _, kin = walk
    for side in SIDES:
        seq = [e.event for e in kin.events if e.side == side]
        assert all(a != b for a, b in zip(seq, seq[1:])), f"{side}: {seq}"
    strikes = [e.side for e in kin.events if e.event == "heel_strike"]
    assert len(strikes) >= 8
    assert all(a != b for a, b in zip(strikes, strikes[1:]))


def test_event_frames_are_the_nearest_frames(walk):
    params, kin = walk
    for e in kin.events:
        assert e.frame == round(e.time_s * params.fps)
        assert 0 <= e.frame < params.n_frames


def test_stance_percent_cadence_and_steps_as_configured(walk):
    params, kin = walk
    for side in SIDES:
        hs, to = _events(kin, side, "heel_strike"), _events(kin, side, "toe_off")
        to = to[to > hs[0]]
        n = min(len(hs) - 1, len(to))
        stance = (to[:n] - hs[:n]) / np.diff(hs)[:n]
        assert stance == pytest.approx(params.side_pattern(side).stance_frac, abs=1e-9)
    strikes = np.sort(np.concatenate([_events(kin, s, "heel_strike") for s in SIDES]))
    assert 120.0 / np.mean(np.diff(strikes[::2])) == pytest.approx(params.cadence, rel=1e-9)
    heel = {s: kin.points_m[f"{s}_heel_pivot"][:, 0] for s in SIDES}
    frames = [e.frame for e in kin.events if e.event == "heel_strike"]
    sides = [e.side for e in kin.events if e.event == "heel_strike"]
    steps = [heel[s][f] - heel["left" if s == "right" else "right"][f] for s, f in zip(sides, frames)]
    assert np.mean(steps) == pytest.approx(params.step_length, rel=0.03)


def test_stance_foot_does_not_slide_or_sink(walk):
    _, kin = walk
    for side in SIDES:
        for pivot in ("heel_pivot", "toe_pivot"):
            xy = kin.points_m[f"{side}_{pivot}"]
            assert xy[:, 1].min() > -5e-4  # sub-millimetre: the swing clearance is checked on a grid
            on_ground = (xy[:, 1] < 1e-6) & kin.contact[side]
            # Split the contact frames into separate contacts, then check each stays put.
            breaks = np.flatnonzero(np.diff(np.flatnonzero(on_ground)) > 1)
            for run in np.split(np.flatnonzero(on_ground), breaks + 1):
                if run.size > 1:
                    assert np.ptp(xy[run, 0]) < 0.01, f"{side} {pivot} slides {np.ptp(xy[run, 0]):.4f} m"


def test_flat_foot_landmarks_do_not_move(walk):
    _, kin = walk
    for side in SIDES:
        heel, toe = kin.points_m[f"{side}_heel"], kin.points_m[f"{side}_foot_index"]
        flat = kin.contact[side] & (np.abs(kin.angles_rad[f"{side}_foot_pitch"]) < 1e-9)
        runs = np.split(np.flatnonzero(flat), np.flatnonzero(np.diff(np.flatnonzero(flat)) > 1) + 1)
        assert sum(r.size for r in runs) > 20
        for run in runs:
            if run.size > 1:
                assert np.ptp(heel[run], axis=0).max() < 1e-9 and np.ptp(toe[run], axis=0).max() < 1e-9


def test_segments_are_rigid_and_knees_never_hyperextend(walk):
    _, kin = walk
    b = kin.body
    for side in SIDES:
        p = lambda name: kin.points_m[f"{side}_{name}"]  # noqa: E731
        assert np.linalg.norm(p("knee") - p("hip"), axis=1) == pytest.approx(b.thigh, abs=1e-6)
        assert np.linalg.norm(p("ankle") - p("knee"), axis=1) == pytest.approx(b.shank, abs=1e-6)
        thigh, shank = p("knee") - p("hip"), p("ankle") - p("knee")
        flexion = np.arctan2(thigh[:, 0], -thigh[:, 1]) - np.arctan2(shank[:, 0], -shank[:, 1])
        assert flexion.min() > 0.0
    assert kin.reach_slack_min_m > -1e-6


def test_styles_differ_as_designed():
    truths = {s: simulate_walk(GaitParams(style=s, duration_s=6.0, fps=50.0, seed=1))[2] for s in STYLES}
    normal, shuffle = truths["normal"], truths["shuffling"]
    assert shuffle["step_length_m"] < 0.7 * normal["step_length_m"]
    assert shuffle["cadence_steps_per_min"] > normal["cadence_steps_per_min"]
    knee_peak = lambda t, side: max(t["joint_angles_deg"][f"{side}_knee_flexion"])  # noqa: E731
    assert knee_peak(shuffle, "left") < knee_peak(normal, "left") - 15
    for style in ("hemiparetic", "antalgic"):
        stance, steps = truths[style]["stance_pct"], truths[style]["step_length_m_by_side"]
        assert stance["right"] < stance["left"] - 8  # the affected (right) side has the short stance
        assert abs(steps["left"] - steps["right"]) > 0.05
    assert abs(normal["stance_pct"]["left"] - normal["stance_pct"]["right"]) < 1e-6
    assert 60 <= normal["stance_pct"]["left"] <= 62


def test_direction_mirrors_the_image_x():
    base = dict(duration_s=3.0, fps=30.0, seed=5, width_px=640, height_px=480)
    ltr = simulate_walk(GaitParams(direction="left_to_right", **base))[2]
    rtl = simulate_walk(GaitParams(direction="right_to_left", **base))[2]
    assert ltr["near_side"] == "right" and rtl["near_side"] == "left"
    for name in ltr["exact_landmarks"]:
        a, b = np.asarray(ltr["landmarks"][name]), np.asarray(rtl["landmarks"][name])
        assert a[:, 0] + b[:, 0] == pytest.approx(np.full(len(a), 639.0))
        assert a[:, 1] == pytest.approx(b[:, 1])
    heel = np.asarray(ltr["landmarks"]["right_heel"])[:, 0]
    assert np.median(np.diff(heel)) < 0  # the camera tracks the walker: a planted heel drifts backwards


def test_invalid_parameters_raise_config_error():
    with pytest.raises(ConfigError, match="style"):
        GaitParams(style="moonwalk")
    with pytest.raises(ConfigError, match="direction"):
        GaitParams(direction="up")
    with pytest.raises(ConfigError, match="cadence"):
        GaitParams(cadence_steps_per_min=500)


def test_stride_variability_changes_timing_but_keeps_events_consistent():
    kin = simulate_gait(GaitParams(duration_s=8.0, fps=FPS, variability=0.04, seed=2))
    hs = _events(kin, "right", "heel_strike")
    assert np.std(np.diff(hs)) > 0.005
    for side in SIDES:
        seq = [e.event for e in kin.events if e.side == side]
        assert all(a != b for a, b in zip(seq, seq[1:]))
