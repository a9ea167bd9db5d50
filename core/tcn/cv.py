"""Grouped (and stratified) K-fold splits: no group (video/subject) is on both sides (no torch)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from core.errors import InsufficientDataError


def _group_labels(groups: np.ndarray, labels: np.ndarray | None) -> dict[str, str]:
    """Each group's label: the most common label among its samples ('' without labels)."""
    if labels is None:
        return {g: "" for g in np.unique(groups)}
    return {g: Counter(labels[groups == g].tolist()).most_common(1)[0][0] for g in np.unique(groups)}


def grouped_kfold(
    groups: list[str] | np.ndarray,
    n_folds: int,
    labels: list[str] | np.ndarray | None = None,
    seed: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_folds`` (train_idx, test_idx) pairs over samples; every group lies in exactly one test fold.

    With ``labels`` the groups of each class are spread evenly over the folds (stratified).
    Within that, each group goes to the fold with the fewest samples so far.
    """
    groups = np.asarray(groups).astype(str)
    labels_arr = None if labels is None else np.asarray(labels).astype(str)
    by_group = _group_labels(groups, labels_arr)
    if n_folds < 2 or len(by_group) < n_folds:
        raise InsufficientDataError(
            f"{n_folds}-fold cross-validation needs at least {n_folds} videos/groups, got {len(by_group)}"
        )
    rng = np.random.default_rng(seed)
    order = list(by_group)
    rng.shuffle(order)
    order.sort(key=lambda g: by_group[g])  # stable: class by class, shuffled within a class
    size = Counter(groups.tolist())
    fold_of: dict[str, int] = {}
    class_count = np.zeros((n_folds,), dtype=np.int64)
    sample_count = np.zeros((n_folds,), dtype=np.int64)
    current = None
    for g in order:
        if by_group[g] != current:
            current, class_count[:] = by_group[g], 0
        fold = int(np.lexsort((rng.random(n_folds), sample_count, class_count))[0])
        fold_of[g] = fold
        class_count[fold] += 1
        sample_count[fold] += size[g]
    folds = np.array([fold_of[g] for g in groups])
    all_idx = np.arange(len(groups))
    return [(all_idx[folds != k], all_idx[folds == k]) for k in range(n_folds)]


def grouped_split(
    groups: list[str] | np.ndarray,
    val_fraction: float = 0.2,
    labels: list[str] | np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, val_idx) grouped (and stratified) split; val is empty with fewer than 2 groups."""
    groups = np.asarray(groups).astype(str)
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        return np.arange(len(groups)), np.zeros(0, dtype=np.int64)
    n_parts = int(min(n_groups, max(2, round(1.0 / val_fraction))))
    return grouped_kfold(groups, n_parts, labels, seed)[0]


def check_cv_support(
    groups: list[str] | np.ndarray, n_folds: int, labels: list[str] | np.ndarray | None = None
) -> None:
    """Raise ``InsufficientDataError`` (one line saying what is needed) when ``n_folds`` grouped folds
    cannot be formed: fewer groups than folds, one class only, or a class with fewer groups than folds
    (so some test fold would lack it). ``labels`` (per sample) are given for classification."""
    groups = np.asarray(groups).astype(str)
    by_group = _group_labels(groups, None if labels is None else np.asarray(labels).astype(str))
    n_groups = len(by_group)
    unit = "videos (groups)" if len(groups) != n_groups else "videos"
    if n_folds < 2:
        raise InsufficientDataError(f"cross-validation needs at least 2 folds, got {n_folds}")
    if n_groups < 2:
        raise InsufficientDataError(f"{n_groups} {unit.replace('videos', 'video')} cannot be cross-validated: "
                                    "add videos (at least 2, and as many as folds)")
    if n_groups < n_folds:
        raise InsufficientDataError(
            f"{n_groups} {unit} cannot be split into {n_folds} folds: add videos or use --folds {n_groups}"
        )
    if labels is None:
        return
    per_class = Counter(by_group.values())
    if len(per_class) < 2:
        (only,) = per_class
        raise InsufficientDataError(
            f"all {n_groups} {unit} are labelled {only!r}: classification needs at least 2 classes"
        )
    name, fewest = min(sorted(per_class.items()), key=lambda kv: kv[1])
    if fewest < n_folds:
        hint = f"use --folds {fewest}" if fewest >= 2 else f"drop class {name!r}"
        counted = unit if fewest != 1 else unit.replace("videos", "video").replace("groups", "group")
        raise InsufficientDataError(
            f"class {name!r} has {fewest} {counted}; {n_folds} folds need at least {n_folds} per class: "
            f"add videos or {hint}"
        )
