"""The generator must not depend on the detector it tests (issue 16; docs: design rooms)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_synthetic_package_imports_nothing_from_core_pose() -> None:
    for path in (ROOT / "core" / "synthetic").glob("*.py"):
        assert "core.pose" not in path.read_text(), path


def test_writing_a_synthetic_video_loads_no_pose_module(tmp_path: Path) -> None:
    code = ("import sys\n"
            "from core.synthetic import GaitParams, generate_walking_video\n"
            f"generate_walking_video({str(tmp_path / 'w.mp4')!r}, GaitParams(duration_s=0.5, fps=10.0, "
            "width_px=160, height_px=120, seed=0))\n"
            "print(sorted(m for m in sys.modules if m.startswith('core.pose')))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
