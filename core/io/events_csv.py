"""Gait event CSV (``side,event,frame,time_s``), the format of ``../shared/data/README.md``.

The synthetic generator's ``<stem>.truth.json`` (``scripts/make_synthetic_video.py``) is read too: its
``events`` list holds the same four fields.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterable

from core.constants import EVENT_TYPES, SIDES
from core.errors import InputError
from core.io.atomic import read_text_file, write_text
from core.types import GaitEvent

EVENT_COLUMNS = ("side", "event", "frame", "time_s")


def format_events_csv(events: Iterable[GaitEvent]) -> str:
    """Events as CSV text, sorted by time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    for ev in sorted(events, key=lambda e: (e.time_s, e.side, e.event)):
        writer.writerow([ev.side, ev.event, ev.frame, f"{ev.time_s:.4f}"])
    return buf.getvalue()


def write_events_csv(path: str | Path, events: Iterable[GaitEvent]) -> None:
    """Write events atomically to ``path``."""
    write_text(path, format_events_csv(events))


def read_events_csv(path: str | Path, n_frames: int | None = None, rate_hz: float | None = None) -> list[GaitEvent]:
    """Read an events CSV, or the ``events`` of a generator's ``.truth.json``. Rejects unknown
    sides/events and frames outside ``[0, n_frames)``.

    ``time_s`` may be empty when ``rate_hz`` is given (then ``frame / rate_hz``).
    """
    path = Path(path)
    text = read_text_file(path, "events file")
    rows = _json_rows(text, path) if path.suffix.lower() == ".json" else _csv_rows(text, path)
    events = [_event(row, where, path, n_frames, rate_hz) for where, row in rows]
    return sorted(events, key=lambda e: e.time_s)


def _csv_rows(text: str, path: Path) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("side", "event", "frame") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"events CSV lacks column(s) {', '.join(missing)}", path)
    return [(f"line {line_no}", row) for line_no, row in enumerate(reader, start=2)]


def _json_rows(text: str, path: Path) -> list[tuple[str, dict]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"events JSON is not valid JSON ({exc.msg}, line {exc.lineno})", path) from exc
    listed = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(listed, list) or not all(isinstance(e, dict) for e in listed):
        raise InputError("events JSON has no 'events' list (expected a generator's .truth.json, or an events "
                         "CSV with columns side,event,frame,time_s)", path)
    if not listed:
        raise InputError("events JSON lists no events", path)
    return [(f"event {i}", {k: "" if e.get(k) is None else str(e.get(k)) for k in EVENT_COLUMNS})
            for i, e in enumerate(listed)]


def _event(row: dict, where: str, path: Path, n_frames: int | None, rate_hz: float | None) -> GaitEvent:
    side, kind = (row.get("side") or "").strip().lower(), (row.get("event") or "").strip().lower()
    if side not in SIDES:
        raise InputError(f"{where}: unknown side {side!r} (expected left or right)", path)
    if kind not in EVENT_TYPES:
        raise InputError(f"{where}: unknown event {kind!r} (expected heel_strike or toe_off)", path)
    try:
        frame = int(float(row["frame"]))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: frame {row.get('frame')!r} is not a number", path) from exc
    if frame < 0 or (n_frames is not None and frame >= n_frames):
        raise InputError(f"{where}: frame {frame} is out of range [0, {n_frames})", path)
    raw_t = (row.get("time_s") or "").strip()
    if raw_t:
        try:
            time_s = float(raw_t)
        except ValueError as exc:
            raise InputError(f"{where}: time_s {raw_t!r} is not a number", path) from exc
    elif rate_hz:
        time_s = frame / rate_hz
    else:
        raise InputError(f"{where}: time_s is empty and the rate is unknown", path)
    return GaitEvent(side, kind, frame, time_s)
