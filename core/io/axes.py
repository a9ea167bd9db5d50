"""Which way is up in a motion-capture file, found from the body: labs export Y up (OpenSim) or Z up (Vicon,
Qualisys), and nothing in a TRC says which. Pure numpy on (frames, 33, 3) landmarks."""

from __future__ import annotations

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES

# Right-handed rotations taking the (axis, sign) that points up to +Y.
UP_TO_Y: dict[tuple[int, int], np.ndarray] = {
    (1, 1): np.eye(3), (1, -1): np.diag([1.0, -1.0, -1.0]),
    (2, 1): np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]]), (2, -1): np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]),
    (0, 1): np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]]), (0, -1): np.array([[0.0, 1, 0], [-1, 0, 0], [0, 0, 1]]),
}


def vertical_axis(landmarks: np.ndarray, default: tuple[int, int] = (2, 1), min_ratio: float = 1.0,
                  min_separation: float = 0.0) -> tuple[int, int]:
    """(axis, sign) of up in the landmarks' axes: where the hips (else knees, shoulders) lie above the feet,
    in median over the frames; ``default`` when no such pair is seen, or when that axis's separation is
    below ``min_separation`` (landmark units) or below ``min_ratio`` times the largest other component."""
    def mean_of(parts: tuple[str, ...]) -> np.ndarray:
        idx = [LEG_LANDMARKS[s][p] for s in SIDES for p in parts]
        with np.testing.suppress_warnings() as sup:
            sup.filter(RuntimeWarning)
            return np.nanmean(landmarks[:, idx], axis=1)

    feet = mean_of(("heel", "toe", "ankle"))
    for upper in (("hip",), ("knee",), ("shoulder",)):
        d = mean_of(upper) - feet
        ok = np.isfinite(d).all(axis=1)
        if ok.any():
            median = np.abs(np.median(d[ok], axis=0))
            axis = int(np.argmax(median))
            others = np.delete(median, axis)
            if median[axis] < min_separation or median[axis] < min_ratio * others.max():
                return default
            return axis, 1 if np.median(d[ok], axis=0)[axis] > 0 else -1
    return default


def axis_label(axis: int, sign: int) -> str:
    """'+Z', '-Y', ..."""
    return f"{'+' if sign > 0 else '-'}{'XYZ'[axis]}"
