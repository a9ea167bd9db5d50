"""Run-level settings (what to analyse and where), on top of a performance profile."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.config import Profile, load_profile
from core.errors import ConfigError
from core.pose.roi import Roi

TASKS = ("events", "phases", "classification")
DEVICES = ("auto", "cpu", "cuda")
PERSON_MODES = ("auto", "largest", "frame")
# --fps: phone cameras record 24 to 960 frames per second (slow motion); outside this range it is a typo.
MIN_RECORDED_FPS, MAX_RECORDED_FPS = 10.0, 1000.0


@dataclass(frozen=True)
class PipelineConfig:
    """Everything one run needs. Build with ``create_default_config`` and ``dataclasses.replace``."""

    profile: Profile
    output_dir: Path = Path("gait_analysis_results")
    config_path: Path | None = None
    roi: Roi | None = None
    person: str = "auto"
    strict_models: bool = False
    no_optimizations: bool = False
    extract_only: bool = False
    plots: bool = True
    review_video: bool = False
    subject_height_m: float | None = None
    recorded_fps: float | None = None  # --fps: the rate a slow-motion video was recorded at (None: its own timing)
    events: Path | None = None
    tolerance_ms: float = 50.0
    task: str | None = None
    labels: Path | None = None
    train: bool = False
    model: Path | None = None
    device: str = "auto"
    verbose: bool = False
    quiet: bool = False
    progress: bool = True
    legacy_settings: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    scheduler: str | None = None  # Dask scheduler address or "local"; None: the local process pool

    def __post_init__(self) -> None:
        if self.subject_height_m is not None and not 0.5 <= self.subject_height_m <= 2.6:
            raise ConfigError(f"--subject-height must be in metres (0.5..2.6), got {self.subject_height_m}")
        if self.recorded_fps is not None and not MIN_RECORDED_FPS <= self.recorded_fps <= MAX_RECORDED_FPS:
            raise ConfigError(f"--fps must be the frames per second the video was recorded at ({MIN_RECORDED_FPS:g}.."
                              f"{MAX_RECORDED_FPS:g}), got {self.recorded_fps:g}")
        if self.task is not None and self.task not in TASKS:
            raise ConfigError(f"--task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.device not in DEVICES:
            raise ConfigError(f"--device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if not (self.person in PERSON_MODES or (self.person.isdigit() and int(self.person) >= 1)):
            raise ConfigError(f"--person must be auto, largest, frame or a track number >= 1, got {self.person!r}")
        if self.tolerance_ms <= 0:
            raise ConfigError("--tolerance-ms must be > 0")
        if self.scheduler is not None and self.scheduler != "local" and ":" not in self.scheduler:
            raise ConfigError(f"--scheduler must be 'local' or an address such as tcp://10.0.0.5:8786, got {self.scheduler!r}")

    def __setitem__(self, key: str, value: Any) -> None:
        """``config['performance_mode'] = 'fast'`` and the original system's other setting names
        (``usecases.gait_analysis.legacy_config``): checked now, applied when the pipeline is built."""
        from usecases.gait_analysis.legacy_config import check

        self.legacy_settings.update(check(key, value))

    def __getitem__(self, key: str) -> Any:
        """A setting given by ``config[key] = value`` that the pipeline has not applied yet."""
        from usecases.gait_analysis.legacy_config import canonical

        return self.legacy_settings[canonical(key)]

    def update(self, settings: dict[str, Any]) -> None:
        """``config[key] = value`` for every item (nested sections such as ``io_optimization`` too)."""
        for key, value in settings.items():
            self[key] = value

    @property
    def wants_training(self) -> bool:
        """Train when asked, when labels are given, or when events are given with an explicit --task."""
        return bool(self.train or self.labels or (self.events and self.task) or self.model)

    def to_dict(self) -> dict[str, Any]:
        from core.config import profile_to_dict

        out: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__
                               if k not in ("profile", "legacy_settings")}
        out = {k: (str(v) if isinstance(v, Path) else v) for k, v in out.items()}
        out["roi"] = None if self.roi is None else [self.roi.x0, self.roi.y0, self.roi.x1, self.roi.y1]
        out["profile"] = profile_to_dict(self.profile)
        return out


def create_default_config(
    performance_mode: str = "balanced",
    config_path: str | Path | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    **run_settings: Any,
) -> PipelineConfig:
    """The default run for a profile; ``overrides`` patch profile sections, ``run_settings`` the run.
    A ``config_path`` in the original system's format (``io_optimization``, ``max_workers``, ...) is
    mapped onto the default profile file (``usecases.gait_analysis.legacy_config``)."""
    if config_path is not None:
        from usecases.gait_analysis.legacy_config import config_from_legacy_file, read_legacy_file

        if read_legacy_file(config_path) is not None:
            legacy = config_from_legacy_file(config_path, performance_mode)
            profile = load_profile(legacy.profile.name, None, _patched(legacy.profile, overrides))
            cfg = replace(legacy, profile=profile, config_path=Path(config_path))
            return replace(cfg, **run_settings) if run_settings else cfg
    profile = load_profile(performance_mode, config_path, overrides)
    cfg = PipelineConfig(profile=profile, config_path=Path(config_path) if config_path else None)
    return replace(cfg, **run_settings) if run_settings else cfg


def _patched(profile: Profile, overrides: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Every section of ``profile`` as overrides, with ``overrides`` (e.g. CLI flags) on top."""
    from core.config import profile_to_dict

    sections = {k: dict(v) for k, v in profile_to_dict(profile).items() if k != "name"}
    for section, values in (overrides or {}).items():
        sections.setdefault(section, {}).update(values)
    return sections
