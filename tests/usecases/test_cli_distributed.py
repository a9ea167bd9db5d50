"""``--scheduler``: the run on a real Dask ``LocalCluster`` (processes, loopback) against the local pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.io.keypoint_store import STORE_NAME, read_store
from tests.usecases.reliability_media import run_cli, small_config

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
SHORT_SEGMENTS = {"min_segment_frames": 30, "max_segment_frames": 45, "segment_warmup_frames": 15}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two 3 s, 640x360, 30 fps walks."""
    from core.synthetic import GaitParams, generate_walking_video

    folder = tmp_path_factory.mktemp("dask_clips")
    paths = []
    for seed in (1, 2):
        path = folder / f"walk{seed}.mp4"
        generate_walking_video(path, GaitParams(cadence_steps_per_min=110, duration_s=3.0, fps=30.0, width_px=640,
                                                height_px=360, seed=seed))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_config(tmp_path_factory.mktemp("dask_cfg") / "profile.json", parallel=SHORT_SEGMENTS,
                        io={"batch_frames": 30})


def _argv(clips: list[Path], out: Path, config: Path, *extra: str, workers: int = 2) -> list[str]:
    return ["--videos", *map(str, clips), "--output", str(out), "--config", str(config), "--workers", str(workers),
            "--no-plots", "-q", *extra]


