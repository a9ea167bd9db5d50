"""A walk there and back in one video: two mirrored passes joined by a stand (issue 12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import ConfigError
from core.synthetic import GaitParams, truth_path
from core.synthetic.there_and_back import generate_there_and_back_video, there_and_back_frames

PARAMS = GaitParams(width_px=320, height_px=180, duration_s=4.0, fps=30.0, seed=3)


def _count_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


def _pelvis_col(truth: dict, frame: int) -> float:
    return float(np.mean([truth["landmarks"][f"{s}_hip"][frame][0] for s in ("left", "right")]))


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
def test_the_way_back_starts_where_the_way_there_stopped(direction: str) -> None:
    _, truth = there_and_back_frames(GaitParams(**{**PARAMS.__dict__, "direction": direction}), stand_s=1.0)
    there, back = truth["passes"]
    assert (there["direction"], back["direction"]) == (direction, "right_to_left" if direction == "left_to_right"
                                                       else "left_to_right")
    assert there["near_side"] != back["near_side"]
    assert back["first_frame"] - there["last_frame"] - 1 == 30  # the stand
    hip = truth["landmarks"]["left_hip"]
    assert np.allclose(hip[there["last_frame"]:back["first_frame"]], hip[there["last_frame"]])  # standing still
    leg_px = truth["leg_length_px"]
    assert abs(_pelvis_col(truth, back["first_frame"]) - _pelvis_col(truth, there["last_frame"])) < 0.5 * leg_px
    frames = [e["frame"] for e in truth["events"]]
    assert frames == sorted(frames) and len(frames) > 8
    assert not any(there["last_frame"] < f < back["first_frame"] for f in frames)  # no event while standing
    assert all(len(track) == truth["n_frames"] for track in truth["landmarks"].values())


def test_an_instant_reversal_joins_the_whole_passes() -> None:
    _, truth = there_and_back_frames(PARAMS, stand_s=0.0)
    there, back = truth["passes"]
    assert (there["last_frame"], back["first_frame"], truth["n_frames"]) == (119, 120, 240)
    assert truth["stand_frames"] is None


def test_the_stand_is_checked() -> None:
    with pytest.raises(ConfigError):
        there_and_back_frames(PARAMS, stand_s=-1.0)


def test_the_video_has_the_truths_frames(tmp_path: Path) -> None:
    params = GaitParams(width_px=160, height_px=96, duration_s=1.5, fps=10.0, seed=4)
    truth = generate_there_and_back_video(tmp_path / "tb.mp4", params, stand_s=0.5)
    assert truth_path(tmp_path / "tb.mp4").is_file()
    assert _count_frames(tmp_path / "tb.mp4") == truth["n_frames"] == truth["passes"][1]["last_frame"] + 1
