"""Evaluation metrics on numpy arrays (no torch): event detection and classification."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EventMatch:
    """One-to-one matching of predicted to true event positions (frames) of one side and type."""

    tp: int
    fp: int
    fn: int
    errors_frames: np.ndarray  # (tp,) predicted - true, of the matched pairs


def _greedy_pairs(pred: np.ndarray, true: np.ndarray, tolerance_frames: float) -> list[tuple[int, int]]:
    """One-to-one (pred index, true index) pairs within tolerance, closest pairs first."""
    if pred.size == 0 or true.size == 0:
        return []
    dist = np.abs(pred[:, None] - true[None, :])
    pi, ti = np.nonzero(dist <= tolerance_frames + 1e-9)
    order = np.argsort(dist[pi, ti], kind="stable")
    used_p, used_t, pairs = set(), set(), []
    for p, t in zip(pi[order].tolist(), ti[order].tolist()):
        if p not in used_p and t not in used_t:
            used_p.add(p)
            used_t.add(t)
            pairs.append((p, t))
    return pairs


def match_events(pred_frames: np.ndarray, true_frames: np.ndarray, tolerance_frames: float) -> EventMatch:
    """Greedy one-to-one matching, closest pairs first, within ``tolerance_frames``."""
    pred, true = np.asarray(pred_frames, float).ravel(), np.asarray(true_frames, float).ravel()
    pairs = _greedy_pairs(pred, true, tolerance_frames)
    errors = np.array([pred[p] - true[t] for p, t in pairs], dtype=float)
    tp = len(pairs)
    return EventMatch(tp, int(pred.size) - tp, int(true.size) - tp, errors)


def combine_matches(matches: list[EventMatch]) -> EventMatch:
    """Pool several matchings (channels, videos) into one."""
    errors = [m.errors_frames for m in matches]
    return EventMatch(
        sum(m.tp for m in matches),
        sum(m.fp for m in matches),
        sum(m.fn for m in matches),
        np.concatenate(errors) if errors else np.zeros(0),
    )


def event_scores(match: EventMatch, rate_hz: float | None = None) -> dict[str, float]:
    """precision, recall, f1, mae_frames and (with ``rate_hz``) mae_ms; NaN where undefined."""
    tp, fp, fn = match.tp, match.fp, match.fn
    mae_frames = float(np.mean(np.abs(match.errors_frames))) if tp else float("nan")
    scores = {
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan"),
        "mae_frames": mae_frames,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
    if rate_hz:
        scores["mae_ms"] = mae_frames * 1000.0 / rate_hz
    return scores


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n) int64 counts, rows = true class, columns = predicted class; negatives are ignored."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    keep = (y_true >= 0) & (y_pred >= 0)
    flat = y_true[keep] * n_classes + y_pred[keep]
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes).astype(np.int64)


def per_class_scores(cm: np.ndarray) -> dict[str, np.ndarray]:
    """precision, recall, f1, support (each (n,)) from a confusion matrix; 0 where undefined."""
    tp = np.diag(cm).astype(float)
    pred_total, true_total = cm.sum(axis=0).astype(float), cm.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(pred_total > 0, tp / pred_total, 0.0)
        recall = np.where(true_total > 0, tp / true_total, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": true_total.astype(np.int64)}


def classification_scores(cm: np.ndarray) -> dict[str, float]:
    """accuracy and macro F1 (over classes with support) from a confusion matrix."""
    total = cm.sum()
    scores = per_class_scores(cm)
    present = scores["support"] > 0
    return {
        "accuracy": float(np.trace(cm) / total) if total else float("nan"),
        "macro_f1": float(scores["f1"][present].mean()) if present.any() else float("nan"),
    }


def classification_report(cm: np.ndarray, class_names: list[str]) -> str:
    """Text table: per-class precision, recall, F1, support, then accuracy and macro averages."""
    s = per_class_scores(cm)
    width = max([len(n) for n in class_names] + [12])
    lines = [f"{'':<{width}}  precision  recall  f1-score  support"]
    for i, name in enumerate(class_names):
        p, r, f, n = s["precision"][i], s["recall"][i], s["f1"][i], s["support"][i]
        lines.append(f"{name:<{width}}  {p:9.3f}  {r:6.3f}  {f:8.3f}  {n:7d}")
    total = int(cm.sum())
    overall = classification_scores(cm)
    present = s["support"] > 0
    lines.append("")
    lines.append(f"{'accuracy':<{width}}  {'':9}  {'':6}  {overall['accuracy']:8.3f}  {total:7d}")
    macro = [float(s[k][present].mean()) if present.any() else float("nan") for k in ("precision", "recall", "f1")]
    lines.append(f"{'macro avg':<{width}}  {macro[0]:9.3f}  {macro[1]:6.3f}  {macro[2]:8.3f}  {total:7d}")
    return "\n".join(lines) + "\n"


def mean_sd(values: list[float]) -> dict[str, float]:
    """Mean and sample SD of finite values (NaN when none; SD 0 with one value)."""
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if arr.size == 0:
        return {"mean": float("nan"), "sd": float("nan"), "n": 0}
    return {"mean": float(arr.mean()), "sd": float(arr.std(ddof=1)) if arr.size > 1 else 0.0, "n": int(arr.size)}


def event_confusion(pred: list[np.ndarray], true: list[np.ndarray], tolerance_frames: float) -> np.ndarray:
    """(C+1, C+1) counts; rows = true channel, columns = predicted channel, last row/column = none.

    Same-channel matches (the diagonal) come first; leftovers are then matched across channels
    (e.g. a left heel strike detected as a right one); the rest are missed (last column) or
    spurious (last row).
    """
    n = len(true)
    cm = np.zeros((n + 1, n + 1), dtype=np.int64)
    rest_p: list[tuple[float, int]] = []
    rest_t: list[tuple[float, int]] = []
    for c in range(n):
        p, t = np.asarray(pred[c], float).ravel(), np.asarray(true[c], float).ravel()
        pairs = _greedy_pairs(p, t, tolerance_frames)
        cm[c, c] = len(pairs)
        rest_p += [(x, c) for x in np.delete(p, [i for i, _ in pairs])]
        rest_t += [(x, c) for x in np.delete(t, [j for _, j in pairs])]
    p_pos, t_pos = np.array([x for x, _ in rest_p]), np.array([x for x, _ in rest_t])
    cross = _greedy_pairs(p_pos, t_pos, tolerance_frames)
    for i, j in cross:
        cm[rest_t[j][1], rest_p[i][1]] += 1
    used_p, used_t = {i for i, _ in cross}, {j for _, j in cross}
    for j, (_, c) in enumerate(rest_t):
        cm[c, n] += j not in used_t
    for i, (_, c) in enumerate(rest_p):
        cm[n, c] += i not in used_p
    return cm
