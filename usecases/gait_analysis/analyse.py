"""One input's analysis, wherever the executor runs it: a video's stored landmarks or a keypoint file
through the gait analysis, with its output files and notes; the annotated events it is scored against."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.config import Profile
from core.errors import GaitToolError, InputError, InsufficientDataError, NoPoseError
from core.performance_optimizer import PerformanceMonitor
from core.types import GaitEvent, KeypointSeries
from usecases.gait_analysis.config import PipelineConfig
from usecases.gait_analysis.results import Analysis, Guard

log = logging.getLogger("gait_analysis")

MIN_DETECTION_FRACTION = 0.2


def analyse_job(cfg: PipelineConfig, job: Any, profile: Profile, model_used: str) -> tuple[Analysis, dict]:
    """One video's analysis and outputs, wherever the executor runs it: the ``Analysis`` and the
    stage timings measured there."""
    return _with_own_monitor(analyse_video, cfg, job, profile, model_used)


def analyse_keypoint_job(cfg: PipelineConfig, path: Path, folder: Path) -> tuple[Analysis, dict]:
    """``analyse_keypoint_file`` wherever the executor runs it, with the stage timings measured there."""
    return _with_own_monitor(analyse_keypoint_file, cfg, path, folder)


def _with_own_monitor(fn: Callable[..., Analysis], cfg: PipelineConfig, *args: Any) -> tuple[Analysis, dict]:
    monitor = PerformanceMonitor(sample_interval_s=1.0)
    try:
        return fn(cfg, monitor, *args), monitor.report()["stages"]
    finally:
        monitor.close()


def video_notes(job: Any, last_frame: int | None = None, stored: int | None = None, stride: int = 1) -> list[str]:
    """Notes about the video itself: how its rate was chosen, whether it ended early, and how many of
    the frames up to ``last_frame`` (every ``stride``-th) are not among the ``stored`` ones because the
    decoder rejected their data (logged here; the rate note was logged when probing)."""
    notes = [job.info.note] if job.info.note else []
    announced = job.n_frames_announced
    if last_frame is not None and announced > last_frame + 1 + max(2, announced // 100):
        early = (f"decoding ended at frame {last_frame} but the metadata announces {announced} frames: "
                 "the file may be truncated or damaged; results cover the decoded part")
        log.warning("%s: %s", job.video, early)
        notes.append(early)
    missing = 0 if last_frame is None or stored is None else last_frame // max(1, stride) + 1 - stored
    if missing > 0:
        damaged = (f"{missing} frame(s) up to frame {last_frame} could not be decoded (damaged data in the file): "
                   "no pose there, and frames near them may be garbled")
        log.warning("%s: %s", job.video, damaged)
        notes.append(damaged)
    return notes


# Video cadences (steps/min) that say the clock is wrong. Below the first, the walk is probably a slow-motion file
# played back slower than life: the slowest walks measured here (Parkinson's and treadmill trials of
# docs/gait_accuracy.md) step 60-65 times a minute; a 4x slow-motion walk at 100 steps/min reads 25. Above the
# second, after --fps changed the clock, the video was probably not slow motion: young children step up to about
# 180 times a minute; a 30 fps walk at 110 steps/min given --fps 60 reads 220.
SLOW_MOTION_CADENCE_SPM = 40.0
FAST_CADENCE_SPM = 200.0


def clock_hints(cadence_spm: float | None, recorded_fps: float | None, file_fps: float) -> list[str]:
    """A note when a video's cadence says its clock is wrong: slower than walking without ``--fps`` (a slow-motion
    file saved at a playback rate), or faster than walking after ``--fps`` changed the clock; else none."""
    if cadence_spm is None:
        return []
    if recorded_fps is None and cadence_spm < SLOW_MOTION_CADENCE_SPM:
        note = (f"cadence {cadence_spm:.1f} steps/min is slower than walking (from about {SLOW_MOTION_CADENCE_SPM:g}): "
                "if this is a slow-motion video saved at a playback rate, give the rate it was recorded at with --fps "
                "(e.g. --fps 120); times, cadence and speed then follow it")
    elif recorded_fps not in (None, file_fps) and cadence_spm > FAST_CADENCE_SPM:
        note = (f"cadence {cadence_spm:.1f} steps/min is faster than walking (up to about {FAST_CADENCE_SPM:g}): "
                f"--fps {recorded_fps:g} ran the file's {file_fps:g} fps clock {recorded_fps / file_fps:.3g} times as "
                "fast; if this video is not slow motion, leave --fps out")
    else:
        return []
    log.warning("%s", note)
    return [note]


def recorded_rate_reason(reason: str, recorded_fps: float | None, file_fps: float, duration_s: float) -> str:
    """``reason`` for a failed analysis, plus what ``--fps`` did to the video's length when it changed the clock."""
    if recorded_fps is None or recorded_fps == file_fps or file_fps <= 0:
        return reason
    return (f"{reason}; --fps {recorded_fps:g} made the file's {duration_s:.1f} s at {file_fps:g} fps last "
            f"{duration_s * file_fps / recorded_fps:.2f} s: if this video is not slow motion, leave --fps out")


