import numpy as np
import pytest

from core.errors import NoWalkerError
from core.pose.follow_path import follow_path
from core.pose.tracking import TUNED_PERIOD_S, Track, TrackerConfig, appearance_distance, for_scan_period, track_people
from core.pose.walker_choice import choose_walker, in_view, one_person_in_place


def _box(cx: float, cy: float = 400.0, h: float = 200.0) -> np.ndarray:
    return np.array([cx - h / 2, cy - h / 2, cx + h / 2, cy + h / 2])


def _scans(paths: list[list[float | None]], every: int = 15, h: float = 200.0) -> list:
    """paths[p][s]: person p's centre x at scan s (None: not seen)."""
    out = []
    for s in range(len(paths[0])):
        boxes = [_box(p[s], h=h) for p in paths if p[s] is not None]
        out.append((s * every, np.array(boxes).reshape(-1, 4), np.full(len(boxes), 0.9)))
    return out


def test_crossing_people_keep_their_identities():
    n = 20
    right = [100.0 + 60 * s for s in range(n)]  # walks right through the other
    left = [1300.0 - 40 * s for s in range(n)]
    scans = _scans([right, left])
    # where they overlap the finder merges them into one box for two scans
    for s in range(n):
        if abs(right[s] - left[s]) < 60:
            scans[s] = (scans[s][0], _box((right[s] + left[s]) / 2)[None], np.array([0.9]))
    tracks = track_people(scans)
    assert len(tracks) == 2
    by_start = {round(float(t.centre(0)[0])): t for t in tracks}
    walker_r, walker_l = by_start[100], by_start[1300]
    assert walker_r.centre(-1)[0] > 1000 and walker_l.centre(-1)[0] < 600


def test_a_track_broken_by_a_crossing_is_joined_again():
    n = 14
    walker = [900.0 - 50 * s for s in range(n)]
    scans = _scans([walker])
    for s in range(5, 8):  # lost for three scans (hidden behind someone), then found again
        scans[s] = (scans[s][0], np.zeros((0, 4)), np.zeros(0))
    tracks = track_people(scans, TrackerConfig(max_gap_scans=1))
    assert len(tracks) == 1 and len(tracks[0].frames) == n - 3



def test_a_walker_lost_twice_is_joined_from_three_pieces_and_a_bystander_stays_apart():
    """After the first join the joined piece is costed again against the pieces after it."""
    n = 20
    walker = [1200.0 - 50 * s for s in range(n)]
    bystander = [200.0] * n
    scans = _scans([walker, bystander])
    for s in (5, 6, 7, 12, 13, 14):  # the walker hidden twice for three scans
        scans[s] = (scans[s][0], _box(200.0)[None], np.array([0.9]))
    tracks = track_people(scans, TrackerConfig(max_gap_scans=1))
    assert len(tracks) == 2
    moving = max(tracks, key=lambda t: abs(t.centre(0)[0] - t.centre(-1)[0]))
    assert len(moving.frames) == n - 6 and moving.frames == sorted(moving.frames)

def test_walker_chosen_over_a_standing_person():
    n = 16
    tracks = track_people(_scans([[200.0 + 50 * s for s in range(n)], [1000.0 + (s % 2) * 4 for s in range(n)]]))
    chosen, sums = choose_walker(tracks)
    assert chosen.centre(0)[0] == pytest.approx(200)
    assert sums[0].reason.startswith("chosen") and sums[1].reason.startswith("not chosen")
    assert sums[1].travel_sizes < 0.1


def test_tracking_camera_walker_still_in_frame_bystander_slides():
    n = 16
    pan = np.array([-30.0 * s for s in range(n)])  # the scenery slides left: the camera turns right
    walker = [640.0 + (s % 2) * 3 for s in range(n)]
    bystander = [1200.0 - 30.0 * s for s in range(n)]  # standing, so it slides with the scenery
    tracks = track_people(_scans([walker, bystander]))
    frames = np.array([15.0 * s for s in range(n)])
    chosen, sums = choose_walker(tracks, "auto", pan, frames)
    assert chosen.centre(0)[0] == pytest.approx(640)
    assert sums[0].travel_px > 400 and sums[1].travel_px < 20
    largest_bystander, _ = choose_walker(track_people(_scans([walker, bystander])), "auto")  # without the pan
    assert largest_bystander.centre(0)[0] == pytest.approx(1200)


