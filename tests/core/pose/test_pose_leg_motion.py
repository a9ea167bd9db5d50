import numpy as np

from core.pose.leg_motion import leg_motion
from core.pose.tracking import Track, box_iou
from core.pose.walker_choice import CROWDED_IOU, MIN_LEG_MOTION, choose_walker


def _frame(body_x: float, legs_dx: tuple[float, float] = (0.0, 0.0), size: int = 200) -> np.ndarray:
    """A grey frame (size x 2 size) with smooth static scenery (stripes 40 px wide) and a body box of side
    100 centred on the hip at (body_x, 100): a torso block above the hip and two leg bars below, each
    leg shifted by its own ``legs_dx`` px."""
    cols = np.arange(2 * size)
    img = np.tile(100 + 30 * np.sin(2 * np.pi * cols / 80.0), (size, 1)).astype(np.float32)
    x = int(round(body_x))
    img[60:95, x - 10 : x + 10] = 30.0  # torso
    img[55:62, x - 4 : x + 4] = 220.0  # collar, so the torso alignment has something to hold
    for k, dx in zip((-6, 6), legs_dx):
        c = int(round(body_x + k + dx))
        img[100:140, c - 3 : c + 3] = 200.0 if k < 0 else 60.0
    return img


def _box(x: float) -> np.ndarray:
    return np.array([[x - 50, 50, x + 50, 150]])


def test_legs_moving_against_the_torso_read_high_a_body_moving_as_one_piece_reads_about_zero():
    a = _frame(150.0)
    sliding = leg_motion(a, _frame(154.0), _box(150.0))[0]
    stepping = leg_motion(a, _frame(154.0, legs_dx=(6.0, -3.0)), _box(150.0))[0]
    assert abs(sliding) < 0.02
    assert stepping > 2 * MIN_LEG_MOTION


def test_leg_motion_is_nan_without_a_second_frame_or_at_the_frame_edge():
    a = _frame(150.0)
    assert np.isnan(leg_motion(a, None, _box(150.0))).all()
    assert np.isnan(leg_motion(a, a, _box(10.0))[0])
    assert leg_motion(a, a, np.zeros((0, 4))).shape == (0,)


def _walker(x0: float, dx: float, legs: float, n: int = 10, h: float = 200.0) -> Track:
    frames = [15 * s for s in range(n)]
    boxes = [np.array([x0 + dx * s - h / 2, 300, x0 + dx * s + h / 2, 300 + h]) for s in range(n)]
    return Track(0, frames, boxes, [0.9] * n, [], [legs] * n)


def test_someone_sliding_along_is_not_chosen_over_a_walker():
    slider = _walker(100.0, 60.0, legs=0.0)  # covers more ground in the image, legs still
    walker = _walker(1100.0, -40.0, legs=0.2)
    tracks = [Track(i + 1, t.frames, t.boxes, t.scores, t.features, t.legs) for i, t in enumerate((slider, walker))]
    chosen, sums = choose_walker(tracks)
    assert chosen.track_id == 2 and "sliding without stepping" in sums[1].reason
    unmeasured = [Track(t.track_id, t.frames, t.boxes, t.scores) for t in tracks]
    assert choose_walker(unmeasured)[0].track_id == 1  # no leg evidence: the most ground, as before


def test_a_walker_whose_legs_a_passer_by_crowds_is_judged_on_its_clear_sightings():
    # A passer-by overtakes the walker in front (the case of docs/walker.md, session 19): where their boxes overlap,
    # the walker's legs region holds both people and read 0.02, below MIN_LEG_MOTION, in most of its sightings;
    # alone they read 0.07-0.17. Judged on all sightings it was "sliding without stepping" and the passer-by,
    # who is in view for half as long, was analysed.
    frames = [15 * s for s in range(10)]
    walker_boxes = [np.array([750.0 - 50 * s, 100, 1050.0 - 50 * s, 400]) for s in range(10)]
    passer_at = {1: 1000.0, 2: 930.0, 3: 860.0, 4: 790.0, 5: 720.0, 6: 650.0, 7: 580.0}
    passer_boxes = {k: np.array([x - 160, 90, x + 160, 410]) for k, x in passer_at.items()}
    crowded = [k in passer_boxes and box_iou(walker_boxes[k], passer_boxes[k]) >= CROWDED_IOU for k in range(10)]
    walker = Track(1, frames, walker_boxes, [0.9] * 10, [], [0.02 if c else 0.12 for c in crowded])
    passer = Track(2, [frames[k] for k in passer_at], list(passer_boxes.values()), [0.9] * len(passer_at), [],
                   [0.11] * len(passer_at))
    assert sum(crowded) > len(crowded) / 2 and np.median(walker.legs) < MIN_LEG_MOTION
    chosen, sums = choose_walker([walker, passer], frame_size_px=(1280, 720))
    assert chosen.track_id == 1 and sums[0].leg_motion > MIN_LEG_MOTION


def test_one_clear_sighting_is_no_median():
    # A standing figure a walker passes in front of: crowded in three sightings, clear in one that reads just above
    # MIN_LEG_MOTION (noise). One value is no median, so its leg motion comes from all four.
    from core.pose.walker_choice import summarise

    frames = [0, 15, 30, 45]
    stander = Track(1, frames, [np.array([400.0, 100, 700, 400])] * 4, [0.9] * 4, [], [0.03, 0.0, -0.01, 0.0])
    walker = Track(2, frames[1:], [np.array([x - 150, 100, x + 150, 400]) for x in (500.0, 560.0, 620.0)],
                   [0.9] * 3, [], [0.12] * 3)
    assert summarise(stander, None, None, None, [walker]).leg_motion < MIN_LEG_MOTION
