import dataclasses

import numpy as np

from core.constants import LANDMARK_INDEX as LI
from core.gait.analysis import analyze_series
from core.gait.coverage import LostStretch, lost_notes, lost_stretches
from core.gait.evaluation import evaluate_events
from tests.core.gait.test_gait_events import CFG, walker


def _hidden(series, frames, landmarks=None):
    """``series`` with ``landmarks`` (default: every one) at ``frames`` missing (NaN, confidence 0)."""
    pos, conf = series.positions.copy(), series.confidence.copy()
    cols = slice(None) if landmarks is None else landmarks
    rows = np.zeros(len(pos), bool)
    rows[frames] = True
    pos[np.ix_(rows, np.arange(33)[cols])] = np.nan
    conf[np.ix_(rows, np.arange(33)[cols])] = 0.0
    return dataclasses.replace(series, positions=pos, confidence=conf)


def test_stretches_without_pose_or_with_a_hidden_heel_are_named_short_holes_are_not():
    series, _ = walker(duration_s=8.0, px_noise=0.0)
    series = _hidden(series, slice(0, 60))  # the walker enters after 2 s
    series = _hidden(series, slice(150, 180), [LI["right_heel"], LI["right_ankle"]])  # behind a bush for 1 s
    series = _hidden(series, slice(200, 205), [LI["left_heel"], LI["left_ankle"]])  # 5 frames: bridged
    stretches = lost_stretches(series.positions, 30.0)
    assert stretches == [LostStretch("pose", 0, 60), LostStretch("right heel", 150, 180)]
    notes = lost_notes(stretches, 30.0)
    assert notes[0].startswith("walker not seen (no pose) in frames 0-59 (2.00 s)")
    assert notes[1].startswith("right heel hidden in frames 150-179 (1.00 s)") and "no right event" in notes[1]
    assert lost_stretches(walker(duration_s=4.0)[0].positions, 30.0) == []


def test_a_walker_entering_mid_clip_gets_the_events_of_the_strides_in_view_and_the_output_names_the_rest():
    series, truth = walker(duration_s=9.0, px_noise=0.5)
    entered = _hidden(series, slice(0, 75))  # not in view for the first 2.5 s
    result = analyze_series(entered, CFG)
    seen = [e for e in truth if e.time_s > 75 / 30.0 + 0.3]
    scores = evaluate_events([e for e in result.detection.events if e.time_s > 2.8], seen, tolerance_s=0.05)
    assert scores["overall"]["f1"] >= 0.95
    assert not [e for e in result.detection.events if e.time_s < 2.5]
    assert any(n.startswith("walker not seen (no pose) in frames 0-74 (2.50 s)") for n in result.notes)
