"""Landmark CSV: one row per frame, named columns, readable by spreadsheets and pandas.

Layout (the header is the first line)::

    frame,time_s,nose_x_px,nose_y_px,nose_confidence,...,right_foot_index_confidence
    0,0.000000,512.250000,199.875000,0.9981,...

Column names carry the unit and the axis convention, so neither can be mistaken:
``<landmark>_x_px`` / ``<landmark>_y_px`` are image pixels (x = column, y = row, downwards, as in
every image tool); ``_y_up_px`` is a pixel Y upwards (when the image height is unknown);
``_x_m`` / ``_y_up_m`` / ``_z_m`` are metres (Y up, as in motion capture). 2-D video has no Z
column. ``frame`` is the video frame number. The metadata (name, units, image height, the
camera's pan from the scenery) is in the sidecar ``landmarks.meta.json``
(``core.io.keypoint_sidecar``), read back with the file so that a re-analysis gives the same result.

Older files are still read: a leading ``# units=px; is_2d=true; name=...`` comment and
``<landmark>_x/_y/_z`` columns holding ``KeypointSeries`` coordinates (Y up). On reading, landmark
columns may be absent (NaN, confidence 0) but each landmark present needs all its columns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from core.constants import LANDMARK_NAMES, NUM_LANDMARKS
from core.errors import InputError
from core.io.atomic import read_text_file, write_text
from core.io.keypoint_sidecar import read_sidecar, series_meta, write_sidecar
from core.io.text_rows import format_rows
from core.types import KeypointSeries

LEGACY_FIELDS = ("x", "y", "z", "confidence")


@dataclass(frozen=True)
class Column:
    """Where one CSV column goes: landmark index, axis (0-2, or -1 for confidence) and whether the
    value is an image row (Y down, turned up with the image height on reading)."""

    landmark: int
    axis: int
    image_row: bool = False


def _layout(units: str, is_2d: bool, image_height_px: float | None) -> list[tuple[str, int, bool]]:
    """(column suffix, axis, image row) per landmark field, in file order."""
    if units == "px":
        y = ("y_px", 1, True) if image_height_px else ("y_up_px", 1, False)
        fields = [("x_px", 0, False), y] + ([] if is_2d else [("z_px", 2, False)])
    else:
        fields = [("x_m", 0, False), ("y_up_m", 1, False), ("z_m", 2, False)]
    return fields + [("confidence", -1, False)]


def _columns(layout: list[tuple[str, int, bool]]) -> list[str]:
    return ["frame", "time_s"] + [f"{n}_{suffix}" for n in LANDMARK_NAMES for suffix, _, _ in layout]


def _known_columns() -> dict[str, Column]:
    """Every landmark column name a file may have (this layout and the legacy one)."""
    known: dict[str, Column] = {}
    suffixes = [("x_px", 0, False), ("y_px", 1, True), ("y_up_px", 1, False), ("z_px", 2, False),
                ("x_m", 0, False), ("y_up_m", 1, False), ("z_m", 2, False), ("confidence", -1, False),
                ("x", 0, False), ("y", 1, False), ("z", 2, False)]
    for i, name in enumerate(LANDMARK_NAMES):
        for suffix, axis, row in suffixes:
            known[f"{name}_{suffix}"] = Column(i, axis, row)
    return known


KNOWN_COLUMNS = _known_columns()


def _csv_parts(series: KeypointSeries, chunk_frames: int) -> Iterator[str]:
    """The CSV text in pieces: the header, then ``chunk_frames`` rows at a time."""
    height = series.meta.get("image_height_px")
    layout = _layout(series.units, series.is_2d, height)
    yield ",".join(_columns(layout)) + "\n"
    values = series.positions.copy()
    if series.units == "px" and height:
        values[..., 1] = float(height) - values[..., 1]  # Y up -> image row
    parts = [values[..., axis] if axis >= 0 else series.confidence for _, axis, _ in layout]
    cells = np.stack(parts, axis=2)  # (T, 33, fields)
    row_fmt = ",".join(["%d", "%.6f"] + ([*(["%.6f"] * (len(layout) - 1)), "%.4f"] * NUM_LANDMARKS)) + "\n"
    frames = np.arange(series.n_frames) + int(series.meta.get("first_frame", 0))
    yield from format_rows(row_fmt, [frames, series.time_s, cells], chunk_frames)


def format_landmarks_csv(series: KeypointSeries) -> str:
    """The CSV text for ``series`` (see the module docstring for the layout)."""
    return "".join(_csv_parts(series, series.n_frames))


def write_landmarks_csv(path: str | Path, series: KeypointSeries, *, chunk_frames: int) -> None:
    """Write ``series`` atomically to ``path`` and its sidecar beside it, formatting ``chunk_frames``
    rows at a time (memory stays bounded on long recordings)."""
    write_text(path, _csv_parts(series, chunk_frames))
    image_rows = series.units == "px" and bool(series.meta.get("image_height_px"))
    write_sidecar(path, series, y_axis="down (image rows)" if image_rows else "up")


def _parse_meta(line: str, path: Path) -> dict[str, str]:
    """A legacy ``# units=px; is_2d=true; name=...`` line."""
    meta = {}
    for part in line.lstrip("#").split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            meta[key.strip()] = value.strip()
    if meta.get("units", "m") not in ("m", "px"):
        raise InputError(f"units must be 'm' or 'px', got {meta['units']!r}", path)
    return meta


