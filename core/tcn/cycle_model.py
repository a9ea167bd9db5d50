"""A classifier over gait cycles: each stride of a video is one sample, the video's class probabilities are
the mean of its strides' (``core.tcn.cycles`` cuts them; torch).

The network is the project's TCN (``core.tcn.model``) with the left/right-invariant sequence head, run over
the cycle axis (0..100 % of the stride) instead of time. A trained one is a ``LoadedModel`` whose ``meta``
holds ``"cycles"`` (the ``CycleSpec``) and ``"fallback_frames"``, so checkpoints, ensembles and
``core.tcn.infer.predict_class`` treat it like any other classifier.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.tcn.cycles import (
    CYCLE_NAMES,
    CycleAugment,
    CycleSpec,
    augmented_cycle,
    cut_cycles,
    cycle_columns,
    cycle_mirror,
    cycles_at,
    span_bounds,
    stride_bounds,
)
from core.tcn.fold import FoldRun, RunContext, as_loaded
from core.tcn.model import TCN, ModelConfig
from core.tcn.samples import Sample
from core.types import GaitEvent

log = logging.getLogger(__name__)

CYCLES_META = "cycles"
COLUMNS_META = "cycle_columns"
EPOCHS_PER_WINDOW_EPOCH = 4 / 3  # the profile's 30 epochs train 40 cycle epochs (as measured, docs/tcn.md)
FALLBACK_META = "fallback_frames"


@dataclass(frozen=True)
class CycleTraining:
    """Training of one cycle model: ``epochs`` passes of ``strides_per_video`` augmented strides per video
    (class- and video-balanced), batches of ``batch_size``, AdamW; the network's width and depth."""

    epochs: int = 40
    strides_per_video: int = 16
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    channels: int = 32
    kernel_size: int = 5
    n_blocks: int = 3
    dropout: float = 0.2


@dataclass
class TrainedCycles:
    """What ``train_cycle_model`` returns: the network in eval mode, the column mean and SD it was trained
    with, the training strides' median length (frames; cuts a video without a usable stride), one history
    row per epoch."""

    module: TCN
    mean: np.ndarray
    std: np.ndarray
    fallback_frames: int
    history: list[dict]


