"""Targets, windows, the lazy dataset and left/right mirroring of features and labels."""

from __future__ import annotations

import numpy as np
import torch

from core.constants import TCN_EVENT_CHANNELS, TCN_IGNORE_INDEX
from core.tcn.data import WindowDataset
from core.tcn.features import FEATURE_NAMES, N_FEATURES, standard_layout
from core.tcn.fold import normalisation
from core.tcn.samples import Sample
from core.tcn.targets import event_targets, phase_targets
from core.tcn.windows import Augment, mirror_window, rotate_pairs, window_index, window_starts
from core.types import GaitEvent

EVENTS = [
    GaitEvent("left", "heel_strike", 10, 10 / 50),
    GaitEvent("right", "toe_off", 16, 16 / 50),
    GaitEvent("right", "heel_strike", 40, 40 / 50),
    GaitEvent("left", "toe_off", 46, 46 / 50),
    GaitEvent("left", "heel_strike", 70, 70 / 50),
]


def test_tcn_event_targets_peak_at_each_event_in_its_channel() -> None:
    y = event_targets(EVENTS, 100, sigma_frames=1.5)
    assert y.shape == (100, 4)
    for ev in EVENTS:
        ch = TCN_EVENT_CHANNELS.index((ev.side, ev.event))
        assert y[ev.frame, ch] == 1.0
        assert 0.0 < y[ev.frame + 1, ch] < 1.0
    left_hs = TCN_EVENT_CHANNELS.index(("left", "heel_strike"))
    right_to = TCN_EVENT_CHANNELS.index(("right", "toe_off"))
    assert y[:, left_hs].sum() > y[:, right_to].sum()  # two left heel strikes, one right toe off
    assert y[25].max() == 0.0


def test_tcn_phase_targets_follow_the_last_event() -> None:
    y = phase_targets(EVENTS, 100)
    assert (y[:10] == TCN_IGNORE_INDEX).all() and (y[71:] == TCN_IGNORE_INDEX).all()
    assert (y[10:16] == 0).all() and (y[16:40] == 1).all() and (y[40:46] == 2).all() and (y[46:70] == 3).all()
    assert y[70] == 0


def test_tcn_window_starts_cover_every_frame() -> None:
    for n in (5, 64, 65, 200, 333):
        starts = window_starts(n, 64, 0.5)
        covered = np.zeros(max(n, 64), bool)
        for s in starts:
            covered[s : s + 64] = True
        assert covered[:n].all()
        assert starts[-1] + 64 >= n and (starts >= 0).all()
    assert np.diff(window_starts(1000, 100, 0.75))[0] == 25
    assert window_index([10, 300], 64, 0.5)[0].tolist() == [0, 0]


def test_tcn_mirroring_swaps_features_and_labels_consistently() -> None:
    layout = standard_layout()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, N_FEATURES)).astype(np.float32)
    name = {n: i for i, n in enumerate(FEATURE_NAMES)}
    ev = event_targets(EVENTS, 100)
    xm, evm = mirror_window(x, ev, layout, "events")
    assert np.array_equal(xm[:, name["right_heel_up"]], x[:, name["left_heel_up"]])
    assert np.array_equal(xm[:, name["left_knee_rad"]], x[:, name["right_knee_rad"]])
    assert np.array_equal(xm[:, name["valid_fraction"]], x[:, name["valid_fraction"]])
    left_hs = TCN_EVENT_CHANNELS.index(("left", "heel_strike"))
    right_hs = TCN_EVENT_CHANNELS.index(("right", "heel_strike"))
    assert np.array_equal(evm[:, right_hs], ev[:, left_hs])
    # Mirrored events give mirrored phases: the phase labels of the mirrored walk, computed from scratch.
    swapped = [GaitEvent("right" if e.side == "left" else "left", e.event, e.frame, e.time_s) for e in EVENTS]
    _, phm = mirror_window(x, phase_targets(EVENTS, 100), layout, "phases")
    assert np.array_equal(phm, phase_targets(swapped, 100))
    assert np.array_equal(event_targets(swapped, 100), evm)
    xmm, evmm = mirror_window(xm, evm, layout, "events")
    assert np.array_equal(xmm, x) and np.array_equal(evmm, ev)


