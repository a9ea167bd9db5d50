import numpy as np

from core.pose.interleaved import alternates, join_interleaved, similar_size
from core.pose.tracking import Track
from core.pose.walker_choice import choose_walker, ground_directions_x


def _track(tid: int, sightings: list[tuple[int, float]], size: float = 290.0, cy: float = 352.0) -> Track:
    """A track with square boxes of height ``size`` px centred at (x, ``cy``) at each (frame, x)."""
    boxes = [np.array([x - size / 2, cy - size / 2, x + size / 2, cy + size / 2]) for _, x in sightings]
    return Track(tid, [f for f, _ in sightings], boxes, [0.9] * len(sightings), [], [0.1] * len(sightings))


# A walk there and back (960x540, 15-frame scans, stand at frames 121-156) split while an occluder passed:
# the half-hidden walker's box at frame 90 started track 2, which took the walker at the stand and the way
# back (centres x px of a stored run, session 16's stand_rl_680995254).
FIRST = [(0, 868), (15, 787), (30, 709), (45, 629), (60, 553), (105, 323), (120, 245)]
SECOND = [(90, 399), (150, 246), (165, 320), (180, 392), (210, 554), (225, 634), (240, 710), (255, 785), (270, 859)]


def test_a_walker_split_around_an_occluder_and_the_turn_is_one_track_going_there_and_back():
    pieces = [_track(1, FIRST), _track(2, SECOND, size=297.0)]
    assert alternates(*pieces, scan_interval=15) and similar_size(*pieces)
    (walker,) = join_interleaved(pieces, 15)
    assert walker.track_id == 1 and walker.frames == sorted(f for f, _ in FIRST + SECOND)
    assert len(walker.legs) == len(walker.frames) and walker.features == []
    directions = ground_directions_x(walker, None, None)
    assert directions is not None and directions[0] == -1 and directions[-1] == 1
    chosen, sums = choose_walker([walker])
    assert chosen is walker and sums[0].reason.startswith("chosen: the only person")


def test_pieces_that_do_not_alternate_or_differ_are_kept_apart():
    first = _track(1, FIRST)
    pair = [first, _track(2, SECOND)]
    assert join_interleaved(pair, 0) is pair  # no scan interval: nothing joined
    one_after = _track(2, [(f + 150, x) for f, x in FIRST])  # starts after the first ends: not alternating
    assert not alternates(first, one_after, 15)
    together = _track(2, [(f, 1000 - x) for f, x in FIRST])  # seen at the same scans: two people
    assert not alternates(first, together, 15)
    far = _track(2, [(90, 900), (150, 246)])  # 500 px from the walker's path in one scan: someone else
    assert not alternates(first, far, 15)
    larger = _track(2, SECOND, size=350.0)  # 1.2 x the size: a box of two people merged
    assert alternates(first, larger, 15) and not similar_size(first, larger)
    tracks = [first, larger]
    assert join_interleaved(tracks, 15) is tracks


def test_a_fragment_that_alternates_with_two_people_joins_neither():
    # a crossing (session 11's crossing_lr_tracking): the walker held near x 482 by a tracking camera, the
    # crosser going left, and a fragment at the crossing that continues either
    walker = _track(1, [(0, 485), (30, 482), (60, 482), (90, 487), (180, 479), (210, 481)], size=437.0)
    crosser = _track(2, [(60, 806), (90, 673), (180, 260), (210, 111), (225, 59)], size=483.0)
    fragment = _track(3, [(105, 615), (120, 511), (150, 405)], size=418.0)
    assert alternates(walker, fragment, 15) and alternates(crosser, fragment, 15)
    tracks = [walker, crosser, fragment]
    assert join_interleaved(tracks, 15) is tracks