def cycle_moments(cycles: list[np.ndarray], mirror: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and SD over every point of (S, N, F) ``cycles`` and of their mirror images (SD 1 for a
    constant column), so side swap and normalisation commute."""
    flat = np.concatenate([c.reshape(-1, c.shape[-1]) for c in cycles]).astype(np.float64)
    flat = np.concatenate([flat, flat[:, mirror]])
    std = flat.std(axis=0)
    std[std < 1e-6] = 1.0
    return flat.mean(axis=0).astype(np.float32), std.astype(np.float32)


def _epoch_draws(bounds: list[np.ndarray], classes: np.ndarray, per_video: int, rng: np.random.Generator) -> list:
    """(video, stride) pairs of one epoch: as many per class as the largest class's videos x ``per_video``,
    spread at random over the class's videos and their strides; shuffled."""
    videos = np.flatnonzero([len(b) > 0 for b in bounds])
    per_class = per_video * max(int(np.sum(classes[videos] == c)) for c in np.unique(classes[videos]))
    draws = [(int(v), int(rng.integers(len(bounds[v]))))
             for c in np.unique(classes[videos]) for v in rng.choice(videos[classes[videos] == c], per_class)]
    return [draws[i] for i in rng.permutation(len(draws))]


def train_cycle_model(
    samples: list[Sample], classes: np.ndarray, n_classes: int, seed: int,
    spec: CycleSpec = CycleSpec(), aug: CycleAugment = CycleAugment(), cfg: CycleTraining = CycleTraining(),
) -> TrainedCycles:
    """Train on the strides of ``samples`` (class index per video in ``classes``, heel strikes in
    ``Sample.events``); a video without a usable stride adds nothing (ValueError when none has one)."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    mirror = cycle_mirror()
    bounds = [stride_bounds(s.events or [], s.rate_hz, s.n_frames, spec) for s in samples]
    if not any(len(b) for b in bounds):
        raise ValueError("no training video has a usable stride (two heel strikes of one side) for the cycle model")
    columns = [cycle_columns(s.features, s.events) for s in samples]
    mean, std = cycle_moments([cycles_at(c, b, s.rate_hz, spec.n_samples) for c, b, s in zip(columns, bounds, samples)],
                              mirror)
    module = TCN(ModelConfig(len(mean), n_classes, False, cfg.channels, cfg.kernel_size, cfg.n_blocks,
                             cfg.dropout, "batch", False, tuple(int(i) for i in mirror)))
    optimizer = torch.optim.AdamW(module.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    module.train()
    history = []
    for epoch in range(1, cfg.epochs + 1):
        start, losses = time.perf_counter(), []
        draws = _epoch_draws(bounds, np.asarray(classes), cfg.strides_per_video, rng)
        for lo in range(0, len(draws) - 1, cfg.batch_size):  # a batch of one is skipped (batch norm)
            batch = draws[lo:lo + cfg.batch_size]
            x = np.stack([augmented_cycle(columns[v], *bounds[v][k], samples[v].rate_hz, spec.n_samples, aug, rng)
                          for v, k in batch])
            x = (x - mean) / std + rng.normal(0.0, aug.noise_std, x.shape).astype(np.float32)
            swap = rng.random(len(batch)) < aug.swap_prob
            x[swap] = x[swap][..., mirror]
            loss = torch.nn.functional.cross_entropy(module(torch.from_numpy(x)),
                                                     torch.tensor([int(classes[v]) for v, _ in batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        seconds = time.perf_counter() - start
        history.append({"epoch": epoch, "train_loss": float(np.mean(losses)), "val_loss": None, "val_metric": None,
                        "lr": cfg.learning_rate, "windows_per_s": len(draws) / max(seconds, 1e-9), "seconds": seconds})
    fallback = int(np.median(np.concatenate([b[:, 1] - b[:, 0] for b in bounds if len(b)])))
    return TrainedCycles(module.eval(), mean, std, fallback, history)


def cycle_meta(spec: CycleSpec, fallback_frames: int) -> dict:
    """The ``LoadedModel.meta`` entries that make a model a cycle model."""
    return {CYCLES_META: dataclasses.asdict(spec), FALLBACK_META: int(fallback_frames), COLUMNS_META: list(CYCLE_NAMES)}


def is_cycle_model(meta: dict) -> bool:
    return CYCLES_META in meta


def check_cycle_meta(meta: dict) -> None:
    """Raise ValueError when a cycle model's ``meta`` names other columns than this version cuts."""
    if is_cycle_model(meta) and meta.get(COLUMNS_META) != list(CYCLE_NAMES):
        raise ValueError("a gait-cycle model trained on other cycle columns (an older version of this tool): "
                         "retrain it")


def video_cycles(
    features: np.ndarray, events: list[GaitEvent] | None, rate_hz: float, meta: dict
) -> tuple[np.ndarray, bool]:
    """((S, n_samples, F) cycles of one video, whether they are real strides). A video without a usable
    stride is cut into spans of the training strides' median length every half span instead."""
    spec = CycleSpec(**meta[CYCLES_META])
    cycles = cut_cycles(features, events or [], rate_hz, spec)
    if len(cycles):
        return cycles, True
    cols = cycle_columns(features, events)
    return cycles_at(cols, span_bounds(cols.shape[0], int(meta[FALLBACK_META])), rate_hz, spec.n_samples), False


@torch.no_grad()
def cycle_log_probs(
    module: TCN, mean: np.ndarray, std: np.ndarray, meta: dict,
    features: np.ndarray, events: list[GaitEvent] | None, rate_hz: float,
) -> np.ndarray:
    """(n_classes,) log of the mean over the video's cycles of the class probabilities."""
    cycles, real = video_cycles(features, events, rate_hz, meta)
    if not real:
        log.warning("gait-cycle model: a video of %d frames has no usable stride (two heel strikes of one side); "
                    "classified from spans of a typical stride instead (weak evidence)", features.shape[0])
    device = next(module.parameters()).device
    x = torch.from_numpy(np.ascontiguousarray((cycles - mean) / std, dtype=np.float32)).to(device)
    probs = torch.softmax(module(x).float(), dim=1).mean(dim=0)
    return torch.log(probs.clamp_min(1e-12)).cpu().numpy()


def train_cycle_fold(ctx: RunContext, train: list[Sample], val: list[Sample], fold: int, rate_hz: float) -> FoldRun:
    """``core.tcn.fold.train_fold`` for the cycle model: the network's width, depth, dropout and optimiser from
    ``ctx.cfg``, ``EPOCHS_PER_WINDOW_EPOCH`` x its epochs, batches of ``ctx.batch_size``; no validation
    (``val`` videos train too); the last epoch's weights are kept."""
    c = ctx.cfg
    videos = train + val
    training = CycleTraining(epochs=max(1, round(c.epochs * EPOCHS_PER_WINDOW_EPOCH)), batch_size=ctx.batch_size,
                             learning_rate=c.learning_rate, weight_decay=c.weight_decay, channels=c.channels,
                             kernel_size=c.kernel_size, n_blocks=c.n_blocks, dropout=c.dropout)
    classes = np.array([ctx.class_names.index(s.label) for s in videos])
    spec = CycleSpec()
    trained = train_cycle_model(videos, classes, len(ctx.class_names), c.seed + 1000 * fold, spec, cfg=training)
    loaded = as_loaded(ctx, trained.module, trained.mean, trained.std, rate_hz, fold)
    loaded = dataclasses.replace(loaded, window_frames=spec.n_samples,
                                 meta={**loaded.meta, **cycle_meta(spec, trained.fallback_frames)})
    return FoldRun(loaded, trained.history, len(trained.history), len(videos), 0)
