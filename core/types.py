"""Plain data types passed between rooms. No behaviour beyond validation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.constants import EVENT_TYPES, NUM_LANDMARKS, SIDES


@dataclass(frozen=True)
class KeypointSeries:
    """A landmark trajectory in the project's 33-point layout (see ``core.constants``).

    positions: (T, 33, 3) float64, NaN where a landmark is missing. Axis 1 (Y) points up.
        Units are ``units``: "m" for motion capture / world data, "px" for video, where
        X = column in pixels, Y = image height - row in pixels, Z = 0.
    time_s: (T,) strictly increasing sample times in seconds (may be non-uniform).
    confidence: (T, 33) in 0..1 (MediaPipe visibility; 1.0 for motion capture).
    """

    positions: np.ndarray
    time_s: np.ndarray
    confidence: np.ndarray
    units: str = "m"
    name: str = ""
    is_2d: bool = False
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        p, t, c = self.positions, self.time_s, self.confidence
        if p.ndim != 3 or p.shape[1:] != (NUM_LANDMARKS, 3):
            raise ValueError(f"positions must be (T, {NUM_LANDMARKS}, 3), got {p.shape}")
        if t.shape != (p.shape[0],):
            raise ValueError(f"time_s must be ({p.shape[0]},), got {t.shape}")
        if c.shape != p.shape[:2]:
            raise ValueError(f"confidence must be {p.shape[:2]}, got {c.shape}")
        if self.units not in ("m", "px"):
            raise ValueError(f"units must be 'm' or 'px', got {self.units!r}")

    @property
    def n_frames(self) -> int:
        return int(self.positions.shape[0])

    @property
    def rate_hz(self) -> float:
        """Median sampling rate in Hz."""
        if self.n_frames < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.time_s)))


@dataclass(frozen=True)
class GaitEvent:
    """One gait event. ``frame`` is the 0-based sample index nearest to ``time_s``."""

    side: str
    event: str
    frame: int
    time_s: float

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"unknown side {self.side!r} (expected one of {SIDES})")
        if self.event not in EVENT_TYPES:
            raise ValueError(f"unknown event {self.event!r} (expected one of {EVENT_TYPES})")