def test_nobody_walking_names_what_was_seen():
    n = 12
    tracks = track_people(_scans([[300.0] * n, [900.0 + (s % 3) for s in range(n)]]))
    with pytest.raises(NoWalkerError, match="2 people visible, none walks for one stride"):
        choose_walker(tracks)


def _piece(track_id: int, frames: list[int], cx: float, h: float) -> Track:
    return Track(track_id, list(frames), [_box(cx + (f % 30) / 10, h=h) for f in frames], [0.9] * len(frames),
                 [], [0.1] * len(frames))


def test_pieces_of_one_person_held_in_place_are_joined_into_the_only_walker():
    # a tracking camera holds the walker still; the finder's boxes change size, so one person became
    # two tracks that are never seen at the same scan
    first, second = _piece(1, [0, 15, 30, 60, 90], 320.0, 375.0), _piece(2, [45, 75, 105], 330.0, 300.0)
    (joined,) = one_person_in_place([first, second])
    assert joined.track_id == 1 and joined.frames == [0, 15, 30, 45, 60, 75, 90, 105]
    assert len(joined.boxes) == len(joined.legs) == 8
    chosen, sums = choose_walker([first, second])
    assert chosen.frames == joined.frames and len(sums) == 1
    assert "2 tracks of this person, never seen together, were joined" in sums[0].reason


def test_people_seen_together_or_apart_are_not_joined():
    together = [_piece(1, [0, 15, 30], 320.0, 300.0), _piece(2, [30, 45], 330.0, 300.0)]
    assert one_person_in_place(together) == together
    apart = [_piece(1, [0, 15, 30], 200.0, 300.0), _piece(2, [45, 60], 600.0, 300.0)]
    assert one_person_in_place(apart) == apart
    with pytest.raises(NoWalkerError, match="2 people visible"):
        choose_walker(apart)


def test_of_two_walkers_the_one_covering_more_ground_in_the_image_is_chosen():
    n = 12
    near = [100.0 + 60 * s for s in range(n)]  # 300 px tall, 660 px = 2.2 boxes
    far = [1200.0 - 50 * s for s in range(n)]  # 150 px tall, 550 px = 3.7 boxes
    scans = [(f, np.vstack([_box(near[s], h=300.0), _box(far[s], cy=300.0, h=150.0)]), np.array([0.9, 0.9]))
             for s, f in enumerate(range(0, 15 * n, 15))]
    chosen, sums = choose_walker(track_people(scans))
    assert chosen.centre(0)[0] == pytest.approx(100) and "of 2 who walked alike" in sums[0].reason
    # 550 px is >= 80 % of 660: both in view alike, so the px decide, and the close call is named
    assert "walked nearly as far (550 px)" in sums[0].reason


def test_of_two_walkers_alike_the_one_in_view_longer_is_chosen() -> None:
    n = 12
    walker = [100.0 + 60 * s for s in range(n)]  # in view at every scan, 660 px
    passer = [200.0 + 70 * k for k in range(n - 1)]  # in front from the second scan: 700 px in 150 frames
    scans = []
    for s, f in enumerate(range(0, 15 * n, 15)):
        boxes = [_box(walker[s], h=300.0)]
        if s >= 1:
            boxes.append(_box(passer[s - 1], cy=420.0, h=330.0))
        scans.append((f, np.vstack(boxes), np.full(len(boxes), 0.9)))
    chosen, sums = choose_walker(track_people(scans))
    assert chosen.centre(0)[0] == pytest.approx(100) and "walked nearly as far" in sums[0].reason


def test_a_pose_off_the_crop_centre_is_not_the_walker():
    tracks = track_people(_scans([[300.0 + 60 * s for s in range(10)]]))
    path = follow_path(tracks[0], n_frames=150, width_px=1280, height_px=720)
    pose = np.zeros((33, 2))
    pose[[23, 24]] = [[290.0, 400.0], [310.0, 400.0]]
    assert path.on_walker(0, pose)
    pose[[23, 24]] += [150.0, 0.0]
    assert not path.on_walker(0, pose) and not path.on_walker(10_000, pose)


def test_a_lone_person_is_chosen_without_travelling():
    chosen, sums = choose_walker(track_people(_scans([[300.0 + (s % 2) for s in range(8)]])))
    assert chosen.track_id == 1 and "only person" in sums[0].reason


