"""A glance before the scan: is one large person alone in view? Then the pose model gets the whole
frame, and the dense scan (every ``pose.scan_every_s``, ``core.pose.follow``) is skipped.

The glance looks at about one frame every ``GLANCE_EVERY_S``, at keyframes where the video has them
near (a keyframe decodes alone; any other frame needs its keyframe interval decoded up to it). The
person is "alone and large" when no glance sees two people, one is seen in at least
``GLANCE_MIN_SEEN`` of the glances, and their median box is at least ``GLANCE_MIN_HEIGHT`` of the
frame (or ROI) height: the whole-frame pose model finds such a walker itself (on clean renders a
245 px walker in 720p, 34 %, is found and a 170 px one, 24 %, is not: issue 11; on a phone-look 1080p
static walk a walker at 48 % was found in 2 % of frames without the crop, so the margin is wide). Anything else (two people at one
glance, a small or rarely seen person, a short video) goes to the full scan. A passer-by seen at
no glance can take the pose model over: the whole-frame guard (``core.pose.frame_guard``) refuses
their poses, and when it refuses enough of them the video is extracted again with the full scan
(``usecases.gait_analysis.person_guard.glance_overruled``; docs/walker.md, session 8).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from core.pose.people import FinderConfig, shared_finder
from core.pose.roi import Roi
from core.pose.walker_choice import TrackSummary

GLANCE_EVERY_S = 2.0
GLANCE_MIN_FRAMES = 4  # fewer glances than this (a video under ~8 s): full scan
GLANCE_MAX_FRAMES = 16
GLANCE_MIN_PER_PART = 2  # a glance task opens the video (and, first in a process, loads the detector)
GLANCE_MIN_SEEN = 0.75
GLANCE_MIN_HEIGHT = 0.6
# Only the whole-height tile: it sees anyone tall enough to compete with a large walker for the pose
# model (57 against 175 ms of CPU per 1080p frame with both tile sizes).
GLANCE_TILE = 1.0
LONE_TRACK_ID = 1


def glance_frames(n_frames: int, fps: float, keyframes: list[int] | None) -> list[int]:
    """Frame indices to glance at: ~one per ``GLANCE_EVERY_S`` across the video (at most
    ``GLANCE_MAX_FRAMES``), each moved to the nearest keyframe at most half a step away."""
    if n_frames <= 0 or fps <= 0:
        return []
    n = int(np.clip(round(n_frames / fps / GLANCE_EVERY_S), 0, GLANCE_MAX_FRAMES))
    if n < GLANCE_MIN_FRAMES:
        return []
    targets = (np.arange(n) + 0.5) * n_frames / n
    keys = np.asarray(sorted(keyframes or []), dtype=float)
    out = []
    for t in targets:
        if len(keys):
            k = keys[np.argmin(np.abs(keys - t))]
            t = k if abs(k - t) <= 0.5 * n_frames / n else t
        out.append(int(min(n_frames - 1, round(t))))
    return sorted(set(out))


def lone_person(frames: list[int], boxes: list[np.ndarray], frame_height_px: float) -> TrackSummary | None:
    """The lone large person's summary from the glances (frames (k,), each glance's boxes (n_i, 4)
    px), or None when the glances do not show one large person alone (see the module docstring)."""
    if len(frames) < GLANCE_MIN_FRAMES or any(len(b) > 1 for b in boxes):
        return None
    seen = [(f, b[0]) for f, b in zip(frames, boxes) if len(b) == 1]
    if len(seen) < GLANCE_MIN_SEEN * len(frames):
        return None
    heights = np.array([b[3] - b[1] for _, b in seen])
    size = float(np.median(heights))
    if size < GLANCE_MIN_HEIGHT * frame_height_px:
        return None
    # travel over the ground is not measured (no pan at glances): a tracking camera holds the walker still
    return TrackSummary(
        LONE_TRACK_ID, int(seen[0][0]), int(seen[-1][0]), len(seen), size, float("nan"), float("nan"),
        reason=f"the only person in view at all {len(frames)} glances (one every ~{GLANCE_EVERY_S:.0f} s), "
               f"{size:.0f} px tall: whole frame to the pose model, no crop",
        in_view_frames=int(seen[-1][0] - seen[0][0]))


@dataclass(frozen=True)
class GlanceTask:
    """Some of a video's glance frames (ascending), a picklable unit that any worker with the video can
    run (``glance_part``); ``height_px``: the probed frame height, the unit of the boxes it returns."""

    video_path: str
    frames: tuple[int, ...]
    height_px: int
    roi: Roi | None = None
    finder: FinderConfig = FinderConfig()


@dataclass(frozen=True)
class GlancePart:
    """What ``glance_part`` saw: the frames looked at and each one's boxes (n_i, 4) in probed px, the
    frame's (or ROI's) height in probed px, and whether a glance saw two people (it stopped there)."""

    frames: tuple[int, ...]
    boxes: tuple[np.ndarray, ...]
    region_height_px: float
    crowded: bool


def glance_tasks(video: Path, frames: list[int], height_px: int, parts: int, roi: Roi | None = None,
                 finder_cfg: FinderConfig = FinderConfig()) -> list[GlanceTask]:
    """``frames`` cut into runs of consecutive glances, about two per worker (``parts`` workers), at
    least ``GLANCE_MIN_PER_PART`` each (a task opens the video). The caller stops at the first task
    that sees two people, so that a crowded video is not glanced at to its end."""
    size = max(GLANCE_MIN_PER_PART, math.ceil(len(frames) / (2 * max(1, parts))))
    return [GlanceTask(str(video), tuple(frames[k : k + size]), height_px, roi, finder_cfg)
            for k in range(0, len(frames), size)]


def glance_part(task: GlanceTask) -> GlancePart:
    """Find the people at the task's glance frames (whole-height tiles only); stops at a glance that
    sees two."""
    from core.pose.follow import SCAN_MAX_SIDE_PX
    from core.pose.frame_select import read_scaled_frames_at

    finder = shared_finder(task.finder)
    seen, boxes = [], []
    region_height_px = float(task.height_px)
    for f, image, _ in read_scaled_frames_at(task.video_path, task.frames, SCAN_MAX_SIDE_PX):
        h, w = image.shape[:2]
        region = task.roi.pixel_box(w, h) if task.roi else None
        region_height_px = (h if region is None else region[3] - region[1]) * task.height_px / h
        found, _ = finder.find(image, region, (GLANCE_TILE,))
        seen.append(f)
        boxes.append(found * (task.height_px / h))
        if len(found) > 1:
            return GlancePart(tuple(seen), tuple(boxes), region_height_px, True)
    return GlancePart(tuple(seen), tuple(boxes), region_height_px, False)


def glance(video: Path, n_frames: int, fps: float, height_px: int, roi: Roi | None = None,
           finder_cfg: FinderConfig = FinderConfig(),
           run_parts: Callable[[list[GlanceTask]], Iterator[GlancePart]] | None = None,
           parts: int = 1) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The people file's content (arrays, meta without mode and roi) when one large person is alone
    in view (``lone_person``), else None (run the full scan). ``run_parts`` runs the glance tasks
    (``parts`` workers, e.g. the pool's) and yields their parts as they come, in any order; it is
    closed at the first part that sees two people. Default: one after the other in this process.
    Any cut gives the same answer."""
    from core.pose.frame_select import packet_index

    index = packet_index(video)
    frames = glance_frames(n_frames, fps, None if index is None else list(index.keyframes()))
    if not frames:
        return None
    run = run_parts or (lambda tasks: (glance_part(t) for t in tasks))
    got: list[GlancePart] = []
    parts_seen = run(glance_tasks(video, frames, height_px, parts, roi, finder_cfg))
    try:
        for part in parts_seen:
            if part.crowded:
                return None
            got.append(part)
    finally:
        close = getattr(parts_seen, "close", None)
        if close is not None:
            close()
    seen = sorted(((f, b) for part in got for f, b in zip(part.frames, part.boxes)), key=lambda fb: fb[0])
    seen_frames, boxes = [f for f, _ in seen], [b for _, b in seen]
    region_height_px = next((part.region_height_px for part in got if part.frames), float(height_px))
    summary = lone_person(seen_frames, boxes, region_height_px)
    if summary is None:
        return None
    grid = np.full((1, len(seen_frames), 4), np.nan)
    for k, b in enumerate(boxes):
        if len(b):
            grid[0, k] = b[0]
    arrays = {"scan_frames": np.array(seen_frames, dtype=np.int64), "pan_px": np.zeros(len(seen_frames)),
              "track_ids": np.array([LONE_TRACK_ID], dtype=np.int64), "boxes": grid,
              "path_first_frame": np.array(0), "path_boxes": np.zeros((0, 4)), "path_centres": np.zeros((0, 2)),
              "path_direction": np.array(0)}
    return arrays, {"chosen_id": LONE_TRACK_ID, "error": "", "whole_frame": True, "summaries": [asdict(summary)]}
