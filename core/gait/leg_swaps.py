"""Left/right leg swap correction: undo frames where a pose model exchanged the legs.

The swap state per frame is a Viterbi path over the legs' accelerations (``correct_left_right_swaps``);
on 2-D video, votes from the feet's ground contacts (``core.gait.stance_sides``) may fix the labels
where accelerations are ambiguous. Bursts where the feet's labels flip back and forth, or both feet
collapse onto each other, faster than the path can follow are left out (``foot_flip_frames``), and so are
single foot points that jump out and back within 1-2 frames (``foot_point_spikes``). Before the path, labels that
alternate every other frame are undone frame by frame (``one_frame_swaps``).
Positions are (T, 33, 3) arrays in any unit.
"""

from __future__ import annotations

import warnings

import numpy as np

from core.constants import LEG_LANDMARKS
from core.errors import InsufficientDataError
from core.gait.direction import leg_length, present_sides
from core.gait.stance_sides import stance_votes
from core.runs import true_runs


# Leg landmarks exchanged by swap correction (hips included: in 3-D they veto false swaps).
_LEG_PARTS = ("hip", "knee", "ankle", "heel", "toe")
_LEG_PERMUTATION = np.arange(33)
for _part in _LEG_PARTS:
    _l, _r = LEG_LANDMARKS["left"][_part], LEG_LANDMARKS["right"][_part]
    _LEG_PERMUTATION[[_l, _r]] = [_r, _l]
