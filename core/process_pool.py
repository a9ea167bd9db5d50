"""The local process pool: one MediaPipe graph per worker process, tasks in order (``map_ordered``)
or lanes of consecutive tasks pinned to one worker each (``run_lanes``), started ahead of the work
(``warm``) and replaced after a task quota (bounded memory on long runs)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator


class ParallelProcessor:
    """Runs picklable tasks in ``workers`` processes (or in-process when 1) and yields results in order."""

    def __init__(
        self,
        workers: int,
        max_in_flight: int | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
        tasks_per_worker: int = 0,
        preload: tuple[str, ...] = (),
        preload_env: dict[str, str] | None = None,
    ) -> None:
        """``tasks_per_worker``: after ``workers x tasks_per_worker`` tasks the pool is drained and
        replaced by fresh processes (0 = never). The executor's own ``max_tasks_per_child`` is not
        used: it can deadlock with queued tasks on Python 3.11-3.13 (CPython gh-115634).

        ``preload``: modules imported once, in the process every worker is forked from, so that no worker
        pays their import again (MediaPipe's costs about 0.8 s of CPU per process): on Linux this process
        (``_context``), elsewhere a fork server; an entry "module:function" also has that function called
        there (a fork server only imports the module); empty, or where the platform has neither: each worker is
        a fresh interpreter (spawn). ``preload_env``: environment variables set while the preload is
        imported (e.g. which models it builds, ``core.pose.prebuilt``) and in the workers; this process's
        own environment is left as it was."""
        self.workers = max(1, workers)
        self.initializer = initializer
        self.initargs = initargs
        self.preload = preload
        self.preload_env = dict(preload_env or {})
        self.tasks_per_worker = tasks_per_worker
        self.max_in_flight = max_in_flight or 2 * self.workers
        self._pool: ProcessPoolExecutor | None = None
        self._slots: dict[int, ProcessPoolExecutor] = {}  # run_lanes: one single-process pool per worker
        self._warm_only = False  # workers started by ``warm`` and given nothing else (yet)
        self._warming: threading.Thread | None = None  # ``warm`` starting the workers
        self.start_method: str | None = None  # how the last pool's workers start: "fork", "forkserver" or "spawn"

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        import multiprocessing as mp

        ctx = _context(self.preload, self.preload_env)
        self.start_method = ctx.get_start_method()
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_pool_worker_init,
                                   initargs=(self.initializer, self.initargs, self.preload_env))

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
        return self._pool

    def _slot(self, i: int) -> ProcessPoolExecutor:
        if i not in self._slots:
            self._slots[i] = self._new_pool(1)
        return self._slots[i]

    def warm(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start the worker processes of ``run_lanes`` and run ``fn(*args)`` first in each (e.g. load
        the model while the caller still probes its inputs); lanes submitted later queue behind it.
        Forked from this process (``_fork_platform``) they are started at once, before the caller goes on
        to its own work (no decoder or OpenCV thread of the caller's can be live in a fork); from a fork
        server, from a background thread: a process start waits until the server has imported its preload
        (~0.4 s), which the caller spends on its own work meanwhile. In-process (one worker) nothing
        happens: the first task pays its own start-up."""
        if self.workers == 1:
            return

        def start() -> None:
            try:
                for i in range(self.workers):
                    self._slot(i).submit(fn, *args)
            except Exception:  # noqa: BLE001 - the first real task starts its worker again and reports
                pass

        self._warm_only = True
        if _fork_platform(self.preload):  # a fork takes milliseconds once the preload is imported, here
            start()
            return
        self._warming = threading.Thread(target=start, name="pool-warm", daemon=True)
        self._warming.start()

    def _warmed(self) -> None:
        """Wait until ``warm``'s processes are started (their set-up may still be running)."""
        thread, self._warming = self._warming, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def map_ordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` in task order, keeping at most ``max_in_flight`` submitted."""
        if self.workers == 1:
            for task in tasks:
                yield task, fn(task)
            return
        self._warmed()
        in_flight: list[tuple[Any, Future]] = []
        pool_tasks = self.workers * self.tasks_per_worker
        for submitted, task in enumerate(tasks):
            if pool_tasks and submitted and submitted % pool_tasks == 0:
                yield from _drain(in_flight, 0)  # then fresh processes: bounded memory on long runs
                self.shutdown()
            in_flight.append((task, self._ensure_pool().submit(fn, task)))
            yield from _drain(in_flight, self.max_in_flight - 1)
        while in_flight:
            t, fut = in_flight.pop(0)
            result = fut.result()
            if not in_flight:  # nothing left to run: free the workers' memory before the caller goes on
                self.shutdown()
            yield t, result

    def run_lanes(self, fn: Callable[[Any], Any], lanes: Iterable[Iterable[Any]],
                  keep_workers: bool = False) -> Iterator[tuple[Any, Any]]:
        """Run each lane's tasks one after another, up to ``workers`` lanes at once; yield
        ``(task, fn(task))`` as each task completes (lanes interleave).

        Each running lane is pinned to one worker process (a single-process pool per worker slot), so
        its next task always finds the live state its previous task left there. After
        ``workers x tasks_per_worker`` lanes the processes are replaced once no lane is running.
        At the end the processes are shut down, unless ``keep_workers`` (more lanes follow at once)."""
        lanes = iter(lanes)
        if self.workers == 1:
            for lane in lanes:
                for task in lane:
                    yield task, fn(task)
            return
        self._warmed()
        quota = self.workers * self.tasks_per_worker
        active: dict[Future, tuple[int, Any, Iterator[Any]]] = {}
        free = list(range(self.workers))
        started, recycle = 0, False
        while True:
            while free and not recycle:
                rest = next(lanes, None)
                if rest is None:
                    break
                rest = iter(rest)
                task = next(rest, None)
                if task is None:
                    continue
                slot = free.pop(0)
                self._warm_only = False
                active[self._slot(slot).submit(fn, task)] = (slot, task, rest)
                started += 1
                recycle = bool(quota) and started % quota == 0
            if not active:
                if not recycle:
                    break
                self.shutdown()  # fresh processes: bounded memory on long runs
                recycle = False
                continue
            done, _ = wait(list(active), return_when=FIRST_COMPLETED)
            for fut in done:
                slot, task, rest = active.pop(fut)
                result = fut.result()
                nxt = next(rest, None)
                if nxt is None:
                    free.append(slot)
                else:
                    active[self._slot(slot).submit(fn, nxt)] = (slot, nxt, rest)
                yield task, result
        if not keep_workers:
            self.shutdown()  # nothing left to run: free the workers' memory before the caller goes on

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the worker processes (``cancel``: at once, dropping queued tasks; workers that were only
        warmed are never waited for)."""
        self._warmed()
        cancel = cancel or self._warm_only
        self._warm_only = False
        pools = ([self._pool] if self._pool is not None else []) + list(self._slots.values())
        managers = []
        for pool in pools:
            if cancel:
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
                managers.append(getattr(pool, "_executor_manager_thread", None))
            pool.shutdown(wait=not cancel, cancel_futures=cancel)
        for thread in filter(None, managers):
            # Python < 3.14: the interpreter's exit hook writes to the manager thread's wake-up pipe while that
            # thread may be closing it ("Bad file descriptor" traceback after Ctrl-C, or a hang; CPython
            # gh-125451, gh-132969). With its workers terminated it ends within milliseconds: wait for it here.
            thread.join(timeout=CANCEL_JOIN_S)
        self._pool = None
        self._slots = {}

    def close(self, cancel: bool = False) -> None:
        """``shutdown``, and stop the fork server of a ``preload`` pool where there is one: it is waited for, so its CPU
        and its workers' count in this process's children (``getrusage``), as spawned workers' do."""
        self.shutdown(cancel=cancel)
        if self.preload:
            _stop_fork_server()

    def __enter__(self) -> "ParallelProcessor":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(cancel=exc_type is not None)


def _context(preload: tuple[str, ...], env: dict[str, str] | None = None) -> Any:  # noqa: ANN401 - an mp context
    """Where workers with ``preload`` start: on Linux forked from this process once it has run ``preload``
    (``_preload_here``) and while no thread pool that a fork breaks can run in it (``_fork_safe``); else a fork server
    that has imported the preload's modules (started with ``env`` added to its environment; the first
    request's preload and environment hold); without ``preload``, fresh interpreters (spawn)."""
    import multiprocessing as mp

    if _fork_platform(preload):
        _preload_here(preload, env or {})
        if _fork_safe():
            return mp.get_context("fork")
    if not preload or "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([entry.split(":")[0] for entry in preload])
    _start_fork_server(env or {})
    return ctx


def _fork_platform(preload: tuple[str, ...]) -> bool:
    """Whether workers with ``preload`` may be forked from this process (Linux): a fork server would be a
    second interpreter that imports NumPy, the decoders and the project again (about 0.4 s of CPU per
    run, docs/README_Performance_Optimization.md "Session 16"); elsewhere forking a process that
    has run native libraries is not safe (macOS) or not possible."""
    import multiprocessing as mp

    return bool(preload) and sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


# Longest wait (s) for a cancelled pool's manager thread to end once its workers are terminated (``shutdown``).
CANCEL_JOIN_S = 2.0
FORK_UNSAFE_MODULES = ("torch", "tensorflow", "jax")  # their thread pools (OpenMP's, ...) do not survive a fork


def _fork_safe() -> bool:
    """Whether no native thread pool that a fork breaks can be running here: a forked child that uses such a
    pool hangs. OpenCV's is safe at one thread (``core.pose.prebuilt`` sets that in the preload); OpenBLAS
    (NumPy's) handles forks itself; the libraries of ``FORK_UNSAFE_MODULES`` are not imported. Python's own
    threads are gone in the child and hold none of the locks it uses."""
    cv2 = sys.modules.get("cv2")
    if cv2 is not None and getattr(cv2, "getNumThreads", lambda: 1)() > 1:
        return False
    return not any(name in sys.modules for name in FORK_UNSAFE_MODULES)


def _preload_here(preload: tuple[str, ...], env: dict[str, str]) -> None:
    """Run ``preload`` in this process with ``env`` added to its environment meanwhile: import each entry's
    module and, for an entry "module:function", call that function (e.g. ``core.pose.prebuilt.build_named``
    builds the models named in ``env`` here for the workers, also when the module was imported before)."""
    import importlib

    with _environ(env):
        for entry in preload:
            name, _, func = entry.partition(":")
            module = importlib.import_module(name)
            if func:
                getattr(module, func)()


@contextmanager
def _environ(changes: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``changes`` while the block runs, then as it was (keys it lacked removed again)."""
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _start_fork_server(env: dict[str, str]) -> None:
    """Start the fork server (once) with this copy of the project first on its module path. Python
    3.11's server ignores the path it is sent and imports the preload from its own (the working folder
    first), so another copy of the project there, or an installed older version, would run in every
    worker instead of this one. Only the project's root is added (the parent's whole path can hold a
    library's own folder, e.g. OpenCV's while it loads, whose ``typing`` would shadow the standard one).
    ``env``: further variables for the server only (this process's are restored after its start)."""
    from multiprocessing import forkserver

    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    with _environ({"PYTHONPATH": path, "PYTHONSAFEPATH": "1", **env}):  # no working folder ahead of that path
        forkserver.ensure_running()


def _stop_fork_server() -> None:
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)  # CPython's, private
    if stop is not None:
        stop()


def _pool_worker_init(initializer: Callable[..., None] | None, initargs: tuple, env: dict[str, str]) -> None:
    """A pool worker's set-up: ``env`` added to its environment, Python's default SIGINT and SIGTERM
    handling (a worker forked from this process would run its handlers), ``initializer(*initargs)``, and no
    interpreter teardown at exit. A worker exits only after its last result is sent and multiprocessing
    has flushed its queues; tearing down a MediaPipe graph and every module then still held the pool's
    shutdown (and the run) for seconds (0.2-0.4 s instead of 4.8-5.6 s wall for two warm workers, under load)."""
    import atexit

    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
    atexit.register(os._exit, 0)


def _drain(in_flight: list[tuple[Any, Future]], keep: int) -> Iterator[tuple[Any, Any]]:
    """Yield ``(task, result)`` of the oldest submissions, in order, until at most ``keep`` remain."""
    while len(in_flight) > keep:
        task, fut = in_flight.pop(0)
        yield task, fut.result()