@pytest.fixture(scope="module")
def local_run(clips: list[Path], config: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local run with one worker, in a fresh interpreter that must end without Dask imported.

    One worker, so that every lane continues its live tracker in both runs: with more workers a lane's
    task that lands on a worker without the lane's live state warms up first (locally as on Dask), and
    its rows then differ from a run where it did not."""
    out = tmp_path_factory.mktemp("local_out")
    code = (
        "import sys\nfrom usecases.gait_analysis.cli import main\n"
        f"code = main({_argv(clips, out, config, workers=1)!r})\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print('LEAKED', leaked)\nsys.exit(code or (9 if leaked else 0))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "LEAKED []" in proc.stdout
    return out


@pytest.fixture(scope="module")
def cluster():
    """A loopback cluster of two single-threaded worker processes, and a client to watch it."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as lc, Client(lc, set_as_default=False) as client:
        yield lc, client


def _frames(out: Path, clip: Path) -> np.ndarray:
    return read_store(out / clip.stem / STORE_NAME).frame


def test_local_run_does_not_import_dask(local_run: Path):
    assert json.loads((local_run / "performance_report.json").read_text())["executor"]["kind"] == "local"


def test_local_cluster_equals_local_run(clips, config, local_run, tmp_path):
    run = run_cli(_argv(clips, tmp_path, config, "--scheduler", "local", workers=1))
    assert run.code == 0, run.err
    for clip in clips:
        mine, theirs = read_store(tmp_path / clip.stem / STORE_NAME), read_store(local_run / clip.stem / STORE_NAME)
        np.testing.assert_array_equal(mine.frame, theirs.frame)
        np.testing.assert_array_equal(mine.valid, theirs.valid)
        np.testing.assert_array_equal(mine.image, theirs.image)
        events = (tmp_path / clip.stem / "events.csv").read_text()
        assert events == (local_run / clip.stem / "events.csv").read_text()
    report = json.loads((tmp_path / "performance_report.json").read_text())["executor"]
    assert report["kind"] == "dask" and report["workers"] == 1 and report["scheduler"].startswith("tcp://127.0.0.1:")
    assert sum(w["frames"] for w in report["per_worker"].values()) == sum(len(_frames(local_run, c)) for c in clips)


def test_unreachable_scheduler_is_one_line_exit_2(clips, config, tmp_path, monkeypatch):
    import core.dask_executor

    monkeypatch.setattr(core.dask_executor, "CONNECT_TIMEOUT_S", 1.0)
    run = run_cli(_argv(clips[:1], tmp_path, config, "--scheduler", "tcp://127.0.0.1:9"))
    assert run.code == 2
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in lines[0], run.err
    assert not (tmp_path / clips[0].stem / STORE_NAME).exists()


def test_input_the_workers_cannot_see_fails_alone(clips, config, cluster, tmp_path):
    lc, client = cluster
    hidden = clips[1].resolve()

    def deny(path: str) -> None:  # worker side (nested: sent by value): this worker's check fails on ``path``
        import core.dask_worker as de

        real = de._readable
        de._readable = lambda p: "No such file or directory" if p == path else real(p)
        de._real_readable = real

    def allow() -> None:
        import core.dask_worker as de

        de._readable = de._real_readable

    client.run(deny, str(hidden))
    try:
        run = run_cli(_argv(clips, tmp_path, config, "--scheduler", lc.scheduler_address, "--extract-only"))
    finally:
        client.run(allow)
    assert run.code == 1
    error = run.failure(hidden)["error"]
    assert "Dask worker on host" in error and "cannot read this input" in error
    assert len(_frames(tmp_path, clips[0])) == 90
    assert not (tmp_path / clips[1].stem / STORE_NAME).exists()


def test_version_mismatch_is_one_line_exit_2(clips, config, cluster, tmp_path):
    lc, client = cluster

    def older_numpy() -> None:  # worker side (nested: sent by value)
        import core.dask_worker as de

        real = de._library_versions
        de._real_versions = real
        de._library_versions = lambda: {**real(), "numpy": "0.0.1"}

    def restore() -> None:
        import core.dask_worker as de

        de._library_versions = de._real_versions

    client.run(older_numpy)
    try:
        run = run_cli(_argv(clips[:1], tmp_path, config, "--scheduler", lc.scheduler_address))
    finally:
        client.run(restore)
    assert run.code == 2
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "runs other versions than this client: numpy 0.0.1" in lines[0], run.err
    assert not (tmp_path / clips[0].stem / STORE_NAME).exists()


def test_worker_killed_mid_run_reruns_its_segment(clips, config, cluster, tmp_path):
    lc, client = cluster
    killed: list[int] = []

    def segment_states(dask_scheduler) -> tuple[int, list[str]]:  # scheduler side (nested: sent by value)
        starts = len(dask_scheduler.get_events("gait-call-start"))
        running = [ts.processing_on.address for key, ts in dask_scheduler.tasks.items()
                   if str(key).startswith("gait-_run_task-") and ts.state == "processing" and ts.processing_on]
        return starts, running

    before = client.run_on_scheduler(segment_states)[0]  # calls of earlier tests on this cluster

    def kill_after_first_segment() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            starts, running = client.run_on_scheduler(segment_states)
            if starts - before >= 3 and running:  # two workers started, one has begun its second segment
                pid = client.run(os.getpid, workers=[running[0]])[running[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_after_first_segment, daemon=True)
    killer.start()
    run = run_cli(_argv(clips, tmp_path, config, "--scheduler", lc.scheduler_address, "--extract-only"))
    killer.join(timeout=5)
    assert killed, "no worker was killed"
    assert run.code == 0, run.err
    for clip in clips:
        np.testing.assert_array_equal(_frames(tmp_path, clip), np.arange(90))  # every frame exactly once
    report = json.loads((tmp_path / "performance_report.json").read_text())["executor"]
    assert report["retried_calls"] >= 1 and report["retry_lost_s"] > 0
    assert sum(w["frames"] for w in report["per_worker"].values()) == 180


def test_scheduler_lost_mid_run_keeps_batches_and_rerun_resumes(clips, config, tmp_path):
    from distributed import LocalCluster

    store = tmp_path / clips[0].stem / STORE_NAME
    lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    closed = threading.Event()

    def close_after_first_batch() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not (store.exists() and store.stat().st_size > 0):
            time.sleep(0.05)
        lc.close()
        closed.set()

    closer = threading.Thread(target=close_after_first_batch, daemon=True)
    closer.start()
    try:
        run = run_cli(_argv(clips, tmp_path, config, "--scheduler", lc.scheduler_address, "--extract-only"))
    finally:
        closer.join(timeout=60)
        lc.close()
    assert closed.is_set()
    assert run.code == 1
    assert all("lost the Dask scheduler" in f["error"] and "rerun resumes" in f["error"] for f in run.failures)
    kept = sum(len(_frames(tmp_path, c)) for c in clips if (tmp_path / c.stem / STORE_NAME).exists())
    assert 0 < kept < 180
    rerun = run_cli(_argv(clips, tmp_path, config, "--scheduler", "local", "--extract-only"))
    assert rerun.code == 0, rerun.err
    for clip in clips:
        np.testing.assert_array_equal(_frames(tmp_path, clip), np.arange(90))


def test_keypoint_files_are_analysed_on_the_cluster(clips, config, cluster, local_run, tmp_path):
    lc, _ = cluster
    landmarks = local_run / clips[0].stem / "landmarks.csv"
    here = run_cli(["--keypoints", str(landmarks), "--output", str(tmp_path / "here"), "--config", str(config),
                    "--no-plots", "-q"])
    remote = run_cli(["--keypoints", str(landmarks), "--output", str(tmp_path / "remote"), "--config", str(config),
                      "--no-plots", "-q", "--scheduler", lc.scheduler_address])
    assert here.code == 0 and remote.code == 0, here.err + remote.err
    name = next(p.name for p in (tmp_path / "here").iterdir() if (p / "events.csv").exists())
    assert (tmp_path / "remote" / name / "events.csv").read_text() == (tmp_path / "here" / name / "events.csv").read_text()
    report = json.loads((tmp_path / "remote" / "performance_report.json").read_text())
    assert report["executor"]["kind"] == "dask" and report["executor"]["calls"] == 1
    assert sum(w["calls"] for w in report["executor"]["per_worker"].values()) == 1  # ran on a worker
    assert report["stages"]["analysis"]["frames"] > 0  # the worker's stage timings came back


def test_local_cluster_keeps_nanny_allocator_setting_out_and_quiet(monkeypatch):
    from core.dask_executor import QUIET_WORKER_CONFIG, DaskExecutor
    from core.dask_worker import NANNY_MALLOC_ENV

    monkeypatch.delenv(NANNY_MALLOC_ENV, raising=False)  # an earlier nanny in this process exported it

    def worker_state() -> tuple:  # worker side (nested: sent by value)
        import os

        import dask

        return (os.environ.get(NANNY_MALLOC_ENV), dask.config.get("distributed.admin.tick.interval"),
                dask.config.get("distributed.worker.profile.enabled"))

    with DaskExecutor("local", 1) as ex:
        assert ex.workers == 1  # known before the cluster has started
        seen = list(ex.client.run(worker_state).values())
        warmed = ex.client.gather(ex._warmups)
    assert seen == [(None, QUIET_WORKER_CONFIG["distributed.admin.tick.interval"], False)]
    assert len(warmed) == 1 and warmed[0] >= 0


def test_restore_malloc_only_acts_under_a_nanny_setting(monkeypatch):
    import core.dask_worker as de

    monkeypatch.delenv(de.NANNY_MALLOC_ENV, raising=False)
    assert de._restore_malloc() is False
    monkeypatch.setenv(de.NANNY_MALLOC_ENV, "65536")
    assert de._restore_malloc() is True  # glibc accepted both thresholds