_LEG_INDICES = np.flatnonzero(_LEG_PERMUTATION != np.arange(33))
# Changing the swap state costs as much as a 10%-of-leg-length acceleration error on one
# landmark: well above pose noise, well below the jump a real swap causes.
SWAP_SWITCH_COST = 0.1**2
# Cost per frame of relabelling the pose model's legs (leg lengths^2). In side views the legs
# cross twice per stride, where swapping the rest of the recording costs almost no acceleration;
# this prior keeps the model's labels unless the accelerations clearly say otherwise. MediaPipe's
# side-view swaps are short bursts (3-6 frames at 30 fps, legs ~0.6 leg lengths apart: a large
# jump), while its landmark noise (~3 % of leg length) makes crossing-to-crossing relabelling
# almost free: 0.001 created such false swaps over parts of synthetic videos (docs/gait_accuracy.md,
# table (d)); 0.01 (one switch's cost per frame) removes many of them and still undoes a 1 s
# swap with clear jumps (tests/core/gait/test_gait_preprocessing.py).
SWAP_STATE_COST = 0.01
# One landmark's squared acceleration counts at most (0.2 leg lengths)^2 in the swap costs. A pose
# glitch (one or two landmarks thrown off for a frame, common in MediaPipe side views) otherwise
# costs so much that relabelling a whole stretch between two glitches looks cheaper than keeping
# it; a real swap moves all ~10 leg landmarks, so it still costs far more than a state change.
SWAP_MAX_LANDMARK_COST = 0.2**2
# A frame where both legs' landmarks jump off the line between their neighbours and back (median
# landmark more than SWAP_SPIKE_LEG leg lengths from its neighbours' midpoint) is a pose glitch:
# MediaPipe side views collapse both legs towards each other for a frame near leg crossings. Such a
# frame makes a swap across it look free (it costs the same in both labellings), so the swap
# costs see it replaced by that midpoint. The README demo's frames 88 and 99 (~0.13 leg lengths)
# otherwise relabelled a whole stance between them.
SWAP_SPIKE_LEG = 0.08
# ... and only when the legs collapse onto each other in that frame (their separation falls below
# SWAP_SPIKE_COLLAPSE of both neighbours'): a real swap, even of one frame, keeps the separation.
SWAP_SPIKE_COLLAPSE = 0.5
# Cost (leg lengths^2) of a swap state against one ground-contact vote (a heel resting on a placement
# of the other side, ``core.gait.stance_sides``): as much as a 0.5-leg-length acceleration, so
# contacts decide where accelerations are ambiguous (leg collapses), not against a clear jump.
SWAP_VOTE_COST = 0.5**2
# A small walker's feet (120 px tall, feet ~18 px long) are exchanged or pulled onto each other by
# MediaPipe for 1-5 frames at a time, mostly in double support, flipping every frame or two: too fast
# and too partial (feet without knees, half-way "merged" frames) for the swap path, which then labels
# some of them wrongly. Such a burst starts and ends with both feet jumping at once in opposite
# directions, each faster than FLIP_SPEED_LEG_S leg lengths/s (a walking foot swings at up to ~6, but
# the other then rests: over the ground, or at the walking speed, ~1.5, under a panning camera). Two
# such jumps within FLIP_MAX_BURST_S bound a burst; its frames where the feet are off lose them
# (``core.gait.preprocessing`` bridges them). Small walkers (docs/walker.md, "Session 16"): event F1
# median 0.919 -> 0.975 and worst 0.810 -> 0.857 on 10 fresh videos, 0.905 -> 0.963 and 0.790 -> 0.923
# on 8 of earlier sessions (with the bridging).
FLIP_SPEED_LEG_S = 4.0
# ... and by at least FLIP_MIN_JUMP_LEG leg lengths within one frame, whatever the frame rate (the speed's step at
# 30 fps): at 60 and 120 fps the speed alone let MediaPipe's frame-to-frame jitter pass for flips (a phone-look
# walk at 120 fps: feet left out in 472 of 840 frames, event F1 0.784 -> 0.556; with the floor 0.784 again).
FLIP_MIN_JUMP_LEG = FLIP_SPEED_LEG_S / 30.0
# Flips are left out only up to FLIP_MAX_RATE_HZ: measured on 30 fps video only, and on 7 phone-look walks at 60 and
# 120 fps (seeds 2601-2605 and two more, session 16) leaving them out lowered the mean event F1 from 0.871 to 0.846
# even with the floor above (0.741 without it).
FLIP_MAX_RATE_HZ = 35.0
FLIP_MAX_BURST_S = 0.2
# A single foot point (ankle, heel or toe) of a small walker also jumps ahead along the walk for 1-2 frames and back,
# mostly the far foot's toe just as it leaves the floor (docs/walker.md, "Session 17"): after the low-pass its
# speed then rises, falls back and rises again, and toe off is timed on the second rise. A point whose 1 or
# SPIKE_MAX_FRAMES frames all lie more than SPIKE_LEG leg lengths on the same side of the line between the frames
# around them is such a spike (a walking foot's own curvature there is under ~0.05 leg lengths at 30 fps).
SPIKE_LEG = 0.15
SPIKE_MAX_FRAMES = 2
# A small walker's feet labels also alternate every other frame for a few frames (docs/walker.md, "Session 18": X . X
# . X with some frames half merged). The swap path's second differences cannot tell which frames of such a run are
# the exchanged ones (either parity costs about the same), and its wrong choice left a flip burst too long to bridge.
# A frame whose leg landmarks, exchanged, lie within SPIKE_LEG leg lengths of the midpoint of the frames around it
# (median landmark) while as labelled they lie more than twice as far, and at least 2 * SPIKE_LEG, off it is
# exchanged on its own (``one_frame_swaps``); the clearest first, so an alternation is undone frame by frame.
# Only within an alternation: a run of at least ALTERNATION_MIN_RUN frames that each look so (X . X: the frame
# between two exchanged ones looks exchanged against them too). A frame exchanged alone, or two in a row, is left to
# the swap path and the flips (on the phone sweeps, undoing those lowered 3 videos' F1 and raised 1).
ALTERNATION_MIN_RUN = 3
ALTERNATION_MAX_PASSES = 8
_FOOT_PARTS = ("ankle", "heel", "toe")
_FOOT_INDICES = {side: [LEG_LANDMARKS[side][p] for p in _FOOT_PARTS] for side in ("left", "right")}
FOOT_LANDMARKS = tuple(_FOOT_INDICES["left"] + _FOOT_INDICES["right"])  # what ``without_foot_flips`` leaves out


