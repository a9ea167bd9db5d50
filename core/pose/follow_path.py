"""The crop that follows the chosen walker through every frame, planned from the scan's sightings
(``core.pose.follow``): boxes in original-frame px, the walker's hip, the other people's boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.pose.pose_guard import GuardMemory, judge, nearer_someone_else
from core.pose.scene_motion import EVERY_FRAMES, SPAN_FRAMES
from core.pose.tracking import Track

CARRY_SCANS = 4  # the crop follows a walker lost by the finder this many scan intervals on (the tracker's max_gap_scans)
CROP_SIDE_BOXES = 1.2  # crop side in walker body boxes (margin for arms, feet and scan lag)
LANDMARK_INPUT_PX = 256  # the pose landmark model's input side: a crop is not shrunk below it (see crop_max_side_px)
PRIME_FRAMES = SPAN_FRAMES * EVERY_FRAMES  # processed frames the scenery's motion looks back (core.pose.scene_motion)


@dataclass(frozen=True)
class FollowPath:
    """The crop that follows the walker: for video frames ``first_frame..first_frame+n-1``, square
    boxes (n, 4) x0 y0 x1 y1 in original-frame px (all the same side), and the walker's hip as
    scanned (n, 2) px (``centres_px``; the crop is held inside the frame, the hip is not; None: the
    crops' centres), and the walker's direction over the ground in the image (+1 right, -1 left, 0
    unknown). ``others_px`` (n, k, 4): the other people's boxes in the same frames (NaN where a
    person is not in view), kept out of the scenery's pan (``core.pose.scene_motion``).
    ``frame_side_px``: the video frame's longer side (px; 0 unknown). ``directions_x`` (n,): the direction
    in each frame of a walk there and back (``core.pose.walker_choice.ground_directions_x``; None: one way,
    ``direction_x`` throughout)."""

    first_frame: int
    boxes_px: np.ndarray = field(compare=False)
    centres_px: np.ndarray | None = field(default=None, compare=False)
    direction_x: int = 0
    others_px: np.ndarray | None = field(default=None, compare=False)
    frame_side_px: int = 0
    directions_x: np.ndarray | None = field(default=None, compare=False)

    @property
    def mirrored(self) -> bool:
        """Whether the pose model sees the crop mirrored: the walker goes left in the image. MediaPipe's
        landmark model exchanged a small walker's legs for bursts of frames near every crossing when she
        went left, and rarely when the same walk went right (docs/walker.md, "Session 10")."""
        return self.direction_x < 0

    def direction_at(self, frame: int) -> int:
        """The walker's direction at video ``frame`` (+1 right, -1 left, 0 unknown): the pass's on a walk there
        and back, else ``direction_x``."""
        if self.directions_x is None or not len(self.directions_x):
            return self.direction_x
        return int(self.directions_x[int(np.clip(frame - self.first_frame, 0, len(self.directions_x) - 1))])

    def mirrored_at(self, frame: int) -> bool:
        """``mirrored`` at video ``frame``: each pass of a walk there and back the way it goes."""
        return self.direction_at(frame) < 0

    def others_at(self, frame: int) -> np.ndarray | None:
        """(m, 4) px boxes of the other people in view at ``frame``; None when there are none."""
        i = frame - self.first_frame
        if self.others_px is None or i < 0 or i >= len(self.others_px):
            return None
        boxes = self.others_px[i]
        boxes = boxes[np.isfinite(boxes).all(axis=1)]
        return boxes if len(boxes) else None

    def on_walker(self, frame: int, landmarks_px: np.ndarray, memory: GuardMemory | None = None) -> bool:
        """Whether a pose (33, >=2 px) is the walker's (``core.pose.pose_guard.judge``; ``memory``: the
        guard's memory of this run of frames, updated; None: none): else the pose model has taken someone else.
        A pose clearly nearer another person's scanned centre is theirs (``nearer_someone_else``)."""
        box = self.box_at(frame)
        if box is None:
            return False
        centre = (box[:2] + box[2:]) / 2 if self.centres_px is None else self.centres_px[frame - self.first_frame]
        if nearer_someone_else(landmarks_px, centre, self.others_at(frame), float(box[2] - box[0])):
            return False
        return judge(GuardMemory() if memory is None else memory, frame, landmarks_px, centre,
                     float(box[2] - box[0]), self.direction_at(frame))

    def decode_span(self, stride: int) -> tuple[int, int]:
        """Video frames ``[lo, hi)`` a pose lane must decode: the crop's frames, and before them enough
        processed frames (``stride`` apart) for the scenery's and the feet's motion to be measured from
        the first; nothing outside is looked at."""
        lo = max(0, self.first_frame - PRIME_FRAMES * max(1, stride))
        return lo, self.first_frame + len(self.boxes_px)

    def walker_box_at(self, frame: int) -> np.ndarray | None:
        """(4,) px: the walker's body box as scanned at ``frame`` (square, centred on the scanned hip, the
        crop's side / ``CROP_SIDE_BOXES``); None outside the path."""
        box = self.box_at(frame)
        if box is None:
            return None
        centre = (box[:2] + box[2:]) / 2 if self.centres_px is None else self.centres_px[frame - self.first_frame]
        half = float(box[2] - box[0]) / CROP_SIDE_BOXES / 2
        return np.array([centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half])

    def box_at(self, frame: int) -> np.ndarray | None:
        i = frame - self.first_frame
        if i < 0 or i >= len(self.boxes_px):
            return None
        return self.boxes_px[i]


