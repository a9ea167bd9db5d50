import numpy as np
import pytest

from core.pose.people import (
    FinderConfig,
    PersonFinder,
    decode_detections,
    detector_anchors,
    square_tiles,
    weighted_nms,
)


def test_anchor_layout_matches_the_detector_outputs():
    anchors = detector_anchors()
    assert anchors.shape == (2254, 2)
    assert anchors.min() > 0 and anchors.max() < 1
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])


def test_decode_builds_the_body_box_from_hip_and_scale_keypoints():
    scores = np.full(2254, -10.0)
    reg = np.zeros((2254, 12))
    i = 1568 + 2 * (7 * 14 + 7)  # a 16 px-stride anchor at cell (7, 7): centre (15/28, 15/28)
    scores[i] = 5.0
    reg[i, 4:6] = [0.0, 0.0]  # hip centre on the anchor
    reg[i, 6:8] = [0.0, -44.8]  # scale point 0.2 of the input above the hip
    boxes, sc = decode_detections(scores, reg, 0.5)
    assert len(boxes) == 1 and sc[0] > 0.99
    c = 15 / 28
    np.testing.assert_allclose(boxes[0], [c - 0.25, c - 0.25, c + 0.25, c + 0.25], atol=1e-9)


def test_nms_merges_one_person_seen_at_two_tile_sizes_but_not_two_people():
    boxes = np.array([[100, 100, 300, 300], [120, 110, 290, 290], [600, 100, 800, 300]], float)
    merged, scores = weighted_nms(boxes, np.array([0.9, 0.8, 0.7]), 0.5)
    assert len(merged) == 2 and scores[0] == pytest.approx(0.9)


def test_tiles_cover_the_frame_with_overlap():
    tiles = square_tiles(1280, 720, (1.0, 0.6))
    covered = np.zeros((720, 1280), bool)
    for x0, y0, side in tiles:
        assert x0 + side <= 1280 and y0 + side <= 720
        covered[y0 : y0 + side, x0 : x0 + side] = True
    assert covered.all()
    assert sum(1 for t in tiles if t[2] == 720) == 3


def test_detector_finds_the_rendered_walker(tmp_path):
    from core.pose.video import iter_frames
    from core.synthetic import GaitParams, generate_walking_video

    video = tmp_path / "w.mp4"
    truth = generate_walking_video(video, GaitParams(duration_s=1.0, fps=30.0, width_px=640, height_px=360,
                                                     seed=1, camera="static"))
    frame = next(f for f in iter_frames(video, start=15, stop=16))
    boxes, scores = PersonFinder(FinderConfig()).find(frame.image)
    assert len(boxes) == 1 and scores[0] > 0.5
    lm = np.array([v[15] for v in truth["landmarks"].values()])  # (33, 2) px
    hip = lm[[23, 24]].mean(0)
    height = lm[:, 1].max() - lm[:, 1].min()
    b = boxes[0]
    assert b[0] < lm[:, 0].min() and b[2] > lm[:, 0].max() and b[1] < lm[:, 1].min() and b[3] > lm[:, 1].max()
    assert abs((b[0] + b[2]) / 2 - hip[0]) < 0.15 * height
    assert 1.0 < (b[3] - b[1]) / height < 2.0


def test_a_region_keeps_the_people_centred_in_it_even_when_their_head_leaves_it(tmp_path):
    from core.pose.video import iter_frames
    from core.synthetic import GaitParams, generate_walking_video

    video = tmp_path / "w.mp4"
    truth = generate_walking_video(video, GaitParams(duration_s=1.0, fps=30.0, width_px=640, height_px=360,
                                                     seed=1, camera="static"))
    frame = next(f for f in iter_frames(video, start=15, stop=16))
    lm = np.array([v[15] for v in truth["landmarks"].values()])  # (33, 2) px
    hip_y = float(lm[[23, 24], 1].mean())
    finder = PersonFinder(FinderConfig())
    (whole,), _ = finder.find(frame.image)
    below_the_chest = (0, int(hip_y - 20), 640, 360)  # the head and shoulders are outside it
    (found,), _ = finder.find(frame.image, below_the_chest)
    assert np.allclose(found, whole)  # seen whole, as without the region
    centre_y = (whole[1] + whole[3]) / 2
    assert len(finder.find(frame.image, (0, int(centre_y + 10), 640, 360))[0]) == 0  # centred above it: not kept


def test_nms_keeps_two_people_side_by_side_whose_wide_boxes_overlap():
    # two body boxes (square, ~1.25 body heights) 0.55 of a side apart, one nearer (larger): two people
    near = np.array([[300, 100, 640, 440], [310, 105, 645, 440]], float)
    far = np.array([[480, 130, 780, 430], [485, 128, 782, 430]], float)
    boxes, scores = np.vstack([near, far]), np.array([0.95, 0.9, 0.85, 0.8])
    merged, _ = weighted_nms(boxes, scores, 0.8)
    assert len(merged) == 2
    centres = sorted((b[0] + b[2]) / 2 for b in merged)
    assert abs(centres[0] - 474) < 2 and abs(centres[1] - 632) < 2
    assert len(weighted_nms(boxes, scores, 0.5, 0.0)[0]) == 1  # the former rule: one box between them


def test_the_shared_finder_is_one_per_config_in_a_process():
    from dataclasses import replace

    from core.pose.people import FinderConfig, shared_finder

    cfg = FinderConfig()
    assert shared_finder(cfg) is shared_finder(FinderConfig())
    other = replace(cfg, min_score=cfg.min_score + 0.1)
    assert shared_finder(other) is not shared_finder(cfg) and shared_finder(other).cfg == other


def test_the_finder_and_the_direct_engine_share_one_detector_in_a_process():
    from core.config import load_profile
    from core.pose.direct_pose import DirectPoseEstimator
    from core.pose.litert_runner import DETECTOR_FILE, shared_model, shipped_model_path
    from core.pose.people import PersonFinder

    detector = shared_model(shipped_model_path(DETECTOR_FILE), 1)
    assert PersonFinder()._detector() is detector  # built once per process (~40 ms of CPU), not per user
    with DirectPoseEstimator(load_profile("balanced").pose, 1) as engine:
        assert engine._detector is detector
    assert shared_model(shipped_model_path(DETECTOR_FILE), 2) is not detector  # another thread count
