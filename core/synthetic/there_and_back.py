"""A walk there and back in one video: a pass, the walker standing, the same walk the other way.

The side-view model cannot turn, so the turn is a stand: the first pass stops on its last frame with
both feet on the ground (double support), that frame is held for ``stand_s`` seconds (fresh camera noise
on it), and the second pass starts where the first ended, walking the other way (the same walker, seed
and static camera, mirrored, from its frame with both feet down where they are nearest the feet of the
stand: the feet do not jump). ``stand_s`` 0 cuts the two passes together (an instant reversal). The
truth's events and landmarks are those of both passes on the joined clock; ``truth["passes"]`` lists each
pass's direction and frames.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from core.errors import ConfigError
from core.synthetic.camera import Camera
from core.synthetic.gait_model import GaitKinematics
from core.synthetic.params import DIRECTIONS, GaitParams

MAX_STAND_S = 10.0


def other_direction(direction: str) -> str:
    """The opposite of ``direction`` ("left_to_right" <-> "right_to_left")."""
    return DIRECTIONS[1 - DIRECTIONS.index(direction)]


def pass_cuts(contact: dict[str, np.ndarray], heels_there_px: np.ndarray, heels_back_px: np.ndarray,
              last_s: int) -> tuple[int, int, float]:
    """(end, start, shift_px): the stand's frame of the first pass (of its frames with both feet on the ground in
    the last ``last_s`` frames, the one with the heels lowest), the second pass's first frame (of its frames with
    both feet down within ``last_s`` of the frame mirroring ``end``, where the passes, mirror images centred in
    the frame, are at the same spot: the one whose heels lie most as those at ``end``) and the shift (image
    columns) that puts its heels where they stood. contact: side -> (T,) bool, the same in both passes
    (one seed); heels_*_px: (T, 2, 2) heel (column, row) of each pass, left then right."""
    down = np.nonzero(contact["left"] & contact["right"])[0]
    if not down.size:
        return len(contact["left"]) - 1, 0, 0.0
    late = down[down >= down[-1] - last_s]
    end = int(late[np.argmax(heels_there_px[late, :, 1].min(axis=1))])  # rows grow downwards: lowest heels
    stood = heels_there_px[end] - [heels_there_px[end, :, 0].mean(), 0.0]
    near = down[np.abs(down - (len(contact["left"]) - 1 - end)) <= last_s]
    near = near if near.size else down
    pose_gap = np.abs(heels_back_px[near] - heels_back_px[near, :, :1].mean(axis=1, keepdims=True) * [1, 0] - stood)
    start = int(near[np.argmin(pose_gap.sum(axis=(1, 2)))])
    return end, start, float(heels_there_px[end, :, 0].mean() - heels_back_px[start, :, 0].mean())


def same_scenery(kin: GaitKinematics, camera: Camera, shift_px: float = 0.0) -> tuple[GaitKinematics, Camera]:
    """The way back's model and camera moved along the world's X so that the scenery scrolls as on the way
    there (the same wall and ground behind the walker); the walker's image moves by ``shift_px`` columns."""
    walker_m = shift_px / (camera.direction_sign * camera.px_per_m)
    shift_m = (2.0 * camera.center_x_m[:, None] - walker_m) * np.array([1.0, 0.0])
    points = {name: p - shift_m for name, p in kin.points_m.items()}
    return replace(kin, points_m=points), replace(camera, center_x_m=-camera.center_x_m)


