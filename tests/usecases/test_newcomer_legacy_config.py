"""The original system's documented Python usage and setting names (issue 16, item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.synthetic import GaitParams, generate_walking_video
from usecases.gait_analysis.legacy_config import apply_legacy_settings
from usecases.gait_analysis.main_gait_analysis import GaitAnalysisPipeline, create_default_config


SNIPPET = """
from usecases.gait_analysis.main_gait_analysis import GaitAnalysisPipeline, create_default_config

config = create_default_config()
config['performance_mode'] = 'fast'
config['enable_optimizations'] = True
config['max_memory_mb'] = 1024
results = GaitAnalysisPipeline(config).run_complete_pipeline(['video.mp4'])
print(results.exit_code, [r.error for r in results.inputs], results.inputs[0].summary.get("cadence_steps_per_min"))
"""


def test_the_documented_snippet_runs_as_written(tmp_path: Path):
    """In a fresh interpreter, as a user runs it: the memory budget covers that process, not pytest's."""
    import os
    import subprocess
    import sys

    generate_walking_video(tmp_path / "video.mp4", GaitParams(duration_s=3.0, fps=30.0, width_px=480,
                                                               height_px=270, seed=4))
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", SNIPPET], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1].startswith("0 [None] "), proc.stdout + proc.stderr[-2000:]
    assert float(proc.stdout.strip().splitlines()[-1].split()[-1]) > 0
    effective = (tmp_path / "gait_analysis_results" / "effective_config.json").read_text()
    assert '"name": "fast"' in effective and '"max_memory_mb": 1024' in effective


def test_legacy_keys_map_onto_the_frozen_configuration():
    config = create_default_config()
    config["io_optimization"] = {"batch_size": 50, "use_compression": False}
    config["max_workers"] = 3
    config["memory_optimization.chunk_size"] = 500
    config["mediapipe.enable_segmentation"] = False
    config["enable_optimizations"] = False
    mapped = apply_legacy_settings(config)
    p = mapped.profile
    assert (p.io.batch_frames, p.io.compression_level, p.parallel.workers, p.memory.chunk_frames) == (50, 0, 3, 500)
    assert mapped.no_optimizations and p.name == "balanced" and not mapped.legacy_settings
    # The defaults still come from one place: untouched keys equal a fresh default configuration's.
    assert p.pose == create_default_config().profile.pose


@pytest.mark.parametrize("key, value, message", [
    ("garbage_collection_frequency", 10, "parallel.segments_per_worker"),
    ("mediapipe.enable_segmentation", True, "--roi"),
    ("max_memory_mb", "1GB", "expected int"),
    ("turbo", 1, "unknown setting"),
])
def test_a_key_without_equivalent_names_what_to_use(key, value, message):
    config = create_default_config()
    with pytest.raises(ConfigError, match=message):
        config[key] = value


def test_values_are_validated_by_the_profile_when_the_pipeline_is_built():
    config = create_default_config()
    config["io_optimization.batch_size"] = 0
    with pytest.raises(ConfigError, match="io.batch_frames"):
        GaitAnalysisPipeline(config)


def test_an_original_system_json_file_works_as_config(tmp_path: Path):
    legacy = tmp_path / "old.json"
    legacy.write_text('{"performance_mode": "fast", "max_workers": 2, "io_optimization": {"batch_size": 64, '
                      '"use_compression": true}, "memory_optimization": {"chunk_size": 1000}, '
                      '"mediapipe": {"enable_segmentation": false}}')
    cfg = create_default_config("balanced", legacy, {"memory": {"max_memory_mb": 900}})
    p = cfg.profile
    assert (p.name, p.parallel.workers, p.io.batch_frames, p.memory.chunk_frames, p.memory.max_memory_mb) == \
        ("fast", 2, 64, 1000, 900)
    assert p.io.compression_level == create_default_config("fast").profile.io.compression_level


def test_an_original_system_file_with_a_key_without_equivalent_names_the_file(tmp_path: Path):
    legacy = tmp_path / "old.json"
    legacy.write_text('{"memory_optimization": {"garbage_collection_frequency": 5}}')
    with pytest.raises(ConfigError, match="segments_per_worker") as info:
        create_default_config("balanced", legacy)
    assert info.value.path == str(legacy)
