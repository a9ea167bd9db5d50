"""Atomic writes: a result appears whole or not at all, and no temporary file outlives an interrupt."""

from __future__ import annotations

import os
import stat

import pytest

from core.io import atomic
from core.io.atomic import TEMP_SUFFIX, remove_stale_temps, write_text


def test_write_replaces_whole_with_ordinary_permissions(tmp_path):
    path = tmp_path / "sub" / "out.txt"
    write_text(path, ["a", "b"])
    write_text(path, "c")
    assert path.read_text() == "c" and sorted(p.name for p in path.parent.iterdir()) == ["out.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("when", ["right after the file is created", "while writing"])
def test_an_interrupt_at_any_point_leaves_no_temporary_file(tmp_path, monkeypatch, when):
    real_open = os.open

    def open_then_interrupt(name, flags, mode=0o777):
        fd = real_open(name, flags, mode)
        if str(name).endswith(TEMP_SUFFIX):
            os.close(fd)
            raise KeyboardInterrupt("signal 15")
        return fd

    def pieces():
        yield "first"
        raise KeyboardInterrupt("signal 15")

    if when.startswith("right after"):
        monkeypatch.setattr(atomic.os, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text(tmp_path / "out.txt", pieces() if when == "while writing" else "text")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert remove_stale_temps(tmp_path) == 0
