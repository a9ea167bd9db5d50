"""The CLI on short composed two-person videos: the walker is chosen, the bystander never analysed,
and a video where nobody walks fails clearly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.io.people_tracks import PEOPLE_NAME, review_boxes
from usecases.gait_analysis.cli import main


def _frames(path: Path) -> list[np.ndarray]:
    from core.pose.video import iter_frames

    return [f.image for f in iter_frames(path)]


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A walker beside a standing person (a frozen frame of another render), the walker alone beside
    empty scenery, and two people standing (frozen frames)."""
    from core.io.events_csv import write_events_csv
    from core.io.video_writer import write_video
    from core.synthetic import GaitParams, generate_walking_video, truth_to_events

    folder = tmp_path_factory.mktemp("walker")
    size = dict(fps=30.0, width_px=640, height_px=360, camera="static")
    walk = folder / "a.mp4"
    truth = generate_walking_video(walk, GaitParams(cadence_steps_per_min=110, duration_s=4.0, seed=1, **size))
    other = folder / "b.mp4"
    generate_walking_video(other, GaitParams(duration_s=2.0, seed=4, direction="right_to_left", **size))
    walker, still = _frames(walk), _frames(other)[30]
    empty = np.hstack([walker[0][:, 320:], walker[0][:, 320:][:, ::-1]])  # the walker starts at the left
    paths = {"two": folder / "two.mp4", "one": folder / "one.mp4", "nobody": folder / "nobody.mp4"}
    write_video(paths["two"], (np.hstack([f, still]) for f in walker), 30.0, (1280, 360))
    write_video(paths["one"], (np.hstack([f, empty]) for f in walker), 30.0, (1280, 360))
    write_video(paths["nobody"], (np.hstack([walker[45], still]) for _ in range(90)), 30.0, (1280, 360))
    for name in ("two", "one"):
        write_events_csv(folder / f"{name}.events.csv", truth_to_events(truth))
    return paths


def _f1(folder: Path) -> float:
    return json.loads((folder / "gait_parameters.json").read_text())["evaluation"]["overall"]["f1"]


def test_walker_chosen_beside_a_standing_person(scenes: dict[str, Path], tmp_path: Path):
    events = scenes["two"].parent
    assert main(["--videos", str(scenes["two"]), str(scenes["one"]), "--output", str(tmp_path), "-q",
                 "--no-plots", "--events", str(events)]) == 0
    person = json.loads((tmp_path / "two" / "gait_parameters.json").read_text())["person"]
    assert person["mode"] == "auto" and len(person["tracks"]) == 2
    chosen, other = person["tracks"]
    assert chosen["track_id"] == person["chosen_track"] and "walked" in person["why"]
    assert chosen["travel_sizes"] > 1.0 and other["travel_sizes"] < 0.2
    chosen_boxes, others = review_boxes(tmp_path / "two", 120)
    assert np.nanmax(chosen_boxes[:, 2]) < 700  # the walker's half of the frame
    assert len(others) == 1 and np.nanmin(others[0][1][:, 0]) > 640
    # 4 s hold about 13 events: one event more or less moves F1 by about 0.07 (benchmark_walker.py
    # measures the 0.02 target on longer videos)
    assert _f1(tmp_path / "two") >= _f1(tmp_path / "one") - 0.08


def test_nobody_walking_is_a_clear_failed_input(scenes: dict[str, Path], tmp_path: Path, capsys):
    assert main(["--videos", str(scenes["nobody"]), "--output", str(tmp_path), "--no-plots"]) == 1
    err = capsys.readouterr().err
    assert "2 people visible, none walks for one stride" in err and "Traceback" not in err
    assert (tmp_path / "nobody" / PEOPLE_NAME).exists()
    assert not (tmp_path / "nobody" / "gait_parameters.json").exists()
