"""core/gait/cadence.py: the one cadence definition."""

from __future__ import annotations

import pytest

from core.gait.cadence import cadence_from_times


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