def others_along(sightings: list[tuple[np.ndarray, np.ndarray]], first: int, n: int) -> np.ndarray | None:
    """(n, k, 4) boxes of k people at video frames ``first..first+n-1``, linear between each one's
    sightings (frames (m,), boxes (m, 4) px) and NaN outside its first..last sighting widened by
    one scan interval; None without people."""
    if not sightings or n <= 0:
        return None
    t = np.arange(first, first + n, dtype=float)
    out = np.full((n, len(sightings), 4), np.nan)
    for k, (frames, boxes) in enumerate(sightings):
        if len(frames) == 0:
            continue
        every = float(np.median(np.diff(frames))) if len(frames) > 1 else 0.0
        inside = (t >= frames[0] - every) & (t <= frames[-1] + every)
        for c in range(4):
            out[inside, k, c] = np.interp(t[inside], frames, boxes[:, c])
    return out


def follow_path(track: Track, n_frames: int, width_px: int, height_px: int, direction_x: int = 0,
                sighting_directions_x: np.ndarray | None = None) -> FollowPath:
    """Crop boxes for every frame from before the track's first sighting to after its last (``_span``,
    within the video): centre interpolated between scans (carried on at the track's velocity
    beyond its ends) and smoothed, side fixed at ``CROP_SIDE_BOXES`` x the track's larger box sizes
    (90th percentile), kept inside the frame. ``direction_x``: see ``FollowPath``;
    ``sighting_directions_x`` (m,): a walk there and back's direction at each sighting (0 at a turn); a frame
    takes the direction of the sightings either side of it where they agree, else 0 (unknown: no mirroring and no
    facing check while the walker may be turning)."""
    frames = np.asarray(track.frames, dtype=float)
    boxes = np.asarray(track.boxes, dtype=float)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    every = max(1.0, float(np.median(np.diff(frames)))) if len(frames) > 1 else 1.0
    first, last = _span(frames, centres[:, 0], every, n_frames, width_px)
    t = np.arange(first, last + 1, dtype=float)
    cx, cy = _extrapolated(t, frames, centres[:, 0]), _extrapolated(t, frames, centres[:, 1])
    cx, cy = _smoothed(cx, int(every)), _smoothed(cy, int(every))
    heights = boxes[:, 3] - boxes[:, 1]
    side = min(float(np.percentile(heights, 90)) * CROP_SIDE_BOXES, width_px, height_px)
    x0 = np.clip(cx - side / 2, 0, width_px - side)
    y0 = np.clip(cy - side / 2, 0, height_px - side)
    out = np.stack([x0, y0, x0 + side, y0 + side], axis=1)
    directions = None
    if sighting_directions_x is not None:
        at = np.asarray(sighting_directions_x, dtype=int)
        before = at[np.clip(np.searchsorted(frames, t, side="right") - 1, 0, len(frames) - 1)]
        after = at[np.clip(np.searchsorted(frames, t, side="left"), 0, len(frames) - 1)]
        directions = np.where(before == after, before, 0)
    return FollowPath(first, out, np.stack([cx, cy], axis=1), direction_x, frame_side_px=max(width_px, height_px),
                      directions_x=directions)


