"""Review images: who was analysed, and where each gait event fell (pure numpy; matplotlib only renders text).

Images are (H, W, 3) uint8 BGR, like decoded video frames; landmarks are image pixels (x right, y down),
(33, >=2) per frame, NaN where missing; boxes are (x0, y0, x1, y1) px. The contact sheet of
``events_contact_sheet`` is returned as RGB, ready to be saved as PNG.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from core.constants import LANDMARK_INDEX, LANDMARK_NAMES, SKELETON_SEGMENTS
from core.types import GaitEvent

SIDE_BGR = {"left": (230, 120, 20), "right": (40, 40, 230)}  # blue and red, as in the other plots
WALKER_BGR = (60, 200, 60)
OTHER_BGR = (150, 150, 150)
EVENT_ABBREV = {"heel_strike": "HS", "toe_off": "TO"}
LABEL_BAND_PX = 20
TILE_GAP_PX = 4
FLAG_HOLD_S = 0.3  # an event flag stays on screen this long after its frame


def foot_points(side: str) -> list[int]:
    """Landmark indices of one side's shank and foot: knee, ankle, heel, foot index."""
    return [LANDMARK_INDEX[f"{side}_{part}"] for part in ("knee", "ankle", "heel", "foot_index")]


def foot_tile(image: np.ndarray, landmarks_px: np.ndarray, side: str, tile_px: int = 160) -> np.ndarray:
    """(tile_px, tile_px, 3) BGR crop around ``side``'s shank and foot, both feet's landmarks drawn.

    The crop is a square centred on the side's knee/ankle/heel/toe, 1.8 shank lengths wide (at least
    24 px); a grey tile when that side has no landmarks.
    """
    pts = landmarks_px[foot_points(side), :2]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) == 0:
        return np.full((tile_px, tile_px, 3), 90, np.uint8)
    centre = pts.mean(axis=0)
    knee, ankle = landmarks_px[foot_points(side)[:2], :2]
    shank = float(np.hypot(*(knee - ankle))) if np.isfinite(knee).all() and np.isfinite(ankle).all() else 0.0
    half = max(0.9 * shank, 12.0, float(np.ptp(pts, axis=0).max()) * 0.6)
    origin = centre - half
    scale = tile_px / (2.0 * half)
    grid = origin[None, :] + (np.arange(tile_px) + 0.5)[:, None] / scale  # (tile_px, 2) sample positions
    h, w = image.shape[:2]
    cols = np.floor(grid[:, 0]).astype(int)
    rows = np.floor(grid[:, 1]).astype(int)
    tile = image[np.clip(rows, 0, h - 1)][:, np.clip(cols, 0, w - 1)].copy()
    tile[(rows < 0) | (rows >= h)] = 60
    tile[:, (cols < 0) | (cols >= w)] = 60
    local = (landmarks_px[:, :2] - origin) * scale
    for s in SIDE_BGR:
        thick = 3 if s == side else 1
        idx = foot_points(s)
        for a, b in zip(idx[:-1], idx[1:]):
            draw_line(tile, local[a], local[b], SIDE_BGR[s], thick)
        draw_line(tile, local[idx[1]], local[idx[3]], SIDE_BGR[s], thick)
        for j in idx:
            draw_dot(tile, local[j], 2 + thick // 2, SIDE_BGR[s])
    return tile


def event_label(event: GaitEvent) -> str:
    """e.g. ``L HS f123 4.10s``."""
    return f"{event.side[0].upper()} {EVENT_ABBREV.get(event.event, event.event)} f{event.frame} {event.time_s:.2f}s"


def sheet_shape(n_tiles: int, tile_px: int, columns: int = 8) -> tuple[int, int]:
    """(height, width) px of the contact sheet of ``n_tiles`` tiles."""
    cols = max(1, min(columns, n_tiles))
    rows = max(1, -(-n_tiles // cols))
    cell_h, cell_w = tile_px + LABEL_BAND_PX + TILE_GAP_PX, tile_px + TILE_GAP_PX
    return rows * cell_h + TILE_GAP_PX, cols * cell_w + TILE_GAP_PX


def events_contact_sheet(tiles: Sequence[np.ndarray], events: Sequence[GaitEvent], columns: int = 8) -> np.ndarray:
    """RGB mosaic: one labelled tile per event, in the given (time) order, label band in the side's colour."""
    if len(tiles) != len(events) or not tiles:
        raise ValueError("one tile per event, at least one")
    tile_px = tiles[0].shape[0]
    height, width = sheet_shape(len(tiles), tile_px, columns)
    sheet = np.full((height, width, 3), 250, np.uint8)
    cols = max(1, min(columns, len(tiles)))
    for k, (tile, event) in enumerate(zip(tiles, events)):
        y = TILE_GAP_PX + (k // cols) * (tile_px + LABEL_BAND_PX + TILE_GAP_PX)
        x = TILE_GAP_PX + (k % cols) * (tile_px + TILE_GAP_PX)
        sheet[y: y + LABEL_BAND_PX, x: x + tile_px] = SIDE_BGR.get(event.side, OTHER_BGR)
        paste_text(sheet, event_label(event), (x + 3, y + 2), (255, 255, 255), LABEL_BAND_PX - 6,
                   max_width_px=tile_px - 4)
        sheet[y + LABEL_BAND_PX: y + LABEL_BAND_PX + tile_px, x: x + tile_px] = tile
    return sheet[..., ::-1].copy()


def landmark_boxes(landmarks_px: np.ndarray, pad_frac: float = 0.08) -> np.ndarray:
    """(n, 4) box around each frame's landmarks (n, 33, >=2), padded by ``pad_frac`` of its height; NaN if none."""
    xy = landmarks_px[..., :2]
    seen = np.isfinite(xy).all(axis=2).any(axis=1)
    boxes = np.full((len(xy), 4), np.nan)
    if seen.any():
        lo, hi = np.nanmin(xy[seen], axis=1), np.nanmax(xy[seen], axis=1)
        pad = pad_frac * (hi[:, 1] - lo[:, 1])[:, None]
        boxes[seen] = np.concatenate([lo - pad, hi + pad], axis=1)
    return boxes


def events_on_screen(events: Sequence[GaitEvent], time_s: float, frame_s: float,
                     hold_s: float = FLAG_HOLD_S) -> list[GaitEvent]:
    """The events flagged on a frame at ``time_s``: from half a frame (``frame_s``) before it to ``hold_s`` after."""
    return [e for e in events if -0.5 * frame_s <= time_s - e.time_s < hold_s]


def review_frame(image: np.ndarray, landmarks_px: np.ndarray, chosen_box_px: np.ndarray,
                 others: Sequence[tuple[int, np.ndarray]], flags: Sequence[GaitEvent]) -> np.ndarray:
    """A copy of ``image`` with the other tracks' boxes greyed, the analysed person's box and skeleton,
    and a flag (side, HS/TO) at the foot of each event in ``flags``."""
    out = image.copy()
    size = max(12, min(out.shape[:2]) // 40)
    for track_id, box in others:
        if np.isfinite(box).all():
            draw_rect(out, box, OTHER_BGR, 1)
            paste_text(out, f"#{track_id}", (box[0] + 2, box[1] + 2), OTHER_BGR, size)
    if np.isfinite(chosen_box_px).all():
        draw_rect(out, chosen_box_px, WALKER_BGR, 2)
        paste_text(out, "analysed", (chosen_box_px[0] + 2, chosen_box_px[1] - size - 2), WALKER_BGR, size)
    for a, b in SKELETON_SEGMENTS:
        draw_line(out, landmarks_px[a, :2], landmarks_px[b, :2], _segment_colour(a, b), 2)
    for k, event in enumerate(flags):
        toe = landmarks_px[LANDMARK_INDEX[f"{event.side}_foot_index"], :2]
        at = toe + np.array([4.0, 6.0]) if np.isfinite(toe).all() else np.array([8.0, 8.0 + k * (size + 6)])
        text = f"{event.side[0].upper()} {EVENT_ABBREV.get(event.event, event.event)}"
        paste_text(out, text, (at[0], at[1]), (255, 255, 255), size, background=SIDE_BGR[event.side])
    return out


def _segment_colour(a: int, b: int) -> tuple[int, int, int]:
    """The side's colour for a limb segment, white for one joining the two sides."""
    for side, colour in SIDE_BGR.items():
        if LANDMARK_NAMES[a].startswith(side) and LANDMARK_NAMES[b].startswith(side):
            return colour
    return (240, 240, 240)


# --- pixel primitives ----------------------------------------------------------------------------------


def draw_line(image: np.ndarray, p0: np.ndarray, p1: np.ndarray, colour: Sequence[int], thickness: int = 1) -> None:
    """Straight segment (square pen of ``thickness`` px), clipped to the image; nothing when an end is NaN."""
    if not (np.isfinite(p0).all() and np.isfinite(p1).all()):
        return
    n = int(np.ceil(2 * np.hypot(*(np.asarray(p1) - p0)))) + 1
    if n > 20000:
        return  # an absurd landmark far outside the frame
    t = np.linspace(0.0, 1.0, n)[:, None]
    _stamp(image, p0 + t * (np.asarray(p1) - p0), colour, thickness)


def draw_dot(image: np.ndarray, p: np.ndarray, radius: int, colour: Sequence[int]) -> None:
    if np.isfinite(p).all():
        _stamp(image, np.asarray(p, float)[None, :], colour, 2 * radius + 1)


def draw_rect(image: np.ndarray, box: np.ndarray, colour: Sequence[int], thickness: int = 1) -> None:
    x0, y0, x1, y1 = box
    corners = [np.array(c, float) for c in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    for a, b in zip(corners, corners[1:] + corners[:1]):
        draw_line(image, a, b, colour, thickness)


def _stamp(image: np.ndarray, points: np.ndarray, colour: Sequence[int], size: int) -> None:
    h, w = image.shape[:2]
    offsets = np.arange(size) - (size - 1) // 2
    centres = np.round(points).astype(int)
    rows = (centres[:, 1:2] + offsets[None, :]).ravel()
    cols = (centres[:, 0:1] + offsets[None, :]).ravel()
    rr = np.repeat(rows.reshape(-1, size), size, axis=1).ravel()
    cc = np.tile(cols.reshape(-1, size), (1, size)).ravel()
    keep = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
    image[rr[keep], cc[keep]] = colour


def paste_text(image: np.ndarray, text: str, xy: tuple[float, float], colour: Sequence[int], size_px: int,
               background: Sequence[int] | None = None, max_width_px: int | None = None) -> None:
    """Write ``text`` with its top-left corner at ``xy`` (px), about ``size_px`` tall; clipped to the image."""
    alpha = text_mask(text, int(size_px))
    if max_width_px is not None:
        alpha = alpha[:, :max_width_px]
    x, y = int(round(xy[0])), int(round(xy[1]))
    h, w = image.shape[:2]
    ah, aw = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + aw, w), min(y + ah, h)
    if x0 >= x1 or y0 >= y1:
        return
    a = alpha[y0 - y: y1 - y, x0 - x: x1 - x, None]
    region = image[y0:y1, x0:x1].astype(np.float32)
    if background is not None:
        region[:] = background
    region = region * (1.0 - a) + np.asarray(colour, np.float32) * a
    image[y0:y1, x0:x1] = np.clip(region, 0, 255).astype(np.uint8)


@lru_cache(maxsize=512)
def text_mask(text: str, size_px: int) -> np.ndarray:
    """(h, w) float32 coverage of ``text`` rendered by matplotlib's Agg at ``size_px`` pixel height."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height_px = size_px + 4
    fig = Figure(figsize=((0.62 * size_px * len(text) + 8) / 100.0, height_px / 100.0), dpi=100)
    fig.patch.set_facecolor("black")
    fig.text(0.0, 0.5, text, color="white", fontsize=0.8 * size_px * 72.0 / 100.0, va="center", ha="left")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    mask = np.asarray(canvas.buffer_rgba())[..., 0].astype(np.float32) / 255.0
    used = np.nonzero(mask.max(axis=0) > 0.05)[0]
    return mask[:, : used[-1] + 2] if used.size else mask[:, :1]
