"""Confidence grade of one gait analysis, from the analysis' own evidence (no ground truth).

``grade_analysis`` is a pure function of the analysis' results. Each check gives a level (0 fine,
1 doubtful, 2 implausible) and, above 0, a one-line reason. The grade is "low" when any check is
implausible or two or more are doubtful, "medium" with one doubtful check, otherwise "high".

Checks (thresholds below, with units in their names):
- presence: share of frames with a detected person, from the first to the last (``analysis.presence_share``);
- strides: how many accepted strides support the parameters;
- rejections: share of event candidates and of strides rejected by the consistency checks;
- alternation: heel strikes must alternate left/right within a bout (a step on the wrong leg
  breaks it);
- sides: left and right stride times must agree over one walk, whatever the gait (both legs
  complete the same number of cycles), and cadence from steps must agree with cadence from strides;
- periodicity: cadence from the events against cadence from the legs' periodicity
  (``core.gait.cadence.periodicity_cadence``, no events): missed or extra steps make them differ;
- regularity: coefficient of variation of stride times per side;
- completeness: detected heel strikes against those expected over the walking bouts at the
  measured cadence;
- methods: share of events that a second, independent method (foot velocity over ground) also
  finds within METHOD_TOLERANCE_S;
- step irregularity, stance spread, symmetry interval and the second method's symmetry
  (``core.gait.trust``): event timing and symmetry that the events do not support;
- heel rise (video only, where contacts come from the foot's speed over the ground): feet that barely
  leave the floor slide into and out of contact, and their events can be off without any other sign;
- view (2-D only): how much shorter lengths read in an oblique view (``core.gait.view``);
- pan from the feet (video only): a moving camera's pan taken from the stance feet, the scenery being unusable;
- framing (video only): feet at the frame's bottom edge (``core.gait.framing``).
Events near a bout edge are counted in the evidence only (they are expected on every recording).

Each check bears on some of the reported quantities (QUANTITY_CHECKS): cadence, event timing (with
stance, swing and double support), symmetry, and lengths with speed. Each quantity gets its own grade from its checks by
the rule above (``Quality.trust``), with the reasons; symmetry is also low when its interval is wider
than SI_INTERVAL_WIDTH_PCT or the two methods' symmetry indices differ by more than twice
METHOD_SI_DIFF_PCT, and its timing-based indices are then withheld. The overall grade is that of the
cadence and event-timing checks together; checks that measure one thing two ways (SAME_EVIDENCE)
count once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.constants import SIDES
from core.gait.framing import FEET_EDGE_SHARE
from core.gait.trust import timing_evidence
from core.types import GaitEvent

GRADES = ("high", "medium", "low")
# (doubtful, implausible) limits of each check.
PRESENCE_SHARE = (0.8, 0.5)
MIN_STRIDES = (4, 1)
REJECTED_EVENT_SHARE = (0.15, 0.3)
REJECTED_STRIDE_SHARE = (0.2, 0.4)
NON_ALTERNATING_HS = (0, 1)
SIDE_STRIDE_TIME_DIFF_PCT = (3.0, 6.0)
STEP_STRIDE_CADENCE_DIFF_PCT = (3.0, 6.0)
PERIODICITY_CADENCE_DIFF_PCT = (3.0, 6.0)
STRIDE_TIME_CV_PCT = (6.0, 12.0)
HS_COMPLETENESS = (0.8, 0.6)
METHOD_AGREEMENT = (0.75, 0.5)
METHOD_TOLERANCE_S = 0.06
# Walking step times vary by 2-4 % and stance by 1-2 points of the cycle (``core.gait.trust``).
STEP_TIME_IRREGULARITY_PCT = (6.0, 12.0)
STANCE_SPREAD_PCT = (5.0, 10.0)
# Event timing and symmetry are doubtful above this step-time SI difference between the methods
# (points), symmetry implausible above twice it; symmetry is also implausible when its 90 % interval
# is wider than SI_INTERVAL_WIDTH_PCT (points: +-5 around the index).
METHOD_SI_DIFF_PCT = 8.0
SI_INTERVAL_WIDTH_PCT = 10.0
# The lower heel's rise (% of leg length, ``core.gait.trust.heel_rise_pct``) below which video event timing
# is doubtful. Normal walks on video rise 23-34 % (synthetic phone-look sweeps and twins, the real Sports2D clip),
# antalgic and hemiparetic 15-25 %, shuffling 9-19 %, whose toe offs on sliding toes come 50-120 ms early
# (docs/gait_accuracy.md (h3)).
LOW_HEEL_RISE_PCT = 18.0
# The same on motion capture (``mocap_heel_rise_pct``): on real trials (docs/gait_accuracy.md (u)) the heels
# rise 21-26 % on treadmills and 13-20 % in Parkinson's walks timed within 4-18 ms; the shuffling Parkinson's
# trial (5.7 %) had its heel strikes 80-110 ms early.
SHUFFLING_HEEL_RISE_MOCAP_PCT = 10.0
# Lengths and speed are doubtful when the view shortens them by more than the first value (%, the 5 % the video
# benchmark holds step length to), implausible beyond the second (``core.gait.view.lengths_short_pct``).
VIEW_LENGTHS_SHORT_PCT = (5.0, 10.0)
# On video the camera's pan comes from the scenery; where the scenery is unusable it comes from the stance feet,
# whose MediaPipe landmarks read it 1-7 % fast (docs/gait_accuracy.md, Known weaknesses): lengths doubtful.
PAN_FROM_FEET_LENGTHS_PCT = 7
# Events closer than this to a bout's first or last frame are "edge events" (evidence only).
EDGE_S = 0.3


@dataclass(frozen=True)
class Quality:
    """grade: one of GRADES; reasons: one line per doubtful or implausible check; evidence: the
    measured values (None where a check could not be made)."""

    grade: str
    reasons: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    trust: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "reasons": list(self.reasons), "evidence": dict(self.evidence),
                "trust": {k: {"grade": v["grade"], "reasons": list(v["reasons"])} for k, v in self.trust.items()}}


def _level_low(value: float | None, limits: tuple[float, float]) -> int:
    """0/1/2 for a value that is bad when small (below limits[0] doubtful, below limits[1] implausible)."""
    if value is None or not np.isfinite(value):
        return 0
    return 2 if value < limits[1] else 1 if value < limits[0] else 0


def _level_high(value: float | None, limits: tuple[float, float]) -> int:
    """0/1/2 for a value that is bad when large (above limits[0] doubtful, above limits[1] implausible)."""
    if value is None or not np.isfinite(value):
        return 0
    return 2 if value > limits[1] else 1 if value > limits[0] else 0


def _in_bout(frame: int, bouts: list[tuple[int, int]]) -> int | None:
    for i, (start, end) in enumerate(bouts):
        if start <= frame < end:
            return i
    return None


def non_alternating_heel_strikes(events: list[GaitEvent], bouts: list[tuple[int, int]]) -> int:
    """Consecutive heel strikes of one bout on the same side (0 on alternating data)."""
    count = 0
    hs = [e for e in sorted(events, key=lambda e: e.time_s) if e.event == "heel_strike"]
    for a, b in zip(hs[:-1], hs[1:]):
        if a.side == b.side and _in_bout(a.frame, bouts) == _in_bout(b.frame, bouts):
            count += 1
    return count


def agreement_share(events: list[GaitEvent], other: list[GaitEvent], tolerance_s: float) -> float | None:
    """Share of ``events`` with an ``other`` event of the same side and type within ``tolerance_s``."""
    if not events:
        return None
    found = 0
    for e in events:
        times = [o.time_s for o in other if o.side == e.side and o.event == e.event]
        found += bool(times) and float(np.min(np.abs(np.asarray(times) - e.time_s))) <= tolerance_s
    return found / len(events)


def expected_heel_strikes(bouts: list[tuple[int, int]], time_s: np.ndarray, cadence_spm: float | None,
                          sides: int) -> float | None:
    """Heel strikes expected over the bouts at ``cadence_spm`` (both sides, or one side's half)."""
    if not cadence_spm or not bouts:
        return None
    duration_s = sum(float(time_s[min(end, len(time_s)) - 1] - time_s[start]) for start, end in bouts)
    return duration_s * cadence_spm / 60.0 * (sides / 2.0)


def edge_events(events: list[GaitEvent], bouts: list[tuple[int, int]], time_s: np.ndarray) -> int:
    """Events within EDGE_S of their bout's first or last sample."""
    count = 0
    for e in events:
        i = _in_bout(e.frame, bouts)
        if i is None:
            continue
        start, end = bouts[i]
        if e.time_s - time_s[start] < EDGE_S or time_s[min(end, len(time_s)) - 1] - e.time_s < EDGE_S:
            count += 1
    return count


def _mean(params: dict, side: str, key: str) -> float | None:
    entry = params.get(side, {}).get(key)
    return entry.get("mean") if entry else None


def _side_difference_pct(params: dict) -> float | None:
    left, right = _mean(params, "left", "stride_time_s"), _mean(params, "right", "stride_time_s")
    if left is None or right is None:
        return None
    return 100.0 * abs(left - right) / (0.5 * (left + right))


def _cadence_difference_pct(params: dict) -> float | None:
    """Cadence from steps, 120 / (mean left + mean right step), against the reported one (from
    strides; None without both)."""
    steps = [_mean(params, side, "step_time_s") for side in SIDES]
    reported = params.get("cadence_steps_per_min")
    if reported is None or any(s is None for s in steps) or any(
            params.get(side, {}).get("n_strides_used", 0) == 0 for side in SIDES):
        return None
    from_steps = 120.0 / float(sum(steps))
    return 100.0 * abs(from_steps - reported) / reported


def _max_cv(params: dict) -> float | None:
    blocks = [params.get(side, {}).get("stride_time_s") for side in SIDES]
    values = [b.get("cv_pct") for b in blocks if b]
    values = [v for v in values if v is not None]
    return max(values) if values else None


Check = tuple[str, int, str]  # (name, level, reason)

# The checks behind each reported quantity's grade; the overall grade uses cadence and event timing.
_BASE = ("presence", "strides", "alternation")
QUANTITY_CHECKS: dict[str, tuple[str, ...]] = {
    "cadence": (*_BASE, "rejected_events", "rejected_strides", "sides", "step_stride_cadence",
                "periodicity", "completeness"),
    "event_timing": (*_BASE, "methods", "regularity", "step_irregularity", "stance_spread", "method_si",
                     "heel_rise", "framing"),
    "symmetry": (*_BASE, "methods", "regularity", "step_irregularity", "stance_spread", "si_interval",
                 "method_si_symmetry"),
    "lengths": (*_BASE, "view", "pan_from_feet", "framing"),
}
# How each quantity of QUANTITY_CHECKS is named to a reader (console, report.html).
QUANTITY_LABELS = {"cadence": "cadence", "event_timing": "event timing (stance, swing, double support)",
                   "symmetry": "symmetry", "lengths": "lengths and speed"}


def _checks(ev: dict[str, Any]) -> list[Check]:
    """(name, level, reason) per check that could be made; reasons say what was measured."""
    def f(key: str, spec: str = ".0f") -> str:
        return format(ev[key], spec)

    out = [
        ("presence", _level_low(ev["presence_share"], PRESENCE_SHARE),
         f"person found in only {100 * (ev['presence_share'] or 0):.0f} % of the frames while in view"),
        ("strides", _level_low(ev["n_strides_used"], MIN_STRIDES),
         f"only {ev['n_strides_used']} complete stride(s) accepted"),
        ("rejected_events", _level_high(ev["rejected_event_share"], REJECTED_EVENT_SHARE),
         f"{100 * (ev['rejected_event_share'] or 0):.0f} % of event candidates rejected as inconsistent"),
        ("rejected_strides", _level_high(ev["rejected_stride_share"], REJECTED_STRIDE_SHARE),
         f"{100 * (ev['rejected_stride_share'] or 0):.0f} % of strides rejected as inconsistent"),
        ("alternation", _level_high(ev["non_alternating_heel_strikes"], NON_ALTERNATING_HS),
         f"{ev['non_alternating_heel_strikes']} heel strike(s) follow one on the same leg (a step on the wrong side?)"),
    ]
    def method_si() -> str:
        return (f"the two event methods' step-time symmetry differs by {f('method_step_time_si_diff_pct', '.1f')} "
                "points (one leg's events carry a timing bias)")

    optional = [
        ("sides", "side_stride_time_diff_pct", _level_high, SIDE_STRIDE_TIME_DIFF_PCT,
         lambda: f"left and right stride times differ by {f('side_stride_time_diff_pct', '.1f')} %"),
        ("step_stride_cadence", "step_stride_cadence_diff_pct", _level_high, STEP_STRIDE_CADENCE_DIFF_PCT,
         lambda: f"cadence from steps and from strides differ by {f('step_stride_cadence_diff_pct', '.1f')} %"),
        ("periodicity", "cadence_periodicity_diff_pct", _level_high, PERIODICITY_CADENCE_DIFF_PCT,
         lambda: f"cadence from events and from the legs' periodicity differ by "
                 f"{f('cadence_periodicity_diff_pct', '.1f')} % (the periodicity one is reported)"),
        ("regularity", "stride_time_cv_pct", _level_high, STRIDE_TIME_CV_PCT,
         lambda: f"irregular stride times (CV {f('stride_time_cv_pct', '.1f')} %)"),
        ("completeness", "heel_strike_completeness", _level_low, HS_COMPLETENESS,
         lambda: f"{ev['n_heel_strikes']} heel strikes found where the cadence implies "
                 f"{ev['expected_heel_strikes']:.0f}"),
        ("methods", "method_agreement", _level_low, METHOD_AGREEMENT,
         lambda: f"only {100 * ev['method_agreement']:.0f} % of events confirmed by foot velocity over ground "
                 f"(within {1000 * METHOD_TOLERANCE_S:.0f} ms)"),
        ("step_irregularity", "step_time_irregularity_pct", _level_high, STEP_TIME_IRREGULARITY_PCT,
         lambda: f"step times scatter by {f('step_time_irregularity_pct', '.1f')} % (walking: 2-4 %): "
                 "heel strikes off by tens of ms"),
        ("stance_spread", "stance_spread_pct", _level_high, STANCE_SPREAD_PCT,
         lambda: f"stance scatters by {f('stance_spread_pct', '.1f')} points of the cycle (walking: 1-2): "
                 "toe offs or heel strikes mistimed"),
        ("method_si", "method_step_time_si_diff_pct", _level_high, (METHOD_SI_DIFF_PCT, np.inf), method_si),
        ("heel_rise", "heel_rise_pct", _level_low, (LOW_HEEL_RISE_PCT, -np.inf),
         lambda: f"the heels rise only {f('heel_rise_pct', '.0f')} % of leg length (normal walking: 23-34 %): "
                 "contacts of sliding feet are timed less exactly"),
        ("heel_rise", "mocap_heel_rise_pct", _level_low, (SHUFFLING_HEEL_RISE_MOCAP_PCT, -np.inf),
         lambda: f"the heels rise only {f('mocap_heel_rise_pct', '.0f')} % of leg length (walking with a heel lift: "
                 "13-26 %): heel strikes of shuffling feet may be tens of ms off"),
        ("si_interval", "step_time_si_interval_width_pct", _level_high, (SI_INTERVAL_WIDTH_PCT,) * 2,
         lambda: f"step-time symmetry only known within a {f('step_time_si_interval_width_pct', '.0f')}-point "
                 "interval (too few or too irregular steps)"),
        ("method_si_symmetry", "method_step_time_si_diff_pct", _level_high,
         (METHOD_SI_DIFF_PCT, 2 * METHOD_SI_DIFF_PCT), method_si),
        ("view", "view_lengths_short_pct", _level_high, VIEW_LENGTHS_SHORT_PCT,
         lambda: f"oblique view: lengths and speed read about {f('view_lengths_short_pct')} % short"),
        ("framing", "feet_at_edge_share", _level_high, (FEET_EDGE_SHARE, np.inf),
         lambda: f"feet at the frame's bottom edge in {100 * ev['feet_at_edge_share']:.0f} % of their samples: the pose "
                 "model guesses them there"),
        ("pan_from_feet", "pan_from_stance_feet", _level_high, (0.5, np.inf),
         lambda: "the camera's pan came from the stance feet (no usable scenery): lengths and speed may read up to "
                 f"{PAN_FROM_FEET_LENGTHS_PCT} % long"),
    ]
    for name, key, level, limits, reason in optional:
        if ev[key] is not None:
            out.append((name, level(ev[key], limits), reason()))
    return out


# Checks that measure one thing two ways count once (their larger level) towards the grade.
SAME_EVIDENCE = {"step_irregularity": "regularity", "method_si": "methods"}


def _combined(checks: list[Check]) -> tuple[str, list[str]]:
    """Low with an implausible or two doubtful checks, medium with one doubtful, else high; the reasons
    of the checks above 0 (each once)."""
    by_evidence: dict[str, int] = {}
    for name, level, _ in checks:
        key = SAME_EVIDENCE.get(name, name)
        by_evidence[key] = max(level, by_evidence.get(key, 0))
    levels = list(by_evidence.values())
    grade = "low" if levels and (max(levels) >= 2 or levels.count(1) >= 2) else "medium" if 1 in levels else "high"
    return grade, list(dict.fromkeys(reason for _, level, reason in checks if level > 0))


def _trust(checks: list[Check]) -> dict[str, dict[str, Any]]:
    """Per quantity of QUANTITY_CHECKS: its grade and reasons."""
    out = {}
    for quantity, names in QUANTITY_CHECKS.items():
        grade, reasons = _combined([c for c in checks if c[0] in names])
        out[quantity] = {"grade": grade, "reasons": reasons}
    return out


def grade_analysis(
    events: list[GaitEvent], n_rejected_events: int, params: dict, bouts: list[tuple[int, int]], time_s: np.ndarray,
    presence_share: float | None = None, confirming_events: list[GaitEvent] | None = None,
    compared_events: list[GaitEvent] | None = None, heel_rise_pct: float | None = None,
    mocap_heel_rise_pct: float | None = None, view_lengths_short_pct: float | None = None,
    pan_from_stance_feet: bool | None = None, feet_at_edge_share: float | None = None,
) -> Quality:
    """The confidence grade of one analysis, overall and per quantity (``Quality.trust``).

    events: accepted events; n_rejected_events: rejected candidates; params: the
    ``spatiotemporal_parameters`` block; bouts: [start, end) frames; time_s: (T,) s;
    presence_share: share of frames with a person (None: not known); confirming_events: the events
    of an independent method (None: not checked), compared with ``compared_events`` (default
    ``events``: the same events timed by the same definitions as the independent method);
    heel_rise_pct: ``core.gait.trust.heel_rise_pct`` where contacts come from foot speed (video), else None;
    mocap_heel_rise_pct: the same for motion capture (metric data), else None;
    view_lengths_short_pct: how much shorter (%) the camera's view makes lengths (``core.gait.view``; None for 3-D);
    pan_from_stance_feet: on video, whether a moving camera's pan came from the stance feet (None: not video);
    feet_at_edge_share: the larger share of heel or toe samples at the frame's bottom edge (``core.gait.framing``;
    None: not known).
    """
    sides = sum(1 for side in SIDES if any(e.side == side for e in events))
    n_hs = sum(1 for e in events if e.event == "heel_strike")
    expected = expected_heel_strikes(bouts, time_s, params.get("cadence_steps_per_min"), sides)
    n_strides = params.get("n_strides_used", 0)
    n_stride_rejected = params.get("n_strides_rejected", 0)
    ev: dict[str, Any] = {
        "presence_share": presence_share,
        "n_events": len(events),
        "n_strides_used": n_strides,
        "rejected_event_share": n_rejected_events / (len(events) + n_rejected_events) if events else None,
        "rejected_stride_share": (n_stride_rejected / (n_strides + n_stride_rejected)
                                  if n_strides + n_stride_rejected else None),
        "non_alternating_heel_strikes": non_alternating_heel_strikes(events, bouts) if sides == 2 else 0,
        "side_stride_time_diff_pct": _side_difference_pct(params),
        "step_stride_cadence_diff_pct": _cadence_difference_pct(params),
        "cadence_periodicity_diff_pct": (params.get("cadence") or {}).get("difference_pct"),
        "stride_time_cv_pct": _max_cv(params),
        "n_heel_strikes": n_hs,
        "expected_heel_strikes": expected,
        "heel_strike_completeness": min(1.0, n_hs / expected) if expected else None,
        "method_agreement": (agreement_share(compared_events or events, confirming_events, METHOD_TOLERANCE_S)
                             if confirming_events is not None else None),
        "n_edge_events": edge_events(events, bouts, time_s),
        **timing_evidence(events, bouts, confirming_events),
        "heel_rise_pct": heel_rise_pct,
        "mocap_heel_rise_pct": mocap_heel_rise_pct,
        "view_lengths_short_pct": view_lengths_short_pct,
        "pan_from_stance_feet": None if pan_from_stance_feet is None else int(pan_from_stance_feet),
        "feet_at_edge_share": feet_at_edge_share,
    }
    checks = _checks(ev)
    trust = _trust(checks)
    overall = set(QUANTITY_CHECKS["cadence"]) | set(QUANTITY_CHECKS["event_timing"])
    grade, reasons = _combined([c for c in checks if c[0] in overall])
    ev = {k: (_rounded(v) if isinstance(v, (float, np.floating, list)) else v) for k, v in ev.items()}
    return Quality(grade, reasons, ev, trust)


def _rounded(value: float | list[float]) -> float | list[float]:
    return [round(float(v), 4) for v in value] if isinstance(value, list) else round(float(value), 4)


# Variability (SD, CV) needs at least MIN_VARIABILITY_VALUES values; a symmetry index needs at least
# MIN_SYMMETRY_VALUES clean values (``core.gait.symmetry``: outliers left out) on each side, and at
# least MIN_SYMMETRY_STRIDES accepted strides per side (fewer give numbers that are mostly noise).
MIN_VARIABILITY_VALUES = 3
MIN_SYMMETRY_VALUES = 3
MIN_SYMMETRY_STRIDES = 2


def _withhold_variability(params: dict, reason: str | None) -> list[str]:
    """Set ``sd``/``cv_pct`` to None in the per-side stats blocks with fewer than
    MIN_VARIABILITY_VALUES values (in all of them with ``reason``); returns the entries withheld."""
    withheld = []
    for side in SIDES:
        for key, entry in params.get(side, {}).items():
            if isinstance(entry, dict) and entry.get("cv_pct") is not None:
                if reason is not None or entry["n"] < MIN_VARIABILITY_VALUES:
                    entry["sd"], entry["cv_pct"] = None, None
                    withheld.append(f"{side}_{key}")
    return withheld


def supported_only(params: dict, quality: Quality) -> dict:
    """``params`` (the ``spatiotemporal_parameters`` block) with symmetry and variability set to
    None, with a reason, where too few accepted strides support them or the grade is low; the
    timing-based symmetry also where the symmetry grade is low. The step-time entry gets its 90 %
    interval (``si_interval_pct``, signed left - right; None where not measured)."""
    out = {k: ({kk: (dict(vv) if isinstance(vv, dict) else vv) for kk, vv in v.items()}
               if k in SIDES else v) for k, v in params.items()}
    low = "confidence low: " + "; ".join(quality.reasons) if quality.grade == "low" else None
    withheld = _withhold_variability(out, low)
    out["variability_withheld"] = ({"entries": withheld, "reason": low or f"fewer than {MIN_VARIABILITY_VALUES} values"}
                                   if withheld else None)
    counts = [out.get(side, {}).get("n_strides_used", 0) for side in SIDES]
    reason = low
    if reason is None and min(counts) < MIN_SYMMETRY_STRIDES:
        reason = f"needs {MIN_SYMMETRY_STRIDES} accepted strides per side (left {counts[0]}, right {counts[1]})"
    if "symmetry" in out:
        timing = _symmetry_trust_reason(quality)
        out["symmetry"] = {k: _supported_symmetry(entry, reason or (timing if k in TIMED_SYMMETRY_KEYS else None))
                           for k, entry in out["symmetry"].items()}
        if "step_time_s" in out["symmetry"]:
            out["symmetry"]["step_time_s"]["si_interval_pct"] = quality.evidence.get("step_time_si_interval_pct")
    return out


# Symmetry indices built on event timing (withheld when the symmetry grade is low); stride time and
# step length do not depend on a leg's timing bias.
TIMED_SYMMETRY_KEYS = ("step_time_s", "stance_pct", "swing_pct")


def _symmetry_trust_reason(quality: Quality) -> str | None:
    """Why the timing-based symmetry is not supported (None when its grade is not low)."""
    trust = quality.trust.get("symmetry")
    if not trust or trust["grade"] != "low":
        return None
    return "symmetry not supported by the events: " + "; ".join(trust["reasons"])


def _supported_symmetry(entry: dict, reason: str | None) -> dict:
    """``entry`` of the symmetry block, or None values with the reason: ``reason``, or fewer than
    MIN_SYMMETRY_VALUES clean values on a side (``n_left``/``n_right``, where counted)."""
    n = [entry.get("n_left"), entry.get("n_right")]
    if reason is None and None not in n and min(n) < MIN_SYMMETRY_VALUES:
        reason = f"needs {MIN_SYMMETRY_VALUES} clean values per side (left {n[0]}, right {n[1]})"
    if reason is None:
        return dict(entry)
    return {**entry, "si_pct": None, "ratio_left_right": None, "reason": reason}
