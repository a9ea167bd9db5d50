"""Per-frame text rows (landmarks CSV, TRC) formatted a chunk at a time."""

from __future__ import annotations

from typing import Iterator

import numpy as np


def format_rows(row_fmt: str, columns: list[np.ndarray], chunk_frames: int) -> Iterator[str]:
    """Text rows ``row_fmt % row`` over the rows of ``columns`` ((N,) or (N, ...) arrays, flattened
    per row), ``chunk_frames`` rows at a time so memory stays bounded; NaN and inf become empty cells."""
    n = len(columns[0])
    step = max(1, chunk_frames)
    for a in range(0, n, step):
        b = min(a + step, n)
        block = np.column_stack([np.asarray(c[a:b], dtype=float).reshape(b - a, -1) for c in columns])
        block[~np.isfinite(block)] = np.nan
        yield "".join(row_fmt % tuple(row) for row in block.tolist()).replace("nan", "")
