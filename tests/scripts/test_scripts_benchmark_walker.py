"""benchmark_walker.py: its case set, and its scores on outputs made from the truth (no pose model)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_NAMES, NUM_LANDMARKS
from core.io.atomic import write_json
from core.io.events_csv import write_events_csv
from core.io.keypoint_store import STORE_NAME, KeypointBatch, KeypointStoreWriter
from core.synthetic import simulate_scene, truth_to_events

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark_walker", ROOT / "scripts" / "benchmark_walker.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_walker"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("benchmark_walker", None)


def test_full_set_has_16_two_person_cases_with_twins_and_2_small_walkers(bench):
    cases = bench.cases("full", 1000)
    pairs = [c for c in cases if c.twin is not None]
    assert len({(c.role, c.direction, c.camera) for c in pairs}) == 16
    assert len({c.seed for c in cases}) == len(cases)
    for c in pairs:
        twin, params = c.twin.params(), c.params()
        assert twin.second_person == "none" and params.second_person == c.role
        assert {**params.__dict__, "second_person": "none"} == twin.__dict__
    small = [c.params() for c in cases if c.role == "small"]
    assert len(small) == 2
    assert all((p.walker_height_px, p.width_px, p.height_px, p.camera) == (120.0, 1280, 720, "static") for p in small)


def _fake_run(bench, tmp_path: Path, follow: str) -> dict:
    """Outputs as if the pipeline had found ``follow`` ("walker": the truth landmarks, "other": the other's box)."""
    case = bench.Case("standing", "left_to_right", "static", 3, 320, 180)
    _, _, _, truth = simulate_scene(case.params())
    videos, out = tmp_path / "videos", tmp_path / "out"
    write_json(videos / f"{case.name}.truth.json", truth)
    n = truth["n_frames"]
    image = np.full((n, NUM_LANDMARKS, 5), np.nan)
    for j, name in enumerate(LANDMARK_NAMES):
        image[:, j, :2] = truth["landmarks"][name]
    if follow == "other":
        box = truth["people"][1]["box_px"]
        image[:, :, 0] = ((box[:, 0] + box[:, 2]) / 2)[:, None]
        image[:, :, 1] = ((box[:, 1] + box[:, 3]) / 2)[:, None]
    batch = KeypointBatch(np.arange(n), np.arange(n) / truth["fps"], np.ones(n, bool), image,
                          np.zeros((n, NUM_LANDMARKS, 3)))
    with KeypointStoreWriter(out / case.name / STORE_NAME, 1) as writer:
        writer.append(batch)
    if follow == "walker":
        write_events_csv(out / case.name / "events.csv", truth_to_events(truth))
        write_json(out / case.name / "gait_parameters.json",
                   {"cadence_steps_per_min": truth["cadence_steps_per_min"], "person": {"track": 2, "reason": "walks"}})
    return bench.score(case, videos, out, {})


def test_scores_the_walker_when_the_walker_is_followed(bench, tmp_path):
    row = _fake_run(bench, tmp_path, "walker")
    assert row["walker_pct"] == 100.0 and row["detected_pct"] == 100.0 and row["other_pct"] == 0.0
    assert row["f1"] == 1.0 and row["cadence_err"] == pytest.approx(0.0)
    assert row["choice"] == "track=2; reason=walks"


def test_scores_the_other_person_when_the_other_is_followed(bench, tmp_path):
    row = _fake_run(bench, tmp_path, "other")
    assert row["walker_pct"] < 50.0 and row["other_pct"] > 50.0
    assert row["f1"] == 0.0 and np.isnan(row["cadence_err"])
    table = bench.table([{**row, "twin_f1": 0.9}])
    assert len(table) == 3 and "| 0.000 | 0.900 |" in table[2]


def test_roles_pick_the_small_walker_only_when_asked(bench):
    assert {c.role for c in bench.cases("full", 1000, ("small",))} == {"small"}
    assert len(bench.cases("full", 1000, ("small",))) == 2
    mixed = bench.cases("full", 1000, ("crossing", "small"))
    assert sorted({c.role for c in mixed}) == ["crossing", "small"] and len(mixed) == 6
    assert "small" not in {c.role for c in bench.cases("full", 1000, ("crossing",))}
    # the same seeds as in the whole set
    assert {c.seed for c in mixed} <= {c.seed for c in bench.cases("full", 1000)}


def test_counts_the_events_hidden_behind_the_other_figure(bench, tmp_path):
    row = _fake_run(bench, tmp_path, "walker")  # standing figure beside the walk: nothing hidden
    hidden, total = (int(v) for v in row["hidden"].split("/"))
    assert hidden == 0 and total > 0
    assert f"| {row['hidden']} |" in bench.table([{**row, "twin_f1": 1.0}])[2]


def test_h264_option_writes_the_cases_as_h264(bench, tmp_path):
    import av

    case = bench.Case("standing", "left_to_right", "static", 3, 320, 180)
    bench.generate([case], tmp_path, h264=True)
    with av.open(str(tmp_path / f"{case.name}.mp4")) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    assert (tmp_path / f"{case.name}.truth.json").is_file()


def test_the_profile_option_reaches_the_cli(bench, monkeypatch, tmp_path):
    import usecases.gait_analysis.cli as cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda argv: seen.append(argv) or 0)
    case = bench.cases("quick", 5)[0]
    bench.run_pipeline([case], tmp_path / "videos", tmp_path / "out", "fast")
    bench.run_pipeline([case], tmp_path / "videos", tmp_path / "out")
    assert seen[0][seen[0].index("--performance-mode") + 1] == "fast"
    assert seen[1][seen[1].index("--performance-mode") + 1] == "balanced"


