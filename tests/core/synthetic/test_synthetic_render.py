"""The renderer draws the walker where the truth says, over a textured background."""

from __future__ import annotations

import numpy as np
import pytest

from core.synthetic import GaitParams, simulate_walk
from core.synthetic.render import make_scene, render_frames

PARAMS = GaitParams(duration_s=1.0, fps=10.0, width_px=320, height_px=240, seed=4)


@pytest.fixture(scope="module")
def rendered():
    kin, camera, truth = simulate_walk(PARAMS)
    frames = list(render_frames(kin, camera, PARAMS))
    return frames, truth, camera, make_scene(PARAMS, camera).background


def test_frames_have_the_video_shape(rendered):
    frames, truth, _, _ = rendered
    assert len(frames) == truth["n_frames"] == 10
    for frame in frames:
        assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8


def test_figure_is_drawn_on_the_truth_landmarks(rendered):
    frames, truth, camera, background = rendered
    scroll = camera.scroll_px()
    near = truth["near_side"]
    for i, frame in enumerate(frames):
        empty = background.frame(scroll[i]).astype(int)
        for name in (f"{near}_hip", f"{near}_knee", f"{near}_ankle", "nose"):
            x, y = np.round(truth["landmarks"][name][i]).astype(int)
            if name == "nose":  # the tip of the nose is on the outline: look just behind it
                x -= 1 if truth["direction"] == "left_to_right" else -1
            assert np.abs(frame[y, x].astype(int) - empty[y, x]).max() > 15, (name, i)
        assert np.array_equal(frame[:, :3], empty[:, :3].astype(np.uint8))  # far from the walker: scenery only


def test_background_is_textured_and_scrolls(rendered):
    _, _, camera, background = rendered
    first = background.frame(0.0)
    assert first.std() > 5
    shifted = background.frame(7.0)
    assert np.array_equal(shifted[:, :-7], first[:, 7:])
    assert np.array_equal(background.frame(background.period_px), first)


def test_rendering_is_reproducible_and_noise_changes_pixels():
    kin, camera, _ = simulate_walk(PARAMS)
    a = next(render_frames(kin, camera, PARAMS))
    b = next(render_frames(kin, camera, PARAMS))
    assert np.array_equal(a, b)
    noisy = GaitParams(**{**PARAMS.__dict__, "noise": 3.0})
    c = next(render_frames(kin, camera, noisy))
    diff = c.astype(int) - a.astype(int)
    assert 1.0 < diff.std() < 6.0


def test_a_noise_seed_changes_the_noise_only():
    kin, camera, _ = simulate_walk(PARAMS)
    noisy = GaitParams(**{**PARAMS.__dict__, "noise": 3.0})
    seeded = [GaitParams(**{**noisy.__dict__, "noise_seed": k}) for k in (None, 1, 1)]
    frames = [list(render_frames(kin, camera, p)) for p in seeded]
    quiet = list(render_frames(kin, camera, PARAMS))
    assert all(np.array_equal(a, b) for a, b in zip(frames[1], frames[2]))  # reproducible
    assert all(np.array_equal(a, b) for a, b in zip(frames[0], list(render_frames(kin, camera, noisy))))  # None: as before
    for own, other, clean in zip(frames[0], frames[1], quiet):
        assert not np.array_equal(own, other)
        # both are the same clean frame plus noise of the same size: they differ by noise alone
        assert 1.0 < (own.astype(int) - clean).std() < 6.0 and 1.0 < (other.astype(int) - clean).std() < 6.0
        assert abs((own.astype(int) - other).mean()) < 0.5
