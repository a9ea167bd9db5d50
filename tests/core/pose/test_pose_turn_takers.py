import numpy as np

from core.pose.follow import fine_tile_px
from core.pose.people import FinderConfig
from core.pose.tracking import track_people
from core.pose.turn_takers import join_turn_takers, takes_turns
from core.pose.walker_choice import choose_walker


def _box(cx: float, cy: float, h: float) -> np.ndarray:
    return np.array([cx - h / 2, cy - h / 2, cx + h / 2, cy + h / 2])


def _alternating_scans(n: int, fine_h: float = 200.0, coarse_ratio: float = 1.6, low_px: float = 30.0) -> list:
    """A walker crossing at 60 px per scan, found by the finer tile at even scans (``fine_h`` px box) and by
    the whole-frame tile at odd scans, whose box is ``coarse_ratio`` x larger and ``low_px`` lower, as the
    finder's alternating tile sizes gave on small walkers in phone-look videos."""
    scans = []
    for s in range(n):
        cx = 1600.0 - 60 * s
        box = _box(cx, 400.0 + low_px, fine_h * coarse_ratio) if s % 2 else _box(cx, 400.0, fine_h)
        scans.append((s * 15, box[None], np.array([0.9]), np.ones((1, 4)) / 4, np.array([0.1])))
    return scans


def test_a_small_walker_split_by_the_tile_sizes_is_one_track_with_the_finer_box():
    pieces = track_people(_alternating_scans(16))
    assert len(pieces) == 2  # the size gate splits them
    (track,) = join_turn_takers(pieces, fine_tile_px=648.0)
    assert track.track_id == 1 and track.frames == [15 * s for s in range(16)]
    boxes = np.asarray(track.boxes)
    assert np.allclose(boxes[:, 3] - boxes[:, 1], 200.0)  # the finer tile's size
    assert np.allclose((boxes[:, 1] + boxes[:, 3]) / 2, 400.0)  # and its hip line
    assert len(track.features) == 16 and np.isnan(track.legs[1]) and track.legs[0] == 0.1
    chosen, sums = choose_walker([track])
    assert chosen is track and sums[0].reason.startswith("chosen: the only person")


def test_a_walker_too_large_for_the_finer_tile_keeps_its_tracks():
    pieces = track_people(_alternating_scans(16))
    assert join_turn_takers(pieces, fine_tile_px=240.0) is pieces  # 200 px box > 0.7 x 240 px tile
    assert not takes_turns(pieces[0], pieces[1], 240.0) and takes_turns(pieces[0], pieces[1], 648.0)
    assert join_turn_takers(pieces, fine_tile_px=0.0) is pieces  # tile sizes that do not alternate


def test_people_seen_together_or_far_apart_do_not_take_turns():
    together = []
    for s in range(12):
        boxes = np.stack([_box(1600.0 - 60 * s, 400.0, 200.0), _box(200.0 + 60 * s, 400.0, 200.0)])
        together.append((s * 15, boxes, np.full(2, 0.9)))
    tracks = track_people(together)
    assert len(tracks) == 2 and join_turn_takers(tracks, 648.0) is tracks
    apart = [(s * 15, _box(200.0 + 5 * s if s % 2 == 0 else 900.0 + 5 * s, 400.0, 200.0)[None], np.array([0.9]))
             for s in range(12)]
    tracks = track_people(apart)
    assert len(tracks) == 2 and join_turn_takers(tracks, 648.0) is tracks
    sizes = track_people(_alternating_scans(16, coarse_ratio=3.0, low_px=0.0))
    assert len(sizes) == 2 and join_turn_takers(sizes, 648.0) is sizes  # 3 x the size: someone else


def test_the_finer_tile_side_follows_the_frame_or_roi():
    assert fine_tile_px(FinderConfig(), 1920, 1080) == 0.6 * 1080
    assert fine_tile_px(FinderConfig(tile_fractions=(1.0,)), 1920, 1080) == 0.0
