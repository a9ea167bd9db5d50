"""Gait analysis of one keypoint series: preprocess -> direction -> events -> parameters -> angles.

Lengths and speed are measured in the ground frame (``core.gait.ground``): when the camera pans or
the subject walks on a treadmill, the ground displacement seen under the stance feet is removed
first. Each walking bout is first turned about the vertical so that all bouts walk along one
direction (``core.gait.direction.orient_bouts``: a walk back after a turn, a diagonal pass), so
events, lengths and angles keep their signs; each bout's own heading is reported.

Scale: metric data ("m") has ``m_per_unit`` 1.0; pixel data uses ``subject_height_m`` through
``pixel_scale_m_per_px`` when given, otherwise ``m_per_unit`` is None and lengths are reported
only in leg lengths (``*_leg_norm``). Angle cycles come from the accepted strides only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from core.config import PreprocessConfig
from core.constants import SIDES
from core.errors import InsufficientDataError
from core.gait.coverage import lost_notes, lost_stretches
from core.gait.direction import (Orientation, ankle_only_sides, count_passes, heading_deg, orient_bouts,
                                 with_virtual_feet)
from core.gait.evaluation import evaluate_events
from core.gait.event_timing import TimingModel, refine_events, shipped_model
from core.gait.events import VIRTUAL_HEELS_META, EventDetection, detect_events, landing_frames
from core.gait.framing import feet_framing
from core.gait.ground import MOVING, to_ground_frame
from core.gait.kinematics import ANGLE_KEYS, cycle_summary, normalise_cycles, sagittal_angles
from core.gait.metric_frame import metric_ground_positions
from core.gait.parameters import pixel_scale_m_per_px, spatiotemporal_parameters
from core.gait.preprocessing import preprocess
from core.gait.quality import PAN_FROM_FEET_LENGTHS_PCT, Quality, grade_analysis, supported_only
from core.gait.strides import Stride, drop_inconsistent, find_strides, heel_tracks
from core.gait.trust import heel_rise_pct
from core.gait.view import lengths_short_pct, side_view
from core.types import GaitEvent, KeypointSeries

N_CYCLE_POINTS = 101


@dataclass(frozen=True)
class GaitResult:
    """Everything one analysis produced. ``series`` is the preprocessed (uniform-time) series.

    angles: key -> (T,) degrees; cycles: key -> (n, 101) degrees over 0..100 % of the gait
    cycle; summaries: key -> ``cycle_summary``; keys as ``core.gait.kinematics.ANGLE_KEYS``.
    forward: (3,) the direction every bout was turned to; oriented_positions: (T, 33, 3) ``series``
    with its bouts turned (``core.gait.direction.Orientation``) and virtual foot points added
    (``core.gait.direction.with_virtual_feet``): what events and angles were computed on. ground_positions:
    (T, 33, 3) the turned positions (without virtual feet) in the ground frame (the camera's pan removed),
    ``series.units``.
    """

    name: str
    series: KeypointSeries
    bouts: list[tuple[int, int]]
    swapped: np.ndarray
    forward: np.ndarray
    oriented_positions: np.ndarray
    detection: EventDetection
    parameters: dict
    angles: dict[str, np.ndarray]
    cycles: dict[str, np.ndarray]
    summaries: dict[str, dict]
    m_per_unit: float | None
    scale_source: str
    notes: list[str]
    evaluation: dict | None = None
    quality: Quality | None = None
    ground_positions: np.ndarray | None = None

    @property
    def events(self) -> list[GaitEvent]:
        return self.detection.events

    def metric_series(self) -> KeypointSeries | None:
        """Video landmarks in metres in the ground frame, walking along +X, Y up from the floor
        (``core.gait.metric_frame``), when a scale is known (``--subject-height``); else None."""
        if self.series.units != "px" or self.m_per_unit is None or self.ground_positions is None:
            return None
        positions = metric_ground_positions(self.ground_positions, self.forward, self.m_per_unit)
        meta = {key: self.series.meta[key] for key in ("first_frame", "fps") if key in self.series.meta}
        return KeypointSeries(positions, self.series.time_s, self.series.confidence, "m", self.series.name, True, meta)

    @property
    def oriented_series(self) -> KeypointSeries:
        """``series`` with every bout walking along ``forward``."""
        return dataclasses.replace(self.series, positions=self.oriented_positions)


def _scale(series: KeypointSeries, subject_height_m: float | None) -> tuple[float | None, str]:
    """Metres per data unit and a sentence saying where it came from."""
    if series.units == "m":
        return 1.0, "metric data (m)"
    if subject_height_m is None:
        return None, "unknown (pixels without subject height): lengths normalised by leg length"
    try:
        m_per_px = pixel_scale_m_per_px(series.positions, subject_height_m, series.confidence)
    except ValueError as exc:
        return None, f"unknown ({exc}): lengths normalised by leg length"
    return m_per_px, f"subject height {subject_height_m:.2f} m via leg length (m/px = {m_per_px:.6g})"


def _scene_velocity(series: KeypointSeries, orientation: Orientation) -> np.ndarray | None:
    """(T,) the video scenery's velocity along ``orientation.forward`` (px/s), or None without one."""
    scene = series.meta.get("scene_velocity_px_s")
    if scene is None or series.units != "px" or len(scene) != series.n_frames:
        return None
    vectors = np.zeros((series.n_frames, 3))
    vectors[:, 0] = scene
    return orientation.along_forward(vectors)


def stride_cycles(signal: np.ndarray, strides: list[Stride], time_s: np.ndarray, side: str) -> np.ndarray:
    """(n, 101) cycles of ``signal`` (T,) over the accepted strides of ``side`` (sub-frame bounds)."""
    frames = np.arange(time_s.size, dtype=float)
    parts = []
    for s in strides:
        if s.side != side:
            continue
        bounds = np.interp([s.start_s, s.start_s + s.stride_time_s], time_s, frames)
        parts.append(normalise_cycles(signal, bounds, N_CYCLE_POINTS))
    return np.concatenate(parts) if parts else np.empty((0, N_CYCLE_POINTS))


def _bouts_for_parameters(bouts: list[tuple[int, int]], notes: list[str]) -> list[tuple[int, int]] | None:
    if bouts:
        return bouts
    notes.append("no walking bout found by preprocessing: the whole recording is treated as one bout")
    return None


def _foot_notes(virtual: list[str], positions: np.ndarray) -> list[str]:
    notes = []
    if virtual:
        notes.append(f"no {' or '.join(virtual)} landmark: placed on a rigid foot from the other two foot points "
                     "for events and angles (estimates); lengths use the seen landmarks (the ankle for a heel)")
    for side in ankle_only_sides(positions):
        notes.append(f"{side} foot seen only at the ankle: heel strike from the ankle, toe off from the shank's "
                     "rotation (less exact: docs/gait_accuracy.md, tables (e) and (f)); no ankle angle")
    return notes


def _impact_notes(detection: EventDetection) -> list[str]:
    """Motion capture: how many heel strikes were timed at the heel's impact (``events_refine.heel_impact``),
    when any were (``gait_parameters.json`` always gives the count)."""
    n = detection.impact_heel_strikes
    if not n:
        return []
    n_hs = sum(e.event == "heel_strike" for e in detection.events)
    rest = "" if n == n_hs else ", the others at the heel's landing on 6 Hz heights (no clear impact)"
    return [f"{n} of {n_hs} heel strikes timed at the heel's impact (20 Hz heel heights){rest}"]


def _check_events(detection: EventDetection, s: KeypointSeries, n_bouts: int, name: str, notes: list[str],
                  min_bout_s: float) -> None:
    """Raise ``InsufficientDataError`` without events (saying what a walking bout needs when there is
    none: a 2 s clip of walking has a stride but no 2 s bout); note a side without any."""
    if not detection.events:
        duration_s = float(s.time_s[-1] - s.time_s[0]) if s.n_frames else 0.0
        bout = "" if n_bouts else (f", within at least {min_bout_s:g} s of steady walking (preprocessing.min_bout_s): "
                                   f"film {min_bout_s + 1:g} s or more of walking")
        raise InsufficientDataError(
            f"no gait event detected in {name or 'the recording'} ({s.n_frames} frames, {duration_s:.1f} s, "
            f"{n_bouts} walking bout(s)); at least one complete stride of visible walking is needed{bout}"
        )
    silent = [side for side in SIDES if not any(e.side == side for e in detection.events)]
    if len(silent) == 1:
        notes.append(f"no {silent[0]} event (its landmarks are missing or never show a step): strides, cadence and "
                     "stance of the other side only; steps, support phases and symmetry need both sides")


def _pass_notes(orientation: Orientation) -> list[str]:
    """A note when the walk went back and forth (there and back in one video): how many passes, and that
    cadence, lengths and per-side values are over all of them."""
    n = count_passes(orientation.bout_forward)
    if n < 2:
        return []
    headings = ", ".join(f"{heading_deg(f):.0f}" for f in orientation.bout_forward)
    return [f"the walk had {n} passes (there and back; bout headings {headings} deg), each analysed in its own "
            "direction: cadence, lengths and per-side values are over all of them"]


def _spatial_parameters(
    s: KeypointSeries, orientation: Orientation, detection: EventDetection, rest: EventDetection,
    bouts: list[tuple[int, int]] | None, m_per_unit: float | None, scale_source: str, notes: list[str],
) -> tuple[dict, np.ndarray]:
    """``spatiotemporal_parameters`` in the ground frame, with headings, scale and ground reports, and the
    oriented positions (T, 33, 3) in that frame.

    ``rest``: the same events with heel strikes where the heel came to rest (``detection`` itself
    unless video heel strikes are timed at touchdown): the stance feet and the heels' landing
    positions are read there, the times from ``detection``."""
    forward = orientation.forward
    ground_positions, ground = to_ground_frame(orientation.positions, s.time_s, rest.events, forward,
                                               _scene_velocity(s, orientation))
    landing = None if rest is detection else landing_frames(detection.events, rest.events)
    params = spatiotemporal_parameters(detection.events, ground_positions, s.time_s, forward, bouts, m_per_unit,
                                       s.is_2d, s.confidence, landing)
    for row, direction in zip(params["bouts"], orientation.bout_forward):
        row["heading_deg"] = heading_deg(direction)
    params["scale_source"] = scale_source
    params["spatial_reference"] = ("ground frame (camera motion compensated)" if ground.compensated
                                   else "data frame (static camera)")
    params["ground"] = ground.as_dict(m_per_unit, s.units)
    if ground.compensated:
        doubt = ("; the scenery was not usable, and a pose model's stance feet read a camera's pan up to "
                 f"{PAN_FROM_FEET_LENGTHS_PCT} % fast: lengths and speed may read long"
                 if s.units == "px" and ground.source == "stance feet" else "")
        notes.append(f"moving camera or treadmill: ground moves {ground.median_ground_speed_units_s:+.3g} {s.units}/s "
                     f"along the walking direction ({ground.source}); lengths and speed measured in the ground frame"
                     f"{doubt}")
    if params["n_strides_used"] == 0:
        notes.append(f"no complete stride ({params['n_strides_rejected']} rejected): stride parameters and "
                     "angle cycles are empty")
    return params, ground_positions


def analyze_series(
    series: KeypointSeries,
    cfg: PreprocessConfig,
    subject_height_m: float | None = None,
    truth_events: list[GaitEvent] | None = None,
    tolerance_s: float = 0.05,
    timing_model: TimingModel | None = None,
) -> GaitResult:
    """Run the whole gait analysis; raises ``InsufficientDataError`` when no event is found, or when a
    2-D series is not a side view (``core.gait.view``; an oblique one gets a note) or its feet are out of the
    frame (``core.gait.framing``; feet that touch its edge get a note).

    With events but no complete stride, returns partial results and a "no complete stride" note.
    ``timing_model`` replaces the shipped one when ``cfg.event_refiner`` is "learned" (video data only).
    """
    feet_at_edge, framing = feet_framing(series)
    pre = preprocess(series, cfg)
    s = pre.series
    view_ratio, view = side_view(s)
    orientation = orient_bouts(s.positions, pre.bouts)
    forward = orientation.forward
    positions, virtual = with_virtual_feet(orientation.positions, forward)
    lost = lost_notes(lost_stretches(s.positions, s.rate_hz), s.rate_hz)
    notes = [n for n in (view, framing) if n] + list(pre.notes) + lost + _foot_notes(virtual, positions)
    notes += _pass_notes(orientation)
    placed_heels = [v.split()[0] for v in virtual if v.endswith("heel")]
    oriented = dataclasses.replace(s, positions=positions, meta={**s.meta, VIRTUAL_HEELS_META: placed_heels})
    detection = detect_events(oriented, forward, cfg.event_method, pre.bouts, cfg.video_heel_strike)
    detection = _refined_timing(detection, oriented, forward, cfg, timing_model, notes)
    notes += _impact_notes(detection)
    _check_events(detection, s, len(pre.bouts), series.name, notes, cfg.min_bout_s)
    bouts = _bouts_for_parameters(pre.bouts, notes)
    m_per_unit, scale_source = _scale(s, subject_height_m)
    # A heel strike at touchdown precedes the heel's rest by design: the stance feet, the landing
    # positions and the velocity method's confirmation use the same events timed at rest.
    rest = detection if s.units != "px" or cfg.video_heel_strike == "rest" else detect_events(
        oriented, forward, cfg.event_method, pre.bouts, "rest")
    params, ground_positions = _spatial_parameters(s, orientation, detection, rest, bouts, m_per_unit, scale_source,
                                                   notes)
    angles = sagittal_angles(positions, forward)
    found, _ = find_strides(detection.events, bouts, heel_tracks(orientation.positions, forward))
    strides, _ = drop_inconsistent(found, "stride", bouts)
    cycles = {key: stride_cycles(angles[key], strides, s.time_s, key.split("_")[0]) for key in ANGLE_KEYS}
    for side in SIDES:
        n_cycles = cycles[f"{side}_knee"].shape[0]
        if n_cycles < params[side]["n_strides_used"]:
            notes.append(f"{side}: {params[side]['n_strides_used'] - n_cycles} stride(s) without knee angles "
                         "(missing landmarks) left out of the angle cycles")
    evaluation = None
    if truth_events is not None:
        evaluation = evaluate_events(detection.events, truth_events, tolerance_s=tolerance_s)
    quality = _quality(series, s, positions, forward, pre.bouts, detection, params, rest.events,
                       lengths_short_pct(view_ratio), None if feet_at_edge is None else max(feet_at_edge))
    params = supported_only(params, quality)
    return GaitResult(
        name=series.name, series=s, bouts=list(pre.bouts), swapped=pre.swapped, forward=forward,
        oriented_positions=positions, detection=detection, parameters=params, angles=angles, cycles=cycles,
        summaries={key: cycle_summary(c) for key, c in cycles.items()}, m_per_unit=m_per_unit,
        scale_source=scale_source, notes=notes, evaluation=evaluation, quality=quality, ground_positions=ground_positions,
    )


def _refined_timing(detection: EventDetection, series: KeypointSeries, forward: np.ndarray, cfg: PreprocessConfig,
                    model: TimingModel | None, notes: list[str]) -> EventDetection:
    """Video events moved by the learned timing model when ``cfg.event_refiner`` asks for it
    (``core.gait.event_timing``); metric data, "none", and heel strikes at touchdown (the model learned
    the detector's heel strikes at rest) keep the detector's times."""
    if (cfg.event_refiner != "learned" or series.units != "px" or not detection.events
            or cfg.video_heel_strike != "rest"):
        return detection
    events, shifts = refine_events(series, forward, detection.events, model or shipped_model())
    refined = dataclasses.replace(detection, events=events, refiner="learned", shifts_s=shifts)
    report = refined.refinement()
    notes.append(f"event timing: learned refinement (trained on rendered videos) moved {report['n_events_moved']} of "
                 f"{len(events)} events (median shift {report['median_shift_ms']:+.0f} ms, largest "
                 f"{report['max_abs_shift_ms']:.0f} ms)")
    return refined


def presence_share(series: KeypointSeries) -> float:
    """Share of the frames of ``series`` from the first to the last in which any landmark was found that have one
    (1.0 for complete motion capture; 0.0 without any): a walker entering or leaving a static camera's view is out
    of view before and after, not missed."""
    seen = np.flatnonzero(np.isfinite(series.positions).all(axis=2).any(axis=1))
    if seen.size == 0:
        return 0.0
    return float(seen.size / (seen[-1] - seen[0] + 1))


def _quality(raw: KeypointSeries, s: KeypointSeries, positions: np.ndarray, forward: np.ndarray,
             bouts: list[tuple[int, int]], detection: EventDetection, params: dict,
             compared: list[GaitEvent], view_lengths_short_pct: float | None,
             feet_at_edge_share: float | None) -> Quality:
    """``grade_analysis`` with the foot-velocity method as the independent confirmation of ``compared``
    (the detected events, timed as the velocity method times them), the view's shortening of lengths (%), and the
    share of foot samples at the frame's bottom edge (``core.gait.framing``)."""
    confirming = None
    if detection.method != "velocity":
        confirming = detect_events(dataclasses.replace(s, positions=positions), forward, "velocity", bouts).events
    spans = bouts or [(0, s.n_frames)]
    rise = heel_rise_pct(positions, spans, params.get("leg_length_units"))
    video = s.units == "px"
    ground = params.get("ground") or {}
    from_feet = ground.get("camera_motion") == MOVING and ground.get("source") == "stance feet"
    return grade_analysis(detection.events, len(detection.rejected), params, spans, s.time_s,
                          presence_share(raw), confirming, compared, rise if video else None,
                          None if video else rise, view_lengths_short_pct, from_feet if video else None,
                          feet_at_edge_share)
