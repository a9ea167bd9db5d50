"""Models built once in the process the pose workers are forked from (this one on Linux, else a fork server):
every worker forked from there uses them."""

from __future__ import annotations

import os
import subprocess
import sys

from core.config import load_profile
from core.pose.extractor import PREBUILD, warm_pose, worker_env, worker_init, worker_modules
from core.pose.litert_runner import DETECTOR_FILE, shipped_model_path
from core.pose.models import model_path
from core.process_pool import ParallelProcessor


def _models_built_where(_: int) -> tuple[int, list[int]]:
    """This worker's pid and the pid that built each model its engine and finder use."""
    from core.pose.extractor import _estimators
    from core.pose.people import FinderConfig, shared_finder

    (engine,) = _estimators.values()
    models = [engine._landmarker, engine._detector, shared_finder(FinderConfig())._detector()]
    return os.getpid(), [m.built_pid for m in models]


def test_workers_use_the_models_their_fork_server_built(monkeypatch):
    monkeypatch.delitem(sys.modules, "core.pose.prebuilt", raising=False)  # imported afresh by the preload
    pose = load_profile("balanced").pose
    assert pose.engine == "direct"
    with ParallelProcessor(2, initializer=worker_init, preload=worker_modules(pose.engine),
                           preload_env=worker_env(pose.engine, 1)) as pool:
        pool.warm(warm_pose, pose, 1, None)
        out = [r for _, r in pool.run_lanes(_models_built_where, [[0], [1]])]
    assert len({pid for pid, _ in out}) == 2
    for pid, built in out:
        assert len(set(built)) == 1 and built[0] != pid  # one build, in the parent, not in the worker
    assert out[0][1] == out[1][1]
    assert "GAIT_PREBUILT_MODELS" not in os.environ  # set for the preload's import only


def test_without_the_environment_nothing_is_built_and_the_models_are_the_engines(monkeypatch):
    from core.pose import prebuilt

    monkeypatch.delenv(prebuilt.PREBUILT_ENV, raising=False)
    assert prebuilt.build_named() == 0  # the main process (Dask imports the preload there) builds nothing
    env = worker_env("direct", 1)[prebuilt.PREBUILT_ENV].split(os.pathsep)
    assert env == [str(model_path(1)), str(shipped_model_path(DETECTOR_FILE))]
    assert worker_env("graph", 1)[prebuilt.PREBUILT_ENV] == str(shipped_model_path(DETECTOR_FILE))
    assert PREBUILD in worker_modules("direct") and PREBUILD in worker_modules("graph")
    assert PREBUILD == "core.pose.prebuilt:build_named"


def test_a_model_that_cannot_be_built_leaves_the_server_running(monkeypatch, tmp_path):
    from core.pose import prebuilt

    monkeypatch.setenv(prebuilt.PREBUILT_ENV, str(tmp_path / "missing.tflite"))
    assert prebuilt.build_named() == 0


def test_the_workers_parent_runs_opencv_on_one_thread(monkeypatch, tmp_path):
    # OpenCV's thread pool does not survive a fork: a forked worker that uses it hangs
    import cv2

    from core.pose import prebuilt

    before = cv2.getNumThreads()
    monkeypatch.setenv(prebuilt.PREBUILT_ENV, str(tmp_path / "missing.tflite"))
    try:
        prebuilt.build_named()
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(before)


def test_asking_for_the_environment_does_not_import_the_module_that_builds():
    # the pool's preload must be the first import of core.pose.prebuilt, under its environment
    code = ("import sys\nfrom core.pose.extractor import worker_env\nworker_env('direct', 1)\n"
            "print('core.pose.prebuilt' in sys.modules)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
