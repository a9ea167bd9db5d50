"""Left/right labels of video legs from the feet's ground contacts (2-D pose, side view).

A pose model in a side view often exchanges the legs where they cross and, as both legs collapse
onto each other for a few frames there, no acceleration criterion can follow them through
(``core.gait.leg_swaps.correct_left_right_swaps``). A foot in stance, however, rests on one
spot of the ground whichever label the model gives it, and successive foot placements alternate
sides. So: find placements (runs where a labelled heel rests over the ground at one position),
chain those that progress along the walking direction, give them alternating sides (the phase that
agrees with most of the model's labels), and let each resting heel vote for or against its label
(``stance_votes``). The votes enter the swap correction's costs, so frames without votes follow
the accelerations. On a treadmill (no progression) no chain forms and nothing is voted.

Positions are image pixels (T, 33, 3), x horizontal; the scenery's image velocity (camera pan,
px/s along x) is removed first so that "at rest" means at rest over the ground.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.constants import LEG_LANDMARKS
from core.gait.direction import TURN_BACK_LEG
from core.turns import one_way_runs

SIDES = ("left", "right")
# A heel rests when its speed over ground is below REST_FRACTION of the walking speed.
REST_FRACTION = 0.5
# Resting samples within PLACEMENT_TOLERANCE_LEG leg lengths of a placement's position and at most
# PLACEMENT_GAP_S after its last sample belong to it (one heel per frame); a placement lasts at least
# MIN_PLACEMENT_S.
PLACEMENT_TOLERANCE_LEG = 0.15
PLACEMENT_GAP_S = 0.4
MIN_PLACEMENT_S = 0.1
# Successive foot placements closer than MIN_STEP_LEG leg lengths along the walking direction are one
# stance split by noise, unless both rest at a common frame: two feet in double support. Parkinsonian steps
# are often shorter (0.1-0.25 leg lengths in the real walkers of docs/gait_accuracy.md, session 19).
MIN_STEP_LEG = 0.25
MAX_STEP_RATIO = 1.5
# Changing a chain's alternation phase between two steps costs the samples of this many median steps
# voting against it (see ``_step_phases``).
PHASE_SWITCH_STEPS = 1.0
# A walk there and back is voted pass by pass (``core.turns.one_way_runs``): a pass ends where the pelvis turns back
# by more than ``core.gait.direction.TURN_BACK_LEG`` leg lengths (over the ground) from its furthest point. With one
# direction for the whole walk, the way back's placements each lay behind the last (no chain, no vote) and, with a
# stand between the passes, the median pelvis velocity was about 0 (no resting heel, no vote at all).


@dataclass
class Placement:
    """One foot placement: ground position (px), frames and the model's label of each sample."""

    frames: list[int] = field(default_factory=list)
    positions: list[float] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)

    @property
    def position(self) -> float:
        return float(np.median(self.positions))


def ground_positions(heel_x: np.ndarray, rate_hz: float, scene_velocity_px_s: np.ndarray | None) -> np.ndarray:
    """(T, 2) heel x over the ground (px) for heel_x (T, 2): image x minus the camera pan so far."""
    if scene_velocity_px_s is None:
        return heel_x
    scene = np.nan_to_num(np.asarray(scene_velocity_px_s, dtype=float))
    return heel_x - (np.cumsum(scene) / rate_hz)[:, None]


def find_placements(ground_x: np.ndarray, rate_hz: float, walking_speed: float, scale: float) -> list[Placement]:
    """Placements (sorted by first frame) from heel ground positions ground_x (T, 2; px, NaN
    missing), walking speed (px/s, > 0) and leg length ``scale`` (px)."""
    speed = np.abs(np.gradient(ground_x, axis=0)) * rate_hz
    resting = np.isfinite(speed) & (speed < REST_FRACTION * walking_speed)
    gap = max(1, int(round(PLACEMENT_GAP_S * rate_hz)))
    open_: list[Placement] = []
    done: list[Placement] = []
    tolerance = PLACEMENT_TOLERANCE_LEG * scale
    for t in range(len(ground_x)):
        # A placement takes one heel per frame (two heels resting at once are two feet, however short the
        # step): the heel nearer to an open placement chooses first.
        labels = [label for label in (0, 1) if resting[t, label]]
        labels.sort(key=lambda label: min((abs(ground_x[t, label] - p.position) for p in open_), default=np.inf))
        for label in labels:
            x = float(ground_x[t, label])
            near = [p for p in open_ if abs(x - p.position) < tolerance and 0 < t - p.frames[-1] <= gap]
            target = min(near, key=lambda p: abs(x - p.position)) if near else None
            if target is None:
                target = Placement()
                open_.append(target)
            target.frames.append(t)
            target.positions.append(x)
            target.labels.append(label)
        done += [p for p in open_ if t - p.frames[-1] > gap]
        open_ = [p for p in open_ if t - p.frames[-1] <= gap]
    min_frames = max(3, int(round(MIN_PLACEMENT_S * rate_hz)))
    kept = [p for p in done + open_ if len(p.frames) >= min_frames]
    return sorted(kept, key=lambda p: p.frames[0])


