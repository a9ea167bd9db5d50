"""The pool's fork server: workers start with the preloaded modules, and closing the pool reaps it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil

from core.process_pool import ParallelProcessor

PRELOADED = "colorsys"  # a module nothing else here imports


def _loaded_and_pid(_: int) -> tuple[bool, int]:
    return PRELOADED in sys.modules, os.getpid()


def _forkservers() -> list[psutil.Process]:
    return [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]


def test_preloaded_modules_are_in_the_workers_before_any_task():
    with ParallelProcessor(2, preload=(PRELOADED,)) as proc:
        out = [r for _, r in proc.run_lanes(_loaded_and_pid, [[0], [1]])]
    assert all(loaded for loaded, _ in out)
    assert all(pid != os.getpid() for _, pid in out)


def test_without_preload_workers_are_fresh_interpreters():
    with ParallelProcessor(2) as proc:
        out = [r for _, r in proc.run_lanes(_loaded_and_pid, [[0], [1]])]
    assert not any(loaded for loaded, _ in out)


def test_closing_the_pool_stops_and_reaps_the_fork_server():
    proc = ParallelProcessor(2, preload=(PRELOADED,))
    list(proc.run_lanes(_loaded_and_pid, [[0], [1]], keep_workers=True))
    assert _forkservers()  # it serves the pool
    proc.close()
    assert not _forkservers()  # waited for: its CPU and its workers' count in this process's rusage


def test_workers_import_this_copy_of_the_project_whatever_the_working_folder(tmp_path):
    # another copy of the project in the working folder (a second checkout, an older version) must not
    # be what the fork server preloads: the workers run the code the parent imported
    decoy = tmp_path / "core"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "process_pool.py").write_text("")
    (decoy / "decoy_marker.py").write_text("MARK = 'decoy'\n")
    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from core.process_pool import ParallelProcessor\n"
        "from tests.core.test_process_pool import _core_file\n"
        "if __name__ == '__main__':\n"
        "    with ParallelProcessor(2, preload=('core.constants',)) as proc:\n"
        "        print('|'.join(r for _, r in proc.run_lanes(_core_file, [[0], [1]])))\n"
    )
    (tmp_path / "run.py").write_text(script)
    out = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    files = out.stdout.strip().split("|")
    assert len(files) == 2 and all(Path(f).parent == root / "core" for f in files)


def _core_file(_: int) -> str:
    import core

    return core.__file__


def _env_value(_: int) -> str | None:
    return os.environ.get("GAIT_TEST_SERVER_ENV")


def test_the_fork_servers_environment_reaches_its_workers_only():
    with ParallelProcessor(2, preload=(PRELOADED,), preload_env={"GAIT_TEST_SERVER_ENV": "x"}) as proc:
        out = [r for _, r in proc.run_lanes(_env_value, [[0], [1]])]
    assert out == ["x", "x"]
    assert "GAIT_TEST_SERVER_ENV" not in os.environ
