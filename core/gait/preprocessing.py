"""Landmark cleaning before gait analysis: each step is a small pure function on numpy arrays.

``preprocess`` chains them: low-confidence masking -> uniform resampling -> leg labels alternating every other
frame undone, left/right swap correction, foot label flips and one-point foot spikes left out
(``core.gait.leg_swaps``) -> Hampel outlier rejection -> gap filling -> zero-lag Butterworth low-pass -> walking
bout detection.

Frame indexing: for uniformly sampled input the output frames are the input frames. For
non-uniform input (variable frame-rate video) the output is resampled on a uniform grid at the
median rate starting at the first timestamp; output frame ``k`` is at ``time_s[0] + k / rate``
and ``meta["source_frame"][k]`` is the nearest input frame (for overlays on the video).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import butter, sosfiltfilt

from core.config import PreprocessConfig
from core.constants import LEG_LANDMARKS
from core.errors import InsufficientDataError
from core.gait.contact_pixels import FOOT_PEAK_META, FOOT_VELOCITY_META, swap_foot_sides
from core.gait.direction import (
    TURN_BACK_LEG, foot_points, leg_length, pass_runs, pelvis_position, present_sides, stance_ground_velocity,
)
from core.gait.leg_swaps import (
    FOOT_LANDMARKS, correct_left_right_swaps, ground_contact_votes, swap_legs, without_alternations, without_foot_flips,
    without_foot_spikes,
)
from core.runs import true_runs
from core.types import KeypointSeries

# Relative deviation of sample intervals from their median still treated as uniform sampling
# (covers timestamps rounded to 1e-5 s at up to ~1 kHz and container jitter).
UNIFORM_TOLERANCE = 0.05
# Hampel ignores deviations below this fraction of leg length (~9 mm, ~4 px on a 400 px leg):
# on noise-free motion capture the local MAD is ~0 and would flag rounding noise.
HAMPEL_MIN_DEVIATION_LEG = 0.01
ROLLING_CHUNK_ELEMENTS = 4_000_000  # moving-window statistics work on ~32 MB at a time
# Heel strike on motion capture is timed at the heel's impact (``core.gait.events_refine.heel_impact``),
# read from the heels' heights low-passed at IMPACT_CUTOFF_HZ: the 6 Hz low-pass for joint angles smears
# a landing's last 20-40 ms (real treadmill trials, docs/gait_accuracy.md section (u2)). A heel whose
# height noise (``height_noise``) exceeds IMPACT_MAX_NOISE (0.3 mm, metres; real motion capture:
# 0.01-0.1 mm, a markerless TRC: centimetres) has no impact height, and keeps the 6 Hz timing.
IMPACT_CUTOFF_HZ = 20.0
IMPACT_MAX_NOISE = 0.0003
IMPACT_HEEL_META = "impact_heel_height"  # (T, 2) left and right heel heights (units), NaN where not used
# Feet left out where their labels flip (``core.gait.leg_swaps.foot_flip_frames``) are bridged over up to
# FLIP_FILL_MAX_S, longer than ``gap_fill_max_ms``: the body around them is seen, and a gap splits the walking
# bout (small walkers of earlier sessions: F1 worst 0.895 -> 0.923; the phone sweeps' mean 0.792 -> 0.797).
FLIP_FILL_MAX_S = 0.3


@dataclass(frozen=True)
class Preprocessed:
    """Cleaned series, walking bouts [start, end) in its frames, frames with corrected L/R swaps."""

    series: KeypointSeries
    bouts: list[tuple[int, int]]
    swapped: np.ndarray
    notes: list[str]


def mask_low_confidence(positions: np.ndarray, confidence: np.ndarray, min_visibility: float) -> np.ndarray:
    """Copy of positions (T, 33, 3) with NaN where confidence (T, 33) < ``min_visibility``."""
    out = positions.astype(float, copy=True)
    out[confidence < min_visibility] = np.nan
    return out


def is_uniform(time_s: np.ndarray, tolerance: float = UNIFORM_TOLERANCE) -> bool:
    """True when every sample interval is within ``tolerance`` (relative) of the median interval."""
    if len(time_s) < 3:
        return True
    dt = np.diff(time_s)
    median = np.median(dt)
    return bool(np.all(np.abs(dt - median) <= tolerance * median))


def resample_uniform(x: np.ndarray, time_s: np.ndarray, max_gap_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear resampling of x (T, ...) onto a uniform grid at the median rate.

    Returns (x_uniform, time_uniform_s, source_frame): grid points between input samples more
    than ``max_gap_s`` apart, or next to a NaN, are NaN; ``source_frame`` is the nearest input frame.
    """
    dt = float(np.median(np.diff(time_s)))
    n = int(np.floor((time_s[-1] - time_s[0]) / dt + 1e-6)) + 1
    grid = time_s[0] + np.arange(n) * dt
    i0 = np.clip(np.searchsorted(time_s, grid, side="right") - 1, 0, len(time_s) - 2)
    i1 = i0 + 1
    w = ((grid - time_s[i0]) / (time_s[i1] - time_s[i0])).reshape((-1,) + (1,) * (x.ndim - 1))
    out = np.where(w <= 0, x[i0], np.where(w >= 1, x[i1], (1 - w) * x[i0] + w * x[i1]))
    too_far = (time_s[i1] - time_s[i0]) > max_gap_s
    out[too_far & (w.ravel() > 0) & (w.ravel() < 1)] = np.nan
    nearest = np.where(grid - time_s[i0] <= time_s[i1] - grid, i0, i1)
    return out, grid, nearest


