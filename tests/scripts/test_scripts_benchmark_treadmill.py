"""scripts/benchmark_treadmill.py: the randomised treadmill cases and the sweep end to end."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("benchmark_treadmill", ROOT / "scripts" / "benchmark_treadmill.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_treadmill"] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_a_case_crops_resamples_and_moves_the_truth_along() -> None:
    bench = _module()
    series, truth = bench.synthetic_walk("normal", 3)
    case = bench.Case("synthetic normal", 1.1, 120.0, (0.5, 0.3), 0.0, "right leg 2-D", 1)
    out, moved = bench.transformed(series, truth, case)
    assert out.rate_hz == pytest.approx(120.0)
    assert out.time_s[0] == 0.0 and out.time_s[-1] == pytest.approx(series.time_s[-1] - 0.8, abs=1.0 / 120)
    assert out.is_2d and np.all(out.positions[..., 2] == 0.0)
    assert {e.side for e in moved} == {"right"}
    kept = [e for e in truth if e.side == "right" and 0.5 <= e.time_s <= series.time_s[-1] - 0.3]
    assert [round(e.time_s - 0.5, 6) for e in kept] == [round(e.time_s, 6) for e in moved]
    pelvis_x = np.nanmean(out.positions[:, [23, 24], 0], axis=1)  # a belt at 1.1 x speed: drifts backwards
    assert np.polyfit(out.time_s, pelvis_x, 1)[0] < 0


def test_sweep_prints_its_seed_and_summaries() -> None:
    proc = subprocess.run([sys.executable, "scripts/benchmark_treadmill.py", "--n", "2", "--n-stroke", "1", "--seed", "5",
                           "--cases"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "master seed 5" in out and "## Treadmill sweep: 2 cases by walk" in out and "| all | 2 |" in out
    assert out.count("| synthetic ") + out.count("| PD |") >= 2
