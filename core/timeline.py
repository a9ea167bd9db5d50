"""A run's timeline: when each phase ran, which processes were busy, and where cores sat idle.

``Timeline`` is fed by ``PerformanceMonitor``: ``sample()`` (every ~0.1 s, from its background
thread) reads each process of the tree's CPU seconds and how many of its threads are runnable;
``mark(name, start_s, end_s, cpu_s)`` records a phase run by the main process. ``report(cores)``
turns both into plain data:

- phases: first start, last end, wall and CPU seconds, idle core-seconds within them;
- processes: role, start and last-seen time, CPU seconds;
- the critical path: wall time in which fewer threads than cores were runnable (cores left idle
  by the run itself), the CPU seconds spent in that time (serial work), the idle core-seconds,
  and the same before the first pose batch and after the last one.

Runnable threads (Linux: state R in ``/proc``) are counted rather than CPU used, so that a machine
loaded by other jobs stretches the wall times but leaves the shares about the same; elsewhere a
process counts as one runnable thread when it used half a core in the interval.
Times are seconds since the monitor started (``time.perf_counter`` clock).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

BUSY_FRACTION = 0.5  # a process is busy in a sampling interval when it used >= half a core
TREE_EVERY = 5  # samples between two look-ups of the process tree (the costly part of a sample)
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class _Proc:
    role: str
    start_s: float
    last_s: float
    cpu_s: float = 0.0


@dataclass
class Timeline:
    """Phase marks and per-process CPU samples of one run (see the module docstring)."""

    t0: float = field(default_factory=time.perf_counter)
    marks: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    # (interval end s, interval s, CPU s used by the tree in it, runnable threads at its end)
    samples: list[tuple[float, float, float, int]] = field(default_factory=list)
    procs: dict[int, _Proc] = field(default_factory=dict)
    _last_t: float | None = None
    _workers: int = 0
    _n: int = 0
    _pids: list[int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def mark(self, name: str, start_s: float, end_s: float, cpu_s: float) -> None:
        """A phase ``name`` ran from ``start_s`` to ``end_s`` (monitor seconds) using ``cpu_s`` of the tree."""
        self.marks.setdefault(name, []).append((start_s, end_s, cpu_s))

    def sample(self, root: psutil.Process) -> int:
        """Read the CPU seconds of ``root`` and its descendants, record what each used since the last
        call, and return the tree's resident memory in bytes."""
        with self._lock:
            return self._sample(root)

    def _sample(self, root: psutil.Process) -> int:
        t = self.now()
        self._n += 1
        if self._pids is None or self._n % TREE_EVERY == 0:
            self._pids = _tree_pids(root)
        used, runnable, rss = 0.0, 0, 0
        me = threading.get_native_id()
        for pid in self._pids:
            got = _cpu_rss(pid)
            if got is None:
                continue
            cpu, rss_bytes = got
            rss += rss_bytes
            known = self.procs.get(pid)
            if known is None:
                try:
                    proc = psutil.Process(pid)
                    known = self.procs[pid] = _Proc(self._role(proc, root), self._started(proc), t)
                except psutil.Error:
                    continue
            delta = max(0.0, cpu - known.cpu_s)
            known.cpu_s, known.last_s = cpu, t
            if self._last_t is not None:
                used += delta
                threads = _runnable_threads(pid, me)
                runnable += threads if threads is not None else delta >= BUSY_FRACTION * (t - self._last_t)
        if self._last_t is not None and t > self._last_t:
            self.samples.append((t, t - self._last_t, used, runnable))
        self._last_t = t
        return rss

    def _role(self, proc: psutil.Process, root: psutil.Process) -> str:
        """"main", "worker N" (a multiprocessing child: spawned, from a fork server, or forked from the main
        process, whose command line it keeps), "helper" (its resource tracker or fork server) or the
        program's name."""
        if proc.pid == root.pid:
            return "main"
        try:
            cmd = " ".join(proc.cmdline())
            name = proc.name()
            server = "forkserver" in cmd and proc.ppid() == root.pid
            forked = proc.ppid() == root.pid and cmd == " ".join(root.cmdline())
        except psutil.Error:
            return "other"
        if "resource_tracker" in cmd or server:
            return "helper"  # the resource tracker, or the fork server the workers are forked from
        if "spawn_main" not in cmd and "forkserver" not in cmd and not forked:
            return name[:10]
        self._workers += 1
        return f"worker {self._workers}"

    def _started(self, proc: psutil.Process) -> float:
        """When ``proc`` started, in monitor seconds (``/proc`` to the clock tick where it can, since
        psutil's boot time is rounded to whole seconds)."""
        try:
            with open(f"/proc/{proc.pid}/stat", "rb") as f:
                ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
            with open("/proc/uptime", "rb") as f:
                uptime_s = float(f.read().split()[0])
            age_s = uptime_s - ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            try:
                age_s = time.time() - proc.create_time()
            except psutil.Error:
                age_s = 0.0
        return max(0.0, self.now() - age_s)

    def report(self, cores: int) -> dict[str, Any]:
        """Phases, processes and the critical path as plain data (seconds, rounded to ms)."""
        with self._lock:
            return self._report(cores)

    def _report(self, cores: int) -> dict[str, Any]:
        phases = {}
        for name, spans in self.marks.items():
            phases[name] = {
                "start_s": _r(min(s for s, _, _ in spans)), "end_s": _r(max(e for _, e, _ in spans)),
                "wall_s": _r(sum(e - s for s, e, _ in spans)), "cpu_s": _r(sum(c for _, _, c in spans)),
                "idle_core_s": _r(sum(self._idle(s, e, cores) for s, e, _ in spans)),
            }
        procs = [{"pid": pid, "role": p.role, "start_s": _r(p.start_s), "last_seen_s": _r(p.last_s), "cpu_s": _r(p.cpu_s)}
                 for pid, p in self.procs.items()]
        end = self.samples[-1][0] if self.samples else self.now()
        below = sum(dt for _, dt, _, busy in self.samples if busy < cores)
        serial_cpu = sum(used for _, _, used, busy in self.samples if busy < cores)
        cpu = sum(used for _, _, used, _ in self.samples)
        idle = self._idle(0.0, end, cores)
        return {"cores": cores, "sampled_wall_s": _r(end), "sampled_cpu_s": _r(cpu), "phases": phases,
                "processes": procs,
                "critical_path": {
                    "wall_below_all_cores_busy_s": _r(below),
                    "wall_below_all_cores_busy_share": _r(below / end if end > 0 else 0.0),
                    "serial_cpu_s": _r(serial_cpu), "serial_cpu_share": _r(serial_cpu / cpu if cpu > 0 else 0.0),
                    "idle_core_s": _r(idle),
                    "idle_core_share": _r(idle / (cores * end) if end > 0 else 0.0),
                    **self._edges(cores, end)}}

    def _edges(self, cores: int, end: float) -> dict[str, float]:
        """Serial time at both ends of the pose phase: from the start to the first pose batch, and
        from the last pose batch to the end, with their idle core-seconds."""
        pose = self.marks.get("pose")
        if not pose:
            return {}
        first, last = min(s for s, _, _ in pose), max(e for _, e, _ in pose)
        first_batch = min(e for _, e, _ in pose)
        return {"before_first_pose_batch_s": _r(first_batch), "before_first_pose_batch_idle_core_s":
                _r(self._idle(0.0, first_batch, cores)), "pose_start_s": _r(first),
                "after_last_pose_batch_s": _r(max(0.0, end - last)),
                "after_last_pose_batch_idle_core_s": _r(self._idle(last, end, cores))}

    def _idle(self, start: float, end: float, cores: int) -> float:
        """Core-seconds the run left unused between ``start`` and ``end``: cores without a runnable
        thread of the tree (sampled intervals overlapping them)."""
        idle = 0.0
        for t, dt, _, runnable in self.samples:
            lo, hi = max(start, t - dt), min(end, t)
            if hi > lo:
                idle += (hi - lo) * max(0, cores - runnable)
        return idle


