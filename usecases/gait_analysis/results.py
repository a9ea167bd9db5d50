"""What a run produces (``InputResult``, ``PipelineResults``, ``Analysis``) and the ``Guard`` that turns
one input's failure into a result: plain types shared by the pipeline, its stages and the TCN stage."""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.errors import GaitToolError

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
    started_epoch_s: float = field(default_factory=time.time)
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
            "started_epoch_s": self.started_epoch_s,
            "inputs": [{k: v for k, v in vars(r).items() if k != "tcn"} for r in self.inputs],
            "performance": self.performance,
            "training": self.training,
            "messages": self.messages,
        }


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
