"""One executor interface for the run's work: the local process pool or a Dask cluster.

The pipeline opens one with ``open_executor`` and then only uses ``TaskExecutor``: it never asks
which it got. Dask is imported only by ``core.dask_executor``, and only when a scheduler is named.
"""

from __future__ import annotations

from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from core.errors import GaitToolError
from core.process_pool import ParallelProcessor

ResultHook = Callable[[Any, Any], None]


class ExecutorLost(GaitToolError, BrokenExecutor):
    """The executor cannot go on (scheduler lost, a task killed every worker that ran it); the
    message says so in one line. Results already handed back stay valid."""


class Handle(Protocol):
    """A submitted call: ``done()`` without blocking, ``result()`` (re-raises the call's error)."""

    def done(self) -> bool: ...

    def result(self) -> Any: ...


class TaskExecutor(Protocol):
    """Runs picklable calls somewhere and hands results back to this process.

    ``workers``: how many calls run at once (segment plans are cut for it).
    ``run_lanes(fn, lanes, keep_workers=False)``: each lane's tasks in order, up to ``workers`` lanes
    at once; ``(task, fn(task))`` as each completes; ``keep_workers``: more lanes follow at once, so
    local worker processes stay up (a cluster's workers always do).
    ``warm(fn, *args)``: start the workers now and run ``fn(*args)`` in each before any lane (a
    cluster that warms its workers itself may ignore it).
    ``submit(fn, *args)``: one call, as a ``Handle``.
    ``unreachable_inputs(paths)``: ``{path: reason}`` for inputs the workers cannot read.
    ``report()``: what ``performance_report.json`` records about the executor."""

    workers: int

    def run_lanes(self, fn: Callable[[Any], Any], lanes: Iterable[Iterable[Any]],
                  keep_workers: bool = False) -> Iterator[tuple[Any, Any]]: ...

    def warm(self, fn: Callable[..., Any], *args: Any) -> None: ...

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle: ...

    def unreachable_inputs(self, paths: list[Path]) -> dict[Path, str]: ...

    def report(self) -> dict[str, Any]: ...

    def __enter__(self) -> "TaskExecutor": ...

    def __exit__(self, exc_type: Any, *exc: Any) -> None: ...


class DoneHandle:
    """A call already made in this process (its result or its error)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        try:
            self._value = fn(*args)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - handed to whoever asks for the result
            self._error = exc

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._value


class LocalExecutor:
    """The local process pool (``ParallelProcessor``); ``submit`` runs in this process.

    Progress comes from the pose workers themselves (``initializer``/``initargs``), so the
    per-result hook is not needed here."""

    def __init__(
        self, workers: int, tasks_per_worker: int = 0, initializer: Callable[..., None] | None = None,
        initargs: tuple = (), preload: tuple[str, ...] = (), preload_env: dict[str, str] | None = None,
    ) -> None:
        self.processor = ParallelProcessor(workers, tasks_per_worker=tasks_per_worker, initializer=initializer,
                                           initargs=initargs, preload=preload, preload_env=preload_env)
        self.workers = self.processor.workers

    def run_lanes(self, fn: Callable[[Any], Any], lanes: Iterable[Iterable[Any]],
                  keep_workers: bool = False) -> Iterator[tuple[Any, Any]]:
        return self.processor.run_lanes(fn, lanes, keep_workers)

    def warm(self, fn: Callable[..., Any], *args: Any) -> None:
        self.processor.warm(fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        return DoneHandle(fn, *args)

    def unreachable_inputs(self, paths: list[Path]) -> dict[Path, str]:
        return {}  # this process probes every input itself

    def report(self) -> dict[str, Any]:
        return {"kind": "local", "workers": self.workers, "start_method": self.processor.start_method}

    def shutdown(self, cancel: bool = False) -> None:
        self.processor.close(cancel=cancel)

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.shutdown(cancel=exc_type is not None)


def open_executor(
    scheduler: str | None,
    workers: int,
    tasks_per_worker: int = 0,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    on_result: ResultHook | None = None,
    count: Callable[[Any], int] | None = None,
    preload: tuple[str, ...] = (),
    preload_env: dict[str, str] | None = None,
) -> TaskExecutor:
    """The local pool when ``scheduler`` is None, else a Dask client of ``scheduler`` ("local":
    a loopback ``LocalCluster`` of ``workers`` single-threaded processes).

    ``initializer`` runs once in each worker process; ``initargs`` only reach local workers;
    ``on_result(task, result)`` is called in this process as each remote result arrives (the
    local pool reports progress through ``initargs`` instead); ``count(result)``: the frames a
    result holds, for the per-worker figures of the report; ``preload``: modules the local workers
    import once, in the process they are forked from (``ParallelProcessor``); with Dask, this
    process imports them before its LocalCluster starts. ``preload_env``: the local pool's further
    environment (``ParallelProcessor``); Dask's workers build what they need themselves."""
    if scheduler is None:
        return LocalExecutor(workers, tasks_per_worker, initializer, initargs, preload, preload_env)
    from core.dask_executor import DaskExecutor

    return DaskExecutor(scheduler, workers, initializer=initializer, on_result=on_result, count=count,
                        preload=preload)
