"""Train the learned event-timing model (``core.gait.event_timing``) on stored sweep runs with truth.

    python scripts/train_event_timing.py RUN [RUN ...] [--cv 5] [--write]

A run folder is what ``scripts/benchmark_gait_sweep.py`` leaves (``videos/*.truth.json`` and
``out/<video>/keypoints.jsonl.gz``). Every video's keypoint store is analysed as the pipeline does
(profile ``balanced``, ``event_refiner`` "none"); each detected event is paired with the nearest
truth event of its side and type within PAIR_S, and its features (``event_features``) are the
inputs, the offset truth - detected (s, clipped to +-MAX_SHIFT_S) the target.

``--cv K`` prints grouped K-fold cross-validation by video (share of paired events within 50 ms,
MAE and bias in ms, before and after; with ``--f1`` each held-out video's event F1 too).
``--write`` fits on all events and writes the model to ``core/gait/event_timing_weights.py`` (or
``--out``) with the runs, seeds and hyper-parameters in its metadata.
Never train on the videos you score on.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from core.config import load_profile  # noqa: E402
from core.errors import InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.event_timing import MAX_SHIFT_S, N_FEATURES, TimingModel, event_features, model_to_dict  # noqa: E402
from core.io.keypoint_store import read_store  # noqa: E402
from core.series import batch_to_series  # noqa: E402
from core.synthetic.truth import truth_to_events  # noqa: E402

PAIR_S = 0.25
WEIGHTS_PATH = Path(__file__).resolve().parents[1] / "core" / "gait" / "event_timing_weights.py"
HYPER = dict(n_estimators=300, max_depth=3, learning_rate=0.05, subsample=0.8, loss="huber", alpha=0.9,
             min_samples_leaf=20)


def video_rows(folder: Path, truth: dict, cfg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features (n, N_FEATURES), offsets truth - detected (n,) s, heel-strike flags (n,)) of one video's
    detected events paired with truth; unpaired events and incomplete feature rows are left out."""
    series = batch_to_series(read_store(folder / "keypoints.jsonl.gz"), int(truth["height"]), float(truth["fps"]),
                             name=folder.name)
    result = analyze_series(series, cfg)
    events = result.events
    x = event_features(result.oriented_series, result.forward, events)
    truth_events = truth_to_events(truth)
    y = np.full(len(events), np.nan)
    for i, e in enumerate(events):
        times = np.array([t.time_s for t in truth_events if t.side == e.side and t.event == e.event])
        if times.size and np.min(np.abs(times - e.time_s)) <= PAIR_S:
            y[i] = times[np.argmin(np.abs(times - e.time_s))] - e.time_s
    keep = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    kind = np.array([e.event == "heel_strike" for e in events], bool)
    return x[keep], y[keep], kind[keep]


def collect(runs: list[Path]) -> dict[str, np.ndarray]:
    """Every paired event of every video of ``runs``: X, y, is_hs, group (video number), video names."""
    cfg = dataclasses.replace(load_profile("balanced").preprocessing, event_refiner="none")
    xs, ys, kinds, groups, names = [], [], [], [], []
    for run in runs:
        for store in sorted(run.glob("out/*/keypoints.jsonl.gz")):
            truth_file = run / "videos" / f"{store.parent.name}.truth.json"
            if not truth_file.exists():
                continue
            try:
                x, y, kind = video_rows(store.parent, json.loads(truth_file.read_text()), cfg)
            except InsufficientDataError:
                continue
            xs.append(x), ys.append(y), kinds.append(kind), groups.append(np.full(len(y), len(names)))
            names.append(str(store.parent))
    return dict(X=np.concatenate(xs), y=np.concatenate(ys), is_hs=np.concatenate(kinds),
                group=np.concatenate(groups), names=np.array(names))


def fit(x: np.ndarray, y: np.ndarray, seed: int, hyper: dict):
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(random_state=seed, **hyper).fit(x, np.clip(y, -MAX_SHIFT_S, MAX_SHIFT_S))


def export(est, meta: dict) -> TimingModel:
    """The fitted ``GradientBoostingRegressor`` as a ``TimingModel`` (node arrays of all trees)."""
    parts, roots, offset = [], [], 0
    for tree in est.estimators_[:, 0]:
        t = tree.tree_
        leaf = t.children_left < 0
        parts.append((np.where(leaf, -1, t.feature), t.threshold, np.where(leaf, -1, t.children_left + offset),
                      np.where(leaf, -1, t.children_right + offset), t.value[:, 0, 0]))
        roots.append(offset)
        offset += t.node_count
    cols = [np.concatenate(c) for c in zip(*parts)]
    base = float(est._raw_predict_init(np.zeros((1, est.n_features_in_)))[0, 0])
    return TimingModel(*cols, roots=np.array(roots), base_s=base, learning_rate=est.learning_rate,
                       n_features=est.n_features_in_, meta=meta)