def crop_max_side_px(profile_max_side_px: int, path: FollowPath | None) -> int:
    """The longer frame side (px; 0 = native) to decode at for pose: the profile's ``max_side_px``, unless
    that shrinks the walker's crop below ``LANDMARK_INPUT_PX``; then larger, up to the native size. A
    120 px walker in 1280x720 had a 226 px crop shrunk to 170 px at 960 (docs/walker.md: foot error lower on
    all six small-walker seeds, event F1 median 0.82 -> 0.89)."""
    if path is None or profile_max_side_px <= 0 or path.frame_side_px <= profile_max_side_px or not len(path.boxes_px):
        return profile_max_side_px
    crop_px = float(path.boxes_px[0, 2] - path.boxes_px[0, 0])
    needed = int(np.ceil(path.frame_side_px * LANDMARK_INPUT_PX / max(crop_px, 1.0)))
    return profile_max_side_px if needed <= profile_max_side_px else 0 if needed >= path.frame_side_px else needed


def _span(frames: np.ndarray, cx: np.ndarray, every: float, n_frames: int, width_px: int) -> tuple[int, int]:
    """First and last frame of the crop path (within the video): one scan interval beyond the track's
    first and last sightings, and on up to ``CARRY_SCANS`` intervals while the hip, carried on at its
    velocity (``_extrapolated``), stays inside the frame's width. A walker lost by the finder while
    passing in front of someone near the clip's end is then still followed (benchmark_walker seed
    91000, standing_rl_static_s91002: last seen 1.5 s before the end, in view to it); the pose guard
    refuses what is not the walker."""
    end = n_frames - 1 if n_frames > 0 else int(frames[-1])
    return (_reach(frames, cx, -every, end, width_px), _reach(frames, cx, every, end, width_px))


def _reach(frames: np.ndarray, cx: np.ndarray, step: float, end: int, width_px: int) -> int:
    """The frame the path reaches beyond the first (``step`` < 0) or last sighting (see ``_span``)."""
    start = frames[0] if step < 0 else frames[-1]
    sign = 1.0 if step > 0 else -1.0
    t = np.arange(start + step, start + CARRY_SCANS * step + sign, sign)
    t = t[(t >= 0) & (t <= end)]
    x = _extrapolated(t, frames, cx)
    outside = (x < 0) | (x >= width_px)
    n_in = int(np.argmax(outside)) if outside.any() else len(t)
    return int(np.clip(t[n_in - 1] if n_in else start + step, 0, end))


def _smoothed(x: np.ndarray, win: int) -> np.ndarray:
    """Moving average over ``win`` samples; the ends padded by point reflection (a straight line stays straight)."""
    if win <= 1 or len(x) <= win:
        return x
    padded = np.pad(x, win // 2, mode="reflect", reflect_type="odd")
    return np.convolve(padded, np.ones(win) / win, mode="same")[win // 2 : win // 2 + len(x)]


def _extrapolated(t: np.ndarray, frames: np.ndarray, values: np.ndarray, fit: int = 4) -> np.ndarray:
    """``values`` at sightings ``frames`` read at ``t``: linear between sightings, and beyond either
    end along a line fitted over the ``fit`` sightings there."""
    out = np.interp(t, frames, values)
    if len(frames) < 2:
        return out
    for ends, side in ((slice(None, fit), t < frames[0]), (slice(-fit, None), t > frames[-1])):
        f, v = frames[ends], values[ends]
        slope = np.polyfit(f, v, 1)[0]
        anchor = 0 if ends.start is None else -1
        out[side] = v[anchor] + slope * (t[side] - f[anchor])
    return out
