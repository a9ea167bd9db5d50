"""Randomised walk parameters for synthetic training/test sets (one style per label)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.constants import SIDES
from core.synthetic.params import DIRECTIONS, STYLES, GaitParams


def random_params(style: str, rng: np.random.Generator, base: GaitParams) -> GaitParams:
    """``base`` with the subject and walk randomised within ``style``'s typical range.

    Varies: height 1.50-1.95 m, cadence and step length +-12 % of the style's typical values (step
    length scaled with height), direction, affected side, camera noise 0-4 levels and stride variability.
    """
    pattern = STYLES[style]
    height_m = float(rng.uniform(1.50, 1.95))
    return replace(
        base,
        style=style,
        subject_height_m=height_m,
        cadence_steps_per_min=float(pattern.cadence_steps_per_min * rng.uniform(0.88, 1.12)),
        step_length_m=float(pattern.step_length_per_height * height_m * rng.uniform(0.88, 1.12)),
        direction=str(DIRECTIONS[rng.integers(len(DIRECTIONS))]),
        affected_side=str(SIDES[rng.integers(len(SIDES))]),
        noise=float(rng.uniform(0.0, 4.0)),
        variability=float(rng.uniform(0.0, 0.03)),
        seed=int(rng.integers(2**31 - 1)),
    )
