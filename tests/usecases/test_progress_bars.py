"""Progress bars: on a terminal only (redrawn bars in a log file or pipe are carriage returns and escapes)."""

from __future__ import annotations

import io
import sys

from usecases.gait_analysis.config import create_default_config
from usecases.gait_analysis.progress import ProgressBars


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_only_on_a_terminal(monkeypatch):
    cfg = create_default_config("balanced", None, {})
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with ProgressBars(cfg, [], workers=1) as bars:
        assert not bars.enabled
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with ProgressBars(cfg, [], workers=1) as bars:
        assert bars.enabled
