"""Machine resources for training: threads, DataLoader workers, and the adaptive batch size.

The batch size search is plain Python around a measurement callback, so it is unit-testable
with a fake measurement; ``torch_step_meter`` builds the real one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from core.constants import TCN_MAX_BATCH_SIZE

SAFETY = 0.85  # fraction of the free budget a batch may use (allocator slack, fragmentation)


@dataclass(frozen=True)
class BatchSearch:
    """Chosen batch size and the (batch, memory MB) measurements that led to it."""

    batch_size: int
    budget_mb: float
    cap: int
    stop_reason: str
    measurements: list[tuple[int, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "batch_size": self.batch_size,
            "budget_mb": round(self.budget_mb, 1),
            "cap": self.cap,
            "stop_reason": self.stop_reason,
            "measurements_mb": [{"batch": b, "mb": round(m, 2)} for b, m in self.measurements],
        }


def _predict_mb(measurements: list[tuple[int, float]], batch: int) -> float:
    """Linear extrapolation of memory use to ``batch`` (proportional with one measurement)."""
    (b1, m1), (b2, m2) = (measurements[-2] if len(measurements) > 1 else (0, 0.0)), measurements[-1]
    slope = max((m2 - m1) / (b2 - b1), m2 / b2)
    return m2 + slope * (batch - b2)


def search_batch_size(measure_mb: Callable[[int], float], budget_mb: float, cap: int) -> BatchSearch:
    """Largest batch (1, 2, 4, ... up to ``cap``) whose measured step memory fits ``budget_mb``.

    ``measure_mb(b)`` runs one forward+backward step at batch ``b`` and returns the memory it
    added in MB (``inf`` when it ran out of memory). Doubling stops before a batch whose
    extrapolated memory would exceed the budget, so the search itself stays within it.
    """
    cap = max(1, int(cap))
    measurements: list[tuple[int, float]] = []
    best, batch = 0, 1
    while True:
        used = float(measure_mb(batch))
        measurements.append((batch, used))
        if used > budget_mb:
            reason = "measured over budget"
            break
        best = batch
        if batch >= cap:
            reason = "cap"
            break
        nxt = min(2 * batch, cap)
        if _predict_mb(measurements, nxt) > budget_mb:
            reason = "next size predicted over budget"
            break
        batch = nxt
    if best == 0:
        best, reason = 1, "batch 1 over budget (used anyway)"
    return BatchSearch(best, budget_mb, cap, reason, measurements)


def batch_cap(n_windows: int, min_steps_per_epoch: int = 8) -> int:
    """At most ``TCN_MAX_BATCH_SIZE``, and small enough for ``min_steps_per_epoch`` steps (>= 16)."""
    return int(max(1, min(TCN_MAX_BATCH_SIZE, max(16, n_windows // min_steps_per_epoch), n_windows)))


def available_cpus() -> int:
    """CPUs this process may run on (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def training_threads(sample_s: float = 0.2) -> int:
    """torch intra-op threads: the physical cores available to this process that other processes
    leave idle (CPU use sampled over ``sample_s``). Hyper-threads slow convolutions, and a thread
    that competes with another process for a core stalls every parallel operation at its barrier,
    which costs far more than one thread less."""
    import psutil

    cpus = available_cpus()
    physical = min(psutil.cpu_count(logical=False) or cpus, cpus)
    me = psutil.Process()
    me.cpu_percent(None)
    busy_cores = psutil.cpu_percent(interval=sample_s) / 100.0 * (psutil.cpu_count() or cpus)
    others = max(0.0, busy_cores - me.cpu_percent(None) / 100.0)
    return max(1, min(physical, int(cpus - others + 0.5)))


def dataloader_workers(device_type: str, n_windows: int) -> int:
    """0 on CPU: windows are slices of in-memory arrays (microseconds each) and the cores are
    busy with torch's own threads, so worker processes would only add IPC. On CUDA with many
    windows, a few workers prepare augmented batches while the GPU computes."""
    if device_type != "cuda" or n_windows < 4096:
        return 0
    return max(0, min(4, available_cpus() - 1))


def cpu_budget_mb(max_memory_mb: int) -> float:
    """MB a training batch may add: ``max_memory_mb`` minus current RSS, else half the free RAM."""
    import psutil

    if max_memory_mb > 0:
        rss_mb = psutil.Process().memory_info().rss / 2**20
        return max(0.0, (max_memory_mb - rss_mb) * SAFETY)
    return psutil.virtual_memory().available / 2**20 * 0.5
