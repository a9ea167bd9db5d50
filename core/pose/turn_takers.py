"""One walker split into two tracks by the person finder's alternating tile sizes (pure numpy).

With ``core.pose.follow.ALTERNATE_TILE_SIZES`` each scan uses one tile size. A small walker is found by
both, but the whole-frame tile sizes them 1.4-1.8 x too large and 0.1-0.2 box heights low (three
phone-look videos of seed 1339713944 against their truth boxes), so the tracker's size gate makes two
tracks that take turns scan by scan, and the walker choice takes one piece. Such pieces are joined
here, with the finer tile's box, but only where that box fits well inside the finer tile: a walker
as tall as the finer tile is cut by it, and there the finer tile's box is the wrong one.

Boxes are (x0, y0, x1, y1) in frame px; sizes are median box heights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.pose.tracking import Track


@dataclass(frozen=True)
class TurnConfig:
    """near_sizes: every sighting of either piece, while both are tracked, lies within this many of the
    smaller piece's box heights of the other's path. max_size_ratio: the larger piece's size is at most
    this many times the smaller's. max_fine_tile_share: the smaller piece's size is at most this share
    of the finer tile's side (a walker's box is cut by a tile it does not fit; measured shares: 0.42
    to 0.56 on the split small walkers, 1.2 to 1.3 on 320x240 walkers of 180 px, which are not split)."""

    near_sizes: float = 0.4
    max_size_ratio: float = 2.5
    max_fine_tile_share: float = 0.7


def join_turn_takers(tracks: list[Track], fine_tile_px: float, cfg: TurnConfig = TurnConfig()) -> list[Track]:
    """``tracks`` with every pair that takes turns (``takes_turns``) joined (``joined_pieces``), renumbered
    1.. in order of first sighting. ``fine_tile_px``: the finer tile's side in frame px (0: the tile sizes
    do not alternate; nothing is joined). Tracks that are not joined are returned as they are."""
    if fine_tile_px <= 0 or len(tracks) < 2:
        return tracks
    out = list(tracks)
    changed = False
    i = 0
    while i < len(out):
        j = next((j for j in range(i + 1, len(out)) if takes_turns(out[i], out[j], fine_tile_px, cfg)), None)
        if j is None:
            i += 1
            continue
        out[i] = joined_pieces(out[i], out[j])
        del out[j]
        changed = True
    if not changed:
        return tracks
    out.sort(key=lambda t: t.frames[0])
    return [Track(k + 1, t.frames, t.boxes, t.scores, t.features, t.legs) for k, t in enumerate(out)]


def takes_turns(a: Track, b: Track, fine_tile_px: float, cfg: TurnConfig = TurnConfig()) -> bool:
    """Whether ``a`` and ``b`` are one person seen at alternate scans: never at the same scan, each seen
    at least once while the other is tracked, every such sighting near the other's path, the larger
    at most ``max_size_ratio`` x the smaller, and the smaller fitting the finer tile."""
    if set(a.frames) & set(b.frames):
        return False
    small, big = sorted((a.size_px(), b.size_px()))
    if big > cfg.max_size_ratio * max(small, 1.0) or small > cfg.max_fine_tile_share * fine_tile_px:
        return False
    lo, hi = max(a.frames[0], b.frames[0]), min(a.frames[-1], b.frames[-1])
    for mine, other in ((a, b), (b, a)):
        at = [k for k, f in enumerate(mine.frames) if lo <= f <= hi]
        if not at:
            return False
        centres = np.array([mine.centre(k) for k in at])
        path = other.centres_at([mine.frames[k] for k in at])
        if np.linalg.norm(centres - path, axis=1).max() > cfg.near_sizes * small:
            return False
    return True


def joined_pieces(a: Track, b: Track) -> Track:
    """One track from two that take turns. The larger piece's boxes are shrunk to the smaller piece's
    median height and moved by the median offset of their centres from its path (the crop's pose guard,
    ``core.pose.pose_guard``, measures the pose's hip against these centres; keeping the large boxes'
    centres refused a small walker's poses in stretches). The larger piece's leg motion, measured on
    its own misplaced boxes, becomes unmeasured (NaN)."""
    small, big = sorted((a, b), key=lambda t: t.size_px())
    ratio = small.size_px() / max(big.size_px(), 1.0)
    lo, hi = max(a.frames[0], b.frames[0]), min(a.frames[-1], b.frames[-1])
    at = [k for k, f in enumerate(big.frames) if lo <= f <= hi]
    path = small.centres_at([big.frames[k] for k in at])
    offset = np.median(np.array([big.centre(k) for k in at]) - path, axis=0)
    rows = _sightings(small)
    for f, box, score, feature, legs in _sightings(big):
        centre, half = (box[:2] + box[2:]) / 2 - offset, (box[2:] - box[:2]) / 2 * ratio
        rows.append((f, np.concatenate([centre - half, centre + half]), score, feature,
                     None if legs is None else float("nan")))
    rows.sort(key=lambda r: r[0])
    return Track(min(a, b, key=lambda t: t.frames[0]).track_id, [r[0] for r in rows], [r[1] for r in rows],
                 [r[2] for r in rows], [r[3] for r in rows if r[3] is not None],
                 [r[4] for r in rows if r[4] is not None])


def _sightings(track: Track) -> list[tuple]:
    """Per sighting (frame, box, score, feature or None, leg motion or None)."""
    n = len(track.frames)
    feats = track.features if len(track.features) == n else [None] * n
    legs = track.legs if len(track.legs) == n else [None] * n
    return list(zip(track.frames, track.boxes, track.scores, feats, legs))
