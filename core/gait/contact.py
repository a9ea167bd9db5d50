"""Contact timing from the feet's speed over the ground, for pose-model (video) landmarks.

A pose model's foot heights are its least reliable output: the heel settles on the floor frames
after visible contact and the toe floats above the heel on a flat foot (issue 12), so the end of
the heel's descent and the toe's launch (``core.gait.events``) come late and scatter on video.
A foot's speed over the ground needs only its forward position, which a pose model tracks far
better: at heel strike the heel's forward speed over ground falls to rest, at toe off the toe's
rises from rest. Both are taken where the speed crosses ``fraction`` of the walking speed, near
Zeni's candidate (heel strike: from half a search window before it to a whole one after, the first
fall; toe off: from a whole window before it to a third of one after, the last rise).

A pose model's toe point, though, creeps forward while the heel rises (it follows the foot's
image, which moves as the foot rolls over the toe): on shuffling gait its speed crosses the toe
level 3-5 frames before toe off. The heel's forward speed rises only as the foot leaves the floor,
so toe off is never taken before the heel also moves at ``heel_level`` (``toe_off_over_ground``).

Measured on MediaPipe landmarks of synthetic videos with known truth (docs/gait_accuracy.md,
table (g)): this is the timing used for pixel data. ``heel_touchdown`` gives the alternative
``--heel-strike touchdown``: where the heel was first on the floor before it came to rest. On a
real phone clip of a walker on grass that matches visual contact (the foot still slides 3-5 frames
after it), but on the force-plate trial as pixels it is 115-145 ms early (docs/gait_accuracy.md,
section (q)). Motion capture keeps the height criteria, which are more exact on clean marker data
(tables (a), (b)).
"""

from __future__ import annotations

import numpy as np


def _crossings(y: np.ndarray, level: float, rising: bool) -> np.ndarray:
    """Sub-sample positions where y (T,) crosses ``level`` upwards (``rising``) or downwards."""
    s = y - level if rising else level - y
    i = np.flatnonzero((s[:-1] < 0) & (s[1:] >= 0))
    return i + (-s[i]) / (s[i + 1] - s[i])


def heel_rest(index: float, heel_speed: np.ndarray, level: float, window: int) -> float | None:
    """First time the heel's forward speed over ground ``heel_speed`` (T,) falls through ``level``
    (same units) within [index - window / 2, index + window] samples; None if it never does."""
    i = int(round(index))
    lo, hi = max(0, i - window // 2), min(len(heel_speed) - 1, i + window)
    if hi <= lo:
        return None
    found = _crossings(heel_speed[lo:hi + 1], level, rising=False)
    return float(lo + found[0]) if len(found) else None


def toe_launch_over_ground(index: float, toe_speed: np.ndarray, level: float, window: int) -> float | None:
    """Last time the toe's forward speed over ground ``toe_speed`` (T,) rises through ``level``
    within [index - window, index + window / 3] samples; None if it never does."""
    i = int(round(index))
    lo, hi = max(0, i - window), min(len(toe_speed) - 1, i + window // 3)
    if hi <= lo:
        return None
    found = _crossings(toe_speed[lo:hi + 1], level, rising=True)
    return float(lo + found[-1]) if len(found) else None


def toe_off_over_ground(index: float, toe_speed: np.ndarray, heel_speed: np.ndarray, toe_level: float,
                        heel_level: float, window: int) -> float | None:
    """Toe off (sub-sample index): the later of the toe's launch through ``toe_level`` and the
    heel's through ``heel_level`` (``toe_launch_over_ground`` on each; speeds (T,) over ground,
    levels in the same units); the toe's alone when the heel never rises there; None without a toe launch."""
    toe = toe_launch_over_ground(index, toe_speed, toe_level, window)
    heel = toe_launch_over_ground(index, heel_speed, heel_level, window)
    if toe is None or heel is None:
        return toe
    return max(toe, heel)


def heel_touchdown(index: float, heel_height: np.ndarray, min_clearance: float, fraction: float,
                   look_back: int) -> float | None:
    """When the heel reached the floor before it came to rest at ``index`` (sub-sample): the last
    descent of its height ``heel_height`` (T, up positive) through ``fraction`` of its clearance
    above its height at ``index``, searched from the swing's highest point within ``look_back``
    samples before ``index``. None when the heel was never ``min_clearance`` (height units) above
    that level there (a shuffling heel) or ``index`` has no finite height."""
    i = int(np.clip(round(index), 0, len(heel_height) - 1))
    lo = max(0, i - look_back)
    window = heel_height[lo:i + 1]
    if not np.isfinite(heel_height[i]) or not np.isfinite(window).any():
        return None
    top = lo + int(np.nanargmax(window))
    clearance = heel_height[top] - heel_height[i]
    if not clearance >= min_clearance:
        return None
    found = _crossings(heel_height[top:i + 1], heel_height[i] + fraction * clearance, rising=False)
    return float(top + found[-1]) if len(found) else None
