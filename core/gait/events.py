"""Heel strike (HS) and toe off (TO) detection on a preprocessed, uniformly sampled series.

Methods (``method`` argument):
- ``zeni``: coordinate method of Zeni et al. (2008): HS at maxima of the heel position relative to
  the pelvis along the walking direction, TO at minima of the toe position relative to the pelvis.
  Works unchanged on a treadmill (the pelvis is the reference, not the lab).
- ``velocity``: foot velocity relative to the ground along the walking direction (the ground
  velocity is the slower foot's median velocity: 0 overground, minus the belt speed on a
  treadmill). TO when the toe speeds up through SWING_VELOCITY_FRACTION of its swing peak,
  HS when the heel slows down through it.
- ``auto`` (reported as ``zeni_refined``): Zeni finds one candidate per stride (robust), then each
  is moved within the near-extremum region of Zeni's signal (where the signal stays within
  REGION_FRACTION of the extremum, i.e. where Zeni's timing is uncertain) to a contact criterion:
  HS at the heel's lowest point (the end of its descent = contact), or, when that point is at the
  region's edge and the heel is still airborne at Zeni's time, when the heel's speed over ground
  falls through half the walking speed; TO at the toe's launch (peak upward acceleration) when the
  toe really lifts, else when the toe's speed over ground reaches half the walking speed; a foot
  seen only at its ankle takes TO from the shank's rotation instead (``shank_toe_offs``). Zeni's
  extrema are when heel/toe move as fast as the pelvis, which lags
  contact on slow, shuffling or asymmetric gait and lags toe off for toe-tip landmarks (video).
  See docs/gait_accuracy.md for the measurements behind this choice. On pixel (pose-model) data
  both are taken from foot speed over ground instead (``core.gait.contact``): a pose model's foot
  heights settle late and scatter, its forward positions do not. Where the keypoint store holds the
  feet's image patches (``core.gait.contact_pixels``), a video heel strike then moves to the onset of
  rest of its heel's patch against the scenery when that is clear. With ``video_heel_strike="touchdown"``
  (``--heel-strike touchdown``) it then moves back to where the heel first reached the floor
  (``core.gait.contact.heel_touchdown``): visual contact on soft ground, 100-150 ms early on a firm floor
  (docs/gait_accuracy.md, section (q)).
On metric data a recording (or bout) cut mid-step keeps that step's contacts: a landing or launch that the end
cuts before Zeni's extremum (``partial_step_contacts``), and a heel strike just after the start whose
extremum came before the first sample (``first_step_heel_strike``, at the heel's impact where it has one).
Every candidate gets a sub-frame time (parabolic peak or linear crossing interpolation) and passes
the consistency checks of ``check_consistency``; rejected candidates are returned with a reason.
Parts: candidates (Zeni, velocity, shank) in ``events_candidates``, the metric contact refinement in
``events_refine``, the consistency checks in ``events_checks``; this module runs them per bout and side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES
from core.errors import InsufficientDataError
from core.gait.contact import heel_rest, heel_touchdown, toe_off_over_ground
from core.gait.contact_pixels import FOOT_PEAK_META, FOOT_VELOCITY_META, has_foot_evidence, pixel_contact
from core.gait.direction import (
    ankle_only_sides, bout_direction, foot_points, ground_velocity, leg_length, pelvis_position, present_sides,
    rearfoot_toe_tip,
)
from core.gait.events_candidates import (
    MIN_SWING_S, Candidate, extremum_region, first_step_heel_strike, partial_step_contacts, shank_toe_offs,
    velocity_candidates, zeni_candidates,
)
from core.gait.events_checks import check_consistency
from core.gait.events_refine import (
    FOOT_SPEED_FRACTION, HEEL_AIRBORNE_LEG, MIN_TOE_LIFT_LEG, REGION_FRACTION, REGION_MAX_S, TOE_LIFT_S, heel_impact,
    refine_heel_strike, refine_toe_off,
)
from core.gait.preprocessing import IMPACT_HEEL_META
from core.runs import true_runs
from core.types import GaitEvent, KeypointSeries

METHODS = ("auto", "zeni", "velocity")
# ``series.meta`` key: sides whose heel was placed by ``with_virtual_feet`` (from ankle and toe); their
# toe off keeps the toe marker (a toe tip on a line through a placed heel read toe off 18 ms early on
# the PD trial without heels, table (e)).
VIRTUAL_HEELS_META = "virtual_heel_sides"
# Pixel (pose-model) data takes contacts from foot speed over ground (``core.gait.contact``): heel
# strike where the heel slows through FOOT_SPEED_FRACTION of the walking speed, toe off where the toe
# speeds up through TOE_SPEED_FRACTION_PX of it, and not before the heel speeds up through
# HEEL_SPEED_FRACTION_AT_TO_PX of it (a pose model's toe creeps forward while the heel rises, as a
# forefoot marker does: docs/gait_accuracy.md (m), and (t) for the current values, chosen on stored
# phone-look sweeps and checked on others and on the PD trial as pixels: its TO MAE 36.6 -> 19.5 ms).
TOE_SPEED_FRACTION_PX = 0.6
HEEL_SPEED_FRACTION_AT_TO_PX = 1.1
# With ``video_heel_strike="touchdown"`` a video heel strike moves back from the heel's rest to where the
# heel reached the floor (``heel_touchdown``): its height fell through TOUCHDOWN_FRACTION of its swing
# clearance above its height at rest, if it cleared the floor by MIN_CLEARANCE_LEG leg lengths within
# TOUCHDOWN_LOOK_BACK_S before coming to rest.
TOUCHDOWN_FRACTION = 0.2
MIN_CLEARANCE_LEG = 0.05
TOUCHDOWN_LOOK_BACK_S = 0.3
# Finite runs shorter than about half a stride cannot hold an extremum with both flanks.
MIN_RUN_S = 0.5


@dataclass(frozen=True)
class EventDetection:
    """Accepted events (sorted by time), rejected candidates with reasons, and the method used.

    ``refiner``: the timing refinement applied afterwards ("none" or "learned", ``core.gait.event_timing``);
    ``shifts_s``: (n_events,) the shift it applied to each event (s), empty when none was;
    ``heel_strike``: what a video heel strike marks ("rest": the heel came to rest on the ground;
    "touchdown": it first reached the floor), "" for motion capture and the plain methods;
    ``impact_heel_strikes``: accepted heel strikes timed at the heel's impact (motion capture).
    """

    events: list[GaitEvent]
    rejected: list[tuple[GaitEvent, str]]
    method: str
    refiner: str = "none"
    heel_strike: str = ""
    shifts_s: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    impact_heel_strikes: int = 0

    def refinement(self) -> dict:
        """The timing refinement for reports: refiner, events moved by 1 ms or more, shifts (ms, event order)."""
        shifts_ms = np.round(1000.0 * np.asarray(self.shifts_s, float), 1)
        if self.refiner == "none" or shifts_ms.size == 0:
            return {"refiner": self.refiner, "n_events_moved": 0, "shifts_ms": []}
        return {"refiner": self.refiner, "n_events_moved": int(np.sum(np.abs(shifts_ms) >= 1.0)),
                "median_shift_ms": float(np.median(shifts_ms)), "max_abs_shift_ms": float(np.max(np.abs(shifts_ms))),
                "shifts_ms": [float(v) for v in shifts_ms]}



@dataclass(frozen=True)
class BoutContext:
    """Per-bout constants: sample rate, ground and walking speed along ``forward`` (units/s), leg length."""

    rate_hz: float
    forward: np.ndarray
    v_ground: float
    walking_speed: float
    leg_length: float
    speed_contacts: bool = False
    virtual_heels: tuple[str, ...] = ()
    touchdown: bool = False


def _speed_over_ground(points: np.ndarray, ctx: BoutContext) -> np.ndarray:
    """(T,) forward velocity over the ground (units/s) of points (T, 3)."""
    return np.gradient(points @ ctx.forward) * ctx.rate_hz - ctx.v_ground


def _speed_contact(c: Candidate, heel_speed: np.ndarray, toe_speed: np.ndarray, ctx: BoutContext) -> float | None:
    """Pixel (pose-model) data: the contact time from foot speed over ground (``core.gait.contact``)."""
    if not ctx.speed_contacts:
        return None
    level, window = FOOT_SPEED_FRACTION * ctx.walking_speed, int(np.ceil(REGION_MAX_S * ctx.rate_hz))
    if c.event == "heel_strike":
        return heel_rest(c.index, heel_speed, level, window)
    return toe_off_over_ground(c.index, toe_speed, heel_speed, TOE_SPEED_FRACTION_PX * ctx.walking_speed,
                               HEEL_SPEED_FRACTION_AT_TO_PX * ctx.walking_speed, window)


Evidence = tuple[np.ndarray, np.ndarray]  # foot-patch velocity (T, 4, 2) px/s and peak (T, 4): core.gait.contact_pixels


def _refined(found: list[Candidate], p: np.ndarray, h: np.ndarray, t: np.ndarray, heel_speed: np.ndarray,
             toe_speed: np.ndarray, ctx: BoutContext, evidence: Evidence | None = None,
             impact_height: np.ndarray | None = None) -> list[Candidate]:
    """Zeni candidates moved to the heel's contact (HS) or the toe's launch (TO) near their extremum,
    then, on video with foot-patch ``evidence``, a heel strike to its heel patch's onset of rest where
    that is clear (``core.gait.contact_pixels``). ``heel_speed``, ``toe_speed``: (T,) forward speeds
    over the ground (``_speed_over_ground``); ``impact_height`` (T,): the heel's height for
    ``heel_impact`` (metric data), which times a heel strike where it finds an impact or a landing."""
    max_samples = int(np.ceil(REGION_MAX_S * ctx.rate_hz))
    heel_fwd, toe_fwd = (h - p) @ ctx.forward, (t - p) @ ctx.forward
    out = []
    for c in found:
        index = _speed_contact(c, heel_speed, toe_speed, ctx)
        if index is None and c.event == "heel_strike" and impact_height is not None:
            index = heel_impact(c.index, impact_height, ctx.rate_hz, HEEL_AIRBORNE_LEG * ctx.leg_length)
            if index is not None:
                out.append(Candidate(c.side, c.event, index, c.strength, "impact"))
                continue
        if index is None and c.event == "heel_strike":
            region = extremum_region(heel_fwd, c.index, REGION_FRACTION, max_samples)
            index = refine_heel_strike(c.index, h[:, 1], region, heel_speed, ctx.walking_speed, max_samples,
                                       HEEL_AIRBORNE_LEG * ctx.leg_length)
        elif index is None:
            region = extremum_region(toe_fwd, c.index, REGION_FRACTION, max_samples)
            index = refine_toe_off(c.index, t[:, 1], toe_speed, ctx.walking_speed, MIN_TOE_LIFT_LEG * ctx.leg_length,
                                   region, int(np.ceil(TOE_LIFT_S * ctx.rate_hz)), fuse_zeni=not ctx.speed_contacts)
        if evidence is not None and ctx.speed_contacts and c.event == "heel_strike":
            index = pixel_contact(index, c.side, evidence, ctx.walking_speed, ctx.rate_hz, heel_speed)
        if ctx.touchdown and c.event == "heel_strike":
            down = heel_touchdown(index, h[:, 1], MIN_CLEARANCE_LEG * ctx.leg_length, TOUCHDOWN_FRACTION,
                                  int(round(TOUCHDOWN_LOOK_BACK_S * ctx.rate_hz)))
            index = index if down is None else down
        out.append(Candidate(c.side, c.event, index, c.strength))
    return out


def _metric_toe(positions: np.ndarray, side: str, toe: np.ndarray, ctx: BoutContext) -> np.ndarray:
    """The toe point for toe off on metric data: the rigid foot's toe tip (``rearfoot_toe_tip``) where
    heel and toe are seen, else the toe marker (T, 3)."""
    tip = rearfoot_toe_tip(positions, ctx.forward, side, ctx.leg_length)
    if tip is None:
        return toe
    return np.where(np.isfinite(tip).all(axis=1)[:, None], tip, toe)


def _side_candidates(positions: np.ndarray, side: str, method: str, ctx: BoutContext,
                     evidence: Evidence | None = None, impact_height: np.ndarray | None = None) -> list[Candidate]:
    """Candidates of one side in one bout (indices relative to the bout), per finite run; ``evidence``
    and the side's ``impact_height`` (T,) over the bout's frames."""
    pelvis = pelvis_position(positions)
    heel, toe = foot_points(positions, side)
    knee = positions[:, LEG_LANDMARKS[side]["knee"]]
    ankle_only = side in ankle_only_sides(positions) and np.isfinite(knee).any()
    if method == "auto" and not ctx.speed_contacts and not ankle_only and side not in ctx.virtual_heels:
        toe = _metric_toe(positions, side, toe, ctx)
    valid = np.isfinite(pelvis).all(axis=1) & np.isfinite(heel).all(axis=1) & np.isfinite(toe).all(axis=1)
    if ankle_only:
        valid &= np.isfinite(knee).all(axis=1)
    out = []
    for start, end in true_runs(valid):
        if end - start < MIN_RUN_S * ctx.rate_hz:
            continue
        p, h, t = pelvis[start:end], heel[start:end], toe[start:end]
        heel_speed, toe_speed = _speed_over_ground(h, ctx), _speed_over_ground(t, ctx)
        if method == "velocity":
            found = velocity_candidates(heel_speed, toe_speed, side, ctx.rate_hz)
        else:
            found = zeni_candidates((h - p) @ ctx.forward, (t - p) @ ctx.forward, side, ctx.rate_hz)
        if method == "auto":
            found = _refined(found, p, h, t, heel_speed, toe_speed, ctx, None if evidence is None else
                             (evidence[0][start:end], evidence[1][start:end]),
                             None if impact_height is None or side in ctx.virtual_heels else impact_height[start:end])
            if ankle_only:
                found = [c for c in found if c.event != "toe_off"]
                found += shank_toe_offs(knee[start:end], h, ctx.forward, side, ctx.rate_hz)
            level, gap = FOOT_SPEED_FRACTION * ctx.walking_speed, int(np.ceil(MIN_SWING_S * ctx.rate_hz))
            if end == len(positions) and not ctx.speed_contacts:  # metric data (on video it added false events)
                found += partial_step_contacts(found, heel_speed, toe_speed, level, gap, side)
            if start == 0 and not ctx.speed_contacts:
                landing = None if impact_height is None or side in ctx.virtual_heels else heel_impact(
                    0.0, impact_height[:end], ctx.rate_hz, HEEL_AIRBORNE_LEG * ctx.leg_length)
                found += first_step_heel_strike(found, heel_speed, level, gap, side, landing)
        out += [dataclasses.replace(c, index=c.index + start) for c in found]
    return out


def _bout_context(positions: np.ndarray, forward: np.ndarray, rate_hz: float, speed_contacts: bool = False
                  ) -> BoutContext:
    sides = present_sides(positions)
    heel_v = [np.gradient(foot_points(positions, s)[0] @ forward) * rate_hz for s in sides]
    v_ground = ground_velocity(heel_v) if sides else 0.0
    pelvis_v = np.gradient(pelvis_position(positions) @ forward) * rate_hz
    walking = float(np.nanmedian(pelvis_v)) - v_ground if np.isfinite(pelvis_v).any() else 0.0
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        scale = float("nan")
    return BoutContext(rate_hz, forward, v_ground, walking, scale, speed_contacts)


def _to_event(c: Candidate, offset: int, time_s: np.ndarray) -> GaitEvent:
    index = c.index + offset
    frame = int(np.clip(round(index), 0, len(time_s) - 1))
    return GaitEvent(c.side, c.event, frame, float(np.interp(index, np.arange(len(time_s)), time_s)))


def detect_events(
    series: KeypointSeries, forward: np.ndarray, method: str = "auto", bouts: list[tuple[int, int]] | None = None,
    video_heel_strike: str = "rest",
) -> EventDetection:
    """Detect HS/TO per side within each bout ([start, end) frames; default: the whole series).

    ``forward`` is the horizontal walking direction (3,) from ``progression_direction``. A bout
    whose own direction clearly differs (e.g. the walk back after a turn) uses its own direction.
    ``video_heel_strike`` (pixel data, ``auto``): "touchdown", where the heel reached the floor, or
    "rest", where it came to rest over the ground (see the module docstring).
    """
    if method not in METHODS:
        raise ValueError(f"unknown event method {method!r}; choose one of {', '.join(METHODS)}")
    forward = np.array([forward[0], 0.0, forward[2]], dtype=float)
    forward /= np.linalg.norm(forward)
    rate_hz = series.rate_hz
    placed_heels = tuple(series.meta.get(VIRTUAL_HEELS_META, ()))
    feet = has_foot_evidence(series.meta, series.n_frames)
    events: list[GaitEvent] = []
    rejected: list[tuple[GaitEvent, str]] = []
    impacts = 0
    impact = series.meta.get(IMPACT_HEEL_META)
    for start, end in bouts if bouts is not None else [(0, series.n_frames)]:
        positions = series.positions[start:end]
        if end - start < 3:
            continue
        ctx = dataclasses.replace(_bout_context(positions, bout_direction(positions, forward), rate_hz,
                                                series.units == "px"), virtual_heels=placed_heels,
                                  touchdown=series.units == "px" and video_heel_strike == "touchdown")
        evidence = (series.meta[FOOT_VELOCITY_META][start:end], series.meta[FOOT_PEAK_META][start:end]) if feet else None
        cands = [c for s in present_sides(positions) for c in _side_candidates(
            positions, s, method, ctx, evidence, None if impact is None else impact[start:end, SIDES.index(s)])]
        kept, lost = check_consistency(cands, rate_hz)
        impacts += sum(c.timing == "impact" for c in kept)
        events += [_to_event(c, start, series.time_s) for c in kept]
        rejected += [(_to_event(c, start, series.time_s), reason) for c, reason in lost]
    events.sort(key=lambda e: (e.time_s, e.side, e.event))
    timing = video_heel_strike if series.units == "px" and method == "auto" else ""
    return EventDetection(events, rejected, "zeni_refined" if method == "auto" else method, heel_strike=timing,
                          impact_heel_strikes=impacts)


def landing_frames(touchdown: list[GaitEvent], rest: list[GaitEvent], max_gap_s: float = TOUCHDOWN_LOOK_BACK_S
                   ) -> dict[tuple[str, int], int]:
    """(side, frame) of each heel strike in ``touchdown`` -> frame of the same heel strike in ``rest``
    (same side, at or after it, within ``max_gap_s``): where the heel's landing position is read."""
    out = {}
    for e in touchdown:
        if e.event != "heel_strike":
            continue
        later = [r for r in rest if r.event == "heel_strike" and r.side == e.side
                 and -1e-9 <= r.time_s - e.time_s <= max_gap_s]
        if later:
            out[(e.side, e.frame)] = min(later, key=lambda r: r.time_s).frame
    return out
