"""Where the walk was not seen: stretches without a pose, or with one heel hidden (pure numpy).

After preprocessing, a landmark is NaN where it was missing, below the visibility mask or an
outlier for longer than the gap filler bridges. No event can be found there, so the analysis names
those frames instead of leaving the user to wonder where a stride went (phone-look sweep seed
1339713944: a pole or a bush in front of the walker hid a heel for 1-1.5 s, or the pose model lost
the walker for 0.3-1.3 s, and those events were simply absent from the output).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import SIDES
from core.gait.direction import foot_points, pelvis_position
from core.runs import true_runs

# Shorter holes are not named: a gap filler bridges up to 200 ms, and a walker entering the first
# frames or leaving in the last few loses no stride.
MIN_LOST_S = 0.25
# At most this many stretches are named per kind; the rest are counted.
MAX_NAMED = 4


@dataclass(frozen=True)
class LostStretch:
    """Frames ``[start, end)`` where ``what`` ("pose", "left heel" or "right heel") is missing."""

    what: str
    start: int
    end: int


def lost_stretches(positions: np.ndarray, rate_hz: float, min_s: float = MIN_LOST_S) -> list[LostStretch]:
    """Stretches of at least ``min_s`` seconds of ``positions`` (T, 33, 3), preprocessed, where no pose
    is seen (no hip), or the pose is seen but a heel (or the ankle standing in for it) is not. Sides
    never seen at all are left out (one-sided data is reported elsewhere)."""
    if len(positions) == 0 or not np.isfinite(rate_hz):
        return []
    min_frames = int(np.ceil(min_s * rate_hz))
    posed = np.isfinite(pelvis_position(positions)).all(axis=1)
    out = [LostStretch("pose", s, e) for s, e in true_runs(~posed) if e - s >= min_frames]
    for side in SIDES:
        heel = np.isfinite(foot_points(positions, side)[0]).all(axis=1)
        if not heel.any():
            continue
        hidden = posed & ~heel
        out += [LostStretch(f"{side} heel", s, e) for s, e in true_runs(hidden) if e - s >= min_frames]
    return out


def lost_notes(stretches: list[LostStretch], rate_hz: float) -> list[str]:
    """One note per kind of stretch, naming its frames (first to last, inclusive) and durations."""
    notes = []
    for what in ("pose", *(f"{side} heel" for side in SIDES)):
        mine = [s for s in stretches if s.what == what]
        if not mine:
            continue
        spans = ", ".join(f"{s.start}-{s.end - 1} ({(s.end - s.start) / rate_hz:.2f} s)" for s in mine[:MAX_NAMED])
        more = f" and {len(mine) - MAX_NAMED} more stretch(es)" if len(mine) > MAX_NAMED else ""
        if what == "pose":
            notes.append(f"walker not seen (no pose) in frames {spans}{more}: out of view, hidden or not "
                         "detected; no event there")
        else:
            side = what.split()[0]
            notes.append(f"{what} hidden in frames {spans}{more}: visibility below the mask or outliers; "
                         f"no {side} event there")
    return notes
