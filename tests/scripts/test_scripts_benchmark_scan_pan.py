"""benchmark_scan_pan.py: the true pan it reads from the generator's truth (its sign for either walking
direction) and its walker check, without a video."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from core.pose.tracking import Track

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark_scan_pan", ROOT / "scripts" / "benchmark_scan_pan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _truth(tmp_path: Path, direction: str) -> Path:
    """A 40-frame truth whose camera follows the walker at 0.05 m per frame, 100 px/m."""
    video = tmp_path / f"{direction}.mp4"
    boxes = [[90.0, 10.0, 110.0, 60.0]] * 40
    truth = {"camera_center_x_m": list(1.0 + 0.05 * np.arange(40)), "px_per_m": 100.0, "direction": direction,
             "people": [{"box_px": boxes}]}
    video.with_suffix(".truth.json").write_text(json.dumps(truth))
    return video


@pytest.mark.parametrize(("direction", "sign"), [("left_to_right", -1.0), ("right_to_left", 1.0)])
def test_the_scenery_moves_against_the_walk(bench, tmp_path, direction, sign):
    pan, speed, truth = bench.truth_of(_truth(tmp_path, direction), np.array([0, 15, 30]))
    np.testing.assert_allclose(pan, sign * np.array([0.0, 75.0, 150.0]))
    np.testing.assert_allclose(speed, sign * 5.0)
    assert truth["direction"] == direction


def test_without_truth_the_camera_stands_still(bench, tmp_path):
    pan, speed, truth = bench.truth_of(tmp_path / "real.mp4", np.array([0, 15, 30]))
    assert truth is None and not pan.any() and not speed.any()


def test_the_walker_check_reads_box_centres_in_the_truth_box(bench, tmp_path):
    _, _, truth = bench.truth_of(_truth(tmp_path, "left_to_right"), np.array([0]))
    on = Track(1, [0, 15, 30], [np.array([95.0, 20.0, 105.0, 50.0])] * 3, [0.9] * 3)
    off = Track(2, [0, 15, 30], [np.array([150.0, 20.0, 170.0, 50.0])] * 3, [0.9] * 3)
    assert bench.on_walker(on, truth).startswith("yes") and bench.on_walker(off, truth).startswith("NO")
