"""OpenSim TRC marker files (as written by Sports2D, Pose2Sim, OpenCap) <-> ``KeypointSeries``.

Marker names are matched without regard to case, separators or a side written in full or as a
suffix (``RHeel``, ``r_heel``, ``Right Heel``, ``Heel_R`` are one name); see
``core.constants.TRC_MARKER_ALIASES`` and its fallbacks.

Layout: ``PathFileType`` line, a key row (DataRate, CameraRate, NumFrames, NumMarkers, Units, ...),
its value row, a marker-name row (``Frame#``, ``Time``, then one name every 3 columns), an
``X1 Y1 Z1 ...`` row, an optional blank line, then tab-separated data rows. Empty cells are
missing markers. Metric coordinates are turned to Y up (the up axis is found from the body: hips above
feet); millimetres/centimetres become metres.

Our own exports get a sidecar ``<stem>.meta.json`` (``core.io.keypoint_sidecar``: confidences, the
camera's pan, the first video frame), read back with the file so a re-analysis gives the same result.

Writing: metric data is written in metres (``Units m``), which OpenSim reads directly. Pixel data
(video) is written with ``Units px`` so it is never mistaken for metres; ``read_trc`` reads it back
as pixels. Missing landmarks are written as empty cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from core.constants import (
    LANDMARK_INDEX,
    LANDMARK_NAMES,
    LEG_LANDMARKS,
    NUM_LANDMARKS,
    SIDES,
    TRC_EXPORT_MARKERS,
    TRC_MARKER_ALIASES,
    TRC_MARKER_FALLBACKS,
    TRC_MID_HIP_MARKERS,
)
from core.errors import InputError
from core.io.atomic import read_text_file, write_text
from core.io.axes import UP_TO_Y, axis_label, vertical_axis
from core.io.keypoint_sidecar import read_sidecar, series_meta, write_sidecar
from core.io.markers import map_markers, marker_key
from core.io.text_rows import format_rows
from core.types import KeypointSeries

UNIT_TO_METRES: dict[str, float] = {"m": 1.0, "meters": 1.0, "cm": 0.01, "mm": 0.001}
PIXEL_UNITS = ("px", "pixel", "pixels")
# A metric TRC is turned only when the body says so clearly: hips at least this far (m, median) above the
# feet along one axis, and that many times further than along either other axis (walking: ~0.8 m against
# a step's ~0.3 m); otherwise Y stays up, as TRC files are meant to be.
UP_AXIS_MIN_SEPARATION_M = 0.4
UP_AXIS_MIN_RATIO = 2.0


def _split_header(lines: list[str], path: Path) -> tuple[dict[str, str], list[str], int]:
    """Header fields, the marker names (in column order) and the index of the first data line."""
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise InputError("malformed TRC header (the first line must start with 'PathFileType')", path)
    keys = [k.strip() for k in lines[1].split("\t")]
    values = [v.strip() for v in lines[2].split("\t")]
    if "DataRate" not in keys or "Units" not in keys or len(values) < len(keys):
        raise InputError("malformed TRC header (line 2/3 must give DataRate ... Units and their values)", path)
    fields = dict(zip(keys, values))
    name_cells = lines[3].rstrip("\r\n").split("\t")
    if len(name_cells) < 3 or name_cells[0].strip() != "Frame#" or name_cells[1].strip() != "Time":
        raise InputError("malformed TRC header (line 4 must start with 'Frame#' and 'Time')", path)
    markers = [c.strip() for c in name_cells[2::3]]
    while markers and not markers[-1]:
        markers.pop()
    if not markers or any(not m for m in markers):
        raise InputError("malformed TRC header (marker names must be spaced every 3 columns)", path)
    first = 5
    while first < len(lines) and not lines[first].strip():
        first += 1
    return fields, markers, first


def _parse_rows(lines: list[str], n_markers: int, path: Path) -> np.ndarray:
    """Data rows -> (T, 2 + 3 * n_markers) float array, NaN for empty or absent cells."""
    width = 2 + 3 * n_markers
    data = np.full((len(lines), width), np.nan)
    for i, line in enumerate(lines):
        cells = line.rstrip("\r\n").split("\t")[:width]
        for j, cell in enumerate(cells):
            cell = cell.strip()
            if not cell:
                continue
            try:
                data[i, j] = float(cell)
            except ValueError:
                raise InputError(f"data line {i + 1}: non-numeric value {cell!r} in column {j + 1}", path) from None
    return data


def _landmark_columns(markers: list[str]) -> dict[int, int]:
    """Landmark index -> marker position in ``markers`` (aliases first, then fallbacks, then a
    mid-hip marker for both hips)."""
    keys = [marker_key(m) for m in markers]
    found: dict[int, int] = {}
    for table in (TRC_MARKER_ALIASES, TRC_MARKER_FALLBACKS):
        by_key = {marker_key(name): landmark for name, landmark in table.items()}
        for k, key in enumerate(keys):
            landmark = by_key.get(key)
            if landmark is not None and LANDMARK_INDEX[landmark] not in found:
                found[LANDMARK_INDEX[landmark]] = k
    hips = [LEG_LANDMARKS[side]["hip"] for side in SIDES]
    mid = [k for k, key in enumerate(keys) if key in {marker_key(m) for m in TRC_MID_HIP_MARKERS}]
    if mid and not any(h in found for h in hips):
        found.update({h: mid[0] for h in hips})
    return found


def _time_column(time_s: np.ndarray, rate_hz: float) -> np.ndarray:
    """Sample times (s): the file's Time column, snapped to ``t0 + k / rate`` when it only differs by rounding."""
    grid = np.arange(len(time_s)) / rate_hz
    if not np.isfinite(time_s).all() or np.any(np.diff(time_s) <= 0):
        return grid
    if np.max(np.abs(time_s - time_s[0] - grid)) < 0.01 / rate_hz:
        return time_s[0] + grid
    return time_s


