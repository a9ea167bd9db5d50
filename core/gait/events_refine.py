"""Contact timing on metric (motion-capture) data: a Zeni candidate moved within the near-extremum
region of Zeni's signal to the heel's landing (HS) or the toe's launch (TO); see ``core.gait.events``."""

from __future__ import annotations

import numpy as np

from core.gait.events_candidates import crossings, parabolic_peak

# Refinement searches the near-extremum region of Zeni's signal: samples within REGION_FRACTION of
# the signal's range of the extremum (a flat extremum is an uncertain one), at most REGION_MAX_S away.
REGION_FRACTION = 0.1
REGION_MAX_S = 0.25
# A heel more than HEEL_AIRBORNE_LEG leg lengths (~13 mm) above its lowest height of the next
# REGION_MAX_S at Zeni's HS has not landed yet (flat or gliding landing; pose landmarks that keep
# sinking after contact): HS is then where, within the near-extremum region, the heel stops over the
# ground (its forward speed over ground falls through FOOT_SPEED_FRACTION of the walking speed). A
# heel already down at Zeni's time keeps Zeni: the PD trial's gliding left heel is ~6 mm up at
# contact, ~5 mm at Zeni's time, and slows only 75 ms later; 1% of leg length let 1.5 px of noise
# (~3 mm) trip it (table (b) of docs/gait_accuracy.md), 2% lost most of the gain on shuffling
# heels (~1.5% up at Zeni's time).
HEEL_AIRBORNE_LEG = 0.015
# The toe's launch is only trusted when the toe then rises by 2% of leg length (~2 cm) within
# TOE_LIFT_S. Shuffling feet barely lift; then the toe's speed over ground decides: toe off when
# the toe speeds up through half the walking speed.
MIN_TOE_LIFT_LEG = 0.02
TOE_LIFT_S = 0.15
FOOT_SPEED_FRACTION = 0.5
# Heel strike at the heel's impact (metric data, heights low-passed at preprocessing.IMPACT_CUTOFF_HZ):
# the landing is the heel's lowest point from LANDING_BEFORE_S before Zeni's HS to LANDING_AFTER_S after
# it (Zeni is up to ~90 ms early on slow treadmill walking), reached by a descent of HEEL_AIRBORNE_LEG
# within DESCENT_S. The floor stops a falling heel: contact is the last peak of the heel's downward
# speed before the landing (where the heel first comes within REST_BAND of its lowest height) that
# reaches IMPACT_FRACTION of the descent's fastest, when the heel then stops (STOP_FRACTION of that
# speed) within IMPACT_MAX_S (an impact). On two real treadmill trials the heel stops 20-33 ms after
# its impact speed (71 of 72 landings; the heel pad and sole compress after the force plate's onset);
# the synthetic walker's heels, which stop at contact, slow over 30-105 ms (24 of 26 over 40 ms). A heel
# that slows smoothly onto the floor (no such peak) keeps ``refine_heel_strike``: its lowest point on
# the 20 Hz heights was 5 ms earlier than on the 6 Hz ones on the shared PD trial's right heel (MAE
# 17.7 -> 19.0 ms), with nothing gained elsewhere.
LANDING_BEFORE_S = 0.1
LANDING_AFTER_S = 0.2
DESCENT_S = 0.1
IMPACT_FRACTION = 0.5
IMPACT_MAX_S = 0.035
REST_BAND = 0.05  # the heel is on the floor within this fraction of min_descent (~0.7 mm) of its lowest
STOP_FRACTION = 0.2  # a heel has stopped when it descends at less than this fraction of its impact speed


def heel_stop(heel_speed: np.ndarray, start: int, stop: int, walking_speed: float) -> float | None:
    """First time in [start, stop] that the heel's forward speed over ground ``heel_speed`` (T,)
    falls through FOOT_SPEED_FRACTION of ``walking_speed`` (same units; sub-frame); None if never."""
    found = crossings(heel_speed[start:stop + 1], FOOT_SPEED_FRACTION * walking_speed, rising=False)
    return float(start + found[0]) if len(found) else None


def refine_heel_strike(index: float, heel_height: np.ndarray, region: tuple[int, int],
                       heel_speed: np.ndarray | None = None, walking_speed: float = 0.0,
                       landing_samples: int = 0, airborne: float = 0.0) -> float:
    """The end of the heel's descent: its lowest point strictly inside ``region`` (sub-frame parabola).

    When that lowest point is at an edge and the heel at ``index`` is still more than ``airborne``
    (height units) above its lowest height within ``landing_samples`` after ``index``, the heel
    lands later: ``heel_stop`` within ``region``. Otherwise (or without a stop there) ``index``.
    """
    lo, hi = region
    low = lo + int(np.argmin(heel_height[lo:hi + 1]))
    if lo < low < hi:
        return parabolic_peak(-heel_height, low)
    if heel_speed is None or landing_samples <= 0:
        return index
    i = int(np.clip(round(index), 0, len(heel_height) - 1))
    stop = min(len(heel_height) - 1, i + landing_samples)
    if not heel_height[i] - np.min(heel_height[i:stop + 1]) > airborne:
        return index
    found = heel_stop(heel_speed, lo, hi, walking_speed)
    return index if found is None else found


