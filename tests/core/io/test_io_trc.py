from pathlib import Path

import numpy as np
import pytest

from core.constants import LANDMARK_INDEX, TRC_EXPORT_MARKERS
from core.errors import InputError
from core.io.trc import read_trc, write_trc
from core.types import KeypointSeries

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _series(units: str = "m", is_2d: bool = False) -> KeypointSeries:
    rng = np.random.default_rng(1)
    t = np.arange(20) / 50.0
    pos = np.full((20, 33, 3), np.nan)
    for name in TRC_EXPORT_MARKERS:
        pos[:, LANDMARK_INDEX[name]] = rng.normal(0, 1, (20, 3))
    pos[5, LANDMARK_INDEX["left_wrist"]] = np.nan
    if is_2d:
        pos[..., 2] = np.where(np.isfinite(pos[..., 2]), 0.0, np.nan)
    conf = np.isfinite(pos).all(axis=2).astype(float)
    return KeypointSeries(pos, t, conf, units=units, name="x", is_2d=is_2d)


def _write_text_trc(path: Path, units: str, rows: list[str], markers: str = "LHip\t\t\tRHip\t\t\tLHeel\t\t\tRHeel") -> Path:
    n_markers = markers.count("\t\t\t") + 1
    coords = "\t".join(f"X{k}\tY{k}\tZ{k}" for k in range(1, n_markers + 1))
    text = "\n".join([
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"100.00\t100.00\t{len(rows)}\t{n_markers}\t{units}\t100.00\t1\t{len(rows)}",
        f"Frame#\tTime\t{markers}",
        f"\t\t{coords}",
        "",
        *rows,
    ])
    path.write_text(text + "\n")
    return path


ROWS = [
    "1\t0.00\t100\t900\t-100\t100\t900\t100\t50\t50\t-100\t\t\t",
    "2\t0.01\t110\t900\t-100\t110\t900\t100\t60\t50\t-100\t150\t60\t100",
]