def _check_essential(positions: np.ndarray, path: Path) -> None:
    """At least one hip, and at least one side with a heel or an ankle (that side is then analysed)."""
    present = np.isfinite(positions).all(axis=2).any(axis=0)
    legs = [LEG_LANDMARKS[s] for s in SIDES]
    if not any(present[leg["hip"]] for leg in legs):
        raise InputError("no hip marker (LHip/RHip) with data; the pelvis is needed for gait analysis", path)
    if not any(present[leg["heel"]] or present[leg["ankle"]] for leg in legs):
        raise InputError("no heel or ankle marker (LHeel/RHeel/LAnkle/RAnkle) with data", path)


def _motion_capture_layout(positions: np.ndarray, markers: list[str], data: np.ndarray, scale: float
                           ) -> tuple[np.ndarray, list[str]]:
    """Metric positions (T, 33, 3) with hips from trochanter or ASIS/PSIS markers where the file has no hip
    (``core.io.markers.map_markers``) and turned so that up (found from the body) is +Y; and notes saying so."""
    notes = []
    hips = [LEG_LANDMARKS[side]["hip"] for side in SIDES]
    if not np.isfinite(positions[:, hips]).all(axis=2).any():
        points = data[:, 2:2 + 3 * len(markers)].reshape(len(data), len(markers), 3) * scale
        mapped, used = map_markers(markers, points)
        if np.isfinite(mapped[:, hips]).all(axis=2).any():
            positions = positions.copy()
            positions[:, hips] = mapped[:, hips]
            notes.append("hips from " + ", ".join(used[f"{side}_hip"] for side in SIDES if f"{side}_hip" in used))
    axis, sign = vertical_axis(positions, default=(1, 1), min_ratio=UP_AXIS_MIN_RATIO,
                               min_separation=UP_AXIS_MIN_SEPARATION_M)
    if (axis, sign) != (1, 1):
        positions = positions @ UP_TO_Y[(axis, sign)].T
        notes.append(f"up axis {axis_label(axis, sign)} turned to +Y")
    return positions, notes


