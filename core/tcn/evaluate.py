"""Scores of trained models on whole held-out videos, per task (the same path as inference)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import TCN_EVENT_CHANNELS, TCN_EVENT_TOLERANCE_FRAMES, TCN_PHASE_NAMES
from core.tcn.decode import channel_peaks, events_to_positions
from core.tcn.infer import LoadedModel, frame_probabilities, predict_class
from core.tcn.metrics import (
    EventMatch,
    classification_scores,
    combine_matches,
    confusion_matrix,
    event_confusion,
    event_scores,
    match_events,
)
from core.tcn.samples import Sample
from core.tcn.targets import phase_targets

HEADLINE_METRIC = {"events": "f1", "phases": "accuracy", "classification": "accuracy"}


@dataclass(frozen=True)
class Evaluation:
    """Pooled ``metrics`` of a set of videos, one record per video, and a confusion matrix."""

    metrics: dict[str, float]
    per_video: list[dict]
    confusion: np.ndarray
    labels: list[str]


def event_labels() -> list[str]:
    return [f"{side}_{'hs' if kind == 'heel_strike' else 'to'}" for side, kind in TCN_EVENT_CHANNELS]


def in_truth_span(peaks: list[np.ndarray], truth: list[np.ndarray], tolerance_frames: float) -> list[np.ndarray]:
    """Detections within [first true event - tolerance, last + tolerance], as ``core.gait.evaluation``
    scores partially annotated recordings (events outside the annotated span are not scored)."""
    known = np.concatenate(truth)
    if known.size == 0:
        return peaks
    lo, hi = known.min() - tolerance_frames, known.max() + tolerance_frames
    return [p[(p >= lo) & (p <= hi)] for p in peaks]


def _evaluate_events(models: list[LoadedModel], samples: list[Sample]) -> Evaluation:
    tol = TCN_EVENT_TOLERANCE_FRAMES
    all_matches, errors_ms, records = [], [], []
    cm = np.zeros((len(TCN_EVENT_CHANNELS) + 1,) * 2, dtype=np.int64)
    for s in samples:
        truth = events_to_positions(s.events or [])
        peaks = in_truth_span(channel_peaks(frame_probabilities(models, s.features, s.rate_hz), s.rate_hz), truth, tol)
        matches = [match_events(p, t, tol) for p, t in zip(peaks, truth)]
        video: EventMatch = combine_matches(matches)
        all_matches.append(video)
        errors_ms.append(video.errors_frames * 1000.0 / s.rate_hz)
        cm += event_confusion(peaks, truth, tol)
        records.append(
            {
                "name": s.name,
                "group": s.group,
                **event_scores(video, s.rate_hz),
                "predicted_frames": {lab: np.round(p, 2).tolist() for lab, p in zip(event_labels(), peaks)},
                "true_frames": {lab: t.tolist() for lab, t in zip(event_labels(), truth)},
            }
        )
    pooled = event_scores(combine_matches(all_matches))
    ms = np.abs(np.concatenate(errors_ms)) if errors_ms else np.zeros(0)
    pooled["mae_ms"] = float(ms.mean()) if ms.size else float("nan")
    return Evaluation(pooled, records, cm, event_labels() + ["none"])


def _evaluate_phases(models: list[LoadedModel], samples: list[Sample]) -> Evaluation:
    cm = np.zeros((len(TCN_PHASE_NAMES),) * 2, dtype=np.int64)
    records = []
    for s in samples:
        pred = frame_probabilities(models, s.features, s.rate_hz).argmax(axis=1)
        truth = phase_targets(s.events or [], s.n_frames)
        video_cm = confusion_matrix(truth, pred, len(TCN_PHASE_NAMES))
        cm += video_cm
        scores = classification_scores(video_cm)
        records.append({"name": s.name, "group": s.group, "frames_scored": int(video_cm.sum()), **scores})
    return Evaluation(classification_scores(cm), records, cm, list(TCN_PHASE_NAMES))


def _evaluate_classes(models: list[LoadedModel], samples: list[Sample]) -> Evaluation:
    names = list(models[0].class_names)
    truth, pred, records = [], [], []
    for s in samples:
        label, prob, probs = predict_class(models, s.features, s.rate_hz, s.events)
        truth.append(names.index(s.label) if s.label in names else -1)
        pred.append(names.index(label))
        record = {"name": s.name, "group": s.group, "true": s.label, "predicted": label}
        records.append({**record, "probability": prob, "probabilities": probs})
    cm = confusion_matrix(np.array(truth), np.array(pred), len(names))
    return Evaluation(classification_scores(cm), records, cm, names)


def evaluate(models: list[LoadedModel], samples: list[Sample], task: str) -> Evaluation:
    """Pooled and per-video scores of ``models`` (an ensemble when several) on ``samples``."""
    if task == "events":
        return _evaluate_events(models, samples)
    if task == "phases":
        return _evaluate_phases(models, samples)
    return _evaluate_classes(models, samples)
