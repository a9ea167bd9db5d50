"""Phone-look render options: motion blur, H.264 at a bitrate, grass, footwear, occluder, shake."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.errors import ConfigError
from core.synthetic import GaitParams, generate_walking_video, simulate_walk, with_look
from core.synthetic.render import make_scene, render_frames

BASE = GaitParams(duration_s=0.6, fps=30.0, width_px=320, height_px=240, seed=4, camera="static")


def _frames(params: GaitParams) -> tuple[list[np.ndarray], dict]:
    kin, camera, truth = simulate_walk(params)
    return list(render_frames(kin, camera, params)), truth


def _landmarks(truth: dict) -> np.ndarray:
    return np.stack([np.asarray(truth["landmarks"][n]) for n in sorted(truth["landmarks"])], axis=1)


def test_clean_look_is_the_default_and_phone_turns_every_effect_on():
    assert with_look(BASE, "clean") == BASE
    phone = with_look(BASE, "phone")
    assert phone.shutter_s == pytest.approx(1 / 60) and phone.bitrate_mbps > 0 and phone.occluder
    assert phone.ground in ("grass", "asphalt") and phone.footwear == "varied" and phone.shake_px > 0
    with pytest.raises(ConfigError, match="look"):
        with_look(BASE, "cinema")
    with pytest.raises(ConfigError, match="ground"):
        dataclasses.replace(BASE, ground="snow")
    with pytest.raises(ConfigError, match="shutter"):
        dataclasses.replace(BASE, shutter_s=0.1)


def test_motion_blur_smears_the_walker_only_along_its_motion():
    sharp, truth = _frames(BASE)
    blurred, truth_blurred = _frames(dataclasses.replace(BASE, shutter_s=1 / 60))
    assert np.array_equal(_landmarks(truth), _landmarks(truth_blurred))
    i = 10
    diff = np.abs(sharp[i].astype(int) - blurred[i].astype(int)).max(axis=2)
    assert diff.max() > 40  # edges of moving limbs change
    pts = _landmarks(truth)[i]
    lo, hi = pts.min(axis=0) - 30, pts.max(axis=0) + 30
    rows, cols = np.nonzero(diff > 0)
    assert cols.min() >= lo[0] and cols.max() <= hi[0] and rows.min() >= lo[1]  # static scenery untouched
    # The swinging foot moves fastest: blur lowers the sharpness around it more than around the head.
    def sharpness(frame: np.ndarray, x: float, y: float) -> float:
        patch = frame[int(y) - 12: int(y) + 12, int(x) - 20: int(x) + 20].astype(float)
        return float(np.abs(np.diff(patch, axis=1)).sum())
    swing = max(("left", "right"), key=lambda s: abs(np.diff(np.asarray(truth["landmarks"][f"{s}_ankle"])[:, 0])[i]))
    ankle, nose = truth["landmarks"][f"{swing}_ankle"][i], truth["landmarks"]["nose"][i]
    foot_loss = sharpness(blurred[i], *ankle) / sharpness(sharp[i], *ankle)
    head_loss = sharpness(blurred[i], *nose) / sharpness(sharp[i], *nose)
    assert foot_loss < head_loss


def test_shake_moves_the_image_and_the_truth_landmarks_together():
    shaken = dataclasses.replace(BASE, shake_px=3.0)
    clean_frames, clean_truth = _frames(BASE)
    frames, truth = _frames(shaken)
    offsets = np.asarray(truth["shake_px"])
    assert offsets.shape == (len(frames), 2) and np.abs(offsets).max() > 1.0
    assert np.allclose(_landmarks(truth) - _landmarks(clean_truth), offsets[:, None, :])
    i = int(np.argmax(np.abs(offsets).sum(axis=1)))
    dx, dy = np.round(offsets[i]).astype(int)
    # The walker's pixels sit where the shaken truth says: the clean frame moved by the offset.
    pts = np.round(_landmarks(clean_truth)[i]).astype(int)
    x0, y0 = pts.min(axis=0) - 5
    x1, y1 = pts.max(axis=0) + 5
    moved = frames[i][y0 + dy: y1 + dy, x0 + dx: x1 + dx].astype(int)
    still = clean_frames[i][y0:y1, x0:x1].astype(int)
    unmoved = frames[i][y0:y1, x0:x1].astype(int)
    assert np.abs(moved - still).mean() < 0.5 * np.abs(unmoved - still).mean()


def test_grass_hides_the_lowest_rows_of_the_sole_and_footwear_varies():
    grass = dataclasses.replace(BASE, ground="grass", footwear="varied")
    kin, camera, truth = simulate_walk(grass)
    scene = make_scene(grass, camera)
    assert scene.background.fringe is not None and scene.background.fringe.max() > 0.5
    frames = list(render_frames(kin, camera, grass))
    plain, _ = _frames(dataclasses.replace(grass, ground="asphalt"))
    row = int(round(camera.ground_row_px)) - 1
    heel_strike = next(e for e in truth["events"] if e["event"] == "heel_strike" and e["frame"] < len(frames))
    i, side = heel_strike["frame"], heel_strike["side"]
    heel_x = int(round(truth["landmarks"][f"{side}_heel"][i][0]))
    band = frames[i][row, heel_x - 3: heel_x + 8].astype(int)
    scenery = scene.background.frame(camera.scroll_px()[i])[row, heel_x - 3: heel_x + 8].astype(int)
    assert (np.abs(band - scenery).max(axis=1) < 12).any()  # some blades in front of the sole
    assert make_scene(grass, camera).look.footwear in ("shoes", "sandals", "boots", "barefoot")
    assert plain[i].shape == frames[i].shape


def test_occluder_passes_in_front_without_moving_the_truth():
    occluded = dataclasses.replace(BASE, occluder=True, duration_s=1.5)
    frames, truth = _frames(occluded)
    clean, clean_truth = _frames(dataclasses.replace(occluded, occluder=False))
    assert np.array_equal(_landmarks(truth), _landmarks(clean_truth))
    x = np.asarray(truth["occluder"]["x_px"])
    assert np.ptp(x) > truth["occluder"]["width_px"]  # it moves across the frame
    changed = [np.abs(f.astype(int) - c.astype(int)).max() > 30 for f, c in zip(frames, clean)]
    assert any(changed)


@pytest.mark.parametrize("seed", range(6))
def test_occluder_passes_a_walker_crossing_a_static_camera_within_a_second(seed: int):
    from core.synthetic.phone import make_occluder

    params = dataclasses.replace(BASE, occluder=True, duration_s=6.0, seed=seed)
    n, fps = params.n_frames, params.fps
    walker = 100.0 + 150.0 * np.arange(n) / fps  # the pelvis crossing the image at 150 px/s
    occ = make_occluder(params, walker, 200.0, 120.0)
    covering = np.abs(occ.x_px - walker) < occ.width_px / 2 + 0.15 * 120.0
    assert 0 < covering.sum() <= 0.9 * fps  # passed in 0.3-0.8 s, not carried along with her


def test_h264_at_a_bitrate_writes_a_readable_video_with_every_frame(tmp_path):
    import av

    params = dataclasses.replace(BASE, bitrate_mbps=0.5)
    truth = generate_walking_video(tmp_path / "walk.mp4", params)
    with av.open(str(tmp_path / "walk.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
    assert len(decoded) == truth["n_frames"] == params.n_frames
    assert decoded[0].shape == (240, 320, 3)
    kin, camera, _ = simulate_walk(params)
    first = next(render_frames(kin, camera, params)).astype(int)
    assert 0 < np.abs(decoded[0].astype(int) - first).mean() < 6  # lossy, but the same picture


def test_the_phone_look_draws_the_light_side_from_the_seed_and_clean_keeps_it():
    sides = [with_look(dataclasses.replace(BASE, seed=seed), "phone").light_side for seed in range(40)]
    assert set(sides) == {"left", "right"} and 8 <= sides.count("right") <= 32
    assert with_look(dataclasses.replace(BASE, seed=7), "phone") == with_look(dataclasses.replace(BASE, seed=7), "phone")
    right = dataclasses.replace(BASE, light_side="right")
    assert with_look(right, "clean").light_side == "right"
    with pytest.raises(ConfigError, match="light_side"):
        dataclasses.replace(BASE, light_side="above")


def test_a_light_from_the_right_mirrors_the_shading_of_a_limb():
    from core.synthetic.raster import Canvas, draw_capsule

    def limb(side: str) -> np.ndarray:
        image = np.full((40, 21, 3), 60, np.uint8)
        canvas = Canvas(image, np.array([0.0, 0.0]), np.array([20.0, 39.0]), (0.0, 255.0), side)
        draw_capsule(canvas, np.array([10.0, 8.0]), np.array([10.0, 30.0]), 7.0, 7.0, np.array([200.0, 180.0, 160.0]))
        canvas.commit()
        return image[..., 0].astype(int)

    left, right = limb("left"), limb("right")
    assert left[19, 5] > left[19, 15] + 20  # lit side brighter than the shadowed side
    assert np.abs(right - left[:, ::-1]).max() <= 1


def test_the_light_side_shades_the_walker_and_nothing_else():
    kin, camera, _ = simulate_walk(BASE)
    left = next(render_frames(kin, camera, BASE)).astype(int)
    right = next(render_frames(kin, camera, dataclasses.replace(BASE, light_side="right"))).astype(int)
    changed = np.abs(left - right).max(axis=-1) > 3
    cols = np.flatnonzero(changed.any(axis=0))
    hip_x = camera.to_image(kin.points_m["pelvis"])[0, 0]
    figure_px = BASE.figure_height_frac * BASE.height_px
    assert changed.sum() > 100
    assert hip_x - 0.5 * figure_px < cols.min() and cols.max() < hip_x + 0.5 * figure_px