def fill_gaps(x: np.ndarray, max_gap_samples: int) -> np.ndarray:
    """Fill interior NaN runs of at most ``max_gap_samples`` along axis 0 by PCHIP interpolation.

    Longer gaps and leading/trailing NaN are kept (they split walking bouts).
    """
    out = np.array(x, dtype=float, copy=True, order="C")  # C order: ``flat`` is a view of ``out``
    flat = out.reshape(len(out), -1)
    for col in flat.T:
        valid = np.isfinite(col)
        if valid.sum() < 2 or valid.all():
            continue
        idx = np.flatnonzero(valid)
        fill = np.zeros(len(col), dtype=bool)
        for start, end in true_runs(~valid):
            if start > 0 and end < len(col) and end - start <= max_gap_samples:
                fill[start:end] = True
        if fill.any():
            col[fill] = PchipInterpolator(idx, col[idx])(np.flatnonzero(fill))
    return out


def bridge_feet(positions: np.ndarray, frames: np.ndarray, max_gap_samples: int) -> np.ndarray:
    """Copy of positions (T, 33, 3) with the feet (``FOOT_LANDMARKS``) at ``frames`` (T,) bool filled by
    ``fill_gaps`` over NaN runs of at most ``max_gap_samples``; everything else as it was."""
    feet = list(FOOT_LANDMARKS)
    out = np.array(positions, dtype=float, copy=True)
    bridged = fill_gaps(out[:, feet], max_gap_samples)
    out[np.ix_(np.flatnonzero(frames), feet)] = bridged[frames]
    return out


def _padded(x: np.ndarray, half: int) -> np.ndarray:
    """x extended by ``half`` samples at both ends by odd reflection (2 * x[0] - x[k]), so a trend
    continues through the edge instead of making edge samples look like outliers; NaN beyond."""
    k = min(half, len(x) - 1)
    nan_pad = np.full((half - k,) + x.shape[1:], np.nan)
    front = 2.0 * x[:1] - x[1:k + 1][::-1]
    back = 2.0 * x[-1:] - x[len(x) - 1 - k:len(x) - 1][::-1]
    return np.concatenate([nan_pad, front, x, back, nan_pad])


