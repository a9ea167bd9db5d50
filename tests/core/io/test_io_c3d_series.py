"""core.io.c3d_series and core.io.c3d_forces: C3D markers -> landmarks (metres, Y up), the EVENT
group and force-plate contacts -> gait events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX, LEG_LANDMARKS, NUM_LANDMARKS
from core.errors import InputError
from core.io.c3d import read_c3d
from core.io.c3d_forces import force_plate_events
from core.io.c3d_series import c3d_events, c3d_series, event_kind, read_c3d_events, read_c3d_keypoints
from core.types import KeypointSeries
from tests.core.io.c3d_files import pig_markers, write_c3d

RATE = 100.0


@pytest.fixture(scope="module")
def walk() -> tuple[np.ndarray, list]:
    """The synthetic walker's exact landmarks (metres, Y up, Z = 0) at 100 Hz, and its events."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events

    truth = simulate_walk(GaitParams(duration_s=5.0, fps=RATE, seed=4, width_px=640, height_px=360))[2]
    world = truth["landmarks_world_m"]
    positions = np.zeros((truth["n_frames"], NUM_LANDMARKS, 3))
    for name, i in LANDMARK_INDEX.items():
        positions[:, i, :2] = np.asarray(world[name], dtype=float)
    return positions, truth_to_events(truth)


