"""Entry point and Python API.

    from usecases.gait_analysis.main_gait_analysis import GaitAnalysisPipeline, create_default_config
    results = GaitAnalysisPipeline(create_default_config("fast")).run_complete_pipeline(["walk.mp4"])
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from usecases.gait_analysis.cli import main  # noqa: E402
from usecases.gait_analysis.config import PipelineConfig, create_default_config  # noqa: E402
from usecases.gait_analysis.pipeline import GaitAnalysisPipeline, InputResult, PipelineResults  # noqa: E402

__all__ = ["GaitAnalysisPipeline", "PipelineConfig", "PipelineResults", "InputResult", "create_default_config", "main"]

if __name__ == "__main__":
    sys.exit(main())
