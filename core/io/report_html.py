"""Writes the HTML reports: ``report.html`` per analysed input (from its ``gait_parameters.json``, with the
files this run wrote beside it) and the run's ``index.html`` (``core.report.html_page``, ``html_index``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from core.io.atomic import read_json, write_text

REPORT_HTML = "report.html"
INDEX_HTML = "index.html"
FIGURE_NAMES = ("events_review.png", "events_timeline.png", "angles.png")
# File times may lag the process clock by a tick (as in ``core.io.run_files.files_written_since``).
FILE_CLOCK_SLACK_S = 0.02
DATA_NAMES = ("events.csv", "gait_parameters.json", "angles_cycles.csv", "landmarks.csv", "review.mp4")


def _this_run(folder: Path, names: Sequence[str]) -> list[str]:
    """Of ``names``, the files in ``folder`` written by this analysis: not older than its ``events.csv`` (the
    first file it writes), so that a plot left by an earlier run (e.g. before ``--no-plots``) is not shown."""
    first = folder / "events.csv"
    since = first.stat().st_mtime_ns if first.is_file() else 0
    return [n for n in names if (folder / n).is_file() and (folder / n).stat().st_mtime_ns >= since]


def write_report_html(folder: str | Path, plots: bool = True) -> Path:
    """``folder/report.html`` from ``folder/gait_parameters.json``; the plots only with ``plots``."""
    from core.report.html_page import video_report_page

    folder = Path(folder)
    doc = read_json(folder / "gait_parameters.json")
    images = _this_run(folder, FIGURE_NAMES) if plots else []
    trc = sorted(p.name for p in folder.glob("*.trc"))
    files = _this_run(folder, (*DATA_NAMES, *trc))
    path = folder / REPORT_HTML
    write_text(path, video_report_page(doc, images, files))
    return path


def write_index_html(out_dir: str | Path, entries: list[dict[str, Any]], since_epoch_s: float = 0.0) -> Path:
    """``out_dir/index.html``: ``entries`` as ``core.report.html_index.index_page`` takes them, each analysed
    one with ``output_dir`` linked to its report when that exists and was written since ``since_epoch_s`` (the
    run's start: not an earlier run's report, e.g. under ``--extract-only``)."""
    from core.report.html_index import index_page

    out_dir = Path(out_dir)
    linked = []
    for e in entries:
        report = Path(e["output_dir"]) / REPORT_HTML if e.get("output_dir") else None
        ok = (report is not None and e.get("status") == "ok" and report.is_file()
              and report.stat().st_mtime >= since_epoch_s - FILE_CLOCK_SLACK_S)
        linked.append({**e, "report": os.path.relpath(report, out_dir) if ok else None})
    path = out_dir / INDEX_HTML
    write_text(path, index_page(linked))
    return path
