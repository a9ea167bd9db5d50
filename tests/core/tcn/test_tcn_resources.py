"""Adaptive batch size: doubling search on a (fake) memory measurement."""

from __future__ import annotations

from core.tcn.resources import batch_cap, dataloader_workers, search_batch_size


class FakeMeter:
    """Memory = overhead + per-sample cost; records the batches it was asked to run."""

    def __init__(self, overhead_mb: float, per_sample_mb: float, oom_above: int | None = None) -> None:
        self.overhead, self.per_sample, self.oom_above, self.calls = overhead_mb, per_sample_mb, oom_above, []

    def __call__(self, batch: int) -> float:
        self.calls.append(batch)
        if self.oom_above is not None and batch > self.oom_above:
            return float("inf")
        return self.overhead + self.per_sample * batch


def test_tcn_batch_search_picks_the_largest_power_of_two_under_budget() -> None:
    meter = FakeMeter(10.0, 3.0)
    result = search_batch_size(meter, budget_mb=200.0, cap=512)
    assert result.batch_size == 32  # 10 + 3 * 32 = 106; 64 would need 202
    assert meter.calls == [1, 2, 4, 8, 16, 32]  # 64 is predicted over budget and never run
    assert result.measurements[-1] == (32, 106.0)
    assert all(m <= 200.0 for _, m in result.measurements)


def test_tcn_batch_search_stops_at_the_cap() -> None:
    meter = FakeMeter(1.0, 0.01)
    result = search_batch_size(meter, budget_mb=1e6, cap=100)
    assert result.batch_size == 100 and meter.calls[-1] == 100 and result.stop_reason == "cap"


def test_tcn_batch_search_backs_off_after_a_measured_overrun() -> None:
    meter = FakeMeter(0.0, 1.0, oom_above=8)
    result = search_batch_size(meter, budget_mb=1000.0, cap=512)
    assert result.batch_size == 8 and meter.calls[-1] == 16


def test_tcn_batch_search_falls_back_to_one() -> None:
    result = search_batch_size(FakeMeter(500.0, 1.0), budget_mb=100.0, cap=512)
    assert result.batch_size == 1


def test_tcn_batch_cap_keeps_several_steps_per_epoch() -> None:
    assert batch_cap(10_000) == 512
    assert batch_cap(800) == 100
    assert batch_cap(40) == 16
    assert batch_cap(5) == 5


def test_tcn_dataloader_workers_zero_on_cpu() -> None:
    assert dataloader_workers("cpu", 1_000_000) == 0
    assert dataloader_workers("cuda", 10) == 0
