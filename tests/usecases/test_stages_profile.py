"""The profile a run actually uses (``usecases.gait_analysis.stages.effective_profile``)."""

from __future__ import annotations


def test_no_optimizations_decodes_in_full():
    from core.config import load_profile
    from usecases.gait_analysis.config import PipelineConfig
    from usecases.gait_analysis.stages import effective_profile

    profile = load_profile("balanced")
    assert profile.pose.skip_loop_filter
    cfg = PipelineConfig(profile=profile, no_optimizations=True)
    assert not effective_profile(cfg).pose.skip_loop_filter
