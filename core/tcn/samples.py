"""The training unit: one video's cached features plus its labels (no torch)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.types import GaitEvent

TASKS: tuple[str, ...] = ("events", "phases", "classification")


@dataclass(frozen=True, eq=False)
class Sample:
    """One video. features: (T, F) float32 from ``core.tcn.features.build_features``.

    ``group`` keeps videos of one subject/session in the same fold. ``events`` are the
    (annotated or pseudo) gait events for the ``events``/``phases`` tasks; ``label`` is the
    video's class for ``classification``. ``gait_features`` (optional, (G,) float64 with NaN for
    missing values) are the video's gait parameters for the baseline classifier
    (``core.baseline.gait_classifier.gait_feature_vector``); ``baseline_events`` (optional) are the
    kinematic detector's events, scored beside the TCN on the same held-out videos (events task).
    """

    name: str
    group: str
    features: np.ndarray
    rate_hz: float
    events: list[GaitEvent] | None = None
    label: str | None = None
    gait_features: np.ndarray | None = None
    baseline_events: list[GaitEvent] | None = None

    @property
    def n_frames(self) -> int:
        return int(self.features.shape[0])


def at_rate(sample: Sample, rate_hz: float) -> Sample:
    """``sample`` with features linearly resampled to ``rate_hz`` and event frames moved to the same times.

    Returned unchanged when ``core.tcn.features.same_rate``. Event ``time_s`` is kept; frames become
    ``round(frame * rate_hz / sample.rate_hz)``, clipped to the new length.
    """
    from core.tcn.features import resample_features, same_rate

    if same_rate(sample.rate_hz, rate_hz):
        return sample
    features = resample_features(sample.features, sample.rate_hz, rate_hz)
    last = features.shape[0] - 1
    ratio = rate_hz / sample.rate_hz

    def moved(events: list[GaitEvent] | None) -> list[GaitEvent] | None:
        return None if events is None else [replace(e, frame=int(min(last, round(e.frame * ratio)))) for e in events]

    return replace(sample, features=features, rate_hz=float(rate_hz), events=moved(sample.events),
                   baseline_events=moved(sample.baseline_events))


def check_samples(samples: list[Sample], task: str) -> None:
    """Raise ValueError when ``samples`` cannot train ``task``."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if not samples:
        raise ValueError("no samples to train on")
    widths = {s.features.shape[1] if s.features.ndim == 2 else -1 for s in samples}
    if len(widths) != 1 or -1 in widths:
        raise ValueError(f"every sample needs (T, F) features with one F; got widths {sorted(widths)}")
    for s in samples:
        if task == "classification" and not s.label:
            raise ValueError(f"sample {s.name!r} has no label (needed for classification)")
        if task != "classification" and not s.events:
            raise ValueError(f"sample {s.name!r} has no events (needed for {task})")
        if not np.isfinite(s.rate_hz) or s.rate_hz <= 0:
            raise ValueError(f"sample {s.name!r} has an invalid rate {s.rate_hz!r} Hz")
