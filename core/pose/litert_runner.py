"""The one place that knows the LiteRT runtime: load a shipped ``.tflite`` model and run it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np

from core.errors import ModelUnavailableError
from core.pose.quiet import native_stderr_silenced

DETECTOR_FILE = "mediapipe/modules/pose_detection/pose_detection.tflite"
PREBUILT_ENV = "GAIT_PREBUILT_MODELS"  # the models the pose workers' parent builds (core.pose.prebuilt)


def prebuilt_env(paths: Iterable[Path]) -> dict[str, str]:
    """The environment under which importing ``core.pose.prebuilt`` builds the models at ``paths``. Defined
    here, not there, so that asking for it does not import that module (whose import does the building)."""
    return {PREBUILT_ENV: os.pathsep.join(str(p) for p in paths)}


def shipped_model_path(relative: str) -> Path:
    """Absolute path of a model file shipped inside the installed mediapipe wheel."""
    from core.pose.models import _mediapipe_root

    return _mediapipe_root() / relative


class TfliteModel:
    """One interpreter, one input tensor, outputs as float32 arrays (names sorted by tensor index)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        if not path.is_file():
            raise ModelUnavailableError(f"model file missing: {path}")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise ModelUnavailableError(f"LiteRT is not installed (pip install ai-edge-litert==2.3.0): {exc}") from None
        with native_stderr_silenced():  # the runtime announces its CPU delegate on fd 2
            self._interp = Interpreter(model_path=str(path), num_threads=threads)
            self._interp.allocate_tensors()
        self.built_pid = os.getpid()  # the process that built it (a fork server's, in a worker forked from there)
        inp = self._interp.get_input_details()[0]
        self.input_index = inp["index"]
        self.input_shape = tuple(int(s) for s in inp["shape"])
        self._outputs = sorted(self._interp.get_output_details(), key=lambda d: d["index"])

    def run(self, tensor: np.ndarray) -> list[np.ndarray]:
        """``tensor``: float32 of ``input_shape``; returns each output (copied)."""
        self._interp.set_tensor(self.input_index, tensor.astype(np.float32, copy=False))
        self._interp.invoke()
        return [np.array(self._interp.get_tensor(d["index"])) for d in self._outputs]

    def output_shapes(self) -> list[tuple[int, ...]]:
        return [tuple(int(s) for s in d["shape"]) for d in self._outputs]


_shared: dict[tuple[str, int], TfliteModel] = {}


def shared_model(path: Path, threads: int = 1) -> TfliteModel:
    """This process's interpreter of ``path`` with ``threads`` threads, built on first use (~40 ms of CPU):
    the pose engine's detector and the person finder's are one. ``TfliteModel.run`` is one call (input
    in, outputs copied out) on a model without state, so users in one thread share it safely. A worker
    forked from a server that built it (``core.pose.prebuilt``) starts with it built."""
    key = (str(path), threads)
    model = _shared.get(key)
    if model is None:
        model = _shared[key] = TfliteModel(path, threads)
    return model
