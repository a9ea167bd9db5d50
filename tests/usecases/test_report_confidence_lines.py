"""The console line per input says which quantity is not trusted, also when the overall grade is high."""

from __future__ import annotations

from pathlib import Path

import pytest

from usecases.gait_analysis.report import print_results
from usecases.gait_analysis.results import InputResult, PipelineResults


def _printed(capsys: pytest.CaptureFixture[str], grades: dict[str, str], overall: str) -> str:
    summary = {"cadence_steps_per_min": 100.0, "confidence": overall,
               **{f"confidence_{k}": v for k, v in grades.items()}}
    results = PipelineResults(Path("/tmp/out"), [InputResult("walk.mp4", "walk", "video", "ok", "/tmp/out/walk",
                                                             summary=summary)])
    print_results(results)
    return capsys.readouterr().out


def test_a_low_symmetry_is_said_under_a_high_overall_grade(capsys: pytest.CaptureFixture[str]) -> None:
    out = _printed(capsys, {"cadence": "high", "event_timing": "high", "symmetry": "low"}, "high")
    assert "confidence high: cadence high, event timing (stance, swing, double support) high, symmetry low" in out
    assert "LOW CONFIDENCE" not in out


def test_nothing_more_is_said_when_everything_is_high(capsys: pytest.CaptureFixture[str]) -> None:
    out = _printed(capsys, {"cadence": "high", "event_timing": "high", "symmetry": "high"}, "high")
    assert out.startswith("OK      walk.mp4") and "confidence" not in out
