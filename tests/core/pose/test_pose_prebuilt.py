"""Models built once in the pose workers' fork server: every worker forked from there uses them."""

from __future__ import annotations

import os

from core.config import load_profile
from core.pose.extractor import warm_pose, worker_env, worker_init, worker_modules
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


def test_workers_use_the_models_their_fork_server_built():
    pose = load_profile("balanced").pose
    assert pose.engine == "direct"
    with ParallelProcessor(2, initializer=worker_init, preload=worker_modules(pose.engine),
                           preload_env=worker_env(pose.engine, 1)) as pool:
        pool.warm(warm_pose, pose, 1, None)
        out = [r for _, r in pool.run_lanes(_models_built_where, [[0], [1]])]
    assert len({pid for pid, _ in out}) == 2
    for pid, built in out:
        assert len(set(built)) == 1 and built[0] != pid  # one build, in the server, not in the worker
    assert out[0][1] == out[1][1]
    assert "GAIT_PREBUILT_MODELS" not in os.environ  # the server's environment only


def test_without_the_environment_nothing_is_built_and_the_models_are_the_engines(monkeypatch):
    from core.pose import prebuilt

    monkeypatch.delenv(prebuilt.PREBUILT_ENV, raising=False)
    assert prebuilt.build_named() == 0  # the main process (Dask imports the preload there) builds nothing
    env = worker_env("direct", 1)[prebuilt.PREBUILT_ENV].split(os.pathsep)
    assert env == [str(model_path(1)), str(shipped_model_path(DETECTOR_FILE))]
    assert worker_env("graph", 1)[prebuilt.PREBUILT_ENV] == str(shipped_model_path(DETECTOR_FILE))
    assert "core.pose.prebuilt" in worker_modules("direct") and "core.pose.prebuilt" in worker_modules("graph")


def test_a_model_that_cannot_be_built_leaves_the_server_running(monkeypatch, tmp_path):
    from core.pose import prebuilt

    monkeypatch.setenv(prebuilt.PREBUILT_ENV, str(tmp_path / "missing.tflite"))
    assert prebuilt.build_named() == 0
