"""One walker split into two interleaved tracks around an occluder or a turn (pure numpy).

While someone passes in front, the half-hidden walker's box can miss the tracker's gates (its look and
size change) and start a second track; the first track may take the walker again a scan or two later, and
at a turn or a stand, where the first track's velocity carries its prediction on past the walker, the
second takes the rest of the walk. The two pieces are never seen at the same scan and alternate over a
stretch of time; the walker choice then took the piece that walked further, and a walk there and back lost
a whole pass. Such pieces are joined here when their sightings, merged in time over the stretch where
they alternate, make one path that moves no faster than the tracker lets a track move. Two people
are seen at the same scans wherever both are in view, so they are not joined; one who leaves before the
other enters does not alternate with them (``core.pose.tracking._stitch`` decides on those).

Boxes are (x0, y0, x1, y1) in frame px; sizes are median box heights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.pose.tracking import Track


@dataclass(frozen=True)
class InterleaveConfig:
    """max_step_sizes: the largest move, in the smaller piece's box heights per scan interval, between
    consecutive sightings of the merged path (the tracker's ``max_jump_sizes``, 0.6, at a 0.5 s scan; a
    walker at 1.2 m/s moves about 0.3). max_size_ratio: the larger piece's size at most this many times the
    smaller's: the split walkers' pieces measured 1.01-1.04; a fragment
    of two people's merged box beside one of them 1.15-1.25 (sessions 11 and 15's walker benchmarks)."""

    max_step_sizes: float = 0.6
    max_size_ratio: float = 1.1


def join_interleaved(tracks: list[Track], scan_interval: float, cfg: InterleaveConfig = InterleaveConfig()
                     ) -> list[Track]:
    """``tracks`` with every pair that ``alternates`` and is of a ``similar_size`` joined (their sightings merged in
    frame order, the first piece's number), renumbered 1.. in order of first sighting; ``tracks`` itself when
    none is. A piece that alternates with two others, whatever their sizes, is joined to neither (a fragment
    of one of two people who cross: on a crossing case of session 11's walker benchmark it alternated with both).
    ``scan_interval``: frames between scans (0: nothing is joined)."""
    if scan_interval <= 0 or len(tracks) < 2:
        return tracks
    out = list(tracks)
    while True:
        partners = [[j for j in range(len(out)) if j != i and alternates(out[i], out[j], scan_interval, cfg)]
                    for i in range(len(out))]
        pair = next(((i, p[0]) for i, p in enumerate(partners) if len(p) == 1 and partners[p[0]] == [i]
                     and similar_size(out[i], out[p[0]], cfg)), None)
        if pair is None:
            break
        i, j = sorted(pair)
        out[i] = merged(out[i], out[j])
        del out[j]
    if len(out) == len(tracks):
        return tracks
    out.sort(key=lambda t: t.frames[0])
    return [Track(k + 1, t.frames, t.boxes, t.scores, t.features, t.legs) for k, t in enumerate(out)]


def alternates(a: Track, b: Track, scan_interval: float, cfg: InterleaveConfig = InterleaveConfig()) -> bool:
    """Whether ``a`` and ``b`` may be pieces of one person that alternate: never seen at the same scan, each
    seen while the other is tracked (their first-to-last spans overlap), and the merged sightings from the last
    one before the overlap to the first one after it move at most ``max_step_sizes`` of the smaller size per
    ``scan_interval`` frames."""
    if set(a.frames) & set(b.frames):
        return False
    lo, hi = max(a.frames[0], b.frames[0]), min(a.frames[-1], b.frames[-1])
    if hi <= lo:
        return False
    frames = np.array(a.frames + b.frames, float)
    centres = np.array([t.centre(k) for t in (a, b) for k in range(len(t.frames))])
    order = np.argsort(frames, kind="stable")
    frames, centres = frames[order], centres[order]
    inside = np.flatnonzero((frames >= lo) & (frames <= hi))
    span = slice(max(int(inside[0]) - 1, 0), int(inside[-1]) + 2)
    steps = np.linalg.norm(np.diff(centres[span], axis=0), axis=1)
    scans = np.maximum(np.diff(frames[span]) / scan_interval, 1.0)
    return bool(np.all(steps <= cfg.max_step_sizes * min(a.size_px(), b.size_px()) * scans))


def similar_size(a: Track, b: Track, cfg: InterleaveConfig = InterleaveConfig()) -> bool:
    """Whether the larger of the two median box heights is at most ``max_size_ratio`` x the smaller."""
    small, big = sorted((a.size_px(), b.size_px()))
    return big <= cfg.max_size_ratio * max(small, 1.0)


def merged(a: Track, b: Track) -> Track:
    """One track of the sightings of ``a`` and ``b`` in frame order (features and leg motion merged where
    each piece has one per sighting), numbered as the piece seen first."""
    rows = sorted(_rows(a) + _rows(b), key=lambda r: r[0])
    out = Track(min(a, b, key=lambda t: t.frames[0]).track_id, [r[0] for r in rows], [r[1] for r in rows],
                [r[2] for r in rows])
    if all(r[3] is not None for r in rows):
        out.features = [r[3] for r in rows]
    if all(r[4] is not None for r in rows):
        out.legs = [r[4] for r in rows]
    return out


def _rows(track: Track) -> list[tuple]:
    """Per sighting (frame, box, score, feature or None, leg motion or None)."""
    n = len(track.frames)
    feats = track.features if len(track.features) == n else [None] * n
    legs = track.legs if len(track.legs) == n else [None] * n
    return list(zip(track.frames, track.boxes, track.scores, feats, legs))
