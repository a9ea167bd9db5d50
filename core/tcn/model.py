"""Residual temporal convolutional network with dilated 1-D convolutions.

Input (B, T, F); per-frame output (B, T, n_outputs) or, with a sequence head, (B, n_outputs).
A sequence model with a ``mirror`` column permutation is left/right invariant: it pools the encoder's
features of the input and of its mirror image, and its head sees their sum and absolute difference
(side-free asymmetry), so a walk and its mirror image get identical logits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

NORMS = ("batch", "layer", "weight", "none")


def receptive_field_frames(kernel_size: int, n_blocks: int, convs_per_block: int = 2) -> int:
    """Frames one output sees: 1 + convs * (k - 1) * sum of dilations 2**i for i < n_blocks."""
    return 1 + convs_per_block * (kernel_size - 1) * (2**n_blocks - 1)


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a ``TCN`` (stored as a plain dict in checkpoints)."""

    in_features: int
    n_outputs: int
    per_frame: bool
    channels: int = 64
    kernel_size: int = 5
    n_blocks: int = 5
    dropout: float = 0.1
    norm: str = "batch"
    causal: bool = False
    mirror: tuple[int, ...] = ()  # input column permutation that swaps left and right (sequence head only)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mirror", tuple(int(i) for i in self.mirror))  # lists from checkpoints
        if self.mirror and (self.per_frame or sorted(self.mirror) != list(range(self.in_features))):
            raise ValueError("mirror must permute the input columns of a sequence (per_frame=False) model")

    def to_dict(self) -> dict:
        return asdict(self) | {"mirror": list(self.mirror)}


class ChannelLayerNorm(nn.Module):
    """LayerNorm over channels of each frame separately (keeps causality)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm1d(channels)
    if kind == "layer":
        return ChannelLayerNorm(channels)
    return nn.Identity()


def _conv(channels: int, kernel_size: int, dilation: int, norm: str) -> nn.Module:
    conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation)
    return nn.utils.parametrizations.weight_norm(conv) if norm == "weight" else conv


class TemporalBlock(nn.Module):
    """Two dilated convolutions (norm, ReLU, dropout) plus an identity residual."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float, norm: str, causal: bool) -> None:
        super().__init__()
        total = (kernel_size - 1) * dilation
        self.pad = (total, 0) if causal else (total // 2, total - total // 2)
        self.convs = nn.ModuleList(_conv(channels, kernel_size, dilation, norm) for _ in range(2))
        self.posts = nn.ModuleList(
            nn.Sequential(_norm(norm, channels), nn.ReLU(), nn.Dropout(dropout)) for _ in range(2)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for conv, post in zip(self.convs, self.posts):
            y = post(conv(nn.functional.pad(y, self.pad)))
        return torch.relu(x + y)


class TCN(nn.Module):
    """Input projection, ``n_blocks`` temporal blocks (dilation 2**i), then a head."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        if cfg.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {cfg.norm!r}")
        self.cfg = cfg
        self.inp = nn.Conv1d(cfg.in_features, cfg.channels, 1)
        self.blocks = nn.Sequential(
            *(
                TemporalBlock(cfg.channels, cfg.kernel_size, 2**i, cfg.dropout, cfg.norm, cfg.causal)
                for i in range(cfg.n_blocks)
            )
        )
        if cfg.per_frame:
            self.head: nn.Module = nn.Conv1d(cfg.channels, cfg.n_outputs, 1)
        else:  # on [mean, max] pooled channels; mirror-invariant: their sum and |difference| over x and mirror(x)
            self.head = nn.Linear((4 if cfg.mirror else 2) * cfg.channels, cfg.n_outputs)
        self.register_buffer("mirror", torch.tensor(cfg.mirror, dtype=torch.long), persistent=False)

    @property
    def receptive_field(self) -> int:
        return receptive_field_frames(self.cfg.kernel_size, self.cfg.n_blocks)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.inp(x.transpose(1, 2)))

    @staticmethod
    def _pool(h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """(B, 2C) [mean, max] over the real frames of (B, C, T) ``h``."""
        if mask is None:
            return torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
        m = mask[:, None, :].to(h.dtype)
        mean = (h * m).sum(dim=2) / m.sum(dim=2).clamp_min(1.0)
        return torch.cat([mean, h.masked_fill(m == 0, float("-inf")).amax(dim=2)], dim=1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (B, T, F); mask: (B, T) bool of real frames (pooling only). Returns logits."""
        h = self._encode(x)
        if self.cfg.per_frame:
            return self.head(h).transpose(1, 2)
        pooled = self._pool(h, mask)
        if not self.cfg.mirror:
            return self.head(pooled)
        mirrored = self._pool(self._encode(x[..., self.mirror]), mask)
        return self.head(torch.cat([pooled + mirrored, (pooled - mirrored).abs()], dim=1))
