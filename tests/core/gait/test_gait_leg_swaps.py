import numpy as np

from core.config import load_profile
from core.constants import LEG_LANDMARKS
from core.gait.direction import leg_length
from core.gait.leg_swaps import (
    FOOT_LANDMARKS, foot_flip_frames, foot_point_spikes, one_frame_swaps, swap_legs, without_foot_flips,
)
from core.gait.preprocessing import bridge_feet, preprocess
from tests.core.gait.test_gait_preprocessing import as_series, walk

FEET = {side: [LEG_LANDMARKS[side][p] for p in ("ankle", "heel", "toe")] for side in ("left", "right")}


def small_walker_px(rate_hz=30.0, noise_px=0.0, treadmill=False, seed=0):
    """``walk`` as 2-D pixels of a walker ~120 px tall (leg ~55 px), Y up, Z 0."""
    pos, t = walk(rate_hz=rate_hz, duration_s=8.0, treadmill=treadmill)
    pos = pos * 60.0
    pos[..., 2] = 0.0
    pos[..., :2] += np.random.default_rng(seed).normal(0.0, noise_px, pos[..., :2].shape)
    return pos, t


def double_support_frames(pos, scale, n=4):
    """Frames where both heels rest (still over the ground) and the feet are over 0.5 leg lengths apart."""
    heel_l, heel_r = pos[:, FEET["left"][1], 0], pos[:, FEET["right"][1], 0]
    still = (np.abs(np.gradient(heel_l)) < 1e-6) & (np.abs(np.gradient(heel_r)) < 1e-6)
    apart = np.abs(heel_l - heel_r) > 0.5 * scale
    frames = np.flatnonzero(still & apart)
    frames = frames[(frames > 20) & (frames < len(pos) - 20)]
    picks = [frames[0]]
    for f in frames:
        if f - picks[-1] > 25:
            picks.append(f)
    return picks[:n]


def merged(pos, f):
    """Frame ``f`` with both feet pulled to their midpoint (a pose model's collapse)."""
    mid = 0.5 * (pos[f, FEET["left"]] + pos[f, FEET["right"]])
    pos[f, FEET["left"]] = pos[f, FEET["right"]] = mid


def feet_swapped(pos, f):
    """Frame ``f`` with the feet (not the knees or hips) exchanged."""
    pos[f, FEET["left"] + FEET["right"]] = pos[f, FEET["right"] + FEET["left"]]


def test_a_burst_of_merged_and_exchanged_feet_is_found_and_nothing_else():
    pos, t = small_walker_px()
    scale = leg_length(pos)
    f = double_support_frames(pos, scale)[0]
    merged(pos, f)
    feet_swapped(pos, f + 1)
    feet_swapped(pos, f + 2)
    merged(pos, f + 3)
    assert np.flatnonzero(foot_flip_frames(pos, 30.0, scale)).tolist() == [f, f + 1, f + 2, f + 3]


def test_good_frames_between_two_short_collapses_are_kept():
    pos, t = small_walker_px()
    scale = leg_length(pos)
    f = double_support_frames(pos, scale)[0]
    merged(pos, f)
    merged(pos, f + 4)  # 4 frames later: within one burst's reach (0.2 s), the 3 frames between are good
    assert np.flatnonzero(foot_flip_frames(pos, 30.0, scale)).tolist() == [f, f + 4]


def test_clean_walks_have_no_flips():
    for rate_hz, treadmill, noise_px in ((30.0, False, 1.0), (60.0, False, 1.0), (30.0, True, 1.0), (15.0, False, 0.5)):
        pos, t = small_walker_px(rate_hz, noise_px, treadmill)
        assert not foot_flip_frames(pos, rate_hz, leg_length(pos)).any(), (rate_hz, treadmill)


def test_jitter_at_a_high_frame_rate_is_no_flip():
    """A pose model's frame-to-frame jitter is as large in pixels at 120 fps as at 30 fps, so as a speed it is
    four times larger: flips must also move the feet a share of the leg (FLIP_MIN_JUMP_LEG)."""
    for seed in range(3):
        pos, t = small_walker_px(120.0, 1.5, seed=seed)  # leg ~55 px: 1.5 px is MediaPipe-like jitter
        assert foot_flip_frames(pos, 120.0, leg_length(pos)).sum() == 0, seed


def test_without_foot_flips_leaves_only_the_feet_out():
    pos, t = small_walker_px()
    f = double_support_frames(pos, leg_length(pos))[0]
    merged(pos, f)
    feet_swapped(pos, f + 1)
    out, bad = without_foot_flips(pos, 30.0)
    assert bad.sum() == 2
    assert np.isnan(out[bad][:, FEET["left"] + FEET["right"]]).all()
    knees = [LEG_LANDMARKS[s]["knee"] for s in ("left", "right")]
    assert np.array_equal(out[:, knees], pos[:, knees])


