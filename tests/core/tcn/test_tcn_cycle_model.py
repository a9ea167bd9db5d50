"""The gait-cycle classifier: strides as samples, left/right invariance, checkpoints, videos without strides."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pytest

from core.tcn.cycle_model import CycleTraining, cycle_meta, train_cycle_model, video_cycles
from core.tcn.cycles import N_CYCLE_FEATURES, CycleSpec
from core.tcn.features import FEATURE_NAMES, N_FEATURES, standard_layout
from core.tcn.infer import LoadedModel, from_checkpoint, predict_class, to_checkpoint
from core.tcn.samples import Sample
from core.types import GaitEvent

RATE_HZ = 30.0
CLASSES = ("limp", "normal")


def _walk(name: str, label: str, seed: int) -> Sample:
    """6 s of noise features whose left knee swings 1 rad ("normal") or 0.3 rad ("limp") per 1.1 s stride;
    heel strikes of both sides every 33 frames (the right one half a stride later)."""
    rng = np.random.default_rng(seed)
    frames = np.arange(180)
    features = rng.normal(0.0, 0.1, (180, N_FEATURES)).astype(np.float32)
    amplitude = 1.0 if label == "normal" else 0.3
    features[:, FEATURE_NAMES.index("left_knee_rad")] += amplitude * np.sin(2 * np.pi * frames / 33)
    events = [GaitEvent(side, "heel_strike", f, f / RATE_HZ)
              for side, first in (("left", 3), ("right", 19)) for f in range(first, 180, 33)]
    return Sample(name, name, features, RATE_HZ, events, label)


def _mirrored(s: Sample) -> Sample:
    other = {"left": "right", "right": "left"}
    return replace(s, features=s.features[:, standard_layout().mirror],
                   events=[replace(e, side=other[e.side]) for e in s.events or []])


@pytest.fixture(scope="module")
def trained() -> tuple[list[LoadedModel], list[Sample]]:
    train = [_walk(f"{c}{i}", c, i) for i in range(3) for c in CLASSES]
    classes = np.array([CLASSES.index(s.label) for s in train])
    cfg = CycleTraining(epochs=20, strides_per_video=16, learning_rate=1e-2, channels=8, n_blocks=2)
    models = []
    for seed in (0, 1):
        t = train_cycle_model(train, classes, len(CLASSES), seed, cfg=cfg)
        models.append(LoadedModel(t.module, "classification", CLASSES, t.mean, t.std, RATE_HZ, 64,
                                  cycle_meta(CycleSpec(), t.fallback_frames)))
        assert len(t.history) == 20 and t.fallback_frames == 33
    return models, [_walk(f"{c}_test", c, 50 + i) for i, c in enumerate(CLASSES)]


def test_cycle_model_classifies_held_out_walks_from_their_strides(trained) -> None:
    models, held_out = trained
    for s in held_out:
        label, prob, probs = predict_class(models, s.features, s.rate_hz, s.events)
        assert label == s.label and prob == pytest.approx(max(probs.values())) and sum(probs.values()) == pytest.approx(1)


def test_a_walk_and_its_mirror_image_get_the_same_probabilities(trained) -> None:
    models, held_out = trained
    for s in held_out:
        m = _mirrored(s)
        a = predict_class(models, s.features, s.rate_hz, s.events)[2]
        b = predict_class(models, m.features, m.rate_hz, m.events)[2]
        assert a == pytest.approx(b, abs=1e-5)


def test_cycle_checkpoints_round_trip(trained) -> None:
    models, held_out = trained
    again = [from_checkpoint(to_checkpoint(m)) for m in models]
    s = held_out[0]
    assert predict_class(again, s.features, s.rate_hz, s.events)[2] == pytest.approx(
        predict_class(models, s.features, s.rate_hz, s.events)[2])


def test_a_video_without_strides_is_cut_into_spans_of_a_training_stride(trained, caplog) -> None:
    models, held_out = trained
    cycles, real = video_cycles(held_out[0].features, None, RATE_HZ, models[0].meta)
    assert not real and cycles.shape[1:] == (64, N_CYCLE_FEATURES)
    assert cycles[:, 0, -1] == pytest.approx(33 / RATE_HZ)  # the stride-time column: a training stride
    with caplog.at_level(logging.WARNING, logger="core.tcn.cycle_model"):  # whatever an earlier CLI test set
        label, _, probs = predict_class(models, held_out[0].features, RATE_HZ, None)
    assert label in CLASSES and sum(probs.values()) == pytest.approx(1)
    assert "no usable stride" in caplog.text and "weak evidence" in caplog.text


def test_a_checkpoint_of_other_cycle_columns_is_refused(trained) -> None:
    models, _ = trained
    ckpt = to_checkpoint(models[0])
    ckpt["meta"] = {k: v for k, v in ckpt["meta"].items() if k != "cycle_columns"}  # as written before the stance
    with pytest.raises(ValueError, match="retrain"):
        from_checkpoint(ckpt)


def test_training_needs_a_stride() -> None:
    s = replace(_walk("x", "limp", 0), events=[])
    with pytest.raises(ValueError, match="usable stride"):
        train_cycle_model([s], np.array([0]), 2, 0)


def _stance_walk(name: str, label: str, seed: int) -> Sample:
    """Noise features; heel strikes every 33 frames per side; the left stance lasts 40 % of the stride ("limp")
    or 62 % ("normal"), the right one 62 %: only the events tell the classes apart."""
    rng = np.random.default_rng(seed)
    features = rng.normal(0.0, 0.1, (180, N_FEATURES)).astype(np.float32)
    events = []
    for side, first in (("left", 3), ("right", 19)):
        stance = round(33 * (0.40 if side == "left" and label == "limp" else 0.62))
        for f in range(first, 180, 33):
            events += [GaitEvent(side, "heel_strike", f, f / RATE_HZ),
                       GaitEvent(side, "toe_off", min(f + stance, 179), min(f + stance, 179) / RATE_HZ)]
    return Sample(name, name, features, RATE_HZ, events, label)


def test_the_stance_columns_alone_separate_a_short_stance_from_a_normal_one() -> None:
    train = [_stance_walk(f"{c}{i}", c, i) for i in range(3) for c in CLASSES]
    classes = np.array([CLASSES.index(s.label) for s in train])
    cfg = CycleTraining(epochs=15, strides_per_video=16, learning_rate=1e-2, channels=8, n_blocks=2)
    t = train_cycle_model(train, classes, len(CLASSES), 0, cfg=cfg)
    model = LoadedModel(t.module, "classification", CLASSES, t.mean, t.std, RATE_HZ, 64,
                        cycle_meta(CycleSpec(), t.fallback_frames))
    for i, c in enumerate(CLASSES):
        s = _stance_walk(f"{c}_test", c, 70 + i)
        assert predict_class([model], s.features, s.rate_hz, s.events)[0] == c