def test_tcn_rotation_preserves_lengths_of_coordinate_pairs() -> None:
    layout = standard_layout()
    x = np.random.default_rng(1).normal(size=(20, N_FEATURES)).astype(np.float32)
    r = rotate_pairs(x, layout.rotation_pairs, np.radians(10))
    a, b = layout.rotation_pairs[:, 0], layout.rotation_pairs[:, 1]
    assert np.allclose(np.hypot(r[:, a], r[:, b]), np.hypot(x[:, a], x[:, b]), atol=1e-5)
    assert not np.allclose(r[:, a], x[:, a])
    angles = [FEATURE_NAMES.index(n) for n in FEATURE_NAMES if n.endswith("_rad")]
    assert np.array_equal(r[:, angles], x[:, angles])


FEATS = [np.arange(300 * 3, dtype=np.float32).reshape(300, 3), np.ones((40, 3), np.float32)]


def _dataset(task: str, augment: Augment | None) -> WindowDataset:
    feats = FEATS
    targets = [event_targets(EVENTS, 300), event_targets(EVENTS[:1], 40)] if task == "events" else [0, 1]
    index = window_index([300, 40], 64, 0.5)
    return WindowDataset(feats, targets, index, 64, task, np.zeros(3, np.float32), np.ones(3, np.float32), augment)


def test_tcn_dataset_slices_windows_lazily_and_pads_short_videos() -> None:
    ds = _dataset("events", None)
    assert all(a is b for a, b in zip(ds.features, FEATS))  # held by reference; items copy one window each
    x, y, mask = ds[1]
    start = int(ds.index[1, 1])
    assert torch.equal(x[:, 0], torch.arange(start, start + 64, dtype=torch.float32) * 3)
    assert y.shape == (64, 4)
    x, y, mask = ds[len(ds) - 1]  # the 40-frame video, padded to 64
    assert mask.sum() == 40 and (x[40:] == 0).all()
    assert torch.equal(y[40:], torch.zeros(24, 4))


def test_tcn_augmented_items_keep_shapes_and_differ_between_draws() -> None:
    ds = _dataset("classification", Augment(noise_std=0.1))
    a, b = ds[0], ds[0]
    assert a[0].shape == (64, 3) and a[2].shape == (64,) and int(a[1]) == 0
    assert not torch.equal(a[0], b[0])


def test_tcn_frames_outside_the_annotated_span_are_ignored_by_the_loss() -> None:
    from core.tcn.engine import task_loss
    from core.tcn.targets import mask_outside_annotations

    y = mask_outside_annotations(event_targets(EVENTS, 100), EVENTS)
    assert (y[:3] == -1).all() and (y[78:] == -1).all() and (y[4:77] >= 0).all()
    logits = torch.zeros(1, 100, 4)
    wild = logits.clone()
    wild[:, 80:] = 50.0  # confident "event" where nobody annotated: must not cost anything
    mask = torch.ones(1, 100, dtype=torch.bool)
    yt = torch.from_numpy(y)[None]
    assert torch.allclose(task_loss("events", logits, yt, mask), task_loss("events", wild, yt, mask))
    wild[:, 50] = 50.0
    assert task_loss("events", wild, yt, mask) > task_loss("events", logits, yt, mask)


def test_tcn_normalisation_with_a_mirror_commutes_with_mirroring() -> None:
    rng = np.random.default_rng(0)
    mirror = np.array([1, 0, 2])
    feats = [rng.normal([0.0, 3.0, 1.0], [1.0, 2.0, 0.5], (50, 3)).astype(np.float32) for _ in range(2)]
    samples = [Sample(f"v{i}", f"v{i}", f, 30.0, None, "a") for i, f in enumerate(feats)]
    mean, std = normalisation(samples, mirror)
    assert np.allclose(mean, mean[mirror]) and np.allclose(std, std[mirror])
    both = np.concatenate(feats + [f[:, mirror] for f in feats])
    assert np.allclose(mean, both.mean(axis=0), atol=1e-5) and np.allclose(std, both.std(axis=0), atol=1e-5)
    plain_mean, _ = normalisation(samples)
    assert not np.allclose(plain_mean, plain_mean[mirror])
