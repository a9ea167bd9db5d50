"""Cross-validated TCN training (public entry point ``train_cross_validated``)."""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.config import TrainingConfig
from core.tcn.baseline_cv import classification_baseline, combined_classification, events_baseline, prediction_rows
from core.tcn.cv import check_cv_support, grouped_kfold, grouped_split
from core.tcn.engine import choose_precision, cuda_budget_mb, resolve_device, step_memory_meter
from core.tcn.evaluate import HEADLINE_METRIC, Evaluation, evaluate
from core.tcn.features import FEATURE_VERSION, N_FEATURES, standard_layout
from core.tcn.fold import FoldRun, RunContext, model_config, train_fold
from core.tcn.infer import to_checkpoint
from core.tcn.metrics import classification_report, classification_scores, mean_sd
from core.tcn.model import TCN, receptive_field_frames
from core.tcn.resources import (
    BatchSearch,
    batch_cap,
    cpu_budget_mb,
    dataloader_workers,
    search_batch_size,
    training_threads,
)
from core.tcn.samples import Sample, at_rate, check_samples
from core.tcn.small_set import small_set_config, use_validation
from core.tcn.windows import Augment, window_index

VAL_FRACTION = 0.2
MEMBER_SEED_STEP = 100  # seed offset between the members of a fold's ensemble


def choose_batch_size(ctx: RunContext, n_features: int, n_windows: int, max_memory_mb: int) -> BatchSearch:
    """Measure forward+backward steps of a throwaway model at doubling batch sizes."""
    if ctx.cfg.batch_size > 0:
        return BatchSearch(ctx.cfg.batch_size, float("nan"), ctx.cfg.batch_size, "fixed by configuration")
    if ctx.cycles:
        from core.tcn.cycle_model import CycleTraining

        batch = CycleTraining().batch_size
        return BatchSearch(batch, float("nan"), batch, "gait-cycle model (fixed)")
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
        "windows_per_s": float(np.median(rates)) if rates else float("nan"),  # median: the first epoch warms up
        "metrics": ev.metrics,
    }


def _report_text(task: str, cm: np.ndarray, labels: list[str], pseudo_labels: bool) -> str:
    head = f"TCN task: {task}; labels: {'pseudo (kinematic detector)' if pseudo_labels else 'annotated'}\n"
    if task == "events":
        head += "Events pooled over held-out videos; 'none' = missed (column) or spurious (row) events.\n"
    return head + "\n" + classification_report(cm, labels)


def _cv_metrics(task: str, folds: list[dict], pooled_cm: np.ndarray) -> tuple[dict, dict]:
    """Per metric: mean, sd and per-fold values; plus scores pooled over all held-out videos."""
    keys = [k for k, v in folds[0]["metrics"].items() if isinstance(v, (int, float))]
    metrics = {}
    for key in keys:
        values = [f["metrics"][key] for f in folds]
        metrics[key] = {**mean_sd(values), "per_fold": values}
    if task == "events":
        tp, fp, fn = (sum(f["metrics"][k] for f in folds) for k in ("tp", "fp", "fn"))
        return metrics, {"f1": 2 * tp / max(2 * tp + fp + fn, 1), "tp": tp, "fp": fp, "fn": fn}
    return metrics, classification_scores(pooled_cm)


def _threads() -> int:
    """torch threads from the machine, unless the user pinned them with OMP_NUM_THREADS."""
    if "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(training_threads())
    return torch.get_num_threads()


@dataclass
class _Results:
    """What the folds produced, accumulated fold by fold."""

    folds: list[dict] = field(default_factory=list)
    histories: dict[str, list[dict]] = field(default_factory=dict)
    detailed: list[dict] = field(default_factory=list)
    confusion: np.ndarray | None = None
    labels: list[str] = field(default_factory=list)
    baseline: dict | None = None
    baseline_per_video: dict[str, dict] = field(default_factory=dict)
    combined: dict | None = None  # classification: the TCN and the baseline averaged
    combined_per_video: dict[str, dict] = field(default_factory=dict)

    def add(self, k: int, run: FoldRun, ev: Evaluation, test: list[Sample]) -> None:
        self.folds.append(_fold_record(k, run, ev, test))
        self.histories[f"fold_{k}"] = run.history
        self.detailed += [{"fold": k, **r} for r in ev.per_video]
        self.confusion = ev.confusion if self.confusion is None else self.confusion + ev.confusion
        self.labels = ev.labels