def placement_sides(placements: list[Placement], direction: float, scale: float) -> list[int | None]:
    """Side index (0 left, 1 right) per placement (sorted by first frame). A placement within
    MIN_STEP_LEG leg lengths of the previous one is the same foot (its stance split by noise) unless the
    two rest at a common frame (two feet: a short step with double support); one at least that far
    ahead in ``direction`` (+1 or -1 along x) is the next step, of the other side; one behind breaks
    the chain (a turn). Each chain of at least 3 steps alternates sides with the phase most of its
    samples' model labels agree with; other placements get None. A step longer than MAX_STEP_RATIO
    times the median step also breaks the chain (a missed placement)."""
    positions = np.array([p.position for p in placements])
    aheads = direction * np.diff(positions)
    typical = np.median(aheads[aheads >= MIN_STEP_LEG * scale]) if np.any(aheads >= MIN_STEP_LEG * scale) else np.inf
    steps: list[list[int]] = []
    chains: list[list[list[int]]] = []
    for k in range(len(placements)):
        if steps:
            ahead = direction * (positions[k] - positions[steps[-1][-1]])
            if abs(ahead) < MIN_STEP_LEG * scale and not _together(placements[k], placements[steps[-1][-1]]):
                steps[-1].append(k)
                continue
            if ahead < 0 or ahead > MAX_STEP_RATIO * typical:
                chains.append(steps)
                steps = []
        steps.append([k])
    chains.append(steps)
    sides: list[int | None] = [None] * len(placements)
    for chain in chains:
        if len(chain) < 3:
            continue
        labels = [np.concatenate([placements[k].labels for k in step]) for step in chain]
        for i, (step, phase) in enumerate(zip(chain, _step_phases(labels))):
            for k in step:
                sides[k] = (i + phase) % 2
    return sides


def _together(a: Placement, b: Placement) -> bool:
    """Whether two placements rest at a common frame: two feet on the ground at once (double support)."""
    return not set(a.frames).isdisjoint(b.frames)


def _step_phases(labels: list[np.ndarray]) -> np.ndarray:
    """(n,) alternation phase (0: step i is side i % 2) per step of a chain, from each step's
    samples' model labels: the phase most labels agree with, allowed to change between steps at the
    cost of PHASE_SWITCH_STEPS median steps' samples (a placement missed or split in two, undetected
    by the step lengths, shifts the alternation for the rest of the chain)."""
    wrong = np.array([[np.sum(lab != (i + phase) % 2) for phase in (0, 1)] for i, lab in enumerate(labels)], float)
    switch = PHASE_SWITCH_STEPS * float(np.median([len(lab) for lab in labels]))
    total, back = wrong[0].copy(), np.zeros((len(labels), 2), int)
    for i in range(1, len(labels)):
        stay, move = total, total[::-1] + switch
        back[i] = np.where(stay <= move, [0, 1], [1, 0])
        total = np.minimum(stay, move) + wrong[i]
    phases = np.zeros(len(labels), int)
    phases[-1] = int(np.argmin(total))
    for i in range(len(labels) - 1, 0, -1):
        phases[i - 1] = back[i, phases[i]]
    return phases


def stance_votes(positions: np.ndarray, rate_hz: float, scale: float,
                 scene_velocity_px_s: np.ndarray | None = None) -> np.ndarray:
    """(T,) votes for exchanging the model's leg labels: +1 per heel resting on a placement of the
    other side, -1 per heel resting on one of its own side, 0 without evidence. positions: (T, 33, 3)
    px; ``scale`` the leg length (px); ``scene_velocity_px_s`` (T,) the camera pan or None."""
    votes = np.zeros(len(positions))
    heel_x = np.stack([positions[:, LEG_LANDMARKS[s]["heel"], 0] for s in SIDES], axis=1)
    hips = np.stack([positions[:, LEG_LANDMARKS[s]["hip"], 0] for s in SIDES], axis=1)
    n_hips = np.isfinite(hips).sum(axis=1)
    pelvis_x = np.where(n_hips > 0, np.nansum(hips, axis=1) / np.maximum(n_hips, 1), np.nan)
    ground_x = ground_positions(heel_x, rate_hz, scene_velocity_px_s)
    pelvis_ground_x = ground_positions(pelvis_x[:, None], rate_hz, scene_velocity_px_s)[:, 0]
    velocity = np.gradient(pelvis_ground_x) * rate_hz
    if not np.isfinite(velocity).any() or not np.isfinite(scale):
        return votes
    for start, end in one_way_runs(pelvis_ground_x, TURN_BACK_LEG * scale):
        walking = float(np.nanmedian(velocity[start:end])) if np.isfinite(velocity[start:end]).any() else np.nan
        if not np.isfinite(walking) or walking == 0:
            continue
        placements = find_placements(ground_x[start:end], rate_hz, abs(walking), scale)
        for p, side in zip(placements, placement_sides(placements, float(np.sign(walking)), scale)):
            if side is not None:
                for t, label in zip(p.frames, p.labels):
                    votes[start + t] += 1.0 if label != side else -1.0
    return votes
