"""Landmark CSV: one row per frame, named columns, readable by spreadsheets and pandas.

Layout::

    # units=px; is_2d=true; name=walk01
    frame,time_s,nose_x,nose_y,nose_z,nose_confidence,...,right_foot_index_confidence
    0,0.000000,512.250000,880.125000,0.000000,0.9981,...

The first line is a comment holding the series metadata (``units`` "m" or "px", ``is_2d``,
``name``); it is optional when reading (then units "m", 3-D, name = file stem). Coordinates
follow ``KeypointSeries``: Y up, NaN written as an empty cell. On reading, landmark columns
may be absent (NaN, confidence 0) but each landmark present needs all four columns.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

import numpy as np

from core.constants import LANDMARK_INDEX, LANDMARK_NAMES, NUM_LANDMARKS
from core.errors import InputError
from core.io.atomic import read_text_file, write_text
from core.io.text_rows import format_rows
from core.types import KeypointSeries

AXES = ("x", "y", "z")
FIELDS = (*AXES, "confidence")
COLUMNS: tuple[str, ...] = ("frame", "time_s") + tuple(f"{n}_{f}" for n in LANDMARK_NAMES for f in FIELDS)


def _csv_parts(series: KeypointSeries, chunk_frames: int) -> Iterator[str]:
    """The CSV text in pieces: the header, then ``chunk_frames`` rows at a time."""
    name = series.name.replace(";", ",").replace("\n", " ")
    yield f"# units={series.units}; is_2d={str(series.is_2d).lower()}; name={name}\n" + ",".join(COLUMNS) + "\n"
    row_fmt = ",".join(["%d", "%.6f"] + ["%.6f", "%.6f", "%.6f", "%.4f"] * NUM_LANDMARKS) + "\n"
    values = np.concatenate([series.positions, series.confidence[..., None]], axis=2)  # (T, 33, 4)
    yield from format_rows(row_fmt, [np.arange(series.n_frames), series.time_s, values], chunk_frames)


def format_landmarks_csv(series: KeypointSeries) -> str:
    """The CSV text for ``series`` (see the module docstring for the layout)."""
    return "".join(_csv_parts(series, series.n_frames))


def write_landmarks_csv(path: str | Path, series: KeypointSeries, *, chunk_frames: int) -> None:
    """Write ``series`` atomically to ``path``, formatting ``chunk_frames`` rows at a time (memory
    stays bounded on long recordings)."""
    write_text(path, _csv_parts(series, chunk_frames))


def _parse_meta(line: str, path: Path) -> dict[str, str]:
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
    unknown = [c for c in cols if c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown[:5])}; expected <landmark>_x/_y/_z/_confidence", path)
    for name in LANDMARK_NAMES:
        present = [f for f in FIELDS if f"{name}_{f}" in cols]
        if present and len(present) != len(FIELDS):
            lacking = [f"{name}_{f}" for f in FIELDS if f not in present]
            raise InputError(f"incomplete landmark {name}: lacks {', '.join(lacking)}", path)
    return cols


def _float(cell: str, line_no: int, column: str, path: Path) -> float:
    cell = cell.strip()
    if not cell:
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        raise InputError(f"line {line_no}: {column} {cell!r} is not a number", path) from None


def _target(column: str, i: int) -> tuple[str, int, int, int]:
    """(column, cell index, landmark index, axis 0-2 or -1 for confidence)."""
    name, field = column.rsplit("_", 1)
    return column, i, LANDMARK_INDEX[name], AXES.index(field) if field in AXES else -1


def read_landmarks_csv(path: str | Path) -> KeypointSeries:
    """Read a landmark CSV written by ``write_landmarks_csv`` (or any file with its columns)."""
    path = Path(path)
    lines = read_text_file(path, "landmarks file").splitlines()
    meta: dict[str, str] = {}
    first = 0
    while first < len(lines) and lines[first].startswith("#"):
        meta.update(_parse_meta(lines[first], path))
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
    targets = [_target(column, i) for column, i in cols.items() if column not in ("frame", "time_s")]
    for t, row in enumerate(data):
        line_no = first + t + 2
        if len(row) != len(rows[0]):
            raise InputError(f"line {line_no}: {len(row)} cells, header has {len(rows[0])}", path)
        time_s[t] = _float(row[cols["time_s"]], line_no, "time_s", path)
        for column, i, lm, axis in targets:
            value = _float(row[i], line_no, column, path)
            if axis < 0:
                confidence[t, lm] = 0.0 if np.isnan(value) else value
            else:
                positions[t, lm, axis] = value
    if not np.all(np.isfinite(time_s)) or np.any(np.diff(time_s) <= 0):
        raise InputError("time_s must be present and strictly increasing", path)
    return KeypointSeries(
        positions=positions, time_s=time_s, confidence=confidence, units=meta.get("units", "m"),
        name=meta.get("name") or path.stem, is_2d=meta.get("is_2d", "false").lower() == "true",
    )