def _tree_pids(root: psutil.Process) -> list[int]:
    """``root`` and its descendants (``/proc/<pid>/task/<tid>/children`` where the kernel has it: it
    reads a few files instead of every process's)."""
    if not os.path.exists(f"/proc/{root.pid}/task/{root.pid}/children"):
        try:
            return [root.pid, *(p.pid for p in root.children(recursive=True))]
        except psutil.Error:
            return [root.pid]
    pids, i = [root.pid], 0
    while i < len(pids):
        pid, i = pids[i], i + 1
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    pids.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                continue
    return pids


def _cpu_rss(pid: int) -> tuple[float, int] | None:
    """User + system CPU seconds and resident bytes of ``pid``; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * _TICK_S, int(fields[21]) * _PAGE_BYTES
    except OSError:
        pass
    except (ValueError, IndexError):
        return None
    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        return times.user + times.system, proc.memory_info().rss
    except psutil.Error:
        return None


def _runnable_threads(pid: int, exclude_tid: int) -> int | None:
    """Threads of ``pid`` in state R (running or waiting for a core), but ``exclude_tid``; None
    where ``/proc`` cannot tell."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    n = 0
    for tid in tids:
        if int(tid) == exclude_tid:
            continue
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        n += stat[stat.rfind(b")") + 2: stat.rfind(b")") + 3] == b"R"
    return n


