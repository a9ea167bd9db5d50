"""Figures for TCN training: confusion matrix and per-fold training curves (matplotlib Figures)."""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion_matrix_figure(matrix: np.ndarray, class_names: list[str], title: str = "Confusion matrix") -> Any:
    """Counts with row-normalised shading; rows = true, columns = predicted."""
    from matplotlib.figure import Figure

    matrix = np.asarray(matrix)
    n = len(class_names)
    fig = Figure(figsize=(1.2 * n + 3, 1.0 * n + 2.5))
    ax = fig.add_subplot(1, 1, 1)
    rows = matrix.sum(axis=1, keepdims=True)
    shade = np.divide(matrix, rows, out=np.zeros(matrix.shape, dtype=float), where=rows > 0)
    ax.imshow(shade, cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(n):
        for j in range(n):
            color = "white" if shade[i, j] > 0.6 else "black"
            ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", color=color)
    ax.set_xticks(range(n), class_names, rotation=40, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def training_curves_figure(histories: dict[str, list[dict[str, float]]], metric_name: str) -> Any:
    """Per fold: train/validation loss (left) and the validation metric (right) per epoch."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(11, 4))
    ax_loss, ax_metric = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for i, (fold, rows) in enumerate(histories.items()):
        color = f"C{i % 10}"
        epochs = [r["epoch"] for r in rows]
        ax_loss.plot(epochs, [r["train_loss"] for r in rows], color=color, label=f"{fold} train")
        val = [r.get("val_loss") for r in rows]
        if any(v is not None for v in val):
            ax_loss.plot(epochs, [np.nan if v is None else v for v in val], color=color, ls="--", label=f"{fold} val")
        metric = [np.nan if r.get("val_metric") is None else r["val_metric"] for r in rows]
        ax_metric.plot(epochs, metric, color=color, label=fold)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.set_yscale("log")
    ax_loss.legend(fontsize=7, ncol=2)
    ax_metric.set_xlabel("epoch")
    for ax in (ax_loss, ax_metric):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax_metric.set_ylabel(f"validation {metric_name}")
    ax_metric.legend(fontsize=7)
    from matplotlib.ticker import MaxNLocator

    for ax in (ax_loss, ax_metric):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    fig.tight_layout()
    return fig
