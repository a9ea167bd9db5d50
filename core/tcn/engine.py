"""Torch plumbing: device and precision, losses, one training epoch, validation loss, and the
per-step memory measurement used by the adaptive batch size."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import torch
from torch import nn

from core.constants import TCN_IGNORE_INDEX
from core.errors import ConfigError


@dataclass(frozen=True)
class Precision:
    """``mode``: fp32, bf16-mixed or fp16-mixed (the last uses a GradScaler)."""

    device: torch.device
    mode: str

    @property
    def dtype(self) -> torch.dtype | None:
        return {"bf16-mixed": torch.bfloat16, "fp16-mixed": torch.float16}.get(self.mode)

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def scaler(self) -> torch.amp.GradScaler:
        return torch.amp.GradScaler(self.device.type, enabled=self.mode == "fp16-mixed")


def resolve_device(device: str) -> torch.device:
    """``auto`` -> cuda when available, else cpu. ``cuda`` without a GPU is a ConfigError."""
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device must be auto, cpu or cuda, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda requested but torch sees no CUDA GPU")
    return torch.device("cuda" if device == "cuda" or (device == "auto" and torch.cuda.is_available()) else "cpu")


def choose_precision(device: torch.device, mixed: bool = True) -> Precision:
    """Mixed precision on CUDA (bf16 where supported, else fp16); fp32 on CPU."""
    if device.type != "cuda" or not mixed:
        return Precision(device, "fp32")
    return Precision(device, "bf16-mixed" if torch.cuda.is_bf16_supported() else "fp16-mixed")


def task_loss(task: str, logits: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Masked BCE for events (B, T, 4; targets < 0 are ignored), cross-entropy for phases (B, T)
    and classes (B,)."""
    logits = logits.float()
    if task == "events":
        y = y.float()
        per = nn.functional.binary_cross_entropy_with_logits(logits, y.clamp_min(0.0), reduction="none").mean(dim=2)
        m = (mask & (y.amin(dim=2) >= 0)).float()
        return (per * m).sum() / m.sum().clamp_min(1.0)
    if task == "phases":
        y = y.masked_fill(~mask, TCN_IGNORE_INDEX)
        if not bool((y != TCN_IGNORE_INDEX).any()):
            return logits.sum() * 0.0
        flat = logits.reshape(-1, logits.shape[-1])
        return nn.functional.cross_entropy(flat, y.reshape(-1), ignore_index=TCN_IGNORE_INDEX)
    return nn.functional.cross_entropy(logits, y.long())


def _forward(model: nn.Module, task: str, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return model(x, mask) if task == "classification" else model(x)


def _to(batch: tuple[torch.Tensor, ...], device: torch.device) -> Iterator[torch.Tensor]:
    return (t.to(device, non_blocking=True) for t in batch)


def train_epoch(
    model: nn.Module,
    loader: object,
    task: str,
    optimizer: torch.optim.Optimizer,
    precision: Precision,
    scaler: torch.amp.GradScaler,
    on_batch: Callable[[float], None] | None = None,
) -> tuple[float, int, float]:
    """One pass over ``loader``: (mean loss, windows seen, seconds)."""
    model.train()
    total, count, start = 0.0, 0, time.perf_counter()
    for batch in loader:
        x, y, mask = _to(batch, precision.device)
        optimizer.zero_grad(set_to_none=True)
        with precision.autocast():
            logits = _forward(model, task, x, mask)
        loss = task_loss(task, logits, y, mask)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        value = float(loss.detach())
        total += value * x.shape[0]
        count += x.shape[0]
        if on_batch is not None:
            on_batch(value)
    if precision.device.type == "cuda":
        torch.cuda.synchronize()
    return total / max(count, 1), count, time.perf_counter() - start


@torch.no_grad()
def eval_loss(model: nn.Module, loader: object, task: str, precision: Precision) -> float:
    """Mean loss over ``loader`` in eval mode."""
    model.eval()
    total, count = 0.0, 0
    for batch in loader:
        x, y, mask = _to(batch, precision.device)
        with precision.autocast():
            logits = _forward(model, task, x, mask)
        total += float(task_loss(task, logits, y, mask)) * x.shape[0]
        count += x.shape[0]
    return total / max(count, 1)


def step_memory_meter(
    model: nn.Module, task: str, window_frames: int, n_features: int, n_outputs: int, precision: Precision
) -> Callable[[int], float]:
    """``measure(batch) -> MB`` added by one forward+backward step on random data.

    CUDA: peak allocated bytes above the start (``inf`` on out-of-memory). CPU: process RSS
    after the forward pass (activations alive) and after backward, above the RSS measured
    before the first call.
    """
    import psutil

    proc, device = psutil.Process(), precision.device
    base_rss = proc.memory_info().rss

    def step(batch: int) -> None:
        x = torch.randn(batch, window_frames, n_features, device=device)
        mask = torch.ones(batch, window_frames, dtype=torch.bool, device=device)
        if task == "events":
            y = torch.rand(batch, window_frames, n_outputs, device=device)
        elif task == "phases":
            y = torch.randint(0, n_outputs, (batch, window_frames), device=device)
        else:
            y = torch.randint(0, n_outputs, (batch,), device=device)
        model.train()
        with precision.autocast():
            logits = _forward(model, task, x, mask)
        rss_peak[0] = max(rss_peak[0], proc.memory_info().rss)
        task_loss(task, logits, y, mask).backward()
        rss_peak[0] = max(rss_peak[0], proc.memory_info().rss)
        model.zero_grad(set_to_none=True)

    rss_peak = [base_rss]

    def measure(batch: int) -> float:
        if device.type != "cuda":
            rss_peak[0] = base_rss
            step(batch)
            return (rss_peak[0] - base_rss) / 2**20
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats(device)
        start = torch.cuda.memory_allocated(device)
        try:
            step(batch)
            torch.cuda.synchronize()
        except torch.cuda.OutOfMemoryError:
            model.zero_grad(set_to_none=True)
            torch.cuda.empty_cache()
            return float("inf")
        return (torch.cuda.max_memory_allocated(device) - start) / 2**20

    return measure


def cuda_budget_mb(device: torch.device) -> float:
    """MB a batch may add on the GPU: a fraction of the currently free memory."""
    from core.tcn.resources import SAFETY

    free, _ = torch.cuda.mem_get_info(device)
    return free / 2**20 * SAFETY
