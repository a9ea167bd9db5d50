"""Fault injection, interruption and concurrency, with real CLI processes: SIGINT/SIGTERM stop cleanly,
``kill -9`` resumes on rerun with exactly one record per frame, and a second run into the same output
folder is refused while the first holds its lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import psutil
import pytest

from core.io.keypoint_store import STORE_NAME, read_store, resume_point
from tests.usecases.reliability_media import assert_no_partial_files, run_cli, small_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def walk_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s, 480x270 walk (90 frames)."""
    from core.synthetic import GaitParams, generate_walking_video

    path = tmp_path_factory.mktemp("video") / "walk.mp4"
    generate_walking_video(path, GaitParams(duration_s=3.0, fps=30.0, width_px=480, height_px=270, seed=2))
    return path


@pytest.fixture(scope="module")
def longer_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An 8 s, 320x240 walk: segments of 60 frames keep the workers busy for a while after the first batch."""
    from core.synthetic import GaitParams, generate_walking_video

    path = tmp_path_factory.mktemp("video") / "long.mp4"
    generate_walking_video(path, GaitParams(duration_s=8.0, fps=30.0, width_px=320, height_px=240, seed=3))
    return path


@pytest.fixture(scope="module")
def early_batches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile that writes the store every 20 frames, in segments of 30-60 frames."""
    return small_config(tmp_path_factory.mktemp("cfg") / "small.json", io={"batch_frames": 20},
                        parallel={"min_segment_frames": 30, "max_segment_frames": 60})