def join_truths(first: dict, second: dict, end: int, stand_frames: int, start: int = 0) -> dict:
    """Truth of frames 0..end of ``first``, ``stand_frames`` copies of frame ``end``, then ``second`` from
    its frame ``start``."""
    fps = float(first["fps"])
    offset = end + 1 + stand_frames
    n_second = int(second["n_frames"]) - start
    events = [e for e in first["events"] if e["frame"] <= end]
    events += [dict(e, frame=int(e["frame"]) - start + offset, time_s=float(e["time_s"]) + (offset - start) / fps)
               for e in second["events"] if e["frame"] >= start]
    landmarks = {
        name: np.concatenate([np.asarray(track)[:end + 1], np.repeat(np.asarray(track)[end:end + 1], stand_frames, 0),
                              np.asarray(second["landmarks"][name])[start:]])
        for name, track in first["landmarks"].items()
    }
    keep = ("format", "name", "fps", "width", "height", "px_per_m", "camera_mode", "ground_row_px", "direction",
            "near_side", "style", "params", "subject_height_m", "leg_length_m", "leg_length_px", "exact_landmarks",
            "cadence_steps_per_min", "stride_time_s", "stride_length_m", "step_length_m", "step_length_m_by_side",
            "walking_speed_m_s", "stance_pct", "swing_pct", "double_support_pct")
    out = {k: first[k] for k in keep if k in first}
    out.update(
        n_frames=offset + n_second, events=events, landmarks=landmarks,
        passes=[{"direction": first["direction"], "near_side": first["near_side"], "first_frame": 0,
                 "last_frame": end},
                {"direction": second["direction"], "near_side": second["near_side"], "first_frame": offset,
                 "last_frame": offset + n_second - 1}],
        stand_frames=[end + 1, offset - 1] if stand_frames else None,
    )
    return out


def there_and_back_frames(params: GaitParams, stand_s: float) -> tuple[Iterator[np.ndarray], dict]:
    """(frames, truth) of a there-and-back walk: ``params`` is each pass (its direction is the first's)."""
    from core.synthetic import simulate_scene
    from core.synthetic.render import render_frames

    if not 0.0 <= stand_s <= MAX_STAND_S:
        raise ConfigError(f"stand must be within 0..{MAX_STAND_S:g} s, got {stand_s}")
    passes = [replace(params, camera="static", second_person="none"),
              replace(params, camera="static", second_person="none", direction=other_direction(params.direction))]
    scenes = [simulate_scene(p) for p in passes]
    kin = scenes[0][0]
    heels = [np.stack([np.asarray(t["landmarks"][f"{side}_heel"]) for side in ("left", "right")], axis=1)
             for t in (scenes[0][3], scenes[1][3])]
    stride_frames = int(round(120.0 / params.cadence * params.fps))
    end, start, shift_px = (pass_cuts(kin.contact, *heels, stride_frames) if stand_s > 0
                            else (params.n_frames - 1, 0, 0.0))
    back_kin, back_camera = same_scenery(scenes[1][0], scenes[1][1], shift_px)
    back_truth = dict(scenes[1][3], landmarks={n: np.asarray(p) + [shift_px, 0.0]
                                                for n, p in scenes[1][3]["landmarks"].items()})
    stand_frames = int(round(stand_s * params.fps))
    truth = join_truths(scenes[0][3], back_truth, end, stand_frames, start)
    rng = np.random.default_rng([params.seed, 16])

    def frames() -> Iterator[np.ndarray]:
        stood = None
        for i, frame in enumerate(render_frames(kin, scenes[0][1], passes[0])):
            if i > end:
                break
            stood = frame
            yield frame
        for _ in range(stand_frames):
            noise = rng.normal(0.0, max(params.noise, 1.0), stood.shape)
            yield np.clip(stood + noise, 0, 255).astype(np.uint8)
        for i, frame in enumerate(render_frames(back_kin, back_camera, passes[1])):
            if i >= start:
                yield frame

    return frames(), truth


def generate_there_and_back_video(out_path: str | Path, params: GaitParams, stand_s: float) -> dict:
    """Render a there-and-back walk to ``out_path`` and write its truth JSON beside it; return the truth."""
    from core.io.atomic import write_json
    from core.io.video_writer import write_video
    from core.synthetic import truth_path

    out_path = Path(out_path)
    frames, truth = there_and_back_frames(params, stand_s)
    truth["name"] = out_path.name
    written = write_video(out_path, frames, params.fps, (params.width_px, params.height_px),
                          bitrate_bps=int(params.bitrate_mbps * 1e6))
    truth["n_frames"] = written
    write_json(truth_path(out_path), truth)
    return truth
