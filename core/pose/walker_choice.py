"""The choice of the walker among the tracks of ``core.pose.tracking`` (pure numpy).

Boxes are (x0, y0, x1, y1) in frame px; travel is measured in the track's median box heights
(body boxes), so the choice does not depend on the frame's resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.constants import RIVAL_WALKER_WORDS
from core.errors import NoWalkerError
from core.pose.tracking import Track, box_iou
from core.turns import one_way_runs


@dataclass(frozen=True)
class TrackSummary:
    """What the choice saw of one track: travel along the ground (relative to the scenery) in box
    heights and px, frames seen, median box height px, the frames from its first to its last sighting
    wholly in view (``in_view_frames``), its median leg motion (``core.pose.leg_motion``; NaN
    unmeasured), and why it was (not) chosen."""

    track_id: int
    first_frame: int
    last_frame: int
    n_scans: int
    size_px: float
    travel_px: float
    travel_sizes: float
    reason: str = ""
    in_view_frames: int = 0
    leg_motion: float = float("nan")


# One stride of a normal walk is about 0.8 of body height; the body box is about 1.25 body heights.
MIN_TRAVEL_SIZES = 0.6
# A walker whose box comes back this many box heights over the ground from its furthest point walks there
# and back (``ground_directions_x``): each pass is posed the way it goes (a step or two of a turn less).
TURN_BACK_SIZES = 1.0
# Median leg motion (core/pose/leg_motion.py) below which a track moves as one piece: it slides
# along (a moving walkway, scenery carried by the pan) rather than steps. Per-track medians on
# synthetic videos (seeds 52001-52003, 31008-31011): walkers 0.056 to 0.18, standing figures
# (still, or sliding with a panning camera's scenery) -0.013 to 0.002. On the 92 two-person videos of
# session 19 (clear sightings, the scan decoded without deblocking) the margins are thin: walkers from
# 0.020, standing figures up to 0.014 (docs/walker.md, "Session 19: a walker's leg motion").
MIN_LEG_MOTION = 0.025
# A sighting whose box another person's box overlaps by at least this IoU shows two people's legs: its leg motion
# does not count where the track has clear sightings (a walker behind a passer-by measured 0.02 there, 0.07-0.17
# in the clear: docs/walker.md, session 19).
CROWDED_IOU = 0.1
# Pieces of one person that never appear together are joined when every box centre lies within
# this many median box heights of the median centre (the person stays in place in the image).
IN_PLACE_SIZES = 0.5
# A walker in view for less than this share of the longest walker's time in view passes through.
MIN_IN_VIEW_SHARE = 0.85
# Another walker kept in the choice who covered at least this share of the chosen one's px is a
# close call: the reason says so and names the track to pick instead (two people walking alike).
RIVAL_TRAVEL_SHARE = 0.8
# The body inside a square body box (see core/pose/people.py): half its width either side, and
# the head and feet this far above and below the centre (hip), in box sides.
_BODY_HALF_WIDTH_SIDES, _BODY_HALF_HEIGHT_SIDES = 0.2, 0.4


def in_view(boxes_px: np.ndarray, frame_size_px: tuple[int, int] | None) -> np.ndarray:
    """(n,) whether the body in each box (n, 4) px lies wholly inside a frame (width, height) px
    (all True without a frame size)."""
    boxes_px = np.asarray(boxes_px, float).reshape(-1, 4)
    if frame_size_px is None:
        return np.ones(len(boxes_px), bool)
    side = boxes_px[:, 3] - boxes_px[:, 1]
    cx, cy = (boxes_px[:, 0] + boxes_px[:, 2]) / 2, (boxes_px[:, 1] + boxes_px[:, 3]) / 2
    dx, dy = _BODY_HALF_WIDTH_SIDES * side, _BODY_HALF_HEIGHT_SIDES * side
    w, h = frame_size_px
    return (cx - dx >= 0) & (cx + dx <= w) & (cy - dy >= 0) & (cy + dy <= h)


def _ground_x(track: Track, pan_px: np.ndarray | None, scan_frames: np.ndarray | None) -> np.ndarray:
    """(m,) the track's box centre x at its sightings, less the scenery's pan there (px)."""
    cx = np.array([(b[0] + b[2]) / 2 for b in track.boxes])
    if pan_px is not None and scan_frames is not None and len(scan_frames):
        cx = cx - np.interp(np.asarray(track.frames, float), scan_frames, pan_px)
    return cx


def summarise(track: Track, pan_px: np.ndarray | None, scan_frames: np.ndarray | None,
              frame_size_px: tuple[int, int] | None = None, others: Sequence[Track] = ()) -> TrackSummary:
    """Travel of ``track`` over the ground: its horizontal path in frame px plus the camera's pan
    (``pan_px``: cumulative scenery x shift px at ``scan_frames``; None for a static camera), its
    time wholly in a frame of ``frame_size_px`` (width, height; None: every sighting counts), and its
    leg motion over the sightings that ``others`` (the other tracks) do not crowd (``_clear_legs``)."""
    frames = np.asarray(track.frames)
    cx = _ground_x(track, pan_px, scan_frames)
    travel = float(np.max(cx) - np.min(cx)) if len(cx) else 0.0
    size = track.size_px()
    seen = frames[in_view(np.asarray(track.boxes), frame_size_px)]
    span = int(seen[-1] - seen[0]) if len(seen) else 0
    legs = _clear_legs(track, others)
    return TrackSummary(track.track_id, int(frames[0]), int(frames[-1]), len(frames), size, travel,
                        travel / max(size, 1.0), in_view_frames=span,
                        leg_motion=float(np.median(legs)) if len(legs) else float("nan"))


def _clear_legs(track: Track, others: Sequence[Track]) -> np.ndarray:
    """The track's finite leg motions (``core.pose.leg_motion``) at the sightings whose box another track's
    (interpolated) box overlaps by less than ``CROWDED_IOU``; all of them where fewer than two are that clear
    (one value is no median: a standing figure's single clear sighting read 0.023, next to MIN_LEG_MOTION)."""
    legs = np.asarray(track.legs, float)
    if len(legs) != len(track.frames):
        return legs[np.isfinite(legs)]
    crowded = np.zeros(len(legs), dtype=bool)
    for other in others:
        for k, (box, near) in enumerate(zip(track.boxes, other.boxes_at(track.frames))):
            crowded[k] |= bool(np.isfinite(near).all() and box_iou(box, near) >= CROWDED_IOU)
    clear = legs[np.isfinite(legs) & ~crowded]
    return clear if len(clear) >= 2 else legs[np.isfinite(legs)]


def ground_direction_x(track: Track, pan_px: np.ndarray | None, scan_frames: np.ndarray | None) -> int:
    """+1 when ``track`` walks rightwards over the ground in the image, -1 leftwards, 0 when it moves
    less than ``MIN_TRAVEL_SIZES`` box heights between its first and last sighting (pan as in ``summarise``)."""
    cx = _ground_x(track, pan_px, scan_frames)
    net = float(cx[-1] - cx[0])
    return 0 if abs(net) < MIN_TRAVEL_SIZES * track.size_px() else int(np.sign(net))


def ground_directions_x(track: Track, pan_px: np.ndarray | None, scan_frames: np.ndarray | None) -> np.ndarray | None:
    """(m,) +1 / -1 per sighting of ``track`` when it walks there and back over the ground (its box comes back
    ``TURN_BACK_SIZES`` box heights from its furthest point; pan as in ``summarise``): the way it walks in each
    pass, 0 at the turning sighting (the turn lies within a scan interval of it). None for a walk one way."""
    cx = _ground_x(track, pan_px, scan_frames)
    runs = one_way_runs(cx, TURN_BACK_SIZES * track.size_px())
    if len(runs) < 2:
        return None
    out = np.zeros(len(cx), dtype=int)
    for start, end in runs:
        out[start:end] = int(np.sign(cx[end - 1] - cx[max(start - 1, 0)]))
    out[[end - 1 for _, end in runs[:-1]]] = 0
    return out


def one_person_in_place(tracks: list[Track]) -> list[Track]:
    """``tracks`` joined into one when they are pieces of one person who stays in place in the image
    (a treadmill, or a camera that holds the walker still): no two are ever seen at the same scan, and
    every box centre lies within ``IN_PLACE_SIZES`` median box heights of the median centre. The
    joined track keeps the first piece's number. Otherwise ``tracks`` unchanged."""
    if len(tracks) < 2:
        return tracks
    frames = [f for t in tracks for f in t.frames]
    if len(set(frames)) < len(frames):
        return tracks
    boxes = np.array([b for t in tracks for b in t.boxes], float)
    centres = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
    size = float(np.median(boxes[:, 3] - boxes[:, 1]))
    if np.linalg.norm(centres - np.median(centres, axis=0), axis=1).max() > IN_PLACE_SIZES * size:
        return tracks
    order = np.argsort(frames, kind="stable")
    joined = Track(min(tracks, key=lambda t: t.frames[0]).track_id)
    for name in ("frames", "boxes", "scores", "features", "legs"):
        values = [v for t in tracks for v in getattr(t, name)]
        setattr(joined, name, [values[i] for i in order] if len(values) == len(frames) else values)
    return [joined]


def choose_walker(
    tracks: list[Track], mode: str = "auto", pan_px: np.ndarray | None = None,
    scan_frames: np.ndarray | None = None, frame_size_px: tuple[int, int] | None = None,
) -> tuple[Track, list[TrackSummary]]:
    """The walker and every track's summary (the chosen first).

    ``mode``: "auto" (the only track, or the pieces of one person joined by ``one_person_in_place``; else, of the tracks that travel at least ``MIN_TRAVEL_SIZES``
    of their own box heights over the ground, those whose legs move (``MIN_LEG_MOTION``; all of
    them if none is measured to), those wholly in view for at least ``MIN_IN_VIEW_SHARE``
    of the longest such time (the others pass through the view), and of those the one that travels
    most px), "largest" (largest median box), or a track number as text. Raises NoWalkerError
    naming what was seen when nobody qualifies."""
    pieces = len(tracks)
    if mode == "auto":
        tracks = one_person_in_place(tracks)
    sums = {t.track_id: summarise(t, pan_px, scan_frames, frame_size_px, [o for o in tracks if o is not t])
            for t in tracks}
    notes: dict[int, str] = {}
    if not tracks:
        raise NoWalkerError("nobody was found in the video by the person finder")
    if mode == "largest":
        chosen = max(tracks, key=lambda t: sums[t.track_id].size_px)
        why = f"largest person ({sums[chosen.track_id].size_px:.0f} px tall box)"
    elif mode.isdigit():
        chosen = next((t for t in tracks if t.track_id == int(mode)), None)
        if chosen is None:
            raise NoWalkerError(f"--person {mode}: no such track (tracks 1..{len(tracks)} were found)")
        why = f"track {mode} requested with --person"
    elif len(tracks) == 1:  # nobody else to mistake them for (a treadmill walk does not travel)
        chosen = tracks[0]
        s = sums[chosen.track_id]
        why = f"the only person in view (travelled {s.travel_sizes:.1f} body boxes)"
        if pieces > 1:
            why += f"; the finder's {pieces} tracks of this person, never seen together, were joined"
    else:
        chosen, why, notes = _choose_auto(tracks, sums)
    out = [_with_reason(sums[chosen.track_id], "chosen: " + why)]
    for t in tracks:
        if t.track_id != chosen.track_id:
            s = sums[t.track_id]
            out.append(_with_reason(s, f"not chosen: travelled {s.travel_sizes:.1f} body boxes"
                                    + notes.get(t.track_id, "")))
    return chosen, out


def _choose_auto(tracks: list[Track], sums: dict[int, TrackSummary]) -> tuple[Track, str, dict[int, str]]:
    """``choose_walker``'s "auto" choice among several tracks: (chosen, why, track id -> why not)."""
    walking = [t for t in tracks if sums[t.track_id].travel_sizes >= MIN_TRAVEL_SIZES]
    if not walking:
        furthest = max(s.travel_sizes for s in sums.values())
        raise NoWalkerError(f"{len(tracks)} people visible, none walks for one stride "
                            f"(furthest travel {furthest:.2f} body boxes)")
    notes: dict[int, str] = {}
    stepping = [t for t in walking if not sums[t.track_id].leg_motion < MIN_LEG_MOTION]
    if stepping:
        for t in walking:
            if t not in stepping:
                notes[t.track_id] = f", sliding without stepping (leg motion {sums[t.track_id].leg_motion:.2f})"
        walking = stepping
    longest = max(sums[t.track_id].in_view_frames for t in walking)
    staying = [t for t in walking if sums[t.track_id].in_view_frames >= MIN_IN_VIEW_SHARE * longest]
    for t in walking:
        if t not in staying:
            notes[t.track_id] = f", passing through (in view {sums[t.track_id].in_view_frames} frames)"
    # of those who walk in view the longest, the one covering most ground in the image: the nearer
    # of two walkers at one speed
    most_px = max(sums[t.track_id].travel_px for t in staying)
    close = [t for t in staying if sums[t.track_id].travel_px >= RIVAL_TRAVEL_SHARE * most_px]
    # of walkers who covered nearly the same ground, the one in view longest (the filmed subject stays
    # in view; a passer-by in front covers as much ground in less time), then the most px
    chosen = max(close, key=lambda t: (sums[t.track_id].in_view_frames, sums[t.track_id].travel_px))
    s = sums[chosen.track_id]
    why = (f"walked {s.travel_px:.0f} px = {s.travel_sizes:.1f} body boxes over the ground"
           + (f", the most of {len(walking)} who walk" if len(walking) > 1 and len(close) == 1 else "")
           + (f", in view longest ({s.in_view_frames} frames) of {len(close)} who walked alike" if len(close) > 1 else "")
           + (f", in view {s.in_view_frames} frames" if len(staying) < len(walking) else ""))
    rivals = [t for t in close if t is not chosen]
    for t in rivals:
        why += (f"; track {t.track_id} {RIVAL_WALKER_WORDS} ({sums[t.track_id].travel_px:.0f} px): check "
                f"events_review.png or --review-video, or analyse it with --person {t.track_id}")
    return chosen, why, notes


def _with_reason(s: TrackSummary, reason: str) -> TrackSummary:
    from dataclasses import replace

    return replace(s, reason=reason)
