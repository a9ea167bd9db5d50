"""Per-input review outputs: ``events_review.png`` (with plots) and ``review.mp4`` (``--review-video``).

They show who was analysed and where each event fell. The analysed person's box is the bounding box of
their landmarks; the other tracks of the person finder (people_tracks.npz) are drawn greyed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from core.errors import GaitToolError
from core.types import GaitEvent

log = logging.getLogger("gait_analysis")

EVENTS_REVIEW_PNG = "events_review.png"
REVIEW_MP4 = "review.mp4"
TILE_PX = 160


def write_review_outputs(cfg: Any, monitor: Any, job: Any, batch: Any, analysed: bool) -> list[str]:
    """Write the review outputs ``cfg`` asks for into ``job.out_dir``; returns notes (why one failed)."""
    want_sheet = cfg.plots and analysed
    if not (want_sheet or cfg.review_video):
        return []
    from core.io.events_csv import read_events_csv
    from core.series import batch_to_series

    try:
        with monitor.stage("review"):
            series = batch_to_series(batch, job.info.height, job.info.fps)
            landmarks = image_landmarks(series.positions, job.info.height)
            first = int(series.meta["first_frame"])
            events_path = Path(job.out_dir) / "events.csv"
            events = read_events_csv(events_path) if analysed and events_path.is_file() else []
            # events.csv keeps the recording's clock (--fps; the sheet's labels too), the video its playback clock
            to_playback = 1.0 if cfg.recorded_fps is None else cfg.recorded_fps / job.info.fps
            events = [GaitEvent(e.side, e.event, first + int(np.argmin(np.abs(series.time_s - e.time_s * to_playback))),
                                e.time_s) for e in events]
            if want_sheet and events:
                write_events_review(Path(job.out_dir) / EVENTS_REVIEW_PNG, job.video, landmarks, first, events)
            if cfg.review_video:
                from core.io.people_tracks import review_boxes

                tracks = review_boxes(Path(job.out_dir), job.info.n_frames)
                played = [replace(e, time_s=e.time_s * to_playback) for e in events]
                write_review_video(Path(job.out_dir) / REVIEW_MP4, job.video, landmarks, first, played, job.info.fps,
                                   None if tracks is None else tracks[1])
    except (GaitToolError, OSError, ValueError) as exc:
        note = f"review outputs not written ({exc})"
        log.warning("%s: %s", job.video, note)
        return [note]
    return []


def image_landmarks(positions: np.ndarray, image_height_px: int) -> np.ndarray:
    """Series positions (T, 33, 3) (X = column, Y = height - row) -> image px (T, 33, 2) (x, y down)."""
    return np.stack([positions[..., 0], image_height_px - positions[..., 1]], axis=-1)


def write_events_review(path: Path, video: Path, landmarks: np.ndarray, first_frame: int,
                        events: list[GaitEvent]) -> int:
    """The contact sheet of the foot at every event (video frames read once, in order); returns the tile count."""
    from core.io.images import write_png
    from core.pose.frame_select import read_frames_at
    from core.report.review import events_contact_sheet, foot_tile

    events = sorted(events, key=lambda e: e.time_s)
    tiles: dict[int, np.ndarray] = {}
    for index, image in read_frames_at(video, {e.frame for e in events}):
        row = index - first_frame
        for k, e in enumerate(events):
            if e.frame == index and 0 <= row < len(landmarks):
                tiles[k] = foot_tile(image, landmarks[row], e.side, TILE_PX)
    missing = np.full((TILE_PX, TILE_PX, 3), 90, np.uint8)
    write_png(path, events_contact_sheet([tiles.get(k, missing) for k in range(len(events))], events))
    return len(events)


def write_review_video(path: Path, video: Path, landmarks: np.ndarray, first_frame: int, events: list[GaitEvent],
                       fps: float, others: list[tuple[int, np.ndarray]] | None = None) -> int:
    """The video with the analysed person's box and skeleton, other tracks greyed and event flags; returns
    the frame count. ``others``: (track id, boxes (n_frames, 4) px) of people not analysed."""
    from core.pose.video import iter_frames
    from core.io.video_writer import write_video
    from core.report.review import landmark_boxes

    boxes = landmark_boxes(landmarks)
    frames = iter_frames(video, fps=fps)
    first = next(frames, None)
    if first is None:
        raise GaitToolError("no frame could be decoded for the review video", video)
    h, w = first.image.shape[:2]
    drawn = _review_frames(_chain(first, frames), landmarks, boxes, first_frame, events, fps, others or [])
    return write_video(path, drawn, fps, (w, h))


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _review_frames(frames: Iterator[Any], landmarks: np.ndarray, boxes: np.ndarray, first_frame: int,
                   events: list[GaitEvent], fps: float, others: list[tuple[int, np.ndarray]]) -> Iterator[np.ndarray]:
    from core.report.review import events_on_screen, review_frame

    nan_pose, nan_box = np.full(landmarks.shape[1:], np.nan), np.full(4, np.nan)
    for frame in frames:
        row = frame.index - first_frame
        seen = 0 <= row < len(landmarks)
        at = [(tid, b[frame.index]) for tid, b in others if frame.index < len(b)]
        yield review_frame(frame.image, landmarks[row] if seen else nan_pose, boxes[row] if seen else nan_box, at,
                           events_on_screen(events, frame.time_s, 1.0 / fps))
