"""Landmark smoothing as MediaPipe's pose graph does it: one-euro filters whose speed is measured in
object sizes per second, and a low-pass filter on visibility. Pure numpy, one filter per array element.

The graph's settings (``PoseLandmarkFiltering``): image landmarks min cutoff 0.05 Hz, beta 80; world
landmarks 0.1 Hz, beta 40, speed in metres (no object scale); the auxiliary landmarks that place the
next frame's crop 0.01 Hz, beta 10, always on; visibility alpha 0.1. ``mp.solutions`` feeds the graph
timestamps 1/30 s apart whatever the video's rate, so the filters run at 30 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRAPH_RATE_HZ = 30.0
VISIBILITY_ALPHA = 0.1
MIN_OBJECT_SCALE = 1e-6


@dataclass(frozen=True)
class OneEuroSettings:
    """min_cutoff_hz: cutoff at rest; beta: cutoff gain per unit of speed (object sizes per s, or
    value units per s when ``scaled`` is False); derivative_cutoff_hz: cutoff of the speed estimate."""

    min_cutoff_hz: float
    beta: float
    derivative_cutoff_hz: float = 1.0
    scaled: bool = True


IMAGE_LANDMARKS = OneEuroSettings(0.05, 80.0)
WORLD_LANDMARKS = OneEuroSettings(0.1, 40.0, scaled=False)
AUX_LANDMARKS = OneEuroSettings(0.01, 10.0)


def smoothing_alpha(cutoff_hz: np.ndarray | float, rate_hz: float) -> np.ndarray | float:
    """Weight of the new sample in an exponential filter with this cutoff at this sample rate."""
    tau_s = 1.0 / (2.0 * np.pi * cutoff_hz)
    return 1.0 / (1.0 + tau_s * rate_hz)


class OneEuroFilter:
    """One-euro filter over arrays of one shape; each element is filtered on its own."""

    def __init__(self, settings: OneEuroSettings, rate_hz: float = GRAPH_RATE_HZ) -> None:
        self.settings = settings
        self.rate_hz = rate_hz
        self.reset()

    def reset(self) -> None:
        self._raw: np.ndarray | None = None
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None

    def __call__(self, value: np.ndarray, object_scale: float = 1.0) -> np.ndarray:
        """Filtered ``value``; ``object_scale``: the object's size in value units (speeds are divided
        by it when the settings are scaled; below 1e-6 the value passes unfiltered)."""
        st = self.settings
        value = np.asarray(value, dtype=float)
        if st.scaled and object_scale < MIN_OBJECT_SCALE:
            return value
        value_scale = 1.0 / object_scale if st.scaled else 1.0
        speed = np.zeros_like(value) if self._raw is None else (value - self._raw) * value_scale * self.rate_hz
        if self._speed is not None:
            a_d = smoothing_alpha(st.derivative_cutoff_hz, self.rate_hz)
            speed = a_d * speed + (1 - a_d) * self._speed
        alpha = smoothing_alpha(st.min_cutoff_hz + st.beta * np.abs(speed), self.rate_hz)
        out = value if self._value is None else alpha * value + (1 - alpha) * self._value
        self._raw, self._value, self._speed = value, out, speed
        return out


class LowPass:
    """Exponential filter with a fixed weight ``alpha`` of the new sample; the first passes as is."""

    def __init__(self, alpha: float = VISIBILITY_ALPHA) -> None:
        self.alpha = alpha
        self._value: np.ndarray | None = None

    def reset(self) -> None:
        self._value = None

    def __call__(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        self._value = value if self._value is None else self.alpha * value + (1 - self.alpha) * self._value
        return self._value


def object_scale_px(centre_px: np.ndarray, scale_point_px: np.ndarray) -> float:
    """The graph's object size for smoothing: the side of the unscaled ROI, 2 x |centre -> scale point|."""
    return 2.0 * float(np.hypot(*(np.asarray(scale_point_px) - np.asarray(centre_px))))


class PoseSmoother:
    """The graph's landmark filtering: ``smooth`` switches the landmark, world and visibility filters;
    the auxiliary landmarks (the next crop) are always smoothed."""

    def __init__(self, smooth: bool, rate_hz: float = GRAPH_RATE_HZ) -> None:
        self.smooth = smooth
        self._image = OneEuroFilter(IMAGE_LANDMARKS, rate_hz)
        self._world = OneEuroFilter(WORLD_LANDMARKS, rate_hz)
        self._aux = OneEuroFilter(AUX_LANDMARKS, rate_hz)
        self._visibility = LowPass()

    def reset(self) -> None:
        for f in (self._image, self._world, self._aux, self._visibility):
            f.reset()

    def __call__(self, image: np.ndarray, world: np.ndarray, aux_px: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """image: (33, 5) x, y, z px, visibility, presence; world: (33, 3) m; aux_px: (2, 2) centre and
        scale point px. Returns the three filtered (new arrays)."""
        scale = object_scale_px(aux_px[0], aux_px[1])
        aux = self._aux(aux_px, scale)
        if not self.smooth:
            return image, world, aux
        out = np.array(image, dtype=float, copy=True)
        out[:, 3] = self._visibility(image[:, 3])
        out[:, :3] = self._image(image[:, :3], scale)
        return out, self._world(world), aux
