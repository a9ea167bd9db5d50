"""The console lines of a TCN training run: the TCN, the baseline beside it, and their combination."""

from __future__ import annotations

from usecases.gait_analysis.report import training_lines

SCORES = {"mean": 0.9, "sd": 0.1, "per_fold": [1.0, 0.8]}


def _summary(**extra: object) -> dict:
    return {"task": "classification", "headline_metric": "accuracy", "n_videos": 8, "n_folds": 2,
            "metrics": {"accuracy": SCORES}, "baseline": {"model": "logistic regression", "accuracy": SCORES}} | extra


def test_the_combination_is_named_after_the_plain_tcn_and_baseline() -> None:
    both = {"model": "TCN + gait parameters", "method": "mean of probabilities", "accuracy": SCORES}
    lines = training_lines(_summary(combined=both), "/tmp/x")
    assert lines[1].startswith("  TCN       accuracy: 0.900 +/- 0.100 (folds: 1.000, 0.800)")
    assert lines[2].startswith("  baseline  accuracy: 0.900") and "[logistic regression]" in lines[2]
    assert lines[3] == "  TCN + gait parameters accuracy: 0.900 +/- 0.100 (folds: 1.000, 0.800)  [mean of probabilities]"


def test_no_combination_line_without_one() -> None:
    for summary in (_summary(), _summary(combined=None)):
        assert len(training_lines(summary, "/tmp/x")) == 3
