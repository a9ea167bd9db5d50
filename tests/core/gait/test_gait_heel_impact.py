"""Heel strike at the heel's impact on motion capture (``events_refine.heel_impact``, the 20 Hz heel
heights of ``preprocessing.impact_heel_heights``) and its end-to-end effect on metric data."""

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LANDMARK_INDEX as LI
from core.gait.direction import progression_direction
from core.gait.events import detect_events
from core.gait.events_refine import heel_impact
from core.gait.preprocessing import IMPACT_HEEL_META, IMPACT_MAX_NOISE, height_noise, impact_heel_heights, preprocess
from core.types import KeypointSeries

CFG = load_profile("balanced").preprocessing
RATE_HZ = 150.0
MIN_DESCENT_M = 0.013


def landing(t_s: np.ndarray, contact_s: float, stop_s: float, speed_m_s: float = 0.3) -> np.ndarray:
    """Heel height (m): a descent speeding up to ``speed_m_s`` at ``contact_s``, slowed linearly to rest
    at ``contact_s + stop_s`` (the heel pad compressing), then flat at 0."""
    v = np.where(t_s < contact_s, -speed_m_s * np.clip(1 - (contact_s - t_s) / 0.25, 0.2, 1.0), 0.0)
    v = np.where((t_s >= contact_s) & (t_s < contact_s + stop_s), -speed_m_s * (1 - (t_s - contact_s) / stop_s), v)
    y = np.cumsum(v) / RATE_HZ
    return y - y.min()


def test_an_impact_is_timed_where_the_descent_is_fastest():
    t = np.arange(150) / RATE_HZ
    y = landing(t, contact_s=0.5, stop_s=0.025)
    found = heel_impact(0.45 * RATE_HZ, y, RATE_HZ, MIN_DESCENT_M)
    assert found is not None and found / RATE_HZ == pytest.approx(0.5, abs=1.5 / RATE_HZ)
    # Zeni anywhere from 50 ms late to 90 ms early finds the same landing.
    assert heel_impact(0.41 * RATE_HZ, y, RATE_HZ, MIN_DESCENT_M) == pytest.approx(found)
    assert heel_impact(0.55 * RATE_HZ, y, RATE_HZ, MIN_DESCENT_M) == pytest.approx(found)


@pytest.mark.parametrize("stop_s", [0.06, 0.12])
def test_a_heel_that_slows_onto_the_floor_is_no_impact(stop_s):
    t = np.arange(150) / RATE_HZ
    assert heel_impact(0.45 * RATE_HZ, landing(t, 0.5, stop_s), RATE_HZ, MIN_DESCENT_M) is None


def test_a_gliding_heel_or_missing_heights_give_none():
    t = np.arange(150) / RATE_HZ
    glide = 0.2 * landing(t, 0.5, 0.025)  # the same shape, but only a few mm of descent
    assert glide.max() < MIN_DESCENT_M
    assert heel_impact(0.45 * RATE_HZ, glide, RATE_HZ, MIN_DESCENT_M) is None
    holed = landing(t, 0.5, 0.025)
    holed[70] = np.nan
    assert heel_impact(0.45 * RATE_HZ, holed, RATE_HZ, MIN_DESCENT_M) is None


def test_impact_heights_only_for_quiet_heels_at_a_high_enough_rate():
    rng = np.random.default_rng(3)
    t = np.arange(600) / RATE_HZ
    pos = np.full((len(t), 33, 3), np.nan)
    pos[:, LI["left_heel"], 1] = 0.05 + 0.04 * np.sin(2 * np.pi * t) ** 2 + rng.normal(0, 0.0001, len(t))
    pos[:, LI["right_heel"], 1] = 0.05 + 0.04 * np.cos(2 * np.pi * t) ** 2 + rng.normal(0, 0.002, len(t))
    assert height_noise(pos[:, LI["left_heel"], 1]) < IMPACT_MAX_NOISE < height_noise(pos[:, LI["right_heel"], 1])
    heights = impact_heel_heights(pos, RATE_HZ)
    assert np.isfinite(heights[:, 0]).all() and np.isnan(heights[:, 1]).all()
    pos[:, LI["left_heel"], 1] += rng.normal(0, 0.002, len(t))
    assert impact_heel_heights(pos, RATE_HZ) is None  # neither heel quiet enough
    assert impact_heel_heights(pos, 40.0) is None  # 20 Hz needs at least 50 Hz