def _r(x: float) -> float:
    return round(float(x), 3)


def format_timeline(report: dict[str, Any]) -> str:
    """A text table of ``Timeline.report()``: phases, processes, then the critical path."""
    lines = [f"{'phase':<10}{'start s':>9}{'end s':>8}{'wall s':>8}{'CPU s':>8}{'idle core-s':>13}"]
    for name, p in sorted(report["phases"].items(), key=lambda kv: kv[1]["start_s"]):
        lines.append(f"{name:<10}{p['start_s']:>9.2f}{p['end_s']:>8.2f}{p['wall_s']:>8.2f}{p['cpu_s']:>8.2f}"
                     f"{p['idle_core_s']:>13.2f}")
    lines.append(f"{'process':<10}{'start s':>9}{'last s':>8}{'CPU s':>8}")
    for p in report["processes"]:
        lines.append(f"{p['role']:<10}{p['start_s']:>9.2f}{p['last_seen_s']:>8.2f}{p['cpu_s']:>8.2f}")
    return "\n".join(lines + critical_path_lines(report))


def critical_path_lines(report: dict[str, Any]) -> list[str]:
    """The critical path of ``Timeline.report()`` in one or two lines."""
    cores, cp = report["cores"], report["critical_path"]
    lines = [f"fewer than {cores} threads runnable: {cp['wall_below_all_cores_busy_s']:.2f} s of "
             f"{report['sampled_wall_s']:.2f} s wall ({100 * cp['wall_below_all_cores_busy_share']:.0f} %), using "
             f"{cp['serial_cpu_s']:.2f} of {report['sampled_cpu_s']:.2f} CPU s ({100 * cp['serial_cpu_share']:.0f} %); "
             f"idle {cp['idle_core_s']:.2f} core-s ({100 * cp['idle_core_share']:.0f} % of {cores} cores)"]
    if "before_first_pose_batch_s" in cp:
        lines.append(f"before the first pose batch: {cp['before_first_pose_batch_s']:.2f} s wall, "
                     f"{cp['before_first_pose_batch_idle_core_s']:.2f} core-s idle; after the last: "
                     f"{cp['after_last_pose_batch_s']:.2f} s wall, {cp['after_last_pose_batch_idle_core_s']:.2f} core-s idle")
    return lines
