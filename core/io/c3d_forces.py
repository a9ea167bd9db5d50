"""Gait events from a C3D file's force plates: heel strike where a plate's vertical force rises above a
threshold, toe off where it falls below it (the usual force-plate truth of gait-event studies).

The vertical force is read from the analog channel FORCE_PLATFORM:CHANNEL names for Fz (plate types 1,
2 and 4; the sum of the four Fz channels for type 3), scaled as stored (SCALE, GEN_SCALE, OFFSET) but
not through a calibration matrix. Its units therefore vary (N, volts, body weights), so the threshold
is relative: ``PLATE_THRESHOLD_FRACTION`` of the plate's loaded level (98th percentile) above its
unloaded level (2nd percentile); the sign is turned so that load is positive, and a plate whose load
range is tiny next to the others' is unused. A contact is given to the foot whose heel is lower during
it. This is made for treadmills with one belt (plate) per foot: a contact with two feet on one plate
(a high peak, a long contact, or the plate's other foot) makes the events around it unknown, and only
the longest stretch between such contacts is returned. Overground plates seen by a few steps each, or
walkway plates that carry several steps, are not reliable truth (see docs/gait_accuracy.md, (u)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.constants import LEG_LANDMARKS, SIDES
from core.errors import InputError
from core.io.c3d import C3DData
from core.types import GaitEvent, KeypointSeries

PLATE_THRESHOLD_FRACTION = 0.05  # ~35 N for a 70 kg walker, within the 20-50 N of force-plate studies
PLATE_SMOOTH_S = 0.01  # moving average before the threshold (electrical noise)
PLATE_MIN_GAP_S = 0.05  # unloaded stretches shorter than this are noise within one contact
PLATE_MIN_CONTACT_S = 0.1  # loaded stretches shorter than this are noise, not a stance
PLATE_SHARED_PEAK_RATIO = 1.5  # a contact peaking this far above the plate's usual peak bears two feet
PLATE_MAX_CONTACT_S = 2.0  # longer than the slowest stance (~1.5 s): more than one foot or step
PLATE_UNUSED_FRACTION = 0.05  # a plate whose load range is below this share of the largest plate's is unused


def plate_vertical_forces(data: C3DData) -> list[np.ndarray]:
    """Per force plate, its vertical force (analog samples), load positive."""
    channels = data.param("FORCE_PLATFORM", "CHANNEL")
    types = np.ravel(np.asarray(data.param("FORCE_PLATFORM", "TYPE", []), dtype=float)).astype(int)
    if channels is None or isinstance(channels, list) or data.analog.size == 0:
        return []
    channels = np.asarray(channels, dtype=int).reshape(len(types) or -1, -1)
    forces = []
    for plate, kind in enumerate(types):
        rows = [4, 5, 6, 7] if kind == 3 else [2]  # 0-based: Fz, or the 4 Fz of a Kistler type 3
        cols = [int(channels[plate, r]) - 1 for r in rows if r < channels.shape[1]]
        if not cols or min(cols) < 0 or max(cols) >= data.analog.shape[1]:
            continue
        fz = data.analog[:, cols].sum(axis=1) if kind == 3 else data.analog[:, cols[0]]
        lo, hi = np.percentile(fz, [1, 99])
        forces.append(-fz if abs(lo) > abs(hi) else fz)  # unloaded is near 0: load is the larger swing
    ranges = [float(np.ptp(np.percentile(f, [1, 99]))) for f in forces]
    return [f for f, r in zip(forces, ranges) if r >= PLATE_UNUSED_FRACTION * max(ranges)]


def plate_contacts(force: np.ndarray, rate_hz: float) -> list[tuple[int, int]]:
    """(first, last) analog sample of each loaded stretch of one plate's vertical force."""
    width = max(int(round(PLATE_SMOOTH_S * rate_hz)), 1)
    smooth = np.convolve(force, np.ones(width) / width, mode="same")
    base, top = np.percentile(smooth, [2, 98])
    on = smooth > base + PLATE_THRESHOLD_FRACTION * (top - base)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
    runs = [[int(a), int(b) - 1] for a, b in zip(edges[::2], edges[1::2])]
    merged: list[list[int]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] - 1 < PLATE_MIN_GAP_S * rate_hz:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    return [(a, b) for a, b in merged if b - a + 1 >= PLATE_MIN_CONTACT_S * rate_hz]


