"""Is a pose found in the walker's crop the walker's? Pure checks on one frame's landmarks (px).

A second person passing in front of the walker enters the crop, and the pose model may take them.
Their hips then sit away from the walker's scanned hip (mostly lower, being nearer the camera, and
drifting off at their own speed), and one walking the other way faces the other way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import LANDMARK_INDEX

# Largest hip offset from the walker's scanned hip, in crop sides: along the walk (the scan's
# interpolation between sightings errs most there) and up/down (a walker's hip barely moves vertically).
MAX_HIP_OFFSET_X_CROPS = 0.12
MAX_HIP_OFFSET_Y_CROPS = 0.06
# A pose outside those offsets is still the walker's when it continues the last accepted pose (at most
# CONTINUITY_MAX_FRAMES video frames earlier, its hip within CONTINUITY_CROPS + CONTINUITY_CROPS_PER_FRAME
# x frames of it) and stays within LOOSE_FACTOR x the offsets: the scanned hip is interpolated between
# scans 0.5 s apart, and one off box (a small walker, blur) otherwise rejected every pose around it
# (a 3 s 320x240 walk lost 15 frames in a row and every walking bout). A passer-by taking over jumps.
CONTINUITY_MAX_FRAMES = 4
CONTINUITY_CROPS = 0.02
CONTINUITY_CROPS_PER_FRAME = 0.03
LOOSE_FACTOR = 2.5
# The scanned hip is the detector's hip keypoint, which can sit off the pose's hip by a steady amount
# (a 120 px walker in 1280x720: 17 px = 0.07 crop sides low in every frame, so the first 30 frames were
# all refused). Before any pose is accepted, BOOTSTRAP_FRAMES poses in a row, each continuing the one
# before, within LOOSE_FACTOR x the offsets and facing the walk (a known direction is required), are
# taken as the walker; from then on the continuity rule above carries it. (Centring the ellipse on the
# median offset of the accepted poses was tried: a passer-by accepted for a few frames pulled it along,
# and crossing_lr_static_s83008 was followed on 78 % of its posed frames instead of 94 %.)
BOOTSTRAP_FRAMES = 3
# Someone else's box over the walker's: a pose whose hip lies at most OTHER_NEARER x as far from that
# person's scanned centre as from the walker's, and at least MIN_OFFSET_CROPS crop sides from the walker's,
# is theirs. A passer-by overtaking in front, facing the same way, otherwise took the pose model over for
# 20-30 frames while the walker was hidden (crossing_rl_static of seeds 801080522 and 32592132: 11-12 % of
# the posed frames were the passer-by's, the hip on the passer-by's centre to 0.03 crop sides and 0.1-0.29
# from the walker's).
OTHER_NEARER = 0.5
MIN_OFFSET_CROPS = 0.04
_HIPS = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
_EARS = [LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]]
_FEET = [(LANDMARK_INDEX[f"{s}_heel"], LANDMARK_INDEX[f"{s}_foot_index"]) for s in ("left", "right")]


def hip_midpoint(landmarks_px: np.ndarray) -> np.ndarray:
    """(2,) px midpoint of the pose's (33, >=2 px) hips (NaN when missing)."""
    return landmarks_px[_HIPS, :2].mean(axis=0)


def hips_near(landmarks_px: np.ndarray, hip_px: np.ndarray, crop_side_px: float, factor: float = 1.0) -> bool:
    """Whether the pose's (33, >=2 px) hip midpoint lies within ``factor`` x the offsets above of ``hip_px`` (2,)."""
    hip = hip_midpoint(landmarks_px)
    if not np.all(np.isfinite(hip)):
        return False
    dx, dy = np.abs(hip - hip_px) / max(crop_side_px, 1e-9) / factor
    return bool((dx / MAX_HIP_OFFSET_X_CROPS) ** 2 + (dy / MAX_HIP_OFFSET_Y_CROPS) ** 2 <= 1.0)


def nearer_someone_else(landmarks_px: np.ndarray, hip_px: np.ndarray, others_px: np.ndarray | None,
                        crop_side_px: float) -> bool:
    """Whether the pose's (33, >=2 px) hip is clearly another person's: within ``OTHER_NEARER`` x its
    distance from the walker's scanned hip ``hip_px`` (2,) of the centre of one of ``others_px`` (m, 4)
    boxes (x0 y0 x1 y1 px; None: nobody else in view), and at least ``MIN_OFFSET_CROPS`` from the walker's."""
    if others_px is None or not len(others_px):
        return False
    hip = hip_midpoint(landmarks_px)
    if not np.all(np.isfinite(hip)):
        return False
    to_walker = float(np.linalg.norm(hip - hip_px))
    if to_walker < MIN_OFFSET_CROPS * crop_side_px:
        return False
    centres = (np.asarray(others_px, float)[:, :2] + np.asarray(others_px, float)[:, 2:4]) / 2
    return bool(np.min(np.linalg.norm(centres - hip, axis=1)) <= OTHER_NEARER * to_walker)