def analyse_video(cfg: PipelineConfig, monitor: PerformanceMonitor, job: Any, profile: Profile, model_used: str) -> Analysis:
    """Read a finished store, check detections, then analyse."""
    from core.io.keypoint_store import read_store
    from core.series import at_recorded_rate, batch_to_series
    from usecases.gait_analysis.person_guard import guard_whole_frame

    with monitor.stage("load"):
        batch = read_store(job.store_path)
    if len(batch) == 0:
        raise InputError("no frames could be decoded", job.video)
    batch = guard_whole_frame(batch, job.out_dir)
    rate = float(np.mean(batch.valid))
    if rate < MIN_DETECTION_FRACTION:
        raise NoPoseError(
            f"a person was detected in only {rate:.0%} of {len(batch)} processed frames "
            f"(need {MIN_DETECTION_FRACTION:.0%}); is anyone visible? try --roi",
            job.video,
        )
    fps, timed = job.info.fps, batch
    if cfg.recorded_fps is not None:
        fps, timed = cfg.recorded_fps, at_recorded_rate(batch, job.info.fps, cfg.recorded_fps)
    series = batch_to_series(timed, job.info.height, fps, name=job.out_dir.name)
    extra = {"detection_rate": round(rate, 4), "model_used": model_used, "frames_processed": len(batch)}
    notes = video_notes(job, int(batch.frame[-1]), len(batch), profile.pose.frame_stride)
    if cfg.recorded_fps is not None:
        notes.append(f"recorded at {cfg.recorded_fps:g} fps (--fps), stored for playback at {job.info.fps:g} fps: "
                     f"times scaled by {job.info.fps / cfg.recorded_fps:.4g}")
    if rate <= 0.95:
        notes.append(f"person detected in {rate:.0%} of frames")
    from core.io.gait_outputs import add_notes
    from core.io.people_tracks import add_person_block, guard_notes, rival_notes
    from core.io.report_html import write_report_html
    from usecases.gait_analysis.review import write_review_outputs

    try:
        res = analyse_series(cfg, monitor, series, job.out_dir, job.video)
    except InsufficientDataError as exc:  # the review video still shows whom the pose followed
        write_review_outputs(cfg, monitor, job, batch, analysed=False)
        reason = recorded_rate_reason(exc.reason, cfg.recorded_fps, job.info.fps, job.info.duration_s)
        if reason == exc.reason:
            raise
        raise InsufficientDataError(reason, exc.path) from exc
    add_person_block(job.out_dir / "gait_parameters.json", job.out_dir)
    notes += rival_notes(job.out_dir) + guard_notes(job.out_dir)
    notes += write_review_outputs(cfg, monitor, job, batch, analysed=True)
    notes += clock_hints(res.summary.get("cadence_steps_per_min"), cfg.recorded_fps, job.info.fps)
    add_notes(job.out_dir / "gait_parameters.json", notes)
    write_report_html(job.out_dir, plots=cfg.plots)  # last: it shows the notes and the contact sheet above
    return Analysis({**extra, **res.summary}, notes + res.notes, res.tcn, res.problems)


def analyse_keypoint_file(cfg: PipelineConfig, monitor: PerformanceMonitor, path: Path, folder: Path) -> Analysis:
    """``--keypoints``: a TRC, a C3D or the project's landmarks CSV, analysed without video."""
    from core.io.c3d_series import read_c3d_keypoints
    from core.io.landmarks_csv import read_landmarks_csv
    from core.io.trc import read_trc

    with monitor.stage("load"):
        suffix = path.suffix.lower()
        if suffix == ".trc":
            series = read_trc(path)
        elif suffix == ".c3d":
            series = read_c3d_keypoints(path)
        elif suffix == ".csv":
            series = read_landmarks_csv(path)
        else:
            raise InputError("unsupported keypoint file (expected .trc, .c3d or landmarks .csv)", path)
    analysis = analyse_series(cfg, monitor, replace(series, name=folder.name), folder, path)
    from core.io.report_html import write_report_html

    write_report_html(folder, plots=cfg.plots)
    note = series.meta.get("load_note")
    return replace(analysis, notes=[note] + analysis.notes) if note else analysis


