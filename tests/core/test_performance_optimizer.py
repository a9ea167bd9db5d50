import numpy as np
import pytest

from core.config import load_profile
from core.errors import MemoryBudgetError
from core.io.keypoint_store import KeypointBatch, KeypointStoreWriter, read_store
from core.performance_optimizer import (
    IOOptimizer,
    MediaPipeOptimizer,
    MemoryOptimizer,
    ParallelProcessor,
    PerformanceMonitor,
)


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("n_frames,stride", [(1000, 1), (650, 2), (301, 3), (50, 1)])
def test_segments_cover_every_frame_once_in_order(workers, n_frames, stride):
    profile = load_profile("balanced", overrides={"pose": {"frame_stride": stride}, "parallel": {"min_segment_frames": 100}})
    plan = MediaPipeOptimizer(profile).segment_plan(0, n_frames, workers)
    owned = []
    for start, stop, warm in plan.segments:
        assert warm <= start and (start - warm) % stride == 0
        assert start - warm <= profile.parallel.segment_warmup_frames + stride
        owned.extend(range(start, stop, stride))
    assert owned == list(range(0, n_frames, stride))
    if workers > 1 and n_frames >= 2 * profile.parallel.min_segment_frames:
        assert len(plan.segments) >= 2


def test_segment_plan_resumes_from_first_frame():
    plan = MediaPipeOptimizer(load_profile("balanced")).segment_plan(400, 1000, 2)
    assert plan.segments[0][0] == 400
    assert plan.segments[-1][1] == 1000


def test_memory_plan_fits_budget():
    profile = load_profile("balanced", overrides={"memory": {"max_memory_mb": 1500}})
    plan = MemoryOptimizer(profile, cores=8).plan(worker_mb=300, base_mb=200, frame_mb=1.5)
    used = plan.base_mb + plan.workers * (plan.worker_mb + plan.queue_frames * 1.5)
    assert used <= 0.9 * 1500
    assert plan.workers == 3


def test_memory_plan_shrinks_queue_then_refuses():
    profile = load_profile("balanced", overrides={"memory": {"max_memory_mb": 600, "queue_frames": 64}})
    plan = MemoryOptimizer(profile, cores=2).plan(worker_mb=300, base_mb=150, frame_mb=6.0)
    assert plan.workers == 1 and plan.queue_frames < 64
    with pytest.raises(MemoryBudgetError, match="cannot fit one pose worker"):
        MemoryOptimizer(profile, cores=2).plan(worker_mb=500, base_mb=150, frame_mb=6.0)


def test_no_budget_uses_requested_workers():
    plan = MemoryOptimizer(load_profile("balanced"), cores=4).plan(300, 100, 1.0)
    assert plan.workers == 4 and plan.budget_mb == 0


def test_io_optimizer_writes_one_call_per_batch(tmp_path):
    mon = PerformanceMonitor()
    w = KeypointStoreWriter(tmp_path / "s.gz", 1)
    io = IOOptimizer(w, batch_frames=100, monitor=mon)
    for start in range(0, 730, 73):
        n = 73
        io.add(KeypointBatch(np.arange(start, start + n), np.zeros(n), np.ones(n, bool), np.zeros((n, 33, 5)), np.zeros((n, 33, 3))))
    io.flush()
    w.close()
    mon.close()
    assert mon.counters["store_write_calls"] == 8
    np.testing.assert_array_equal(read_store(tmp_path / "s.gz").frame, np.arange(730))


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_processor_keeps_order(workers):
    with ParallelProcessor(workers) as proc:
        out = list(proc.map_ordered(_square, range(20)))
    assert out == [(i, i * i) for i in range(20)]


def test_monitor_reports_stages_and_rss():
    mon = PerformanceMonitor()
    with mon.stage("work", frames=10):
        sum(range(100000))
    rep = mon.report()
    mon.close()
    assert rep["stages"]["work"]["frames"] == 10
    assert rep["peak_rss_mb"] > 10
    assert "work" in mon.table()


def test_decode_queue_is_capped_in_megabytes():
    profile = load_profile("accurate", overrides={"memory": {"queue_frames": 32, "queue_max_mb": 128}})
    plan = MemoryOptimizer(profile, cores=2).plan(worker_mb=300, base_mb=150, frame_mb=24.0)  # one 4K frame
    assert plan.queue_frames * 24.0 <= 128


