"""Grouped, stratified K-fold: no group on both sides, classes spread over folds."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from core.errors import InsufficientDataError
from core.tcn.cv import grouped_kfold, grouped_split


def test_tcn_grouped_kfold_has_no_leakage_and_tests_every_sample_once() -> None:
    rng = np.random.default_rng(0)
    groups = np.array([f"subject{g}" for g in rng.integers(0, 11, size=60)])
    folds = grouped_kfold(groups, 4, seed=3)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(60))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert len(train) + len(test) == 60
    assert all(len(test) > 0 for _, test in folds)


def test_tcn_grouped_kfold_is_stratified_by_class() -> None:
    labels = np.repeat(["normal", "hemiparetic", "shuffling", "antalgic"], 8)
    groups = np.array([f"v{i}" for i in range(32)])
    folds = grouped_kfold(groups, 4, labels=labels, seed=1)
    for _, test in folds:
        assert Counter(labels[test].tolist()) == {"normal": 2, "hemiparetic": 2, "shuffling": 2, "antalgic": 2}


def test_tcn_grouped_kfold_is_reproducible_and_seed_dependent() -> None:
    groups = [f"g{i}" for i in range(20)]
    a = grouped_kfold(groups, 5, seed=7)
    b = grouped_kfold(groups, 5, seed=7)
    c = grouped_kfold(groups, 5, seed=8)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not all(np.array_equal(x[1], y[1]) for x, y in zip(a, c))


def test_tcn_grouped_kfold_needs_enough_groups() -> None:
    with pytest.raises(InsufficientDataError):
        grouped_kfold(["a", "a", "b"], 3)


def test_tcn_grouped_split_keeps_groups_whole() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "d", "e"])
    train, val = grouped_split(groups, 0.2, seed=0)
    assert len(val) > 0 and not set(groups[train]) & set(groups[val])
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(7))
    train, val = grouped_split(np.array(["x", "x"]), 0.2)
    assert len(val) == 0 and len(train) == 2
