"""Slow-motion videos saved at a playback rate (a phone's 120 or 240 fps slow motion exported at 30 fps): the
file's clock runs slower than life, so ``--fps`` gives the rate it was recorded at, and without it a cadence
slower than walking says so."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.errors import ConfigError
from core.io.keypoint_store import KeypointBatch
from core.series import at_recorded_rate
from tests.usecases.reliability_media import assert_reported, run_cli
from usecases.gait_analysis.analyse import (
    FAST_CADENCE_SPM, SLOW_MOTION_CADENCE_SPM, clock_hints, recorded_rate_reason,
)
from usecases.gait_analysis.cli import build_parser, config_from_args


@pytest.fixture(scope="module")
def played(synthetic_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture walk (30 fps) analysed on its own clock."""
    out = tmp_path_factory.mktemp("played")
    assert run_cli(["--videos", str(synthetic_video), "--output", str(out), "-q", "--no-plots"]).code == 0
    return out


def _times(folder: Path) -> list[tuple[str, str, int, float]]:
    return [(r["side"], r["event"], int(r["frame"]), float(r["time_s"])) for r in csv.DictReader((folder / "events.csv").open())]


def test_fps_puts_times_cadence_and_speed_on_the_recording_clock(synthetic_video: Path, played: Path, tmp_path: Path):
    shutil.copytree(played, tmp_path, dirs_exist_ok=True)  # the store is reused: --fps changes no extraction
    run = run_cli(["--videos", str(synthetic_video), "--output", str(tmp_path), "--fps", "60", "--no-plots"])
    assert run.code == 0, run.out + run.err
    assert "recorded at 60 fps (--fps), stored for playback at 30 fps: times scaled by 0.5" in run.out
    assert "faster than walking (up to about 200): --fps 60 ran the file's 30 fps clock 2 times as fast" in run.out
    before = json.loads((played / "walk" / "gait_parameters.json").read_text())
    after = json.loads((tmp_path / "walk" / "gait_parameters.json").read_text())
    # The same samples on a clock twice as fast; the analysis's filters and limits are in seconds, so the
    # figures are about, not exactly, twice as large.
    assert after["cadence_steps_per_min"] == pytest.approx(2 * before["cadence_steps_per_min"], rel=0.01)
    assert after["walking_speed_leg_norm_per_s"] == pytest.approx(2 * before["walking_speed_leg_norm_per_s"], rel=0.03)
    old, new = _times(played / "walk"), _times(tmp_path / "walk")
    assert len(new) >= len(old) - 1
    for side, event, frame, time_s in new:
        assert time_s == pytest.approx(frame / 60.0, abs=1.0 / 60.0)  # the recording's clock
        assert any(o[:2] == (side, event) and abs(o[2] - frame) <= 2 for o in old)


def test_a_cadence_slower_than_walking_asks_for_the_recording_rate():
    assert clock_hints(110.0, None, 30.0) == [] and clock_hints(None, None, 30.0) == []
    assert clock_hints(26.4, 120.0, 30.0) == []  # the rate was given
    (note,) = clock_hints(SLOW_MOTION_CADENCE_SPM - 0.1, None, 30.0)
    assert "slower than walking" in note and "--fps" in note


def test_fps_on_a_video_that_is_not_slow_motion_says_so(synthetic_video: Path, played: Path, tmp_path: Path):
    """A newcomer's --fps 240 on an ordinary 30 fps walk: the 6 s play as 0.75 s and no stride fits; the reason
    says what --fps did instead of only asking for a longer film."""
    shutil.copytree(played, tmp_path, dirs_exist_ok=True)
    run = run_cli(["--videos", str(synthetic_video), "--output", str(tmp_path), "--fps", "240", "--no-plots", "-q"])
    assert run.code == 1
    assert_reported(run, synthetic_video, r"no gait event detected .*; --fps 240 made the file's 6.0 s at 30 fps "
                                          r"last 0.75 s: if this video is not slow motion, leave --fps out")


def test_a_cadence_faster_than_walking_after_fps_and_the_failure_reason():
    assert clock_hints(216.0, None, 30.0) == [] and clock_hints(216.0, 30.0, 30.0) == []
    assert clock_hints(FAST_CADENCE_SPM, 60.0, 30.0) == [] and clock_hints(None, 60.0, 30.0) == []
    (note,) = clock_hints(216.0, 60.0, 30.0)
    assert "faster than walking" in note and "leave --fps out" in note
    assert recorded_rate_reason("too short", None, 30.0, 7.0) == "too short"
    assert recorded_rate_reason("too short", 30.0, 30.0, 7.0) == "too short"
    assert recorded_rate_reason("too short", 120.0, 30.0, 7.0) == (
        "too short; --fps 120 made the file's 7.0 s at 30 fps last 1.75 s: if this video is not slow motion, "
        "leave --fps out")


def test_at_recorded_rate_scales_every_time():
    n = 4
    batch = KeypointBatch(frame=np.arange(n), time_s=np.arange(n) / 30.0, valid=np.ones(n, bool),
                          image=np.zeros((n, 33, 5)), world=np.zeros((n, 33, 3)))
    np.testing.assert_allclose(at_recorded_rate(batch, 30.0, 240.0).time_s, np.arange(n) / 240.0)


@pytest.mark.parametrize("argv, message", [
    (["--fps", "0"], "--fps must be the frames per second"),
    (["--fps", "5000"], "--fps must be the frames per second"),
    (["--keypoints", "trial.trc", "--fps", "120"], "--fps applies to --videos"),
])
def test_fps_is_checked_at_the_boundary(argv: list[str], message: str):
    with pytest.raises(ConfigError, match=message):
        config_from_args(build_parser().parse_args(argv))