def _score(y: np.ndarray, shift: np.ndarray) -> str:
    err = 1000 * (shift - y)  # detected (after shift) - truth, ms
    return f"within 50 ms {np.mean(np.abs(err) <= 50):.1%}, MAE {np.mean(np.abs(err)):.1f}, bias {np.median(err):+.1f}"


def video_f1(folder: Path, model: TimingModel | None) -> float:
    """Event F1 at +-50 ms of one stored video, with ``model``'s refinement (None: without)."""
    truth = json.loads((folder.parents[1] / "videos" / f"{folder.name}.truth.json").read_text())
    series = batch_to_series(read_store(folder / "keypoints.jsonl.gz"), int(truth["height"]), float(truth["fps"]),
                             name=folder.name)
    cfg = dataclasses.replace(load_profile("balanced").preprocessing,
                              event_refiner="none" if model is None else "learned")
    try:
        result = analyze_series(series, cfg, truth_events=truth_to_events(truth), timing_model=model)
    except InsufficientDataError:
        return 0.0
    return float(result.evaluation["overall"]["f1"])


def _spread(f1: np.ndarray) -> str:
    return f"median {np.median(f1):.3f}, worst {f1.min():.3f}, >= 0.95 on {np.mean(f1 >= 0.95):.0%}"


def cross_validate(data: dict, k: int, seed: int, hyper: dict, videos_f1: bool) -> None:
    """Grouped K-fold by video: scores before (no shift) and after (predicted shift), per event type;
    with ``videos_f1`` also each held-out video's event F1 without and with its fold's model."""
    rng = np.random.default_rng(seed)
    videos = rng.permutation(len(data["names"]))
    fold_of = np.empty(len(videos), int)
    fold_of[videos] = np.arange(len(videos)) % k
    pred = np.zeros_like(data["y"])
    f1 = np.zeros((len(videos), 2))
    for f in range(k):
        test = fold_of[data["group"]] == f
        est = fit(data["X"][~test], data["y"][~test], seed, hyper)
        pred[test] = np.clip(est.predict(data["X"][test]), -MAX_SHIFT_S, MAX_SHIFT_S)
        if videos_f1:
            model = export(est, {})
            for v in np.flatnonzero(fold_of == f):
                f1[v] = video_f1(Path(str(data["names"][v])), None), video_f1(Path(str(data["names"][v])), model)
    for label, sel in (("all", slice(None)), ("HS", data["is_hs"]), ("TO", ~data["is_hs"])):
        y, p = data["y"][sel], pred[sel]
        print(f"{label:3s} n={y.size}: before {_score(y, np.zeros_like(y))}; after {_score(y, p)}")
    if videos_f1:
        print(f"video F1 (+-50 ms), held-out folds: before {_spread(f1[:, 0])}; after {_spread(f1[:, 1])}; "
              f"better on {np.mean(f1[:, 1] > f1[:, 0] + 1e-9):.0%}, worse on {np.mean(f1[:, 1] < f1[:, 0] - 1e-9):.0%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the learned event-timing model on sweep runs with truth.")
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--cv", type=int, default=0, help="grouped K-fold CV by video (0: none)")
    parser.add_argument("--f1", action="store_true", help="with --cv: also each held-out video's event F1")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="npz of collected events (read if present, else written)")
    parser.add_argument("--hyper", type=json.loads, default={}, help="JSON overrides of the tree settings")
    parser.add_argument("--write", action="store_true", help="fit on all events and write the model module")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="where --write puts the model module")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)
    if args.cache and args.cache.exists():
        data = dict(np.load(args.cache))
    else:
        data = collect(args.runs)
        if args.cache:
            np.savez_compressed(args.cache, **data)
    hyper = {**HYPER, **args.hyper}
    print(f"{len(data['names'])} videos, {data['y'].size} paired events, {N_FEATURES} features; trees {hyper}")
    if args.cv:
        cross_validate(data, args.cv, args.seed, hyper, args.f1)
    if args.write:
        est = fit(data["X"], data["y"], args.seed, hyper)
        meta = dict(trained_on=[str(r) for r in args.runs], n_videos=int(len(data["names"])),
                    n_events=int(data["y"].size), seed=args.seed, hyper=hyper, pair_s=PAIR_S,
                    sklearn=__import__("sklearn").__version__)
        model = export(est, meta)
        check = model.predict_s(data["X"][:200])
        assert np.allclose(check, est.predict(data["X"][:200]), atol=1e-9), "exported trees disagree with sklearn"
        text = ('"""The learned event-timing model (``core.gait.event_timing``), written by '
                'scripts/train_event_timing.py; do not edit."""\n\n'
                f"MODEL = {json.dumps(model_to_dict(model), indent=1)}\n")
        args.out.write_text(text)
        print(f"wrote {args.out} ({len(text) / 1024:.0f} KiB, {model.roots.size} trees)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
