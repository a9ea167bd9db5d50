"""The built-in demo checks itself against its known truth (issue 16, "The demo checks itself")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.usecases.reliability_media import run_cli


@pytest.mark.parametrize("relative_output", [False, True])
def test_demo_prints_its_event_f1_and_cadence_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     relative_output: bool):
    import usecases.gait_analysis.report as report

    monkeypatch.setattr(report, "DEMO_PARAMS", {**report.DEMO_PARAMS, "duration_s": 4.0, "width_px": 640,
                                                "height_px": 360})
    if relative_output:  # the README's demo command: output folder relative to the working directory
        monkeypatch.chdir(tmp_path)
    run = run_cli(["--output", "out" if relative_output else str(tmp_path / "out"), "--no-plots", "-q"])
    assert run.code == 0, run.out + run.err
    line = run.out.strip().splitlines()[-1]
    found = re.fullmatch(r"demo self-check against the video's known truth: event F1 ([0-9.]+) \(within \+/-50 ms\); "
                         r"cadence ([0-9.]+) steps/min vs ([0-9.]+) true \(([-+][0-9.]+)%\)", line)
    assert found, line
    assert float(found.group(1)) >= 0.8 and abs(float(found.group(4))) < 5.0
    assert (tmp_path / "out" / "demo_input" / "synthetic_walk.events.csv").exists()
