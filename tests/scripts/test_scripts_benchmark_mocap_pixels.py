"""scripts/benchmark_mocap_pixels.py on a generated C3D trial (no network, no ../shared/data): a synthetic
walker heading obliquely across the lab, its recording starting at frame 31, as side-view pixels."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest

from core.constants import NUM_LANDMARKS
from core.types import KeypointSeries
from tests.core.io.c3d_files import write_c3d
from tests.scripts.test_scripts_benchmark_mocap import RATE, pig_walk
from tests.scripts.test_scripts_reanalyse_sweep import script_module

FIRST_FRAME = 31  # the C3D's time starts at 0.3 s, not 0
HEADING_DEG = 125.0  # walking direction in the lab's horizontal plane (C3D X-Y, Z up)


@pytest.fixture(scope="module")
def trial_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic trial with an EVENT group, turned to HEADING_DEG about the vertical."""
    folder = tmp_path_factory.mktemp("mocap_px")
    labels, points, _, codes = pig_walk(5, offset_s=(FIRST_FRAME - 1) / RATE)
    a = np.radians(HEADING_DEG)
    x, y = points[..., 0].copy(), points[..., 1].copy()
    points[..., 0], points[..., 1] = np.cos(a) * x - np.sin(a) * y, np.sin(a) * x + np.cos(a) * y
    write_c3d(folder / "oblique_walk.c3d", labels, points, RATE, events=codes, first_frame=FIRST_FRAME)
    return folder


def test_scores_each_setting_with_relabelled_frames_and_medians(trial_folder: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert script_module("benchmark_mocap_pixels").main([
            "--data", str(trial_folder), "--shared", str(tmp_path), "--fps", "30", "60", "--px-per-m", "250",
            "--seeds", "1", "--directions", "right", "left"]) == 0
    text = out.getvalue()
    header = next(line for line in text.splitlines() if line.startswith("| trial"))
    assert "frames relabelled (per run)" in header and "grade (per run)" in header
    rows = [line for line in text.splitlines() if line.startswith("| oblique_walk")]
    assert [r.split("|")[4].strip() for r in rows] == ["30, 250", "60, 250"]
    for r in rows:
        cells = [c.strip() for c in r.split("|")[1:-1]]
        assert len(cells) == len(header.split("|")[1:-1]), r
        assert cells[1:3] == ["overground", "EVENT"], r
        assert float(cells[5].split()[0]) >= 0.9, r  # F1 mean: clean motion, correct labels
        assert cells[8] == "0 / 0", r  # walking right, then left: no frame relabelled (the labels are right)
        assert "failed" not in r
    assert text.count("**median / worst**") == 2


def test_along_x_turns_the_walk_to_plus_x_from_zero() -> None:
    bench = script_module("benchmark_mocap_pixels")
    t = np.arange(300) / RATE
    p = np.zeros((len(t), NUM_LANDMARKS, 3))
    heading = np.radians(-60.0)
    p[..., 0] = (1.0 * t)[:, None] * np.cos(heading) + 3.0
    p[..., 2] = (1.0 * t)[:, None] * np.sin(heading) - 2.0
    p[..., 1] = 0.5 + np.linspace(0.0, 1.0, NUM_LANDMARKS)  # heights, lowest 0.5 m
    series = KeypointSeries(p, t, np.ones((len(t), NUM_LANDMARKS)))
    turned = bench.along_x(series).positions
    pelvis_x = turned[:, 23, 0]
    assert np.all(np.diff(pelvis_x) > 0)  # walks towards +X
    np.testing.assert_allclose(pelvis_x[-1] - pelvis_x[0], t[-1], atol=1e-6)  # all of the travel is along X
    assert np.nanmin(turned[..., 0]) == pytest.approx(0.0, abs=1e-9)
    assert np.nanmin(turned[..., 1]) == pytest.approx(0.0, abs=1e-9)
