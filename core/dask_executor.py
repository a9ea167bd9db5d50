"""``TaskExecutor`` on a Dask cluster (the only module that imports dask/distributed).

Workers read inputs by path, so every input must be on a file system that the workers mount at the
same path. Results come back to this process, which alone writes the keypoint stores and the run
reports. Dask reruns the calls of a worker that dies on another worker; this module records the
time those reruns cost (``retry_lost_s``).
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from concurrent.futures import CancelledError
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from core.errors import GaitToolError
from core.executors import ExecutorLost, ResultHook

CONNECT_TIMEOUT_S = 10.0
WORKERS_TIMEOUT_S = 60.0
START_TOPIC = "gait-call-start"
VERSIONED = ("gait-video", "numpy", "mediapipe", "opencv-contrib-python", "av", "dask", "distributed")
_initialised = False


def _library_versions() -> dict[str, str]:
    """Python and the versions of the libraries that change results or the wire format."""
    import sys

    out = {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _readable(path: str) -> str | None:
    """None when this process can open ``path`` for reading, else why not."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _visible(paths: list[str]) -> tuple[str, dict[str, str | None]]:
    """Worker side: this host's name and, per path, why it cannot be read (None if it can)."""
    return socket.gethostname(), {p: _readable(p) for p in paths}


def _peak_rss_mb() -> float:
    """Peak resident memory of this worker process so far (MB; Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _call(initializer: Callable[[], None] | None, call_id: str, fn: Callable[..., Any], args: tuple) -> tuple:
    """Worker side: run ``fn(*args)`` once the process is set up; returns ``(ok, value, meta)`` so
    that a call's own error is told apart from a lost worker or scheduler."""
    global _initialised
    from distributed import get_worker

    worker = get_worker()
    if initializer is not None and not _initialised:
        initializer()
        _initialised = True
    worker.log_event(START_TOPIC, {"id": call_id, "t": time.time()})
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        ok, value = True, fn(*args)
    except Exception as exc:  # noqa: BLE001 - re-raised in the client
        ok, value = False, exc
    meta = {"worker": worker.address, "host": socket.gethostname(), "wall_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - c0, "end": time.time(), "peak_rss_mb": _peak_rss_mb()}
    return ok, value, meta


class DaskHandle:
    """A call submitted to the cluster."""

    def __init__(self, owner: "DaskExecutor", future: Any, call_id: str) -> None:
        self.owner, self.future, self.call_id = owner, future, call_id

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
    ) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise GaitToolError(f"--scheduler needs Dask distributed ({exc}); install 'dask[distributed]'") from exc
        connect_timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
        self.initializer, self.on_result, self.count = initializer, on_result, count
        logging.getLogger("distributed").setLevel(logging.ERROR)  # no cluster chatter: failures are reported
        self.cluster: Any = None
        self.address = scheduler
        self.calls: dict[str, dict[str, Any]] = {}
        if scheduler == "local":
            self.cluster = _local_cluster(max(1, workers))
            self.address = self.cluster.scheduler_address
        try:
            self.client = Client(self.address, timeout=connect_timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            self._close_cluster()
            raise GaitToolError(f"cannot reach the Dask scheduler at {scheduler} within {connect_timeout_s:.0f} s "
                                f"({_why(exc)}); is `dask scheduler` running there and the port open?") from None
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
            self.workers = max(1, sum(self.client.nthreads().values()))
            self._check_versions()
        except BaseException as exc:
            self.shutdown()
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
            theirs = {"scheduler": self.client.run_on_scheduler(_library_versions), **self.client.run(_library_versions)}
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
        seen = self._guard(lambda: self.client.run(_visible, [str(p) for p in paths]))
        problems: dict[Path, str] = {}
        for addr, (host, reasons) in sorted(seen.items()):
            for p in paths:
                why = reasons.get(str(p))
                if why is not None and p not in problems:
                    problems[p] = (f"the Dask worker on host {host} ({addr}) cannot read this input ({why}); "
                                   "inputs must be on a file system every worker mounts at the same path")
        return problems

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
        return DaskHandle(self, fut, call_id)

    def run_lanes(self, fn: Callable[[Any], Any], lanes: Iterable[Iterable[Any]],
                  keep_workers: bool = False) -> Iterator[tuple[Any, Any]]:
        """Each lane's tasks one after another, up to ``workers`` lanes at once; ``(task, fn(task))``
        as each completes. A lane's next task asks for the worker that ran its previous one (which
        keeps the lane's live decoder and tracker), and goes elsewhere if that worker is gone. The
        cluster's workers stay up whatever ``keep_workers`` says."""
        from distributed import as_completed

        stream = as_completed(loop=self.client.loop)
        active: dict[str, tuple[Any, Iterator[Any], DaskHandle]] = {}
        source = iter(lanes)

        def start(rest: Iterator[Any], worker: str | None = None) -> None:
            task = next(rest, None)
            if task is not None:
                handle = self.submit_to(worker, fn, task)
                active[handle.future.key] = (task, rest, handle)
                stream.add(handle.future)

        try:
            while True:
                while len(active) < self.workers:
                    lane = next(source, None)
                    if lane is None:
                        break
                    start(iter(lane))
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
        client = getattr(self, "client", None)
        if client is not None:
            try:
                client.close(timeout=5)
            except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
                pass
            self.client = None
        self._close_cluster()

    def _close_cluster(self) -> None:
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


NO_PROFILER = {"distributed.worker.profile.enabled": False}


def _local_cluster(workers: int) -> Any:
    """``workers`` processes with one thread each, listening on loopback only, no dashboard, and
    without Dask's sampling profiler (it costs a pose worker about a tenth of its CPU)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(NO_PROFILER):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR)


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
