"""TCN model: output shapes, receptive field, causality."""

from __future__ import annotations

import pytest
import torch

from core.tcn.model import TCN, ModelConfig, receptive_field_frames


def _model(**kw: object) -> TCN:
    cfg = dict(in_features=5, n_outputs=4, per_frame=True, channels=8, kernel_size=3, n_blocks=3, dropout=0.0)
    cfg.update(norm="batch", causal=False)
    cfg.update(kw)
    torch.manual_seed(0)
    return TCN(ModelConfig(**cfg)).eval()


@pytest.mark.parametrize("norm", ["batch", "layer", "weight", "none"])
def test_tcn_output_shapes_for_every_norm(norm: str) -> None:
    x = torch.randn(2, 40, 5)
    assert _model(norm=norm)(x).shape == (2, 40, 4)
    seq = _model(norm=norm, per_frame=False, n_outputs=3)
    mask = torch.ones(2, 40, dtype=torch.bool)
    mask[1, 30:] = False
    assert seq(x, mask).shape == (2, 3)


def test_tcn_receptive_field_formula() -> None:
    assert receptive_field_frames(3, 1) == 5
    assert receptive_field_frames(5, 4) == 1 + 2 * 4 * 15
    assert receptive_field_frames(3, 2, convs_per_block=1) == 1 + 2 * 3


@pytest.mark.parametrize(
    ("kernel_size", "n_blocks", "causal"), [(3, 3, False), (5, 2, True), (2, 4, True), (4, 3, False)]
)
def test_tcn_receptive_field_matches_impulse_response(kernel_size: int, n_blocks: int, causal: bool) -> None:
    model = _model(kernel_size=kernel_size, n_blocks=n_blocks, causal=causal, norm="none").double()
    with torch.no_grad():  # positive weights and inputs keep every ReLU open: the gradient reaches every tap
        for p in model.parameters():
            p.abs_().add_(0.01)
    n = 200
    x = torch.rand(1, n, 5, dtype=torch.float64).requires_grad_(True)
    model(x)[0, n // 2].sum().backward()
    touched = torch.nonzero(x.grad[0].abs().sum(dim=1) > 0).ravel()
    assert int(touched.max() - touched.min()) + 1 == receptive_field_frames(kernel_size, n_blocks)
    if causal:
        assert int(touched.max()) == n // 2


def test_tcn_causal_outputs_ignore_future_frames() -> None:
    model = _model(causal=True)
    x = torch.randn(1, 60, 5)
    changed = x.clone()
    changed[:, 40:] = torch.randn(1, 20, 5) * 5
    a, b = model(x), model(changed)
    assert torch.equal(a[:, :40], b[:, :40])
    assert not torch.allclose(a[:, 40:], b[:, 40:])


def test_tcn_non_causal_outputs_see_future_frames() -> None:
    model = _model(causal=False)
    x = torch.randn(1, 60, 5)
    changed = x.clone()
    changed[:, 40:] = torch.randn(1, 20, 5) * 5
    a, b = model(x), model(changed)
    assert not torch.allclose(a[:, 30:40], b[:, 30:40])
    assert torch.equal(a[:, :20], b[:, :20])  # receptive field 29 frames: 14 each side


def test_tcn_sequence_head_ignores_masked_frames() -> None:
    model = _model(per_frame=False, n_outputs=2, norm="layer")
    x = torch.randn(1, 50, 5)
    other = x.clone()
    other[:, 45:] = 100.0
    mask = torch.ones(1, 50, dtype=torch.bool)
    mask[:, 30:] = False
    # Frames 45.. lie outside the receptive field (14 frames each side) of frames 0..29.
    assert torch.allclose(model(x, mask), model(other, mask))
    assert not torch.allclose(model(x), model(other))


def test_tcn_mirror_invariant_head_gives_a_walk_and_its_mirror_image_the_same_logits() -> None:
    mirror = (1, 0, 3, 2, 4)  # columns 0<->1 and 2<->3 are left/right pairs, column 4 is side-free
    model = _model(per_frame=False, n_outputs=3, mirror=mirror)
    plain = _model(per_frame=False, n_outputs=3)
    x = torch.randn(2, 40, 5)
    mask = torch.ones(2, 40, dtype=torch.bool)
    mask[0, 25:] = False
    swapped = x[..., list(mirror)]
    assert torch.allclose(model(x, mask), model(swapped, mask), atol=1e-6)
    assert not torch.allclose(plain(x, mask), plain(swapped, mask), atol=1e-3)
    assert model.head.in_features == 4 * 8 and "mirror" not in model.state_dict()


@pytest.mark.parametrize("kw", [{"per_frame": True}, {"per_frame": False, "mirror": (0, 0, 1, 2, 3)}])
def test_tcn_mirror_must_permute_the_columns_of_a_sequence_model(kw: dict) -> None:
    with pytest.raises(ValueError, match="mirror"):
        _model(**({"mirror": (1, 0, 3, 2, 4)} | kw))
