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
    tcn: Any = field(default=None, repr=False)


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
            "inputs": [{k: v for k, v in vars(r).items() if k != "tcn"} for r in self.inputs],
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
            self._report(results, InputResult(p.argument, "", "input", "failed", error=p.reason))
        names = output_names(video_paths + kp_paths)
        guard = Guard(lambda r: self._report(results, r))
        if video_paths:
            stages.run_videos(cfg, monitor, video_paths, {p: inside(out, names[p]) for p in video_paths}, guard, results)
        for path in kp_paths:
            folder = inside(out, names[path])
            guard.run(path, "keypoints", folder, lambda p=path, f=folder: stages.analyse_keypoint_file(cfg, monitor, p, f))
        if cfg.wants_training:
            results.training = stages.run_tcn(cfg, monitor, results, out)
        elif len(results.inputs) > 1:
            results.messages.append("TCN training skipped: give --labels, --events with --task, or --train")
        stages.write_run_reports(cfg, monitor, results, out)

    @staticmethod
    def _report(results: PipelineResults, res: InputResult) -> None:
        results.inputs.append(res)
        if res.status == "ok":
            log.info("%s: done -> %s", res.source, res.output_dir)
        else:
            log.error("%s: %s", res.source, res.error)


@dataclass(frozen=True)
class Analysis:
    """What analysing one input returns: summary row, notes, and the TCN's view of it (or None)."""

    summary: dict[str, Any]
    notes: list[str]
    tcn: Any = None


class Guard:
    """Runs one input's work so that its failure is reported and never stops the other inputs."""

    def __init__(self, report: Callable[[InputResult], None]) -> None:
        self.report = report

    def fail(self, source: Path, kind: str, folder: Path | None, reason: str) -> None:
        self.report(InputResult(str(source), folder.name if folder else "", kind, "failed",
                                str(folder) if folder else None, error=reason))

    def run(self, source: Path, kind: str, folder: Path, fn: Callable[[], Analysis]) -> None:
        try:
            res = fn()
        except GaitToolError as exc:
            self.fail(source, kind, folder, exc.reason)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except OSError as exc:
            self.fail(source, kind, folder, f"file system error: {exc.strerror or exc} ({exc.filename or ''})")
        except Exception as exc:  # one bad input must not cost the others their results
            log.debug("%s", traceback.format_exc())
            self.fail(source, kind, folder, f"unexpected error: {exc!r} (rerun with -v for details)")
        else:
            self.report(InputResult(str(source), folder.name, kind, "ok", str(folder),
                                    summary=res.summary, notes=res.notes, tcn=res.tcn))
