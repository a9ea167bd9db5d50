"""Synthetic walks for the TCN tests: the kinematic model's true landmarks plus noise (no video)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import numpy as np
import pytest

from core.config import TrainingConfig, load_profile
from core.constants import LANDMARK_INDEX, NUM_LANDMARKS
from core.types import GaitEvent, KeypointSeries

if TYPE_CHECKING:
    from core.synthetic.params import GaitParams

Walk = Callable[..., tuple[KeypointSeries, list[GaitEvent]]]


def synthetic_walk(params: GaitParams, noise_m: float = 0.003) -> tuple[KeypointSeries, list[GaitEvent]]:
    """True landmark paths of a synthetic walker as a metric series (plus Gaussian noise) and its events.

    The model walks towards +X; ``params.direction == "right_to_left"`` flips X.
    """
    from core.synthetic.gait_model import simulate_gait

    truth = simulate_gait(params)
    n = truth.time_s.size
    positions = np.full((n, NUM_LANDMARKS, 3), np.nan)
    sign = -1.0 if params.direction == "right_to_left" else 1.0
    for name, xy in truth.points_m.items():
        if name in LANDMARK_INDEX:
            positions[:, LANDMARK_INDEX[name], 0] = sign * xy[:, 0]
            positions[:, LANDMARK_INDEX[name], 1] = xy[:, 1]
            positions[:, LANDMARK_INDEX[name], 2] = 0.0
    rng = np.random.default_rng(params.seed + 7919)
    positions[:, :, :2] += rng.normal(0.0, noise_m, positions[:, :, :2].shape)
    name = f"synthetic_{params.style}_{params.seed}"
    conf = np.ones((n, NUM_LANDMARKS))
    series = KeypointSeries(positions, truth.time_s.copy(), conf, units="m", name=name, is_2d=True)
    return series, list(truth.events)


@pytest.fixture(scope="session")
def tiny_training_config() -> TrainingConfig:
    """The fast profile, shrunk so a run takes seconds on 2 cores."""
    base = load_profile("fast").training
    return replace(
        base, epochs=6, channels=16, n_blocks=3, kernel_size=3, window_frames=64, folds=2, patience=3, batch_size=16
    )


@pytest.fixture(scope="session")
def make_walk() -> Walk:
    """``synthetic_walk(params, noise_m)`` for tests (conftest modules cannot be imported directly)."""
    return synthetic_walk
