"""Gait event CSV (``side,event,frame,time_s``), the format of ``../shared/data/README.md``."""

from __future__ import annotations

import csv
import io
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
    """Read an events CSV. Rejects unknown sides/events and frames outside ``[0, n_frames)``.

    ``time_s`` may be empty when ``rate_hz`` is given (then ``frame / rate_hz``).
    """
    path = Path(path)
    text = read_text_file(path, "events file")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("side", "event", "frame") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"events CSV lacks column(s) {', '.join(missing)}", path)
    events: list[GaitEvent] = []
    for line_no, row in enumerate(reader, start=2):
        side, kind = (row.get("side") or "").strip().lower(), (row.get("event") or "").strip().lower()
        if side not in SIDES:
            raise InputError(f"line {line_no}: unknown side {side!r} (expected left or right)", path)
        if kind not in EVENT_TYPES:
            raise InputError(f"line {line_no}: unknown event {kind!r} (expected heel_strike or toe_off)", path)
        try:
            frame = int(float(row["frame"]))
        except (TypeError, ValueError) as exc:
            raise InputError(f"line {line_no}: frame {row.get('frame')!r} is not a number", path) from exc
        if frame < 0 or (n_frames is not None and frame >= n_frames):
            raise InputError(f"line {line_no}: frame {frame} is out of range [0, {n_frames})", path)
        raw_t = (row.get("time_s") or "").strip()
        if raw_t:
            try:
                time_s = float(raw_t)
            except ValueError as exc:
                raise InputError(f"line {line_no}: time_s {raw_t!r} is not a number", path) from exc
        elif rate_hz:
            time_s = frame / rate_hz
        else:
            raise InputError(f"line {line_no}: time_s is empty and the rate is unknown", path)
        events.append(GaitEvent(side, kind, frame, time_s))
    return sorted(events, key=lambda e: e.time_s)
