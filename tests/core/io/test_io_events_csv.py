"""Events files: the CSV format and the synthetic generator's truth JSON read to the same events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.io.events_csv import read_events_csv, write_events_csv
from core.types import GaitEvent

EVENTS = [GaitEvent("right", "heel_strike", 9, 0.2879), GaitEvent("left", "toe_off", 12, 0.4101),
          GaitEvent("left", "heel_strike", 27, 0.9012)]


def _truth_json(path: Path, events: list[dict]) -> Path:
    path.write_text(json.dumps({"format": "synthetic-gait-truth", "fps": 30.0, "n_frames": 60, "events": events}))
    return path


def test_truth_json_reads_as_the_same_events_as_csv(tmp_path: Path) -> None:
    write_events_csv(tmp_path / "walk.events.csv", EVENTS)
    truth = _truth_json(tmp_path / "walk.truth.json",
                        [{"side": e.side, "event": e.event, "frame": e.frame, "time_s": e.time_s} for e in EVENTS])
    assert read_events_csv(truth, n_frames=60) == read_events_csv(tmp_path / "walk.events.csv", n_frames=60)


def test_truth_json_without_time_takes_frame_over_rate(tmp_path: Path) -> None:
    truth = _truth_json(tmp_path / "t.truth.json", [{"side": "left", "event": "heel_strike", "frame": 15}])
    assert read_events_csv(truth, rate_hz=30.0)[0].time_s == pytest.approx(0.5)


@pytest.mark.parametrize("content, reason", [
    ("{not json", r"events JSON is not valid JSON"),
    (json.dumps({"fps": 30}), r"events JSON has no 'events' list"),
    (json.dumps({"events": [{"side": "up", "event": "toe_off", "frame": 3, "time_s": 0.1}]}),
     r"event 0: unknown side 'up'"),
    (json.dumps({"events": [{"side": "left", "event": "toe_off", "frame": 99, "time_s": 3.3}]}),
     r"event 0: frame 99 is out of range \[0, 60\)"),
])
def test_bad_truth_json_is_a_clear_input_error(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.truth.json"
    path.write_text(content)
    with pytest.raises(InputError, match=reason):
        read_events_csv(path, n_frames=60)


def test_csv_errors_still_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.events.csv"
    path.write_text("side,event,frame,time_s\nleft,heel_strike,10,\nright,jump,20,\n")
    with pytest.raises(InputError, match=r"line 3: unknown event 'jump'"):
        read_events_csv(path, rate_hz=30.0)