def test_largest_and_numbered_choice():
    n = 10
    scans = _scans([[200.0 + 50 * s for s in range(n)]], h=150.0)
    for s, (f, b, sc) in enumerate(scans):
        scans[s] = (f, np.vstack([b, _box(1000.0, h=300.0)]), np.append(sc, 0.9))
    tracks = track_people(scans)
    assert choose_walker(tracks, "largest")[0].size_px() == pytest.approx(300)
    assert choose_walker(tracks, "2")[0].track_id == 2
    with pytest.raises(NoWalkerError, match="no such track"):
        choose_walker(tracks, "7")


def test_short_flickers_are_not_tracks():
    scans = _scans([[200.0 + 50 * s for s in range(10)]])
    scans[4] = (scans[4][0], np.vstack([scans[4][1], _box(900.0)]), np.array([0.9, 0.6]))
    assert len(track_people(scans)) == 1


def test_follow_path_covers_every_frame_inside_the_frame_at_one_size():
    tracks = track_people(_scans([[100.0 + 60 * s for s in range(10)]], every=15))
    path = follow_path(tracks[0], n_frames=200, width_px=1280, height_px=720)
    sides = path.boxes_px[:, 2] - path.boxes_px[:, 0]
    assert np.allclose(sides, sides[0]) and np.allclose(path.boxes_px[:, 3] - path.boxes_px[:, 1], sides[0])
    assert path.boxes_px[:, :2].min() >= 0 and path.boxes_px[:, 2].max() <= 1280
    assert path.box_at(path.first_frame + len(path.boxes_px)) is None
    centres = (path.boxes_px[:, 0] + path.boxes_px[:, 2]) / 2
    assert np.all(np.diff(centres) >= -1e-9)  # follows the walker smoothly rightwards
    mid = path.box_at(60)  # scan 4 (frame 60) saw the walker centred at x = 340
    assert abs((mid[0] + mid[2]) / 2 - 340) < 10


def _look(hue_bin: int, k: int = 48) -> np.ndarray:
    f = np.full(k, 0.01)
    f[hue_bin] = 1.0
    return f / f.sum()


def test_appearance_keeps_identities_where_positions_mislead():
    n = 14
    right = [200.0 + 40 * s for s in range(n)]
    left = [860.0 - 40 * s for s in range(n)]
    scans = []
    for s in range(n):
        xr, xl = right[s], left[s]
        if s == 8:  # about to meet (520, 540): each box misplaced past the other's predicted spot
            xr, xl = 545.0, 515.0
        boxes = np.array([_box(xr), _box(xl)])
        scans.append((s * 15, boxes, np.full(2, 0.9), np.array([_look(3), _look(30)])))
    without = track_people([sc[:3] for sc in scans])
    with_looks = track_people(scans)
    at_8 = lambda tracks: sorted((round(float(t.centre(0)[0])), round(float(t.centre(t.frames.index(120))[0])))  # noqa: E731
                                 for t in tracks)
    assert at_8(with_looks) == [(200, 545), (860, 515)]
    assert at_8(without) == [(200, 515), (860, 545)]  # by position alone the two swap at scan 8
    assert all(len(t.frames) == n for t in with_looks)


def test_a_merged_box_goes_to_neither_and_both_coast_on_their_velocity():
    n = 20
    right = [100.0 + 60 * s for s in range(n)]
    left = [1300.0 - 40 * s for s in range(n)]
    scans = _scans([right, left])
    merged = [s for s in range(n) if abs(right[s] - left[s]) < 60]
    for s in merged:
        scans[s] = (scans[s][0], _box((right[s] + left[s]) / 2)[None], np.array([0.9]))
    tracks = track_people(scans)
    assert merged and len(tracks) == 2
    for t in tracks:
        assert not set(t.frames) & {s * 15 for s in merged}
    walker = next(t for t in tracks if t.centre(0)[0] < 500)
    path = follow_path(walker, n * 15, 2000, 1000)
    for s in merged:  # the crop stays on the walker's own line, not on the merged box
        box = path.box_at(s * 15)
        assert abs((box[0] + box[2]) / 2 - right[s]) < 20


