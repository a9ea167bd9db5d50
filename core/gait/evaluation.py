"""Scoring detected gait events against annotated ones.

Matching is one-to-one within ``tolerance_s``, separately per (side, event type), by the Hungarian
algorithm on |time difference| (so the total error of matched pairs is minimal).

Scoring window: annotations usually cover only part of a trial. With ``restrict_to_truth_span``
(the default), detected events outside [first truth - tolerance, last truth + tolerance] are left
out of the score (reported as ``n_outside_span``), so they are not counted as false positives.
The span is global (all sides and types), since an annotator marks every event within it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.constants import EVENT_TYPES, SIDES
from core.types import GaitEvent


def match_events(detected: list[float], truth: list[float], tolerance_s: float) -> list[tuple[int, int]]:
    """(detected index, truth index) pairs, one-to-one, |dt| <= tolerance, minimal total |dt|."""
    if not detected or not truth:
        return []
    cost = np.abs(np.subtract.outer(np.asarray(detected, float), np.asarray(truth, float)))
    big = 1e6 + cost.max()
    rows, cols = linear_sum_assignment(np.where(cost <= tolerance_s, cost, big))
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= tolerance_s]


def _scores(n_detected: int, n_truth: int, errors_s: list[float]) -> dict[str, Any]:
    n_matched = len(errors_s)
    precision = n_matched / n_detected if n_detected else 0.0
    recall = n_matched / n_truth if n_truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    errors_ms = np.asarray(errors_s) * 1000.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "n_detected": n_detected,
        "n_truth": n_truth,
        "n_matched": n_matched,
        "mae_ms": float(np.mean(np.abs(errors_ms))) if n_matched else None,
        "bias_ms": float(np.mean(errors_ms)) if n_matched else None,
    }


def _describe(e: GaitEvent) -> dict[str, Any]:
    return {"side": e.side, "event": e.event, "frame": e.frame, "time_s": e.time_s}


def evaluate_events(
    detected: list[GaitEvent], truth: list[GaitEvent], tolerance_s: float = 0.05, restrict_to_truth_span: bool = True
) -> dict[str, Any]:
    """Precision/recall/F1 and timing error (detected minus truth) overall and per event type.

    Returns a JSON-able dict: ``overall``, ``heel_strike``, ``toe_off`` score blocks, ``pairs``,
    ``unmatched_detected``, ``unmatched_truth`` and the scoring settings.
    """
    span = None
    scored = list(detected)
    if restrict_to_truth_span and truth:
        span = (min(e.time_s for e in truth) - tolerance_s, max(e.time_s for e in truth) + tolerance_s)
        scored = [e for e in detected if span[0] <= e.time_s <= span[1]]
    pairs, lost_detected, lost_truth = [], [], []
    per_type: dict[str, list[float]] = {k: [] for k in EVENT_TYPES}
    for side in SIDES:
        for kind in EVENT_TYPES:
            d = [e for e in scored if e.side == side and e.event == kind]
            t = [e for e in truth if e.side == side and e.event == kind]
            matches = match_events([e.time_s for e in d], [e.time_s for e in t], tolerance_s)
            for i, j in matches:
                per_type[kind].append(d[i].time_s - t[j].time_s)
                pairs.append({"side": side, "event": kind, "detected_s": d[i].time_s, "truth_s": t[j].time_s,
                              "error_ms": 1000.0 * (d[i].time_s - t[j].time_s)})
            lost_detected += [_describe(d[i]) for i in set(range(len(d))) - {i for i, _ in matches}]
            lost_truth += [_describe(t[j]) for j in set(range(len(t))) - {j for _, j in matches}]
    result: dict[str, Any] = {
        "tolerance_ms": 1000.0 * tolerance_s,
        "restricted_to_truth_span": bool(restrict_to_truth_span),
        "truth_span_s": list(span) if span else None,
        "n_outside_span": len(detected) - len(scored),
        "overall": _scores(len(scored), len(truth), per_type["heel_strike"] + per_type["toe_off"]),
    }
    for kind in EVENT_TYPES:
        n_d = sum(e.event == kind for e in scored)
        n_t = sum(e.event == kind for e in truth)
        result[kind] = _scores(n_d, n_t, per_type[kind])
    result["pairs"] = sorted(pairs, key=lambda p: p["truth_s"])
    result["unmatched_detected"] = sorted(lost_detected, key=lambda e: e["time_s"])
    result["unmatched_truth"] = sorted(lost_truth, key=lambda e: e["time_s"])
    return result


def cadence_spm(events: list[GaitEvent], max_stride_s: float = 3.0) -> float | None:
    """Steps per minute, 120 / mean stride time, over the intervals between consecutive events of
    the same side and type (HS and TO; intervals longer than ``max_stride_s`` are pauses, skipped).
    Using every event type averages out single-event timing errors. None without any stride."""
    strides = []
    for side in SIDES:
        for kind in EVENT_TYPES:
            times = np.sort([e.time_s for e in events if e.side == side and e.event == kind])
            strides += [d for d in np.diff(times) if 0 < d <= max_stride_s]
    return 120.0 / float(np.mean(strides)) if strides else None
