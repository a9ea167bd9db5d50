"""How one video's frames are cut into segments for parallel pose extraction, balanced on work.

A segment's work, in *processed frames* (a frame decoded, and posed when it falls on the stride):
its owned frames and its warm-up, each weighted by ``frame_work`` (a frame just before the walker's
crop path is decoded but not posed: ``decode_weight``; one further away is not decoded at all), plus
the pre-roll its decoder decodes and drops between the keyframe at or before its first decoded frame
and that frame. The weights are wall time, not
CPU: the workers should finish together.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from core.config import Profile

PLAN_ROUNDS = 4
# A frame that is only decoded weighs decode_weight(stride) = D / (D + 1 / stride) processed frames. In CPU,
# D is ~0.5 (decode ~9 against ~19 ms of pose work per 1080p frame: scripts/benchmark_worker_cost.py); in
# wall time more, since a worker overlaps decoding and pose on two threads only where it poses. D = 1.5
# (weights 0.6 at stride 1, 0.75 at stride 2) left the least idle core time in the pose phase of the real
# two-person clip (walker's path on frames 360-660): fast 0.19-0.23 core-s against 0.73-1.12 with D = 0.5
# and 0.09-0.50 with equal frames; balanced 0.20 against 1.53 and 1.20 (docs, "Session 7").
DECODE_PER_POSE = 1.5


@dataclass(frozen=True)
class SegmentPlan:
    """Owned frame ranges ``[start, stop)`` with their warm-up starts."""

    segments: list[tuple[int, int, int]] = field(default_factory=list)


class MediaPipeOptimizer:
    """Model choice and how one video is cut into segments for parallel pose extraction."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def segment_plan(self, first_frame: int, n_frames: int, workers: int, keyframes: Sequence[int] = (),
                     frame_work: np.ndarray | None = None) -> SegmentPlan:
        """Cut ``[first_frame, n_frames)`` into segments aligned to the frame stride: enough to keep
        ``workers`` busy, each ``min_segment_frames`` to ``max_segment_frames`` long (short segments
        give finer progress and resume points; long ones waste less warm-up).

        Segments are balanced on their work (module docstring): the first segment, which needs no
        warm-up at frame 0, owns more. ``keyframes``: the video's keyframes (ascending frame indices),
        for the pre-rolls; ``frame_work``: each video frame's work in processed frames (default 1)."""
        par, stride = self.profile.parallel, self.profile.pose.frame_stride
        todo = n_frames - first_frame
        if todo <= 0:
            return SegmentPlan([])
        n_seg = math.ceil(todo / par.max_segment_frames)
        if todo >= workers * par.min_segment_frames:
            n_seg = math.ceil(n_seg / workers) * workers
        else:
            n_seg = max(1, min(workers, todo // par.min_segment_frames))
        cum = _cumulative(frame_work, n_frames)
        weight = decode_weight(stride)
        warm = [_warmup(first_frame, par.segment_warmup_frames, stride)]
        warm += [math.ceil(par.segment_warmup_frames / stride) * stride] * (n_seg - 1)
        extra = [float(w) for w in warm]  # first round: warm-ups at one processed frame each
        best: tuple[float, list[tuple[int, int, int]]] | None = None
        # Each round rebalances with the last round's warm-ups and pre-rolls, which depend on where the
        # segments start; the plan whose busiest segment has the least work wins.
        for _ in range(PLAN_ROUNDS if keyframes or frame_work is not None else 1):
            starts = _balanced_starts(first_frame, n_frames, stride, extra, cum)
            segments = _with_warmups(starts, n_frames, par.segment_warmup_frames, stride)
            extra = [cum[start] - cum[w] + weight * preroll_frames(_first_worked(w, cum), keyframes)
                     for start, _, w in segments]
            busiest = max(cum[stop] - cum[start] + e for (start, stop, _), e in zip(segments, extra))
            if best is None or busiest < best[0]:
                best = (busiest, segments)
            extra += [0.0] * (n_seg - len(extra))
        assert best is not None
        return SegmentPlan(best[1])


def decode_weight(stride: int) -> float:
    """Work (wall time) of a frame that is decoded but not posed (a pre-roll frame, or one outside the
    walker's crop path), in processed frames (each decoded, and posed if it falls on the ``stride``)."""
    return DECODE_PER_POSE / (DECODE_PER_POSE + 1.0 / stride)



def preroll_frames(warm_start: int, keyframes: Sequence[int]) -> int:
    """Frames decoded and dropped before ``warm_start``: from the keyframe at or before it (from frame
    0 when there is none); 0 when ``keyframes`` is empty (unknown)."""
    if not keyframes or warm_start <= 0:
        return 0
    k = bisect.bisect_right(keyframes, warm_start) - 1
    return warm_start - (keyframes[k] if k >= 0 else 0)


def _first_worked(frame: int, cum: np.ndarray) -> int:
    """The first frame at or after ``frame`` with any work (``cum``: work before each frame), where a
    decoder starts (frames without work are not decoded); ``frame`` itself when none has work."""
    after = np.flatnonzero(np.diff(cum[frame:]) > 0)
    return frame + int(after[0]) if len(after) else frame


def _cumulative(frame_work: np.ndarray | None, n_frames: int) -> np.ndarray:
    """(n_frames + 1,) work before each frame index; frames past ``frame_work``'s end weigh 1."""
    work = np.ones(n_frames)
    if frame_work is not None:
        k = min(len(frame_work), n_frames)
        work[:k] = frame_work[:k]
    return np.concatenate([[0.0], np.cumsum(work)])


def _with_warmups(starts: list[int], n_frames: int, warmup_frames: int, stride: int) -> list[tuple[int, int, int]]:
    """Segments ``(start, stop, warm-up start)`` from their starts."""
    segments = []
    for start, stop in zip(starts, [*starts[1:], n_frames]):
        gap = _warmup(start, warmup_frames, stride)
        warm = start - gap if start - gap >= 0 else start % stride
        segments.append((start, stop, warm))
    return segments


def _warmup(start: int, warmup_frames: int, stride: int) -> int:
    """Warm-up frames before a segment starting at ``start``, rounded up to the stride."""
    return math.ceil(min(warmup_frames, start) / stride) * stride


def _balanced_starts(first: int, n_frames: int, stride: int, extra: list[float], cum: np.ndarray) -> list[int]:
    """Stride-aligned starts of ``len(extra)`` segments so that each one's owned work (``cum``: work
    before each frame) plus its ``extra`` work (warm-up, pre-roll) is about equal."""
    n_seg = len(extra)
    per_segment = (cum[n_frames] - cum[first] + sum(extra)) / n_seg
    if per_segment - max(extra) < stride:  # segments too short to balance: equal owned lengths
        extra = [0.0] * n_seg
        cum = np.arange(n_frames + 1, dtype=float)
        per_segment = (n_frames - first) / n_seg
    starts, pos = [], float(cum[first])
    for e in extra:
        at = min(int(np.searchsorted(cum, pos)), n_frames)  # first frame with this much work before it
        if at > first and cum[at] - pos > pos - cum[at - 1]:
            at -= 1
        start = first + round((at - first) / stride) * stride
        if start >= n_frames or (starts and start <= starts[-1]):
            break
        starts.append(start)
        pos = float(cum[start]) + per_segment - e
    return starts
