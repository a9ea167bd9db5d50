"""Writes the files of a TCN training run into ``<output>/training/`` (all atomic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import GaitToolError
from core.io.atomic import read_json, save_figure, write_json, write_text
from core.io.checkpoints import checkpoint_name, save_checkpoint

CV_METRICS = "cv_metrics.json"
FOLD_SCORES = "fold_scores.json"
HISTORIES = "training_histories.json"
DETAILED = "detailed_results.json"
REPORT = "classification_report.txt"
CONFUSION_PNG = "confusion_matrix.png"
CURVES_PNG = "training_curves.png"
PREDICTIONS = "predictions.csv"


def set_aside_previous_run(out_dir: str | Path) -> Path | None:
    """Rename a previous run's non-empty ``out_dir`` to ``<out_dir>_<its task>`` (``_2``, ``_3``, ...
    if taken) and return the new path, so the folder holds one run only: a stale
    ``model_fold_<k>.pt`` left by a run with more folds would otherwise join the next ensemble."""
    out = Path(out_dir)
    if not out.is_dir() or not any(out.iterdir()):
        return None
    try:
        task = str(read_json(out / CV_METRICS).get("task", "previous"))
    except (OSError, ValueError, AttributeError, GaitToolError):
        task = "previous"
    n = 1
    while (target := out.with_name(f"{out.name}_{task}" + (f"_{n}" if n > 1 else ""))).exists():
        n += 1
    try:
        out.rename(target)
    except OSError as exc:
        raise GaitToolError(f"cannot move the previous training run aside ({exc.strerror or exc})", out) from exc
    return target


def write_fold_checkpoint(out_dir: str | Path, fold: int, checkpoint: dict[str, Any], member: int = 0) -> Path:
    """``model_fold_<fold>.pt`` (``model_fold_<fold>_<member>.pt``) in ``out_dir``."""
    path = Path(out_dir) / checkpoint_name(fold, member)
    save_checkpoint(path, checkpoint)
    return path


def write_training_outputs(
    out_dir: str | Path,
    *,
    summary: dict[str, Any],
    fold_scores: list[dict[str, Any]],
    histories: dict[str, list[dict[str, Any]]],
    detailed: list[dict[str, Any]],
    report_text: str,
    confusion_figure: Any,
    curves_figure: Any,
    predictions: list[dict[str, Any]] | None = None,
) -> list[Path]:
    """Write the JSON summaries, the text report, the two figures and (classification) the per-video
    ``predictions.csv``; return their paths."""
    out = Path(out_dir)
    paths = [out / name for name in (CV_METRICS, FOLD_SCORES, HISTORIES, DETAILED, REPORT, CONFUSION_PNG, CURVES_PNG)]
    write_json(paths[0], summary)
    write_json(paths[1], fold_scores)
    write_json(paths[2], histories)
    write_json(paths[3], detailed)
    write_text(paths[4], report_text)
    save_figure(confusion_figure, paths[5])
    save_figure(curves_figure, paths[6])
    if predictions:
        paths.append(out / PREDICTIONS)
        write_text(paths[-1], format_predictions_csv(predictions))
    return paths


def format_predictions_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text; columns in the first row's order; probabilities with 4 decimals."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = list(rows[0])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([f"{v:.4f}" if isinstance(v, float) else v for v in (row.get(c, "") for c in columns)])
    return buf.getvalue()
