"""``index.html`` of a run: one row per analysed input (its name linked to its ``report.html``) with the key
figures and grades of its summary row, then the failed inputs with their reasons. Pure: entries in, page out."""

from __future__ import annotations

from typing import Any, Sequence

from core.gait.quality import QUANTITY_LABELS
from core.report.html_parts import esc, grade_badge, href, number, page, table


def _speed(summary: dict[str, Any]) -> str:
    metric = number(summary.get("walking_speed_m_s"), 2)
    if metric is not None:
        return f"{esc(metric)} m/s"
    leg = number(summary.get("walking_speed_leg_norm_per_s"), 2)
    return f"{esc(leg)} leg lengths/s" if leg is not None else '<span class="na">none</span>'


def _name_cell(entry: dict[str, Any]) -> str:
    name = esc(entry.get("name") or entry.get("input") or "?")
    link = entry.get("report")
    source = f'<br><span class="na">{esc(entry["input"])}</span>' if entry.get("input") else ""
    return (f'<a href="{href(link)}">{name}</a>' if link else name) + source


def _analysed_row(entry: dict[str, Any]) -> list[str]:
    s = entry.get("summary") or {}
    grades = [grade_badge(s.get(f"confidence_{key}")) for key in QUANTITY_LABELS]
    notes = entry.get("notes") or []
    why = esc(s.get("confidence_reasons") or "") if entry.get("report") else "no report from this run (not analysed)"
    return [_name_cell(entry), esc(number(s.get("cadence_steps_per_min"), 1) or "none"), _speed(s),
            esc(s.get("n_strides_used", 0)), grade_badge(s.get("confidence")), *grades,
            why + (f"{'<br>' if why else ''}{len(notes)} note(s) in the report" if notes else "")]


def index_page(entries: Sequence[dict[str, Any]], title: str = "Gait analysis results") -> str:
    """The run's index. entries: per input ``input`` (its path), ``name``, ``status`` ("ok" or "failed"),
    ``reason`` (failed), ``summary`` (its summary.csv row), ``notes``, ``report`` (relative link to its report.html,
    or None)."""
    ok = [e for e in entries if e.get("status") == "ok"]
    failed = [e for e in entries if e.get("status") != "ok"]
    parts = [f"<h1>{esc(title)}</h1><p class=sub>{len(ok)} analysed, {len(failed)} failed. Each name opens "
             "that input's report; every value is in summary.csv too.</p>"]
    if ok:
        labels = [f"Grade: {esc(label.split(' (')[0])}" for label in QUANTITY_LABELS.values()]
        headers = ["Input", "Cadence (steps/min)", "Walking speed", "Strides (n)", "Confidence (overall)", *labels,
                   "Why (overall grade), notes"]
        parts.append("<h2>Analysed</h2>" + table(headers, (_analysed_row(e) for e in ok), last_text=True))
    if failed:
        rows = [[esc(e.get("input") or "?"), esc(e.get("kind") or ""), esc(e.get("reason") or "no reason given")]
                for e in failed]
        parts.append("<h2>Failed</h2>" + table(["Input", "Kind", "Reason"], rows, numeric_from=99))
    return page(title, "\n".join(parts), wide=True)
