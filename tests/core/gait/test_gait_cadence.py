"""core/gait/cadence.py: the one cadence definition."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS, NUM_LANDMARKS
from core.gait.cadence import PeriodicCadence, cadence_from_times, periodicity_cadence, reconciled_cadence


def test_strides_give_cadence_when_they_span_the_walk():
    steps = {"left": [0.5, 0.5, 0.5], "right": [0.6, 0.6, 0.6]}
    strides = {"left": [1.1, 1.1], "right": [1.1, 1.1]}
    assert cadence_from_times(steps, strides) == pytest.approx(120 / 1.1)


def test_a_mislabelled_step_pair_leaves_stride_cadence_intact():
    steps = {"left": [0.55, 0.2, 0.55], "right": [0.55, 0.9, 0.55]}  # one heel strike on the wrong side
    strides = {"left": [1.1, 1.1], "right": [1.1, 1.1, 1.1]}
    assert cadence_from_times(steps, strides) == pytest.approx(120 / 1.1)


def test_one_stride_against_four_steps_uses_the_steps():
    steps = {"left": [0.52, 0.52], "right": [0.56, 0.56]}
    strides = {"left": [0.91], "right": []}
    assert cadence_from_times(steps, strides) == pytest.approx(120 / (0.52 + 0.56))


def test_one_leg_only_uses_its_strides_and_nothing_gives_none():
    assert cadence_from_times({"left": [], "right": []}, {"left": [], "right": [1.2, 1.2]}) == pytest.approx(100)
    assert cadence_from_times({"left": [], "right": []}, {"left": [], "right": []}) is None


# --- cadence from the legs' periodicity (no events) ---

RATE_HZ = 30.0
FORWARD = np.array([1.0, 0.0, 0.0])


def _walk(step_times_s: tuple[float, float], duration_s: float, swing_s: float = 0.4,
          step_len: float = 0.6) -> np.ndarray:
    """(T, 33, 3) feet on the ground: heel strikes alternate left/right with alternating step
    times; each foot rests on its placement and swings to the next one (smooth) in ``swing_s``."""
    n = int(duration_s * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    pos = np.full((n, NUM_LANDMARKS, 3), np.nan)
    strikes, time, k = [], -1.0, 0
    while time < duration_s + 2.0:
        strikes.append((("left", "right")[k % 2], time, k * step_len))
        time += step_times_s[k % 2]
        k += 1
    for side in ("left", "right"):
        own = [(ts, x) for s, ts, x in strikes if s == side]
        x = np.full(n, own[0][1])
        for (_, x0), (t1, x1) in zip(own[:-1], own[1:]):
            ramp = np.clip((t - (t1 - swing_s)) / swing_s, 0.0, 1.0)
            moving = t >= t1 - swing_s
            x = np.where(moving, x0 + (x1 - x0) * (0.5 - 0.5 * np.cos(np.pi * ramp)), x)
        idx = LEG_LANDMARKS[side]
        pos[:, idx["heel"]] = np.stack([x, np.zeros(n), np.zeros(n)], axis=1)
        pos[:, idx["toe"]] = pos[:, idx["heel"]] + [0.2, 0.0, 0.0]
    return pos


def test_periodicity_gives_the_cadence_of_a_symmetric_walk():
    found = periodicity_cadence(_walk((0.6, 0.6), 10.0), FORWARD, None, RATE_HZ)
    assert found.cadence_steps_per_min == pytest.approx(100.0, rel=0.005)
    assert found.n_strides == pytest.approx(10.0 / 1.2, rel=0.01)


def test_uneven_steps_give_the_stride_cadence_not_twice_it():
    found = periodicity_cadence(_walk((0.45, 0.75), 10.0), FORWARD, None, RATE_HZ)
    assert found.cadence_steps_per_min == pytest.approx(100.0, rel=0.005)


def test_swapped_leg_labels_leave_the_periodicity_cadence_intact():
    from core.gait.leg_swaps import swap_legs

    pos = _walk((0.55, 0.55), 10.0)
    chunks = np.random.default_rng(0).random(pos.shape[0] // 20 + 1) < 0.5
    swapped = swap_legs(pos, np.repeat(chunks, 20)[:pos.shape[0]])
    found = periodicity_cadence(swapped, FORWARD, None, RATE_HZ)
    assert found.cadence_steps_per_min == pytest.approx(120 / 1.1, rel=0.005)


def test_periodicity_needs_three_strides_and_both_feet():
    assert periodicity_cadence(_walk((0.6, 0.6), 3.0), FORWARD, None, RATE_HZ) is None
    one_foot = _walk((0.6, 0.6), 10.0)
    one_foot[:, [LEG_LANDMARKS["right"]["heel"], LEG_LANDMARKS["right"]["toe"]]] = np.nan
    assert periodicity_cadence(one_foot, FORWARD, None, RATE_HZ) is None


def test_periodicity_pools_bouts_without_pairs_across_them():
    pos = _walk((0.6, 0.6), 12.0)
    pos[150:190] = np.nan  # a gap between two bouts
    found = periodicity_cadence(pos, FORWARD, [(0, 150), (190, 360)], RATE_HZ)
    assert found.cadence_steps_per_min == pytest.approx(100.0, rel=0.01)


def test_event_cadence_is_reported_unless_periodicity_disagrees():
    periodic = PeriodicCadence(100.0, 1.2, 0.9, 8.0)
    value, block = reconciled_cadence(101.0, periodic)
    assert value == 101.0 and block["source"] == "events" and block["difference_pct"] == pytest.approx(1.0)
    value, block = reconciled_cadence(150.0, periodic)  # extra heel strikes
    assert value == 100.0 and block["source"] == "periodicity" and block["difference_pct"] == pytest.approx(50.0)
    assert reconciled_cadence(None, periodic)[0] == 100.0
    value, block = reconciled_cadence(150.0, None)
    assert value == 150.0 and block["source"] == "events" and block["difference_pct"] is None


def test_a_step_whose_antiphase_only_grazes_zero_is_still_taken_for_a_step(monkeypatch):
    # Autocorrelation of |d| as on a re-extracted phone-look walk: a peak every step (16 frames) and
    # the antiphase at half a step, but +0.02 at the step-lag range's edge (0.3 of the lag): that is
    # no step peak, so the stride is twice the lag (not a cadence of twice the truth).
    lags = np.arange(183)
    acf = 0.7 * np.cos(2 * np.pi * lags / 16.0)
    acf[0], acf[5] = 1.0, 0.02
    monkeypatch.setattr("core.gait.cadence.pooled_autocorrelation", lambda *args: acf)
    found = periodicity_cadence(_walk((0.6, 0.6), 10.0), FORWARD, None, RATE_HZ)
    assert found.stride_time_s == pytest.approx(32 / RATE_HZ, abs=0.02)


def test_a_step_whose_rising_flank_enters_the_range_is_still_taken_for_a_step(monkeypatch):
    # As on a real slow PD trial (gaitkit figshare SUB01): a peak every step (16 frames), the antiphase
    # at half a step, and the rise to the next step peak so wide that it passes +0.1 at the range's
    # upper edge (0.7 of the lag). A flank is no step peak: the stride is twice the lag.
    lags = np.arange(183)
    acf = 0.7 * np.cos(2 * np.pi * lags / 16.0)
    acf[0] = 1.0
    acf[11:17] = np.linspace(0.15, 0.7, 6)  # rising from -0.49 at lag 10 through +0.15 at lag 11
    monkeypatch.setattr("core.gait.cadence.pooled_autocorrelation", lambda *args: acf)
    found = periodicity_cadence(_walk((0.6, 0.6), 10.0), FORWARD, None, RATE_HZ)
    assert found.stride_time_s == pytest.approx(32 / RATE_HZ, abs=0.02)
