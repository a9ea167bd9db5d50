"""Progress of a run's pose extraction: one tqdm bar per video, fed by the pose workers."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from usecases.gait_analysis.config import PipelineConfig


def result_frames(result: Any) -> int:
    """Stored frames in a pose task's result (``(batch, warm-up frames)``; 0 for an error message or
    a scan task's result)."""
    return len(result[0]) if isinstance(result, tuple) else 0


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal: redrawn bars written to a log file or a pipe leave carriage
    returns and cursor-up escapes between the messages (each video's "done" line still says how far a
    run is)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressBars:
    """One tqdm bar per video, fed by the pose workers (through a queue) or in-process; only on a
    terminal."""

    def __init__(self, cfg: PipelineConfig, jobs: list[Any], workers: int) -> None:
        from core.pose.extractor import set_progress_sink, worker_init

        self.enabled = cfg.progress and not cfg.quiet and _is_terminal(sys.stderr)
        self.jobs: dict[str, Any] = {}
        self.track(jobs)
        self.bars: dict[str, Any] = {}
        self.pool_args: dict[str, Any] = {"initializer": worker_init}
        self._queue: Any = None
        self._thread: threading.Thread | None = None
        self._log_redirect: Any = None
        if not self.enabled:
            return
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._log_redirect = logging_redirect_tqdm(loggers=[logging.getLogger()])  # messages on their own lines
        if workers == 1:
            set_progress_sink(self.update)
            return
        import multiprocessing as mp

        self._queue = mp.get_context("spawn").Queue()
        self.pool_args["initargs"] = (self._queue,)
        self._thread = threading.Thread(target=self._drain, name="progress", daemon=True)
        self._thread.start()

    def track(self, jobs: list[Any]) -> None:
        """Show bars for these jobs' videos as their frames come in."""
        self.jobs.update({str(j.video): j for j in jobs})

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self.update(*item)

    def update(self, video_path: str, n: int) -> None:
        bar = self.bars.get(video_path)
        if bar is None:
            from tqdm import tqdm

            job = self.jobs[video_path]
            bar = self.bars[video_path] = tqdm(
                total=job.frames_to_extract, desc=job.video.name[:30], unit="frame"
            )
        bar.update(n)

    def on_result(self, item: Any, result: Any) -> None:
        """A task's result came back from a remote worker (which cannot reach this process's queue):
        ``item`` is a pose lane's (job, task), or another phase's item (the scan's, a worker's set-up)."""
        task = item[1] if isinstance(item, tuple) and len(item) == 2 else None
        if self.enabled and hasattr(task, "pose"):  # a pose task (not the person finder's scan)
            self.update(task.video_path, result_frames(result) * task.pose.frame_stride)

    def close(self, job: Any) -> None:
        bar = self.bars.pop(str(job.video), None)
        if bar is not None:
            bar.close()

    def __enter__(self) -> "ProgressBars":
        if self._log_redirect is not None:
            self._log_redirect.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        from core.pose.extractor import set_progress_sink

        set_progress_sink(None)
        if self._queue is not None:
            self._queue.put(None)
            if self._thread is not None:
                self._thread.join(timeout=2)
        for bar in self.bars.values():
            bar.close()
        if self._log_redirect is not None:
            self._log_redirect.__exit__(None, None, None)
