"""--help tells a new user what the flags take (issue 16, "README omits"), and the use-case modules
import each other without a circle (issue 16, "While you are in these rooms")."""

from __future__ import annotations

import ast
from pathlib import Path

from usecases.gait_analysis.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_help_names_the_profiles_output_and_tolerance():
    text = " ".join(build_parser().format_help().split())
    for needle in ("fast (lite model, every 2nd frame", "balanced (default", "accurate (heavy model",
                   "--output DIR", "--tolerance-ms MS", "counts as found"):
        assert needle in text, needle


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / "usecases" / "gait_analysis" / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n.removeprefix("usecases.gait_analysis.") for n in names if n.startswith("usecases.gait_analysis")}


def test_no_import_circle_between_pipeline_stages_and_tcn_stage():
    assert "pipeline" not in _imports("stages") and "pipeline" not in _imports("tcn_stage")
    assert not {"pipeline", "stages", "tcn_stage"} & _imports("results")


def test_heel_strike_flag_reaches_the_preprocessing_config():
    from usecases.gait_analysis.cli import config_from_args

    args = build_parser().parse_args(["--videos", "x.mp4", "--heel-strike", "touchdown"])
    assert config_from_args(args).profile.preprocessing.video_heel_strike == "touchdown"
    args = build_parser().parse_args(["--videos", "x.mp4"])
    assert config_from_args(args).profile.preprocessing.video_heel_strike == "rest"
