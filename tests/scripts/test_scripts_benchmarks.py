"""The benchmark scripts run end to end in their quick modes and print their numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_benchmark_performance_quick(tmp_path):
    proc = run("scripts/benchmark_performance.py", "--quick", "--profiles", "fast,balanced",
               "--type", "extraction", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "benchmark.json").read_text())
    assert summary["baseline"]["write_calls"] == summary["n_frames"]
    for key in ("extraction:fast", "extraction:balanced"):
        row = summary["runs"][key]
        assert row["exit_code"] == 0 and row["frames_per_s"] > 0 and row["peak_rss_mb"] > 50
        assert row["write_calls"] < summary["baseline"]["write_calls"]
    assert summary["bound"]["frames_per_s"] > 0
    assert set(summary["decoders"]) == {f"{d}, threads={t}" for d in ("opencv", "pyav") for t in (0, 1)}
    assert all(v["cpu_ms_per_frame"] > 0 for v in summary["decoders"].values())
    table = (tmp_path / "benchmark.md").read_text()
    assert "| baseline (seed) |" in table and "extraction:balanced" in table


def test_quick_performance_test_recommends(tmp_path):
    proc = run("scripts/quick_performance_test.py", "--frames", "30")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for needle in ("cores:", "RAM:", "free disk", "GPU:", "MediaPipe models offline", "frames/s", "--performance-mode",
                   "--workers", "--max-memory", "TCN batch size"):
        assert needle in out, needle


def test_ablation_profiles_change_one_fast_choice_on_top_of_balanced(tmp_path):
    import dataclasses
    import importlib.util

    from core.config import load_profile

    spec = importlib.util.spec_from_file_location("benchmark_performance", ROOT / "scripts" / "benchmark_performance.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    config = bench.ablation_config(tmp_path / "profiles.json")
    balanced = dataclasses.asdict(load_profile("balanced"))
    for name, change in bench.ABLATIONS.items():
        variant = dataclasses.asdict(load_profile(name, config))
        changed = {(s, k) for s in balanced if isinstance(balanced[s], dict)
                   for k in balanced[s] if balanced[s][k] != variant[s][k]}
        assert changed == {(s, k) for s, keys in change.items() for k in keys}, name