def test_feet_are_left_alone_above_the_measured_frame_rates():
    """Leaving flips out was measured on 30 fps video; at 60 and 120 fps it lost events (FLIP_MAX_RATE_HZ)."""
    pos, t = small_walker_px(60.0)
    f = double_support_frames(pos, leg_length(pos))[0]
    merged(pos, f)
    feet_swapped(pos, f + 1)
    assert foot_flip_frames(pos, 60.0, leg_length(pos)).any()  # found ...
    out, bad = without_foot_flips(pos, 60.0)
    assert not bad.any() and np.array_equal(out, pos, equal_nan=True)  # ... but not left out


def test_preprocess_gap_fills_flipping_feet_of_a_small_walker():
    """Bursts of merged and exchanged feet in double support (a 120 px walker's MediaPipe feet) come out
    of preprocessing near the clean walk's feet, not dragged towards the other foot."""
    clean, t = small_walker_px(noise_px=0.5)
    scale = leg_length(clean)
    glitched = clean.copy()
    bursts = double_support_frames(small_walker_px()[0], scale)  # the same walk without noise
    for f in bursts:
        merged(glitched, f)
        feet_swapped(glitched, f + 1)
        feet_swapped(glitched, f + 2)
        merged(glitched, f + 3)
    cfg = load_profile("balanced").preprocessing
    want = preprocess(as_series(clean, t, units="px"), cfg).series.positions
    got = preprocess(as_series(glitched, t, units="px"), cfg)
    frames = np.concatenate([np.arange(f - 2, f + 6) for f in bursts])
    feet = FEET["left"] + FEET["right"]
    error = np.linalg.norm(got.series.positions[frames][:, feet, :2] - want[frames][:, feet, :2], axis=2)
    assert error.max() < 0.1 * scale
    assert any("flipped back and forth" in note for note in got.notes)



def test_bridge_feet_fills_only_the_given_frames_over_a_longer_gap():
    pos, t = small_walker_px()
    feet = FEET["left"] + FEET["right"]
    gapped = pos.copy()
    gapped[50:58, feet] = np.nan  # 8 frames: over gap_fill_max_ms (6 frames at 30 fps)
    gapped[100:108, feet] = np.nan  # the same, not a flip: left for preprocess to judge
    frames = np.zeros(len(pos), dtype=bool)
    frames[50:58] = True
    out = bridge_feet(gapped, frames, 9)
    assert np.isfinite(out[50:58][:, feet]).all() and np.isnan(out[100:108][:, feet]).all()
    assert np.abs(out[50:58][:, feet] - pos[50:58][:, feet]).max() < 0.1 * leg_length(pos)
    assert np.array_equal(out[:50], pos[:50], equal_nan=True)


def toe_offs(side, n=3):
    """Frames of ``small_walker_px`` (no noise) where that side's toe starts to move forward, away from the ends."""
    toe = small_walker_px()[0][:, LEG_LANDMARKS[side]["toe"], 0]
    v = np.diff(toe)
    frames = [f + 1 for f in range(20, len(v) - 20) if abs(v[f - 1]) < 1e-6 <= v[f]]
    return frames[:n]


def test_a_foot_point_jumping_ahead_for_one_or_two_frames_is_found_and_nothing_else():
    """A small walker's far toe jumps ahead for 1-2 frames as it leaves the floor (docs/walker.md, "Session 17")."""
    pos, t = small_walker_px(noise_px=0.5)
    scale = leg_length(pos)
    right_toe, left_toe = FOOT_LANDMARKS.index(LEG_LANDMARKS["right"]["toe"]), FOOT_LANDMARKS.index(
        LEG_LANDMARKS["left"]["toe"])
    f, g = toe_offs("right")[0], toe_offs("left")[0]
    pos[f, LEG_LANDMARKS["right"]["toe"], 0] += 0.3 * scale
    pos[g:g + 2, LEG_LANDMARKS["left"]["toe"], 0] += [0.3 * scale, 0.35 * scale]
    found = foot_point_spikes(pos, scale)
    assert found[f, right_toe] and found[g:g + 2, left_toe].all()
    # nothing else but, at most, a frame beside a spike on the same point (gap-filled with it)
    assert not np.delete(found, [right_toe, left_toe], axis=1).any()
    assert set(np.flatnonzero(found[:, right_toe])) <= {f - 1, f, f + 1}
    assert set(np.flatnonzero(found[:, left_toe])) <= {g - 1, g, g + 1, g + 2}


