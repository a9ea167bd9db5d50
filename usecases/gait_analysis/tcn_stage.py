"""TCN over the analysed inputs: build cached features, then train (cross-validated) or apply a model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError, InputError, InsufficientDataError
from core.types import GaitEvent, KeypointSeries
from usecases.gait_analysis.config import PipelineConfig
from usecases.gait_analysis.results import PipelineResults

log = logging.getLogger("gait_analysis")


@dataclass(frozen=True)
class TcnInput:
    """What the TCN needs from one analysed input (kept in memory by the pipeline)."""

    source: str
    name: str
    folder: Path
    features: np.ndarray
    rate_hz: float
    start_s: float
    events: list[GaitEvent]
    annotated: bool
    kinematic: list[GaitEvent]


def build_tcn_input(
    source: Path, folder: Path, series: KeypointSeries, kinematic: list[GaitEvent], annotated: list[GaitEvent] | None
) -> TcnInput:
    """Features of one preprocessed series (its bouts turned to one walking direction, see
    ``GaitResult.oriented_series``), cached beside its outputs (rebuilt when the series changes)."""
    import hashlib

    from core.io.feature_cache import feature_cache_path, load_feature_cache, save_feature_cache
    from core.tcn.features import FEATURE_VERSION, build_features

    key = hashlib.sha256(np.ascontiguousarray(series.positions).tobytes()).hexdigest()
    path = feature_cache_path(folder / "keypoints", key, FEATURE_VERSION)
    cached = load_feature_cache(path, key, FEATURE_VERSION)
    if cached is None:
        features = build_features(series)
        save_feature_cache(path, features, key, FEATURE_VERSION)
    else:
        features = cached["features"]
    events = annotated if annotated else kinematic
    return TcnInput(str(source), folder.name, folder, features, series.rate_hz, float(series.time_s[0]), events, bool(annotated), kinematic)


def run_tcn_stage(cfg: PipelineConfig, results: PipelineResults, out: Path) -> dict:
    inputs: list[TcnInput] = [r.tcn for r in results.inputs if r.status == "ok" and r.tcn is not None]
    if not inputs:
        raise ConfigError("no successfully analysed input to train on or apply a model to")
    if cfg.model is not None:
        return _apply(cfg, inputs)
    summaries = {r.source: r.summary for r in results.inputs if r.status == "ok"}
    return _train(cfg, inputs, out / "training", summaries)


def _match_labels(labels_path: Path, sources: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Labels CSV rows matched to ``sources`` (by path relative to the CSV, else by file name):
    ``({source: row}, [videos named in the CSV that match no source])``."""
    from core.io.labels_csv import read_labels_csv

    rows = read_labels_csv(labels_path)
    base = Path(labels_path).parent
    by_name = {Path(s).name: s for s in sources}
    by_path = {str(Path(s).resolve()): s for s in sources}
    found: dict[str, Any] = {}
    missing = []
    for row in rows:
        hit = by_path.get(str((base / row.video).resolve())) or by_name.get(Path(row.video).name)
        if hit is None:
            missing.append(row.video)
        else:
            found[hit] = row
    return found, missing


def unmatched_labels(labels_path: Path, sources: list[str]) -> list[str]:
    """Videos named in the labels CSV that are not among ``sources``."""
    return _match_labels(labels_path, sources)[1]


def check_labelled_folds(labels_path: Path, sources: list[str], n_folds: int, also: str = "") -> None:
    """Before any extraction: ``ConfigError`` naming the labels file when the labelled inputs cannot
    form ``n_folds`` grouped, stratified folds (too few videos, one class, a class with fewer videos
    than folds); ``also`` (another problem of the file) is appended to its reason."""
    from core.tcn.cv import check_cv_support

    rows = _match_labels(labels_path, sources)[0]
    groups = [row.group or src for src, row in rows.items()]
    try:
        check_cv_support(groups, n_folds, [row.label for row in rows.values()])
    except InsufficientDataError as exc:
        raise ConfigError(exc.reason + (f"; it also {also}" if also else ""), labels_path) from exc


def _labels_for(cfg: PipelineConfig, inputs: list[TcnInput]) -> dict[str, tuple[str, str]]:
    """source -> (label, group); videos named in the CSV but not analysed are logged (their failures
    are already reported)."""
    assert cfg.labels is not None
    names = {i.source: i.name for i in inputs}
    rows, missing = _match_labels(Path(cfg.labels), list(names))
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        log.warning("%s: %d labelled video(s) were not analysed or not given: %s", cfg.labels, len(missing), shown)
    if not rows:
        raise InputError("none of the labelled videos is among the analysed inputs", cfg.labels)
    return {src: (row.label, row.group or names[src]) for src, row in rows.items()}