def _side(series: KeypointSeries, frames: np.ndarray) -> str | None:
    """The side whose heel is lower over ``frames`` (median height above its own floor, the heel's 5th
    percentile over the trial, so that marker placement does not count); None when neither is seen."""
    heights = {}
    for side in SIDES:
        heel = series.positions[:, LEG_LANDMARKS[side]["heel"], 1]
        if np.isfinite(heel[frames]).any():
            heights[side] = float(np.nanmedian(heel[frames]) - np.nanpercentile(heel, 5))
    return min(heights, key=heights.get) if heights else None


def _contacts(data: C3DData, series: KeypointSeries) -> list[tuple[float, float, str | None, bool, bool, bool]]:
    """Every plate contact: (start s, end s, side (None: no foot seen), shared by two feet (see
    ``_plate_sides``), starts inside the recording, ends inside it)."""
    rate, ratio = data.point_rate_hz, data.analog_rate_hz / data.point_rate_hz
    t0 = (data.first_frame - 1) / rate
    out = []
    for force in plate_vertical_forces(data):
        runs = plate_contacts(force, data.analog_rate_hz)
        sides = [_side(series, np.arange(int(a / ratio), min(int(b / ratio) + 1, series.n_frames))) for a, b in runs]
        sides, shared = _plate_sides(force, runs, sides, data.analog_rate_hz)
        for (a, b), side, two in zip(runs, sides, shared):
            out.append((t0 + a / data.analog_rate_hz, t0 + b / data.analog_rate_hz, side, two,
                        a > 0, b < len(force) - 1))
    return out


def _plate_sides(force: np.ndarray, runs: list[tuple[int, int]], sides: list[str | None], rate_hz: float
                 ) -> tuple[list[str | None], list[bool]]:
    """The contacts' sides and which of them two feet share: a peak above ``PLATE_SHARED_PEAK_RATIO``
    times the plate's median peak, longer than ``PLATE_MAX_CONTACT_S``, or, on a plate that carries
    one foot (a treadmill belt: at least 4 contacts), the other foot. A contact cut by the recording's
    start or end shows too little of its stance to tell the foot: it takes the plate's usual foot."""
    peaks = np.array([force[a:b + 1].max() for a, b in runs]) if runs else np.empty(0)
    known = [s for s in sides if s]
    usual = max(set(known), key=known.count) if len(known) >= 4 else None
    cut = [a == 0 or b == len(force) - 1 for a, b in runs]
    sides = [usual if usual and edge else s for s, edge in zip(sides, cut)]
    shared = [bool(p > PLATE_SHARED_PEAK_RATIO * np.median(peaks)) or b - a + 1 > PLATE_MAX_CONTACT_S * rate_hz
              or (usual is not None and s != usual) for p, s, (a, b) in zip(peaks, sides, runs)]
    return sides, shared


def force_plate_events(data: C3DData, series: KeypointSeries, path: str | Path = "") -> list[GaitEvent]:
    """Heel strikes and toe offs from the force plates (see the module docstring). Where two feet share
    a plate (a cross-over step on a split belt), the events around it are unknown: only those of the
    longest stretch between such contacts are returned. ``InputError`` when the file has no usable plate."""
    if not np.isfinite(data.analog_rate_hz) or data.analog_rate_hz <= 0:
        raise InputError("the C3D file has no analog data (no force plates) and no gait events", path)
    contacts = _contacts(data, series)
    rate, t0 = data.point_rate_hz, (data.first_frame - 1) / data.point_rate_hz
    cuts = sorted((a, b) for a, b, _, shared, _, _ in contacts if shared)
    bounds = [t0 - 1.0] + [x for cut in cuts for x in cut] + [t0 + series.n_frames / rate + 1.0]
    lo, hi = max(zip(bounds[::2], bounds[1::2]), key=lambda ab: ab[1] - ab[0])
    events = []
    for a, b, side, shared, starts, ends in contacts:
        for time_s, kind, inside in ((a, "heel_strike", starts), (b, "toe_off", ends)):
            frame = int(round((time_s - t0) * rate))
            if side and not shared and inside and lo < time_s < hi and 0 <= frame < series.n_frames:
                events.append(GaitEvent(side, kind, frame, float(time_s)))
    if not events:
        raise InputError("no gait events: the C3D file has no EVENT group with gait events and no force plate "
                         "contact", path)
    return sorted(events, key=lambda e: e.time_s)