def swap_legs(x: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Copy of x (T, 33, ...) with left and right leg landmarks exchanged where ``frames`` (T,) is True."""
    out = np.array(x, copy=True)
    out[frames] = x[frames][:, _LEG_PERMUTATION]
    return out


def _acceleration_costs(positions: np.ndarray, scale: float) -> np.ndarray:
    """(2, 2, 2, T-2) squared leg accelerations (leg lengths^2) for swap states (s[t-2], s[t-1], s[t]).

    Only landmarks present on both sides in all three frames count, so a swap never hides data.
    Each landmark counts at most ``SWAP_MAX_LANDMARK_COST`` (robust to single-landmark glitches).
    """
    configs = np.stack([positions[:, _LEG_INDICES], positions[:, _LEG_PERMUTATION[_LEG_INDICES]]])
    both = np.isfinite(configs).all(axis=(0, 3))
    usable = both[2:] & both[1:-1] & both[:-2]
    costs = np.zeros((2, 2, 2, len(positions) - 2))
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                acc = configs[c, 2:] - 2.0 * configs[b, 1:-1] + configs[a, :-2]
                per_landmark = np.sum(np.where(usable[..., None], acc, 0.0) ** 2, axis=2) / scale**2
                costs[a, b, c] = np.sum(np.minimum(per_landmark, SWAP_MAX_LANDMARK_COST), axis=1)
    return costs


def bridge_spikes(positions: np.ndarray, scale: float) -> np.ndarray:
    """Copy of positions (T, 33, 3) with glitch frames (see SWAP_SPIKE_LEG) of the leg landmarks
    replaced by the midpoint of the frames before and after; ``scale`` is the leg length. Only local
    maxima of the deviation count (a glitch also pulls its neighbours' midpoints off by half), and
    only frames where the legs collapse (SWAP_SPIKE_COLLAPSE)."""
    out = np.array(positions, dtype=float, copy=True)
    if len(out) < 3:
        return out
    legs = out[:, _LEG_INDICES]
    midpoint = 0.5 * (legs[:-2] + legs[2:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        deviation = np.nanmedian(np.linalg.norm(legs[1:-1] - midpoint, axis=2), axis=1)
        separation = np.nanmedian(np.linalg.norm(legs - out[:, _LEG_PERMUTATION[_LEG_INDICES]], axis=2), axis=1)
    padded = np.concatenate(([0.0], np.nan_to_num(deviation), [0.0]))
    peak = (padded[1:-1] >= padded[:-2]) & (padded[1:-1] >= padded[2:])
    collapsed = separation[1:-1] < SWAP_SPIKE_COLLAPSE * np.minimum(separation[:-2], separation[2:])
    spikes = 1 + np.flatnonzero(peak & collapsed & (deviation > SWAP_SPIKE_LEG * scale))
    spikes = spikes[np.isfinite(midpoint[spikes - 1]).all(axis=(1, 2))]
    legs[spikes] = midpoint[spikes - 1]
    out[:, _LEG_INDICES] = legs
    return out


def _viterbi_states(costs: np.ndarray, switch_cost: float, state_cost: float = SWAP_STATE_COST,
                    votes: np.ndarray | None = None) -> np.ndarray:
    """(T,) bool swap states minimising accelerations + ``switch_cost`` per change + ``state_cost``
    per swapped frame + SWAP_VOTE_COST per vote (``votes`` (T,): + for swapped) against the state
    (ties: unswapped)."""
    costs = costs.copy()
    costs[:, :, 1] += state_cost
    if votes is not None:
        costs[:, :, 1] -= SWAP_VOTE_COST * votes[2:]
    n = costs.shape[-1] + 2
    transition = switch_cost * (1.0 - np.eye(2)) + 1e-12 * np.array([0.0, 1.0])
    best = transition.copy()
    back = np.zeros((n, 2, 2), dtype=int)
    for t in range(2, n):
        candidates = best[:, :, None] + costs[..., t - 2] + transition[None]
        back[t] = np.argmin(candidates, axis=0)
        best = np.min(candidates, axis=0)
    b, c = np.unravel_index(int(np.argmin(best)), best.shape)
    states = np.zeros(n, dtype=bool)
    states[n - 1], states[n - 2] = c, b
    for t in range(n - 1, 1, -1):
        a = back[t, b, c]
        states[t - 2] = a
        b, c = a, b
    return states


def correct_left_right_swaps(positions: np.ndarray, switch_cost: float = SWAP_SWITCH_COST,
                             votes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Undo frames where left and right leg landmarks are exchanged (typical of side-view pose).

    The swap state per frame is the Viterbi path minimising the summed squared second difference
    of all leg landmarks (a swap makes both legs jump) plus ``switch_cost`` per state change, in
    leg lengths. The labelling used by most frames is kept as the true one, unless ``votes`` (T,)
    from the feet's ground contacts (``core.gait.stance_sides.stance_votes``; + for swapped) are
    given: they fix which labelling is true. Returns (positions, swapped (T,) bool).
    """
    swapped = np.zeros(len(positions), dtype=bool)
    has_legs = np.isfinite(positions[:, _LEG_INDICES]).all(axis=2).any(axis=1)
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        return positions.copy(), swapped
    if len(positions) < 3 or not np.isfinite(scale) or scale <= 0:
        return positions.copy(), swapped
    costs = _acceleration_costs(bridge_spikes(positions, scale), scale)
    swapped = _viterbi_states(costs, switch_cost, votes=votes) & has_legs
    if votes is None and swapped.sum() > 0.5 * has_legs.sum():
        swapped = ~swapped & has_legs
    return swap_legs(positions, swapped), swapped


def foot_flip_frames(positions: np.ndarray, rate_hz: float, scale: float) -> np.ndarray:
    """(T,) bool: frames whose feet are off in a burst of label flips (see FLIP_SPEED_LEG_S).

    A flip step is a frame step where both feet (the mean of ankle, heel and toe) move faster than
    FLIP_SPEED_LEG_S leg lengths (``scale``) per second, and more than FLIP_MIN_JUMP_LEG of them, in
    opposite directions; two or more steps each at most FLIP_MAX_BURST_S after the last make a burst.
    From its first step on, each foot's flip steps are summed: a frame before its last step is off
    while the two feet's sums average more than one step's threshold (a jump out and the jump back
    cancel, so the good frames between two short flips are kept). ``positions`` (T, 33, 3), ``rate_hz``
    their sample rate."""
    bad = np.zeros(len(positions), dtype=bool)
    if len(positions) < 3 or not (np.isfinite(scale) and scale > 0 and np.isfinite(rate_hz) and rate_hz > 0):
        return bad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        left, right = (np.nanmean(positions[:, _FOOT_INDICES[s]], axis=1) for s in ("left", "right"))
    steps = np.stack([np.diff(left, axis=0), np.diff(right, axis=0)], axis=1)  # (T-1, 2 feet, 3)
    jump = scale * max(FLIP_SPEED_LEG_S / rate_hz, FLIP_MIN_JUMP_LEG)
    with np.errstate(invalid="ignore"):
        fast = (np.linalg.norm(steps, axis=2) > jump).all(axis=1)
        flips = 1 + np.flatnonzero(fast & (np.sum(steps[:, 0] * steps[:, 1], axis=1) < 0))
    max_apart = max(1, int(round(FLIP_MAX_BURST_S * rate_hz)))
    for burst in np.split(flips, np.flatnonzero(np.diff(flips) > max_apart) + 1):
        if len(burst) < 2:
            continue
        offset = np.zeros(steps.shape[1:])
        for t in range(burst[0], burst[-1]):
            if t in burst:
                offset += steps[t - 1]
            bad[t] = np.linalg.norm(offset, axis=1).mean() > jump
    return bad


def foot_point_spikes(positions: np.ndarray, scale: float) -> np.ndarray:
    """(T, 6) bool over ``FOOT_LANDMARKS``: frames where that point's x is a spike (see SPIKE_LEG); ``positions``
    (T, 33, 3), ``scale`` the leg length in their units."""
    x = positions[:, list(FOOT_LANDMARKS), 0]
    out = np.zeros(x.shape, dtype=bool)
    if not (np.isfinite(scale) and scale > 0):
        return out
    n = len(x)
    with np.errstate(invalid="ignore"):
        for k in range(1, min(SPIKE_MAX_FRAMES, n - 2) + 1):
            before, after = x[:n - k - 1], x[k + 1:]
            dev = np.stack([(x[j:n - k - 1 + j] - before - (after - before) * j / (k + 1)) / scale
                            for j in range(1, k + 1)])  # (k, T - k - 1, 6)
            spike = (np.abs(dev) > SPIKE_LEG).all(axis=0) & (np.sign(dev) == np.sign(dev[0])).all(axis=0)
            if k == 1:  # a spike pulls its neighbours' lines half as far the other way: only the peak counts
                size = np.pad(np.nan_to_num(np.abs(dev[0])), ((1, 1), (0, 0)))
                spike &= (size[1:-1] >= size[:-2]) & (size[1:-1] >= size[2:])
            for j in range(1, k + 1):
                out[j:n - k - 1 + j] |= spike
    return out


def _one_frame_margin(positions: np.ndarray, scale: float) -> np.ndarray:
    """(T,) how much nearer (leg lengths) each frame's leg landmarks lie to the midpoint of the frames around them
    exchanged than as labelled (median landmark); NaN at the ends, without neighbours, or where the exchanged frame
    is not within SPIKE_LEG of that midpoint or the labelled one within 2 * SPIKE_LEG (see ALTERNATION_MIN_RUN)."""
    legs = positions[:, _LEG_INDICES]
    margin = np.full(len(positions), np.nan)
    if len(positions) < 3:
        return margin
    midpoint = 0.5 * (legs[:-2] + legs[2:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        keep = np.nanmedian(np.linalg.norm(legs[1:-1] - midpoint, axis=2), axis=1) / scale
        swap = np.nanmedian(np.linalg.norm(positions[1:-1, _LEG_PERMUTATION[_LEG_INDICES]] - midpoint, axis=2),
                            axis=1) / scale
    with np.errstate(invalid="ignore"):
        clear = (swap < SPIKE_LEG) & (keep > 2.0 * np.maximum(swap, SPIKE_LEG))
    margin[1:-1] = np.where(clear, keep - swap, np.nan)
    return margin


def one_frame_swaps(positions: np.ndarray, scale: float) -> np.ndarray:
    """(T,) bool: frames whose legs are exchanged on their own (see ALTERNATION_MIN_RUN). Each pass exchanges
    the frames that are clearer than both neighbours; frames beside an exchanged one are judged again in the next
    pass. ``positions`` (T, 33, 3), ``scale`` the leg length in their units."""
    swapped = np.zeros(len(positions), dtype=bool)
    if not (np.isfinite(scale) and scale > 0):
        return swapped
    current = np.array(positions, dtype=float, copy=True)
    margin = _one_frame_margin(current, scale)
    runs = true_runs(np.isfinite(margin), ALTERNATION_MIN_RUN)
    inside = np.zeros(len(positions), dtype=bool)
    for a, b in runs:
        inside[a:b] = True
    for _ in range(ALTERNATION_MAX_PASSES if runs else 0):
        margin = np.where(inside, np.nan_to_num(margin, nan=0.0), 0.0)
        padded = np.pad(margin, 1)
        frames = np.flatnonzero((margin > 0) & (margin > padded[:-2]) & (margin >= padded[2:]))
        if not len(frames):
            break
        current[frames] = current[frames][:, _LEG_PERMUTATION]
        swapped[frames] ^= True
        margin = _one_frame_margin(current, scale)
    return swapped


def without_alternations(positions: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """``positions`` (T, 33, 3) with ``one_frame_swaps`` undone, and those frames (T,); unchanged above
    FLIP_MAX_RATE_HZ (measured at 30 fps) or without a leg length."""
    scale = _cleaning_scale(positions, rate_hz)
    if scale is None:
        return positions.copy(), np.zeros(len(positions), dtype=bool)
    swapped = one_frame_swaps(positions, scale)
    return swap_legs(positions, swapped), swapped


def without_foot_flips(positions: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """``positions`` (T, 33, 3) with both feet (ankle, heel, toe) NaN in ``foot_flip_frames``, and those frames (T,);
    unchanged above FLIP_MAX_RATE_HZ."""
    scale = _cleaning_scale(positions, rate_hz)
    if scale is None:
        return positions.copy(), np.zeros(len(positions), dtype=bool)
    bad = foot_flip_frames(positions, rate_hz, scale)
    out = np.array(positions, dtype=float, copy=True)
    out[np.ix_(np.flatnonzero(bad), FOOT_LANDMARKS)] = np.nan
    return out, bad


def without_foot_spikes(positions: np.ndarray, rate_hz: float) -> tuple[np.ndarray, int]:
    """``positions`` (T, 33, 3) with each foot point NaN where ``foot_point_spikes`` finds it off, and how many
    points; unchanged above FLIP_MAX_RATE_HZ (measured at 30 fps) or without a leg length."""
    scale = _cleaning_scale(positions, rate_hz)
    if scale is None:
        return positions.copy(), 0
    frames, points = np.nonzero(foot_point_spikes(positions, scale))
    out = np.array(positions, dtype=float, copy=True)
    out[frames, np.asarray(FOOT_LANDMARKS)[points]] = np.nan
    return out, len(frames)


def _cleaning_scale(positions: np.ndarray, rate_hz: float) -> float | None:
    """The leg length (units of ``positions`` (T, 33, 3)) that foot flips and spikes are measured in; None above
    FLIP_MAX_RATE_HZ, where neither is left out, or where the legs give no length."""
    if not rate_hz <= FLIP_MAX_RATE_HZ:
        return None
    try:
        return leg_length(positions)
    except InsufficientDataError:
        return None


def ground_contact_votes(positions: np.ndarray, rate_hz: float, scene: np.ndarray | None) -> np.ndarray | None:
    """Swap votes of 2-D video legs from their ground contacts (``core.gait.stance_sides``); None with
    one leg only (alternating placements would then move half its stances onto the absent leg)."""
    if len(present_sides(positions)) < 2:
        return None
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        return None
    if scene is not None and len(scene) != len(positions):
        scene = None
    votes = stance_votes(positions, rate_hz, scale, scene)
    return votes if np.any(votes != 0) else None
