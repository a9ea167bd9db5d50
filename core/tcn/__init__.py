"""The TCN room: a temporal convolutional network on keypoint feature sequences.

Tasks: ``events`` (per-frame heel strike / toe off), ``phases`` (per-frame gait phase) and
``classification`` (one label per video). This package ``__init__`` imports no torch; import
``core.tcn.train`` or ``core.tcn.infer`` for training and inference.
"""

from core.tcn.samples import TASKS, Sample

__all__ = ["TASKS", "Sample"]
