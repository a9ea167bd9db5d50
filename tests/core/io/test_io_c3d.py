"""core.io.c3d: the pure-numpy C3D reader, on small files written by the test helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import InputError
from core.io.c3d import parse_c3d, read_c3d
from tests.core.io.c3d_files import write_c3d

LABELS = ["LHEE", "RHEE", "LASI"]


def _points(n: int = 12, seed: int = 0) -> np.ndarray:
    p = np.random.default_rng(seed).normal(0.0, 400.0, (n, len(LABELS), 3))
    p[4, 1] = np.nan  # one missing marker sample
    return p


@pytest.mark.parametrize("processor", [84, 85, 86])
def test_float_points_labels_rate_and_events_round_trip(tmp_path: Path, processor: int) -> None:
    pts = _points()
    events = [("Foot Strike", "Left", 0.05), ("RTO", "", 1.25)]
    data = read_c3d(write_c3d(tmp_path / "t.c3d", LABELS, pts, 120.0, events=events, processor=processor))
    assert data.processor == {84: "Intel", 85: "DEC", 86: "MIPS"}[processor]
    assert data.point_rate_hz == 120.0 and data.labels == LABELS and data.point_units == "mm"
    assert np.isnan(data.points[4, 1]).all() and np.isfinite(data.points[4, 0]).all()
    np.testing.assert_allclose(data.points, pts, atol=1e-3)  # float32
    assert [(lab, ctx) for lab, ctx, _ in data.events] == [("Foot Strike", "Left"), ("RTO", "")]
    np.testing.assert_allclose([t for *_, t in data.events], [0.05, 1.25], atol=1e-6)
    assert data.param("EVENT", "TIMES").shape == (2, 2)  # (events, [minutes, seconds])


def test_int16_points_are_scaled_and_missing_residuals_are_nan(tmp_path: Path) -> None:
    pts = _points()
    data = read_c3d(write_c3d(tmp_path / "i.c3d", LABELS, pts, 100.0, integer_scale=0.5))
    assert np.array_equal(np.isnan(data.points), np.isnan(pts))
    assert np.nanmax(np.abs(data.points - pts)) <= 0.25 + 1e-9  # half the scale
    assert np.nanmax(np.abs(data.points - pts)) > 0  # they really went through int16


def test_analog_channels_are_offset_and_scaled(tmp_path: Path) -> None:
    analog = np.random.default_rng(1).normal(0.0, 2.0, (24, 2))  # 12 frames x ratio 2
    data = read_c3d(write_c3d(tmp_path / "a.c3d", LABELS, _points(), 100.0, analog=analog, ratio=2,
                              analog_scale=0.25, analog_offset=7, analog_labels=["F1Z", "F2Z"]))
    assert data.analog_rate_hz == 200.0 and data.analog_labels == ["F1Z", "F2Z"]
    np.testing.assert_allclose(data.analog, analog, atol=1e-5)
    assert np.all(data.param("ANALOG", "OFFSET") == 7)


def test_int16_analog_round_trips_too(tmp_path: Path) -> None:
    analog = np.round(np.random.default_rng(2).normal(0.0, 50.0, (12, 1)))
    data = read_c3d(write_c3d(tmp_path / "ia.c3d", LABELS, _points(), 100.0, integer_scale=0.1,
                              analog=analog, analog_scale=0.5, analog_offset=2047))
    np.testing.assert_allclose(data.analog, analog, atol=0.5)


def test_labels_continue_in_labels2(tmp_path: Path) -> None:
    data = read_c3d(write_c3d(tmp_path / "l.c3d", LABELS, _points(), 100.0, split_labels=2))
    assert data.labels == LABELS


def test_first_frame_is_kept(tmp_path: Path) -> None:
    data = read_c3d(write_c3d(tmp_path / "f.c3d", LABELS, _points(), 100.0, first_frame=31))
    assert data.first_frame == 31 and data.points.shape == (12, 3, 3)


def test_trial_fields_give_the_frame_count_of_long_trials(tmp_path: Path) -> None:
    data = read_c3d(write_c3d(tmp_path / "long.c3d", LABELS, _points(), 100.0, trial_fields=True))
    assert data.points.shape[0] == 12


def test_not_a_c3d_and_unknown_processor_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a C3D file"):
        parse_c3d(b"hello" * 200, "x.c3d")
    buf = bytearray(write_c3d(tmp_path / "p.c3d", LABELS, _points(), 100.0).read_bytes())
    buf[512 + 3] = 83
    with pytest.raises(InputError, match="processor type 83"):
        parse_c3d(bytes(buf), "p.c3d")
    with pytest.raises(InputError, match="not found"):
        read_c3d(tmp_path / "missing.c3d")


def test_truncated_data_keeps_the_whole_frames(tmp_path: Path) -> None:
    buf = write_c3d(tmp_path / "t.c3d", LABELS, _points(), 100.0).read_bytes()
    data = parse_c3d(buf[:-(16 * 3 * 2 + 5)], "t.c3d")  # 2 frames and a bit cut off
    assert data.points.shape[0] == 9


def test_corrupt_parameter_section_is_an_input_error(tmp_path: Path) -> None:
    buf = bytearray(write_c3d(tmp_path / "c.c3d", LABELS, _points(), 100.0).read_bytes())
    buf[512 + 4:512 + 40] = b"\x7f" * 36  # a record whose name runs far past its block
    with pytest.raises(InputError, match="c.c3d"):
        parse_c3d(bytes(buf), tmp_path / "c.c3d")
