"""``GaitAnalysisPipeline``: inputs -> pose extraction -> gait analysis -> (TCN) -> reports."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.errors import GaitToolError
from core.io.inputs import KEYPOINT_SUFFIXES, VIDEO_SUFFIXES, OutputLock, expand_inputs, inside, output_names
from core.performance_optimizer import PerformanceMonitor
from usecases.gait_analysis.config import PipelineConfig

log = logging.getLogger("gait_analysis")


@dataclass
class InputResult:
    """Outcome for one input: ``status`` is "ok" or "failed"."""

    source: str
    name: str
    kind: str
    status: str
    output_dir: str | None = None
    error: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class PipelineResults:
    """What a run produced. ``exit_code`` is 0 only when every input succeeded."""

    output_dir: Path
    inputs: list[InputResult] = field(default_factory=list)
    performance: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[InputResult]:
        return [r for r in self.inputs if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        return 0 if self.inputs and not self.failures else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "output_dir": str(self.output_dir),
            "inputs": [vars(r) for r in self.inputs],
            "performance": self.performance,
            "training": self.training,
            "messages": self.messages,
        }


class GaitAnalysisPipeline:
    """Drives the whole run. ``run_complete_pipeline(videos)`` returns ``PipelineResults``."""

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        self.monitor: PerformanceMonitor | None = None

    def run_complete_pipeline(
        self, videos: list[str | Path] | None = None, keypoints: list[str | Path] | None = None
    ) -> PipelineResults:
        cfg = self.config
        out = Path(cfg.output_dir)
        results = PipelineResults(output_dir=out)
        self.monitor = PerformanceMonitor()
        try:
            with OutputLock(out):
                self._run(results, [str(v) for v in videos or []], [str(k) for k in keypoints or []])
        finally:
            self.monitor.close()
        return results

    def _run(self, results: PipelineResults, videos: list[str], keypoints: list[str]) -> None:
        from usecases.gait_analysis import stages

        cfg, monitor = self.config, self.monitor
        assert monitor is not None
        out = Path(cfg.output_dir)
        video_paths, problems = expand_inputs(videos, VIDEO_SUFFIXES)
        kp_paths, kp_problems = expand_inputs(keypoints, KEYPOINT_SUFFIXES)
        for p in problems + kp_problems:
            results.inputs.append(InputResult(p.argument, "", "input", "failed", error=p.reason))
        names = output_names(video_paths + kp_paths)
        report = self._reporter(results)
        if video_paths:
            stages.run_videos(cfg, monitor, video_paths, names, out, report, results)
        for path in kp_paths:
            self._guard(path, "keypoints", names[path], out, report,
                        lambda d: stages.analyse_keypoint_file(cfg, monitor, path, d))
        if cfg.wants_training:
            results.training = stages.run_tcn(cfg, monitor, results, out)
        elif len(results.inputs) > 1:
            results.messages.append("TCN training skipped: give --labels, --events with --task, or --train")
        stages.write_run_reports(cfg, monitor, results, out)

    def _reporter(self, results: PipelineResults) -> Callable[[InputResult], None]:
        def report(res: InputResult) -> None:
            results.inputs.append(res)
            if res.status == "ok":
                log.info("%s: done -> %s", res.source, res.output_dir)
            else:
                log.error("%s: %s", res.source, res.error)

        return report

    def _guard(self, path: Path, kind: str, name: str, out: Path, report: Callable, fn: Callable) -> None:
        folder = inside(out, name)
        try:
            summary, notes = fn(folder)
            report(InputResult(str(path), name, kind, "ok", str(folder), summary=summary, notes=notes))
        except GaitToolError as exc:
            report(InputResult(str(path), name, kind, "failed", str(folder), error=exc.reason))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # one bad input must not cost the others their results
            log.debug("%s", traceback.format_exc())
            report(InputResult(str(path), name, kind, "failed", str(folder), error=f"unexpected error: {exc!r}"))