def _run_folds(
    ctx: RunContext, samples: list[Sample], folds: list, out_dir: Path, rate_hz: float, ensemble_members: int = 1
) -> _Results:
    """Train and test every fold (an ensemble of ``ensemble_members`` models per fold, scored together;
    history and best epoch are the first member's); the validation split comes from the training part, grouped."""
    from core.io.training_outputs import write_fold_checkpoint

    from core.tcn.cycle_model import train_cycle_fold

    train_member = train_cycle_fold if ctx.cycles else train_fold
    results = _Results()
    for k, (train_idx, test_idx) in enumerate(folds):
        part, test = [samples[i] for i in train_idx], [samples[i] for i in test_idx]
        labels = [s.label for s in part] if ctx.task == "classification" else None
        if use_validation(ctx.task, len({s.group for s in part}), len(ctx.class_names), VAL_FRACTION):
            inner, val = grouped_split([s.group for s in part], VAL_FRACTION, labels, ctx.cfg.seed + k)
        else:
            inner, val = np.arange(len(part)), np.zeros(0, dtype=np.int64)
        members = []
        for m in range(ensemble_members):  # members differ in seed (initial weights, crops, augmentation)
            member_cfg = dataclasses.replace(ctx.cfg, seed=ctx.cfg.seed + MEMBER_SEED_STEP * m)
            member_ctx = dataclasses.replace(ctx, cfg=member_cfg)
            members.append(train_member(member_ctx, [part[i] for i in inner], [part[i] for i in val], k, rate_hz))
            write_fold_checkpoint(out_dir, k, to_checkpoint(members[-1].model), m)
        results.add(k, members[0], evaluate([r.model for r in members], test, ctx.task), test)
    if ctx.task == "classification":
        results.baseline, results.baseline_per_video = classification_baseline(
            samples, folds, ctx.class_names, ctx.cfg.seed
        )
        if results.baseline is not None:
            for record, value in zip(results.folds, results.baseline["accuracy"]["per_fold"]):
                record["baseline_accuracy"] = value
        results.combined, results.combined_per_video = combined_classification(
            results.detailed, results.baseline_per_video, ctx.class_names, len(folds)
        )
        if results.combined is not None:
            for record, value in zip(results.folds, results.combined["accuracy"]["per_fold"]):
                record["combined_accuracy"] = value
    elif ctx.task == "events":
        results.baseline = events_baseline(samples, folds)
        if results.baseline is not None:
            for record, value in zip(results.folds, results.baseline["f1"]["per_fold"]):
                record["baseline_f1"] = value
    return results


def _summary(ctx: RunContext, samples: list[Sample], results: _Results, search: BatchSearch, rate_hz: float) -> dict:
    cfg, precision = ctx.cfg, ctx.precision
    metrics, pooled = _cv_metrics(ctx.task, results.folds, results.confusion)
    rf = receptive_field_frames(cfg.kernel_size, cfg.n_blocks)
    return {
        "task": ctx.task,
        "pseudo_labels": ctx.pseudo_labels,
        "n_videos": len(samples),
        "n_groups": len({s.group for s in samples}),
        "n_folds": len(results.folds),
        "n_features": int(samples[0].features.shape[1]),
        "feature_version": FEATURE_VERSION,
        "class_names": list(ctx.class_names),
        "headline_metric": HEADLINE_METRIC[ctx.task],
        "metrics": metrics,
        "pooled": pooled,
        "baseline": results.baseline,
        "combined": results.combined,
        "confusion_matrix": {"labels": results.labels, "counts": results.confusion.tolist()},
        "receptive_field_frames": rf,
        "receptive_field_s": rf / rate_hz,
        "rate_hz": rate_hz,
        "batch_size": search.batch_size,
        "batch_search": search.to_dict(),
        "throughput_windows_per_s": mean_sd([f["windows_per_s"] for f in results.folds]),
        "device": str(precision.device),
        "device_name": torch.cuda.get_device_name(precision.device) if precision.device.type == "cuda" else "cpu",
        "precision": precision.mode,
        "torch_threads": torch.get_num_threads(),
        "dataloader_workers": ctx.workers,
        "training_config": dataclasses.asdict(cfg),
        "augmentation": dataclasses.asdict(ctx.augment) | {"mirror_and_rotation": ctx.layout is not None},
    }


