"""Per-frame training targets from gait events, and their left/right mirror maps (no torch)."""

from __future__ import annotations

import numpy as np

from core.constants import TCN_EVENT_CHANNELS, TCN_EVENT_SIGMA_FRAMES, TCN_IGNORE_INDEX
from core.types import GaitEvent

N_EVENT_CHANNELS = len(TCN_EVENT_CHANNELS)
N_PHASES = 4
# Left/right mirroring: event channel i becomes EVENT_MIRROR[i], phase k becomes PHASE_MIRROR[k].
EVENT_MIRROR: tuple[int, ...] = tuple(
    TCN_EVENT_CHANNELS.index(("right" if side == "left" else "left", kind)) for side, kind in TCN_EVENT_CHANNELS
)
PHASE_MIRROR: tuple[int, ...] = (2, 3, 0, 1)
# The phase that starts at each event (left HS -> 0, right TO -> 1, right HS -> 2, left TO -> 3).
PHASE_AFTER_EVENT: dict[tuple[str, str], int] = {
    ("left", "heel_strike"): 0,
    ("right", "toe_off"): 1,
    ("right", "heel_strike"): 2,
    ("left", "toe_off"): 3,
}


def event_channel(event: GaitEvent) -> int:
    return TCN_EVENT_CHANNELS.index((event.side, event.event))


def event_targets(events: list[GaitEvent], n_frames: int, sigma_frames: float = TCN_EVENT_SIGMA_FRAMES) -> np.ndarray:
    """(T, 4) float32 in [0, 1]: a Gaussian bump (peak 1) around each event frame, per channel."""
    out = np.zeros((n_frames, N_EVENT_CHANNELS), dtype=np.float32)
    frames = np.arange(n_frames, dtype=np.float64)
    radius = int(np.ceil(4 * sigma_frames))
    for ev in events:
        lo, hi = max(0, ev.frame - radius), min(n_frames, ev.frame + radius + 1)
        if lo >= hi:
            continue
        bump = np.exp(-0.5 * ((frames[lo:hi] - ev.frame) / sigma_frames) ** 2)
        ch = event_channel(ev)
        out[lo:hi, ch] = np.maximum(out[lo:hi, ch], bump)
    return out


def mask_outside_annotations(
    targets: np.ndarray, events: list[GaitEvent], sigma_frames: float = TCN_EVENT_SIGMA_FRAMES
) -> np.ndarray:
    """(T, 4) event targets with frames more than a bump radius outside the annotated span set to -1 (ignored).

    Annotations often cover only part of a recording: there, 0 would wrongly teach "no event".
    """
    out = targets.copy()
    if not events:
        out[:] = -1.0
        return out
    radius = int(np.ceil(4 * sigma_frames))
    lo = max(0, min(e.frame for e in events) - radius)
    hi = max(e.frame for e in events) + radius + 1
    out[:lo] = -1.0
    out[hi:] = -1.0
    return out


def phase_targets(events: list[GaitEvent], n_frames: int) -> np.ndarray:
    """(T,) int64 phase per frame; frames before the first or after the last event are ignored."""
    out = np.full(n_frames, TCN_IGNORE_INDEX, dtype=np.int64)
    ordered = sorted((ev for ev in events if 0 <= ev.frame < n_frames), key=lambda e: (e.frame, e.time_s))
    for ev, nxt in zip(ordered, ordered[1:] + [None]):
        end = ev.frame + 1 if nxt is None else nxt.frame
        out[ev.frame : max(end, ev.frame + 1)] = PHASE_AFTER_EVENT[(ev.side, ev.event)]
    return out


def mirror_event_targets(targets: np.ndarray) -> np.ndarray:
    """Swap left and right channels of (..., 4) event targets."""
    return targets[..., list(EVENT_MIRROR)]


def mirror_phase_targets(phases: np.ndarray) -> np.ndarray:
    """Swap left and right phases of integer phase targets (ignored frames stay ignored)."""
    table = np.asarray(PHASE_MIRROR, dtype=phases.dtype)
    valid = phases >= 0
    out = phases.copy()
    out[valid] = table[phases[valid]]
    return out