def _rolling(x: np.ndarray, half: int, stat: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """``stat(windows (n, 2 * half + 1, ...), centre (n, ...))`` over centred windows along axis 0,
    evaluated in chunks of frames to bound memory on long recordings."""
    padded = _padded(np.asarray(x, dtype=float), half)
    width = 2 * half + 1
    chunk = max(1, ROLLING_CHUNK_ELEMENTS // (width * max(1, int(np.prod(x.shape[1:])))))
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in range(0, len(x), chunk):
            end = min(start + chunk, len(x))
            windows = np.moveaxis(np.lib.stride_tricks.sliding_window_view(padded[start:end + 2 * half], width, axis=0), -1, 1)
            parts.append(stat(windows, x[start:end]))
    return np.concatenate(parts) if parts else np.zeros_like(x, dtype=float)


def hampel_outliers(x: np.ndarray, window_samples: int, n_sigma: float, min_deviation: float = 0.0) -> np.ndarray:
    """Bool mask (same shape as x) of samples farther than ``n_sigma`` robust SDs from the local median.

    ``window_samples`` is the full window along axis 0; the SD is 1.4826 * MAD in the window.
    Deviations below ``min_deviation`` (units of x) are never flagged.
    """

    def flag(windows: np.ndarray, centre: np.ndarray) -> np.ndarray:
        median_fn = np.nanmedian if np.isnan(windows).any() else np.median
        median = median_fn(windows, axis=1)
        sigma = 1.4826 * median_fn(np.abs(windows - median[:, None]), axis=1)
        deviation = np.abs(centre - median)
        return (deviation > n_sigma * sigma) & (deviation > min_deviation)

    return _rolling(x, max(1, int(window_samples) // 2), flag).astype(bool)


def hampel_filter(x: np.ndarray, window_samples: int, n_sigma: float, min_deviation: float = 0.0) -> np.ndarray:
    """Copy of x with Hampel outliers (see ``hampel_outliers``) replaced by the local median."""
    out = np.array(x, dtype=float, copy=True)
    mask = hampel_outliers(out, window_samples, n_sigma, min_deviation)
    median = _rolling(out, max(1, int(window_samples) // 2), lambda w, _: np.nanmedian(w, axis=1))
    out[mask] = median[mask]
    return out


def butterworth_lowpass(x: np.ndarray, rate_hz: float, cutoff_hz: float, order: int) -> np.ndarray:
    """Zero-lag (forward-backward) Butterworth low-pass along axis 0, per contiguous finite run.

    The default 6 Hz cutoff follows Winter (Biomechanics and Motor Control of Human Movement):
    ~99% of the power of walking marker trajectories lies below 6 Hz, while video/pose noise is
    broadband. The double pass doubles the order and puts ``cutoff_hz`` at -6 dB. Runs too short
    to filter (< 4 samples) are returned unchanged. Raises ValueError when cutoff >= Nyquist.
    """
    nyquist_hz = rate_hz / 2.0
    if not 0 < cutoff_hz < nyquist_hz:
        raise ValueError(f"cutoff {cutoff_hz} Hz must be in (0, Nyquist {nyquist_hz:.3g} Hz)")
    sos = butter(order, cutoff_hz, btype="low", fs=rate_hz, output="sos")
    default_pad = 3 * (2 * len(sos) + 1)
    out = np.array(x, dtype=float, copy=True)
    flat = out.reshape(len(out), -1)
    for j in range(flat.shape[1]):
        for start, end in true_runs(np.isfinite(flat[:, j])):
            if end - start >= 4:
                flat[start:end, j] = sosfiltfilt(sos, flat[start:end, j], padlen=min(default_pad, end - start - 1))
    return out


def height_noise(y: np.ndarray) -> float:
    """Robust noise level (units of ``y``) of a smooth trajectory y (T,): the median absolute second
    difference scaled to the standard deviation of white noise (nan with fewer than 5 finite samples)."""
    d2 = np.diff(y[np.isfinite(y)], 2)
    return float(np.median(np.abs(d2)) / 0.6745 / np.sqrt(6.0)) if len(d2) >= 3 else float("nan")


def impact_heel_heights(positions: np.ndarray, rate_hz: float) -> np.ndarray | None:
    """Left and right heel heights (T, 2) low-passed at IMPACT_CUTOFF_HZ for metric positions (T, 33, 3)
    (Y up), NaN for a heel that is missing or noisier than IMPACT_MAX_NOISE; None when neither heel has
    one, or the rate is too low to keep IMPACT_CUTOFF_HZ (below 2.5 x the cutoff)."""
    if not rate_hz >= 2.5 * IMPACT_CUTOFF_HZ:
        return None
    out = np.full((len(positions), 2), np.nan)
    for column, side in enumerate(("left", "right")):
        y = positions[:, LEG_LANDMARKS[side]["heel"], 1]
        if np.isfinite(y).any() and height_noise(y) <= IMPACT_MAX_NOISE:
            out[:, column] = butterworth_lowpass(y, rate_hz, IMPACT_CUTOFF_HZ, 4)
    return out if np.isfinite(out).any() else None


# Walking bouts: a foot that moves less than STEP_RANGE_LEG leg lengths within BOUT_WINDOW_S is
# not stepping; overground walking is faster than MIN_SPEED_LEG_S leg lengths/s (~0.13 m/s,
# below the slowest clinical walking speeds); a heading change faster than MAX_TURN_RATE_DEG_S
# is a turn.
STEP_RANGE_LEG = 0.3
BOUT_WINDOW_S = 1.2
# One foot alone (one-sided data) rests through its whole stance (up to 85 % of a slow stride), so its
# stepping window must span a whole stride: ONE_FOOT_WINDOW_S (a 1.2 s window split a shuffling
# walk's right leg, stride ~1.5 s, into pieces under 2 s: no event).
ONE_FOOT_WINDOW_S = 2.4
# Where the walker progresses over the ground (faster than MIN_SPEED_LEG_S relative to the stance
# feet), a foot steps when it travels more than STEP_RANGE_LEG over the ground (a treadmill's belt
# removed) within TRAVEL_WINDOW_S: a body at MIN_SPEED_LEG_S covers 0.36 leg lengths in 2.4 s, and its
# feet, which move only in their swings, about as much (a one-foot walk with strides over ~1.2 s
# still needs strides above STEP_RANGE_LEG). BOUT_WINDOW_S asked for strides over 0.3 leg lengths: a
# real shuffling PD walk, 0.16 m/s with strides of ~0.2 m, had no bout (docs/gait_accuracy.md (v)).
# Longer windows let one foot circling on the spot (turning, one leg seen) travel far enough. Stepping
# in place, shifting weight and turning on the spot do not progress: they keep the stepping test
# within BOUT_WINDOW_S (ONE_FOOT_WINDOW_S) and fail the speed test.
TRAVEL_WINDOW_S = 2.4
MIN_SPEED_LEG_S = 0.15
MAX_TURN_RATE_DEG_S = 45.0
# Within a walk there and back, where the turn-rate test no longer cuts the ~0.6 s either side of the turn,
# a stand ends the bout where both heels, or the pelvis, rest over STAND_WINDOW_S (some foot swings in any
# 0.6 s of walking, also at 70 steps/min: a 0.25 s double support; ``_standing``).
STAND_WINDOW_S = 0.6
# Runs of walking split only by up to MAX_POSE_GAP_S without a pose (the walker hidden behind a
# passer-by, or not detected) are one walk for the length test: each keeps its own events.
MAX_POSE_GAP_S = 1.0


def _moving(x: np.ndarray, half: int, reducer: str) -> np.ndarray:
    """NaN-aware centred moving nanmax/nanmin/nanmean of x (T, ...) along axis 0."""
    return _rolling(x, half, lambda w, _: getattr(np, reducer)(w, axis=1))


def _range(track: np.ndarray, half: int) -> np.ndarray:
    """(T,) length of the bounding box of a track (T, 2) over centred windows of 2 * half + 1 frames
    (NaN-aware, ends extended as ``_rolling`` does; NaN where a window has no sample)."""
    padded = _padded(np.asarray(track, dtype=float), half)
    missing = np.isnan(padded)
    size, n = 2 * half + 1, len(track)
    high = maximum_filter1d(np.where(missing, -np.inf, padded), size, axis=0, mode="constant", cval=-np.inf)
    low = minimum_filter1d(np.where(missing, np.inf, padded), size, axis=0, mode="constant", cval=np.inf)
    extent = (high - low)[half:half + n]
    return np.linalg.norm(np.where(np.isfinite(extent), extent, np.nan), axis=1)


def detect_walking_bouts(positions: np.ndarray, rate_hz: float, min_bout_s: float) -> list[tuple[int, int]]:
    """[start, end) frame runs of straight walking lasting at least ``min_bout_s``.

    A frame walks when the pelvis and at least one heel are present (a pose model's far leg drops
    below the visibility mask for seconds in side views; each side's events come from its own
    finite runs) and a foot steps. Where the stepping frames progress over the ground (the pelvis
    faster than MIN_SPEED_LEG_S relative to the stance feet: a treadmill's belt is removed), a frame
    walks when a foot travels more than STEP_RANGE_LEG leg lengths over the ground within
    TRAVEL_WINDOW_S and the pelvis moves faster than MIN_SPEED_LEG_S without turning. Otherwise a foot
    must move more than STEP_RANGE_LEG leg lengths within BOUT_WINDOW_S (ONE_FOOT_WINDOW_S with one
    foot only), and stepping alone counts. Standing, turning and leaving the frame split bouts.
    """
    sides = present_sides(positions)
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        return []
    half = max(1, int(round(BOUT_WINDOW_S * rate_hz / 2)))
    step_half = half if len(sides) >= 2 else max(1, int(round(ONE_FOOT_WINDOW_S * rate_hz / 2)))
    travel_half = max(1, int(round(TRAVEL_WINDOW_S * rate_hz / 2)))
    pelvis = pelvis_position(positions)
    ground = stance_ground_velocity(positions, rate_hz)[[0, 2]]
    # A ground slower than MIN_SPEED_LEG_S is no belt carrying a walk (a walker on it fails the speed
    # test) but the feet's scatter (turning on the spot): it is not removed from the feet.
    belt_velocity = ground if np.linalg.norm(ground) > MIN_SPEED_LEG_S * scale else np.zeros(2)
    belt = np.arange(len(positions))[:, None] / rate_hz * belt_velocity  # its displacement since frame 0
    any_heel = np.zeros(len(positions), dtype=bool)
    stepping = np.zeros(len(positions), dtype=bool)
    travelling = np.zeros(len(positions), dtype=bool)
    for side in sides:
        heel = foot_points(positions, side)[0][:, [0, 2]]
        any_heel |= np.isfinite(heel).all(axis=1)
        stepping |= _range(heel, step_half) > STEP_RANGE_LEG * scale
        travelling |= _range(heel - belt, travel_half) > STEP_RANGE_LEG * scale
    present = any_heel & np.isfinite(pelvis).all(axis=1)
    passes = pass_runs(pelvis, TURN_BACK_LEG * scale)
    velocity = np.concatenate([np.gradient(_moving(pelvis[a:b, [0, 2]], half, "nanmean"), axis=0) if b - a > 1
                               else np.full((b - a, 2), np.nan) for a, b in passes]) * rate_hz - ground
    speed = np.linalg.norm(velocity, axis=1)
    walking = stepping & present
    if (travelling & present).any() and np.nanmedian(speed[travelling & present]) > MIN_SPEED_LEG_S * scale:
        heading = velocity / np.where(speed > 0, speed, np.nan)[:, None]
        frames = np.arange(len(heading))
        first = np.concatenate([np.full(b - a, a) for a, b in passes])
        last = np.concatenate([np.full(b - a, b - 1) for a, b in passes])
        later = heading[np.minimum(frames + half, last)]
        earlier = heading[np.maximum(frames - half, first)]
        cosine = np.clip(np.sum(later * earlier, axis=1), -1.0, 1.0)
        turn_deg_s = np.degrees(np.arccos(cosine)) / (2 * half / rate_hz)
        walking = travelling & present & (speed > MIN_SPEED_LEG_S * scale) & ~(turn_deg_s > MAX_TURN_RATE_DEG_S)
    if len(passes) > 1:  # a walk there and back: its passes end at the turning points, and at a stand
        walking[[b - 1 for _, b in passes[:-1]]] = False
        stand_half = max(1, int(round(STAND_WINDOW_S * rate_hz / 2)))
        walking &= ~_standing(positions, sides, pelvis, stand_half, rate_hz, scale)
    return _long_enough(true_runs(walking), present, velocity, int(np.ceil(min_bout_s * rate_hz)),
                        int(round(MAX_POSE_GAP_S * rate_hz)))


def _standing(positions: np.ndarray, sides: list[str], pelvis: np.ndarray, half: int, rate_hz: float, scale: float
              ) -> np.ndarray:
    """(T,) frames of a stand: every foot of ``sides`` seen and none moving more than STEP_RANGE_LEG x ``scale``
    within 2 * ``half`` + 1 frames, or the pelvis (T, 3) moving less than MIN_SPEED_LEG_S there (a swap of the
    pose's leg labels in a stand moves both feet, not the pelvis)."""
    still = np.ones(len(positions), dtype=bool)
    for side in sides:
        moved = _range(foot_points(positions, side)[0][:, [0, 2]], half)
        still &= np.isfinite(moved) & (moved <= STEP_RANGE_LEG * scale)
    moved = _range(pelvis[:, [0, 2]], half)
    pelvis_still = np.isfinite(moved) & (moved <= MIN_SPEED_LEG_S * scale * 2 * half / rate_hz)
    # A centred window flags a stand only half a window after it begins: a stand also begins at the first frame
    # of a window in which the pelvis stays still (the feet may rest in a double support before it).
    starts = np.zeros_like(pelvis_still)
    starts[:len(starts) - half] = pelvis_still[half:]
    return still | pelvis_still | starts


def _long_enough(runs: list[tuple[int, int]], present: np.ndarray, velocity: np.ndarray, min_len: int,
                 max_gap: int) -> list[tuple[int, int]]:
    """The walking ``runs`` ([start, end) frames) that belong to a walk of at least ``min_len`` frames:
    runs split by frames mostly without a pose (``present`` (T,) False in most of the gap), at most
    ``max_gap`` frames long, heading the same way (``velocity`` (T, 2), any unit), count as one walk."""
    groups: list[list[tuple[int, int]]] = []
    for start, end in runs:
        if groups:
            last_start, last_end = groups[-1][-1]
            before = np.nanmean(velocity[last_start:last_end], axis=0)
            after = np.nanmean(velocity[start:end], axis=0)
            if start - last_end <= max_gap and present[last_end:start].mean() < 0.5 and float(before @ after) > 0:
                groups[-1].append((start, end))
                continue
        groups.append([(start, end)])
    return [(int(s), int(e)) for g in groups if g[-1][1] - g[0][0] >= min_len for s, e in g]


def _hampel_positions(positions: np.ndarray, window_samples: int, n_sigma: float, scale: float) -> np.ndarray:
    """Positions with Hampel outliers set to NaN (a landmark is an outlier if any coordinate is)."""
    present = np.flatnonzero(np.isfinite(positions).any(axis=(0, 2)))
    flagged = hampel_outliers(positions[:, present], window_samples, n_sigma, HAMPEL_MIN_DEVIATION_LEG * scale)
    subset = positions[:, present]
    subset[flagged.any(axis=2)] = np.nan
    out = positions.copy()
    out[:, present] = subset
    return out


def preprocess(series: KeypointSeries, cfg: PreprocessConfig) -> Preprocessed:
    """Clean ``series`` (see the module docstring for the steps and frame indexing)."""
    notes: list[str] = []
    positions = mask_low_confidence(series.positions, series.confidence, cfg.min_visibility)
    confidence = series.confidence.astype(float)
    time_s = series.time_s.astype(float)
    meta = dict(series.meta)
    if not is_uniform(time_s):
        positions, time_s, source = resample_uniform(positions, time_s, cfg.gap_fill_max_ms / 1000.0)
        confidence = confidence[source]
        meta.update(resampled=True, source_frame=source)
        for key in ("scene_velocity_px_s", FOOT_VELOCITY_META, FOOT_PEAK_META):
            if key in meta:
                meta[key] = np.asarray(meta[key])[source]
        notes.append(f"non-uniform timestamps: resampled {series.n_frames} -> {len(time_s)} frames at the median rate")
    rate_hz = float(1.0 / np.median(np.diff(time_s))) if len(time_s) > 1 else float("nan")
    positions, alternated = without_alternations(positions, rate_hz)
    votes = None
    if series.units == "px" and np.isfinite(rate_hz):
        votes = ground_contact_votes(positions, rate_hz, meta.get("scene_velocity_px_s"))
    positions, swapped = correct_left_right_swaps(positions, votes=votes)
    swapped = swapped ^ alternated
    if alternated.any():
        notes.append(f"leg labels alternating every other frame undone in {int(alternated.sum())} frames")
    if swapped.any():
        confidence = swap_legs(confidence, swapped)
        for key in (FOOT_VELOCITY_META, FOOT_PEAK_META):
            if key in meta and len(meta[key]) == len(swapped):
                meta[key] = swap_foot_sides(np.asarray(meta[key]), swapped)
        notes.append(f"left/right leg swap corrected in {int(swapped.sum())} frames")
    positions, flipped = without_foot_flips(positions, rate_hz)
    if flipped.any():
        positions = bridge_feet(positions, flipped, int(np.floor(FLIP_FILL_MAX_S * rate_hz + 1e-9)))
        notes.append(f"feet left out (gap-filled) in {int(flipped.sum())} frames where their left/right labels flipped "
                     "back and forth")
    positions, spikes = without_foot_spikes(positions, rate_hz)
    if spikes:
        notes.append(f"{spikes} foot points left out (gap-filled) where they jumped out and back within 1-2 frames")
    try:
        scale = leg_length(positions)
    except InsufficientDataError:
        scale = float("nan")
    if np.isfinite(scale) and np.isfinite(rate_hz) and cfg.hampel_window_ms > 0:
        window = int(round(cfg.hampel_window_ms / 1000.0 * rate_hz))
        before = np.isfinite(positions).all(axis=2)
        positions = _hampel_positions(positions, window, cfg.hampel_n_sigma, scale)
        n_out = int((before & ~np.isfinite(positions).all(axis=2)).sum())
        if n_out:
            notes.append(f"Hampel filter rejected {n_out} landmark samples as outliers")
    max_gap = int(np.floor(cfg.gap_fill_max_ms / 1000.0 * rate_hz + 1e-9)) if np.isfinite(rate_hz) else 0
    positions = fill_gaps(positions, max_gap)
    impact = impact_heel_heights(positions, rate_hz) if series.units == "m" else None
    if impact is not None:
        meta[IMPACT_HEEL_META] = impact
    if not np.isfinite(rate_hz):
        notes.append("low-pass skipped: the sampling rate is unknown (fewer than 2 frames)")
    elif cfg.cutoff_hz < rate_hz / 2.0:
        positions = butterworth_lowpass(positions, rate_hz, cfg.cutoff_hz, cfg.filter_order)
    else:
        notes.append(f"low-pass skipped: cutoff {cfg.cutoff_hz} Hz >= Nyquist ({rate_hz / 2.0:.3g} Hz)")
    confidence = np.where(np.isfinite(positions).all(axis=2), confidence, 0.0)
    bouts = detect_walking_bouts(positions, rate_hz, cfg.min_bout_s) if np.isfinite(rate_hz) else []
    if not bouts:
        notes.append(f"no walking bout of at least {cfg.min_bout_s:g} s found")
    out = dataclasses.replace(series, positions=positions, time_s=time_s, confidence=confidence, meta=meta)
    return Preprocessed(series=out, bouts=bouts, swapped=swapped, notes=notes)
