"""Ground (support surface) velocity from the feet in contact, and the ground frame.

A stance foot does not move over the ground, so in the data's coordinates it moves with the
ground: its velocity along the walking direction is 0 for a fixed camera overground, minus the
pan velocity for a camera following the walker, minus the belt speed on a treadmill.
The whole foot is flat and stationary from foot flat to heel rise (``GROUND_MIDSTANCE``,
fractions of each stance from heel strike to toe off of that side); before it the foot rolls over
the heel, after it over the toe, and detected events are least certain near heel strike and toe
off, so only that window ("mid-stance" below) counts. Per frame the foot's velocity is the median
over its heel, toe and ankle (robust to one bad landmark); each mid-stance gives one ground
velocity, the mean over its frames (= the foot's displacement over it / its duration, which also
averages out low-pass filter ringing), placed at its centre. Mid-stances whose velocity is far from the others
(``consistent_knots``: a mislabelled foot or a wrong event) are left out. The ground velocity is
linearly interpolated between consecutive mid-stances (up to ``GROUND_MAX_GAP_S`` apart), held to
the ends of the stances, and 0 elsewhere.
Subtracting its integral (the ground displacement) makes the footprints stationary and the pelvis
advance as overground.

Decision: the data are left unchanged (camera "static") unless the median ground speed is at
least ``GROUND_MIN_SPEED_FRACTION`` of the walking speed over ground (pelvis velocity minus
ground velocity) and at least ``GROUND_MIN_STANDARD_ERRORS`` standard errors of that median away
from 0, so a fixed camera gets no correction noise.

Video with the scenery's image velocity (``scene_velocity``, the camera's pan measured from the
background): the pan is that velocity, and the stance feet, after it is removed, only decide
whether a treadmill belt moves too (``SCENE_BELT_MIN_FRACTION`` of the walking speed). The stance
feet alone are used when the scenery is unknown for too many stance frames (``SCENE_MIN_COVERAGE``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from core.constants import (
    GROUND_KNOT_TOLERANCE_FRACTION, GROUND_MAX_GAP_S, GROUND_MIDSTANCE, GROUND_MIN_SPEED_FRACTION,
    GROUND_MIN_STANDARD_ERRORS, LEG_LANDMARKS, SCENE_BELT_MIN_FRACTION, SCENE_MIN_COVERAGE, SIDES,
    STANCE_PCT_RANGE, STRIDE_TIME_RANGE_S,
)
from core.gait.direction import pelvis_position
from core.types import GaitEvent

MAX_STANCE_S = STRIDE_TIME_RANGE_S[1] * STANCE_PCT_RANGE[1] / 100.0
STATIC, MOVING = "static", "moving/treadmill"
MAD_TO_SD = 1.4826  # a normal distribution's median absolute deviation is 0.6745 SD
MEDIAN_SE_FACTOR = float(np.sqrt(np.pi / 2.0))  # SE of a median of K normal values: sqrt(pi/2) SD / sqrt(K)


@dataclass(frozen=True)
class GroundReport:
    """How the ground frame was obtained. Speeds in data units/s along ``forward``.

    median_ground_speed_units_s: signed median over mid-stances (negative: the ground moves
    backwards in the data); walking_speed_units_s: median pelvis velocity over ground;
    n_midstances: mid-stances that gave a ground velocity; median_standard_error_units_s: standard
    error of that median over the consistent mid-stances (inf below 3 of them); source: "stance
    feet", "scenery" (the camera's pan) or "scenery + stance feet" (pan and a treadmill belt).
    """

    camera_motion: str
    median_ground_speed_units_s: float
    walking_speed_units_s: float
    n_midstances: int
    median_standard_error_units_s: float = float("inf")
    source: str = "stance feet"

    @property
    def compensated(self) -> bool:
        return self.camera_motion == MOVING

    def as_dict(self, m_per_unit: float | None, units: str = "units") -> dict:
        """JSON-ready report; speeds named by the data's ``units`` ("px" -> ``..._px_s``), and also in
        m/s when ``m_per_unit`` is known."""
        v, walk = self.median_ground_speed_units_s, self.walking_speed_units_s
        return {
            "camera_motion": self.camera_motion,
            f"median_ground_speed_{units}_s": float(v) if np.isfinite(v) else None,
            "median_ground_speed_m_s": float(v * m_per_unit) if m_per_unit and np.isfinite(v) else None,
            f"walking_speed_over_ground_{units}_s": float(walk) if np.isfinite(walk) else None,
            "n_midstances": self.n_midstances,
            f"median_standard_error_{units}_s": float(self.median_standard_error_units_s)
            if np.isfinite(self.median_standard_error_units_s) else None,
            "source": self.source,
            "min_ground_speed_fraction": GROUND_MIN_SPEED_FRACTION,
            "min_standard_errors": GROUND_MIN_STANDARD_ERRORS,
        }


def _unit_forward(forward: np.ndarray) -> np.ndarray:
    fwd = np.array([forward[0], 0.0, forward[2]], dtype=float)
    return fwd / np.linalg.norm(fwd)


def stance_phases(events: list[GaitEvent], side: str) -> list[tuple[float, float]]:
    """(start_s, end_s) stances of ``side``: heel strike -> its toe off (at most MAX_STANCE_S).

    A heel strike without a toe off before the side's next event (or a toe off without a heel
    strike since the side's previous event) gets the side's median stance duration, so stances
    cut by the recording's ends or by a missed event still count.
    """
    own = sorted((e for e in events if e.side == side), key=lambda e: e.time_s)
    pairs = [(a.time_s, b.time_s) for a, b in zip(own[:-1], own[1:])
             if a.event == "heel_strike" and b.event == "toe_off" and b.time_s - a.time_s <= MAX_STANCE_S]
    if not pairs:
        return []
    typical_s = float(np.median([b - a for a, b in pairs]))
    out = list(pairs)
    for i, e in enumerate(own):
        prev = own[i - 1] if i > 0 else None
        nxt = own[i + 1] if i + 1 < len(own) else None
        if e.event == "heel_strike" and (nxt is None or nxt.event != "toe_off"):
            out.append((e.time_s, e.time_s + typical_s if nxt is None else min(e.time_s + typical_s, nxt.time_s)))
        elif e.event == "toe_off" and (prev is None or prev.event != "heel_strike"):
            out.append((e.time_s - typical_s if prev is None else max(e.time_s - typical_s, prev.time_s), e.time_s))
    return sorted(out)


def foot_velocity(positions: np.ndarray, time_s: np.ndarray, side: str, forward: np.ndarray) -> np.ndarray:
    """(T,) units/s: median over heel, toe and ankle of their velocity along ``forward`` (NaN if none)."""
    leg = LEG_LANDMARKS[side]
    along = positions[:, [leg["heel"], leg["toe"], leg["ankle"]]] @ _unit_forward(forward)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(np.gradient(along, time_s, axis=0), axis=1)


def midstance_velocities(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(K,) centre times (s) and (K,) mean foot velocities (units/s) of the mid-stances, time-sorted.

    A mid-stance counts when at least half of its frames (and two) have a foot velocity.
    """
    lo, hi = GROUND_MIDSTANCE
    knots = []
    for side in SIDES:
        v = foot_velocity(positions, time_s, side, forward)
        for start, end in stance_phases(events, side):
            inside = np.flatnonzero((time_s >= start + lo * (end - start)) & (time_s <= start + hi * (end - start)))
            good = inside[np.isfinite(v[inside])]
            if good.size >= max(2, inside.size / 2):
                knots.append((float(np.mean(time_s[good])), float(np.mean(v[good]))))
    knots.sort()
    return np.array([k[0] for k in knots]), np.array([k[1] for k in knots])


