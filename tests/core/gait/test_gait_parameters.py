"""Spatiotemporal parameters on hand-built event lists with exactly known values."""

from __future__ import annotations

import numpy as np
import pytest

from core.constants import LEG_LANDMARKS, LEG_LENGTH_TO_HEIGHT, NUM_LANDMARKS
from core.gait.parameters import pixel_scale_m_per_px, spatiotemporal_parameters, stats
from core.gait.symmetry import symmetry_index
from core.types import GaitEvent

RATE_HZ = 100.0
STRIDE_FRAMES = 120  # 1.2 s stride, 0.6 s step -> 100 steps/min
STEP_LEN = 0.7
WIDTH = 0.2


def _events(n_strides: int = 4) -> list[GaitEvent]:
    """Right HS at 0, left TO at 10 %, left HS at 50 %, right TO at 60 % of each stride."""
    evs = []
    for k in range(n_strides + 1):
        base = k * STRIDE_FRAMES
        for side, ev, pct in (("right", "heel_strike", 0), ("left", "toe_off", 10), ("left", "heel_strike", 50),
                              ("right", "toe_off", 60)):
            f = base + pct * STRIDE_FRAMES // 100
            evs.append(GaitEvent(side, ev, f, f / RATE_HZ))
    return evs


def _positions(events: list[GaitEvent], forward_sign: float = 1.0) -> np.ndarray:
    """Each heel sits where it last struck; the k-th heel strike lands at k * STEP_LEN."""
    n = max(e.frame for e in events) + 1
    pos = np.zeros((n, NUM_LANDMARKS, 3))
    hs = sorted((e for e in events if e.event == "heel_strike"), key=lambda e: e.frame)
    for side, z in (("left", -WIDTH / 2), ("right", WIDTH / 2)):
        idx = LEG_LANDMARKS[side]
        pos[:, idx["hip"], 1], pos[:, idx["knee"], 1], pos[:, idx["ankle"], 1] = 1.0, 0.5, 0.05
        pos[:, idx["heel"], 2] = z
        pos[:, idx["heel"], 0] = -STEP_LEN  # before its first strike
        for k, e in enumerate(hs):
            if e.side == side:
                pos[e.frame:, idx["heel"], 0] = k * STEP_LEN
    pos[..., 0] *= forward_sign
    return pos


def _params(events: list[GaitEvent], forward_sign: float = 1.0, **kw) -> dict:
    pos = _positions(_events(), forward_sign)
    time_s = np.arange(pos.shape[0]) / RATE_HZ
    return spatiotemporal_parameters(events, pos, time_s, np.array([forward_sign, 0.0, 0.0]), **kw)


@pytest.mark.parametrize("forward_sign", [1.0, -1.0])
def test_exact_temporal_and_spatial_parameters(forward_sign: float) -> None:
    p = _params(_events(), forward_sign, m_per_unit=1.0)
    assert p["cadence_steps_per_min"] == pytest.approx(100.0)
    assert p["walking_speed_m_s"] == pytest.approx(2 * STEP_LEN / 1.2)
    for side in ("left", "right"):
        s = p[side]
        assert s["stride_time_s"]["mean"] == pytest.approx(1.2)
        assert s["step_time_s"]["mean"] == pytest.approx(0.6)
        assert s["stance_pct"]["mean"] == pytest.approx(60.0)
        assert s["swing_pct"]["mean"] == pytest.approx(40.0)
        assert s["double_support_pct"]["mean"] == pytest.approx(20.0)
        assert s["single_support_pct"]["mean"] == pytest.approx(40.0)
        assert s["step_length_m"]["mean"] == pytest.approx(STEP_LEN)
        assert s["stride_length_m"]["mean"] == pytest.approx(2 * STEP_LEN)
        assert s["step_width_m"]["mean"] == pytest.approx(WIDTH)
        assert s["step_length_leg_norm"]["mean"] == pytest.approx(STEP_LEN / 0.95)
        assert s["stride_time_s"]["sd"] == pytest.approx(0.0, abs=1e-12)
    assert p["right"]["stride_time_s"]["n"] == 4 and p["left"]["stride_time_s"]["n"] == 4
    assert p["n_strides_used"] == 8 and p["n_strides_rejected"] == 0
    assert p["symmetry"]["stance_pct"]["si_pct"] == pytest.approx(0.0)