def test_velocity_is_fitted_over_several_sightings():
    n = 6
    scans = _scans([[100.0 + 50 * s for s in range(n)]])
    scans[-1] = (scans[-1][0], _box(100.0 + 50 * (n - 1) + 60)[None], np.array([0.9]))  # one box 60 px off
    (track,) = track_people(scans)
    assert abs(track.velocity(4)[0] * 15 - 50) < 25  # the last pair alone reads 110 px per scan
    assert abs((track.centre(-1) - track.centre(-2))[0] - 110) < 1e-9


def test_appearance_distance_and_features_tell_colours_apart():
    from core.pose.follow import appearance_features
    from core.pose.tracking import appearance_distance

    image = np.zeros((200, 300, 3), np.uint8)
    image[:, :100] = (0, 0, 200)  # red clothes (BGR)
    image[:, 100:200] = (0, 0, 190)
    image[:, 200:] = (200, 120, 0)  # blue
    boxes = np.array([[0, 0, 100, 200], [100, 0, 200, 200], [200, 0, 300, 200]], float)
    f = appearance_features(image, boxes)
    assert np.allclose(f.sum(axis=1), 1.0)
    d = appearance_distance(f[0], f)
    assert d[0] < 1e-3 and d[1] < 0.1 and d[2] > 0.9


def test_a_passer_by_who_looks_different_is_not_taken_while_the_walker_is_hidden():
    n = 14
    walker = [100.0 + 40 * s for s in range(n)]
    passer = [None] * 6 + [walker[6] - 15.0, walker[7] - 60.0, walker[8] - 120.0] + [None] * (n - 9)
    scans = []
    for s in range(n):
        hidden = s in (6, 7, 8)  # only the passer in front is seen, right where the walker should be
        x, look = (passer[s], _look(30)) if hidden else (walker[s], _look(3))
        scans.append((s * 15, _box(x)[None], np.array([0.9]), look[None]))
    (walker_track,) = [t for t in track_people(scans, TrackerConfig(min_scans=3)) if t.frames[0] == 0]
    assert {90, 105, 120}.isdisjoint(walker_track.frames) and len(walker_track.frames) == n - 3
    by_position = track_people([sc[:3] for sc in scans])
    assert len(by_position) == 1 and 105 in by_position[0].frames  # without looks it takes the passer


def test_appearance_limit_widens_for_a_person_whose_look_varies():
    steady = Track(1, [0, 15, 30], [_box(0.0)] * 3, [0.9] * 3, [_look(3)] * 3)
    mixed = _look(3) + _look(4)
    varying = Track(2, [0, 15, 30], [_box(0.0)] * 3, [0.9] * 3, [_look(3), mixed / mixed.sum(), _look(4)])
    cfg = TrackerConfig()
    assert steady.appearance_limit(cfg) == cfg.max_appearance
    assert varying.appearance_limit(cfg) > 2 * cfg.max_appearance


def test_a_walker_in_view_throughout_is_chosen_over_a_nearer_one_passing_through():
    n = 12
    walker = [100.0 + 50 * s for s in range(n)]  # 200 px box, wholly in view all along
    passer = [1500.0 - 130 * s for s in range(n)]  # 300 px box: seen from scan 1, wholly in view scans 3-10
    scans = []
    for s, f in enumerate(range(0, 15 * n, 15)):
        boxes = [_box(walker[s])] + ([_box(passer[s], h=300.0)] if -100 < passer[s] < 1400 else [])
        scans.append((f, np.array(boxes), np.full(len(boxes), 0.9)))
    tracks = track_people(scans)
    assert len(tracks) == 2
    nearer, _ = choose_walker(tracks)  # without the frame size: the most ground in the image
    assert nearer.centre(0)[0] > 1000
    chosen, sums = choose_walker(tracks, frame_size_px=(1280, 720))
    assert chosen.centre(0)[0] == pytest.approx(100)
    assert sums[0].in_view_frames == 15 * (n - 1) and "passing through" in sums[1].reason


def test_in_view_needs_the_whole_body_inside_the_frame():
    boxes = np.array([_box(640.0), _box(30.0), _box(1270.0), _box(640.0, cy=700.0)])
    assert in_view(boxes, (1280, 720)).tolist() == [True, False, False, False]
    assert in_view(boxes, None).all()