def consistent_knots(knot_v: np.ndarray, walking_speed_units_s: float) -> np.ndarray:
    """(K,) bool: mid-stance velocities within ``GROUND_KNOT_TOLERANCE_FRACTION`` x the walking speed
    of their median. The ground (camera pan, treadmill belt) changes speed smoothly, so a "stance"
    foot moving that much faster or slower than the others is a mislabelled foot or a wrong event.
    All True when the walking speed is unknown (not finite or not positive).
    """
    if not np.isfinite(walking_speed_units_s) or walking_speed_units_s <= 0 or knot_v.size < 3:
        return np.ones(knot_v.shape, dtype=bool)
    return np.abs(knot_v - np.median(knot_v)) <= GROUND_KNOT_TOLERANCE_FRACTION * walking_speed_units_s


def _walking_speed(positions: np.ndarray, time_s: np.ndarray, forward: np.ndarray, knot_v: np.ndarray) -> float:
    """Median pelvis velocity along ``forward`` minus the median mid-stance (ground) velocity, units/s."""
    pelvis_v = np.gradient(pelvis_position(positions) @ _unit_forward(forward), time_s)
    finite = pelvis_v[np.isfinite(pelvis_v)]
    return float(np.median(finite) - np.median(knot_v)) if finite.size and knot_v.size else float("nan")


