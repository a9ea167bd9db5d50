"""Checkpoints (weights_only round trip, ensembles) and the feature cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import InputError
from core.io.checkpoints import checkpoint_paths, load_checkpoint, save_checkpoint
from core.io.feature_cache import cached_features, feature_cache_path, load_feature_cache, save_feature_cache
from core.tcn.infer import LoadedModel, from_checkpoint, load_models, predict_class, predict_events, to_checkpoint
from core.tcn.model import TCN, ModelConfig


def _loaded(
    task: str = "events", norm: str = "batch", seed: int = 0, mirror: tuple[int, ...] = ()
) -> LoadedModel:
    torch.manual_seed(seed)
    per_frame = task != "classification"
    n_out = 4 if per_frame else 2
    cfg = ModelConfig(6, n_out, per_frame, channels=8, kernel_size=3, n_blocks=2, norm=norm, mirror=mirror)
    module = TCN(cfg)
    with torch.no_grad():  # non-trivial running statistics, so they must round-trip too
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    names = () if per_frame else ("a", "b")
    mean, std = np.linspace(-1, 1, 6).astype(np.float32), np.full(6, 2.0, np.float32)
    return LoadedModel(module.eval(), task, names, mean, std, 50.0, 32, {"pseudo_labels": True, "fold": seed})


@pytest.mark.parametrize("norm", ["batch", "weight"])
def test_tcn_checkpoint_round_trip_with_weights_only(tmp_path: Path, norm: str) -> None:
    model = _loaded(norm=norm)
    save_checkpoint(tmp_path / "m.pt", to_checkpoint(model))
    raw = torch.load(tmp_path / "m.pt", weights_only=True)
    assert raw["task"] == "events" and raw["meta"]["pseudo_labels"] is True
    back = from_checkpoint(load_checkpoint(tmp_path / "m.pt"))
    x = torch.randn(1, 70, 6)
    assert torch.equal(model.module(x), back.module(x))
    assert np.array_equal(back.mean, model.mean) and back.rate_hz == 50.0 and back.window_frames == 32


def test_tcn_mirror_invariant_classifier_round_trips_with_weights_only(tmp_path: Path) -> None:
    model = _loaded("classification", mirror=(1, 0, 3, 2, 4, 5))
    save_checkpoint(tmp_path / "m.pt", to_checkpoint(model))
    assert torch.load(tmp_path / "m.pt", weights_only=True)["model_config"]["mirror"] == [1, 0, 3, 2, 4, 5]
    back = from_checkpoint(load_checkpoint(tmp_path / "m.pt"))
    assert back.module.cfg.mirror == (1, 0, 3, 2, 4, 5)
    x = torch.randn(2, 40, 6)
    assert torch.equal(model.module(x), back.module(x))


def test_tcn_checkpoint_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    torch.save({"format": "gait-tcn", "evil": Path("x")}, tmp_path / "bad.pt")
    with pytest.raises(InputError):
        load_checkpoint(tmp_path / "bad.pt")
    with pytest.raises(InputError):
        load_checkpoint(tmp_path / "missing.pt")


def test_tcn_ensemble_folder_loads_in_fold_order_and_predicts(tmp_path: Path) -> None:
    for fold in (10, 2):
        save_checkpoint(tmp_path / f"model_fold_{fold}.pt", to_checkpoint(_loaded("classification", seed=fold)))
    (tmp_path / "notes.txt").write_text("not a model")
    assert [p.name for p in checkpoint_paths(tmp_path)] == ["model_fold_2.pt", "model_fold_10.pt"]
    models = load_models(tmp_path)
    assert [m.meta["fold"] for m in models] == [2, 10]
    label, prob, probs = predict_class(models, np.random.default_rng(0).normal(size=(100, 6)).astype(np.float32))
    assert label in ("a", "b") and abs(sum(probs.values()) - 1.0) < 1e-5 and probs[label] == prob


def test_tcn_chunked_inference_equals_whole_sequence() -> None:
    from core.tcn.infer import _frame_logits

    model = _loaded()
    x = np.random.default_rng(2).normal(size=(500, 6)).astype(np.float32)
    whole = _frame_logits(model, x, chunk_frames=10_000)
    chunked = _frame_logits(model, x, chunk_frames=64)
    assert whole.shape == (500, 4)
    assert np.allclose(whole, chunked, atol=1e-5)
    events = predict_events([model], x, 50.0, threshold=0.0)
    assert all(0 <= e.frame < 500 for e in events)


def test_tcn_feature_cache_round_trip_and_staleness(tmp_path: Path) -> None:
    store = tmp_path / "video.keypoints"
    path = feature_cache_path(store, "video.mp4:1234:99", version=1)
    assert path.parent == tmp_path and path.suffix == ".npz"
    feats = np.random.default_rng(0).normal(size=(50, 7)).astype(np.float32)
    save_feature_cache(path, feats, "video.mp4:1234:99", 1, extra={"time_s": np.arange(50) / 30})
    loaded = load_feature_cache(path, "video.mp4:1234:99", 1)
    assert loaded is not None and np.array_equal(loaded["features"], feats) and loaded["time_s"].shape == (50,)
    assert load_feature_cache(path, "video.mp4:1234:100", 1) is None
    assert load_feature_cache(path, "video.mp4:1234:99", 2) is None
    calls = []

    def build() -> np.ndarray:
        calls.append(1)
        return feats * 2

    first = cached_features(store, "other-key", 1, build)
    second = cached_features(store, "other-key", 1, build)
    assert len(calls) == 1 and np.array_equal(first, second)
    bad = feature_cache_path(store, "broken", 1)
    bad.write_bytes(b"not a zip")
    assert load_feature_cache(bad, "broken", 1) is None


def test_tcn_checkpoint_paths_include_every_member_of_each_fold(tmp_path) -> None:
    from core.io.checkpoints import checkpoint_name, checkpoint_paths

    names = [checkpoint_name(1), checkpoint_name(0, 2), checkpoint_name(0), checkpoint_name(0, 1)]
    for name in names + ["model_fold_x.pt", "notes.pt"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in checkpoint_paths(tmp_path)] == [
        "model_fold_0.pt", "model_fold_0_1.pt", "model_fold_0_2.pt", "model_fold_1.pt"
    ]