def test_twins_from_an_earlier_run_are_scored_there_and_not_analysed_again(bench, tmp_path, monkeypatch):
    analysed, scored = [], []
    monkeypatch.setattr(bench, "generate", lambda cases, video_dir, h264=False: None)
    monkeypatch.setattr(bench, "run_pipeline", lambda cases, video_dir, out_dir, profile="balanced": analysed.append(
        (out_dir.name, [c.name for c in cases])))

    def score(c, video_dir, out_dir, failures):  # noqa: ANN001, ANN202
        scored.append((c.name, out_dir.name))
        return {"case": c.name, "seed": c.seed, "walker_pct": 100.0, "other_pct": 0.0, "detected_pct": 100.0,
                "f1": 1.0, "cadence_err": 0.0, "hidden": "0/1", "choice": "", "error": ""}

    monkeypatch.setattr(bench, "score", score)
    bench.main(["--work", str(tmp_path), "--seed", "7", "--roles", "standing", "--keep", "--out-name", "b",
                "--twins-from", "out"])
    (out_name, names), = analysed
    assert out_name == "b" and names and not any(n.startswith("twin-") for n in names)
    assert {d for n, d in scored if n.startswith("twin-")} == {"out"}
    assert {d for n, d in scored if not n.startswith("twin-")} == {"b"}


def test_a_noise_seed_renders_the_same_cases_in_their_own_folder(bench, tmp_path, monkeypatch):
    made = []
    monkeypatch.setattr(bench, "generate", lambda cases, video_dir, h264=False: made.append((video_dir, cases)))
    monkeypatch.setattr(bench, "run_pipeline", lambda *a, **k: 0)
    monkeypatch.setattr(bench, "score", lambda c, *a: {"case": c.name, "seed": c.seed, "walker_pct": 100.0,
                                                       "other_pct": 0.0, "detected_pct": 100.0, "f1": 1.0,
                                                       "cadence_err": 0.0, "hidden": "0/1", "choice": "", "error": ""})
    for extra in ([], ["--noise-seed", "3"]):
        bench.main(["--work", str(tmp_path), "--seed", "7", "--roles", "standing", "--keep", *extra])
    (plain_dir, plain), (noisy_dir, noisy) = made
    assert plain_dir != noisy_dir and noisy_dir.parent.name.endswith("_noise3")
    assert [c.name for c in plain] == [c.name for c in noisy]  # the same cases and twins, by name
    assert {c.noise_seed for c in plain} == {None} and {c.noise_seed for c in noisy} == {3}
    assert {c.params().seed for c in noisy} == {c.params().seed for c in plain}
    assert {c.params().noise_seed for c in noisy} == {3}