def truth_events_for(cfg: PipelineConfig, source: Path, series: KeypointSeries) -> list[GaitEvent] | None:
    """Annotated events for ``source``: ``--events FILE``, or ``<stem>.events.csv`` in ``--events DIR``
    (else the generator's ``<stem>.truth.json``, else a ``<stem>.c3d`` there). A C3D gives its EVENT
    group's events, else its force plates' (``core.io.c3d_series.read_c3d_events``)."""
    from core.io.c3d_series import read_c3d_events
    from core.io.events_csv import read_events_csv

    if cfg.events is None:
        return None
    path = Path(cfg.events)
    if path.is_dir():
        found = [path / f"{source.stem}{suffix}" for suffix in (".events.csv", ".truth.json", ".c3d")]
        path = next((p for p in found if p.exists()), None)
        if path is None:
            return None
    if path.suffix.lower() == ".c3d":
        return read_c3d_events(path, series)
    return read_events_csv(path, n_frames=series.n_frames + int(series.meta.get("first_frame", 0)), rate_hz=series.rate_hz)


def analyse_series(
    cfg: PipelineConfig, monitor: PerformanceMonitor, series: KeypointSeries, folder: Path, source: Path
) -> Analysis:
    """Gait analysis of one series and its output files. A bad annotation file is reported on its own
    (the input is analysed without it); a recording too short for gait analysis still gets its landmarks."""
    from core.gait.analysis import analyze_series
    from core.io.gait_outputs import summary_row, write_gait_outputs

    problems: list[tuple[str, str]] = []
    try:
        truth = truth_events_for(cfg, source, series)
    except InputError as exc:
        problems.append((exc.path or str(cfg.events), exc.reason))
        truth = None
    with monitor.stage("analysis", frames=series.n_frames):
        try:
            result = analyze_series(
                series, cfg.profile.preprocessing, cfg.subject_height_m, truth, cfg.tolerance_ms / 1000.0
            )
        except InsufficientDataError as exc:
            _write_landmarks(folder, series, cfg.profile.memory.chunk_frames)
            raise InsufficientDataError(f"{exc.reason} (landmarks.csv and the TRC file were still written)",
                                        exc.path) from exc
    with monitor.stage("outputs"):
        write_gait_outputs(folder, result, plots=cfg.plots, chunk_frames=cfg.profile.memory.chunk_frames,
                           source=series)
    if result.evaluation is not None:
        _log_evaluation(source, result.evaluation)
    tcn = None
    if cfg.wants_training:
        from usecases.gait_analysis.tcn_stage import build_tcn_input

        with monitor.stage("features"):
            tcn = build_tcn_input(source, folder, result.oriented_series, result.events, truth)
    notes = list(result.notes)
    if cfg.events is not None and truth is None and not problems:
        notes.append(f"not evaluated: no {source.stem}.events.csv or {source.stem}.truth.json in {cfg.events}")
    return Analysis(summary_row(result), notes, tcn, problems)


def _write_landmarks(folder: Path, series: KeypointSeries, chunk_frames: int) -> None:
    """What can be reported without gait events: the landmarks (CSV and TRC)."""
    from core.io.gait_outputs import safe_stem
    from core.io.landmarks_csv import write_landmarks_csv
    from core.io.trc import write_trc

    write_landmarks_csv(folder / "landmarks.csv", series, chunk_frames=chunk_frames)
    rate = series.rate_hz if np.isfinite(series.rate_hz) else float(series.meta.get("fps") or 30.0)
    write_trc(folder / f"{safe_stem(series.name)}.trc", series, rate, chunk_frames=chunk_frames)


def check_labels(cfg: PipelineConfig, inputs: list[Path], guard: Guard) -> None:
    """Before any extraction: report labels CSV rows that name no given input (one failure for the CSV);
    a ``ConfigError`` when the labelled inputs cannot form the cross-validation folds."""
    from usecases.gait_analysis.tcn_stage import check_labelled_folds, unmatched_labels

    assert cfg.labels is not None
    try:
        missing = unmatched_labels(Path(cfg.labels), [str(p) for p in inputs])
    except GaitToolError:
        return  # an unreadable labels CSV is reported once, by the TCN stage
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    reason = f"names {len(missing)} video(s) that are not among the inputs: {shown}" if missing else ""
    if cfg.model is None and (cfg.task or "classification") == "classification":
        check_labelled_folds(Path(cfg.labels), [str(p) for p in inputs], cfg.profile.training.folds, reason)
    if missing:
        guard.fail(cfg.labels, "labels", None, reason)


def _log_evaluation(source: Path, evaluation: dict) -> None:
    overall = evaluation.get("overall", evaluation)
    parts = [f"F1 {overall.get('f1', float('nan')):.3f}"]
    for kind in ("heel_strike", "toe_off"):
        e = evaluation.get(kind) or evaluation.get("per_type", {}).get(kind)
        if e and e.get("mae_ms") is not None:
            parts.append(f"{kind} MAE {e['mae_ms']:.1f} ms (bias {e['bias_ms']:+.1f})")
    log.info("%s: evaluation against annotated events: %s", source.name, "; ".join(parts))