def test_a_candidate_a_little_off_in_place_size_and_look_is_someone_else():
    n, hidden = 12, 8  # at scan 8 the walker is hidden; someone a little off is seen instead
    walker = [100.0 + 50 * s for s in range(n)]
    near_look = 0.97 * _look(3) + 0.03 * _look(30)  # within the appearance limit on its own
    scans = []
    for s in range(n):
        box, look = _box(walker[s]), _look(3)
        if s == hidden:  # 40 px behind the walker's line, 15 % larger: each alone within the gates
            box, look = _box(walker[s] - 40, h=230.0), near_look / near_look.sum()
        scans.append((s * 15, box[None], np.array([0.9]), look[None]))
    tracks = track_people(scans, TrackerConfig(min_scans=1))
    walker_track = next(t for t in tracks if t.frames[0] == 0)
    assert hidden * 15 not in walker_track.frames and len(walker_track.frames) == n - 1
    loose = next(t for t in track_people(scans, TrackerConfig(min_scans=1, max_cost=10.0)) if t.frames[0] == 0)
    assert hidden * 15 in loose.frames


def test_other_people_along_the_path_are_interpolated_between_sightings_only() -> None:
    from core.pose.follow_path import others_along

    frames = np.array([10.0, 25.0, 40.0])
    boxes = np.array([[100.0, 50, 150, 250], [130, 50, 180, 250], [160, 50, 210, 250]])
    out = others_along([(frames, boxes)], first=0, n=70)
    assert out.shape == (70, 1, 4)
    np.testing.assert_allclose(out[25, 0], boxes[1])
    np.testing.assert_allclose(out[30, 0, 0], 140.0)
    assert np.isfinite(out[:, 0, 0]).nonzero()[0].tolist() == list(range(0, 56))  # sightings +- one scan interval
    assert others_along([], 0, 10) is None


def test_two_walkers_covering_nearly_the_same_ground_are_a_close_call_named_in_the_reason() -> None:
    from core.constants import RIVAL_WALKER_WORDS
    from core.pose.walker_choice import choose_walker

    def walker(track_id: int, step_px: float, top: float) -> Track:
        t = Track(track_id)
        for k in range(10):
            t.frames.append(15 * k)
            t.boxes.append(np.array([100.0 + step_px * k, top, 200.0 + step_px * k, top + 300.0]))
            t.scores.append(0.9)
        return t

    chosen, sums = choose_walker([walker(1, 40.0, 100.0), walker(2, 44.0, 150.0)], "auto")
    assert chosen.track_id == 2 and RIVAL_WALKER_WORDS in sums[0].reason and "--person 1" in sums[0].reason
    chosen, sums = choose_walker([walker(1, 20.0, 100.0), walker(2, 44.0, 150.0)], "auto")
    assert chosen.track_id == 2 and RIVAL_WALKER_WORDS not in sums[0].reason


def test_min_cost_assignment_matches_scipy_on_small_matrices():
    from scipy.optimize import linear_sum_assignment

    from core.pose.tracking import min_cost_assignment

    rng = np.random.default_rng(7)
    for _ in range(300):
        cost = rng.random(tuple(rng.integers(1, 6, 2)))
        rows, cols = min_cost_assignment(cost)
        ref_rows, ref_cols = linear_sum_assignment(cost)
        assert list(rows) == list(ref_rows) and list(cols) == list(ref_cols)


def test_a_lone_walker_whose_colours_drift_with_the_light_stays_one_track():
    """Real footage: the box's colours change by 0.2-0.5 (Hellinger) between scans as the walker passes
    from sun to shade. The pieces that the look cuts apart are joined again where place, size and
    timing continue one another (``stitch_max_appearance``)."""
    n = 10
    looks = []
    for s in range(n):
        drift = 0.45 * (s >= 4) + 0.45 * (s >= 7)  # the colours change twice, by 0.2-0.5 each time
        look = (1 - drift) * _look(3) + drift * _look(5) if drift < 0.5 else (1.9 - drift) * _look(5)
        looks.append(look / look.sum())
    assert 0.2 < appearance_distance(looks[3], looks[4][None])[0] < 0.5
    scans = [(s * 15, _box(100.0 + 40 * s)[None], np.array([0.9]), looks[s][None]) for s in range(n)]
    (track,) = track_people(scans, TrackerConfig(min_scans=1))
    assert len(track.frames) == n
    assert len(track_people(scans, TrackerConfig(min_scans=1, stitch_max_appearance=0.0))) > 1


