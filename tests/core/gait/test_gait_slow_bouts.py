"""Walking bouts of slow short-stepping walkers (shuffling PD gait) against activity in place."""

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX as LI
from core.constants import LANDMARK_NAMES, LEG_LANDMARKS
from core.gait.direction import leg_length
from core.gait.ground import on_belt
from core.gait.preprocessing import MIN_SPEED_LEG_S, STEP_RANGE_LEG, detect_walking_bouts
from core.synthetic import GaitParams, simulate_walk

RATE_HZ = 60.0
SIDE_Z = {"left": -0.1, "right": 0.1}  # metres of the hips and feet off the body's midline
# A standing body (metres; X forward, Y up): hip, knee, ankle, heel and toe of each leg, shoulders.
STANDING = {"hip": (0.0, 0.92), "knee": (0.03, 0.5), "ankle": (0.0, 0.09), "heel": (-0.05, 0.05),
            "foot_index": (0.17, 0.02), "shoulder": (0.0, 1.45)}


def shuffle(duration_s: float = 10.0, stride_s: float = 1.1, stride_m: float = 0.2, seed: int = 0) -> np.ndarray:
    """(T, 33, 3) analytic overground walker (metres, 3-D) with short strides: stance 60 %, 2 mm noise.
    The defaults are a real shuffling PD walk's (0.18 m/s, strides 0.2 m = 0.24 leg lengths)."""
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    pos = np.full((len(t), 33, 3), np.nan)
    hip_x = stride_m / stride_s * t
    for side, lag in (("right", 0.1), ("left", 0.1 + stride_s / 2)):
        k = np.floor((t - lag) / stride_s)
        u = np.clip(((t - lag) / stride_s - k - 0.6) / 0.4, 0, 1)
        x = stride_m * (k + lag / stride_s + 0.25) + stride_m * (u - np.sin(2 * np.pi * u) / (4 * np.pi))
        heel = np.stack([x, 0.05 + 0.04 * np.sin(np.pi * u) ** 2, np.full_like(t, SIDE_Z[side])], 1)
        hip = np.stack([hip_x, np.full_like(t, 0.92), np.full_like(t, SIDE_Z[side])], 1)
        for name, point in (("heel", heel), ("foot_index", heel + [0.22, -0.03, 0]), ("ankle", heel + [0.05, 0.04, 0]),
                            ("knee", (hip + heel) / 2 + [0.05, 0, 0]), ("hip", hip), ("shoulder", hip + [0, 0.53, 0])):
            pos[:, LI[f"{side}_{name}"]] = point
    return pos + np.random.default_rng(seed).normal(0.0, 0.002, pos.shape)


def in_place(kind: str, duration_s: float = 12.0, stride_s: float = 1.1, seed: int = 0) -> np.ndarray:
    """(T, 33, 3) a body that stays on the spot (metres, 3-D, 2 mm noise): "standing"; "stepping" in
    place (each foot lifts 8 cm, 3 cm forward and back, once per ``stride_s``); "shifting" weight
    (feet staggered 24 cm, the hips swaying 6 cm fore-aft and sideways); "turning" on the spot
    (60 deg/s, stepping each foot round)."""
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    pos = np.full((len(t), 33, 3), np.nan)
    rate = np.radians(60.0) if kind == "turning" else 0.0
    lifting = kind in ("stepping", "turning")
    for side, lag in (("right", 0.0), ("left", 0.5)):
        phase = (t / stride_s - lag) % 1.0
        swing = np.sin(np.pi * np.clip(phase / 0.4, 0, 1)) * (phase < 0.4) * lifting
        landed = (np.floor(t / stride_s - lag) + lag + 0.4) * stride_s  # this cycle's landing time
        foot_angle = rate * (landed - stride_s * np.clip(1 - phase / 0.4, 0, 1))  # turned during the swing
        stagger = (0.12 if side == "right" else -0.12) * (kind == "shifting")
        for name, (x, y) in STANDING.items():
            z = SIDE_Z[side] * (1.8 if name == "shoulder" else 1.0)
            if name in ("heel", "foot_index", "ankle", "knee"):
                share = 0.5 if name == "knee" else 1.0
                px, py = x + share * (stagger + 0.03 * swing), y + share * 0.08 * swing
                angle = share * foot_angle + (1 - share) * rate * t
            else:
                sway = 0.06 * (kind == "shifting")
                px, py, angle = x + sway * np.sin(2 * np.pi * 0.3 * t), y, rate * t
                z = z + sway * np.sin(2 * np.pi * 0.25 * t)
            px, py, z = (np.broadcast_to(v, t.shape) for v in (px, py, z))
            pos[:, LI[f"{side}_{name}"]] = np.stack([px * np.cos(angle) - z * np.sin(angle), py,
                                                     px * np.sin(angle) + z * np.cos(angle)], 1)
    return pos + np.random.default_rng(seed).normal(0.0, 0.002, pos.shape)


