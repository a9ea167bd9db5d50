"""The walker's crop: the frame size it is cut from."""

import numpy as np

from core.pose.extractor import _queue_for
from core.pose.follow_path import LANDMARK_INPUT_PX, FollowPath, crop_max_side_px


def test_a_small_walker_is_cropped_from_a_frame_large_enough_for_the_landmark_model():
    small = FollowPath(0, np.array([[0.0, 0.0, 226.0, 226.0]]), frame_side_px=1280)  # 120 px walker, 1280x720
    assert crop_max_side_px(960, small) == 0  # 226 px crop: shrinking it to 960 would give 170 px < 256
    middling = FollowPath(0, np.array([[0.0, 0.0, 400.0, 400.0]]), frame_side_px=1920)
    assert crop_max_side_px(960, middling) == int(np.ceil(1920 * LANDMARK_INPUT_PX / 400.0))  # 1229: just enough
    large = FollowPath(0, np.array([[0.0, 0.0, 900.0, 900.0]]), frame_side_px=1920)
    assert crop_max_side_px(960, large) == 960  # the profile's size already gives the model >= 256 px
    assert crop_max_side_px(0, small) == 0 and crop_max_side_px(960, None) == 960
    assert crop_max_side_px(960, FollowPath(0, small.boxes_px)) == 960  # frame size unknown: as planned


def test_frames_kept_larger_than_planned_queue_fewer_for_the_same_memory():
    small = FollowPath(0, np.array([[0.0, 0.0, 226.0, 226.0]]), frame_side_px=1920)
    assert _queue_for(16, 960, 0, small) == 4  # native 1920: 4x the px per frame
    assert _queue_for(16, 960, 960, small) == 16 and _queue_for(3, 960, 0, small) == 2
