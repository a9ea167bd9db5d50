"""Left/right symmetry of gait parameters from robust per-side values (pure numpy).

Symmetry index (%) = 100 |L - R| / (0.5 (L + R)) of the sides' medians (0 = symmetric), with the
ratio L / R. Before the medians, each side's outliers are left out: a value further than
OUTLIER_MAD robust standard deviations (1.4826 x the median absolute deviation) from its side's
median, e.g. a step split or doubled by a missed or spurious heel strike that the bout checks let
through. ``n_left`` / ``n_right`` count the clean values behind each median.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

OUTLIER_MAD = 3.0
MAD_TO_SD = 1.4826


def clean_values(values: Sequence[float]) -> np.ndarray:
    """The finite ``values`` within OUTLIER_MAD robust SDs of their median (all of them when the
    MAD is 0)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 3:
        return v
    median = np.median(v)
    spread = MAD_TO_SD * np.median(np.abs(v - median))
    return v if spread == 0 else v[np.abs(v - median) <= OUTLIER_MAD * spread]


def symmetry_index(left: float | None, right: float | None) -> dict:
    """Symmetry index % and ratio L / R of two values (None when undefined)."""
    if left is None or right is None or left + right == 0 or right == 0:
        return {"si_pct": None, "ratio_left_right": None}
    return {"si_pct": 100.0 * abs(left - right) / (0.5 * (left + right)), "ratio_left_right": left / right}


def robust_symmetry(left: Sequence[float], right: Sequence[float]) -> dict:
    """``symmetry_index`` of the sides' medians over their clean values, with ``n_left``/``n_right``."""
    sides = [clean_values(left), clean_values(right)]
    medians = [float(np.median(v)) if v.size else None for v in sides]
    return {**symmetry_index(*medians), "n_left": int(sides[0].size), "n_right": int(sides[1].size)}
