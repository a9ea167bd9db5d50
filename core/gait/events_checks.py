"""Physiological consistency checks on event candidates: one event of each kind per stride,
left/right alternation, stance within its physiological share of the stride (also for a toe off
before its side's first or after its last heel strike, against the median stride)."""

from __future__ import annotations

import numpy as np

from core.constants import SIDES
from core.gait.events_candidates import MAX_STRIDE_S, MIN_STRIDE_S, Candidate

MIN_STANCE_FRACTION, MAX_STANCE_FRACTION = 0.40, 0.85  # stance share of a stride (normal ~60%, slow pathological ~80%)
# An interval between two same-side reference events at least (1 + MISSED_STRIDE_FRACTION) times their median
# holds two strides: the event between them was missed (a landmark gap, an occluder). It may then hold two events
# of each kind, and no stance share is judged in it. Stride times vary by 2-5 % in walking and up to ~15 % in
# pathological gait, so 1.75 median strides is no single slow stride.
MISSED_STRIDE_FRACTION = 0.75


def _reject_weaker(group: list[Candidate], reason: str, cands: list[Candidate] | None = None
                   ) -> tuple[Candidate, list[tuple[Candidate, str]]]:
    """Keep the strongest candidate of ``group``; the others are rejected with ``reason``. With
    ``cands`` (all candidates), toe offs whose stance would pass ``_drop_bad_stance`` go first, so
    the stronger of two toe offs is not kept only to be rejected for its stance next."""
    pool = group
    if cands is not None:
        plausible = [c for c in group if c.event != "toe_off" or _stance_fraction_ok(c, cands)]
        pool = plausible or group
    best = max(pool, key=lambda c: c.strength)
    return best, [(c, reason) for c in group if c is not best]


def _stance_fraction_ok(to: Candidate, cands: list[Candidate]) -> bool:
    """Whether toe off ``to`` lies within MIN..MAX_STANCE_FRACTION of its own side's stride (True
    without a surrounding stride)."""
    hs = sorted(c.index for c in cands if c.side == to.side and c.event == "heel_strike")
    before, after = [i for i in hs if i < to.index], [i for i in hs if i > to.index]
    if not before or not after:
        return True
    fraction = (to.index - before[-1]) / (after[0] - before[-1])
    return MIN_STANCE_FRACTION <= fraction <= MAX_STANCE_FRACTION


def _drop_close_duplicates(cands: list[Candidate], rate_hz: float) -> tuple[list[Candidate], list]:
    """Same side and type closer than the minimum stride time: keep the stronger."""
    kept, rejected = [], []
    for c in sorted(cands, key=lambda c: c.index):
        prev = next((k for k in reversed(kept) if k.side == c.side and k.event == c.event), None)
        if prev is not None and (c.index - prev.index) / rate_hz < MIN_STRIDE_S:
            gap_s = (c.index - prev.index) / rate_hz
            best, lost = _reject_weaker([prev, c], f"{gap_s:.2f} s after another {c.side} {c.event} "
                                        f"(minimum stride {MIN_STRIDE_S} s); weaker candidate")
            kept.remove(prev)
            kept.append(best)
            rejected += lost
        else:
            kept.append(c)
    return kept, rejected


def _stride_intervals(refs: list[float], rate_hz: float) -> list[tuple[float, float, int]]:
    """(start, end, strides held) of the intervals between consecutive same-side reference events ``refs``
    (sorted samples) up to MAX_STRIDE_S long: 1 stride, or more where the interval is at least
    (1 + MISSED_STRIDE_FRACTION) median intervals long."""
    pairs = [(a, b) for a, b in zip(refs[:-1], refs[1:]) if (b - a) / rate_hz <= MAX_STRIDE_S]
    if not pairs:
        return []
    median = float(np.median([b - a for a, b in pairs]))
    return [(a, b, max(1, int(np.floor((b - a) / median + 1.0 - MISSED_STRIDE_FRACTION)))) for a, b in pairs]


