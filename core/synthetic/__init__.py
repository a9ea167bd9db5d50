"""Synthetic side-view walking videos with exact ground truth (landmarks, gait events, parameters).

``generate_walking_video(path, GaitParams(...))`` writes ``path`` (MP4) and ``<stem>.truth.json``.
"""

from __future__ import annotations

from pathlib import Path

from core.synthetic.params import STYLES, GaitParams
from core.synthetic.truth import truth_to_events, truth_to_series

__all__ = ["STYLES", "GaitParams", "generate_walking_video", "simulate_scene", "simulate_walk", "truth_path",
           "truth_to_events", "truth_to_series"]


def truth_path(video_path: str | Path) -> Path:
    """``<stem>.truth.json`` beside the video."""
    video_path = Path(video_path)
    return video_path.with_name(video_path.stem + ".truth.json")


def simulate_walk(params: GaitParams, name: str = ""):  # noqa: ANN201 - returns (kinematics, camera, truth)
    """Model and camera of a walk, and its truth record, without rendering."""
    kin, camera, _, truth = simulate_scene(params, name)
    return kin, camera, truth


def simulate_scene(params: GaitParams, name: str = ""):  # noqa: ANN201
    """(kinematics, camera, other figures, truth): the walk plus ``params.second_person``'s figure.

    ``truth["people"]`` lists every figure with its per-frame box in px (the walker first).
    """
    from core.synthetic.camera import choose_camera
    from core.synthetic.gait_model import simulate_gait
    from core.synthetic.people import make_others, people_truth
    from core.synthetic.truth import build_truth

    kin = simulate_gait(params)
    camera = choose_camera(params, kin.points_m["pelvis"][:, 0], kin.time_s)
    others = make_others(params, kin, camera)
    truth = build_truth(kin, camera, params, name)
    truth["people"] = people_truth(kin, camera, params, others)
    return kin, camera, others, truth


def generate_walking_video(out_path: str | Path, params: GaitParams) -> dict:
    """Render the walk to ``out_path`` and write its truth JSON beside it; return the truth."""
    from core.io.atomic import write_json
    from core.pose.video_writer import write_video
    from core.synthetic.render import render_frames

    out_path = Path(out_path)
    kin, camera, others, truth = simulate_scene(params, out_path.name)
    frames = render_frames(kin, camera, params, others)
    written = write_video(out_path, frames, params.fps, (params.width_px, params.height_px))
    truth["n_frames"] = written
    write_json(truth_path(out_path), truth)
    return truth