def test_clean_walks_have_no_foot_spikes():
    for rate_hz, treadmill, noise_px in ((30.0, False, 1.5), (15.0, False, 1.0), (30.0, True, 1.5), (60.0, False, 1.5)):
        pos, t = small_walker_px(rate_hz, noise_px, treadmill)
        assert not foot_point_spikes(pos, leg_length(pos)).any(), (rate_hz, treadmill)


def test_preprocess_gap_fills_a_toe_spike_at_toe_off(monkeypatch):
    """The spike comes out of preprocessing nearer the clean walk's toe than it would if kept (it pulls the
    low-passed toe ahead, which times toe off late)."""
    clean, t = small_walker_px(noise_px=0.5)
    scale = leg_length(clean)
    spiked = clean.copy()
    frames = toe_offs("right")
    toe = LEG_LANDMARKS["right"]["toe"]
    for f in frames:
        spiked[f:f + 2, toe, 0] += 0.35 * scale
    cfg = load_profile("balanced").preprocessing
    want = preprocess(as_series(clean, t, units="px"), cfg).series.positions
    got = preprocess(as_series(spiked, t, units="px"), cfg)
    near = np.concatenate([np.arange(f - 3, f + 5) for f in frames])
    error = np.abs(got.series.positions[near, toe, 0] - want[near, toe, 0]).max()
    assert any("jumped out and back" in note for note in got.notes)
    import core.gait.preprocessing as pre

    monkeypatch.setattr(pre, "without_foot_spikes", lambda positions, rate_hz: (positions, 0))
    kept = preprocess(as_series(spiked, t, units="px"), cfg).series.positions
    assert error < 0.07 * scale and error < 0.5 * np.abs(kept[near, toe, 0] - want[near, toe, 0]).max()


def alternating(pos, f, n=4):
    """Copy of ``pos`` with the feet exchanged at f, f + 2, ... (n frames), every second of them also pulled 40 % of
    the way to the feet's midpoint, and the frame after the last merged (a small walker's MediaPipe feet,
    docs/walker.md "Session 18"); and the exchanged frames."""
    out = pos.copy()
    frames = f + 2 * np.arange(n)
    feet = FEET["left"] + FEET["right"]
    for k, g in enumerate(frames):
        feet_swapped(out, g)
        if k % 2:
            mid = 0.5 * (out[g, FEET["left"]] + out[g, FEET["right"]])
            out[g, feet] = 0.6 * out[g, feet] + 0.4 * np.concatenate([mid, mid])
    merged(out, frames[-1] + 1)
    return out, frames


def test_feet_labels_alternating_every_other_frame_are_undone_frame_by_frame():
    """Around a toe off, where the swap path (accelerations) labelled the wrong frames of such a run."""
    cfg = load_profile("balanced").preprocessing
    for f in toe_offs("left"):
        clean, t = small_walker_px(noise_px=0.5)
        scale = leg_length(clean)
        glitched, frames = alternating(clean, f - 4)
        found = set(np.flatnonzero(one_frame_swaps(glitched, scale)))
        assert len(found) >= 2 and found <= set(frames)  # a half-merged frame may be left to the swap path
        want = preprocess(as_series(clean, t, units="px"), cfg)
        got = preprocess(as_series(glitched, t, units="px"), cfg)
        near = np.arange(f - 8, f + 8)
        assert np.flatnonzero(got.swapped[near]).tolist() == (frames - near[0]).tolist()
        assert got.bouts == want.bouts
        assert any("alternating every other frame" in note for note in got.notes)
        feet = FEET["left"] + FEET["right"]
        error = np.linalg.norm(got.series.positions[near][:, feet, :2] - want.series.positions[near][:, feet, :2],
                               axis=2)
        assert error.max() < 0.15 * scale


def test_clean_walks_and_swapped_stretches_have_no_one_frame_swaps():
    for rate_hz, treadmill, noise_px in ((30.0, False, 1.5), (15.0, False, 1.0), (30.0, True, 1.5), (60.0, False, 1.5)):
        pos, t = small_walker_px(rate_hz, noise_px, treadmill)
        assert not one_frame_swaps(pos, leg_length(pos)).any(), (rate_hz, treadmill)
    pos, t = small_walker_px(noise_px=1.0)
    stretch = np.zeros(len(pos), dtype=bool)
    stretch[60:75] = True  # a 0.5 s swap is the swap path's (its ends are no single frames out of line)
    assert not one_frame_swaps(swap_legs(pos, stretch), leg_length(pos)).any()
    f = double_support_frames(small_walker_px()[0], leg_length(pos))[1]
    for frames in ([f], [f, f + 1]):  # a frame exchanged alone, or two in a row: no alternation, the swap path's
        glitched = pos.copy()
        for g in frames:
            feet_swapped(glitched, g)
        assert not one_frame_swaps(glitched, leg_length(pos)).any(), frames
