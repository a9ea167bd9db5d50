"""Inference with trained TCNs: checkpoints <-> models, ensemble predictions on whole videos."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.constants import TCN_MIN_EVENT_INTERVAL_S, TCN_PEAK_THRESHOLD
from core.tcn.decode import channel_peaks, peaks_to_events
from core.tcn.features import resample_features, same_rate
from core.tcn.model import TCN, ModelConfig
from core.tcn.windows import slice_padded, window_starts
from core.types import GaitEvent

CHECKPOINT_FORMAT = "gait-tcn"
CHECKPOINT_VERSION = 1


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A trained TCN in eval mode plus what its input and output need.

    mean/std: (F,) feature normalisation; rate_hz: the frame rate it was trained at.
    """

    module: TCN
    task: str
    class_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    rate_hz: float
    window_frames: int
    meta: dict = field(default_factory=dict)

    @property
    def device(self) -> torch.device:
        return next(self.module.parameters()).device


def to_checkpoint(model: LoadedModel) -> dict:
    """Plain dict (tensors, lists, str, numbers only) for ``torch.load(..., weights_only=True)``."""
    return {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "task": model.task,
        "class_names": list(model.class_names),
        "model_config": model.module.cfg.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.module.state_dict().items()},
        "feature_mean": [float(v) for v in model.mean],
        "feature_std": [float(v) for v in model.std],
        "rate_hz": float(model.rate_hz),
        "window_frames": int(model.window_frames),
        "receptive_field_frames": int(model.module.receptive_field),
        "meta": dict(model.meta),
    }


def from_checkpoint(ckpt: dict, device: str | torch.device = "cpu") -> LoadedModel:
    """Rebuild a model from ``to_checkpoint`` output (ValueError when it is not one)."""
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise ValueError("not a gait TCN checkpoint")
    if int(ckpt.get("format_version", -1)) > CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint format {ckpt['format_version']} is newer than this tool ({CHECKPOINT_VERSION})")
    from core.tcn.cycle_model import check_cycle_meta

    check_cycle_meta(dict(ckpt.get("meta", {})))
    module = TCN(ModelConfig(**ckpt["model_config"]))
    module.load_state_dict(ckpt["state_dict"])
    module.to(device).eval()
    return LoadedModel(
        module=module,
        task=str(ckpt["task"]),
        class_names=tuple(ckpt["class_names"]),
        mean=np.asarray(ckpt["feature_mean"], dtype=np.float32),
        std=np.asarray(ckpt["feature_std"], dtype=np.float32),
        rate_hz=float(ckpt["rate_hz"]),
        window_frames=int(ckpt["window_frames"]),
        meta=dict(ckpt.get("meta", {})),
    )


def load_models(path: Path, device: str = "cpu") -> list[LoadedModel]:
    """One ``.pt`` file (one fold) or a folder of ``model_fold_*.pt`` (an ensemble)."""
    from core.errors import InputError
    from core.io.checkpoints import checkpoint_paths, load_checkpoint

    models = []
    for p in checkpoint_paths(Path(path)):
        try:
            models.append(from_checkpoint(load_checkpoint(p), device))
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise InputError(f"invalid TCN checkpoint ({exc})", p) from exc
    if len({m.task for m in models}) != 1:
        raise InputError("checkpoints of different tasks cannot form one ensemble", path)
    return models


def _normalised(model: LoadedModel, features: np.ndarray) -> torch.Tensor:
    x = (np.asarray(features, dtype=np.float32) - model.mean) / model.std
    return torch.from_numpy(np.ascontiguousarray(x)).to(model.device)


@torch.no_grad()
def _frame_logits(model: LoadedModel, features: np.ndarray, chunk_frames: int = 8192) -> np.ndarray:
    """(T, C) logits of a per-frame model, in chunks with receptive-field context (exact)."""
    x = _normalised(model, features)
    n, ctx = x.shape[0], model.module.receptive_field
    out = []
    for start in range(0, n, chunk_frames):
        lo, hi = max(0, start - ctx), min(n, start + chunk_frames + ctx)
        y = model.module(x[None, lo:hi])[0]
        out.append(y[start - lo : start - lo + min(chunk_frames, n - start)].float().cpu().numpy())
    return np.concatenate(out)


