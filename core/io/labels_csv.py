"""``video,label[,group]`` CSV for whole-video classification."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.io.atomic import read_text_file


@dataclass(frozen=True)
class VideoLabel:
    """``video`` as written in the CSV (a file name or a path relative to the CSV's folder)."""

    video: str
    label: str
    group: str | None


def read_labels_csv(path: str | Path) -> list[VideoLabel]:
    """Read a labels CSV; errors name the file and line."""
    path = Path(path)
    text = read_text_file(path, "labels file")
    reader = csv.DictReader(io.StringIO(text))
    if not {"video", "label"} <= set(reader.fieldnames or []):
        raise InputError("labels CSV needs the columns video,label", path)
    rows = []
    for line_no, row in enumerate(reader, start=2):
        video, label = (row.get("video") or "").strip(), (row.get("label") or "").strip()
        if not video or not label:
            raise InputError(f"line {line_no}: empty video or label", path)
        rows.append(VideoLabel(video, label, (row.get("group") or "").strip() or None))
    if not rows:
        raise InputError("labels CSV has no rows", path)
    return rows
