"""Scenes with a second figure and small walkers: exact truth of who the walker is, walker unchanged."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.errors import ConfigError
from core.synthetic import GaitParams, simulate_scene
from core.synthetic.render import make_scene, render_frames
from core.synthetic.truth import EXACT_LANDMARKS

BASE = GaitParams(duration_s=6.0, fps=10.0, width_px=480, height_px=270, seed=11)
ROLES = ("standing", "opposite", "crossing", "on_box")


def _scene(role: str, **kw):
    return simulate_scene(replace(BASE, second_person=role, **kw))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("camera", ("static", "tracking"))
def test_walker_is_identical_with_and_without_the_second_figure(role, camera):
    kin, _, others, truth = _scene(role, camera=camera)
    kin0, _, others0, truth0 = _scene("none", camera=camera)
    assert others0 == [] and len(others) == 1 and others[0].role == role
    assert truth["events"] == truth0["events"]
    for name in EXACT_LANDMARKS:
        assert np.array_equal(truth["landmarks"][name], truth0["landmarks"][name])
    assert np.array_equal(truth["people"][0]["box_px"], truth0["people"][0]["box_px"], equal_nan=True)
    assert [p["role"] for p in truth["people"]] == ["walker", role]


@pytest.mark.parametrize("role", ROLES + ("none",))
def test_walker_box_contains_the_walker_landmarks(role):
    _, _, _, truth = _scene(role, camera="tracking", direction="right_to_left")
    box = truth["people"][0]["box_px"]
    assert np.isfinite(box).all() and np.all(truth["people"][0]["visible_frac"] == 1.0)  # the camera follows
    for name in EXACT_LANDMARKS:
        xy = truth["landmarks"][name]
        inside = (xy[:, 0] >= box[:, 0]) & (xy[:, 0] <= box[:, 2]) & (xy[:, 1] >= box[:, 1]) & (xy[:, 1] <= box[:, 3])
        assert inside.all(), name


@pytest.mark.parametrize("role", ROLES)
def test_frames_differ_from_the_one_person_twin_only_inside_the_second_figure(role):
    params = replace(BASE, second_person=role, camera="static", duration_s=3.0, noise=2.0)
    kin, camera, others, truth = simulate_scene(params)
    twin = replace(params, second_person="none")
    frames = render_frames(kin, camera, params, others)
    twin_frames = render_frames(*simulate_scene(twin)[:2], twin)
    other = truth["people"][1]
    changed_somewhere = False
    for i, (a, b) in enumerate(zip(frames, twin_frames)):
        differs = np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 0
        allowed = np.zeros_like(differs)
        for key in ("box_px", "prop_box_px"):
            if key in other and np.isfinite(other[key][i]).all():
                x0, y0, x1, y1 = other[key][i]
                allowed[max(int(y0) - 2, 0): int(np.ceil(y1)) + 3, max(int(x0) - 2, 0): int(np.ceil(x1)) + 3] = True
        assert not (differs & ~allowed).any(), i
        changed_somewhere |= bool(differs.any())
    assert changed_somewhere


def test_a_figure_behind_never_covers_the_walker():
    params = replace(BASE, second_person="opposite", camera="static", duration_s=3.0)
    kin, camera, others, truth = simulate_scene(params)
    assert others[0].behind and truth["people"][1]["depth"] == "behind"
    twin = replace(params, second_person="none")
    for i, (a, b) in enumerate(zip(render_frames(kin, camera, params, others),
                                   render_frames(*simulate_scene(twin)[:2], twin))):
        for name in ("right_hip", "right_knee", "right_ankle", "right_shoulder"):
            x, y = np.round(truth["landmarks"][name][i]).astype(int)
            assert np.array_equal(a[y, x], b[y, x]), (i, name)


def test_crossing_figure_passes_in_front_and_hides_the_walker_for_a_while():
    for seed in range(4):
        _, _, others, truth = _scene("crossing", seed=seed, camera="static")
        walker, crossing = truth["people"]
        assert crossing["depth"] == "in_front" and not others[0].behind
        assert crossing["height_px"] > 0.8 * walker["height_px"]
        assert (walker["occluded_frac"] > 0.3).sum() >= 2, seed  # at least 0.2 s at 10 fps


def test_opposite_walker_travels_the_other_way_and_a_standing_one_stays():
    _, _, _, truth = _scene("opposite", camera="static", direction="left_to_right")
    centre = lambda box: 0.5 * (box[:, 0] + box[:, 2])  # noqa: E731
    walker_x, other_x = centre(truth["people"][0]["box_px"]), centre(truth["people"][1]["box_px"])
    seen = np.isfinite(other_x)
    assert np.nanmean(np.diff(walker_x)) > 0 and np.mean(np.diff(other_x[seen])) < 0
    for role in ("standing", "on_box"):
        box = _scene(role, camera="static")[3]["people"][1]["box_px"]
        assert np.isfinite(box).all() and np.ptp(centre(box)) < 0.05 * np.median(box[:, 3] - box[:, 1])  # sways only


def test_figure_on_a_box_stands_higher_than_the_walker():
    _, _, _, truth = _scene("on_box", camera="static", walker_height_px=90.0)
    walker, on_box = truth["people"]
    feet_row = on_box["box_px"][:, 3]
    assert np.all(feet_row < walker["box_px"][:, 3] - 0.5 * walker["height_px"])
    prop = on_box["prop_box_px"]
    assert np.allclose(prop[:, 1], feet_row, atol=0.03 * on_box["height_px"])  # standing on the box's top


def test_a_120_px_walker_renders_120_px_tall():
    params = GaitParams(duration_s=1.0, fps=5.0, width_px=1280, height_px=720, seed=2, camera="static",
                        walker_height_px=120.0, cadence_steps_per_min=100.0)
    kin, camera, others, truth = simulate_scene(params)
    background = make_scene(params, camera).background
    scroll = camera.scroll_px()
    heights = []
    for i, frame in enumerate(render_frames(kin, camera, params, others)):
        drawn = np.abs(frame.astype(int) - background.frame(scroll[i]).astype(int)).max(axis=2) > 20
        rows = np.nonzero(drawn.any(axis=1))[0]
        heights.append(rows[-1] - rows[0] + 1)
    assert truth["people"][0]["height_px"] == pytest.approx(120.0)
    assert 116 <= min(heights) and max(heights) <= 124


@pytest.mark.parametrize("bad", [{"second_person": "dancing"}, {"walker_height_px": 10.0},
                                 {"walker_height_px": 1000.0}])
def test_bad_scene_options_are_config_errors(bad):
    with pytest.raises(ConfigError):
        replace(BASE, **bad)
