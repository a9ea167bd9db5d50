"""Gait event schedule: heel-strike / toe-off times and foot placements of both legs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.params import GaitParams

MARGIN_STRIDES = 3  # strides simulated before the first and after the last frame


@dataclass(frozen=True)
class LegSchedule:
    """One leg's stances. Stance k lasts [hs_time_s[k], to_time_s[k]); swing k from to_time_s[k] to hs_time_s[k+1].

    hs_heel_x_m: (K,) forward position in metres of the heel contact point at heel strike k.
    """

    side: str
    hs_time_s: np.ndarray
    to_time_s: np.ndarray
    hs_heel_x_m: np.ndarray

    def stance_index(self, time_s: np.ndarray) -> np.ndarray:
        """(N,) index k of the last heel strike at or before each time."""
        return np.searchsorted(self.hs_time_s, time_s, side="right") - 1


def build_schedule(params: GaitParams, rng: np.random.Generator) -> dict[str, LegSchedule]:
    """Schedules of both legs covering the video plus a few strides either side.

    The right leg's gait cycle is the reference: right heel strike at phase 0, left toe off at d,
    left heel strike at d + (1 - s_left), right toe off at s_right, with the two double supports
    equal (d = (s_left + s_right - 1) / 2).
    """
    stride_time_s = 120.0 / params.cadence
    s_left = params.side_pattern("left").stance_frac
    s_right = params.side_pattern("right").stance_frac
    ds_frac = (s_left + s_right - 1.0) / 2.0
    left_hs_frac = ds_frac + 1.0 - s_left
    step_m = _side_steps_m(params)

    n_strides = int(np.ceil(params.duration_s / stride_time_s)) + 2 * MARGIN_STRIDES + 2
    jitter = lambda n: 1.0 + params.variability * np.clip(rng.standard_normal(n), -2.5, 2.5)  # noqa: E731
    stride_s = stride_time_s * jitter(n_strides)
    left_step_m, right_step_m = step_m["left"] * jitter(n_strides), step_m["right"] * jitter(n_strides)

    start_s = -(MARGIN_STRIDES + rng.uniform(0.0, 1.0)) * stride_time_s
    r_hs = start_s + np.concatenate([[0.0], np.cumsum(stride_s[:-1])])
    r_x = np.concatenate([[0.0], np.cumsum(left_step_m[:-1] + right_step_m[:-1])])
    l_hs = r_hs + left_hs_frac * stride_s
    l_x = r_x + left_step_m
    l_to_after = r_hs + ds_frac * stride_s  # left toe off ending the left stance begun in the previous stride
    right = LegSchedule("right", r_hs[:-1], (r_hs + s_right * stride_s)[:-1], r_x[:-1])
    left = LegSchedule("left", l_hs[:-1], l_to_after[1:], l_x[:-1])
    # Start the walk so that the pelvis passes X = 0 near t = 0.
    offset_m = params.walking_speed_m_s * start_s - r_x[0]
    return {
        side: LegSchedule(s.side, s.hs_time_s, s.to_time_s, s.hs_heel_x_m + offset_m)
        for side, s in (("left", left), ("right", right))
    }


def _side_steps_m(params: GaitParams) -> dict[str, float]:
    """Step length of each side (heel-to-heel at that side's heel strike), averaging the nominal step."""
    ratios = {side: params.side_pattern(side).step_ratio for side in ("left", "right")}
    total = sum(ratios.values())
    return {side: 2.0 * params.step_length * r / total for side, r in ratios.items()}


def heel_strike_knots(schedule: dict[str, LegSchedule]) -> tuple[np.ndarray, np.ndarray]:
    """All heel strikes of both legs, time-sorted: (times_s, heel_x_m)."""
    t = np.concatenate([s.hs_time_s for s in schedule.values()])
    x = np.concatenate([s.hs_heel_x_m for s in schedule.values()])
    order = np.argsort(t)
    return t[order], x[order]
