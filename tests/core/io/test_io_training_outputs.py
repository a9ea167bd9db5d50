"""A new training run never mixes with the files of a previous one."""

from __future__ import annotations

from core.io.atomic import write_json
from core.io.training_outputs import CV_METRICS, set_aside_previous_run


def test_nothing_to_set_aside(tmp_path):
    assert set_aside_previous_run(tmp_path / "training") is None
    (tmp_path / "training").mkdir()
    assert set_aside_previous_run(tmp_path / "training") is None
    assert (tmp_path / "training").is_dir()


def test_previous_runs_are_renamed_by_task_without_overwriting(tmp_path):
    out = tmp_path / "training"
    for expected in ("training_events", "training_events_2"):
        out.mkdir()
        write_json(out / CV_METRICS, {"task": "events"})
        (out / "model_fold_4.pt").write_bytes(b"stale")
        moved = set_aside_previous_run(out)
        assert moved == tmp_path / expected and (moved / "model_fold_4.pt").exists()
        assert not out.exists()


def test_unreadable_summary_is_still_set_aside(tmp_path):
    out = tmp_path / "training"
    out.mkdir()
    (out / CV_METRICS).write_text("{broken")
    assert set_aside_previous_run(out) == tmp_path / "training_previous"
