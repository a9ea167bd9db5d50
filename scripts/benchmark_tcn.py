"""TCN benchmark on synthetic walks (truth landmarks + noise, no video, no MediaPipe); see docs/tcn.md.

    python scripts/benchmark_tcn.py [--per-style 8] [--fps 60] [--profile balanced] [--device auto]
    python scripts/benchmark_tcn.py --amp-compare --device cuda [--per-style 32]

Default mode: (a) grouped cross-validation of the ``events`` task (F1 at +-2 frames, MAE) and of
the ``classification`` task (4 styles: accuracy, macro F1), with training throughput; (b) the
events ensemble trained on synthetic walks against the kinematic detector on the annotated real
trial ``overground_pd_150hz.trc`` (skipped when ``--data`` is absent).
``--amp-compare``: fp32 against mixed precision training throughput (windows/s) on ``--device``,
from features cached as ``.npz`` in ``--cache`` (built once from the synthetic walker).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from core.config import TrainingConfig, load_profile  # noqa: E402
from core.constants import LANDMARK_INDEX, NUM_LANDMARKS, TCN_EVENT_CHANNELS  # noqa: E402
from core.io.feature_cache import feature_cache_path, load_feature_cache, save_feature_cache  # noqa: E402
from core.tcn.features import FEATURE_VERSION, build_features  # noqa: E402
from core.tcn.samples import Sample  # noqa: E402
from core.types import GaitEvent, KeypointSeries  # noqa: E402

STYLES = ("normal", "hemiparetic", "shuffling", "antalgic")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def truth_walk(params: object, noise_m: float) -> tuple[KeypointSeries, list[GaitEvent]]:
    """The synthetic walker's true landmarks (metres, +X forward; X flipped for right-to-left) plus noise."""
    from core.synthetic.gait_model import simulate_gait

    truth = simulate_gait(params)
    positions = np.full((truth.time_s.size, NUM_LANDMARKS, 3), np.nan)
    sign = -1.0 if params.direction == "right_to_left" else 1.0
    for name, xy in truth.points_m.items():
        if name in LANDMARK_INDEX:
            positions[:, LANDMARK_INDEX[name]] = np.stack([sign * xy[:, 0], xy[:, 1], np.zeros(len(xy))], axis=1)
    positions[:, :, :2] += np.random.default_rng(params.seed + 7919).normal(0.0, noise_m, positions[:, :, :2].shape)
    conf = np.ones(positions.shape[:2])
    return KeypointSeries(positions, truth.time_s, conf, units="m", is_2d=True), list(truth.events)


