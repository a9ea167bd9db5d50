"""Phone-footage effects around the clean render: handheld shake and an occluder passing in front.

Shake is a smooth random translation of the image (a few slow sway components and a faint tremor),
the image motion that small pans and tilts of a hand-held phone cause; roll is not modelled. The
walker, the occluder and the truth landmarks move by the exact sub-pixel offset, the scenery by the
offset rounded to whole pixels. The occluder is a pole or a bush nearer the camera than the walker,
crossing the frame once so that it hides part of the walker for a moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synthetic.params import GaitParams
from core.synthetic.raster import Canvas, draw_capsule, draw_ellipse

_SWAY_HZ = (0.3, 0.7, 1.3, 2.1)  # handheld sway components; the tremor sits at 6-9 Hz
_TREMOR_SHARE = 0.15
_OCCLUDER_COLOURS = {"pole": ((70, 70, 72), (40, 44, 48), (120, 110, 96)),
                     "bush": ((40, 90, 40), (56, 110, 48), (34, 70, 44))}


def shake_offsets_px(params: GaitParams, n_frames: int) -> np.ndarray | None:
    """(T, 2) image translation (x, y pixels) of a handheld camera per frame, RMS ``shake_px`` per axis;
    None without shake."""
    if params.shake_px <= 0:
        return None
    rng = np.random.default_rng([params.seed, 4])
    t = np.arange(n_frames) / params.fps
    return params.shake_px * np.stack([_sway(t, rng), _sway(t, rng)], axis=-1)


def _sway(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(T,) a smooth random signal with unit RMS: slow sway plus a faint tremor."""
    amps = rng.uniform(0.5, 1.0, len(_SWAY_HZ)) / np.asarray(_SWAY_HZ) ** 0.5
    signal = sum(a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) for a, f in zip(amps, _SWAY_HZ))
    signal = signal / np.sqrt(0.5 * np.sum(amps ** 2))
    tremor = np.sin(2 * np.pi * rng.uniform(6.0, 9.0) * t + rng.uniform(0, 2 * np.pi)) * np.sqrt(2.0)
    return np.sqrt(1 - _TREMOR_SHARE ** 2) * signal + _TREMOR_SHARE * tremor


def shift_rows(frame: np.ndarray, rows: int) -> np.ndarray:
    """``frame`` moved down by ``rows`` whole pixels (up when negative), edge rows repeated."""
    if rows == 0:
        return frame
    out = np.empty_like(frame)
    if rows > 0:
        out[rows:], out[:rows] = frame[:-rows], frame[:1]
    else:
        out[:rows], out[rows:] = frame[-rows:], frame[-1:]
    return out


@dataclass(frozen=True)
class Occluder:
    """A pole (full height) or bush (low, hides the legs) in the foreground; positions in image pixels."""

    kind: str
    colour: np.ndarray  # BGR float32
    width_px: float
    height_px: float
    x_px: np.ndarray  # (T,) centre column per frame
    base_row_px: np.ndarray  # (T,) bottom row (below the walker's ground line: it is nearer)

    def as_truth(self) -> dict:
        return {"kind": self.kind, "width_px": self.width_px, "height_px": self.height_px,
                "x_px": self.x_px, "base_row_px": self.base_row_px}


def make_occluder(params: GaitParams, pelvis_col_px: np.ndarray, ground_row_px: float, figure_px: float,
                  shake_px: np.ndarray | None = None) -> Occluder | None:
    """The occluder of a video, or None when ``params.occluder`` is off; ``shake_px`` (T, 2) moves it.

    It reaches the walker's pelvis column at a random moment in the middle of the video and passes
    it in 0.3..0.8 s (a person walking by, or the camera panning past a post): its image speed is the
    walker's mean image speed plus that passing speed, so it never travels along with her.
    """
    if not params.occluder:
        return None
    rng = np.random.default_rng([params.seed, 5])
    kind = str(rng.choice(("pole", "bush")))
    colours = _OCCLUDER_COLOURS[kind]
    colour = np.array(colours[rng.integers(len(colours))][::-1], np.float32)
    n = params.n_frames
    meet = int(np.clip(rng.uniform(0.3, 0.7) * n, 0, n - 1))
    width = float(rng.uniform(0.08, 0.16) * figure_px) if kind == "pole" else float(rng.uniform(0.25, 0.45) * figure_px)
    crossing_s = rng.uniform(0.3, 0.8)
    speed_px_s = (width + 0.3 * figure_px) / crossing_s * rng.choice((-1.0, 1.0))
    t = (np.arange(n) - meet) / params.fps
    walker_px_s = (pelvis_col_px[-1] - pelvis_col_px[0]) / (t[-1] - t[0]) if n > 1 else 0.0
    x = pelvis_col_px[meet] + (walker_px_s + speed_px_s) * t
    height = 2.0 * params.height_px if kind == "pole" else float(rng.uniform(0.25, 0.4) * figure_px)
    base = np.full(n, ground_row_px + 0.05 * figure_px)
    if shake_px is not None:
        x, base = x + shake_px[:, 0], base + shake_px[:, 1]
    return Occluder(kind, colour, width, height, x, base)


def draw_occluder(frame: np.ndarray, occ: Occluder, i: float, levels: tuple[float, float]) -> None:
    """Draw ``occ`` at (fractional) frame index ``i`` into ``frame`` in place."""
    frames = np.arange(occ.x_px.size)
    x, base = float(np.interp(i, frames, occ.x_px)), float(np.interp(i, frames, occ.base_row_px))
    half = occ.width_px / 2.0
    lo = np.array([x - half - 2, base - occ.height_px - half - 2])
    hi = np.array([x + half + 2, base + half + 2])
    canvas = Canvas(frame, lo, hi, levels)
    if occ.kind == "pole":
        draw_capsule(canvas, np.array([x, base]), np.array([x, base - occ.height_px]), half, half, occ.colour)
    else:
        for k, dx in enumerate((-0.3, 0.0, 0.3)):
            shade = 0.85 + 0.1 * k
            draw_ellipse(canvas, np.array([x + dx * occ.width_px, base - 0.45 * occ.height_px]), 0.3 * occ.width_px,
                         0.55 * occ.height_px, np.array([0.0, -1.0]), occ.colour * shade)
    canvas.commit()