def metric_walker(impact: bool, noise_m: float = 0.0, seed: int = 0) -> tuple[KeypointSeries, list[float]]:
    """A treadmill walker in metres at 150 Hz whose heels land with an impact (or slowly), and the true
    heel strike times (s) of the right heel."""
    stride_s, n = 1.2, int(10 * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    pos = np.full((n, 33, 3), np.nan)
    truth = []
    for side, lag in (("right", 0.3), ("left", 0.3 + stride_s / 2)):
        phase = ((t - lag) / stride_s) % 1.0  # 0 at heel strike; stance 60 %
        x = np.where(phase < 0.6, 0.35 - 0.7 * phase / 0.6, -0.35 + 0.7 * (phase - 0.6) / 0.4)
        swing = np.clip((phase - 0.6) / 0.4, 0, 1)
        y = 0.06 * np.sin(np.pi * swing) ** 2
        stop_s = 0.025 if impact else 0.12
        for k in range(int(10 / stride_s) + 1):  # each landing's last 0.25 s: the profile of ``landing``
            contact = lag + k * stride_s
            near = (t > contact - 0.25) & (t < contact + 0.15)
            if near.sum() < 3:
                continue
            shape = landing(t[near], contact, stop_s)
            y[near] = np.where(t[near] < contact + stop_s, shape - shape[-1], 0.0)
            if side == "right" and 1.0 < contact < 9.0:
                truth.append(contact)
        heel = np.stack([x, 0.05 + y, np.full(n, 0.1 if side == "right" else -0.1)], 1)
        hip = np.stack([np.zeros(n), np.full(n, 0.95), heel[:, 2]], 1)
        for name, point in (("heel", heel), ("foot_index", heel + [0.2, -0.02, 0]), ("ankle", heel + [0.05, 0.05, 0]),
                            ("hip", hip), ("knee", (hip + heel) / 2 + [0.05, 0, 0]), ("shoulder", hip + [0, 0.5, 0])):
            pos[:, LI[f"{side}_{name}"]] = point
    pos += np.random.default_rng(seed).normal(0, noise_m, pos.shape)
    return KeypointSeries(pos, t, np.ones((n, 33)), units="m"), truth


def right_heel_strikes(series: KeypointSeries) -> tuple[np.ndarray, dict]:
    pre = preprocess(series, CFG)
    found = detect_events(pre.series, progression_direction(pre.series.positions), "auto", pre.bouts)
    return np.array([e.time_s for e in found.events if e.side == "right" and e.event == "heel_strike"]), pre.series.meta


def errors_ms(found: np.ndarray, truth: list[float]) -> np.ndarray:
    return np.array([1000 * (found[np.argmin(np.abs(found - c))] - c) for c in truth])


def test_impact_landings_are_found_at_contact_on_motion_capture():
    series, truth = metric_walker(impact=True)
    found, meta = right_heel_strikes(series)
    assert IMPACT_HEEL_META in meta
    # The 20 Hz low-pass moves this profile's sharp speed peak ~2 samples earlier (13 ms).
    assert np.abs(errors_ms(found, truth)).max() < 20.0
    # Without the 20 Hz heights (a noisy marker set), the 6 Hz lowest point is tens of ms late.
    noisy, _ = metric_walker(impact=True, noise_m=0.002)
    late, meta = right_heel_strikes(noisy)
    assert IMPACT_HEEL_META not in meta
    assert np.median(errors_ms(late, truth)) > 40.0


def test_slow_landings_and_pixels_keep_the_previous_timing():
    series, truth = metric_walker(impact=False)
    with_impact, _ = right_heel_strikes(series)
    pre = preprocess(series, CFG)
    meta = {k: v for k, v in pre.series.meta.items() if k != IMPACT_HEEL_META}
    plain = detect_events(dataclasses.replace(pre.series, meta=meta), progression_direction(pre.series.positions),
                          "auto", pre.bouts)
    before = np.array([e.time_s for e in plain.events if e.side == "right" and e.event == "heel_strike"])
    np.testing.assert_allclose(with_impact, before)
    pixels = dataclasses.replace(series, positions=series.positions * 400.0, units="px")
    assert IMPACT_HEEL_META not in preprocess(pixels, CFG).series.meta


def test_the_notes_say_how_many_heel_strikes_were_timed_at_impact():
    from core.gait.analysis import analyze_series

    series, _ = metric_walker(impact=True)
    result = analyze_series(series, CFG)
    n_hs = sum(e.event == "heel_strike" for e in result.events)
    assert result.detection.impact_heel_strikes >= n_hs - 2
    assert any(f"{result.detection.impact_heel_strikes} of {n_hs} heel strikes timed at the heel's impact" in n
               for n in result.notes)
    noisy, _ = metric_walker(impact=True, noise_m=0.002)
    result = analyze_series(noisy, CFG)
    assert result.detection.impact_heel_strikes == 0
    assert not any("impact" in n for n in result.notes)
