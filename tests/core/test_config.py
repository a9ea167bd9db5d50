import json

import pytest

from core.config import PROFILE_NAMES, load_profile, read_config_file, with_pose_engine
from core.errors import ConfigError


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_profile_loads(name):
    p = load_profile(name)
    assert p.name == name
    assert p.io.batch_frames >= 1


def test_profiles_differ_where_they_should():
    fast, accurate = load_profile("fast"), load_profile("accurate")
    assert fast.pose.frame_stride > accurate.pose.frame_stride
    assert fast.pose.model_complexity < accurate.pose.model_complexity


def test_unknown_profile_is_named():
    with pytest.raises(ConfigError, match="unknown profile 'turbo'"):
        load_profile("turbo")


def test_unknown_key_names_key_and_file(tmp_path):
    data = json.loads(open("configs/performance_optimized.json").read())
    data["profiles"]["fast"]["pose"]["colour"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as err:
        load_profile("fast", path)
    assert "pose.colour" in str(err.value) and "bad.json" in str(err.value)


def test_wrong_type_and_range_are_errors():
    with pytest.raises(ConfigError, match="io.batch_frames: expected int"):
        load_profile("fast", overrides={"io": {"batch_frames": "100"}})
    with pytest.raises(ConfigError, match="frame_stride"):
        load_profile("fast", overrides={"pose": {"frame_stride": 0}})
    with pytest.raises(ConfigError, match="unknown section"):
        load_profile("fast", overrides={"gpu": {}})


def test_invalid_json_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ nope")
    with pytest.raises(ConfigError, match="broken.json"):
        load_profile("fast", path)


def test_overrides_apply():
    p = load_profile("balanced", overrides={"memory": {"max_memory_mb": 1500}})
    assert p.memory.max_memory_mb == 1500


def test_video_heel_strike_accepts_only_known_definitions():
    assert load_profile("balanced").preprocessing.video_heel_strike == "rest"
    assert load_profile("balanced", overrides={"preprocessing": {"video_heel_strike": "touchdown"}}
                        ).preprocessing.video_heel_strike == "touchdown"
    with pytest.raises(ConfigError, match="video_heel_strike"):
        load_profile("balanced", overrides={"preprocessing": {"video_heel_strike": "impact"}})


def test_pose_engine_is_graph_or_direct():
    assert load_profile("accurate").pose.engine == "graph"
    assert load_profile("balanced", overrides={"pose": {"engine": "direct"}}).pose.engine == "direct"
    with pytest.raises(ConfigError, match="pose.engine"):
        load_profile("balanced", overrides={"pose": {"engine": "tflite"}})


def test_a_profile_file_can_switch_every_profile_to_one_pose_engine(tmp_path):
    data = read_config_file(None)
    graph = with_pose_engine(data, "graph")
    assert data["profiles"]["balanced"]["pose"]["engine"] == "direct"  # the original is left as it was
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(graph))
    assert {load_profile(name, path).pose.engine for name in PROFILE_NAMES} == {"graph"}


def test_the_scan_period_is_a_validated_pose_key():
    assert load_profile("balanced").pose.scan_every_s == load_profile("accurate").pose.scan_every_s == 0.5
    assert load_profile("fast", overrides={"pose": {"scan_every_s": 1}}).pose.scan_every_s == 1.0  # int accepted
    for bad in (0.0, -0.5, 0.05, 2.5):
        with pytest.raises(ConfigError, match="pose.scan_every_s: must be in"):
            load_profile("fast", overrides={"pose": {"scan_every_s": bad}})
    for wrong in ("1.0", True, None):
        with pytest.raises(ConfigError, match="pose.scan_every_s: expected float"):
            load_profile("fast", overrides={"pose": {"scan_every_s": wrong}})