def test_the_crop_follows_a_walker_lost_near_the_end_while_in_view():
    lost = track_people(_scans([[1100.0 - 30 * s for s in range(7)]], every=15))  # last seen at frame 90
    path = follow_path(lost[0], n_frames=150, width_px=1280, height_px=720)
    assert path.first_frame == 0 and len(path.boxes_px) == 150  # carried on to the clip's end
    assert abs(path.centres_px[-1, 0] - (1100.0 - 2 * 149)) < 5
    leaving = track_people(_scans([[200.0 + 60 * s for s in range(7)]], every=15))  # x = 560 at frame 90
    path = follow_path(leaving[0], n_frames=400, width_px=700, height_px=720)
    assert path.first_frame + len(path.boxes_px) - 1 == 124  # stops where the hip leaves the frame (x 696)


def test_the_tracker_keeps_its_timing_at_a_longer_scan_period():
    cfg = TrackerConfig()
    assert for_scan_period(cfg, TUNED_PERIOD_S) == cfg  # the default period's tracking is unchanged
    slow = for_scan_period(cfg, 2 * TUNED_PERIOD_S)
    assert slow.max_gap_scans * 2 == cfg.max_gap_scans and slow.max_jump_sizes == pytest.approx(2 * cfg.max_jump_sizes)
    # a walker moving 0.8 box heights per second (a brisk walk), scanned once a second: one track with the
    # period's config; with the per-scan one each sighting is too far from the last for a track without a velocity
    scans = [(30 * k, np.array([[100.0 + 80 * k, 100, 200 + 80 * k, 200]]), np.array([0.9])) for k in range(6)]
    assert [t.frames for t in track_people(scans, slow)] == [[30 * k for k in range(6)]]
    assert track_people(scans, cfg) == []


def test_a_passer_whose_look_mixes_with_the_walker_it_overlaps_keeps_its_track():
    # The scans of a walker-benchmark video (crossing_lr_tracking_s617032321, session 19; boxes as the finder gave
    # them, looks made up): a tracking camera keeps the walker near x = 485 while a passer-by crosses in front from
    # the left; every other scan's tile size sees nobody this large. At frame 90 the passer's box overlaps the
    # walker's predicted box and its colours mix with the walker's: past ``max_appearance`` from its own look,
    # though far nearer to it than to the walker's. Refused there, it started a one-sighting track that later took
    # the walker's box, and the walker's track was joined to the passer's: the crop followed the passer after the
    # crossing. Now the mixed look is judged against the walker's, and each keeps its own track.
    walker, passer = _look(3), _look(30)
    mix = lambda share: (1.0 - share) * passer + share * walker  # noqa: E731
    assert appearance_distance(passer, mix(0.15)[None])[0] > TrackerConfig().max_appearance
    seen = {0: [((279, 104, 686, 511), walker)],
            30: [((-148, 61, 390, 599), passer), ((272, 97, 698, 524), walker)],
            60: [((0, 73, 500, 572), passer), ((272, 99, 697, 523), walker)],
            90: [((171, 104, 610, 543), mix(0.15))], 120: [((263, 88, 749, 574), mix(0.1))],
            150: [((389, 99, 859, 570), passer), ((272, 91, 728, 547), 0.9 * walker + 0.1 * passer)],
            180: [((546, 92, 1041, 588), passer), ((260, 91, 707, 539), walker)],
            210: [((270, 96, 693, 519), walker), ((675, 72, 1171, 567), passer)]}
    scans = []
    for frame in range(0, 226, 15):
        people = seen.get(frame, [])
        boxes = np.array([b for b, _ in people], float).reshape(-1, 4)
        looks = np.array([f for _, f in people]) if people else np.zeros((0, 48))
        scans.append((frame, boxes, np.full(len(people), 0.9), looks))
    walker_track = next(t for t in track_people(scans) if t.frames[0] == 0)
    assert walker_track.frames[-1] == 210
    assert all(abs(walker_track.centre(i)[0] - 490) < 30 for i in range(len(walker_track.frames)))


def test_boxes_between_sightings_are_interpolated_and_unknown_outside_them():
    track = Track(1, [10, 20], [_box(100.0), _box(200.0)], [0.9, 0.9])
    at = track.boxes_at(np.array([5, 10, 15, 20, 25]))
    assert np.isnan(at[[0, 4]]).all()
    np.testing.assert_allclose(at[1:4], [_box(100.0), _box(150.0), _box(200.0)])