def _write_outputs(out_dir: Path, summary: dict, results: _Results) -> None:
    from core.io.training_outputs import write_training_outputs
    from core.report.training_plots import confusion_matrix_figure, training_curves_figure

    task = summary["task"]
    write_training_outputs(
        out_dir,
        summary=summary,
        fold_scores=results.folds,
        histories=results.histories,
        detailed=results.detailed,
        report_text=_report_text(task, results.confusion, results.labels, summary["pseudo_labels"]),
        confusion_figure=confusion_matrix_figure(results.confusion, results.labels, f"TCN {task} (held-out folds)"),
        curves_figure=training_curves_figure(results.histories, summary["headline_metric"]),
        predictions=prediction_rows(results.detailed, results.baseline_per_video, tuple(summary["class_names"]),
                                    results.combined_per_video)
        if task == "classification" else None,
    )


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
    """K-fold training grouped by ``Sample.group`` (stratified by label for classification).

    Writes checkpoints, JSON summaries, the report and figures into ``out_dir`` and returns the
    ``cv_metrics.json`` summary. Samples recorded at another rate than the median are resampled to
    it (frames and event frames alike), so fold metrics in frames are at that rate.
    ``max_memory_mb`` bounds the CPU RSS used to pick the batch size (0: half the free RAM); on CUDA
    the free GPU memory does.
    """
    check_samples(samples, task)
    start = time.perf_counter()
    previous_threads = torch.get_num_threads()
    try:
        _threads()
        precision = choose_precision(resolve_device(device), mixed_precision)
        labels = [s.label for s in samples] if task == "classification" else None
        check_cv_support([s.group for s in samples], cfg.folds, labels)
        folds = grouped_kfold([s.group for s in samples], cfg.folds, labels, cfg.seed)
        rate_hz = float(np.median([s.rate_hz for s in samples]))
        samples = [at_rate(s, rate_hz) for s in samples]  # one frame rate for windows, receptive field and decoding
        cfg, small_set = small_set_config(cfg, task, min(len(train) for train, _ in folds),
                                          int(np.median([s.n_frames for s in samples])))
        lengths = [samples[i].n_frames for i in folds[0][0]]
        n_windows = len(window_index(lengths, cfg.window_frames, cfg.window_overlap))
        n_features = int(samples[0].features.shape[1])
        ctx = RunContext(
            task, cfg, precision, 1, dataloader_workers(precision.device.type, n_windows),
            tuple(sorted(set(labels))) if labels else (), standard_layout() if n_features == N_FEATURES else None,
            Augment(), progress, pseudo_labels, bool(small_set.get("mirror_invariant")), bool(small_set.get("cycles")),
        )
        search = choose_batch_size(ctx, n_features, n_windows, max_memory_mb)
        ctx = dataclasses.replace(ctx, batch_size=search.batch_size)
        results = _run_folds(ctx, samples, folds, out_dir, rate_hz, (small_set or {}).get("ensemble_members", 1))
        summary = _summary(ctx, samples, results, search, rate_hz)
    finally:
        torch.set_num_threads(previous_threads)
    summary["small_set"] = small_set or None
    summary["seconds"] = time.perf_counter() - start
    _write_outputs(out_dir, summary, results)
    return summary
