"""Gait output files: every file written, JSON contract keys, long-format cycles, summary CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from core.config import load_profile
from core.constants import LEG_LANDMARKS, NUM_LANDMARKS
from core.gait.analysis import GaitResult, analyze_series
from core.gait.events import EventDetection
from core.gait.kinematics import ANGLE_KEYS, cycle_summary, sagittal_angles
from core.gait.parameters import spatiotemporal_parameters
from core.io.atomic import read_json
from core.io.events_csv import read_events_csv
from core.io.gait_outputs import summary_row, write_gait_outputs, write_summary_csv
from core.io.landmarks_csv import read_landmarks_csv
from core.io.trc import read_trc
from core.synthetic import GaitParams, simulate_walk, truth_to_series
from core.types import GaitEvent, KeypointSeries

RATE_HZ = 50.0
CONTRACT_SIDE = ("step_time_s", "stride_time_s", "stance_pct", "swing_pct", "double_support_pct", "step_length_m")


def _result(name: str = "walk 1", evaluation: dict | None = None) -> GaitResult:
    """A hand-made result: regular events every 0.6 s, simple legs, sine angle cycles."""
    n = 200
    events = []
    for k in range(3):
        for side, ev, offset_s in (("right", "heel_strike", 0.0), ("left", "toe_off", 0.12),
                                   ("left", "heel_strike", 0.6), ("right", "toe_off", 0.72)):
            t = 0.2 + 1.2 * k + offset_s
            events.append(GaitEvent(side, ev, int(round(t * RATE_HZ)), t))
    pos = np.zeros((n, NUM_LANDMARKS, 3))
    t_s = np.arange(n) / RATE_HZ
    pos[:, :, 0] = t_s[:, None] * 1.0
    for side in ("left", "right"):
        idx = LEG_LANDMARKS[side]
        for key, y in (("shoulder", 1.4), ("hip", 0.9), ("knee", 0.5), ("ankle", 0.08), ("heel", 0.03), ("toe", 0.03)):
            pos[:, idx[key], 1] = y
        pos[:, idx["toe"], 0] += 0.2
    series = KeypointSeries(pos, t_s, np.ones((n, NUM_LANDMARKS)), units="m", name=name)
    forward = np.array([1.0, 0.0, 0.0])
    params = spatiotemporal_parameters(events, pos, t_s, forward, [(0, n)], 1.0)
    cycles = {k: np.stack([np.sin(np.linspace(0, 2 * np.pi, 101)) * (10 + i) for i in range(3)]) for k in ANGLE_KEYS}
    rejected = [(GaitEvent("left", "heel_strike", 5, 0.1), "too close to the previous heel strike")]
    return GaitResult(
        name=name, series=series, bouts=[(0, n)], swapped=np.zeros(n, bool), forward=forward,
        oriented_positions=pos,
        detection=EventDetection(events, rejected, "zeni"), parameters=params,
        angles=sagittal_angles(pos, forward), cycles=cycles,
        summaries={k: cycle_summary(c) for k, c in cycles.items()}, m_per_unit=1.0,
        scale_source="metric data (m)", notes=["a note"], evaluation=evaluation,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[GaitResult, list[Path]]:
    """Outputs written once (plotting is the slow part) and shared by the tests below."""
    result = _result(evaluation={"overall": {"f1": 0.75, "precision": 1.0}, "pairs": []})
    return result, write_gait_outputs(tmp_path_factory.mktemp("gait") / "out", result, chunk_frames=50)


def test_write_gait_outputs_writes_every_file(written: tuple[GaitResult, list[Path]]) -> None:
    result, paths = written
    out = paths[0].parent
    names = {p.name for p in paths}
    assert names == {"events.csv", "gait_parameters.json", "angles_cycles.csv", "landmarks.csv", "walk_1.trc",
                     "angles.png", "events_timeline.png"}
    for p in paths:
        assert p.is_file() and p.stat().st_size > 0
    for png in ("angles.png", "events_timeline.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(read_events_csv(out / "events.csv")) == len(result.events)
    assert read_landmarks_csv(out / "landmarks.csv").n_frames == result.series.n_frames
    assert read_trc(out / "walk_1.trc").n_frames == result.series.n_frames


def test_video_with_a_scale_also_writes_a_metric_trc(tmp_path: Path) -> None:
    truth = simulate_walk(GaitParams(camera="tracking", duration_s=5.0, subject_height_m=1.7))[2]
    series = truth_to_series(truth)
    result = analyze_series(series, load_profile("balanced").preprocessing, subject_height_m=1.7)
    names = {p.name for p in write_gait_outputs(tmp_path, result, plots=False, chunk_frames=64, source=series)}
    metric_trcs = [n for n in names if n.endswith("_m.trc")]
    assert len(metric_trcs) == 1 and metric_trcs[0].replace("_m.trc", ".trc") in names
    metric = read_trc(tmp_path / metric_trcs[0])
    assert metric.units == "m" and metric.n_frames == result.series.n_frames
    expected = result.metric_series()
    assert expected is not None
    read = np.isfinite(metric.positions)  # the TRC holds the exported markers (TRC_EXPORT_MARKERS)
    assert read[:, [j for leg in LEG_LANDMARKS.values() for j in leg.values()]].all()
    assert np.abs(metric.positions[read] - expected.positions[read]).max() < 1e-4  # metres, as formatted
    assert read_trc(tmp_path / metric_trcs[0].replace("_m.trc", ".trc")).units == "px"  # the analysed input as is


def test_parameters_json_contract(written: tuple[GaitResult, list[Path]]) -> None:
    doc = read_json(written[1][0].parent / "gait_parameters.json")
    assert doc["cadence_steps_per_min"] == pytest.approx(100.0)
    assert doc["walking_speed_m_s"] == pytest.approx(1.0, rel=0.05)
    for side in ("left", "right"):
        for key in CONTRACT_SIDE:
            assert {"mean", "sd", "n"} <= set(doc[side][key]), (side, key)
    assert doc["right"]["stance_pct"]["mean"] == pytest.approx(60.0)
    assert doc["rejected_events"][0]["reason"] == "too close to the previous heel strike"
    assert doc["event_method"] == "zeni" and doc["notes"] == ["a note"]
    assert doc["heel_strike_timing"] is None  # what a video heel strike marks; not said for other methods
    assert doc["event_refinement"] == {"refiner": "none", "n_events_moved": 0, "shifts_ms": []}
    assert doc["evaluation"]["overall"]["f1"] == 0.75


def test_angles_cycles_long_format(written: tuple[GaitResult, list[Path]]) -> None:
    with open(written[1][0].parent / "angles_cycles.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["side", "joint", "cycle", "pct", "angle_deg"]
    assert len(rows) == 6 * 3 * 101
    knee = [r for r in rows if r["side"] == "right" and r["joint"] == "knee" and r["cycle"] == "2"]
    assert float(knee[25]["pct"]) == pytest.approx(25.0)
    assert float(knee[25]["angle_deg"]) == pytest.approx(12.0, abs=1e-3)


def test_summary_rows_and_csv(tmp_path: Path) -> None:
    rows = [summary_row(_result("a")), summary_row(_result("b", evaluation={"overall": {"f1": 0.8}}))]
    assert rows[0]["cadence_steps_per_min"] == pytest.approx(100.0)
    assert rows[0]["left_stance_pct"] == pytest.approx(60.0) and rows[1]["eval_overall_f1"] == 0.8
    assert rows[0]["n_bouts"] == 1 and rows[0]["ground_source"] is None
    path = tmp_path / "summary.csv"
    write_summary_csv(path, rows)
    with open(path, newline="") as fh:
        back = list(csv.DictReader(fh))
    assert [r["name"] for r in back] == ["a", "b"]
    assert back[0]["eval_overall_f1"] == "" and float(back[1]["eval_overall_f1"]) == 0.8
    assert float(back[1]["right_stride_time_s"]) == pytest.approx(1.2)
