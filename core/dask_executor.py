"""``TaskExecutor`` on a Dask cluster. With ``core.dask_worker`` (what runs in each worker process
around our calls), the only module that imports dask/distributed.

Workers read inputs by path, so every input must be on a file system that the workers mount at the
same path. Results come back to this process, which alone writes the keypoint stores and the run
reports. Dask reruns the calls of a worker that dies on another worker; this module records the
time those reruns cost (``retry_lost_s``).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import uuid
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from core.dask_worker import NANNY_MALLOC_ENV, START_TOPIC, _call, _library_versions, _visible, _warm
from core.errors import GaitToolError
from core.executors import ExecutorLost, ResultHook

CONNECT_TIMEOUT_S = 10.0
WORKERS_TIMEOUT_S = 60.0


class DaskHandle:
    """A call submitted to the cluster."""

    def __init__(self, owner: "DaskExecutor", future: Any, call_id: str, worker: str | None = None) -> None:
        self.owner, self.future, self.call_id, self.worker = owner, future, call_id, worker

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> Any:
        return self.owner._unwrap(self.future, self.call_id, None)


class DaskExecutor:
    """Client of ``scheduler`` ("local": a loopback ``LocalCluster`` of ``workers`` processes with one
    thread each). Raises ``GaitToolError`` (one line) when the scheduler cannot be reached, has no
    workers, or its workers run other versions than this process."""

    def __init__(
        self,
        scheduler: str,
        workers: int = 1,
        initializer: Callable[[], None] | None = None,
        on_result: ResultHook | None = None,
        count: Callable[[Any], int] | None = None,
        connect_timeout_s: float | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        """``preload``: modules imported here, before a LocalCluster starts spawning its workers in the
        background. A spawned worker copies this process's ``sys.path`` as it is at that moment, and an
        import running meanwhile can change it for a while (OpenCV's loader puts its own folder first,
        whose ``typing`` then shadows the standard one in the worker). Of an entry "module:function"
        (``core.process_pool``) only the module is imported."""
        for name in preload:
            importlib.import_module(name.split(":")[0])
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise GaitToolError(f"--scheduler needs Dask distributed ({exc}); install 'dask[distributed]'") from exc
        self.connect_timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
        self.initializer, self.on_result, self.count = initializer, on_result, count
        logging.getLogger("distributed").setLevel(logging.ERROR)  # no cluster chatter: failures are reported
        self.cluster: Any = None
        self.address = scheduler
        self.local = scheduler == "local"
        self.calls: dict[str, dict[str, Any]] = {}
        self._client: Any = None
        self._warmups: list[Any] = []
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None
        if self.local:  # started in the background while this process probes inputs and scans for walkers
            self.workers = max(1, workers)
            self._starting = threading.Thread(target=self._start_local, name="dask-local-cluster", daemon=True)
            self._starting.start()
        else:
            self._connect()

    @property
    def client(self) -> Any:
        """The connected client; waits for a LocalCluster still starting (and raises its start error)."""
        if self._starting is not None and self._starting is not threading.current_thread():
            self._starting.join()
            self._starting = None
        if self._start_error is not None:
            raise self._start_error
        return self._client

    def _start_local(self) -> None:
        try:
            self.cluster = _local_cluster(self.workers)
            self.address = self.cluster.scheduler_address
            self._connect()
        except GaitToolError as exc:
            self._start_error = exc
        except BaseException as exc:  # noqa: BLE001 - raised where the client is first needed
            self._close()
            self._start_error = GaitToolError(f"cannot start a local Dask cluster ({_why(exc)})")

    def _connect(self) -> None:
        """Connect, wait for a worker, compare versions, and start setting every worker up."""
        from distributed import Client

        try:
            self._client = Client(self.address, timeout=self.connect_timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            self._close()
            raise GaitToolError(f"cannot reach the Dask scheduler at {self.address} within "
                                f"{self.connect_timeout_s:.0f} s ({_why(exc)}); is `dask scheduler` running there "
                                "and the port open?") from None
        try:
            self._client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
            if not self.local:
                self.workers = max(1, sum(self._client.nthreads().values()))
            self._check_versions()
            self._warmups = [
                self._client.submit(_warm, self.initializer, key=f"gait-warm-{uuid.uuid4().hex}", workers=[addr],
                                    pure=False)
                for addr in self._client.nthreads()
            ]
        except BaseException as exc:
            self._close()
            if isinstance(exc, GaitToolError):
                raise
            if isinstance(exc, (OSError, TimeoutError)):
                raise GaitToolError(f"the Dask scheduler at {self.address} has no worker after "
                                    f"{WORKERS_TIMEOUT_S:.0f} s; start `dask worker {self.address}`") from None
            raise

    def _check_versions(self) -> None:
        """Scheduler and workers must load this package's tasks and run the client's versions."""
        mine = _library_versions()
        try:
            theirs = {"scheduler": self._client.run_on_scheduler(_library_versions),
                      **self._client.run(_library_versions)}
        except (OSError, TimeoutError):
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. ModuleNotFoundError raised on the scheduler
            raise GaitToolError(f"the Dask cluster at {self.address} cannot load this package ({_why(exc)}); start "
                                "`dask scheduler` and `dask worker` in the client's environment, with this project "
                                "importable (docs/distributed.md)") from None
        for addr, versions in theirs.items():
            diff = [f"{k} {versions.get(k)} (here {v})" for k, v in mine.items() if versions.get(k) != v]
            if diff:
                raise GaitToolError(f"Dask {'' if addr == 'scheduler' else 'worker '}{addr} runs other versions than this client: {', '.join(diff)}; "
                                    "install the same environment on every worker")

    # -- TaskExecutor -------------------------------------------------------------------------
    def unreachable_inputs(self, paths: list[Path]) -> dict[Path, str]:
        names = [str(p) for p in paths]
        if self.local:  # a LocalCluster's workers are this user's processes on this host: no need to wait for them
            seen = {"local": _visible(names)}
        else:
            seen = self._guard(lambda: self.client.run(_visible, names))
        problems: dict[Path, str] = {}
        for addr, (host, reasons) in sorted(seen.items()):
            for p in paths:
                why = reasons.get(str(p))
                if why is not None and p not in problems:
                    problems[p] = (f"the Dask worker on host {host} ({addr}) cannot read this input ({why}); "
                                   "inputs must be on a file system every worker mounts at the same path")
        return problems

    def warm(self, fn: Callable[..., Any], *args: Any) -> None:
        """Nothing: each worker already loads MediaPipe as it joins (``_warm``)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> DaskHandle:
        return self.submit_to(None, fn, *args)

    def submit_to(self, worker: str | None, fn: Callable[..., Any], *args: Any) -> DaskHandle:
        """``submit``, preferring ``worker`` (any other when it is gone or busy)."""
        call_id = uuid.uuid4().hex
        where = {} if worker is None else {"workers": [worker], "allow_other_workers": True}
        fut = self._guard(lambda: self.client.submit(_call, self.initializer, call_id, fn, args,
                                                     key=f"gait-{getattr(fn, '__name__', 'call')}-{call_id}",
                                                     pure=False, **where))
        self.calls[call_id] = {"submitted": time.time()}
        return DaskHandle(self, fut, call_id, worker)

    def run_lanes(self, fn: Callable[[Any], Any], lanes: Iterable[Iterable[Any]],
                  keep_workers: bool = False) -> Iterator[tuple[Any, Any]]:
        """Each lane's tasks one after another, up to ``workers`` lanes at once; ``(task, fn(task))``
        as each completes. A lane's next task asks for the worker that ran its previous one (which
        keeps the lane's live decoder and tracker), and goes elsewhere if that worker is gone. The
        cluster's workers stay up whatever ``keep_workers`` says."""
        from distributed import as_completed

        stream: Any = None  # made at the first submit: the first lane (and the walker scan it needs) comes first
        active: dict[str, tuple[Any, Iterator[Any], DaskHandle]] = {}
        source = iter(lanes)

        def start(rest: Iterator[Any], worker: str | None = None) -> None:
            nonlocal stream
            task = next(rest, None)
            if task is not None:
                handle = self.submit_to(worker, fn, task)
                active[handle.future.key] = (task, rest, handle)
                if stream is None:
                    stream = as_completed(loop=self.client.loop)
                stream.add(handle.future)

        try:
            while True:
                while len(active) < self.workers:
                    lane = next(source, None)
                    if lane is None:
                        break
                    start(iter(lane), self._free_worker({h.worker for _, _, h in active.values()}))
                if not active:
                    return
                fut = self._guard(lambda: next(stream))
                task, rest, handle = active.pop(fut.key)
                result = self._unwrap(fut, handle.call_id, task)
                start(rest, self.calls[handle.call_id]["meta"]["worker"])
                yield task, result
        except BaseException:
            for _, _, handle in active.values():
                handle.future.cancel()
            raise

    def _free_worker(self, taken: set[str | None]) -> str | None:
        """A worker that no running lane asked for (None when each has one). A new lane starts there, so
        that two lanes never queue on one worker (one of them then moving, and warming up again, when
        another worker frees up) while a worker still busy with its set-up looks unavailable."""
        workers = self._guard(lambda: sorted(self.client.nthreads()))
        return next((w for w in workers if w not in taken), None)

    def _unwrap(self, future: Any, call_id: str, task: Any) -> Any:
        ok, value, meta = self._guard(future.result)
        if call_id in self.calls and "meta" not in self.calls[call_id]:
            self.calls[call_id]["meta"] = meta
            self.calls[call_id]["n"] = self.count(value) if task is not None and ok and self.count else 0
            self.calls[call_id]["mapped"] = task is not None
            if task is not None and self.on_result is not None and ok:
                self.on_result(task, value)
        if not ok:
            raise value
        return value

    def _guard(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, with a lost scheduler or a task that killed its workers turned into ``ExecutorLost``."""
        from distributed import KilledWorker

        try:
            return fn()
        except KilledWorker as exc:
            raise ExecutorLost(f"a Dask task killed every worker that ran it ({exc}); the frames stored so far "
                               "are kept and a rerun resumes from them") from None
        except CancelledError:
            raise ExecutorLost(f"lost the Dask scheduler at {self.address}; the frames stored so far are kept "
                               "and a rerun resumes from them") from None
        except (OSError, TimeoutError) as exc:
            raise ExecutorLost(f"lost the Dask scheduler at {self.address} ({_why(exc)}); the frames stored so "
                               "far are kept and a rerun resumes from them") from None

    def report(self) -> dict[str, Any]:
        """Scheduler, workers, per-worker frames and pose-task times (``run_lanes`` tasks; ``calls`` counts
        every call), and the time lost to reruns."""
        per_worker: dict[str, dict[str, Any]] = {}
        for call in self.calls.values():
            meta = call.get("meta")
            if meta is None:
                continue
            w = per_worker.setdefault(meta["worker"], {"host": meta["host"], "frames": 0, "tasks": 0,
                                                       "task_cpu_s": 0.0, "task_wall_s": 0.0, "calls": 0})
            w["calls"] += 1
            w["peak_rss_mb"] = round(max(w.get("peak_rss_mb", 0.0), meta["peak_rss_mb"]), 1)
            if call.get("mapped"):
                w["frames"] += call["n"]
                w["tasks"] += 1
                w["task_cpu_s"] = round(w["task_cpu_s"] + meta["cpu_s"], 3)
                w["task_wall_s"] = round(w["task_wall_s"] + meta["wall_s"], 3)
        retries, lost_s = self._retries()
        return {"kind": "dask", "scheduler": self.address, "workers": self.workers,
                "per_worker": per_worker, "calls": len(self.calls), "retried_calls": retries,
                "retry_lost_s": round(lost_s, 3)}

    def _retries(self) -> tuple[int, float]:
        """Calls started more than once, and the seconds between each one's first start and the start of
        the run that finished (the work a dead worker took with it, plus the time to notice)."""
        starts: dict[str, list[float]] = {}
        try:
            for _, msg in self.client.get_events(START_TOPIC):
                if isinstance(msg, dict) and msg.get("id") in self.calls:
                    starts.setdefault(msg["id"], []).append(float(msg["t"]))
        except Exception:  # noqa: BLE001 - the scheduler may be gone; report what is known
            return 0, 0.0
        retried = {k: sorted(v) for k, v in starts.items() if len(v) > 1}
        lost = 0.0
        for call_id, ts in retried.items():
            meta = self.calls[call_id].get("meta")
            final_start = meta["end"] - meta["wall_s"] if meta else ts[-1]
            lost += max(0.0, final_start - ts[0])
        return len(retried), lost

    def shutdown(self, cancel: bool = False) -> None:
        starting = self._starting
        if starting is not None and starting is not threading.current_thread():
            starting.join()  # a LocalCluster still starting: let it finish, then close it
            self._starting = None
        self._close()

    def _close(self) -> None:
        """Close the client, then the LocalCluster this executor started (if any)."""
        self._warmups = []
        if self._client is not None:
            try:
                self._client.close(timeout=5)
            except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
                pass
            self._client = None
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=10)
            except Exception:  # noqa: BLE001
                pass
            self.cluster = None

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.shutdown(cancel=exc_type is not None)


# Dask's own monitoring wakes a worker's event loop 50 times a second (tick), samples its system
# every 0.5 s and its memory every 0.1 s: about 2 ms of a pose worker's CPU per 1080p frame, which
# these slower rates give back (scripts/benchmark_distributed.py). The profiler costs a tenth.
QUIET_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def local_cluster_config() -> dict[str, Any]:
    """Dask settings of a LocalCluster's workers: ``QUIET_WORKER_CONFIG``, and spawned without the
    nanny's ``MALLOC_TRIM_THRESHOLD_``, so that their allocator is the local pool workers'
    (see ``_restore_malloc``)."""
    import dask
    import distributed  # noqa: F401 - loads distributed's defaults into dask.config

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop(NANNY_MALLOC_ENV, None)
    return {**QUIET_WORKER_CONFIG, "distributed.nanny.pre-spawn-environ": environ}


def _local_cluster(workers: int) -> Any:
    """``workers`` processes with one thread each, listening on loopback only, no dashboard, set up
    by ``local_cluster_config``."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(local_cluster_config()):
        # The scheduler's HTTP server (health and metrics) on any free loopback port: on its default
        # port it warns on stderr whenever another cluster holds that port.
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR,
                            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