def _column_map(header: list[str], path: Path) -> dict[str, int]:
    cols = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in ("frame", "time_s") if c not in cols]
    if missing:
        raise InputError(f"landmarks CSV lacks column(s) {', '.join(missing)}", path)
    unknown = [c for c in cols if c not in KNOWN_COLUMNS and c not in ("frame", "time_s")]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown[:5])}; expected <landmark>_x_px/_y_px/_confidence "
                         "(or _x_m/_y_up_m/_z_m)", path)
    for i, name in enumerate(LANDMARK_NAMES):
        axes = {KNOWN_COLUMNS[c].axis for c in cols if c in KNOWN_COLUMNS and KNOWN_COLUMNS[c].landmark == i}
        if axes and not {0, 1, -1} <= axes:
            lacking = [label for axis, label in ((0, "x"), (1, "y"), (-1, "confidence")) if axis not in axes]
            raise InputError(f"incomplete landmark {name}: lacks its {', '.join(lacking)} column(s)", path)
    return cols


def _float(cell: str, line_no: int, column: str, path: Path) -> float:
    cell = cell.strip()
    if not cell:
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        raise InputError(f"line {line_no}: {column} {cell!r} is not a number", path) from None


def _units_of(cols: dict[str, int], legacy: dict[str, str]) -> str:
    if any(c.endswith("_px") for c in cols):
        return "px"
    if any(c.endswith("_m") for c in cols):
        return "m"
    return legacy.get("units", "m")


def read_landmarks_csv(path: str | Path) -> KeypointSeries:
    """Read a landmark CSV written by ``write_landmarks_csv`` (with its sidecar when present), an older
    one (leading ``#`` metadata line, Y up), or any file with these columns."""
    path = Path(path)
    lines = read_text_file(path, "landmarks file").splitlines()
    legacy: dict[str, str] = {}
    first = 0
    while first < len(lines) and lines[first].startswith("#"):
        legacy.update(_parse_meta(lines[first], path))
        first += 1
    rows = list(csv.reader(lines[first:]))
    if not rows:
        raise InputError("landmarks CSV has no header", path)
    cols = _column_map(rows[0], path)
    data = [r for r in rows[1:] if any(c.strip() for c in r)]
    if not data:
        raise InputError("landmarks CSV has no data rows", path)
    positions = np.full((len(data), NUM_LANDMARKS, 3), np.nan)
    confidence = np.zeros((len(data), NUM_LANDMARKS))
    time_s = np.empty(len(data))
    frames = np.empty(len(data))
    targets = [(c, i, KNOWN_COLUMNS[c]) for c, i in cols.items() if c in KNOWN_COLUMNS]
    for t, row in enumerate(data):
        line_no = first + t + 2
        if len(row) != len(rows[0]):
            raise InputError(f"line {line_no}: {len(row)} cells, header has {len(rows[0])}", path)
        time_s[t] = _float(row[cols["time_s"]], line_no, "time_s", path)
        frames[t] = _float(row[cols["frame"]], line_no, "frame", path)
        for column, i, target in targets:
            value = _float(row[i], line_no, column, path)
            if target.axis < 0:
                confidence[t, target.landmark] = 0.0 if np.isnan(value) else value
            else:
                positions[t, target.landmark, target.axis] = value
    if not np.all(np.isfinite(time_s)) or np.any(np.diff(time_s) <= 0):
        raise InputError("time_s must be present and strictly increasing", path)
    units = _units_of(cols, legacy)
    sidecar = read_sidecar(path, len(data)) or {}
    meta = series_meta(sidecar) if sidecar else {}
    if np.isfinite(frames[0]):
        meta["first_frame"] = int(frames[0])
    if any(target.image_row for _, _, target in targets):
        height = float(sidecar.get("image_height_px") or 0.0)  # without it, Y up from an arbitrary origin
        rows_y = [target.landmark for _, _, target in targets if target.image_row]
        positions[:, rows_y, 1] = height - positions[:, rows_y, 1]
    is_2d = not any(target.axis == 2 for _, _, target in targets) or legacy.get("is_2d", "").lower() == "true"
    if is_2d:
        positions[..., 2] = np.where(np.isfinite(positions[..., 0]), 0.0, np.nan)
    return KeypointSeries(
        positions=positions, time_s=time_s, confidence=confidence, units=units,
        name=sidecar.get("name") or legacy.get("name") or path.stem, is_2d=is_2d, meta=meta,
    )
