"""Facts about a run's files for its report: which files it wrote, and the tool's version."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "gait-video"


def files_written_since(folder: str | Path, since_epoch_s: float, ignore: tuple[str, ...] = ()) -> int:
    """Regular files under ``folder`` (recursively) modified at or after ``since_epoch_s`` (seconds since
    the epoch), leaving out the names in ``ignore``."""
    count = 0
    for path in Path(folder).rglob("*"):
        try:
            if path.name not in ignore and path.is_file() and path.stat().st_mtime >= since_epoch_s:
                count += 1
        except OSError:
            continue  # removed while counting
    return count


def project_version() -> str:
    """The version in this checkout's ``pyproject.toml``, else the installed package's."""
    try:
        with open(PROJECT_ROOT / "pyproject.toml", "rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
