"""Atomic file writes: write to a temporary file in the same folder, fsync, then rename."""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import orjson

from core.errors import GaitToolError, InputError


TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")  # what ``atomic_open`` leaves
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temp_path(path: Path) -> str:
    """A free name for ``path``'s temporary sibling, ``.<name>.<8 hex>.tmp``."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        if not tmp.exists():
            return str(tmp)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path``; on clean exit it replaces ``path`` atomically."""
    path = Path(path)
    binary = "b" in mode
    # The name is fixed before the file exists, so an interrupt at any point, even between
    # creating it and entering the cleanup below, leaves nothing behind.
    tmp = _temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _OPEN_FLAGS, 0o666)  # ordinary permissions: 0o666 less the umask
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise GaitToolError(f"cannot write file ({exc.strerror or exc})", path) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise


def remove_stale_temps(folder: str | Path, depth: int = 2, other_root_marker: str | None = None) -> int:
    """Delete temporary files left by an interrupted ``atomic_open`` (a ``kill -9``) under ``folder``,
    down to ``depth`` levels, skipping subfolders that hold ``other_root_marker`` (another run's lock).
    Call only while holding the folder's lock. Returns the number removed."""
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:  # unreadable: nothing of ours to clean there
        return 0
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if depth > 0 and not (other_root_marker and (entry / other_root_marker).exists()):
                removed += remove_stale_temps(entry, depth - 1, other_root_marker)
        elif _TEMP_NAME.match(entry.name):
            _unlink_quietly(str(entry))
            removed += 1
    return removed


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_text(path: str | Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (UTF-8; one string, or pieces written as they come) to ``path`` atomically."""
    with atomic_open(path, "w") as fh:
        for piece in [text] if isinstance(text, str) else text:
            fh.write(piece)



def write_json(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON atomically (numpy arrays and scalars allowed; NaN -> null)."""
    data = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    write_bytes(path, data + b"\n")


def read_text_file(path: str | Path, what: str) -> str:
    """A UTF-8 text input (BOM allowed); ``what`` names it in errors ("events file", "TRC file", ...)."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{what} not found", path) from exc
    except IsADirectoryError as exc:
        raise InputError(f"{what} is a folder", path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} ({exc})", path) from exc


def read_json(path: str | Path) -> Any:
    """Read a JSON file; a clear error names the file when it is missing or invalid."""
    path = Path(path)
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise GaitToolError("file not found", path) from exc
    except orjson.JSONDecodeError as exc:
        raise GaitToolError(f"invalid JSON ({exc})", path) from exc


def read_versioned_json(path: str | Path, version_key: str, version: Any) -> dict[str, Any] | None:
    """A JSON object whose ``version_key`` equals ``version``; None when the file is absent, unreadable,
    not an object or of another version (callers then rebuild or ignore it)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        doc = read_json(path)
    except Exception:
        return None
    return doc if isinstance(doc, dict) and doc.get(version_key) == version else None


def save_figure(fig: Any, path: str | Path, dpi: int = 100) -> None:
    """Save a matplotlib figure as PNG atomically and close it (a bare ``Figure`` has nothing to close)."""
    try:
        with atomic_open(path, "wb") as fh:
            fig.savefig(fh, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})  # 3x faster, files ~1.5x
    finally:
        if getattr(fig.canvas, "manager", None) is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
