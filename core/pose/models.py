"""Which MediaPipe pose landmark models exist offline, fallback to the bundled one, and pre-fetch."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelUnavailableError

log = logging.getLogger(__name__)

MODEL_FILES = {0: "pose_landmark_lite.tflite", 1: "pose_landmark_full.tflite", 2: "pose_landmark_heavy.tflite"}
MODEL_NAMES = {0: "lite", 1: "full", 2: "heavy"}
BUNDLED_COMPLEXITY = 1
_MODEL_DIR = "mediapipe/modules/pose_landmark"


def _mediapipe_root() -> Path:
    """The folder holding the ``mediapipe`` package, found without importing it (the import costs
    about a second and ~100 MB in a process that never runs a model)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise ModelUnavailableError("MediaPipe is not installed (pip install mediapipe==0.10.21)")
    return Path(spec.origin).resolve().parent.parent


def model_path(complexity: int) -> Path:
    """Where MediaPipe looks for the landmark model of this complexity."""
    return _mediapipe_root() / _MODEL_DIR / MODEL_FILES[complexity]


def available_models() -> dict[str, bool]:
    """``{"lite": bool, "full": bool, "heavy": bool}``: present on disk, usable offline."""
    return {MODEL_NAMES[c]: model_path(c).is_file() for c in MODEL_FILES}


@dataclass(frozen=True)
class ModelChoice:
    requested: int
    used: int
    note: str

    @property
    def used_name(self) -> str:
        return MODEL_NAMES[self.used]


def resolve_model(requested: int, strict: bool) -> ModelChoice:
    """Pick the model to run. A missing model is never downloaded here (no network at run time)."""
    if model_path(requested).is_file():
        return ModelChoice(requested, requested, "")
    message = (
        f"MediaPipe '{MODEL_NAMES[requested]}' pose model is not available offline "
        f"({model_path(requested)}); pre-fetch it with --prefetch-models on a machine with internet"
    )
    if strict:
        raise ModelUnavailableError(message + " (--strict-models is set)")
    if not model_path(BUNDLED_COMPLEXITY).is_file():
        raise ModelUnavailableError(message + ", and the bundled 'full' model is missing too")
    return ModelChoice(requested, BUNDLED_COMPLEXITY, message + "; using the bundled 'full' model instead")


def prefetch_models() -> dict[str, str | None]:
    """Download the lite and heavy models into the MediaPipe package (needs internet).

    Returns ``{model name: None when it is on disk now, else the reason it could not be fetched}``."""
    from mediapipe.python.solutions import download_utils

    outcome: dict[str, str | None] = {}
    for complexity in (0, 2):
        name = MODEL_NAMES[complexity]
        if not model_path(complexity).is_file():
            try:
                download_utils.download_oss_model(f"{_MODEL_DIR}/{MODEL_FILES[complexity]}")
            except Exception as exc:  # network errors come in many types
                outcome[name] = f"{getattr(exc, 'reason', None) or exc}"
                continue
        outcome[name] = None if model_path(complexity).is_file() else "download finished but the file is missing"
    return outcome
