"""scripts/benchmark_mocap.py on generated C3D trials (no network): the table, the one-sided sagittal
variant, force-plate truth and the download of the trials."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX, LEG_LANDMARKS, NUM_LANDMARKS
from tests.core.io.c3d_files import pig_markers, write_c3d

ROOT = Path(__file__).resolve().parents[2]
RATE = 100.0


def _module():
    spec = importlib.util.spec_from_file_location("benchmark_mocap", ROOT / "scripts" / "benchmark_mocap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plate_forces(events: list, n_frames: int) -> np.ndarray:
    """(n_frames * 10, 2) vertical forces (N) of a left and a right plate, loaded from each heel strike to the
    next toe off of that side (ramps of 5 ms)."""
    t = np.arange(n_frames * 10) / (RATE * 10)
    force = np.zeros((len(t), 2))
    for k, side in enumerate(("left", "right")):
        hs = [e.time_s for e in events if e.side == side and e.event == "heel_strike"]
        to = [e.time_s for e in events if e.side == side and e.event == "toe_off"]
        for a in ([0.0] if to[0] < hs[0] else []) + hs:
            b = next((x for x in to if x > a), t[-1] + 1.0)
            force[:, k] += 700.0 * np.clip(np.minimum(t - a, b - t) / 0.005, 0.0, 1.0)
    return force


def pig_walk(seed: int, offset_s: float = 0.0) -> tuple[list[str], np.ndarray, list, list]:
    """A 6 s synthetic walk (``core.synthetic``, RATE Hz) as Plug-in Gait markers (labels, (T, n, 3) mm, Z up),
    its truth events and their C3D EVENT codes (label, context, time ``offset_s`` later)."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events

    truth = simulate_walk(GaitParams(duration_s=6.0, fps=RATE, seed=seed, width_px=640, height_px=360))[2]
    positions = np.zeros((truth["n_frames"], NUM_LANDMARKS, 3))
    for name, i in LANDMARK_INDEX.items():
        positions[:, i, :2] = np.asarray(truth["landmarks_world_m"][name], dtype=float)
    events = truth_to_events(truth)
    codes = [(f"{e.side[0].upper()}{'HS' if e.event == 'heel_strike' else 'TO'}", "", e.time_s + offset_s)
             for e in events]
    return *pig_markers(positions), events, codes


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two synthetic trials: one with an EVENT group, one with a force plate per foot and no events."""
    folder = tmp_path_factory.mktemp("mocap")
    labels, points, events, codes = pig_walk(11)
    write_c3d(folder / "with_events.c3d", labels, points, RATE, events=codes)
    force = _plate_forces(events, len(points))
    write_c3d(folder / "plates_only.c3d", labels, points, RATE, analog=force, ratio=10, plates=[1, 2])
    return folder


def test_prints_a_row_per_trial_and_variant_with_medians(trials: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert _module().main(["--data", str(trials)]) == 0
    text = out.getvalue()
    rows = [line for line in text.splitlines() if line.startswith("| with_events") or line.startswith("| plates_only")]
    assert len(rows) == 4
    assert sum("| plates |" in r for r in rows) == 2 and sum("| right 2-D |" in r for r in rows) == 2
    for row in rows:
        assert float(row.split("|")[7]) >= 0.9, row  # F1
    assert text.count("**median / worst**") == 2
    assert "no plate events" not in text  # a trial without plates is left out of the plate check


def test_right_sagittal_turns_the_walk_to_plus_x_and_drops_the_left_leg() -> None:
    bench = _module()
    t = np.arange(400) / RATE
    positions = np.zeros((len(t), NUM_LANDMARKS, 3))
    heel, hip = LEG_LANDMARKS["right"]["heel"], LEG_LANDMARKS["right"]["hip"]
    swing = np.sin(2 * np.pi * t)  # heel about the hip, along -Z (walking towards -Z); high while moving to -Z
    positions[:, hip] = [0.0, 0.9, 0.0]
    positions[:, heel] = np.stack([np.zeros_like(t), 0.05 + 0.1 * np.clip(-np.cos(2 * np.pi * t), 0, None),
                                   -0.3 * swing], axis=1)
    from core.types import KeypointSeries

    series = KeypointSeries(positions, t, np.ones(positions.shape[:2]))
    out = bench.right_sagittal(series)
    assert out.is_2d and np.all(out.positions[..., 2][np.isfinite(out.positions[..., 2])] == 0.0)
    assert np.isnan(out.positions[:, LEG_LANDMARKS["left"]["heel"]]).all()
    x = out.positions[:, heel, 0]
    up = out.positions[:, heel, 1] > 0.1
    assert np.median(np.gradient(x)[up]) > 0  # forwards in swing
    np.testing.assert_allclose(np.abs(x), np.abs(positions[:, heel, 2]), atol=1e-9)


def test_trials_are_downloaded_once_into_the_work_folder(tmp_path: Path, trials: Path) -> None:
    module = _module()
    source = tmp_path / "source"
    source.mkdir()
    for name in module.TRIALS:
        (source / name).write_bytes((trials / "with_events.c3d").read_bytes())
    folder = module.fetch_trials(tmp_path / "work", source.as_uri())
    assert sorted(p.name for p in folder.glob("*.c3d")) == sorted(module.TRIALS)
    (source / module.TRIALS[0]).unlink()  # already there: not fetched again
    assert module.fetch_trials(tmp_path / "work", source.as_uri()) == folder


def test_a_failed_download_says_to_use_data(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="--data"):
        _module().fetch_trials(tmp_path / "work", (tmp_path / "nowhere").as_uri())


def test_a_treadmill_trial_with_events_and_plates_is_also_scored_against_its_plates(tmp_path: Path) -> None:
    from core.synthetic import GaitParams, simulate_walk, truth_to_events

    truth = simulate_walk(GaitParams(duration_s=6.0, fps=RATE, seed=12, width_px=640, height_px=360))[2]
    positions = np.zeros((truth["n_frames"], NUM_LANDMARKS, 3))
    for name, i in LANDMARK_INDEX.items():
        positions[:, i, :2] = np.asarray(truth["landmarks_world_m"][name], dtype=float)
    time_s = np.arange(truth["n_frames"]) / RATE
    positions[..., 0] -= truth["walking_speed_m_s"] * time_s[:, None]  # on a belt
    events = truth_to_events(truth)
    labels, points = pig_markers(positions)
    codes = [(f"{e.side[0].upper()}{'HS' if e.event == 'heel_strike' else 'TO'}", "", e.time_s) for e in events]
    force = _plate_forces(events, len(positions))
    write_c3d(tmp_path / "belt.c3d", labels, points, RATE, events=codes, analog=force, ratio=10, plates=[1, 2])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert _module().main(["--data", str(tmp_path)]) == 0
    first_table = out.getvalue().split("Force-plate events")[0]
    rows = [line for line in first_table.splitlines() if line.startswith("| belt |")]
    assert [r.split("|")[3].strip() for r in rows] == ["EVENT", "EVENT", "plates"]
    assert "3-D, plate truth" in rows[2] and float(rows[2].split("|")[7]) >= 0.9
