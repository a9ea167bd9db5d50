"""The pose guard on the whole-frame path (no crop: the glance saw one large person alone).

A passer-by in view only between glances can take the pose model over. Each pose is judged against
the walker followed so far with ``core.pose.pose_guard.judge``: the reference hip is the last accepted
hip carried on at the walker's image speed, the bound (a "crop side") is the walker's size grown with
the time since, and the walker faces the way most accepted poses faced. A pose whose torso is more than
``MAX_SIZE_RATIO`` longer or shorter than the walker's is refused too. Pure numpy on stored landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.constants import LANDMARK_INDEX
from core.pose.pose_guard import GuardMemory, facing_x, hip_midpoint, judge

# Crop side the crop path would use, in torso lengths (shoulder to hip midpoints): the crop is 1.2 body
# boxes and a standing body is about 3 torsos tall.
SIDE_TORSOS = 3.6
SIDE_GROWTH_PER_S = 1.5  # the bound widens by this fraction of itself per second since the last accepted pose
MAX_SIZE_RATIO = 1.3  # a torso longer or shorter than the walker's by more is someone else (or a bad pose)
REACQUIRE_S = 1.0  # after this long without an accepted pose the walker is looked for afresh
# Refused poses that continue each other for this long (same size and facing as the walker, only away
# from where the walker was expected) are the walker: the last accepted poses were the model's slip. On
# a lone walker (phone-look sweep, v03) two drifting poses before a dropout otherwise refused the next 29.
TAKE_OVER_S = 0.3
FACING_VOTES = 5  # the walk's facing is known once this many more accepted poses face one way than the other
SPEED_SMOOTHING = 0.2  # weight of the newest step in the walker's image speed (px/s)
# Weight of the newest accepted hip's height in the reference: one slipping pose (the hip jumping 16 px
# down in a 360p video, v02 of the phone-look sweep) moved the reference and refused the 5 good poses after it.
HIP_Y_SMOOTHING = 0.3
# Evidence of someone else in view: refused poses above this share of posed frames, or a run this long.
CROWD_SHARE = 0.05
CROWD_RUN_S = 0.5
# The glances saw the walker (one large person) every ~2 s: a pose whose hip lies more than this many of
# the walker's glanced box heights off the box centres interpolated between glances is someone else's.
# On a tracking camera the pan carries a bystander across the walker between two glances; the model
# followed them out of the frame and the guard's speed followed the drift (standing_lr_tracking of seed
# 32592132: 41 of 239 poses, up to 1.1 box heights off; the walker's own poses at most 0.23 off).
GLANCE_OFF_BOXES = 0.5
_SHOULDERS = [LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]]


def torso_px(landmarks_px: np.ndarray) -> float:
    """Shoulder-midpoint to hip-midpoint distance (px) of a (33, >=2 px) pose; NaN when missing."""
    return float(np.linalg.norm(landmarks_px[_SHOULDERS, :2].mean(axis=0) - hip_midpoint(landmarks_px)))


@dataclass
class WalkerState:
    """The walker followed so far on the whole-frame path: the guard's memory, last accepted time (s),
    torso (px), image speed of the hip (px/s, (2,)) and the facing votes (+1 right, -1 left)."""

    memory: GuardMemory = field(default_factory=GuardMemory)
    last_s: float = float("nan")
    torso_px: float = float("nan")
    speed_px_s: np.ndarray = field(default_factory=lambda: np.zeros(2))
    facing_votes: int = 0
    chain: GuardMemory = field(default_factory=GuardMemory)  # refused poses continuing each other
    chain_start_s: float = float("nan")

    def direction_x(self) -> int:
        return int(np.sign(self.facing_votes)) if abs(self.facing_votes) >= FACING_VOTES else 0


def accept_pose(state: WalkerState, frame: int, time_s: float, landmarks_px: np.ndarray) -> bool:
    """Whether the pose (33, >=2 px) at video ``frame``, ``time_s`` is the walker's; ``state`` is updated."""
    torso = torso_px(landmarks_px)
    hip = hip_midpoint(landmarks_px)
    if not (np.isfinite(torso) and torso > 0 and np.all(np.isfinite(hip))):
        return False
    if np.isfinite(state.torso_px) and max(torso / state.torso_px, state.torso_px / torso) > MAX_SIZE_RATIO:
        return False
    fresh = state.memory.last is None or not time_s - state.last_s <= REACQUIRE_S
    direction = state.direction_x()
    if fresh:
        ok = direction == 0 or facing_x(landmarks_px) != -direction
        if ok:
            state.memory.last, state.memory.candidate = (frame, hip), None
    else:
        dt = time_s - state.last_s
        reference = state.memory.last[1] + state.speed_px_s * dt
        side = SIDE_TORSOS * state.torso_px * (1.0 + SIDE_GROWTH_PER_S * dt)
        memory = GuardMemory(last=(frame - 1, reference))  # the carried-on hip as if one frame ago
        ok = judge(memory, frame, landmarks_px, reference, side, direction)
        if ok:
            step = (hip[0] - state.memory.last[1][0]) / max(dt, 1e-6)  # along the image x only: the hip bobs
            state.speed_px_s[0] = (1 - SPEED_SMOOTHING) * state.speed_px_s[0] + SPEED_SMOOTHING * step
            smooth_y = (1 - HIP_Y_SMOOTHING) * state.memory.last[1][1] + HIP_Y_SMOOTHING * hip[1]
            state.memory.last = (frame, np.array([hip[0], smooth_y]))
        elif _chained(state, frame, time_s, landmarks_px, direction):
            ok = True
            state.memory.last, state.speed_px_s = (frame, hip), np.zeros(2)
    if ok:
        state.last_s = time_s
        state.torso_px = torso if not np.isfinite(state.torso_px) else 0.8 * state.torso_px + 0.2 * torso
        state.facing_votes += facing_x(landmarks_px)
    return ok


