"""Input discovery (files, folders, globs), safe output names, and the output-folder lock."""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import re
import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.errors import InputError, OutputLockedError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp", ".mts", ".m2ts")
KEYPOINT_SUFFIXES = (".trc", ".c3d", ".csv")


@dataclass(frozen=True)
class InputProblem:
    """An input argument that names no usable file."""

    argument: str
    reason: str


def expand_inputs(arguments: list[str], suffixes: tuple[str, ...]) -> tuple[list[Path], list[InputProblem]]:
    """Files, folders (their files with ``suffixes``, sorted) and globs -> unique paths, plus problems.

    A folder's hidden files are left out: macOS writes ``._walk.mp4`` beside ``walk.mp4`` on USB drives
    and network shares (resource forks, not videos), and a glob's ``*`` skips them too."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    for arg in arguments:
        path = Path(arg).expanduser()
        if glob.has_magic(arg) and not path.exists():
            matches = sorted(Path(m) for m in glob.glob(os.path.expanduser(arg), recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                problems.append(InputProblem(arg, "glob matches no file"))
            found.extend(files)
        elif path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))
            if not files:
                problems.append(InputProblem(arg, f"folder contains no {'/'.join(suffixes)} file"))
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            problems.append(InputProblem(arg, "no such file or folder"))
    unique: dict[Path, None] = {}
    for p in found:
        unique.setdefault(p.resolve(), None)
    return list(unique), problems


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def safe_name(stem: str) -> str:
    """A file-name component that cannot escape a folder: no separators, no leading dots."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", stem)).strip("._") or "input"
    return name[:80]


RESERVED_NAMES = frozenset({"training", "demo_input"})  # run-level folders inside the output folder


def output_names(paths: list[Path]) -> dict[Path, str]:
    """One distinct, safe folder name per input; inputs whose safe names collide (``walk.mp4`` and
    ``walk.mov``, ``a b.mp4`` and ``a_b.mp4``) or are reserved get a short hash of their full path."""
    bases = {p: safe_name(p.stem) for p in paths}
    counts: dict[str, int] = {}
    for base in bases.values():
        counts[base.lower()] = counts.get(base.lower(), 0) + 1
    names = {}
    for p, base in bases.items():
        if counts[base.lower()] > 1 or base.lower() in RESERVED_NAMES:
            base = f"{base}-{hashlib.sha1(str(p).encode()).hexdigest()[:8]}"
        names[p] = base
    return names


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, guaranteed to stay inside ``folder`` (also through symbolic links)."""
    target = (folder / name).resolve()
    root = folder.resolve()
    if root == target or root not in target.parents:
        raise InputError(f"output folder for {name!r} would be outside {root} (a '..' name or a symbolic link)",
                         folder / name)
    return target


class OutputLock:
    """An exclusive lock on an output folder (``.gait_analysis.lock``), released on exit or crash."""

    NAME = ".gait_analysis.lock"

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / self.NAME
        self._fh: IO[str] | None = None

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fh = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                fh.close()
                raise OutputLockedError(
                    f"output folder is in use by {holder} (lock {self.path}); wait for it or choose another --output"
                ) from None
            if self._still_linked(fh):
                break
            fh.close()  # the previous holder removed the file while we waited for it: lock the new one
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh
        _HELD.add(self)
        return self

    def _still_linked(self, fh: IO[str]) -> bool:
        """Whether the locked file is still the one at ``self.path`` (the holder removes it on exit)."""
        try:
            return os.stat(self.path).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            try:
                self.path.unlink()  # removed while still locked, so that no run locks a dead file
            except FileNotFoundError:
                pass
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
        _HELD.discard(self)


_HELD: "weakref.WeakSet[OutputLock]" = weakref.WeakSet()  # the locks this process holds


def _release_in_child() -> None:
    """A forked child (a pose worker, ``core.process_pool``) closes its copies of the output locks' files
    without unlocking them: the lock is its parent's, and a child that outlives a killed parent for a
    moment must not keep the folder locked against the rerun."""
    for lock in list(_HELD):
        if lock._fh is not None:
            lock._fh.close()
            lock._fh = None
    _HELD.clear()


os.register_at_fork(after_in_child=_release_in_child)
