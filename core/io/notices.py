"""Notices shown once per user (e.g. "the lite model is not installed"), remembered in a small JSON
file under ``$XDG_CACHE_HOME/gait-video/`` (default ``~/.cache/gait-video/``)."""

from __future__ import annotations

import os
from pathlib import Path

from core.io.atomic import read_json, write_json

NOTICES_FILE = "notices_shown.json"


def _notices_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gait-video" / NOTICES_FILE


def first_time(key: str) -> bool:
    """True the first time ``key`` is asked for (then remembered); also True when the cache cannot be
    read or written, so a notice is never lost."""
    path = _notices_path()
    try:
        shown = read_json(path) if path.is_file() else []
        if not isinstance(shown, list):
            shown = []
        if key in shown:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, sorted({*shown, key}))
    except Exception:  # an unreadable or read-only cache: show the notice every time
        return True
    return True
