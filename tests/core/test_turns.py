"""Turning points of a walk there and back (``core.turns``)."""

import numpy as np

from core.turns import one_way_runs, turning_points


def test_a_walk_there_and_back_turns_once_at_its_furthest_point() -> None:
    x = np.concatenate([np.linspace(0, 10, 50), np.full(20, 10.0), np.linspace(10, 1, 45)])
    x[60] = 10.4  # the furthest point, while standing
    assert turning_points(x, 2.0) == [60]
    assert one_way_runs(x, 2.0) == [(0, 61), (61, len(x))]


def test_wobbles_smaller_than_the_turn_and_gaps_are_no_turn() -> None:
    x = np.linspace(0, 10, 100) + 0.8 * np.sin(np.arange(100))
    x[30:40] = np.nan
    assert turning_points(x, 2.0) == [] and one_way_runs(x, 2.0) == [(0, 100)]
    assert turning_points(np.full(5, np.nan), 1.0) == []


def test_there_back_and_there_again_turns_twice() -> None:
    x = np.concatenate([np.linspace(0, 8, 40), np.linspace(8, 0, 40), np.linspace(0, 8, 40)])
    assert turning_points(x, 2.0) == [39, 79]


def test_a_path_in_two_coordinates_is_cut_where_either_turns_back() -> None:
    there_and_back = np.concatenate([np.linspace(0, 10, 50), np.linspace(10, 0, 50)])
    straight = np.linspace(0, 5, 100)
    assert one_way_runs(np.stack([straight, there_and_back], axis=1), 2.0) == [(0, 50), (50, 100)]
    assert one_way_runs(np.stack([there_and_back, there_and_back], axis=1), 2.0) == [(0, 50), (50, 100)]  # one cut
    assert one_way_runs(np.stack([straight, straight], axis=1), 2.0) == [(0, 100)]
    assert one_way_runs(there_and_back, float("nan")) == [(0, 100)]
