"""The CLI's --help path may import the TCN package: it must not pull in torch, mediapipe or cv2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_tcn_light_modules_import_without_torch() -> None:
    code = (
        "import sys\n"
        "import core.tcn, core.tcn.features, core.tcn.targets, core.tcn.decode, core.tcn.metrics, core.tcn.cv\n"
        "import core.tcn.windows, core.tcn.resources, core.io.feature_cache, core.io.checkpoints\n"
        "import core.io.training_outputs, core.report.training_plots\n"
        "print(sorted(m for m in ('torch', 'mediapipe', 'cv2', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tcn_training_modules_never_import_mediapipe_or_cv2() -> None:
    code = (
        "import sys\n"
        "import core.tcn.train, core.tcn.infer\n"
        "print(sorted(m for m in ('mediapipe', 'cv2') if m in sys.modules), 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"