def _drop_extras_between(cands: list[Candidate], rate_hz: float, event: str, inside_side: bool) -> tuple[list, list]:
    """Within each stride (consecutive same-side HS, or TO for ``event`` toe_off) allow one ``event`` (as many as
    the interval holds strides, ``_stride_intervals``).

    ``inside_side`` False checks the contralateral side's ``event`` (left/right alternation),
    True the same side's (HS -> TO -> HS order; only used with event toe_off and HS strides).
    """
    rejected: list = []
    for side in ("left", "right"):
        other = side if inside_side else ("right" if side == "left" else "left")
        ref_event = "heel_strike" if inside_side else event
        refs = sorted(c.index for c in cands if c.side == side and c.event == ref_event)
        for a, b, allowed in _stride_intervals(refs, rate_hz):
            group = [c for c in cands if c.side == other and c.event == event and a < c.index < b]
            if len(group) > allowed:
                where = "the same" if inside_side else f"one {side}"
                length = "" if allowed == 1 else f" ({allowed} strides long)"
                reason = f"{len(group)} {other} {event}s within {where} stride{length}; weaker candidate"
                lost = []
                for _ in range(allowed):  # keep the ``allowed`` strongest
                    best, lost = _reject_weaker(group, reason, cands)
                    group = [c for c, _ in lost]
                rejected += lost
                cands = [c for c in cands if all(c is not r for r, _ in lost)]
    return cands, rejected


def _drop_bad_stance(cands: list[Candidate], rate_hz: float) -> tuple[list, list]:
    """Reject a TO whose stance (HS -> TO) is outside the physiological fraction of its stride."""
    rejected = []
    for side in ("left", "right"):
        hs = sorted(c.index for c in cands if c.side == side and c.event == "heel_strike")
        for a, b, strides in _stride_intervals(hs, rate_hz):
            if strides > 1:
                continue
            for c in [c for c in cands if c.side == side and c.event == "toe_off" and a < c.index < b]:
                fraction = (c.index - a) / (b - a)
                if not MIN_STANCE_FRACTION <= fraction <= MAX_STANCE_FRACTION:
                    rejected.append((c, f"stance {100 * fraction:.0f}% of stride outside "
                                        f"{100 * MIN_STANCE_FRACTION:.0f}-{100 * MAX_STANCE_FRACTION:.0f}%"))
    lost = [r for r, _ in rejected]
    return [c for c in cands if all(c is not r for r in lost)], rejected


def _drop_bad_edge_stance(cands: list[Candidate], rate_hz: float) -> tuple[list, list]:
    """Reject a toe off outside its side's heel strikes whose stance (after the last heel strike) or
    swing (before the first) is shorter than physiological, against the median stride of the
    candidates: no stride surrounds it for ``_drop_bad_stance``. Only the short bound is checked, since
    walks start and end slower than their median stride."""
    hs = {side: sorted(c.index for c in cands if c.side == side and c.event == "heel_strike") for side in SIDES}
    strides = [b - a for side in SIDES for a, b in zip(hs[side][:-1], hs[side][1:]) if (b - a) / rate_hz <= MAX_STRIDE_S]
    if not strides:
        return cands, []
    stride = float(np.median(strides))
    rejected = []
    for c in cands:
        if c.event != "toe_off" or not hs[c.side]:
            continue
        first, last = hs[c.side][0], hs[c.side][-1]
        if c.index > last and (c.index - last) / stride < MIN_STANCE_FRACTION:
            rejected.append((c, f"stance {100 * (c.index - last) / stride:.0f}% of the median stride after the "
                                f"last {c.side} heel strike (at least {100 * MIN_STANCE_FRACTION:.0f}%)"))
        elif c.index < first and (first - c.index) / stride < 1.0 - MAX_STANCE_FRACTION:
            rejected.append((c, f"swing {100 * (first - c.index) / stride:.0f}% of the median stride before the "
                                f"first {c.side} heel strike (at least {100 * (1.0 - MAX_STANCE_FRACTION):.0f}%)"))
    lost = [r for r, _ in rejected]
    return [c for c in cands if all(c is not r for r in lost)], rejected


def check_consistency(cands: list[Candidate], rate_hz: float) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """Apply the physiological checks in order; returns (kept sorted by time, rejected with reasons)."""
    kept, rejected = _drop_close_duplicates(cands, rate_hz)
    for event, inside in (("heel_strike", False), ("toe_off", False), ("toe_off", True)):
        kept, lost = _drop_extras_between(kept, rate_hz, event, inside)
        rejected += lost
    kept, lost = _drop_bad_stance(kept, rate_hz)
    rejected += lost
    kept, lost = _drop_bad_edge_stance(kept, rate_hz)
    return sorted(kept, key=lambda c: c.index), rejected + lost
