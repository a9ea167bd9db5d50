"""The console lines of a TCN training run: the model named as trained, the baseline beside it."""

from __future__ import annotations

from usecases.gait_analysis.report import training_lines


def _summary(model: str | None) -> dict:
    scores = {"mean": 0.9, "sd": 0.1, "per_fold": [1.0, 0.8]}
    summary = {"task": "classification", "headline_metric": "accuracy", "n_videos": 8, "n_folds": 2,
               "metrics": {"accuracy": scores}, "baseline": {"model": "logistic regression", "accuracy": scores}}
    return summary if model is None else summary | {"model": model}


def test_hybrid_is_named_and_the_plain_baseline_is_shown_beside_it() -> None:
    lines = training_lines(_summary("TCN + gait parameters"), "/tmp/x")
    assert lines[1].startswith("  TCN + gait parameters accuracy: 0.900 +/- 0.100 (folds: 1.000, 0.800)")
    assert lines[2].startswith("  baseline  accuracy: 0.900") and "[logistic regression]" in lines[2]


def test_plain_tcn_and_summaries_written_before_the_model_field_read_tcn() -> None:
    for summary in (_summary("TCN"), _summary(None)):
        assert training_lines(summary, "/tmp/x")[1].startswith("  TCN       accuracy: 0.900")
