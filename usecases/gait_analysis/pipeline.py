"""``GaitAnalysisPipeline``: inputs -> pose extraction -> gait analysis -> (TCN) -> reports."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.errors import GaitToolError
from core.io.atomic import remove_stale_temps
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
        if remove_stale_temps(out, other_root_marker=OutputLock.NAME):
            log.info("%s: removed temporary files left by an interrupted run", out)
        video_paths, problems = expand_inputs(videos, VIDEO_SUFFIXES)
        kp_paths, kp_problems = expand_inputs(keypoints, KEYPOINT_SUFFIXES)
        for p in problems + kp_problems:
            self._report(results, InputResult(p.argument, "", "input", "failed", error=p.reason))
        guard = Guard(lambda r: self._report(results, r))
        if cfg.labels is not None:
            stages.check_labels(cfg, video_paths + kp_paths, guard)
        folders = self._folders(out, video_paths + kp_paths, guard)
        videos_ok = [p for p in video_paths if p in folders]
        if videos_ok:
            stages.run_videos(cfg, monitor, videos_ok, folders, guard, results)
        for path in (p for p in kp_paths if p in folders):
            folder = folders[path]
            guard.run(path, "keypoints", folder, lambda p=path, f=folder: stages.analyse_keypoint_file(cfg, monitor, p, f))
        if cfg.wants_training:
            def train() -> None:
                results.training = stages.run_tcn(cfg, monitor, results, out)

            guard.run_stage("TCN", "training", train)
        elif len(results.inputs) > 1:
            results.messages.append("TCN training skipped: give --labels, --events with --task, or --train")
        stages.write_run_reports(cfg, monitor, results, out)

    @staticmethod
    def _folders(out: Path, paths: list[Path], guard: "Guard") -> dict[Path, Path]:
        """Each input's output folder; an input whose folder would leave ``out`` fails alone."""
        folders = {}
        for path, name in output_names(paths).items():
            try:
                folders[path] = inside(out, name)
            except GaitToolError as exc:
                guard.fail(path, "input", None, exc.reason)
        return folders

    @staticmethod
    def _report(results: PipelineResults, res: InputResult) -> None:
        results.inputs.append(res)
        if res.status == "ok":
            log.info("%s: done -> %s", res.source, res.output_dir)
        else:
            log.error("%s: %s", res.source, res.error)


@dataclass(frozen=True)
class Analysis:
    """What analysing one input returns: summary row, notes, the TCN's view of it (or None), and
    ``problems``: (file, reason) of companion files (e.g. an events CSV) that failed while the input did not."""

    summary: dict[str, Any]
    notes: list[str]
    tcn: Any = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def error_reason(exc: BaseException, source: str | Path) -> str:
    """One line for a failure of ``source``: the reason, prefixed by the file it names when that is
    another file (an events CSV, an output file)."""
    if isinstance(exc, GaitToolError):
        return exc.reason if exc.path in (None, str(source)) else f"{exc.path}: {exc.reason}"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"file system error ({exc.strerror or exc}){where}"
    return f"unexpected error: {exc!r} (rerun with -v for details)"


class Guard:
    """Runs one input's work so that its failure is reported and never stops the other inputs."""

    def __init__(self, report: Callable[[InputResult], None]) -> None:
        self.report = report

    def fail(self, source: str | Path, kind: str, folder: Path | None, reason: str) -> None:
        self.report(InputResult(str(source), folder.name if folder else "", kind, "failed",
                                str(folder) if folder else None, error=reason))

    def run(self, source: Path, kind: str, folder: Path, fn: Callable[[], Analysis]) -> None:
        try:
            res = fn()
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # one bad input must not cost the others their results
            self._log_unexpected(exc)
            self.fail(source, kind, folder, error_reason(exc, source))
            return
        self.report(InputResult(str(source), folder.name, kind, "ok", str(folder),
                                summary=res.summary, notes=res.notes, tcn=res.tcn))
        for path, reason in res.problems:
            self.fail(path, "annotation", None, reason)

    def run_stage(self, label: str, kind: str, fn: Callable[[], Any]) -> None:
        """A run-level stage (TCN training): its failure is reported like an input's; the reports are still written."""
        try:
            fn()
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - reported, and the run reports are still written
            self._log_unexpected(exc)
            source = exc.path if isinstance(exc, GaitToolError) and exc.path else label
            self.fail(source, kind, None, error_reason(exc, source))

    @staticmethod
    def _log_unexpected(exc: BaseException) -> None:
        if not isinstance(exc, (GaitToolError, OSError)):
            log.debug("%s", "".join(traceback.format_exception(exc)))
