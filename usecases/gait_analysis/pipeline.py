"""``GaitAnalysisPipeline``: inputs -> pose extraction -> gait analysis -> (TCN) -> reports."""

from __future__ import annotations

import logging
from pathlib import Path

from core.errors import GaitToolError
from core.io.atomic import remove_stale_temps
from core.io.inputs import KEYPOINT_SUFFIXES, VIDEO_SUFFIXES, OutputLock, expand_inputs, inside, output_names
from core.performance_optimizer import PerformanceMonitor
from usecases.gait_analysis.config import PipelineConfig
from usecases.gait_analysis.results import Guard, InputResult, PipelineResults

__all__ = ["GaitAnalysisPipeline", "InputResult", "PipelineResults"]

log = logging.getLogger("gait_analysis")


class GaitAnalysisPipeline:
    """Drives the whole run. ``run_complete_pipeline(videos)`` returns ``PipelineResults``."""

    def __init__(self, config: PipelineConfig) -> None:
        from usecases.gait_analysis.legacy_config import apply_legacy_settings

        self.config = apply_legacy_settings(config)  # settings given as config[key] = value
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
        from usecases.gait_analysis import analyse, stages

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
            analyse.check_labels(cfg, video_paths + kp_paths, guard)
        folders = self._folders(out, video_paths + kp_paths, guard)
        videos_ok = [p for p in video_paths if p in folders]
        keypoints_ok = [p for p in kp_paths if p in folders]
        remote = keypoints_ok if cfg.scheduler else []  # with --scheduler, analysed on the cluster as well
        if videos_ok or remote:
            stages.run_videos(cfg, monitor, videos_ok, folders, guard, results, keypoints=remote)
        for path in (p for p in keypoints_ok if p not in remote):
            folder = folders[path]
            guard.run(path, "keypoints", folder, lambda p=path, f=folder: analyse.analyse_keypoint_file(cfg, monitor, p, f))
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
