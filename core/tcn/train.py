"""Cross-validated TCN training (public entry point ``train_cross_validated``)."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import torch

from core.config import TrainingConfig
from core.tcn.cv import grouped_kfold, grouped_split
from core.tcn.engine import Precision, choose_precision, cuda_budget_mb, resolve_device, step_memory_meter
from core.tcn.evaluate import HEADLINE_METRIC, Evaluation, evaluate
from core.tcn.features import FEATURE_VERSION, N_FEATURES, standard_layout
from core.tcn.fold import FoldRun, RunContext, model_config, train_fold
from core.tcn.infer import to_checkpoint
from core.tcn.metrics import classification_report, classification_scores, mean_sd
from core.tcn.model import TCN, receptive_field_frames
from core.tcn.resources import BatchSearch, batch_cap, cpu_budget_mb, dataloader_workers, search_batch_size, training_threads
from core.tcn.samples import Sample, check_samples
from core.tcn.windows import Augment, window_index

VAL_FRACTION = 0.2


def choose_batch_size(ctx: RunContext, n_features: int, n_windows: int, max_memory_mb: int) -> BatchSearch:
    """Measure forward+backward steps of a throwaway model at doubling batch sizes."""
    if ctx.cfg.batch_size > 0:
        return BatchSearch(ctx.cfg.batch_size, float("nan"), ctx.cfg.batch_size, "fixed by configuration")
    device = ctx.precision.device
    module = TCN(model_config(ctx, n_features)).to(device)
    budget = cuda_budget_mb(device) if device.type == "cuda" else cpu_budget_mb(max_memory_mb)
    meter = step_memory_meter(module, ctx.task, ctx.cfg.window_frames, n_features, ctx.n_outputs, ctx.precision)
    search = search_batch_size(meter, budget, batch_cap(n_windows))
    del module
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return search


def _fold_record(k: int, run: FoldRun, ev: Evaluation, test: list[Sample]) -> dict:
    rates = [r["windows_per_s"] for r in run.history]
    return {
        "fold": k,
        "train_videos": run.n_train_videos,
        "val_videos": run.n_val_videos,
        "test_videos": [s.name for s in test],
        "best_epoch": run.best_epoch,
        "epochs_run": len(run.history),
        "windows_per_s": float(np.mean(rates)) if rates else float("nan"),
        "metrics": ev.metrics,
    }


def _report_text(task: str, cm: np.ndarray, labels: list[str], pseudo_labels: bool) -> str:
    head = f"TCN task: {task}; labels: {'pseudo (kinematic detector)' if pseudo_labels else 'annotated'}\n"
    if task == "events":
        head += "Events pooled over held-out videos; 'none' = missed (column) or spurious (row) events.\n"
    return head + "\n" + classification_report(cm, labels)


def _cv_summary(task: str, folds: list[dict], pooled_cm: np.ndarray) -> tuple[dict, dict]:
    keys = [k for k, v in folds[0]["metrics"].items() if isinstance(v, (int, float))]
    metrics = {k: {**mean_sd([f["metrics"][k] for f in folds]), "per_fold": [f["metrics"][k] for f in folds]} for k in keys}
    if task == "events":
        tp, fp, fn = (sum(f["metrics"][k] for f in folds) for k in ("tp", "fp", "fn"))
        pooled = {"f1": 2 * tp / max(2 * tp + fp + fn, 1), "tp": tp, "fp": fp, "fn": fn}
    else:
        pooled = classification_scores(pooled_cm)
    return metrics, pooled


def _threads() -> int:
    if "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(training_threads())
    return torch.get_num_threads()


def train_cross_validated(
    samples: list[Sample],
    task: str,
    cfg: TrainingConfig,
    out_dir: Path,
    *,
    device: str = "auto",
    max_memory_mb: int = 0,
    progress: bool = True,
    pseudo_labels: bool = False,
    mixed_precision: bool = True,
) -> dict:
    """K-fold training grouped by ``Sample.group``; writes every output into ``out_dir``; returns the summary."""
    from core.io.training_outputs import write_fold_checkpoint, write_training_outputs
    from core.report.training_plots import confusion_matrix_figure, training_curves_figure

    check_samples(samples, task)
    start = time.perf_counter()
    previous_threads = torch.get_num_threads()
    precision: Precision = choose_precision(resolve_device(device), mixed_precision)
    threads = _threads()
    n_features = samples[0].features.shape[1]
    labels = [s.label for s in samples] if task == "classification" else None
    class_names = tuple(sorted(set(labels))) if labels else ()
    folds = grouped_kfold([s.group for s in samples], cfg.folds, labels, cfg.seed)
    rate_hz = float(np.median([s.rate_hz for s in samples]))
    n_windows = len(window_index([samples[i].n_frames for i in folds[0][0]], cfg.window_frames, cfg.window_overlap))
    layout = standard_layout() if n_features == N_FEATURES else None
    ctx = RunContext(task, cfg, precision, 1, dataloader_workers(precision.device.type, n_windows), class_names, layout, Augment(), progress, pseudo_labels)
    search = choose_batch_size(ctx, n_features, n_windows, max_memory_mb)
    ctx = dataclasses.replace(ctx, batch_size=search.batch_size)
    fold_records, histories, detailed = [], {}, []
    pooled_cm = None
    try:
        for k, (train_idx, test_idx) in enumerate(folds):
            train_part, test = [samples[i] for i in train_idx], [samples[i] for i in test_idx]
            part_labels = [s.label for s in train_part] if labels else None
            inner_train, inner_val = grouped_split([s.group for s in train_part], VAL_FRACTION, part_labels, cfg.seed + k)
            run = train_fold(ctx, [train_part[i] for i in inner_train], [train_part[i] for i in inner_val], k, rate_hz)
            write_fold_checkpoint(out_dir, k, to_checkpoint(run.model))
            ev = evaluate([run.model], test, task)
            fold_records.append(_fold_record(k, run, ev, test))
            histories[f"fold_{k}"] = run.history
            detailed += [{"fold": k, **r} for r in ev.per_video]
            pooled_cm = ev.confusion if pooled_cm is None else pooled_cm + ev.confusion
    finally:
        torch.set_num_threads(previous_threads)
    metrics, pooled = _cv_summary(task, fold_records, pooled_cm)
    rf = receptive_field_frames(cfg.kernel_size, cfg.n_blocks)
    summary = {
        "task": task,
        "pseudo_labels": pseudo_labels,
        "n_videos": len(samples),
        "n_groups": len({s.group for s in samples}),
        "n_folds": len(folds),
        "n_features": n_features,
        "feature_version": FEATURE_VERSION,
        "class_names": list(class_names),
        "headline_metric": HEADLINE_METRIC[task],
        "metrics": metrics,
        "pooled": pooled,
        "confusion_matrix": {"labels": ev.labels, "counts": pooled_cm.tolist()},
        "receptive_field_frames": rf,
        "receptive_field_s": rf / rate_hz,
        "rate_hz": rate_hz,
        "batch_size": search.batch_size,
        "batch_search": search.to_dict(),
        "throughput_windows_per_s": mean_sd([f["windows_per_s"] for f in fold_records]),
        "device": str(precision.device),
        "device_name": torch.cuda.get_device_name(precision.device) if precision.device.type == "cuda" else "cpu",
        "precision": precision.mode,
        "torch_threads": threads,
        "dataloader_workers": ctx.workers,
        "training_config": dataclasses.asdict(cfg),
        "augmentation": dataclasses.asdict(ctx.augment) | {"mirror_and_rotation": layout is not None},
        "seconds": time.perf_counter() - start,
    }
    write_training_outputs(
        out_dir,
        summary=summary,
        fold_scores=fold_records,
        histories=histories,
        detailed=detailed,
        report_text=_report_text(task, pooled_cm, ev.labels, pseudo_labels),
        confusion_figure=confusion_matrix_figure(pooled_cm, ev.labels, f"TCN {task} (held-out folds)"),
        curves_figure=training_curves_figure(histories, HEADLINE_METRIC[task]),
    )
    return summary
