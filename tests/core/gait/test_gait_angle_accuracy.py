"""The whole analysis, run on the generator's exact landmarks, reproduces its joint-angle truth.

What is left between our angles and the truth on video is then the pose model's error, not our
processing (docs/gait_accuracy.md, table of joint angles).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.gait.analysis import analyze_series
from core.gait.kinematics import normalise_cycles
from core.synthetic import GaitParams, simulate_walk, truth_to_series

TRUTH_KEYS = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}


# (cutoff_hz, RMSE limit, peak limit), degrees: without the low-pass the angles must be exact; the
# default 6 Hz low-pass rounds the knee's and ankle's troughs by ~1.5 deg.
FILTERS = {"no_lowpass": (1e6, 0.5, 0.3), "default_6hz": (None, 1.5, 2.0)}


@pytest.fixture(scope="module", params=[("left_to_right", "no_lowpass"), ("right_to_left", "default_6hz")])
def analysed(request):
    direction, which = request.param
    params = GaitParams(camera="tracking", duration_s=6.0, width_px=1280, height_px=720, seed=1, direction=direction)
    truth = simulate_walk(params)[2]
    cfg = load_profile("balanced").preprocessing
    cutoff_hz, rmse_deg, peak_deg = FILTERS[which]
    if cutoff_hz is not None:
        cfg = dataclasses.replace(cfg, cutoff_hz=cutoff_hz)
    return truth, analyze_series(truth_to_series(truth), cfg, 1.75), rmse_deg, peak_deg


@pytest.mark.parametrize("joint", ["hip", "knee", "ankle"])
def test_mean_cycles_and_peaks_match_the_truth(analysed, joint):
    truth, result, rmse_deg, peak_deg = analysed
    fps = float(truth["fps"])
    for side in ("left", "right"):
        # Cycles cut at the detected heel strikes (about a third of a frame after the true ones on these
        # exact landmarks), so that event timing is not counted as angle error.
        hs = [e.time_s * fps for e in result.events if e.side == side and e.event == "heel_strike"]
        expected = normalise_cycles(np.asarray(truth["joint_angles_deg"][f"{side}_{TRUTH_KEYS[joint]}"]),
                                    np.asarray(hs)).mean(axis=0)
        measured = result.summaries[f"{side}_{joint}"]
        assert measured["n"] >= 3
        rmse = np.sqrt(np.mean((measured["mean"] - expected) ** 2))
        assert rmse < rmse_deg, (side, joint, rmse)
        assert abs(measured["mean"].max() - expected.max()) < peak_deg, (side, joint)
        assert abs(measured["mean"].min() - expected.min()) < peak_deg, (side, joint)