def test_no_scale_gives_null_metres_and_2d_gives_no_width() -> None:
    p = _params(_events(), m_per_unit=None, is_2d=True)
    assert p["walking_speed_m_s"] is None
    assert p["left"]["step_length_m"] is None and p["left"]["step_width_m"] is None
    assert p["left"]["step_length_leg_norm"]["mean"] == pytest.approx(STEP_LEN / 0.95)
    assert p["walking_speed_leg_norm_per_s"] == pytest.approx(2 * STEP_LEN / 0.95 / 1.2)


def test_missing_event_rejects_the_strides_around_it() -> None:
    events = [e for e in _events() if not (e.side == "left" and e.event == "toe_off" and e.frame == 132)]
    p = _params(events, m_per_unit=1.0)
    assert p["n_strides_rejected"] == 2
    assert p["stride_rejection_counts"] == {"missing events": 2}
    assert {r["side"] for r in p["rejected_strides"]} == {"left", "right"}
    assert p["right"]["stance_pct"]["mean"] == pytest.approx(60.0)


def test_missing_heel_strike_and_bout_boundary() -> None:
    events = [e for e in _events() if not (e.side == "right" and e.event == "heel_strike" and e.frame == 240)]
    p = _params(events, m_per_unit=1.0)
    assert p["stride_rejection_counts"].get("missing heel strike") == 1
    assert p["step_rejection_counts"] == {"missing heel strike": 1}
    p = _params(_events(), m_per_unit=1.0, bouts=[(0, 300), (300, 481)])
    assert p["stride_rejection_counts"] == {"crosses a bout boundary": 3}
    assert [b["n_strides"] for b in p["bouts"]] == [3, 2]
    assert p["bouts"][0]["cadence_steps_per_min"] == pytest.approx(100.0)


def test_one_side_without_events_still_gives_strides_and_cadence() -> None:
    right_only = [e for e in _events() if e.side == "right"]
    p = _params(right_only, m_per_unit=1.0)
    assert p["right"]["stride_time_s"]["n"] == 4 and p["n_strides_rejected"] == 0
    assert p["right"]["stance_pct"]["mean"] == pytest.approx(60.0)
    assert p["right"]["stride_length_m"]["mean"] == pytest.approx(2 * STEP_LEN)
    assert p["right"]["double_support_pct"]["n"] == 0 and p["right"]["double_support_pct"]["mean"] is None
    assert p["n_steps_used"] == 0 and p["cadence_steps_per_min"] == pytest.approx(100.0)
    assert p["walking_speed_m_s"] == pytest.approx(2 * STEP_LEN / 1.2)
    assert p["bouts"][0]["cadence_steps_per_min"] == pytest.approx(100.0)


def test_physiological_bounds_reject_slow_stride() -> None:
    slow = [GaitEvent(e.side, e.event, e.frame * 4, e.frame * 4 / RATE_HZ) for e in _events(1)]
    pos = np.zeros((max(e.frame for e in slow) + 1, NUM_LANDMARKS, 3))
    p = spatiotemporal_parameters(slow, pos, np.arange(pos.shape[0]) / RATE_HZ, np.array([1.0, 0, 0]))
    assert p["stride_rejection_counts"] == {"stride time out of bounds": 2}
    assert p["n_strides_used"] == 0 and p["cadence_steps_per_min"] is None


def test_stats_and_symmetry() -> None:
    s = stats([1.0, 2.0, 3.0, np.nan])
    assert s["n"] == 3 and s["mean"] == pytest.approx(2.0) and s["sd"] == pytest.approx(1.0)
    assert s["cv_pct"] == pytest.approx(50.0)
    assert stats([]) == {"mean": None, "sd": None, "n": 0, "cv_pct": None}
    assert symmetry_index(0.55, 0.45)["si_pct"] == pytest.approx(20.0)
    assert symmetry_index(None, 1.0)["si_pct"] is None


