"""Small smooth-curve helpers for the synthetic gait model (pure numpy)."""

from __future__ import annotations

import numpy as np


def hermite(x: np.ndarray, knots_x: np.ndarray, knots_y: np.ndarray, knots_dy: np.ndarray) -> np.ndarray:
    """Piecewise cubic Hermite curve through (knots_x, knots_y) with slopes knots_dy (dy/dx).

    Vectorised over the last axis of the knot arrays too: knots_* may be (K,) or (N, K) with x (N,).
    Outside the knots the curve is held at the end values.
    """
    x = np.asarray(x, dtype=float)
    kx, ky, kd = (np.broadcast_to(np.asarray(a, dtype=float), np.broadcast_shapes(
        np.shape(knots_x), np.shape(knots_y), np.shape(knots_dy))) for a in (knots_x, knots_y, knots_dy))
    if kx.ndim == 1:
        kx, ky, kd = (np.broadcast_to(a, x.shape + a.shape) for a in (kx, ky, kd))
    n_knots = kx.shape[-1]
    seg = np.clip((x[..., None] >= kx).sum(axis=-1) - 1, 0, n_knots - 2)
    take = lambda a, i: np.take_along_axis(a, (seg + i)[..., None], axis=-1)[..., 0]  # noqa: E731
    x0, x1, y0, y1, d0, d1 = take(kx, 0), take(kx, 1), take(ky, 0), take(ky, 1), take(kd, 0), take(kd, 1)
    h = x1 - x0
    s = np.clip((x - x0) / h, 0.0, 1.0)
    s2, s3 = s * s, s * s * s
    return (
        (2 * s3 - 3 * s2 + 1) * y0
        + (s3 - 2 * s2 + s) * h * d0
        + (-2 * s3 + 3 * s2) * y1
        + (s3 - s2) * h * d1
    )


def smoothstep(x: np.ndarray) -> np.ndarray:
    """C1 step from 0 (x <= 0) to 1 (x >= 1)."""
    s = np.clip(x, 0.0, 1.0)
    return s * s * (3.0 - 2.0 * s)


def softmin(values: list[np.ndarray], temperature: float) -> np.ndarray:
    """Smooth minimum, always <= the true minimum (log-sum-exp). Inf entries are ignored."""
    stack = np.stack(np.broadcast_arrays(*values))
    low = stack.min(axis=0)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        terms = np.exp(-(stack - low) / temperature)
        return low - temperature * np.log(np.nansum(terms, axis=0))


def rotate(vec_xy: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """Rotate 2-D vectors (..., 2) counter-clockwise by angle_rad (broadcast over leading axes)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    x, y = vec_xy[..., 0], vec_xy[..., 1]
    return np.stack([c * x - s * y, s * x + c * y], axis=-1)


def two_link_knee(hip: np.ndarray, ankle: np.ndarray, thigh_m: float, shank_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Knee position (T, 2) bending forward (+X) for hip/ankle (T, 2), and the reach slack in metres.

    slack < 0 where the ankle is out of reach (the leg is then straight toward the ankle).
    """
    delta = ankle - hip
    dist = np.linalg.norm(delta, axis=-1)
    slack = (thigh_m + shank_m) - dist
    d = np.clip(dist, abs(thigh_m - shank_m) + 1e-9, thigh_m + shank_m)
    unit = delta / np.maximum(dist, 1e-12)[:, None]
    cos_b = np.clip((thigh_m**2 + d**2 - shank_m**2) / (2 * thigh_m * d), -1.0, 1.0)
    # Rotating the hip->ankle direction (pointing down) counter-clockwise swings the knee forward.
    knee = hip + thigh_m * rotate(unit, np.arccos(cos_b))
    return knee, slack


def hip_ankle_distance(thigh_m: float, shank_m: float, knee_flexion_rad: np.ndarray) -> np.ndarray:
    """Hip-ankle distance in metres for a knee flexion angle (0 = straight)."""
    return np.sqrt(thigh_m**2 + shank_m**2 + 2 * thigh_m * shank_m * np.cos(knee_flexion_rad))


def gaussian_smooth(y: np.ndarray, sigma_samples: float) -> np.ndarray:
    """Gaussian-smoothed copy of a 1-D signal (edges padded with the end values)."""
    half = int(np.ceil(3 * sigma_samples))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma_samples) ** 2)
    padded = np.pad(y, half, mode="edge")
    return np.convolve(padded, kernel / kernel.sum(), mode="valid")


def smooth_envelope(y: np.ndarray, sigma_samples: float, window: np.ndarray | None = None) -> np.ndarray:
    """A smooth non-negative curve >= y (1-D), optionally shaped by ``window`` (0..1, same length)."""
    excess = np.maximum(y, 0.0)
    if not excess.any():
        return np.zeros_like(excess)
    half = int(np.ceil(2 * sigma_samples))
    wide = np.lib.stride_tricks.sliding_window_view(np.pad(excess, half, mode="edge"), 2 * half + 1).max(axis=1)
    env = gaussian_smooth(wide, sigma_samples) * (1.0 if window is None else window)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.max(np.where(env > 1e-12, excess / env, 0.0))
    return env * max(scale, 1.0)


def smooth_below(y: np.ndarray, limit: np.ndarray, sigma_samples: float) -> np.ndarray:
    """A smooth version of y (1-D) that stays at or below ``limit``."""
    smooth = gaussian_smooth(np.minimum(y, limit), sigma_samples)
    return smooth - smooth_envelope(smooth - limit, sigma_samples)