def _to_length(array: np.ndarray, n_frames: int) -> np.ndarray:
    if array.shape[0] >= n_frames:
        return array[:n_frames]
    return np.concatenate([array, np.repeat(array[-1:], n_frames - array.shape[0], axis=0)])


def _at_model_rate(model: LoadedModel, features: np.ndarray, rate_hz: float) -> tuple[np.ndarray, bool]:
    if same_rate(rate_hz, model.rate_hz):
        return features, False
    return resample_features(features, rate_hz, model.rate_hz), True


def frame_probabilities(models: list[LoadedModel], features: np.ndarray, rate_hz: float) -> np.ndarray:
    """(T, C) ensemble mean of per-frame probabilities (sigmoid for events, softmax for phases)."""
    total = None
    for model in models:
        feats, resampled = _at_model_rate(model, features, rate_hz)
        logits = torch.from_numpy(_frame_logits(model, feats))
        probs = (torch.sigmoid(logits) if model.task == "events" else torch.softmax(logits, dim=1)).numpy()
        if resampled:
            probs = _to_length(resample_features(probs, model.rate_hz, rate_hz), features.shape[0])
        total = probs if total is None else total + probs
    return total / len(models)


def predict_events(
    models: list[LoadedModel],
    features: np.ndarray,
    rate_hz: float,
    *,
    threshold: float = TCN_PEAK_THRESHOLD,
    min_interval_s: float = TCN_MIN_EVENT_INTERVAL_S,
    time_offset_s: float = 0.0,
) -> list[GaitEvent]:
    """Gait events of one video from (T, F) features; ``time_s = time_offset_s + frame / rate_hz``."""
    probs = frame_probabilities(models, features, rate_hz)
    peaks = channel_peaks(probs, rate_hz, threshold, min_interval_s)
    return peaks_to_events(peaks, rate_hz, features.shape[0], time_offset_s)


def predict_phases(models: list[LoadedModel], features: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(phase (T,) int64 in 0..3, probabilities (T, 4)) of one video."""
    probs = frame_probabilities(models, features, rate_hz)
    return probs.argmax(axis=1).astype(np.int64), probs


@torch.no_grad()
def _class_log_probs(model: LoadedModel, features: np.ndarray, batch: int = 256) -> np.ndarray:
    """(n_classes,) mean over half-overlapping windows of the window log-probabilities."""
    w = model.window_frames
    starts = window_starts(features.shape[0], w, 0.5)
    chunks = []
    for i in range(0, len(starts), batch):
        pieces = [slice_padded(features, int(s), w, 0.0) for s in starts[i : i + batch]]
        x = np.stack([p[0] for p in pieces])
        mask = torch.from_numpy(np.stack([p[1] for p in pieces])).to(model.device)
        xt = _normalised(model, x) * mask[..., None]
        chunks.append(torch.log_softmax(model.module(xt, mask).float(), dim=1).cpu())
    return torch.cat(chunks).mean(dim=0).numpy()


def predict_class(
    models: list[LoadedModel], features: np.ndarray, rate_hz: float | None = None,
    events: list[GaitEvent] | None = None,
) -> tuple[str, float, dict[str, float]]:
    """(label, its probability, every class's probability) of one video; ensemble mean of probabilities.

    A gait-cycle model (``core.tcn.cycle_model``) cuts the video's strides at the heel strikes of ``events``
    (frames of ``features``, recorded at ``rate_hz``; the model's rate when None)."""
    from core.tcn.cycle_model import cycle_log_probs, is_cycle_model

    total = None
    for model in models:
        if is_cycle_model(model.meta):
            log_p = cycle_log_probs(model.module, model.mean, model.std, model.meta, features, events,
                                    model.rate_hz if rate_hz is None else rate_hz)
        else:
            feats = features if rate_hz is None else _at_model_rate(model, features, rate_hz)[0]
            log_p = _class_log_probs(model, feats)
        probs = np.exp(log_p - log_p.max())
        probs /= probs.sum()
        total = probs if total is None else total + probs
    probs = total / len(models)
    names = models[0].class_names
    best = int(np.argmax(probs))
    return names[best], float(probs[best]), {n: float(p) for n, p in zip(names, probs)}
