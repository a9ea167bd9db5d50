"""Training of one fold: datasets, loaders, the epoch loop with early stopping (best weights kept)."""

from __future__ import annotations

import copy
import dataclasses
import random
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader
from tqdm import tqdm

from core.config import TrainingConfig
from core.tcn.data import WindowDataset, seed_worker
from core.tcn.engine import Precision, eval_loss, train_epoch
from core.tcn.evaluate import HEADLINE_METRIC, evaluate
from core.tcn.features import FEATURE_VERSION, FeatureLayout
from core.tcn.infer import LoadedModel
from core.tcn.model import TCN, ModelConfig
from core.tcn.samples import Sample
from core.tcn.sampling import BalancedWindowSampler, dense_hop_frames, windows_per_video
from core.tcn.targets import N_EVENT_CHANNELS, N_PHASES, event_targets, mask_outside_annotations, phase_targets
from core.tcn.windows import Augment, window_index

BALANCED_SAMPLING = True  # training windows drawn per class and video (False: every overlapping window, shuffled)

MIN_DELTA = 1e-4  # relative improvement of the validation loss that resets patience
EVENT_PRIOR_LOGIT = -2.5  # initial event logit (about 8 % of frames lie under an event bump)


@dataclass(frozen=True)
class RunContext:
    """Settings shared by every fold of one run."""

    task: str
    cfg: TrainingConfig
    precision: Precision
    batch_size: int
    workers: int
    class_names: tuple[str, ...]
    layout: FeatureLayout | None
    augment: Augment
    progress: bool
    pseudo_labels: bool
    mirror_invariant: bool = False  # classification: a left/right-invariant model (needs ``layout``)
    cycles: bool = False  # classification: the gait-cycle model (``core.tcn.cycle_model``) instead of windows

    @property
    def n_outputs(self) -> int:
        return {"events": N_EVENT_CHANNELS, "phases": N_PHASES}.get(self.task, len(self.class_names))


