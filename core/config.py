"""Profiles (``configs/performance_optimized.json``) loaded into frozen, validated dataclasses.

The JSON file is the single home of default values: its ``defaults`` block gives every key,
each profile overrides some. Unknown keys, wrong types and out-of-range values are errors
that name the key and the file.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from core.errors import ConfigError

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[1] / "configs" / "performance_optimized.json"
PROFILE_NAMES = ("fast", "balanced", "accurate")


def _check(cond: bool, key: str, message: str) -> None:
    if not cond:
        raise ConfigError(f"{key}: {message}")


POSE_ENGINES = ("graph", "direct")


@dataclass(frozen=True)
class PoseConfig:
    """MediaPipe settings. ``max_side_px`` 0 keeps the native size; ``frame_stride`` 1 keeps every frame.
    ``engine``: "graph" runs MediaPipe's ``mp.solutions`` pose graph, "direct" the same models through
    LiteRT with the project's own crops and tracking (``core.pose.direct_pose``). ``skip_loop_filter``:
    the pose lanes and the person finder's scan decode H.264/HEVC without the in-loop deblocking filter
    (PyAV decoder; ~1 ms of CPU less per 1080p frame, pixels ~1 grey level apart; the glance decodes in full).
    ``scan_every_s``: seconds between two scans of the person finder (``core.pose.follow``); the walker's
    crop is interpolated between them."""

    model_complexity: int
    min_detection_confidence: float
    min_tracking_confidence: float
    smooth_landmarks: bool
    max_side_px: int
    frame_stride: int
    engine: str
    skip_loop_filter: bool
    scan_every_s: float

    def __post_init__(self) -> None:
        _check(self.model_complexity in (0, 1, 2), "pose.model_complexity", "must be 0, 1 or 2")
        _check(self.engine in POSE_ENGINES, "pose.engine", "must be 'graph' or 'direct'")
        for key in ("min_detection_confidence", "min_tracking_confidence"):
            _check(0.0 <= getattr(self, key) <= 1.0, f"pose.{key}", "must be in [0, 1]")
        _check(self.max_side_px == 0 or self.max_side_px >= 64, "pose.max_side_px", "must be 0 or >= 64")
        _check(1 <= self.frame_stride <= 8, "pose.frame_stride", "must be in [1, 8]")
        _check(0.1 <= self.scan_every_s <= 2.0, "pose.scan_every_s", "must be in [0.1, 2]")


# Video heel strike (``core.gait.events``): where the heel reaches the floor, or where it comes to rest.
VIDEO_HEEL_STRIKES = ("touchdown", "rest")


@dataclass(frozen=True)
class PreprocessConfig:
    """Landmark cleaning before gait analysis (times in ms, frequencies in Hz). ``event_refiner``
    "learned" moves video (pixel) events by the shipped timing model (``core.gait.event_timing``)."""

    min_visibility: float
    gap_fill_max_ms: float
    hampel_window_ms: float
    hampel_n_sigma: float
    cutoff_hz: float
    filter_order: int
    min_bout_s: float
    event_method: str
    video_heel_strike: str
    event_refiner: str

    def __post_init__(self) -> None:
        _check(0.0 <= self.min_visibility <= 1.0, "preprocessing.min_visibility", "must be in [0, 1]")
        _check(self.gap_fill_max_ms >= 0, "preprocessing.gap_fill_max_ms", "must be >= 0")
        _check(self.hampel_window_ms >= 0, "preprocessing.hampel_window_ms", "must be >= 0")
        _check(self.hampel_n_sigma > 0, "preprocessing.hampel_n_sigma", "must be > 0")
        _check(self.cutoff_hz > 0, "preprocessing.cutoff_hz", "must be > 0")
        _check(1 <= self.filter_order <= 8, "preprocessing.filter_order", "must be in [1, 8]")
        _check(self.min_bout_s > 0, "preprocessing.min_bout_s", "must be > 0")
        _check(
            self.event_method in ("auto", "zeni", "velocity"),
            "preprocessing.event_method",
            "must be 'auto', 'zeni' or 'velocity'",
        )
        _check(self.video_heel_strike in VIDEO_HEEL_STRIKES, "preprocessing.video_heel_strike",
               "must be 'touchdown' or 'rest'")
        _check(self.event_refiner in ("learned", "none"), "preprocessing.event_refiner", "must be 'learned' or 'none'")


@dataclass(frozen=True)
class IOConfig:
    """Keypoint store: frames per compressed batch and gzip level (0-9)."""

    batch_frames: int
    compression_level: int

    def __post_init__(self) -> None:
        _check(1 <= self.batch_frames <= 100_000, "io.batch_frames", "must be in [1, 100000]")
        _check(0 <= self.compression_level <= 9, "io.compression_level", "must be in [0, 9]")


@dataclass(frozen=True)
class MemoryConfig:
    """``max_memory_mb`` 0 means no budget. Each pose worker holds at most ``queue_frames`` decoded
    frames and at most ``queue_max_mb`` of them (4K frames are 24 MB each). The per-frame text outputs
    (landmarks CSV, TRC) are formatted ``chunk_frames`` rows at a time."""

    max_memory_mb: int
    chunk_frames: int
    queue_frames: int
    queue_max_mb: int

    def __post_init__(self) -> None:
        _check(self.max_memory_mb >= 0, "memory.max_memory_mb", "must be >= 0")
        _check(self.chunk_frames >= 100, "memory.chunk_frames", "must be >= 100")
        _check(self.queue_frames >= 1, "memory.queue_frames", "must be >= 1")
        _check(self.queue_max_mb >= 1, "memory.queue_max_mb", "must be >= 1")


@dataclass(frozen=True)
class ParallelConfig:
    """``workers`` 0 means one per core. A video is cut into segments of ``min_segment_frames`` to
    ``max_segment_frames``, each warmed up on the ``segment_warmup_frames`` before it. A worker
    process is replaced by a fresh one after ``segments_per_worker`` segments (0 = never), which
    bounds its memory on long runs."""

    workers: int
    segment_warmup_frames: int
    min_segment_frames: int
    max_segment_frames: int
    decoder: str
    segments_per_worker: int

    def __post_init__(self) -> None:
        _check(self.workers >= 0, "parallel.workers", "must be >= 0")
        _check(self.segment_warmup_frames >= 0, "parallel.segment_warmup_frames", "must be >= 0")
        _check(self.min_segment_frames >= 1, "parallel.min_segment_frames", "must be >= 1")
        _check(
            self.max_segment_frames >= self.min_segment_frames,
            "parallel.max_segment_frames",
            "must be >= parallel.min_segment_frames",
        )
        _check(self.decoder in ("opencv", "pyav"), "parallel.decoder", "must be 'opencv' or 'pyav'")
        _check(self.segments_per_worker >= 0, "parallel.segments_per_worker", "must be >= 0")


@dataclass(frozen=True)
class TrainingConfig:
    """TCN training. ``batch_size`` 0 means adaptive (largest that fits the memory budget)."""

    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    window_frames: int
    window_overlap: float
    channels: int
    kernel_size: int
    n_blocks: int
    dropout: float
    norm: str
    causal: bool
    folds: int
    patience: int
    seed: int

    def __post_init__(self) -> None:
        _check(self.epochs >= 1, "training.epochs", "must be >= 1")
        _check(self.batch_size >= 0, "training.batch_size", "must be >= 0")
        _check(self.learning_rate > 0, "training.learning_rate", "must be > 0")
        _check(self.weight_decay >= 0, "training.weight_decay", "must be >= 0")
        _check(self.window_frames >= 8, "training.window_frames", "must be >= 8")
        _check(0.0 <= self.window_overlap < 1.0, "training.window_overlap", "must be in [0, 1)")
        _check(self.channels >= 1, "training.channels", "must be >= 1")
        _check(self.kernel_size >= 2, "training.kernel_size", "must be >= 2")
        _check(self.n_blocks >= 1, "training.n_blocks", "must be >= 1")
        _check(0.0 <= self.dropout < 1.0, "training.dropout", "must be in [0, 1)")
        _check(self.norm in ("batch", "layer", "weight", "none"), "training.norm", "must be batch, layer, weight or none")
        _check(self.folds >= 2, "training.folds", "must be >= 2")
        _check(self.patience >= 1, "training.patience", "must be >= 1")


@dataclass(frozen=True)
class Profile:
    """One performance profile: every setting the pipeline reads."""

    name: str
    pose: PoseConfig
    preprocessing: PreprocessConfig
    io: IOConfig
    memory: MemoryConfig
    parallel: ParallelConfig
    training: TrainingConfig


SECTIONS: dict[str, type] = {
    "pose": PoseConfig,
    "preprocessing": PreprocessConfig,
    "io": IOConfig,
    "memory": MemoryConfig,
    "parallel": ParallelConfig,
    "training": TrainingConfig,
}


def _coerce(value: Any, annotation: Any, key: str) -> Any:
    """Check ``value`` against a field type (int, float, bool, str); ints are accepted for floats."""
    expected = {"int": int, "float": float, "bool": bool, "str": str}[str(annotation)]
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise ConfigError(f"{key}: expected {expected.__name__}, got {type(value).__name__} {value!r}")
    return value


def _build_section(cls: type, values: Mapping[str, Any], section: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(f'{section}.{k}' for k in unknown)}; known: {', '.join(fields)}")
    missing = sorted(set(fields) - set(values))
    if missing:
        raise ConfigError(f"missing key(s) {', '.join(f'{section}.{k}' for k in missing)}")
    hints = typing.get_type_hints(cls)
    return cls(**{k: _coerce(v, hints[k].__name__, f"{section}.{k}") for k, v in values.items()})


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(override, Mapping):
        raise ConfigError(f"{where}: expected an object, got {type(override).__name__}")
    unknown = sorted(set(override) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    merged = {name: dict(base.get(name, {})) for name in SECTIONS}
    for name, values in override.items():
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where}.{name}: expected an object, got {type(values).__name__}")
        merged[name].update(values)
    return merged


def with_pose_engine(data: dict[str, Any], engine: str) -> dict[str, Any]:
    """Profile-file data (as ``read_config_file`` gives it) whose defaults and every profile run the
    pose engine ``engine``; a new dict, ``data`` is left as it was."""
    def engined(section: dict[str, Any]) -> dict[str, Any]:
        return {**section, "pose": {**section.get("pose", {}), "engine": engine}}

    return {**data, "defaults": engined(data.get("defaults", {})),
            "profiles": {name: engined(p) for name, p in data["profiles"].items()}}


def read_config_file(path: str | Path | None = None) -> dict[str, Any]:
    """Parse the profile file (JSON). Errors name the file."""
    from core.io.atomic import read_json

    path = Path(path) if path else DEFAULT_CONFIG_PATH
    try:
        data = read_json(path)
    except Exception as exc:
        raise ConfigError(getattr(exc, "reason", str(exc)), path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
        raise ConfigError("expected an object with a 'profiles' object", path)
    unknown = sorted(set(data) - {"schema_version", "defaults", "profiles", "description"})
    if unknown:
        raise ConfigError(f"unknown top-level key(s) {', '.join(unknown)}", path)
    return data


def load_profile(
    name: str = "balanced",
    path: str | Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Profile:
    """Build the validated profile ``name`` from the file, then apply ``overrides`` (e.g. CLI flags)."""
    data = read_config_file(path)
    where = str(path or DEFAULT_CONFIG_PATH)
    if name not in data["profiles"]:
        raise ConfigError(f"unknown profile {name!r}; choose one of {', '.join(data['profiles'])}", where)
    try:
        merged = _merge(data.get("defaults", {}), {}, "defaults")
        merged = _merge(merged, data["profiles"][name], f"profiles.{name}")
        merged = _merge(merged, overrides or {}, "overrides")
        sections = {s: _build_section(cls, merged[s], s) for s, cls in SECTIONS.items()}
    except ConfigError as exc:
        raise ConfigError(exc.reason, where) from None
    return Profile(name=name, **sections)


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The effective configuration as plain JSON-able data."""
    return dataclasses.asdict(profile)