def _walk_params(style: str, i: int, fps: float, duration_s: float) -> object:
    from core.synthetic.params import GaitParams

    rng = np.random.default_rng(1000 * STYLES.index(style) + i)
    base = GaitParams(style=style).cadence
    return GaitParams(
        style=style, fps=fps, duration_s=duration_s, seed=1000 * STYLES.index(style) + i,
        direction=("left_to_right", "right_to_left")[i % 2], affected_side=("right", "left")[(i // 2) % 2],
        cadence_steps_per_min=float(base * rng.uniform(0.85, 1.15)), subject_height_m=float(rng.uniform(1.5, 1.95)),
        variability=0.03,
    )


def _cached_sample(params: object, noise_m: float, cache: Path) -> Sample:
    key = f"{params!r}|noise={noise_m}"
    path = feature_cache_path(cache / f"walk_{params.style}_{params.seed}", key, FEATURE_VERSION)
    data = load_feature_cache(path, key, FEATURE_VERSION)
    if data is None:
        series, events = truth_walk(params, noise_m)
        data = {
            "features": build_features(series),
            "event_frame": np.array([e.frame for e in events]),
            "event_channel": np.array([TCN_EVENT_CHANNELS.index((e.side, e.event)) for e in events]),
            "event_time_s": np.array([e.time_s for e in events]),
        }
        extra = {k: v for k, v in data.items() if k != "features"}
        save_feature_cache(path, data["features"], key, FEATURE_VERSION, extra)
    events = [
        GaitEvent(*TCN_EVENT_CHANNELS[int(c)], int(f), float(t))
        for f, c, t in zip(data["event_frame"], data["event_channel"], data["event_time_s"])
    ]
    name = f"{params.style}_{params.seed}"
    return Sample(name, name, data["features"], params.fps, events, params.style)


def synthetic_samples(per_style: int, fps: float, duration_s: float, noise_m: float, cache: Path) -> list[Sample]:
    params = [_walk_params(style, i, fps, duration_s) for i in range(per_style) for style in STYLES]
    return [_cached_sample(p, noise_m, cache) for p in params]


def _pm(block: dict, spec: str = ".3f") -> str:
    return f"{block['mean']:{spec}} ± {block['sd']:{spec}}"


def cross_validation(samples: list[Sample], cfg: TrainingConfig, out: Path, device: str) -> list[str]:
    from core.tcn.train import train_cross_validated

    ev = train_cross_validated(samples, "events", cfg, out / "events", device=device, progress=False)
    m = ev["metrics"]
    cl = train_cross_validated(samples, "classification", cfg, out / "classification", device=device, progress=False)
    c = cl["metrics"]
    return [
        f"device {ev['device']} ({ev['device_name']}), precision {ev['precision']}, "
        f"torch threads {ev['torch_threads']}, DataLoader workers {ev['dataloader_workers']}",
        "| task | folds | videos | metric | value (mean ± sd over folds) | batch | windows/s | time s |",
        "|---|---|---|---|---|---|---|---|",
        f"| events | {ev['n_folds']} | {ev['n_videos']} | F1 ±2 frames | {_pm(m['f1'])} | {ev['batch_size']} | "
        f"{ev['throughput_windows_per_s']['mean']:.0f} | {ev['seconds']:.0f} |",
        f"| events | | | MAE frames | {_pm(m['mae_frames'])} | | | |",
        f"| events | | | MAE ms | {_pm(m['mae_ms'], '.1f')} | | | |",
        f"| classification | {cl['n_folds']} | {cl['n_videos']} | accuracy | {_pm(c['accuracy'])} | "
        f"{cl['batch_size']} | "
        f"{cl['throughput_windows_per_s']['mean']:.0f} | {cl['seconds']:.0f} |",
        f"| classification | | | macro F1 | {_pm(c['macro_f1'])} | | | |",
        f"receptive field {ev['receptive_field_frames']} frames ({ev['receptive_field_s']:.2f} s); "
        f"batch search: {ev['batch_search']['stop_reason']}, {ev['batch_search']['measurements_mb']}",
    ]


def _score_row(name: str, detected: list[GaitEvent], truth: list[GaitEvent], tolerances_s: tuple[float, ...]) -> str:
    from core.gait.evaluation import evaluate_events

    cells = []
    for tol in tolerances_s:
        r = evaluate_events(detected, truth, tol)
        hs, to = r["heel_strike"], r["toe_off"]
        maes = [float("nan") if block["mae_ms"] is None else block["mae_ms"] for block in (hs, to)]
        cells += [f"{r['overall']['f1']:.2f}", f"{maes[0]:.1f}", f"{maes[1]:.1f}"]
    return f"| {name} | " + " | ".join(cells) + " |"


REAL_TRIALS = ("overground_pd_150hz", "overground_stroke_100hz")
SCORED_TRIAL = "overground_pd_150hz"
MODEL_VARIANTS = (  # (folder under --out, row name)
    ("events", "TCN, synthetic walks only"),
    ("events_pseudo", "TCN, synthetic + both real trials pseudo-labelled"),
    ("events_pseudo_heldout", f"TCN, synthetic + pseudo-labelled trials except {SCORED_TRIAL}"),
)


def pseudo_labelled_trials(data: Path, profile: str, rate_hz: float, exclude: tuple[str, ...] = ()) -> list[Sample]:
    """Real TRC trials labelled with the kinematic detector's events (annotations are never read),
    resampled to ``rate_hz``; each trial is its own group."""
    from core.gait.analysis import analyze_series
    from core.io.trc import read_trc
    from core.tcn.samples import at_rate

    out = []
    for name in REAL_TRIALS:
        if name in exclude or not (data / f"{name}.trc").exists():
            continue
        series = read_trc(data / f"{name}.trc")
        events = analyze_series(series, load_profile(profile).preprocessing).events
        out.append(at_rate(Sample(name, name, build_features(series), series.rate_hz, events, None), rate_hz))
    return out


def pseudo_training(samples: list[Sample], cfg: TrainingConfig, out: Path, device: str, data: Path, profile: str,
                    repeat: int) -> list[str]:
    """Events CV on synthetic walks plus pseudo-labelled real trials (each repeated ``repeat`` times, same
    group): once with every trial, once without the scored trial. The fold models form the ensembles."""
    from core.tcn.train import train_cross_validated

    rate_hz = float(np.median([s.rate_hz for s in samples]))
    rows = []
    for folder, exclude in (("events_pseudo", ()), ("events_pseudo_heldout", (SCORED_TRIAL,))):
        real = pseudo_labelled_trials(data, profile, rate_hz, exclude)
        if not real:
            return [f"(pseudo-label training skipped: no trial of {REAL_TRIALS} in {data})"]
        summary = train_cross_validated(samples + real * repeat, "events", cfg, out / folder, device=device,
                                        progress=False, pseudo_labels=True)
        n_events = sum(len(r.events or []) for r in real)
        rows.append(f"{folder}: {len(samples)} synthetic walks + {', '.join(r.name for r in real)} "
                    f"(x{repeat}, {n_events} kinematic events), {summary['seconds']:.0f} s")
    return rows


def real_data(data: Path, out: Path, profile: str, folders: tuple[str, ...]) -> list[str]:
    """The kinematic detector and the TCN variants of ``folders`` (under ``out``, where trained) on the
    annotated real trial."""
    from core.gait.analysis import analyze_series
    from core.io.events_csv import read_events_csv
    from core.io.trc import read_trc
    from core.tcn.infer import load_models, predict_events

    trc = data / f"{SCORED_TRIAL}.trc"
    if not trc.exists():
        return [f"(real data skipped: {trc} not found)"]
    series = read_trc(trc)
    truth = read_events_csv(data / f"{SCORED_TRIAL}.events.csv", series.n_frames, series.rate_hz)
    kinematic = analyze_series(series, load_profile(profile).preprocessing).events
    tols = (2 / series.rate_hz, 0.05)
    rows = [
        f"real trial {trc.name}: {series.n_frames} frames at {series.rate_hz:.0f} Hz, {len(truth)} annotated events; "
        "TCN = ensemble of the fold models (input resampled to their rate)",
        f"| detector | F1 ±2 fr ({2000 / series.rate_hz:.0f} ms) | HS MAE ms | TO MAE ms | F1 ±50 ms | HS MAE ms | TO MAE ms |",
        "|---|---|---|---|---|---|---|",
        _score_row("kinematic (analyze_series)", kinematic, truth, tols),
    ]
    feats = build_features(series)
    for folder, name in MODEL_VARIANTS:
        if folder in folders and (out / folder / "model_fold_0.pt").exists():
            models = load_models(out / folder)
            tcn = predict_events(models, feats, series.rate_hz, time_offset_s=float(series.time_s[0]))
            rows.append(_score_row(f"{name} ({len(models)} models, {models[0].rate_hz:.0f} Hz)", tcn, truth, tols))
    return rows


def _compute_only(module: object, precision: object, batch: int, window: int, n_features: int, steps: int) -> float:
    """Median windows/s of 3 timed runs of ``steps`` training steps on one fixed random batch."""
    import torch

    from core.tcn.engine import task_loss

    opt = torch.optim.AdamW(module.parameters(), lr=1e-3)
    scaler = precision.scaler()
    x = torch.randn(batch, window, n_features, device=precision.device)
    y = torch.rand(batch, window, 4, device=precision.device)
    mask = torch.ones(batch, window, dtype=torch.bool, device=precision.device)

    def run(n: int) -> float:
        if precision.device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(n):
            opt.zero_grad(set_to_none=True)
            with precision.autocast():
                loss = task_loss("events", module(x), y, mask)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        if precision.device.type == "cuda":
            torch.cuda.synchronize()
        return batch * n / (time.perf_counter() - start)

    run(3)  # warm-up (kernel selection, allocator)
    return float(np.median([run(steps) for _ in range(3)]))


def amp_compare(samples: list[Sample], cfg: TrainingConfig, device: str, epochs: int, batch: int) -> list[str]:
    import torch

    from core.tcn.engine import Precision, resolve_device, train_epoch
    from core.tcn.features import standard_layout
    from core.tcn.fold import RunContext, make_dataset, make_loader, model_config, normalisation
    from core.tcn.model import TCN
    from core.tcn.resources import dataloader_workers
    from core.tcn.windows import Augment

    dev = resolve_device(device)
    modes = ["fp32", "bf16-mixed"] + (["fp16-mixed"] if dev.type == "cuda" else [])
    if dev.type == "cuda" and not torch.cuda.is_bf16_supported():
        modes.remove("bf16-mixed")
    mean, std = normalisation(samples)
    rows = [f"device {dev} ({torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'}), batch {batch}, "
            f"window {cfg.window_frames}, channels {cfg.channels}, blocks {cfg.n_blocks}, {len(samples)} videos",
            "| precision | end-to-end windows/s (loader + augmentation) | compute-only windows/s |", "|---|---|---|"]
    for mode in modes:
        prec = Precision(dev, mode)
        torch.manual_seed(0)
        ctx = RunContext("events", cfg, prec, batch, 0, (), standard_layout(), Augment(), False, False)
        dataset = make_dataset(ctx, samples, mean, std, True, 0)
        ctx = dataclasses.replace(ctx, workers=dataloader_workers(dev.type, len(dataset)))
        loader = make_loader(ctx, dataset, True, 0)
        module = TCN(model_config(ctx, samples[0].features.shape[1])).to(dev)
        opt = torch.optim.AdamW(module.parameters(), lr=cfg.learning_rate)
        scaler = prec.scaler()
        rates = []
        for _ in range(epochs):
            _, seen, secs = train_epoch(module, loader, "events", opt, prec, scaler)
            rates.append(seen / secs)
        compute = _compute_only(module, prec, batch, cfg.window_frames, samples[0].features.shape[1], 20)
        per_epoch = " ".join(f"{r:.0f}" for r in rates)
        rows.append(f"| {mode} | {np.median(rates[1:] or rates):.0f} (epochs: {per_epoch}) | {compute:.0f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-style", type=int, default=8, help="synthetic walks per style (4 styles)")
    p.add_argument("--fps", type=float, default=60.0)
    p.add_argument("--duration", type=float, default=10.0, help="seconds per walk")
    p.add_argument("--noise-m", type=float, default=0.005, help="landmark noise SD in metres (~2 px in a 640 px video)")
    p.add_argument("--profile", default="balanced")
    p.add_argument("--epochs", type=int, default=0, help="0: the profile's")
    p.add_argument("--folds", type=int, default=4)
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--out", type=Path, default=Path("/tmp/tcn_benchmark"))
    p.add_argument("--cache", type=Path, default=None, help="feature cache folder (default: <out>/features)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--real-only", action="store_true", help="only (b), with the models already in <out>")
    p.add_argument("--pseudo", action="store_true",
                   help="(b) also with TCNs trained on synthetic walks + real trials pseudo-labelled by the kinematic detector")
    p.add_argument("--pseudo-repeat", type=int, default=8, help="times each pseudo-labelled trial enters training")
    p.add_argument("--amp-compare", action="store_true")
    p.add_argument("--amp-epochs", type=int, default=3)
    p.add_argument("--amp-batch", type=int, default=256)
    args = p.parse_args(argv)
    cfg = load_profile(args.profile).training
    cfg = dataclasses.replace(cfg, folds=args.folds, epochs=args.epochs or cfg.epochs)
    start = time.perf_counter()
    cache = args.cache or args.out / "features"
    samples = synthetic_samples(args.per_style, args.fps, args.duration, args.noise_m, cache)
    print(f"{len(samples)} synthetic walks ({args.fps:g} fps, {args.duration:g} s, noise {args.noise_m} m) "
          f"ready in {time.perf_counter() - start:.1f} s; profile {args.profile}: {cfg}")
    if args.amp_compare:
        print("\n".join(amp_compare(samples, cfg, args.device, args.amp_epochs, args.amp_batch)))
        return 0
    if not args.real_only:
        print("\n".join(cross_validation(samples, cfg, args.out, args.device)))
        if args.pseudo:
            print("\n".join(pseudo_training(samples, cfg, args.out, args.device, args.data, args.profile,
                                            args.pseudo_repeat)))
    shown = tuple(f for f, _ in MODEL_VARIANTS) if args.pseudo or args.real_only else ("events",)
    print("\n".join(real_data(args.data, args.out, args.profile, shown)))
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