def set_seeds(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def model_config(ctx: RunContext, n_features: int) -> ModelConfig:
    c = ctx.cfg
    return ModelConfig(
        in_features=n_features,
        n_outputs=ctx.n_outputs,
        per_frame=ctx.task != "classification",
        channels=c.channels,
        kernel_size=c.kernel_size,
        n_blocks=c.n_blocks,
        dropout=c.dropout,
        norm=c.norm,
        causal=c.causal,
        mirror=tuple(int(i) for i in ctx.layout.mirror) if ctx.mirror_invariant and ctx.layout is not None else (),
    )


def sample_targets(samples: list[Sample], task: str, class_names: tuple[str, ...]) -> list[np.ndarray | int]:
    """Per video: (T, 4) event targets, (T,) phases, or the class index."""
    if task == "events":
        return [mask_outside_annotations(event_targets(s.events or [], s.n_frames), s.events or []) for s in samples]
    if task == "phases":
        return [phase_targets(s.events or [], s.n_frames) for s in samples]
    return [class_names.index(s.label) for s in samples]


def normalisation(samples: list[Sample], mirror: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and std over all frames (std 1 for constant features); with a ``mirror``
    permutation, over the frames and their mirror images (left and right columns share them, so
    mirroring commutes with normalising)."""
    n = sum(s.n_frames for s in samples)
    total = sum(s.features.sum(axis=0, dtype=np.float64) for s in samples)
    mean = total / n
    var = sum(((s.features - mean) ** 2).sum(axis=0) for s in samples) / n
    if mirror is not None:
        second = var + mean**2
        mean = (mean + mean[mirror]) / 2
        var = (second + second[mirror]) / 2 - mean**2
    std = np.sqrt(np.maximum(var, 0.0))
    std[std < 1e-6] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def make_dataset(
    ctx: RunContext, samples: list[Sample], mean: np.ndarray, std: np.ndarray, train: bool, seed: int
) -> WindowDataset:
    c = ctx.cfg
    overlap = c.window_overlap if train else 0.0
    if train and BALANCED_SAMPLING:
        overlap = 1.0 - dense_hop_frames(c.window_frames) / c.window_frames
    index = window_index([s.n_frames for s in samples], c.window_frames, overlap)
    return WindowDataset(
        [s.features for s in samples],
        sample_targets(samples, ctx.task, ctx.class_names),
        index,
        c.window_frames,
        ctx.task,
        mean,
        std,
        augment=ctx.augment if train else None,
        layout=ctx.layout,
        seed=seed,
    )


def train_sampler(
    ctx: RunContext, samples: list[Sample], dataset: WindowDataset, seed: int
) -> BalancedWindowSampler | None:
    """Class- (classification) and video-balanced draws of ``dataset``'s dense windows, or None."""
    if not BALANCED_SAMPLING:
        return None
    targets = sample_targets(samples, ctx.task, ctx.class_names)
    classes = np.array(targets if ctx.task == "classification" else [0] * len(samples), dtype=np.int64)
    per_video = windows_per_video([s.n_frames for s in samples], ctx.cfg.window_frames, ctx.cfg.window_overlap)
    return BalancedWindowSampler(dataset.index[:, 0], classes, per_video, seed)


def make_loader(
    ctx: RunContext, dataset: WindowDataset, shuffle: bool, seed: int, sampler: BalancedWindowSampler | None = None
) -> DataLoader:
    workers = ctx.workers if shuffle else 0
    return DataLoader(
        dataset,
        batch_size=ctx.batch_size,
        shuffle=shuffle and sampler is None,
        sampler=sampler,
        num_workers=workers,
        worker_init_fn=seed_worker if workers else None,
        persistent_workers=workers > 0,
        pin_memory=ctx.precision.device.type == "cuda",
        generator=torch.Generator().manual_seed(seed),
    )


def as_loaded(
    ctx: RunContext, module: TCN, mean: np.ndarray, std: np.ndarray, rate_hz: float, fold: int
) -> LoadedModel:
    meta = {
        "fold": fold,
        "pseudo_labels": ctx.pseudo_labels,
        "training_config": dataclasses.asdict(ctx.cfg),
        "feature_version": FEATURE_VERSION,
    }
    return LoadedModel(module.eval(), ctx.task, ctx.class_names, mean, std, rate_hz, ctx.cfg.window_frames, meta)


@dataclass
class FoldRun:
    model: LoadedModel
    history: list[dict]
    best_epoch: int
    n_train_videos: int
    n_val_videos: int


@dataclass
class _Loop:
    """The trainable state of one fold."""

    module: TCN
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.ReduceLROnPlateau
    scaler: torch.amp.GradScaler
    train_loader: DataLoader
    val_loader: DataLoader | None


def _build_loop(
    ctx: RunContext, train: list[Sample], val: list[Sample], mean: np.ndarray, std: np.ndarray, seed: int
) -> _Loop:
    module = TCN(model_config(ctx, train[0].features.shape[1]))
    train_set = make_dataset(ctx, train, mean, std, True, seed)
    if ctx.task == "events":
        torch.nn.init.constant_(module.head.bias, EVENT_PRIOR_LOGIT)
    module.to(ctx.precision.device)
    optimizer = torch.optim.AdamW(module.parameters(), lr=ctx.cfg.learning_rate, weight_decay=ctx.cfg.weight_decay)
    patience = max(1, ctx.cfg.patience // 3)
    return _Loop(
        module,
        optimizer,
        torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=patience),
        ctx.precision.scaler(),
        make_loader(ctx, train_set, True, seed, train_sampler(ctx, train, train_set, seed)),
        make_loader(ctx, make_dataset(ctx, val, mean, std, False, seed), False, seed) if val else None,
    )


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _epoch(ctx: RunContext, loop: _Loop, desc: str, score_val: Callable[[], float | None]) -> dict:
    """Train one epoch, then validate; returns the history row (and shows it on the bar)."""
    bar = tqdm(total=len(loop.train_loader), desc=desc, disable=not ctx.progress, leave=True)

    def on_batch(loss: float) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.4f}")

    loss, seen, seconds = train_epoch(
        loop.module, loop.train_loader, ctx.task, loop.optimizer, ctx.precision, loop.scaler, on_batch
    )
    val_loss = None if loop.val_loader is None else eval_loss(loop.module, loop.val_loader, ctx.task, ctx.precision)
    metric = score_val()
    shown = {"loss": f"{loss:.4f}", "val_loss": _fmt(val_loss, ".4f"), HEADLINE_METRIC[ctx.task]: _fmt(metric, ".3f")}
    bar.set_postfix(**shown)
    bar.close()
    return {
        "train_loss": loss,
        "val_loss": val_loss,
        "val_metric": metric,
        "lr": loop.optimizer.param_groups[0]["lr"],
        "windows_per_s": seen / max(seconds, 1e-9),
        "seconds": seconds,
    }


def train_fold(ctx: RunContext, train: list[Sample], val: list[Sample], fold: int, rate_hz: float) -> FoldRun:
    """Train on ``train``; early stopping and LR schedule on the ``val`` loss (training loss when no ``val``).

    The weights of the best epoch are kept.
    """
    seed = ctx.cfg.seed + 1000 * fold
    set_seeds(seed)
    mean, std = normalisation(train, ctx.layout.mirror if ctx.mirror_invariant and ctx.layout is not None else None)
    loop = _build_loop(ctx, train, val, mean, std, seed)

    def score_val() -> float | None:
        if not val:
            return None
        model = as_loaded(ctx, loop.module, mean, std, rate_hz, fold)
        return evaluate([model], val, ctx.task).metrics[HEADLINE_METRIC[ctx.task]]

    history: list[dict] = []
    best_loss, best_epoch, best_state = float("inf"), 0, copy.deepcopy(loop.module.state_dict())
    for epoch in range(1, ctx.cfg.epochs + 1):
        row = _epoch(ctx, loop, f"fold {fold + 1} epoch {epoch}/{ctx.cfg.epochs}", score_val)
        history.append({"epoch": epoch, **row})
        monitored = row["train_loss"] if row["val_loss"] is None else row["val_loss"]
        loop.scheduler.step(monitored)
        if monitored < best_loss * (1 - MIN_DELTA):
            best_loss, best_epoch, best_state = monitored, epoch, copy.deepcopy(loop.module.state_dict())
        elif epoch - best_epoch >= ctx.cfg.patience:
            break
    loop.module.load_state_dict(best_state)
    return FoldRun(as_loaded(ctx, loop.module, mean, std, rate_hz, fold), history, best_epoch, len(train), len(val))
