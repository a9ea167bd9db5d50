"""Rules of the pixel (video) event path: walking bouts through one-leg gaps, toe off waiting for the heel."""

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS
from core.gait.contact import heel_touchdown, toe_off_over_ground
from core.gait.direction import progression_direction
from core.gait.events import detect_events
from core.gait.events_candidates import _extrema
from core.gait.preprocessing import detect_walking_bouts
from tests.core.gait.test_gait_preprocessing import as_series, walk


def test_a_bout_continues_while_one_leg_is_hidden() -> None:
    """The far leg dropped for 1.5 s (low visibility behind the near leg) does not end the walk."""
    pos, _ = walk(30.0, duration_s=10.0)
    hidden = [LEG_LANDMARKS["right"][part] for part in ("knee", "ankle", "heel", "toe")]
    pos[120:165, hidden] = np.nan
    bouts = detect_walking_bouts(pos, 30.0, min_bout_s=2.0)
    assert len(bouts) == 1
    assert bouts[0][0] <= 40 and bouts[0][1] >= len(pos) - 40


def test_a_bout_still_ends_where_both_feet_are_gone() -> None:
    pos, _ = walk(30.0, duration_s=10.0)
    feet = [LEG_LANDMARKS[side][part] for side in ("left", "right") for part in ("ankle", "heel", "toe")]
    pos[120:165, feet] = np.nan
    bouts = detect_walking_bouts(pos, 30.0, min_bout_s=2.0)
    assert len(bouts) == 2
    assert bouts[0][1] == 120 and bouts[1][0] == 165


def test_toe_off_waits_for_the_heel_to_move() -> None:
    """A toe that creeps forward from sample 10 while the heel stays down until sample 16."""
    toe = np.concatenate([np.zeros(10), np.linspace(0.0, 1.0, 6), np.linspace(1.0, 4.0, 6), np.full(8, 4.0)])
    heel = np.concatenate([np.zeros(16), np.linspace(0.0, 4.0, 6), np.full(8, 4.0)])
    creep = toe_off_over_ground(18.0, toe, heel, 0.4, 0.8, 9)
    assert creep == pytest.approx(17.0)  # the heel's crossing of 0.8, not the toe's of 0.4 (sample 12)
    rolled = toe_off_over_ground(18.0, heel, np.zeros_like(heel), 0.4, 0.8, 9)
    assert rolled == pytest.approx(16.5)  # the heel never rises in the window: the toe's crossing alone
    assert toe_off_over_ground(18.0, np.zeros_like(toe), heel, 0.4, 0.8, 9) is None


def test_toe_off_keeps_a_toe_that_leaves_after_the_heel() -> None:
    heel = np.concatenate([np.zeros(8), np.linspace(0.0, 4.0, 6), np.full(16, 4.0)])
    toe = np.concatenate([np.zeros(14), np.linspace(0.0, 4.0, 6), np.full(10, 4.0)])
    assert toe_off_over_ground(18.0, toe, heel, 0.4, 0.8, 9) == pytest.approx(14.5)


def test_a_step_maximum_just_inside_the_start_counts_by_its_inward_depth() -> None:
    """A heel already near its forward-most point in the first frame: its maximum at sample 2 has a
    shallow outer flank, but falls by the whole step amplitude towards the inside."""
    t = np.arange(60)
    signal = np.cos(2 * np.pi * (t - 2) / 30.0)  # maxima at 2, 32; 2.0 above the minima at 17, 47
    found, strength = _extrema(signal, 30.0)
    assert np.round(found).astype(int).tolist() == [2, 32]
    assert strength[0] == pytest.approx(2.0, abs=0.01)


def test_no_edge_maximum_at_the_end_sample() -> None:
    t = np.arange(60)
    falling = np.cos(2 * np.pi * (t + 3) / 30.0)  # its first maximum lies before the recording
    assert np.round(_extrema(falling, 30.0)[0]).astype(int).tolist() == [27, 57]


def test_a_step_maximum_just_inside_the_end_counts_too() -> None:
    t = np.arange(60)
    signal = np.cos(2 * np.pi * (t - 57) / 30.0)  # maxima at 27 and 57 (of 0..59)
    assert np.round(_extrema(signal, 30.0)[0]).astype(int).tolist() == [27, 57]


def _landing(drop_at: int, rest_at: int, n: int = 40) -> np.ndarray:
    """Heel height (px, up): swing at 40, a fast drop to 2 px above the floor at ``drop_at``, sinking to 0
    at ``rest_at`` (a foot reaching the floor, then gliding to rest), then at rest."""
    h = np.full(n, 40.0)
    h[drop_at - 3:drop_at + 1] = np.linspace(40.0, 2.0, 4)
    h[drop_at:rest_at + 1] = np.linspace(2.0, 0.0, rest_at - drop_at + 1)
    h[rest_at:] = 0.0
    return h


def test_touchdown_is_where_the_heel_reached_the_floor_not_where_it_stopped() -> None:
    h = _landing(drop_at=20, rest_at=26)
    found = heel_touchdown(26.0, h, min_clearance=5.0, fraction=0.2, look_back=9)
    assert found is not None and 19.0 < found < 20.0


def test_touchdown_needs_a_heel_that_cleared_the_floor() -> None:
    shuffle = _landing(drop_at=20, rest_at=26) * 0.1  # 4 px of clearance
    assert heel_touchdown(26.0, shuffle, min_clearance=5.0, fraction=0.2, look_back=9) is None
    gone = _landing(drop_at=20, rest_at=26)
    gone[26] = np.nan
    assert heel_touchdown(26.0, gone, min_clearance=5.0, fraction=0.2, look_back=9) is None


def test_video_heel_strikes_at_touchdown_precede_those_at_rest() -> None:
    """Pixel data: each heel strike timed at touchdown comes at or before the same one timed at rest;
    metric data ignore the setting."""
    pos, t = walk(30.0, duration_s=8.0)
    pixels = pos * np.array([400.0, 400.0, 0.0])
    for units, data in (("px", pixels), ("m", pos)):
        series = as_series(data, t, units)
        forward = progression_direction(series.positions)
        at_touch = detect_events(series, forward, video_heel_strike="touchdown")
        at_rest = detect_events(series, forward, video_heel_strike="rest")
        assert (at_touch.heel_strike, at_rest.heel_strike) == (("touchdown", "rest") if units == "px" else ("", ""))
        touch = [e.time_s for e in at_touch.events if e.event == "heel_strike"]
        rest = [e.time_s for e in at_rest.events if e.event == "heel_strike"]
        assert len(touch) == len(rest) >= 8
        shift = np.array(rest) - np.array(touch)
        if units == "px":
            assert (shift >= -1e-9).all() and shift.max() > 1.0 / 30.0
        else:
            assert np.allclose(shift, 0.0)
