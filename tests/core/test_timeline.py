"""The run timeline: phases, processes and the critical path, from given samples and from a real monitor."""

from __future__ import annotations

import time

import pytest

from core.performance_optimizer import PerformanceMonitor
from core.timeline import Timeline, format_timeline


def _timeline() -> Timeline:
    """10 s on 2 cores: one runnable thread for 0-4 s (a serial probe), two for 4-9 s (pose), none for 9-10 s."""
    tl = Timeline(t0=0.0)
    for k in range(10):
        runnable = 1 if k < 4 else 2 if k < 9 else 0
        tl.samples.append((k + 1.0, 1.0, 0.9 * runnable, runnable))
    tl.mark("probe", 0.0, 4.0, 3.6)
    for end in (5.0, 7.0, 9.0):  # pose batches arriving
        tl.mark("pose", end - (1.0 if end == 5.0 else 2.0), end, 1.8)
    return tl


def test_critical_path_counts_cores_left_idle_and_the_serial_work():
    rep = _timeline().report(cores=2)
    cp = rep["critical_path"]
    assert cp["wall_below_all_cores_busy_s"] == pytest.approx(5.0)  # 0-4 s and 9-10 s
    assert cp["idle_core_s"] == pytest.approx(4 * 1 + 1 * 2)
    assert cp["idle_core_share"] == pytest.approx(6 / 20, abs=1e-3)
    assert cp["serial_cpu_s"] == pytest.approx(3.6)
    assert cp["serial_cpu_share"] == pytest.approx(3.6 / (3.6 + 9.0), abs=1e-3)
    assert cp["before_first_pose_batch_s"] == pytest.approx(5.0)
    assert cp["before_first_pose_batch_idle_core_s"] == pytest.approx(4.0)
    assert cp["after_last_pose_batch_s"] == pytest.approx(1.0)
    assert cp["after_last_pose_batch_idle_core_s"] == pytest.approx(2.0)


def test_phases_sum_their_spans():
    rep = _timeline().report(cores=2)
    pose = rep["phases"]["pose"]
    assert (pose["start_s"], pose["end_s"], pose["wall_s"], pose["cpu_s"]) == pytest.approx((4.0, 9.0, 5.0, 5.4))
    assert rep["phases"]["probe"]["idle_core_s"] == pytest.approx(4.0)
    text = format_timeline(rep)
    assert "probe" in text and "fewer than 2 threads runnable: 5.00 s of 10.00 s wall" in text


def test_monitor_timeline_has_the_main_process_its_stages_and_spans():
    mon = PerformanceMonitor(sample_interval_s=0.02)
    with mon.stage("busy"):
        t = time.perf_counter()
        while time.perf_counter() - t < 0.2:
            pass
    with mon.span("tail"):
        time.sleep(0.05)
    rep = mon.report()["timeline"]
    mon.close()
    assert [p["role"] for p in rep["processes"]][0] == "main"
    assert rep["processes"][0]["cpu_s"] > 0
    busy, tail = rep["phases"]["busy"], rep["phases"]["tail"]
    assert busy["end_s"] <= tail["start_s"] and busy["cpu_s"] > 0
    assert "tail" not in mon.report()["stages"]  # a span is in the timeline only
    assert rep["sampled_wall_s"] > 0.2


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_a_child_forked_from_the_main_process_is_a_worker_not_a_program():
    import multiprocessing as mp

    import psutil

    child = mp.get_context("fork").Process(target=_sleep, args=(5.0,), daemon=True)
    child.start()
    try:
        assert Timeline(t0=0.0)._role(psutil.Process(child.pid), psutil.Process()) == "worker 1"
    finally:
        child.terminate()
        child.join()
