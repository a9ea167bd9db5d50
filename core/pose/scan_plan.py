"""Where the person finder looks: a coarse pass, then the scans between wherever it is unsure (pure numpy).

The scan grid has one scan every ``every`` video frames (the profile's ``pose.scan_every_s``). The
coarse pass scans every ``COARSE_STEP``-th grid scan; on phone video (a keyframe every second) those
frames start a keyframe interval and decode almost alone. Its tracks (``COARSE_TRACKER``) then say
where the grid scans in between are needed (``refine_frames``): at both ends of the video (people
enter, bouts end), where a track starts, ends or a box is left over (someone new, a missed box), and
where two people are near each other (a crossing or an occlusion may fall between two coarse scans).
Where every track is alive on both sides, alone and far from the others, the walker's crop is
interpolated over the longer interval. The final tracks are made from all scans together.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core.pose.tracking import Track, TrackerConfig

COARSE_STEP = 2  # grid scans per coarse scan, when the coarse pass is asked for
# Off by default (``core.pose.follow.scan_video`` scans every grid frame): on the walker benchmark at seeds
# 84000 and 85000 the coarse pass kept the walker in every case but lowered event F1 (docs/walker.md).
DEFAULT_STEP = 1
# Two walkers walking at each other close by about 1.6 box heights per second (box about 1.3 body heights,
# 1.4 m/s each); a crossing between two coarse scans (two grid intervals) needs them nearer than this.
NEAR_BOX_HEIGHTS = 2.0
# Coarse sightings are up to two coarse intervals apart (a tile size that alone sees a small person is
# used at every other coarse scan): a track with no velocity yet moves up to ~1.5 box heights by then.
COARSE_TRACKER = TrackerConfig(max_jump_sizes=1.5, min_scans=2)


def tile_level(frame: int, every: int, n_levels: int, step: int = COARSE_STEP) -> int:
    """Tile size index (of ``n_levels``) for the grid scan at video ``frame`` when every ``step``-th grid
    scan is a coarse one: consecutive coarse scans alternate, and a scan between two coarse ones uses
    the size its predecessor did not (``step`` 1: consecutive scans alternate)."""
    k = frame // max(1, every)
    if step <= 1:
        return k % max(1, n_levels)
    return (k // step + k % step) % max(1, n_levels)


def refine_frames(coarse_frames: Sequence[int], boxes: Sequence[np.ndarray], tracks: list[Track], every: int,
                  near_heights: float = NEAR_BOX_HEIGHTS) -> list[int]:
    """Grid frames (``every`` video frames apart) to scan between and after the coarse scans.

    ``coarse_frames`` (m,) video frames of the coarse scans, ``boxes`` each scan's boxes (n_i, 4) px,
    ``tracks`` the coarse pass's tracks over them. Each interval between two consecutive coarse scans
    gets its grid scans unless it is quiet (``_quiet``); the interval after the last coarse scan always
    does (frames past the video's end are skipped when read)."""
    frames = [int(f) for f in coarse_frames]
    out: list[int] = []
    for i, f in enumerate(frames):
        stop = frames[i + 1] if i + 1 < len(frames) else f + COARSE_STEP * every
        ends = i == 0 or i + 2 >= len(frames)
        if ends or not _quiet(f, stop, len(boxes[i]), len(boxes[i + 1]), tracks, near_heights):
            out += list(range(f + every, stop, every))
    return out


def _quiet(a: int, b: int, n_boxes_a: int, n_boxes_b: int, tracks: list[Track], near_heights: float) -> bool:
    """No track starts or ends between frames ``a`` and ``b`` (both coarse scans), every box there is a
    track's, and no two tracks' centres come nearer than ``near_heights`` of the larger box height."""
    alive = [t for t in tracks if t.frames[0] <= a and t.frames[-1] >= b]
    if any(t.frames[0] > a and t.frames[0] <= b or t.frames[-1] >= a and t.frames[-1] < b for t in tracks):
        return False  # someone appears or leaves in between
    seen_a = sum(a in t.frames for t in alive)
    seen_b = sum(b in t.frames for t in alive)
    if n_boxes_a > seen_a or n_boxes_b > seen_b:
        return False  # a box no track explains
    for f in (a, b):
        centres = np.array([t.centres_at([f])[0] for t in alive]).reshape(-1, 2)
        sizes = np.array([t.size_px() for t in alive])
        for i in range(len(alive)):
            for j in range(i + 1, len(alive)):
                if np.linalg.norm(centres[i] - centres[j]) < near_heights * max(sizes[i], sizes[j]):
                    return False
    return True



def keyframe_cuts(cuts: Sequence[int], period: int, gap: int, keyframes: Sequence[int], max_shift: int) -> list[int]:
    """The scan's part boundaries (video frames on the grid ``k * period``, ascending, interior ones) each
    moved by at most ``max_shift`` grid steps to the nearest grid frame whose keyframe interval starts after
    the previous part's last wanted frame (the scan before it plus its pair ``gap`` frames later): then no
    keyframe interval is decoded by both parts (``core.pose.frame_select``). A cut stays where no such grid
    frame is near it; a cut moves no further than its neighbours' places, so the cuts stay ascending."""
    keys = np.asarray(sorted(keyframes), dtype=int)
    out: list[int] = []
    for i, c in enumerate(cuts):
        lo = out[-1] if out else 0
        hi = cuts[i + 1] if i + 1 < len(cuts) else None
        best = c
        for shift in sorted(range(-max_shift, max_shift + 1), key=abs):
            g = c + shift * period
            if g <= lo or (hi is not None and g >= hi):
                continue
            if np.any((keys > g - period + gap) & (keys <= g)):
                best = g
                break
        out.append(best)
    return out
