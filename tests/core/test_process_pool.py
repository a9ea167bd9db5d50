"""Where the pool's workers start: with the preloaded modules (forked from this process on Linux, else from a
fork server), fresh without a preload; closing the pool reaps them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from core.process_pool import FORK_UNSAFE_MODULES, ParallelProcessor, _fork_safe

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


def test_with_a_preload_workers_are_forked_from_this_process_and_closing_reaps_them():
    proc = ParallelProcessor(2, preload=(PRELOADED,))
    out = [r for _, r in proc.run_lanes(_pids, [[0], [1]], keep_workers=True)]
    if sys.platform.startswith("linux") and _fork_safe():
        assert [ppid for _, ppid in out] == [os.getpid()] * 2 and not _forkservers()  # no second interpreter
    else:
        assert _forkservers() and all(ppid != os.getpid() for _, ppid in out)
    workers = [psutil.Process(pid) for pid, _ in out]
    assert all(p.is_running() for p in workers)
    proc.close()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers)
    assert not _forkservers()


def _pids(_: int) -> tuple[int, int]:
    return os.getpid(), os.getppid()


def _signal_handlers(_: int) -> tuple[bool, bool]:
    return (signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
            signal.getsignal(signal.SIGINT) is signal.default_int_handler)


def _custom_handler(signum: int, frame: object) -> None:
    raise RuntimeError("the parent's handler")


def test_workers_handle_sigterm_and_sigint_as_python_does_not_as_their_parent():
    previous = {s: signal.signal(s, _custom_handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with ParallelProcessor(2, preload=(PRELOADED,)) as proc:
            out = [r for _, r in proc.run_lanes(_signal_handlers, [[0], [1]])]
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    assert out == [(True, True), (True, True)]


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
        "from core.process_pool import FORK_UNSAFE_MODULES, ParallelProcessor, _fork_safe\n"
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


class _OpenCV:
    def __init__(self, threads: int) -> None:
        self.threads = threads

    def getNumThreads(self) -> int:  # noqa: N802 - OpenCV's name
        return self.threads


def test_no_fork_while_a_thread_pool_that_a_fork_breaks_may_run(monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", _OpenCV(1))
    for name in FORK_UNSAFE_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert _fork_safe()
    monkeypatch.setitem(sys.modules, "cv2", _OpenCV(2))  # OpenCV's pool, live in a child that uses it: a hang
    assert not _fork_safe()
    monkeypatch.setitem(sys.modules, "cv2", _OpenCV(1))
    monkeypatch.setitem(sys.modules, "torch", object())  # OpenMP's pool
    assert not _fork_safe()


def test_where_forking_is_not_safe_the_workers_come_from_a_fork_server(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", object())
    with ParallelProcessor(2, preload=(PRELOADED,)) as proc:
        out = [r for _, r in proc.run_lanes(_pids, [[0], [1]])]
    assert all(ppid != os.getpid() for _, ppid in out)


def _sleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_a_cancelled_pool_leaves_no_manager_thread_for_the_exit_hook():
    # After Ctrl-C the pool is cancelled (workers terminated, shutdown without waiting). Its manager thread used
    # to outlive that, so the interpreter's exit hook raced it on its wake-up pipe: a "Bad file descriptor"
    # traceback after the interrupt message, or a hang (tests/usecases/test_reliability_interruption.py under load).
    import threading
    from concurrent.futures.process import _ExecutorManagerThread

    def managers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if isinstance(t, _ExecutorManagerThread) and t.is_alive()]

    proc = ParallelProcessor(2)
    proc.warm(_sleep, 5.0)  # both workers busy for 5 s
    proc._warmed()
    assert len(managers()) == 2
    proc.shutdown(cancel=True)
    assert managers() == []
