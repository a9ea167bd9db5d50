"""The scan phase hands each video's profile choices to the person finder."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import core.scan_phase as scan_phase_module
from core.performance_optimizer import PerformanceMonitor


class _NoPool:
    workers = 2

    def run_lanes(self, fn, lanes, keep_workers=False):  # noqa: ANN001, ANN201 - the executor's signature
        return iter(())


@pytest.mark.parametrize("skip", [True, False])
def test_the_scan_decodes_as_the_profiles_pose_lanes_do(monkeypatch, tmp_path, skip):
    seen = {}

    def fake_plan_follow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.update(kwargs)
        return None

    monkeypatch.setattr(scan_phase_module, "plan_follow", fake_plan_follow)
    info = SimpleNamespace(n_frames=90, fps=30.0, width=640, height=360)
    job = SimpleNamespace(video=Path("v.mp4"), out_dir=tmp_path, info=info, frames_done=0,
                          settings={"person": "auto", "roi": None,
                                    "pose": {"skip_loop_filter": skip, "scan_every_s": 0.5}})
    monitor = PerformanceMonitor()
    try:
        out = scan_phase_module.scan_phase([job], _NoPool(), monitor)
    finally:
        monitor.close()
    assert out == {id(job): None}
    assert seen["skip_loop_filter"] is skip


@pytest.mark.parametrize(("profile", "every_s"), [("fast", 1.0), ("balanced", None)])
def test_the_scan_runs_at_the_profiles_period(monkeypatch, tmp_path, profile, every_s):
    from dataclasses import asdict

    from core.config import load_profile

    seen = {}

    def fake_plan_follow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.update(kwargs)
        return None

    monkeypatch.setattr(scan_phase_module, "plan_follow", fake_plan_follow)
    pose = asdict(load_profile(profile, overrides={"pose": {"scan_every_s": every_s}} if every_s else None).pose)
    info = SimpleNamespace(n_frames=90, fps=30.0, width=640, height=360)
    job = SimpleNamespace(video=Path("v.mp4"), out_dir=tmp_path, info=info, frames_done=0,
                          settings={"person": "auto", "roi": None, "pose": pose})
    monitor = PerformanceMonitor()
    try:
        scan_phase_module.scan_phase([job], _NoPool(), monitor)
    finally:
        monitor.close()
    assert seen["every_s"] == pose["scan_every_s"] == (every_s or 0.5)
