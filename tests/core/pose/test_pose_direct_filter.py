"""The direct engine's landmark smoothing (core/pose/one_euro.py), on small arrays with known answers."""

import numpy as np

from core.pose.one_euro import LowPass, OneEuroFilter, OneEuroSettings, PoseSmoother, smoothing_alpha


def test_at_rest_the_filter_is_an_exponential_average_at_the_minimum_cutoff():
    f = OneEuroFilter(OneEuroSettings(min_cutoff_hz=1.0, beta=0.0), rate_hz=30.0)
    a = smoothing_alpha(1.0, 30.0)
    assert np.isclose(a, 1 / (1 + 30 / (2 * np.pi)))
    assert np.allclose(f(np.array([0.0, 10.0])), [0.0, 10.0])  # the first sample passes
    assert np.allclose(f(np.array([1.0, 10.0])), [a, 10.0])
    assert np.allclose(f(np.array([1.0, 10.0])), [a + a * (1 - a), 10.0])


def test_a_fast_move_opens_the_filter_and_speed_is_counted_in_object_sizes():
    slow = OneEuroFilter(OneEuroSettings(0.05, 80.0))
    slow(np.zeros(1), 100.0)
    lag_small_object = 1.0 - slow(np.ones(1) * 10.0, 100.0)[0] / 10.0
    big = OneEuroFilter(OneEuroSettings(0.05, 80.0))
    big(np.zeros(1), 10_000.0)
    lag_big_object = 1.0 - big(np.ones(1) * 10.0, 10_000.0)[0] / 10.0
    assert lag_small_object < lag_big_object  # the same 10 px is fast for a small body, slow for a big one
    assert 0.0 < lag_small_object < 0.5


def test_reset_forgets_the_history_and_a_tiny_object_passes_unfiltered():
    f = OneEuroFilter(OneEuroSettings(0.05, 80.0))
    f(np.zeros(2), 50.0)
    f.reset()
    assert np.allclose(f(np.array([3.0, 4.0]), 50.0), [3.0, 4.0])
    assert np.allclose(f(np.array([7.0, 9.0]), 1e-9), [7.0, 9.0])


def test_visibility_low_pass_and_the_switch():
    lp = LowPass(0.1)
    assert lp(np.array([1.0]))[0] == 1.0 and np.isclose(lp(np.array([0.0]))[0], 0.9)
    image = np.zeros((33, 5))
    image[:, 3] = 1.0
    aux = np.array([[100.0, 200.0], [100.0, 120.0]])
    off, on = PoseSmoother(False), PoseSmoother(True)
    for s in (off, on):
        s(image, np.zeros((33, 3)), aux)
    moved = image.copy()
    moved[:, 0] += 20.0
    moved[:, 3] = 0.0
    out_off, _, _ = off(moved, np.zeros((33, 3)), aux)
    out_on, _, _ = on(moved, np.zeros((33, 3)), aux)
    assert np.array_equal(out_off, moved)  # smoothing off: landmarks as the model gave them
    assert np.allclose(out_on[:, 3], 0.9) and np.all(out_on[:, 0] < 20.0)