@pytest.mark.parametrize("first,n_frames,workers,stride", [(0, 600, 2, 1), (0, 1800, 2, 1), (400, 1000, 2, 1), (0, 650, 3, 2)])
def test_segments_balance_processed_frames(first, n_frames, workers, stride):
    profile = load_profile("balanced", overrides={"pose": {"frame_stride": stride}})
    segments = MediaPipeOptimizer(profile).segment_plan(first, n_frames, workers).segments
    processed = [stop - warm for _, stop, warm in segments]
    assert len(segments) % workers == 0
    assert max(processed) - min(processed) <= 2 * stride
    if first == 0:  # the first segment needs no warm-up, so it owns more frames
        assert segments[0][1] - segments[0][0] > segments[1][1] - segments[1][0]


def _pid(_: int) -> int:
    import os

    return os.getpid()


def test_pool_is_kept_without_a_task_quota():
    with ParallelProcessor(2) as proc:
        pids = [pid for _, pid in proc.map_ordered(_pid, range(8))]
    assert len(set(pids)) <= 2


def test_pool_is_replaced_after_workers_times_quota_tasks():
    with ParallelProcessor(2, tasks_per_worker=2) as proc:  # a fresh pool every 4 tasks
        out = list(proc.map_ordered(_pid, range(12)))
    assert [t for t, _ in out] == list(range(12))
    pools = [{pid for _, pid in out[i : i + 4]} for i in (0, 4, 8)]
    assert not (pools[0] & pools[1]) and not (pools[1] & pools[2]) and not (pools[0] & pools[2])


def _lane_task(task: tuple[str, int, str]) -> tuple[str, int, int]:
    """Lane "a" waits until lane "b" has finished (a marker file), so "b" completes first for sure."""
    import os
    import time
    from pathlib import Path

    name, i, folder = task
    if name == "a" and i == 0 and folder:
        deadline = time.monotonic() + 60
        while not (Path(folder) / "b_done").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    if name == "b" and i == 5 and folder:
        (Path(folder) / "b_done").touch()
    return name, i, os.getpid()


@pytest.mark.parametrize("workers,quota", [(1, 0), (2, 0), (2, 1)])
def test_run_lanes_runs_each_lane_in_order_and_yields_as_tasks_complete(workers, quota, tmp_path):
    folder = str(tmp_path) if workers == 2 else ""
    lanes = [[("a", i, folder) for i in range(4)], [("b", i, folder) for i in range(6)], [("c", i, folder) for i in range(3)]]
    with ParallelProcessor(workers, tasks_per_worker=quota) as proc:
        out = list(proc.run_lanes(_lane_task, lanes))
    assert sorted(t for t, _ in out) == sorted(t for lane in lanes for t in lane)
    assert all(t[:2] == r[:2] for t, r in out)
    for name in "abc":
        assert [i for (n, i, _), _ in out if n == name] == list(range(len([1 for (n, *_), _ in out if n == name])))
        assert len({r[2] for (n, *_), r in out if n == name}) == 1  # a lane stays in one worker process
    if workers == 2:  # lane "b" runs while "a" waits: results come as they complete, not lane by lane
        # b0..b4 are collected before b5 is submitted, and "a" waits for b5 to start (b5's own result may
        # race a0's).
        assert [t[0] for t, _ in out][:5] == ["b"] * 5


_warmed = {"value": None}


def _warm_up(value: str) -> None:
    _warmed["value"] = value


def _read_warm(task: int) -> tuple[int, str | None]:
    return task, _warmed["value"]


def test_warm_runs_in_every_lane_worker_before_its_lanes():
    with ParallelProcessor(2) as proc:
        proc.warm(_warm_up, "ready")
        out = list(proc.run_lanes(_read_warm, [[1, 2], [3], [4, 5]]))
    assert sorted(task for task, _ in out) == [1, 2, 3, 4, 5]
    assert {result[1] for _, result in out} == {"ready"}


def test_workers_only_warmed_are_stopped_without_waiting_for_them():
    proc = ParallelProcessor(2)
    proc.warm(time_sleep, 30.0)  # would hold a waiting shutdown for 30 s
    workers = [p for pool in proc._slots.values() for p in pool._processes.values()]
    proc.shutdown()
    import time

    deadline = time.monotonic() + 20
    for p in workers:
        # the pool's own thread may reap the process first: then join() returns before the exit code is
        # set, so wait for is_alive() itself
        while p.is_alive() and time.monotonic() < deadline:
            p.join(timeout=0.1)
        assert not p.is_alive()


def time_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
