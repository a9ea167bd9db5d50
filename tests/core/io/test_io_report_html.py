"""report.html and index.html on disk: built from gait_parameters.json, linking only the files this run wrote."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from core.io.atomic import write_json
from core.io.report_html import INDEX_HTML, REPORT_HTML, write_index_html, write_report_html


def _folder(tmp_path: Path, name: str = "walk") -> Path:
    """An analysed input's folder: events.csv, its parameters, then two plots; a stale plot of an earlier run."""
    folder = tmp_path / name
    folder.mkdir()
    stale = folder / "events_review.png"
    stale.write_bytes(b"old")
    os.utime(stale, ns=(1_000_000_000, 1_000_000_000))
    (folder / "events.csv").write_text("side,event,frame,time_s\n")  # an analysis writes it first
    write_json(folder / "gait_parameters.json", {"name": name, "cadence_steps_per_min": 101.5, "notes": []})
    for png in ("angles.png", "events_timeline.png"):
        (folder / png).write_bytes(b"png")
    return folder


def test_report_links_the_images_of_this_run_that_exist(tmp_path):
    folder = _folder(tmp_path)
    page = write_report_html(folder).read_text()
    images = re.findall(r'<img src="([^"]+)"', page)
    assert sorted(images) == ["angles.png", "events_timeline.png"]  # not the stale contact sheet
    assert all((folder / i).is_file() for i in images) and "101.5" in page
    assert 'href="events.csv"' in page and 'href="gait_parameters.json"' in page


def test_report_without_plots_has_no_images(tmp_path):
    page = write_report_html(_folder(tmp_path), plots=False).read_text()
    assert "<img" not in page and "101.5" in page


def test_index_links_each_report_of_this_run(tmp_path):
    ok, stale, none = _folder(tmp_path, "a b"), _folder(tmp_path, "c"), _folder(tmp_path, "e")
    started_s = time.time() - 5.0
    write_report_html(ok)
    os.utime(write_report_html(stale), (started_s - 60.0, started_s - 60.0))  # an earlier run's (--extract-only)
    write_index_html(tmp_path, [
        {"input": "a b.mp4", "name": "a b", "status": "ok", "output_dir": str(ok), "summary": {}},
        {"input": "c.mp4", "name": "c", "status": "ok", "output_dir": str(stale), "summary": {}},
        {"input": "e.mp4", "name": "e", "status": "ok", "output_dir": str(none), "summary": {}},
        {"input": "d.mp4", "status": "failed", "kind": "video", "reason": "cannot decode"},
    ], since_epoch_s=started_s)
    page = (tmp_path / INDEX_HTML).read_text()
    assert re.findall(r'<a href="([^"]+)"', page) == [f"a%20b/{REPORT_HTML}"]
    assert page.count("no report from this run") == 2 and "cannot decode" in page