def _chained(state: WalkerState, frame: int, time_s: float, landmarks_px: np.ndarray, direction: int) -> bool:
    """Whether this refused pose completes ``TAKE_OVER_S`` of refused poses continuing each other."""
    last = state.chain.last
    if last is None or not 0 < frame - last[0] <= 2 or not judge(
            GuardMemory(last=(frame - 1, last[1])), frame, landmarks_px, last[1], SIDE_TORSOS * state.torso_px, direction):
        state.chain, state.chain_start_s = GuardMemory(last=(frame, hip_midpoint(landmarks_px))), time_s
        return False
    state.chain.last = (frame, hip_midpoint(landmarks_px))
    if time_s - state.chain_start_s < TAKE_OVER_S:
        return False
    state.chain, state.chain_start_s = GuardMemory(), float("nan")
    return True


def refused_poses(frames: np.ndarray, time_s: np.ndarray, valid: np.ndarray, image_px: np.ndarray,
                  glances: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(n,) bool: posed frames whose pose is not the walker's (``accept_pose`` in frame order), or lies off
    the walker's ``glances`` (``off_glances``; None: not checked). ``frames`` (n,) video frames, ``time_s``
    (n,) s, ``valid`` (n,) bool, ``image_px`` (n, 33, >=2) px; ``glances``: glanced frames (m,) and the
    walker's boxes there (m, 4) x0 y0 x1 y1 px (NaN where not seen)."""
    state = WalkerState()
    refused = np.zeros(len(frames), bool)
    for i in np.flatnonzero(valid):
        if glances is not None and off_glances(int(frames[i]), image_px[i], *glances):
            refused[i] = True  # not shown to the guard: its reference must not drift after someone else
            continue
        refused[i] = not accept_pose(state, int(frames[i]), float(time_s[i]), image_px[i])
    return refused


def off_glances(frame: int, landmarks_px: np.ndarray, glance_frames: np.ndarray, boxes_px: np.ndarray) -> bool:
    """Whether the pose's (33, >=2 px) hip x lies more than ``GLANCE_OFF_BOXES`` box heights from the
    walker's box centre interpolated between the glances that saw her (``glance_frames`` (m,), ``boxes_px``
    (m, 4) px, NaN rows not seen); False outside the first..last such glance, or with fewer than two."""
    boxes = np.asarray(boxes_px, dtype=float).reshape(-1, 4)
    seen = np.isfinite(boxes).all(axis=1)
    at, boxes = np.asarray(glance_frames, dtype=float)[seen], boxes[seen]
    hip = hip_midpoint(landmarks_px)
    if len(at) < 2 or not at[0] <= frame <= at[-1] or not np.isfinite(hip[0]):
        return False
    centre_x = float(np.interp(frame, at, (boxes[:, 0] + boxes[:, 2]) / 2))
    return abs(float(hip[0]) - centre_x) > GLANCE_OFF_BOXES * float(np.median(boxes[:, 3] - boxes[:, 1]))


@dataclass(frozen=True)
class Refusals:
    """What the whole-frame guard refused: how many posed frames (of ``posed``), and the longest
    stretch of refusals (first and last video frame, refusals in it), runs closer than ``CROWD_RUN_S`` joined."""

    refused: int
    posed: int
    span: tuple[int, int] | None
    span_refused: int
    crowded: bool


def summarise_refusals(frames: np.ndarray, time_s: np.ndarray, valid: np.ndarray, refused: np.ndarray) -> Refusals:
    """``Refusals`` of a run; ``crowded``: above ``CROWD_SHARE`` of posed frames, or a stretch of at
    least ``CROWD_RUN_S`` (s) whose refused poses outnumber its accepted ones."""
    posed = int(valid.sum())
    idx = np.flatnonzero(refused)
    if len(idx) == 0:
        return Refusals(0, posed, None, 0, False)
    groups = np.split(idx, np.flatnonzero(np.diff(time_s[idx]) > CROWD_RUN_S) + 1)
    best = max(groups, key=len)
    a, b = int(best[0]), int(best[-1])
    long_run = time_s[b] - time_s[a] >= CROWD_RUN_S and len(best) > int(valid[a : b + 1].sum()) - len(best)
    crowded = len(idx) > CROWD_SHARE * max(posed, 1) or bool(long_run)
    return Refusals(len(idx), posed, (int(frames[a]), int(frames[b])), len(best), crowded)


def refusal_words(r: Refusals) -> str:
    """One line for the user on a run's refusals ('' when none)."""
    if r.refused == 0:
        return ""
    line = f"{r.refused} of {r.posed} whole-frame poses refused as not the walker's (kept as gaps)"
    if r.crowded and r.span is not None:
        there = "" if r.span_refused == r.refused else f"{r.span_refused} there; "
        line = (f"another person may have been in view in frames {r.span[0]}-{r.span[1]} ({there}{line}): "
                "check events_review.png or run with --person largest/K")
    return line