def right_leg_only(pos: np.ndarray) -> np.ndarray:
    out = pos.copy()
    out[:, list(LEG_LANDMARKS["left"].values())] = np.nan
    return out


def covered(bouts: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in bouts)


def test_the_shuffling_walker_is_slow_with_short_strides() -> None:
    pos = shuffle()
    scale = leg_length(pos)
    assert 0.2 / scale < STEP_RANGE_LEG  # its strides are shorter than a step of the 1.2 s test
    assert 0.2 / 1.1 / scale > MIN_SPEED_LEG_S  # but it walks faster than the slowest walk accepted


@pytest.mark.parametrize("one_leg", [False, True])
def test_a_slow_shuffling_walk_is_one_bout(one_leg: bool) -> None:
    """Strides of 0.2 m in 1.1 s: a heel moves ~0.25 leg lengths within 1.2 s (no bout before with both legs)."""
    pos = shuffle(seed=1)
    pos = right_leg_only(pos) if one_leg else pos
    bouts = detect_walking_bouts(pos, RATE_HZ, min_bout_s=2.0)
    assert len(bouts) == 1
    assert bouts[0][0] <= 0.5 * RATE_HZ and bouts[0][1] >= len(pos) - 0.5 * RATE_HZ


def test_a_shuffling_walk_on_a_treadmill_is_one_bout() -> None:
    """The gait model's shuffling walker (100 steps/min, 0.12 m steps, 0.2 m/s) on a belt: its heels
    move 0.30 leg lengths in most 1.2 s windows of the data frame, just under STEP_RANGE_LEG, but travel
    over the belt (no bout before)."""
    kin = simulate_walk(GaitParams(style="shuffling", cadence_steps_per_min=100.0, step_length_m=0.12,
                                   duration_s=10.0, fps=RATE_HZ, seed=4))[0]
    pos = np.full((len(kin.time_s), 33, 3), np.nan)
    for name in LANDMARK_NAMES:
        if name in kin.points_m:
            pos[:, LI[name], :2] = kin.points_m[name]
            pos[:, LI[name], 2] = SIDE_Z.get(name.split("_")[0], 0.0)
    pos = on_belt(pos, kin.time_s, np.array([1.0, 0.0, 0.0]), -0.2)
    bouts = detect_walking_bouts(pos, RATE_HZ, min_bout_s=2.0)
    assert covered(bouts) >= 0.9 * len(pos)


@pytest.mark.parametrize("kind", ["standing", "stepping", "shifting", "turning"])
@pytest.mark.parametrize("one_leg", [False, True])
def test_activity_in_place_is_no_bout(kind: str, one_leg: bool) -> None:
    pos = in_place(kind, seed=2)
    pos = right_leg_only(pos) if one_leg else pos
    assert detect_walking_bouts(pos, RATE_HZ, min_bout_s=2.0) == []


def test_stepping_in_place_between_slow_walks_splits_the_bout() -> None:
    """Shuffle 6 s, step in place 5 s where the walk stopped, shuffle on 6 s: two bouts, none over
    the stepping in place (beyond the windows' reach into it)."""
    walk = shuffle(duration_s=12.0, seed=3)
    stop = int(6.0 * RATE_HZ)
    steps = in_place("stepping", duration_s=5.0, seed=3)
    hips = [LI["left_hip"], LI["right_hip"]]
    steps += (walk[stop, hips].mean(axis=0) - steps[0, hips].mean(axis=0)) * [1, 0, 1]  # where the walk stopped
    pos = np.concatenate([walk[:stop], steps, walk[stop:]])
    bouts = detect_walking_bouts(pos, RATE_HZ, min_bout_s=2.0)
    assert len(bouts) == 2
    assert bouts[0][1] <= stop + 1.0 * RATE_HZ and bouts[1][0] >= stop + len(steps) - 1.0 * RATE_HZ