def test_pixel_scale_from_height() -> None:
    pos = np.full((50, NUM_LANDMARKS, 3), np.nan)
    for side in ("left", "right"):
        idx = LEG_LANDMARKS[side]
        pos[:, idx["hip"]] = (100.0, 900.0, 0.0)
        pos[:, idx["knee"]] = (100.0, 700.0, 0.0)
        pos[:, idx["ankle"]] = (100.0, 500.0, 0.0)
    pos[::10, LEG_LANDMARKS["left"]["knee"]] = np.nan
    assert pixel_scale_m_per_px(pos, 1.8) == pytest.approx(LEG_LENGTH_TO_HEIGHT * 1.8 / 400.0)
    conf = np.ones(pos.shape[:2])
    conf[:, LEG_LANDMARKS["right"]["knee"]] = 0.1
    assert pixel_scale_m_per_px(pos, 1.8, conf) == pytest.approx(LEG_LENGTH_TO_HEIGHT * 1.8 / 400.0)
    with pytest.raises(ValueError):
        pixel_scale_m_per_px(np.full((5, NUM_LANDMARKS, 3), np.nan), 1.8)


def test_cadence_is_not_biased_by_unequal_step_counts() -> None:
    times = [("right", 0.0), ("left", 0.5), ("right", 1.2), ("left", 1.7), ("right", 2.4), ("left", 2.9)]
    events = [GaitEvent(side, "heel_strike", int(t * RATE_HZ), t) for side, t in times]
    pos = np.zeros((300, NUM_LANDMARKS, 3))
    p = spatiotemporal_parameters(events, pos, np.arange(300) / RATE_HZ, np.array([1.0, 0, 0]))
    assert p["left"]["step_time_s"]["n"] == 3 and p["right"]["step_time_s"]["n"] == 2
    assert p["cadence_steps_per_min"] == pytest.approx(100.0)
    assert p["symmetry"]["step_time_s"]["ratio_left_right"] == pytest.approx(0.5 / 0.7)


def test_spurious_heel_strike_pair_step_is_rejected_by_length() -> None:
    """Spurious right+left heel strikes inside a stride (MediaPipe briefly puts the right heel on the
    left one): the step between them passes the time checks (0.4 s against a 0.6 s median) but is
    ~0 long; it is rejected by its length and no longer drags the left step length down."""
    events = _events(4)
    pos = _positions(events)
    time_s = np.arange(pos.shape[0]) / RATE_HZ
    left, right = LEG_LANDMARKS["left"]["heel"], LEG_LANDMARKS["right"]["heel"]
    pos[305:316, right, 0] = pos[305:316, left, 0] + 0.02 * STEP_LEN
    extra = [GaitEvent("right", "heel_strike", 310, 3.10), GaitEvent("left", "heel_strike", 350, 3.50)]
    p = spatiotemporal_parameters(sorted(events + extra, key=lambda e: e.time_s), pos, time_s,
                                  np.array([1.0, 0, 0]))
    assert p["step_rejection_counts"].get("step length inconsistent with the bout") == 1
    assert p["left"]["step_length_leg_norm"]["mean"] == pytest.approx(p["right"]["step_length_leg_norm"]["mean"])
    assert p["left"]["step_time_s"]["mean"] == pytest.approx(0.6)


def test_asymmetric_step_lengths_are_kept() -> None:
    from core.gait.strides import long_enough_steps
    lengths = np.array([0.4, 0.8, 0.4, 0.8, 0.4, 0.8, 0.1, -0.2, np.nan])  # ratio 2 between sides
    ok = long_enough_steps(lengths, np.zeros(lengths.size, dtype=int))
    assert ok.tolist() == [True, True, True, True, True, True, False, False, True]
    # Separate bouts are judged against their own median; bouts without forward progress are kept.
    two = long_enough_steps(np.array([1.0, 1.0, 1.0, 0.3, 0.3, 0.3, 0.1]), np.array([0, 0, 0, 1, 1, 1, 1]))
    assert two.tolist() == [True, True, True, True, True, True, False]
    assert long_enough_steps(np.array([-0.5, -0.6, -0.1]), np.zeros(3, dtype=int)).all()