def _args(video: Path, out: Path, config: Path, *extra: str) -> list[str]:
    return ["--videos", str(video), "--output", str(out), "--config", str(config), "--workers", "2", *extra]


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "main_gait_analysis.py", *args], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the CLI ended early ({proc.returncode}): {proc.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("timed out waiting for the CLI")
        time.sleep(0.02)


def _stored_frames(store: Path) -> int:
    return resume_point(store)[0] if store.exists() else 0


def _all_stopped(procs: list[psutil.Process], timeout_s: float) -> bool:
    """Every process exited (a zombie not yet reaped by its parent counts as exited) within the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        running = []
        for p in procs:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    running.append(p)
            except psutil.NoSuchProcess:
                pass
        if not running or time.monotonic() > deadline:
            return not running
        time.sleep(0.02)


def _finish(proc: subprocess.Popen, timeout_s: float = 30.0) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the CLI did not stop") from None
    return proc.returncode, err


@pytest.fixture(scope="module")
def ten_second_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10 s, 640x360 walk (300 frames): two workers cut it into two long segments."""
    from core.synthetic import GaitParams, generate_walking_video

    path = tmp_path_factory.mktemp("video") / "ten.mp4"
    generate_walking_video(path, GaitParams(duration_s=10.0, fps=30.0, width_px=640, height_px=360, seed=4))
    return path


def test_kill_9_at_70_percent_keeps_every_finished_batch(ten_second_video, tmp_path):
    """Two segments of about 150 frames in two workers, batches of 20: a kill at 70 % loses at most the
    batch each worker was running, and the rerun extracts only the frames missing."""
    config = small_config(tmp_path / "cfg.json", io={"batch_frames": 20})
    out = tmp_path / "out"
    args = _args(ten_second_video, out, config, "-q", "--no-plots")
    n_frames = json.loads(ten_second_video.with_name("ten.truth.json").read_text())["n_frames"]
    store = out / "ten" / STORE_NAME
    seen: set[int] = set()

    def stored_70_percent() -> bool:
        seen.add(_stored_frames(store))
        return max(seen) >= 0.7 * n_frames

    proc = _start(args)
    _wait_for(stored_70_percent, proc, timeout_s=120)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    n_before, _, offset = resume_point(store)
    kept = store.read_bytes()[:offset]
    assert len(seen - {0}) >= 4  # batches reached the store one by one, from both workers
    assert n_before < n_frames

    run = run_cli([a for a in args if a != "-q"])
    assert run.code == 0, run.err
    assert (f"{ten_second_video}: resuming: {n_before} frames already stored; extracting the "
            f"{n_frames - n_before} missing frames") in run.err.splitlines()
    batch = read_store(store)
    np.testing.assert_array_equal(batch.frame, np.arange(n_frames))  # exactly one row per frame
    assert store.read_bytes()[:offset] == kept
    counters = json.loads((out / "performance_report.json").read_text())["counters"]
    assert counters["frames_stored"] == n_frames - n_before <= 0.35 * n_frames


def test_kill_9_during_extraction_resumes_with_one_record_per_frame(longer_video, early_batches, tmp_path):
    out = tmp_path / "out"
    args = _args(longer_video, out, early_batches, "-q", "--no-plots")
    store = out / "long" / STORE_NAME
    proc = _start(args)
    _wait_for(lambda: _stored_frames(store) > 0, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    n_before, _, offset = resume_point(store)
    kept = store.read_bytes()[:offset]
    (out / ".failures.json.k9x3b7qz.tmp").write_text("[")  # what a kill -9 inside an atomic write leaves

    run = run_cli([a for a in args if a != "-q"])
    assert run.code == 0, run.err
    n_frames = json.loads(longer_video.with_name("long.truth.json").read_text())["n_frames"]
    assert f"{longer_video}: resuming: {n_before} frames already stored; extracting the " \
           f"{n_frames - n_before} missing frames" in run.err.splitlines()
    batch = read_store(store)
    np.testing.assert_array_equal(batch.frame, np.arange(n_frames))
    assert 0 < n_before < n_frames and store.read_bytes()[:offset] == kept
    counters = json.loads((out / "performance_report.json").read_text())["counters"]
    assert counters["frames_stored"] == n_frames - n_before  # only the missing frames were extracted
    assert_no_partial_files(out)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_extraction_stops_workers_and_leaves_no_partial_files(longer_video, early_batches,
                                                                            tmp_path, signum):
    out = tmp_path / "out"
    proc = _start(_args(longer_video, out, early_batches))
    store = out / "long" / STORE_NAME
    _wait_for(lambda: _stored_frames(store) > 0, proc)
    workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
               if "resource_tracker" not in " ".join(c.cmdline())]  # the tracker leaves with the main process
    assert workers, "expected pose worker processes"
    os.kill(proc.pid, signum)  # the main process only: it must stop its workers itself
    assert _all_stopped(workers, timeout_s=3.0)  # terminated, not left to finish their segments (>10 s)
    code, err = _finish(proc)
    assert code == 130
    assert "Traceback" not in err
    assert_no_partial_files(out)
    kept = _stored_frames(store)
    assert 0 < kept < 240
    assert (f"interrupted: workers stopped; {kept} of 240 frames are stored and kept; a rerun extracts only "
            f"the {240 - kept} missing") in err
    assert not json.loads((out / "long" / "keypoints.manifest.json").read_text())["complete"]


def test_second_run_is_refused_then_sigterm_while_writing_outputs(walk_video, early_batches, tmp_path):
    out = tmp_path / "out"
    lock = out / ".gait_analysis.lock"
    proc = _start(_args(walk_video, out, early_batches))
    _wait_for(lambda: lock.exists() and lock.read_text() == f"pid {proc.pid}", proc)

    second = run_cli(["--videos", str(walk_video), "--output", str(out), "-q"])
    assert second.code == 2
    assert second.err.strip() == (f"error: output folder is in use by pid {proc.pid} (lock {lock}); "
                                  "wait for it or choose another --output")
    assert not (out / "failures.json").exists()

    _wait_for(lambda: (out / "walk" / "events.csv").exists(), proc)
    os.kill(proc.pid, signal.SIGTERM)
    code, err = _finish(proc)
    assert code in (130, 0, -signal.SIGTERM), err  # not 130 only if the signal came after the last file
    assert "Traceback" not in err
    assert_no_partial_files(out)


def test_a_pose_worker_killed_fails_its_video_clearly_and_the_run_finishes(longer_video, early_batches, tmp_path):
    out = tmp_path / "out"
    proc = _start(_args(longer_video, out, early_batches, "-q", "--no-plots"))
    store = out / "long" / STORE_NAME
    _wait_for(lambda: _stored_frames(store) > 0, proc)
    workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
               if "resource_tracker" not in " ".join(p.cmdline())]
    assert workers
    workers[0].kill()
    code, err = _finish(proc)
    assert code == 1 and "Traceback" not in err
    reason = ("a pose worker process died (killed, or out of memory: try --max-memory or fewer --workers); "
              "the frames stored so far are kept and a rerun resumes from them")
    assert f"{longer_video}: {reason}" in err.splitlines()
    assert json.loads((out / "failures.json").read_text()) == [{"input": str(longer_video), "kind": "video", "error": reason}]
    assert_no_partial_files(out)
    assert _stored_frames(store) > 0
