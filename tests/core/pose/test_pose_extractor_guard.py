"""On the whole-frame path the extractor keeps every pose but makes the pose model look afresh after a
pose the whole-frame guard refuses (core/pose/extractor.py ``_process``)."""

from types import SimpleNamespace

import numpy as np

from core.pose.extractor import _process
from core.pose.frame_guard import WalkerState
from tests.core.pose.test_pose_frame_guard import FPS, _pose, _walk


class _Model:
    def __init__(self, poses: list[np.ndarray]) -> None:
        self.poses, self.resets = poses, 0

    def process(self, frame, mirror=False):  # noqa: ANN001, ANN201
        return self.poses[frame.index], np.zeros((33, 3))

    def reset(self) -> None:
        self.resets += 1


def test_a_refused_pose_is_kept_but_resets_the_model():
    poses = _walk(40)
    poses[30] = _pose(900.0, 480.0, facing=-1, torso=130.0)  # the passer-by for one frame
    model = _Model(poses)
    lane = SimpleNamespace(estimator=model, walker=WalkerState())
    for i in range(40):
        result = _process(lane, SimpleNamespace(index=i, time_s=i / FPS), None)
        assert result is not None and result[0] is poses[i]
        assert model.resets == (1 if i >= 30 else 0)
