"""The direct engine's geometry (core/pose/pose_roi.py): crops, the way back, and heatmap refinement."""

import numpy as np

from core.pose.pose_roi import (
    PoseRoi, crop, crop_matrix, crop_to_image, refine_from_heatmap, roi_from_points, rotate_world, square_around,
)


def test_an_upright_body_gets_an_unrotated_roi_of_two_and_a_half_times_its_half_size():
    roi = roi_from_points(np.array([100.0, 200.0]), np.array([100.0, 120.0]))  # scale point 80 px above
    assert (roi.centre_x_px, roi.centre_y_px) == (100.0, 200.0)
    assert np.isclose(roi.side_px, 2 * 1.25 * 80) and np.isclose(roi.rotation_rad, 0.0)
    lying = roi_from_points(np.array([100.0, 200.0]), np.array([180.0, 200.0]))  # head to the right
    assert np.isclose(lying.rotation_rad, np.pi / 2)


def test_the_way_back_matches_the_crop_at_any_rotation():
    # a model-input point, taken back to the frame, lands where the crop took that input pixel from
    rng = np.random.default_rng(0)
    norm = rng.uniform(-0.2, 1.2, size=(20, 2))
    for rot in (0.0, 0.4, -2.5, np.pi):
        roi = PoseRoi(250.0, 240.0, 300.0, rot)
        by_crop = np.c_[norm * 256, np.ones(len(norm))] @ crop_matrix(roi, 256).T
        assert np.allclose(crop_to_image(norm, roi), by_crop)
    roi = PoseRoi(250.0, 240.0, 300.0, np.pi / 2)  # turned a quarter clockwise: crop's +x is the frame's +y
    top_right = crop_to_image(np.array([[1.0, 0.5]]), roi)[0]
    assert np.allclose(top_right, [250.0, 240.0 + 150.0])


def test_the_crop_shows_the_frame_pixel_that_the_mapping_names():
    image = np.zeros((200, 300, 3), np.uint8)
    image[60:70, 180:190] = 255  # a bright square centred at (184.5, 64.5), inside the ROI
    roi = roi_from_points(np.array([150.0, 100.0]), np.array([190.0, 100.0]))  # rotated a quarter
    out = crop(image, roi, 64, replicate_border=True)
    ys, xs = np.nonzero(out[:, :, 0] > 128)
    centre_norm = np.array([[xs.mean(), ys.mean()]]) / 64  # crop px u samples the ROI at u / 64
    assert np.linalg.norm(crop_to_image(centre_norm, roi)[0] - [184.5, 64.5]) < 0.8
    black = crop(image, square_around((250.0, 0.0, 350.0, 50.0)), 32, replicate_border=False)
    assert black[:, -4:].max() == 0  # outside the frame: black for the detector


def test_world_landmarks_turn_with_the_roi():
    world = np.array([[1.0, 0.0, 0.3]])
    assert np.allclose(rotate_world(world, np.pi / 2), [[0.0, 1.0, 0.3]])


def test_heatmap_refinement_takes_the_confident_weighted_centre_and_leaves_the_rest():
    hm = np.full((64, 64, 3), -20.0)
    hm[30, 40, 0] = hm[30, 42, 0] = 5.0  # two equal peaks: the mean lies between them (col 41, row 30)
    hm[10, 10, 1] = -1.0  # confidence 0.27 < 0.5: no refinement
    pts = np.array([[41.6 / 64, 30.2 / 64], [10.0 / 64, 10.0 / 64], [1.2, 0.5]])  # the third is outside
    out = refine_from_heatmap(pts, hm)
    assert np.allclose(out[0], [41 / 64, 30 / 64], atol=1e-6)
    assert np.allclose(out[1:], pts[1:])