def test_plug_in_gait_z_up_markers_become_y_up_metres(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    series = read_c3d_keypoints(write_c3d(tmp_path / "pig.c3d", labels, points, RATE))
    assert series.units == "m" and series.rate_hz == pytest.approx(RATE) and not series.is_2d
    assert series.meta["c3d_up_axis"] == "+Z" and "LASI+LPSI" in series.meta["load_note"]
    for side, lateral in (("left", -0.1), ("right", 0.1)):
        heel = LEG_LANDMARKS[side]["heel"]
        np.testing.assert_allclose(series.positions[:, heel], positions[:, heel] + [0, 0, lateral], atol=1e-5)
        hip = LEG_LANDMARKS[side]["hip"]  # the mean of ASIS (+5 cm) and PSIS (-15 cm), both 10 cm up
        np.testing.assert_allclose(series.positions[:, hip], positions[:, hip] + [-0.05, 0.1, lateral], atol=1e-5)
    assert np.isnan(series.positions[:, LANDMARK_INDEX["nose"]]).all()


@pytest.mark.parametrize("flip", ["-Z", "+Y", "-Y", "+X"])
def test_the_up_axis_is_found_from_the_body(tmp_path: Path, walk, flip: str) -> None:
    positions, _ = walk
    labels, z_up = pig_markers(positions)
    x, y, z = z_up[..., 0], z_up[..., 1], z_up[..., 2]
    points = {"-Z": (x, -y, -z), "+Y": (x, z, -y), "-Y": (x, -z, y), "+X": (z, -x, y)}[flip]
    series = read_c3d_keypoints(write_c3d(tmp_path / "r.c3d", labels, np.stack(points, axis=2), RATE))
    assert series.meta["c3d_up_axis"] == flip
    heel = LEG_LANDMARKS["right"]["heel"]
    np.testing.assert_allclose(series.positions[:, heel, 1], positions[:, heel, 1], atol=1e-5)  # height kept


def test_subject_prefixes_and_other_marker_sets(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    renamed = {"RHEE": "R.Heel", "LHEE": "LCAL", "RANK": "R.Ankle", "LANK": "LLML", "RASI": "R.ASIS"}
    labels = [f"Sub01:{renamed.get(n, n)}" for n in labels]
    series = read_c3d_keypoints(write_c3d(tmp_path / "s.c3d", labels, points, RATE))
    used = series.meta["markers"]
    assert used["right_heel"] == "Sub01:R.Heel" and used["left_heel"] == "Sub01:LCAL"
    assert used["left_ankle"] == "Sub01:LLML" and used["right_toe"] == "Sub01:RTOE"
    assert np.isfinite(series.positions[:, LEG_LANDMARKS["right"]["hip"]]).all()


def test_missing_markers_are_nan_and_a_trial_without_hips_is_refused(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    points[10:20, labels.index("RHEE")] = np.nan
    series = read_c3d_keypoints(write_c3d(tmp_path / "m.c3d", labels, points, RATE))
    heel = LEG_LANDMARKS["right"]["heel"]
    assert np.isnan(series.positions[10:20, heel]).all() and series.confidence[10:20, heel].max() == 0.0
    keep = [i for i, n in enumerate(labels) if n[1:] not in ("ASI", "PSI")]
    path = write_c3d(tmp_path / "nohip.c3d", [labels[i] for i in keep], points[:, keep], RATE)
    with pytest.raises(InputError, match="no hip"):
        read_c3d_keypoints(path)


@pytest.mark.parametrize("label, context, expected", [
    ("Foot Strike", "Left", ("left", "heel_strike")), ("Foot Off", "Right", ("right", "toe_off")),
    ("", "RHS", ("right", "heel_strike")), ("LTO", "", ("left", "toe_off")), ("LON", "", ("left", "heel_strike")),
    ("ROFF", "", ("right", "toe_off")), ("FS_L", "", ("left", "heel_strike")), ("Event", "General", None),
    ("RMAXKNEE", "", None),
])
def test_event_names(label: str, context: str, expected) -> None:
    assert event_kind(label, context) == expected


def test_event_group_gives_sample_indices_once_each(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    events = [("RHS", "", 1.00), ("RON", "", 1.00), ("LTO", "", 1.20), ("Foot Strike", "Left", 9.0), ("X", "", 1.5)]
    data = read_c3d(write_c3d(tmp_path / "e.c3d", labels, points, RATE, events=events, first_frame=21))
    got = c3d_events(data, data.points.shape[0])
    assert [(e.side, e.event, e.frame) for e in got] == [("right", "heel_strike", 80), ("left", "toe_off", 100)]
    assert got[0].time_s == pytest.approx(1.0)
    series = c3d_series(data)
    assert series.time_s[0] == pytest.approx(0.2)  # frame 21 at 100 Hz: the events' clock
    with pytest.raises(InputError, match="no heel strike or toe off"):
        c3d_events(read_c3d(write_c3d(tmp_path / "x.c3d", labels, points, RATE, events=[("X", "", 1.0)])), 500)


def _plates(walk, ratio: int = 10, shared_at: float | None = None) -> tuple[np.ndarray, list]:
    """Vertical force of a left and a right plate (one foot each, as on a split belt): 700 N between
    each heel strike and the next toe off, 5 ms ramps; optionally the other foot adds load at ``shared_at``."""
    positions, events = walk
    t = np.arange(positions.shape[0] * ratio) / (RATE * ratio)
    force = np.zeros((len(t), 2))
    for k, side in enumerate(("left", "right")):
        hs = [e.time_s for e in events if e.side == side and e.event == "heel_strike"]
        to = [e.time_s for e in events if e.side == side and e.event == "toe_off"]
        starts = ([0.0] if to and (not hs or to[0] < hs[0]) else []) + hs
        for a in starts:
            b = next((x for x in to if x > a), t[-1] + 1.0)
            force[:, k] += 700.0 * np.clip(np.minimum(t - a, b - t) / 0.005, 0.0, 1.0)
    if shared_at is not None:
        force[:, 0] += 700.0 * np.clip(np.minimum(t - shared_at, shared_at + 0.3 - t) / 0.005, 0.0, 1.0)
    return force, events


def test_force_plate_contacts_give_events_with_their_feet(tmp_path: Path, walk) -> None:
    from core.gait.evaluation import evaluate_events

    positions, _ = walk
    force, events = _plates(walk)
    labels, points = pig_markers(positions)
    path = write_c3d(tmp_path / "fp.c3d", labels, points, RATE, analog=-force, ratio=10, plates=[1, 2])
    series = read_c3d_keypoints(path)
    got = read_c3d_events(path, series)  # no EVENT group: the plates
    inside = [e for e in events if 0.05 < e.time_s < series.time_s[-1] - 0.05]
    ev = evaluate_events(got, inside, 0.02)
    assert ev["overall"]["f1"] == 1.0
    assert ev["heel_strike"]["mae_ms"] < 3.0 and ev["toe_off"]["mae_ms"] < 3.0


def test_a_plate_contact_with_two_feet_cuts_the_truth(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    clean, events = _plates(walk)
    right_stance = next(e.time_s for e in events if e.side == "right" and e.event == "heel_strike" and e.time_s > 1.0)
    force, _ = _plates(walk, shared_at=right_stance + 0.05)  # the right foot steps onto the left plate
    data = read_c3d(write_c3d(tmp_path / "x.c3d", labels, points, RATE, analog=-force, ratio=10, plates=[1, 2]))
    series = c3d_series(data)
    got = force_plate_events(data, series)
    full = force_plate_events(read_c3d(write_c3d(tmp_path / "c.c3d", labels, points, RATE, analog=-clean,
                                                 ratio=10, plates=[1, 2])), series)
    assert 0 < len(got) < len(full)
    shared = (right_stance + 0.05, right_stance + 0.35)
    span = (got[0].time_s, got[-1].time_s)
    assert not (span[0] <= shared[0] <= span[1])  # the events kept lie on one side of the shared contact


def test_a_file_without_events_or_plates_is_refused(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    path = write_c3d(tmp_path / "none.c3d", labels, points, RATE)
    with pytest.raises(InputError, match="no analog data"):
        read_c3d_events(path, read_c3d_keypoints(path))


def test_series_is_a_keypoint_series(tmp_path: Path, walk) -> None:
    positions, _ = walk
    labels, points = pig_markers(positions)
    series = read_c3d_keypoints(write_c3d(tmp_path / "k.c3d", labels, points, RATE, integer_scale=0.1))
    assert isinstance(series, KeypointSeries) and series.name == "k"
    assert np.nanmax(np.abs(series.positions[:, LEG_LANDMARKS["left"]["heel"], 1]
                            - positions[:, LEG_LANDMARKS["left"]["heel"], 1])) < 1e-4  # 0.05 mm
