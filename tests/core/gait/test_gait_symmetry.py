"""core/gait/symmetry.py: robust left/right symmetry (outlier rule, medians, counts)."""

from __future__ import annotations

import pytest

from core.gait.quality import Quality, supported_only
from core.gait.symmetry import clean_values, robust_symmetry, symmetry_index


def test_a_doubled_step_is_left_out_and_the_medians_compared():
    left = [0.55, 0.56, 0.54, 0.55, 1.10]  # a missed heel strike doubled one step
    right = [0.55, 0.55, 0.56, 0.54]
    assert list(clean_values(left)) == [0.55, 0.56, 0.54, 0.55]
    sym = robust_symmetry(left, right)
    assert sym["si_pct"] == pytest.approx(0.0) and (sym["n_left"], sym["n_right"]) == (4, 4)
    assert symmetry_index(sum(left) / 5, sum(right) / 4)["si_pct"] > 15.0  # the mean would read 18 %


def test_a_real_asymmetry_is_kept():
    sym = robust_symmetry([0.65, 0.66, 0.64, 0.65], [0.45, 0.46, 0.44, 0.45])
    assert sym["si_pct"] == pytest.approx(100 * 0.2 / 0.55)
    assert sym["ratio_left_right"] == pytest.approx(0.65 / 0.45)


def test_constant_values_and_missing_sides():
    assert list(clean_values([0.5, 0.5, 0.5, 0.9])) == [0.5, 0.5, 0.5, 0.9]  # MAD 0: nothing judged
    sym = robust_symmetry([], [0.5, 0.5])
    assert sym["si_pct"] is None and sym["n_left"] == 0


def test_symmetry_needs_three_clean_values_per_side():
    params = {"left": {"n_strides_used": 4}, "right": {"n_strides_used": 4},
              "symmetry": {"step_time_s": robust_symmetry([0.55, 0.56], [0.55, 0.55, 0.56]),
                           "stride_time_s": robust_symmetry([1.1, 1.1, 1.11], [1.1, 1.12, 1.1])}}
    out = supported_only(params, Quality("high"))
    assert out["symmetry"]["step_time_s"]["si_pct"] is None
    assert "3 clean values per side (left 2, right 3)" in out["symmetry"]["step_time_s"]["reason"]
    assert out["symmetry"]["stride_time_s"]["si_pct"] is not None