def continues(landmarks_px: np.ndarray, previous: tuple[int, np.ndarray] | None, crop_side_px: float) -> bool:
    """Whether the pose's hip continues ``previous`` = (video frames ago, accepted hip px (2,))."""
    if previous is None or not 0 < previous[0] <= CONTINUITY_MAX_FRAMES:
        return False
    step = float(np.linalg.norm(hip_midpoint(landmarks_px) - previous[1])) / max(crop_side_px, 1e-9)
    return step <= CONTINUITY_CROPS + CONTINUITY_CROPS_PER_FRAME * previous[0]


def facing_x(landmarks_px: np.ndarray) -> int:
    """+1 facing right in the image, -1 left, 0 unsure: at least two of the three cues agree (each
    foot's toe ahead of its heel, the nose ahead of the ears) and none disagrees."""
    cues = [landmarks_px[toe, 0] - landmarks_px[heel, 0] for heel, toe in _FEET]
    cues.append(landmarks_px[LANDMARK_INDEX["nose"], 0] - landmarks_px[_EARS, 0].mean())
    signs = np.sign([c for c in cues if np.isfinite(c)])
    if len(signs) < 2 or not (np.all(signs > 0) or np.all(signs < 0)):
        return 0
    return int(signs[0])


def is_walker(landmarks_px: np.ndarray, hip_px: np.ndarray, crop_side_px: float, direction_x: int,
              previous: tuple[int, np.ndarray] | None = None) -> bool:
    """The walker's pose: hips near the scanned hip (or, within ``LOOSE_FACTOR`` of it, continuing the
    last accepted pose ``previous``: see ``continues``), and not facing against the walker's direction
    over the ground (``direction_x``: +1 right, -1 left in the image, 0 unknown)."""
    near = hips_near(landmarks_px, hip_px, crop_side_px) or (
        continues(landmarks_px, previous, crop_side_px) and hips_near(landmarks_px, hip_px, crop_side_px, LOOSE_FACTOR))
    if not near:
        return False
    return direction_x == 0 or facing_x(landmarks_px) != -direction_x


@dataclass
class GuardMemory:
    """What the guard keeps along one run of frames (a pose worker's lane): the last accepted pose
    (video frame, hip px) and, before any pose is accepted, the current run of consistent candidates
    (frame, hip px, length)."""

    last: tuple[int, np.ndarray] | None = None
    candidate: tuple[int, np.ndarray, int] | None = None

    def previous(self, frame: int) -> tuple[int, np.ndarray] | None:
        """(frames ago, hip px) of the last accepted pose, as ``is_walker`` takes it."""
        return None if self.last is None else (frame - self.last[0], self.last[1])


def judge(memory: GuardMemory, frame: int, landmarks_px: np.ndarray, hip_px: np.ndarray, crop_side_px: float,
          direction_x: int) -> bool:
    """``is_walker`` with ``memory`` (updated): the last accepted pose, and the start-up run (see
    ``BOOTSTRAP_FRAMES``)."""
    ok = is_walker(landmarks_px, hip_px, crop_side_px, direction_x, memory.previous(frame))
    if not ok and memory.last is None:
        ok = _bootstrapped(memory, frame, landmarks_px, hip_px, crop_side_px, direction_x)
    if ok:
        memory.last, memory.candidate = (frame, hip_midpoint(landmarks_px)), None
    return ok


def _bootstrapped(memory: GuardMemory, frame: int, landmarks_px: np.ndarray, hip_px: np.ndarray,
                  crop_side_px: float, direction_x: int) -> bool:
    """Whether this pose completes a start-up run of ``BOOTSTRAP_FRAMES`` consistent candidates."""
    if direction_x == 0 or facing_x(landmarks_px) != direction_x or \
            not hips_near(landmarks_px, hip_px, crop_side_px, LOOSE_FACTOR):
        memory.candidate = None
        return False
    run = memory.candidate
    previous = None if run is None else (frame - run[0], run[1])
    length = run[2] + 1 if continues(landmarks_px, previous, crop_side_px) else 1
    memory.candidate = (frame, hip_midpoint(landmarks_px), length)
    return length >= BOOTSTRAP_FRAMES
