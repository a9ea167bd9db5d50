"""Where a walk turns back: turning points of a 1-D path (pure numpy, shared ground of ``core.pose`` and
``core.gait``, which may not import each other). A walk there and back in one video turns once."""

from __future__ import annotations

import numpy as np


def turning_points(x: np.ndarray, turn: float) -> list[int]:
    """Indices of x (T,) where it turns back by more than ``turn`` from its furthest point since the last such
    turn (before the first: once it has moved ``turn`` away from its first value); NaN samples are skipped."""
    points: list[int] = []
    finite = np.flatnonzero(np.isfinite(x))
    if finite.size == 0:
        return points
    direction, anchor, extreme = 0, int(finite[0]), int(finite[0])
    for i in finite[1:]:
        if direction == 0:
            if abs(x[i] - x[anchor]) >= turn:
                direction, extreme = int(np.sign(x[i] - x[anchor])), int(i)
        elif direction * (x[i] - x[extreme]) > 0:
            extreme = int(i)
        elif direction * (x[extreme] - x[i]) >= turn:
            points.append(extreme)
            direction, extreme = -direction, int(i)
    return points


def one_way_runs(x: np.ndarray, turn: float) -> list[tuple[int, int]]:
    """[start, end) index runs of a path x (T,) or (T, k) going one way: each ends at a turning point
    (``turning_points``) of any of its k coordinates, the next starts just after it. One run [0, T) when no
    coordinate turns back by more than ``turn``, or ``turn`` is not finite."""
    x = np.asarray(x, dtype=float)
    columns = x.reshape(len(x), -1).T if np.isfinite(turn) else []
    cuts = sorted({k + 1 for column in columns for k in turning_points(column, turn)})
    edges = [0, *cuts, len(x)]
    return list(zip(edges[:-1], edges[1:]))