def test_round_trip_metres(tmp_path):
    series = _series()
    write_trc(tmp_path / "a.trc", series, rate_hz=50.0, chunk_frames=3)
    back = read_trc(tmp_path / "a.trc")
    assert back.units == "m" and not back.is_2d and back.name == "a"
    assert back.meta["rate_hz"] == 50.0
    np.testing.assert_allclose(back.time_s, series.time_s, atol=1e-9)
    np.testing.assert_allclose(back.positions, series.positions, atol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(back.confidence, series.confidence)


def test_round_trip_pixels_is_2d(tmp_path):
    series = _series(units="px", is_2d=True)
    write_trc(tmp_path / "p.trc", series, rate_hz=50.0, chunk_frames=1000)
    assert "\tpx\t" in (tmp_path / "p.trc").read_text().splitlines()[2]
    back = read_trc(tmp_path / "p.trc")
    assert back.units == "px" and back.is_2d
    np.testing.assert_allclose(back.positions, series.positions, atol=1e-6, equal_nan=True)


def test_millimetres_become_metres_and_empty_cells_are_nan(tmp_path):
    back = read_trc(_write_text_trc(tmp_path / "mm.trc", "mm", ROWS))
    heel = back.positions[:, LANDMARK_INDEX["left_heel"]]
    np.testing.assert_allclose(heel[0], [0.05, 0.05, -0.1])
    assert np.isnan(back.positions[0, LANDMARK_INDEX["right_heel"]]).all()
    assert back.confidence[0, LANDMARK_INDEX["right_heel"]] == 0.0
    assert back.confidence[1, LANDMARK_INDEX["right_heel"]] == 1.0
    assert np.isnan(back.positions[:, LANDMARK_INDEX["nose"]]).all()


def test_metres_kept(tmp_path):
    back = read_trc(_write_text_trc(tmp_path / "m.trc", "m", ROWS))
    assert back.positions[1, LANDMARK_INDEX["left_hip"], 0] == pytest.approx(110.0)


def test_small_toe_is_fallback_for_big_toe(tmp_path):
    markers = "LHip\t\t\tRHip\t\t\tLHeel\t\t\tLSmallToe"
    back = read_trc(_write_text_trc(tmp_path / "t.trc", "m", ROWS, markers))
    assert back.positions[1, LANDMARK_INDEX["left_foot_index"], 0] == pytest.approx(150.0)


@pytest.mark.parametrize("markers", [
    "l_hip\t\t\tRight Hip\t\t\tHeel_L\t\t\tLEFT.BIGTOE",
    "LHip\t\t\tRHip\t\t\tLHEE\t\t\tLTOE",
], ids=["case-separators-suffix", "plug-in-gait"])
def test_marker_names_match_without_case_separators_or_side_position(tmp_path, markers):
    back = read_trc(_write_text_trc(tmp_path / "t.trc", "m", ROWS, markers))
    assert back.positions[0, LANDMARK_INDEX["right_hip"], 0] == pytest.approx(100.0)
    assert back.positions[1, LANDMARK_INDEX["left_heel"], 0] == pytest.approx(60.0)
    assert back.positions[1, LANDMARK_INDEX["left_foot_index"], 0] == pytest.approx(150.0)


def test_mid_hip_marker_stands_for_both_hips_only_without_hips(tmp_path):
    back = read_trc(_write_text_trc(tmp_path / "t.trc", "m", ROWS, "MidHip\t\t\tRKnee\t\t\tLHeel\t\t\tRHeel"))
    for side in ("left", "right"):
        assert back.positions[0, LANDMARK_INDEX[f"{side}_hip"], 0] == pytest.approx(100.0)
    back = read_trc(_write_text_trc(tmp_path / "u.trc", "m", ROWS, "Hip\t\t\tRHip\t\t\tLHeel\t\t\tRHeel"))
    assert back.positions[0, LANDMARK_INDEX["right_hip"], 0] == pytest.approx(100.0)
    assert np.isnan(back.positions[0, LANDMARK_INDEX["left_hip"], 0])


def test_malformed_header_names_file(tmp_path):
    path = tmp_path / "bad.trc"
    path.write_text("hello\nworld\n")
    with pytest.raises(InputError, match="bad.trc.*header"):
        read_trc(path)


def test_marker_row_must_start_with_frame_time(tmp_path):
    path = _write_text_trc(tmp_path / "bad2.trc", "m", ROWS)
    path.write_text(path.read_text().replace("Frame#\tTime", "Foo\tBar"))
    with pytest.raises(InputError, match="Frame#"):
        read_trc(path)


@pytest.mark.parametrize(
    "markers,message",
    [
        ("Foo\t\t\tBar\t\t\tBaz\t\t\tQux", "no known marker"),
        ("LKnee\t\t\tRKnee\t\t\tLHeel\t\t\tRHeel", "hip"),
        ("LHip\t\t\tRHip\t\t\tLKnee\t\t\tRKnee", "heel or ankle"),
    ],
    ids=["unknown-markers", "missing-hips", "missing-feet"],
)
def test_marker_sets_without_essentials_rejected(tmp_path, markers, message):
    path = _write_text_trc(tmp_path / "m.trc", "m", ROWS, markers)
    with pytest.raises(InputError, match=message):
        read_trc(path)


def test_non_numeric_rejected(tmp_path):
    rows = [ROWS[0], ROWS[1].replace("\t150\t", "\tabc\t")]
    with pytest.raises(InputError, match="non-numeric.*'abc'"):
        read_trc(_write_text_trc(tmp_path / "n.trc", "m", rows))


def test_unknown_units_rejected(tmp_path):
    with pytest.raises(InputError, match="Units"):
        read_trc(_write_text_trc(tmp_path / "in.trc", "inch", ROWS))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_trc(tmp_path / "none.trc")


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared real-data folder {SHARED} is absent")
def test_reads_shared_trials():
    pd = read_trc(SHARED / "overground_pd_150hz.trc")
    assert pd.n_frames == 671 and pd.meta["rate_hz"] == 150.0 and not pd.is_2d
    assert pd.rate_hz == pytest.approx(150.0, rel=1e-6)
    assert np.isfinite(pd.positions[:, LANDMARK_INDEX["right_heel"]]).all()
    stroke = read_trc(SHARED / "overground_stroke_100hz.trc")
    assert stroke.n_frames == 294 and stroke.meta["rate_hz"] == 100.0


def _body_rows(z_up: bool) -> list[str]:
    """Two frames of LASI, LPSI, RASI, RPSI, LHeel, RHeel (mm) of a standing body, Y up or Z up."""
    rows = []
    for frame in range(2):
        points = [(100 + frame, 950, -120), (-60, 960, -110), (100, 950, 120), (-60, 960, 110),
                  (0 + 10 * frame, 60, -100), (300, 60, 100)]
        cells = []
        for x, y, z in points:
            cells += [x, -z, y] if z_up else [x, y, z]
        rows.append("\t".join([str(frame + 1), f"{frame / 100:.2f}"] + [str(v) for v in cells]))
    return rows


PELVIS_MARKERS = "LASI\t\t\tLPSI\t\t\tRASI\t\t\tRPSI\t\t\tLHeel\t\t\tRHeel"


@pytest.mark.parametrize("z_up", [False, True], ids=["y-up", "z-up"])
def test_a_plug_in_gait_pelvis_gives_the_hips_and_a_z_up_file_is_turned(tmp_path, z_up):
    back = read_trc(_write_text_trc(tmp_path / "pig.trc", "mm", _body_rows(z_up), PELVIS_MARKERS))
    np.testing.assert_allclose(back.positions[1, LANDMARK_INDEX["left_hip"]], [0.0205, 0.955, -0.115])
    np.testing.assert_allclose(back.positions[1, LANDMARK_INDEX["left_heel"]], [0.01, 0.06, -0.1])
    note = back.meta["load_note"]
    assert "hips from LASI+LPSI, RASI+RPSI" in note
    assert ("up axis +Z turned to +Y" in note) == z_up


def test_a_y_up_file_gets_no_note(tmp_path):
    back = read_trc(_write_text_trc(tmp_path / "m.trc", "m", ROWS))
    assert "load_note" not in back.meta
