import numpy as np

from core.runs import true_runs


def test_runs_of_a_mask_are_half_open_and_reach_both_ends():
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert true_runs(mask) == [(0, 2), (4, 5), (6, 9)]
    assert true_runs(mask, min_len=2) == [(0, 2), (6, 9)]
    assert true_runs(~mask) == [(2, 4), (5, 6)]
    assert all(isinstance(i, int) for run in true_runs(mask) for i in run)


def test_an_empty_or_all_false_mask_has_no_runs_and_an_all_true_one_has_one():
    assert true_runs(np.zeros(0, dtype=bool)) == []
    assert true_runs(np.zeros(5, dtype=bool)) == []
    assert true_runs(np.ones(5, dtype=bool)) == [(0, 5)]
    assert true_runs(np.ones(5, dtype=bool), min_len=6) == []
