"""The baseline beside the TCN, the per-video predictions CSV and the cross-validation support check."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from core.baseline.gait_classifier import cross_validate_baseline, feature_names, gait_feature_vector
from core.errors import InsufficientDataError
from core.io.training_outputs import format_predictions_csv
from core.tcn.baseline_cv import (
    COMBINED_NAME,
    classification_baseline,
    combined_classification,
    events_baseline,
    prediction_rows,
)
from core.tcn.cv import check_cv_support, grouped_kfold
from core.tcn.samples import Sample
from core.types import GaitEvent


def test_baseline_separates_constructed_classes_on_held_out_folds() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 8)
    x = rng.normal(0.0, 0.3, (24, 3))
    x[:, 0] += 3.0 * y  # one informative feature, two of noise
    x[:, 1:][rng.random((24, 2)) < 0.2] = np.nan  # missing values (in the noise) are imputed
    folds = grouped_kfold([f"v{i}" for i in range(24)], 3, labels=y.astype(str), seed=0)
    results = cross_validate_baseline(x, y, 3, folds, seed=0)
    accuracy = [f.accuracy(y) for f in results]
    assert min(accuracy) >= 0.85 and np.mean(accuracy) >= 0.9  # a regularised linear model may use the noise
    shuffled = cross_validate_baseline(x, rng.permutation(y), 3, folds, seed=0)
    assert np.mean([f.accuracy(y) for f in shuffled]) < 0.6
    for f in results:
        assert f.probabilities.shape == (len(f.test_idx), 3)
        np.testing.assert_allclose(f.probabilities.sum(axis=1), 1.0)


def test_baseline_features_are_side_free() -> None:
    row = {"cadence_steps_per_min": 100.0, "left_stance_pct": 70.0, "right_stance_pct": 60.0, "left_knee_rom_deg": "x"}
    mirrored = {"cadence_steps_per_min": 100.0, "left_stance_pct": 60.0, "right_stance_pct": 70.0}
    a, b = gait_feature_vector(row), gait_feature_vector(mirrored)
    assert a.shape == (len(feature_names()),)
    np.testing.assert_array_equal(np.nan_to_num(a, nan=-1), np.nan_to_num(b, nan=-1))
    i = feature_names().index("stance_pct_mean")
    assert a[i] == 65.0 and a[i + 1] == 10.0
    assert np.isnan(a[feature_names().index("knee_rom_deg_mean")])


def _sample(name: str, label: str, value: float) -> Sample:
    return Sample(name, name, np.zeros((10, 3), np.float32), 30.0, label=label,
                  gait_features=np.array([value, 1.0]))


def test_predictions_csv_has_one_row_per_video_with_both_models() -> None:
    samples = [_sample(f"{c}{i}", c, v + 0.1 * i) for c, v in (("fast", 5.0), ("slow", -5.0)) for i in range(4)]
    folds = grouped_kfold([s.group for s in samples], 2, labels=[s.label for s in samples], seed=0)
    summary, per_video = classification_baseline(samples, folds, ("fast", "slow"), seed=0)
    assert summary is not None and summary["accuracy"]["per_fold"] == [1.0, 1.0]
    detailed = [{"name": s.name, "fold": per_video[s.name]["fold"], "true": s.label, "predicted": "fast",
                 "probabilities": {"fast": 0.75, "slow": 0.25}} for s in samples]
    text = format_predictions_csv(prediction_rows(detailed, per_video, ("fast", "slow")))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["video", "fold", "true", "predicted", "p_fast", "p_slow",
                             "baseline_predicted", "baseline_p_fast", "baseline_p_slow"]
    assert len(rows) == 8 and {r["video"] for r in rows} == {s.name for s in samples}
    assert all(r["baseline_predicted"] == r["true"] for r in rows)
    assert rows[0]["p_fast"] == "0.7500"


def test_combination_averages_the_tcn_and_baseline_probabilities_per_video() -> None:
    names = ("a", "b")
    detailed = [{"name": "v0", "fold": 0, "true": "a", "predicted": "b", "probabilities": {"a": 0.4, "b": 0.6}},
                {"name": "v1", "fold": 1, "true": "b", "predicted": "b", "probabilities": {"a": 0.1, "b": 0.9}},
                {"name": "v2", "fold": 1, "true": "a", "predicted": "b", "probabilities": {"a": 0.2, "b": 0.8}}]
    baseline = {"v0": {"fold": 0, "predicted": "a", "probabilities": {"a": 0.9, "b": 0.1}},
                "v1": {"fold": 1, "predicted": "a", "probabilities": {"a": 0.6, "b": 0.4}},
                "v2": {"fold": 1, "predicted": "b", "probabilities": {"a": 0.3, "b": 0.7}}}
    summary, per_video = combined_classification(detailed, baseline, names, 2)
    assert summary is not None and summary["model"] == COMBINED_NAME
    assert per_video["v0"]["predicted"] == "a" and per_video["v0"]["probabilities"]["a"] == pytest.approx(0.65)
    assert per_video["v1"]["predicted"] == "b" and per_video["v2"]["predicted"] == "b"
    assert summary["accuracy"]["per_fold"] == [1.0, 0.5] and summary["pooled"]["accuracy"] == pytest.approx(2 / 3)
    rows = list(csv.DictReader(io.StringIO(format_predictions_csv(prediction_rows(detailed, baseline, names, per_video)))))
    assert list(rows[0])[-3:] == ["combined_predicted", "combined_p_a", "combined_p_b"]
    assert rows[0]["combined_predicted"] == "a" and rows[0]["combined_p_a"] == "0.6500"
    assert combined_classification(detailed, {"v0": baseline["v0"]}, names, 2) == (None, {})


def test_baseline_is_skipped_when_a_video_has_no_gait_parameters() -> None:
    samples = [_sample("a", "x", 1.0), Sample("b", "b", np.zeros((10, 3), np.float32), 30.0, label="y")]
    assert classification_baseline(samples, [(np.array([0]), np.array([1]))], ("x", "y"), 0) == (None, {})


def test_kinematic_events_baseline_is_scored_like_the_tcn() -> None:
    truth = [GaitEvent("left", "heel_strike", f, f / 30.0) for f in (10, 40, 70)]
    found = [GaitEvent("left", "heel_strike", f, f / 30.0) for f in (11, 55)]  # one hit, one miss, one spurious
    samples = [Sample(n, n, np.zeros((90, 3), np.float32), 30.0, events=truth, baseline_events=found) for n in "ab"]
    base = events_baseline(samples, [(np.array([1]), np.array([0])), (np.array([0]), np.array([1]))])
    assert base is not None and base["f1"]["per_fold"] == pytest.approx([0.4, 0.4])
    assert base["pooled"]["tp"] == 2 and base["pooled"]["fn"] == 4 and base["pooled"]["fp"] == 2
    assert events_baseline([Sample("c", "c", np.zeros((9, 3)), 30.0, events=truth)], []) is None


@pytest.mark.parametrize(
    ("groups", "folds", "labels", "message"),
    [
        (list("abcdefghij"), 3, list("xxxxyyyyzz"),
         "class 'z' has 2 videos; 3 folds need at least 3 per class: add videos or use --folds 2"),
        (list("abcd"), 2, list("xxxy"), "class 'y' has 1 video; 2 folds need at least 2 per class"),
        (list("abc"), 2, list("xxx"), "all 3 videos are labelled 'x': classification needs at least 2 classes"),
        (["a"], 3, None, "1 video cannot be cross-validated: add videos (at least 2, and as many as folds)"),
        (list("ab"), 3, None, "2 videos cannot be split into 3 folds: add videos or use --folds 2"),
    ],
)
def test_cv_support_check_says_what_is_needed(groups, folds, labels, message) -> None:
    with pytest.raises(InsufficientDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_cv_support(groups, folds, labels)


def test_cv_support_check_counts_groups_not_samples() -> None:
    check_cv_support(list("abcdef"), 3, list("xxxyyy"))
    with pytest.raises(InsufficientDataError, match="class 'x' has 2 videos \\(groups\\)"):
        check_cv_support(["s1", "s1", "s2", "s3", "s4", "s5"], 3, list("xxxyyy"))


def test_training_curves_have_integer_epoch_ticks() -> None:
    from core.report.training_plots import training_curves_figure

    rows = [{"epoch": e, "train_loss": 1.0 / e, "val_loss": 1.2 / e, "val_metric": 0.5} for e in (1, 2, 3)]
    fig = training_curves_figure({"fold_0": rows}, "accuracy")
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