def heel_impact(index: float, heel_height: np.ndarray, rate_hz: float, min_descent: float) -> float | None:
    """Heel strike (sub-frame index) at the heel's impact near Zeni's HS ``index``, from a lightly
    filtered heel height (T,) (see LANDING_BEFORE_S and the constants after it); None when the heel
    does not descend by ``min_descent`` (height units) within DESCENT_S onto the floor, reached inside
    the window (a gliding or shuffling landing, or NaN heights), or slows onto the floor without an
    impact: the caller then keeps ``refine_heel_strike``."""
    n = len(heel_height)
    lo = max(1, int(np.floor(index - LANDING_BEFORE_S * rate_hz)))
    hi = min(n - 2, int(np.ceil(index + LANDING_AFTER_S * rate_hz)))
    window = heel_height[lo:hi + 1]
    if hi - lo < 3 or not np.isfinite(window).all():
        return None
    low = lo + int(np.argmax(window <= window.min() + REST_BAND * min_descent))  # first on the floor
    back = max(0, low - int(round(DESCENT_S * rate_hz)))
    before = heel_height[back:low + 1]
    if not lo < low < hi or not np.isfinite(before).all() or before.max() - heel_height[low] < min_descent:
        return None
    stop = int(np.ceil(IMPACT_MAX_S * rate_hz))
    speed = np.gradient(heel_height[back:min(n, low + stop + 2)])  # height change per sample; descent < 0
    if not np.isfinite(speed).all():
        return None
    fastest = speed[:low - back + 1].min()
    peaks = [i for i in range(1, low - back)
             if speed[i] <= speed[i - 1] and speed[i] <= speed[i + 1] and speed[i] <= IMPACT_FRACTION * fastest]
    if not peaks or not np.any(speed[peaks[-1]:peaks[-1] + stop + 1] >= STOP_FRACTION * speed[peaks[-1]]):
        return None  # no descent, or a heel that takes longer than IMPACT_MAX_S to stop
    return back + parabolic_peak(-speed, peaks[-1])


def toe_launch(toe_height: np.ndarray, region: tuple[int, int], min_lift: float, lift_samples: int) -> float | None:
    """The toe's launch in ``region`` (sub-frame index): its height's (T,) peak upward acceleration, when the
    toe then rises by ``min_lift`` (height units) within ``lift_samples``; None for a toe that barely lifts."""
    lo, hi = region
    accel = np.gradient(np.gradient(toe_height))
    launch = lo + int(np.argmax(accel[lo:hi + 1]))
    rise = np.max(toe_height[launch:launch + lift_samples + 1]) - np.min(toe_height[lo:hi + 1])
    return parabolic_peak(accel, launch) if rise >= min_lift else None


def refine_toe_off(
    index: float, toe_height: np.ndarray, toe_speed: np.ndarray, walking_speed: float, min_lift: float,
    region: tuple[int, int], lift_samples: int, fuse_zeni: bool = False,
) -> float:
    """Toe off in ``region`` around Zeni's TO ``index``: the toe's launch (``toe_launch``) when the toe then
    rises by ``min_lift`` within ``lift_samples``; otherwise the last time before ``index`` that the toe's
    forward speed over ground (``toe_speed``) rose through FOOT_SPEED_FRACTION of ``walking_speed``.

    ``fuse_zeni`` (metric data): a launch is replaced by the midpoint of the launch and ``index``. On a rigid
    foot tip the launch (the forefoot starts to roll up) comes before the plate unloads, and Zeni's extremum
    (the tip as fast as the pelvis) after it: against force-plate toe offs the launch was early on 5 of 6
    treadmill sides and Zeni late on all 6 (docs/gait_accuracy.md, sections (w) and (aa)). The two bracket
    the unloading; equal weights, as nothing says which is nearer, so no constant is fitted.
    """
    launch = toe_launch(toe_height, region, min_lift, lift_samples)
    if launch is not None:
        return 0.5 * (launch + index) if fuse_zeni else launch
    lo, hi = region
    found = lo + crossings(toe_speed[lo:hi + 1], FOOT_SPEED_FRACTION * walking_speed, rising=True)
    found = found[found <= index]
    return float(found[-1]) if len(found) else index