def ground_velocity(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray
) -> np.ndarray:
    """(T,) ground velocity along ``forward`` in data units/s (see module docstring).

    positions: (T, 33, 3) in data units; time_s: (T,) s; events: detected gait events.
    """
    knot_s, knot_v = midstance_velocities(positions, time_s, events, forward)
    keep = consistent_knots(knot_v, _walking_speed(positions, time_s, forward, knot_v))
    knot_s, knot_v = knot_s[keep], knot_v[keep]
    if knot_s.size == 0:
        return np.zeros(time_s.size)
    known = _within_stance(time_s, events)
    for a, b in zip(knot_s[:-1], knot_s[1:]):
        if b - a <= GROUND_MAX_GAP_S:
            known |= (time_s >= a) & (time_s <= b)
    return np.where(known, np.interp(time_s, knot_s, knot_v), 0.0)


def _within_stance(time_s: np.ndarray, events: list[GaitEvent]) -> np.ndarray:
    """(T,) True where a foot is in stance (``stance_phases`` of either side)."""
    inside = np.zeros(time_s.size, dtype=bool)
    for side in SIDES:
        for start, end in stance_phases(events, side):
            inside |= (time_s >= start) & (time_s <= end)
    return inside


def ground_displacement(velocity: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """(T,) integral of ``velocity`` (units/s) over ``time_s`` (s), 0 at the first sample (trapezoid)."""
    steps = 0.5 * (velocity[1:] + velocity[:-1]) * np.diff(time_s)
    return np.concatenate([[0.0], np.cumsum(steps)])


def median_standard_error(values: np.ndarray) -> float:
    """Standard error of the median of ``values`` (K,), same units: ``MEDIAN_SE_FACTOR`` x robust SD
    (``MAD_TO_SD`` x MAD) / sqrt(K). Inf for fewer than 3 finite values (no spread to judge by).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 3:
        return float("inf")
    robust_sd = MAD_TO_SD * float(np.median(np.abs(v - np.median(v))))
    return MEDIAN_SE_FACTOR * robust_sd / float(np.sqrt(v.size))


def camera_is_moving(
    median_ground: float, standard_error: float, walking: float, min_fraction: float = GROUND_MIN_SPEED_FRACTION
) -> bool:
    """True when the median ground velocity (units/s) is both ``min_fraction`` of the walking speed
    or more and clearly different from 0 (see the module docstring); a single or a pair of
    mid-stances (infinite standard error) is judged by the speed fraction alone.
    """
    if not (walking > 0 and abs(median_ground) >= min_fraction * walking):
        return False
    return not np.isfinite(standard_error) or abs(median_ground) >= GROUND_MIN_STANDARD_ERRORS * standard_error


def _walking_over_ground(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray, velocity: np.ndarray
) -> float:
    """Median pelvis velocity over the ground ``velocity`` (T,) in stance frames, units/s."""
    over_ground = np.gradient(pelvis_position(positions) @ _unit_forward(forward), time_s) - velocity
    usable = _within_stance(time_s, events) & np.isfinite(over_ground)
    return float(np.median(over_ground[usable])) if usable.any() else float("nan")


def ground_report(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray, velocity: np.ndarray,
    min_fraction: float = GROUND_MIN_SPEED_FRACTION,
) -> GroundReport:
    """Static or moving camera from the mid-stance velocities and ``velocity`` (T,) units/s; the
    median must reach ``min_fraction`` of the walking speed."""
    _, knot_v = midstance_velocities(positions, time_s, events, forward)
    if knot_v.size == 0:
        return GroundReport(STATIC, float("nan"), float("nan"), 0)
    walking = _walking_over_ground(positions, time_s, events, forward, velocity)
    v_ground = float(np.median(knot_v))
    error = median_standard_error(knot_v[consistent_knots(knot_v, walking)])
    moving = camera_is_moving(v_ground, error, walking, min_fraction)
    return GroundReport(MOVING if moving else STATIC, v_ground, walking, int(knot_v.size), error)


def _filled(values: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """``values`` (T,) with NaNs linearly interpolated over time (held at the ends)."""
    known = np.isfinite(values)
    return np.interp(time_s, time_s[known], values[known])


def _scene_pan(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray, scene: np.ndarray
) -> tuple[np.ndarray, GroundReport] | None:
    """Ground frame from the scenery's velocity ``scene`` (T,) units/s along ``forward`` (module
    docstring), or None when the scenery is unknown for too many stance frames."""
    stance = _within_stance(time_s, events)
    if not stance.any() or np.isfinite(scene[stance]).mean() < SCENE_MIN_COVERAGE:
        return None
    pan = _filled(scene, time_s)
    fwd = _unit_forward(forward)
    after_pan = positions - ground_displacement(pan, time_s)[:, None, None] * fwd
    belt = ground_velocity(after_pan, time_s, events, forward)
    residual = ground_report(after_pan, time_s, events, forward, belt, SCENE_BELT_MIN_FRACTION)
    velocity = pan + belt if residual.compensated else pan
    walking = _walking_over_ground(positions, time_s, events, forward, velocity)
    median_pan = float(np.median(pan[stance]))
    error = median_standard_error(pan[stance])
    source = "scenery + stance feet" if residual.compensated else "scenery"
    moving = residual.compensated or camera_is_moving(median_pan, error, walking)
    report = GroundReport(MOVING if moving else STATIC, float(np.median(velocity[stance])), walking,
                          residual.n_midstances, error, source)
    if not moving:
        return positions, report
    return positions - ground_displacement(velocity, time_s)[:, None, None] * fwd, report


def to_ground_frame(
    positions: np.ndarray, time_s: np.ndarray, events: list[GaitEvent], forward: np.ndarray,
    scene_velocity: np.ndarray | None = None,
) -> tuple[np.ndarray, GroundReport]:
    """Positions (T, 33, 3) moved into the ground frame, and the report.

    scene_velocity: (T,) the scenery's velocity along ``forward`` (units/s, NaN unknown) when the
    video's background was measured. When the camera is judged static (see module docstring) the
    input array is returned as is; otherwise every landmark is shifted by minus the ground
    displacement along ``forward``.
    """
    if scene_velocity is not None:
        measured = _scene_pan(positions, time_s, events, forward, np.asarray(scene_velocity, dtype=float))
        if measured is not None:
            return measured
    velocity = ground_velocity(positions, time_s, events, forward)
    report = ground_report(positions, time_s, events, forward, velocity)
    if not report.compensated:
        return positions, report
    shift = ground_displacement(velocity, time_s)[:, None, None] * _unit_forward(forward)
    return positions - shift, report


def on_belt(positions: np.ndarray, time_s: np.ndarray, forward: np.ndarray, belt_velocity: float) -> np.ndarray:
    """The same motion seen in a treadmill lab: ``positions`` (T, K, 3) with a belt moving at
    ``belt_velocity`` (units/s, along ``forward`` (3,); usually minus the walking speed) added, so
    every point moves by ``belt_velocity * (time_s - time_s[0])`` along ``forward`` (time_s: (T,) s).
    The inverse of ``to_ground_frame`` for a constant belt (used to build treadmill versions of
    overground trials)."""
    shift = belt_velocity * (np.asarray(time_s, float) - float(time_s[0]))
    return positions + shift[:, None, None] * _unit_forward(forward)[None, None, :]