def _gait_features(summary: dict[str, Any] | None) -> np.ndarray | None:
    from core.baseline.gait_classifier import gait_feature_vector

    return None if summary is None else gait_feature_vector(summary)


def _train(cfg: PipelineConfig, inputs: list[TcnInput], out: Path, summaries: dict[str, dict[str, Any]]) -> dict:
    from core.io.training_outputs import set_aside_previous_run
    from core.tcn.cv import check_cv_support
    from core.tcn.samples import Sample
    from core.tcn.train import train_cross_validated

    task = cfg.task or ("classification" if cfg.labels else "events")
    if task == "classification":
        if cfg.labels is None:
            raise ConfigError("--task classification needs --labels video,label CSV")
        labels = _labels_for(cfg, inputs)
        samples = [Sample(i.name, labels[i.source][1], i.features, i.rate_hz, i.events, labels[i.source][0],
                          _gait_features(summaries.get(i.source)))
                   for i in inputs if i.source in labels]
        pseudo = False
    else:
        samples = [Sample(i.name, i.name, i.features, i.rate_hz, i.events, None,
                          baseline_events=i.kinematic if i.annotated else None) for i in inputs if i.events]
        pseudo = not all(i.annotated for i in inputs)
        if pseudo:
            log.warning("TCN labels: kinematic-detector events (pseudo-labels) for %d of %d video(s)",
                        sum(not i.annotated for i in inputs), len(inputs))
    try:
        check_cv_support([s.group for s in samples], cfg.profile.training.folds,
                         [s.label for s in samples] if task == "classification" else None)
    except InsufficientDataError as exc:
        raise ConfigError(f"cannot train: {exc.reason}") from exc
    previous = set_aside_previous_run(out)
    if previous is not None:
        log.warning("the previous TCN training run in %s was moved to %s", out, previous)
    try:
        summary = train_cross_validated(
            samples, task, cfg.profile.training, out, device=cfg.device,
            max_memory_mb=cfg.profile.memory.max_memory_mb, progress=cfg.progress and not cfg.quiet,
            pseudo_labels=pseudo,
        )
    except ValueError as exc:
        raise ConfigError(f"training failed: {exc}") from exc
    if summary.get("small_set"):
        log.info("TCN small set: %s", summary["small_set"]["reason"])
    log.info("TCN %s training done: results in %s", task, out)
    return {"mode": "train", "task": task, "output_dir": str(out), "pseudo_labels": pseudo, "summary": summary}


def _apply(cfg: PipelineConfig, inputs: list[TcnInput]) -> dict:
    from core.gait.evaluation import evaluate_events
    from core.io.atomic import write_json
    from core.io.events_csv import write_events_csv
    from core.tcn.infer import load_models, predict_class, predict_events

    assert cfg.model is not None
    if not Path(cfg.model).exists():
        raise InputError("model file or folder not found", cfg.model)
    models = load_models(Path(cfg.model), device="cpu")
    task = models[0].task
    outputs: list[dict[str, Any]] = []
    for item in inputs:
        if task == "classification":
            label, prob, probs = predict_class(models, item.features, item.rate_hz, item.events)
            record: dict[str, Any] = {"input": item.source, "predicted_label": label, "probability": prob, "probabilities": probs}
            write_json(item.folder / "tcn_prediction.json", record)
        elif task == "events":
            events = predict_events(models, item.features, item.rate_hz, time_offset_s=item.start_s)
            write_events_csv(item.folder / "events_tcn.csv", events)
            record = {"input": item.source, "n_events": len(events)}
            if item.annotated:
                tol = cfg.tolerance_ms / 1000.0
                record["tcn"] = evaluate_events(events, item.events, tol)
                record["kinematic"] = evaluate_events(item.kinematic, item.events, tol)
                log.info("%s: event F1 at +/-%.0f ms: TCN %.3f, kinematic detector %.3f", item.name, cfg.tolerance_ms,
                         record["tcn"]["overall"]["f1"], record["kinematic"]["overall"]["f1"])
            write_json(item.folder / "tcn_evaluation.json", record)
        else:
            raise ConfigError(f"--model: applying a '{task}' model is not supported here; use events or classification")
        outputs.append(record)
    return {"mode": "apply", "task": task, "model": str(cfg.model), "n_models": len(models), "results": outputs}