def read_trc(path: str | Path) -> KeypointSeries:
    """Read a TRC file into the 33-landmark layout (metres, or pixels for ``Units px``), Y up. A metric
    file's up axis is found from the body (Z-up exports are turned), and a file without hip markers takes
    its hips from trochanter or ASIS/PSIS markers; ``meta["load_note"]`` says so."""
    path = Path(path)
    lines = read_text_file(path, "TRC file").splitlines()
    fields, markers, first = _split_header(lines, path)
    units = fields["Units"].lower()
    if units not in UNIT_TO_METRES and units not in PIXEL_UNITS:
        raise InputError(f"unknown Units {fields['Units']!r} (expected m, cm, mm or px)", path)
    try:
        rate_hz = float(fields["DataRate"])
    except ValueError:
        raise InputError(f"DataRate {fields['DataRate']!r} is not a number", path) from None
    if not np.isfinite(rate_hz) or rate_hz <= 0:
        raise InputError(f"DataRate must be > 0, got {rate_hz}", path)
    rows = [ln for ln in lines[first:] if ln.strip()]
    if not rows:
        raise InputError("TRC file has no data rows", path)
    data = _parse_rows(rows, len(markers), path)
    columns = _landmark_columns(markers)
    if not columns:
        raise InputError(f"no known marker names (found {', '.join(markers[:8])}...; expected e.g. LHip, RHeel)", path)
    scale = UNIT_TO_METRES.get(units, 1.0)
    positions = np.full((len(rows), NUM_LANDMARKS, 3), np.nan)
    for landmark, k in columns.items():
        positions[:, landmark] = data[:, 2 + 3 * k: 5 + 3 * k] * scale
    positions[~np.isfinite(positions).all(axis=2)] = np.nan
    notes = []
    if units not in PIXEL_UNITS:
        positions, notes = _motion_capture_layout(positions, markers, data, scale)
    _check_essential(positions, path)
    time_s = _time_column(data[:, 1], rate_hz)
    present = np.isfinite(positions).all(axis=2)
    is_2d = bool(np.all(np.nan_to_num(positions[..., 2]) == 0.0))
    confidence = present.astype(float)
    meta = {"rate_hz": rate_hz, "source": str(path), "markers": markers}
    if notes:
        meta["load_note"] = "TRC markers: " + "; ".join(notes)
    sidecar = read_sidecar(path, len(rows))  # our own export: the confidences and camera pan it lacks
    if sidecar is not None:
        meta.update(series_meta(sidecar))
        if sidecar["confidence"] is not None and sidecar["confidence"].shape == confidence.shape:
            confidence = np.where(present, np.nan_to_num(sidecar["confidence"]), 0.0)
    return KeypointSeries(
        positions=positions,
        time_s=time_s,
        confidence=confidence,
        units="px" if units in PIXEL_UNITS else "m",
        name=path.stem,
        is_2d=is_2d,
        meta=meta,
    )


def _trc_parts(series: KeypointSeries, rate_hz: float, file_name: str, chunk_frames: int) -> Iterator[str]:
    """The TRC text in pieces: the header, then ``chunk_frames`` rows at a time (NaN -> empty cell)."""
    landmarks = [i for i, name in enumerate(LANDMARK_NAMES) if name in TRC_EXPORT_MARKERS]
    names = [TRC_EXPORT_MARKERS[LANDMARK_NAMES[i]] for i in landmarks]
    n = series.n_frames
    units = "px" if series.units == "px" else "m"
    yield "\n".join([
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate_hz:.2f}\t{rate_hz:.2f}\t{n}\t{len(names)}\t{units}\t{rate_hz:.2f}\t1\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{m}\t\t" for m in names),
        "\t\t" + "\t".join(f"X{k}\tY{k}\tZ{k}" for k in range(1, len(names) + 1)),
        "",
    ]) + "\n"
    row_fmt = "\t".join(["%d", "%.6f"] + ["%.6f"] * (3 * len(names))) + "\n"
    yield from format_rows(row_fmt, [np.arange(1, n + 1), series.time_s, series.positions[:, landmarks]], chunk_frames)


def format_trc(series: KeypointSeries, rate_hz: float, file_name: str) -> str:
    """The TRC text of ``series``: markers of ``TRC_EXPORT_MARKERS`` in landmark order."""
    return "".join(_trc_parts(series, rate_hz, file_name, series.n_frames))


def write_trc(path: str | Path, series: KeypointSeries, rate_hz: float, *, chunk_frames: int) -> None:
    """Write ``series`` as a TRC file atomically (metres, or ``Units px`` for pixel data), formatting
    ``chunk_frames`` rows at a time (memory stays bounded on long recordings)."""
    path = Path(path)
    write_text(path, _trc_parts(series, rate_hz, path.name, chunk_frames))
    write_sidecar(path, series, y_axis="up", confidence=True)
