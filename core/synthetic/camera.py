"""World (metres, X forward, Y up) to image (pixels, x right, y down) for the side-view camera.

Orthographic side view. The scale puts the standing walker at ``walker_height_px`` pixels, or else at
``figure_height_frac`` of the frame height. Camera modes:
- "static": a fixed camera; the walker crosses the frame (the whole walk must fit, so with
  camera="static" the scale shrinks if needed).
- "tracking": the camera pans at the walker's mean speed (like a dolly or a treadmill), so the pelvis
  stays near the frame centre and the background scrolls.
"auto" picks static when the whole walk fits at the nominal scale, tracking otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.params import GaitParams

WALK_MARGIN_M = 0.7  # room kept around the pelvis (feet and arms reach ~0.5 m ahead/behind)


@dataclass(frozen=True)
class Camera:
    mode: str
    px_per_m: float
    ground_row_px: float
    center_col_px: float
    direction_sign: int  # +1: walking left to right in the image
    center_x_m: np.ndarray  # (T,) world X seen at the centre column in each frame

    def to_image(self, points_m: np.ndarray) -> np.ndarray:
        """(T, 2) or (T, N, 2) world points -> image pixels, same shape."""
        cx = self.center_x_m.reshape((-1,) + (1,) * (points_m.ndim - 2))
        col = self.center_col_px + self.direction_sign * (points_m[..., 0] - cx) * self.px_per_m
        row = self.ground_row_px - points_m[..., 1] * self.px_per_m
        return np.stack([col, row], axis=-1)

    def scroll_px(self) -> np.ndarray:
        """(T,) horizontal shift of world-fixed scenery: column = world_col - scroll."""
        return self.direction_sign * self.center_x_m * self.px_per_m - self.center_col_px


def choose_camera(params: GaitParams, pelvis_x_m: np.ndarray, time_s: np.ndarray) -> Camera:
    walker_px = params.walker_height_px or params.figure_height_frac * params.height_px
    nominal = walker_px / params.subject_height_m
    ground = params.height_px * (1.0 - 0.3 * (1.0 - params.figure_height_frac))
    sign = 1 if params.direction == "left_to_right" else -1
    center_col = (params.width_px - 1) / 2.0
    lo, hi = pelvis_x_m.min() - WALK_MARGIN_M, pelvis_x_m.max() + WALK_MARGIN_M
    fits = (hi - lo) * nominal <= params.width_px
    if params.camera == "static" or (params.camera == "auto" and fits):
        scale = min(nominal, params.width_px / (hi - lo))
        return Camera("static", scale, ground, center_col, sign, np.full(len(time_s), (lo + hi) / 2.0))
    if len(time_s) > 1:
        slope, intercept = np.polyfit(time_s, pelvis_x_m, 1)
    else:
        slope, intercept = 0.0, float(pelvis_x_m[0])
    return Camera("tracking", nominal, ground, center_col, sign, intercept + slope * time_s)
