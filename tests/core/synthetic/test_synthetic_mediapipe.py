"""MediaPipe Pose tracks the synthetic walker: detection rate and landmark accuracy against the truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.constants import LANDMARK_INDEX
from core.synthetic import GaitParams, generate_walking_video


@pytest.mark.slow
def test_mediapipe_detects_and_locates_the_walker(tmp_path):
    import mediapipe as mp

    params = GaitParams(duration_s=10.0, fps=30.0, width_px=640, height_px=480, noise=2.0, seed=11)
    path = tmp_path / "walk.mp4"
    truth = generate_walking_video(path, params)
    cap = cv2.VideoCapture(str(path))
    found = []
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            landmarks = result.pose_landmarks.landmark if result.pose_landmarks else None
            found.append(None if landmarks is None else np.array([[p.x * 640, p.y * 480] for p in landmarks]))
    finally:
        pose.close()
        cap.release()
    assert len(found) == truth["n_frames"]
    detected = [i for i, f in enumerate(found) if f is not None]
    assert len(detected) >= 0.95 * len(found)
    leg_px = truth["leg_length_px"]
    for part in ("hip", "ankle"):
        errors = [
            np.linalg.norm(found[i][LANDMARK_INDEX[f"{side}_{part}"]] - truth["landmarks"][f"{side}_{part}"][i])
            for i in detected for side in ("left", "right")
        ]
        assert np.median(errors) < 0.05 * leg_px, f"{part}: median error {np.median(errors):.1f} px"
