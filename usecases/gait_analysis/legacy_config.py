"""Settings under the names of the original system's documentation, mapped onto ``PipelineConfig``.

Users copy snippets such as ``config['performance_mode'] = 'fast'`` or JSON settings such as
``io_optimization.batch_size``. ``PipelineConfig`` accepts them by item assignment; each key is
checked at once (name and type), and all are mapped onto the frozen configuration when the
pipeline is built (``apply_legacy_settings``), where the profile dataclasses validate the values.
Defaults stay where they are (the profile file and the dataclasses): nothing here has a default.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from core.errors import ConfigError

if TYPE_CHECKING:
    from usecases.gait_analysis.config import PipelineConfig


@dataclass(frozen=True)
class LegacyKey:
    """One accepted legacy key: the type it takes and where it goes (a profile ``section.key``, or a
    ``run.<PipelineConfig field>``), with ``to_value`` turning the legacy value into ours."""

    kind: type
    target: str
    to_value: Callable[[Any], Any] = lambda v: v


LEGACY_KEYS: dict[str, LegacyKey] = {
    "performance_mode": LegacyKey(str, "run.performance_mode"),
    "enable_optimizations": LegacyKey(bool, "run.no_optimizations", lambda v: not v),
    "max_memory_mb": LegacyKey(int, "memory.max_memory_mb"),
    "max_workers": LegacyKey(int, "parallel.workers"),
    "io_optimization.batch_size": LegacyKey(int, "io.batch_frames"),
    "io_optimization.use_compression": LegacyKey(bool, "io.compression_level"),
    "memory_optimization.chunk_size": LegacyKey(int, "memory.chunk_frames"),
    "mediapipe.enable_segmentation": LegacyKey(bool, "none.none"),  # only False is accepted: nothing to set
}
# Flat spellings found in the same documentation.
ALIASES = {"batch_size": "io_optimization.batch_size", "use_compression": "io_optimization.use_compression",
           "chunk_size": "memory_optimization.chunk_size", "enable_segmentation": "mediapipe.enable_segmentation",
           "io_optimization.max_workers": "max_workers", "parallel_processing.max_workers": "max_workers"}
NO_EQUIVALENT = {
    "memory_optimization.garbage_collection_frequency":
        "there is no garbage-collection setting: each pose worker is replaced after parallel.segments_per_worker "
        "segments, which bounds its memory; set that (or --max-memory) instead",
}
NO_EQUIVALENT["garbage_collection_frequency"] = NO_EQUIVALENT["memory_optimization.garbage_collection_frequency"]
SECTIONS = ("io_optimization", "memory_optimization", "mediapipe", "parallel_processing")


def canonical(key: str) -> str:
    """The legacy key's full name; ConfigError for a key this tool does not take, naming what to use."""
    if not isinstance(key, str):
        raise ConfigError(f"configuration keys are strings, got {key!r}")
    if key in NO_EQUIVALENT:
        raise ConfigError(f"config[{key!r}]: {NO_EQUIVALENT[key]}")
    key = ALIASES.get(key, key)
    if key not in LEGACY_KEYS:
        names = ", ".join(sorted(LEGACY_KEYS))
        raise ConfigError(f"config[{key!r}]: unknown setting; accepted here: {names}; everything else is a field "
                          "of PipelineConfig (dataclasses.replace) or of the profile file (--config)")
    return key


def check(key: str, value: Any) -> list[tuple[str, Any]]:
    """``[(full key, value), ...]`` for ``config[key] = value`` (a section takes a dict of its keys)."""
    if key in SECTIONS and isinstance(value, dict):
        return [pair for sub, v in value.items() for pair in check(f"{key}.{sub}", v)]
    key = canonical(key)
    spec = LEGACY_KEYS[key]
    if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
        raise ConfigError(f"config[{key!r}]: expected {spec.kind.__name__}, got {type(value).__name__} {value!r}")
    if key == "mediapipe.enable_segmentation" and value:
        raise ConfigError(f"config[{key!r}]: segmentation masks are not computed (pose landmarks only); "
                          "set it to False or remove it; to keep other people out, use --roi (PipelineConfig.roi)")
    return [(key, value)]


def apply_legacy_settings(cfg: PipelineConfig) -> PipelineConfig:
    """``cfg`` with its legacy settings mapped onto the profile and run fields (validated there), and
    none left pending. The profile is reloaded from its file when ``performance_mode`` is set."""
    from core.config import load_profile, profile_to_dict

    pending = dict(cfg.legacy_settings)
    if not pending:
        return cfg
    name = pending.pop("performance_mode", None)
    overrides: dict[str, dict[str, Any]] = {}
    if name is None:  # keep the current profile, including changes made to it in Python
        name = cfg.profile.name
        overrides = {k: dict(v) for k, v in profile_to_dict(cfg.profile).items() if k != "name"}
    run: dict[str, Any] = {}
    for key, value in pending.items():
        spec = LEGACY_KEYS[key]
        section, field = spec.target.split(".")
        if section == "none":
            continue
        if key == "io_optimization.use_compression":
            if value:
                continue  # the profile's gzip level stays
            value = 0
        if section == "run":
            run[field] = spec.to_value(value)
        else:
            overrides.setdefault(section, {})[field] = spec.to_value(value)
    profile = load_profile(name, cfg.config_path, overrides)
    return replace(cfg, profile=profile, legacy_settings={}, **run)


def read_legacy_file(path: str | Path) -> dict[str, Any] | None:
    """The settings of an original-system JSON file (no ``profiles`` object; top-level keys are the
    setting names above or their sections), or None when ``path`` is a profile file of this tool."""
    from core.io.atomic import read_json

    try:
        data = read_json(path)
    except Exception:
        return None  # the profile loader reports unreadable files
    if not isinstance(data, dict) or "profiles" in data:
        return None
    known = set(LEGACY_KEYS) | set(ALIASES) | set(NO_EQUIVALENT) | set(SECTIONS)
    return data if data and any(key in known for key in data) else None


def config_from_legacy_file(path: str | Path, performance_mode: str) -> PipelineConfig:
    """A ``PipelineConfig`` from an original-system JSON file: this tool's default profile file, with
    the file's settings checked and mapped like ``config[key] = value``. Errors name the file."""
    from usecases.gait_analysis.config import create_default_config

    data = read_legacy_file(path)
    if data is None:
        raise ConfigError("not a settings file of the original system", path)
    cfg = create_default_config(performance_mode)
    try:
        cfg.update(data)
        return apply_legacy_settings(cfg)
    except ConfigError as exc:
        raise ConfigError(exc.reason, path) from None
