"""The analysis modules are imported in the background while the pose workers run
(usecases/gait_analysis/stages.py ``prefetch_analysis``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_prefetch_imports_the_analysis_and_scipy_in_a_background_thread():
    code = (
        "import sys\n"
        "import usecases.gait_analysis.stages as stages\n"
        "assert 'scipy.signal' not in sys.modules and 'core.gait.analysis' not in sys.modules\n"
        "thread = stages.prefetch_analysis()\n"
        "assert thread.daemon\n"
        "thread.join(60)\n"
        "print(all(m in sys.modules for m in (*stages.ANALYSIS_MODULES, 'scipy.signal')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
