"""Accuracy benchmark of gait event detection; prints Markdown tables (see docs/gait_accuracy.md).

    python scripts/benchmark_gait_accuracy.py [--data ../shared/data] [--profile balanced] [--seeds 3]

(a) real motion-capture trials in ``--data`` (skipped when absent): the annotated PD trial (F1 at
    +-50 ms, HS/TO MAE and bias, cadence against the annotations' cadence) and the stroke trial
    (plausibility: event counts, cadence, left/right alternation, rejections);
(b) the PD trial turned into side-view "video" (2-D pixels, 450 px/m, resampled to 30 and 60 fps,
    1.5 px Gaussian noise), walking right and left, overground and as treadmill (pelvis held still);
(c) the synthetic walker of ``core.synthetic`` (when available): truth landmarks in pixels plus
    Gaussian noise, several cadences and both directions: event MAE in frames, cadence error;
(e) the whole analysis (``analyze_series``) on the PD trial in other forms a user may bring: turned
    to other headings, a walk there and back, treadmill, 2-D, lower rates, non-uniform timestamps,
    missing toes / heels / both / shoulders / one leg: F1, MAE, cadence, step lengths and speed;
(f) the synthetic walker seen only at its ankles (COCO-17-like keypoints): toe off from the
    ankle's Zeni minimum (``zeni``) against the shank rotation (``auto``);
(g) treadmill versions of the shared trials (a constant belt velocity added, 0.9-1.3 x the walking
    speed; above 1 the walker drifts backwards), 3-D, 2-D and right leg only: F1, MAE, cadence,
    speed and the confidence grade.
Cadence everywhere is 120 / mean stride time over all same-side, same-type event intervals.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import itertools  # noqa: E402

import numpy as np  # noqa: E402

from core.config import PreprocessConfig, load_profile  # noqa: E402
from core.gait.analysis import GaitResult, analyze_series  # noqa: E402
from core.gait.direction import pelvis_position, progression_direction  # noqa: E402
from core.gait.evaluation import cadence_spm, evaluate_events  # noqa: E402
from core.gait.events import EventDetection, detect_events  # noqa: E402
from core.gait.ground import on_belt  # noqa: E402
from core.gait.preprocessing import preprocess  # noqa: E402
from core.io.events_csv import read_events_csv  # noqa: E402
from core.io.trc import read_trc  # noqa: E402
from core.constants import LEG_LANDMARKS  # noqa: E402
from core.types import GaitEvent, KeypointSeries  # noqa: E402

METHODS = ("zeni", "velocity", "auto")
TOLERANCE_S = 0.05
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def detect_all(series: KeypointSeries, cfg: PreprocessConfig) -> dict[str, EventDetection]:
    """Preprocess once, then detect with every method."""
    pre = preprocess(series, cfg)
    forward = progression_direction(pre.series.positions)
    return {m: detect_events(pre.series, forward, m, pre.bouts) for m in METHODS}


def _in_span(events: list[GaitEvent], truth: list[GaitEvent]) -> list[GaitEvent]:
    lo, hi = truth[0].time_s - TOLERANCE_S, truth[-1].time_s + TOLERANCE_S
    return [e for e in events if lo <= e.time_s <= hi]


def _f(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None or not np.isfinite(value) else format(value, spec)


def _nanmean(values: np.ndarray) -> float:
    """Mean of the finite values (NaN when there are none: no event of that type was matched)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def pd_table(data: Path, cfg: PreprocessConfig) -> list[str]:
    truth = sorted(read_events_csv(data / "overground_pd_150hz.events.csv"), key=lambda e: e.time_s)
    detections = detect_all(read_trc(data / "overground_pd_150hz.trc"), cfg)
    rows = ["| method | F1 | HS MAE ms | HS bias ms | TO MAE ms | TO bias ms | cadence (truth) spm | rejected |",
            "|---|---|---|---|---|---|---|---|"]
    for method, det in detections.items():
        r = evaluate_events(det.events, truth, TOLERANCE_S)
        hs, to = r["heel_strike"], r["toe_off"]
        rows.append(f"| {method} | {r['overall']['f1']:.2f} | {_f(hs['mae_ms'])} | {_f(hs['bias_ms'], '+.1f')} | "
                    f"{_f(to['mae_ms'])} | {_f(to['bias_ms'], '+.1f')} | {_f(cadence_spm(_in_span(det.events, truth)))} "
                    f"({_f(cadence_spm(truth))}) | {len(det.rejected)} |")
    return rows


def stroke_table(data: Path, cfg: PreprocessConfig) -> list[str]:
    detections = detect_all(read_trc(data / "overground_stroke_100hz.trc"), cfg)
    rows = ["| method | HS (L/R) | TO (L/R) | cadence spm | HS alternate L/R | rejected |", "|---|---|---|---|---|---|"]
    for method, det in detections.items():
        count = {(s, k): sum(e.side == s and e.event == k for e in det.events)
                 for s in ("left", "right") for k in ("heel_strike", "toe_off")}
        hs = [e.side for e in det.events if e.event == "heel_strike"]
        alternate = all(a != b for a, b in zip(hs[:-1], hs[1:]))
        rows.append(f"| {method} | {count['left', 'heel_strike']}/{count['right', 'heel_strike']} | "
                    f"{count['left', 'toe_off']}/{count['right', 'toe_off']} | {_f(cadence_spm(det.events))} | "
                    f"{'yes' if alternate else 'NO'} | {len(det.rejected)} |")
    return rows


def video_proxy(series: KeypointSeries, fps: float, noise_px: float, mirror: bool, treadmill: bool, seed: int,
                px_per_m: float = 450.0) -> KeypointSeries:
    """A metric trial walking along +X as 2-D side-view pixels (``px_per_m``) at ``fps`` from its first sample
    on, with Gaussian noise (``noise_px``); ``mirror``: walking to the left; ``treadmill``: the pelvis's mean
    travel removed."""
    pos = series.positions.copy()
    if treadmill:
        pelvis_x = np.nanmean(pos[:, [23, 24], 0], axis=1)
        pos[..., 0] -= np.polyval(np.polyfit(series.time_s, pelvis_x, 1), series.time_s)[:, None]
    t = np.arange(series.time_s[0], series.time_s[-1], 1.0 / fps)
    flat = pos.reshape(len(pos), -1)
    px = np.stack([np.interp(t, series.time_s, col) for col in flat.T], axis=1).reshape(len(t), 33, 3) * px_per_m
    px[..., 0] = 2500.0 - px[..., 0] if mirror else px[..., 0] + 500.0
    px[..., 1] += 100.0
    px[..., :2] += np.random.default_rng(seed).normal(0.0, noise_px, px[..., :2].shape)
    px[..., 2] = 0.0
    conf = np.isfinite(px[..., 0]).astype(float)
    return KeypointSeries(px, t, conf, units="px", name="proxy", is_2d=True)


def proxy_table(data: Path, cfg: PreprocessConfig, seeds: int) -> list[str]:
    source = read_trc(data / "overground_pd_150hz.trc")
    truth = sorted(read_events_csv(data / "overground_pd_150hz.events.csv"), key=lambda e: e.time_s)
    rows = ["| fps | method | mean F1 | min F1 | HS MAE ms | TO MAE ms | cadence error spm |", "|---|---|---|---|---|---|---|"]
    for fps in (30.0, 60.0):
        scores: dict[str, list[tuple[float, float, float, float]]] = {m: [] for m in METHODS}
        for mirror in (False, True):
            for treadmill in (False, True):
                for seed in range(seeds):
                    detections = detect_all(video_proxy(source, fps, 1.5, mirror, treadmill, seed), cfg)
                    for m, det in detections.items():
                        r = evaluate_events(det.events, truth, TOLERANCE_S)
                        cad = cadence_spm(_in_span(det.events, truth))
                        scores[m].append((r["overall"]["f1"], r["heel_strike"]["mae_ms"] or np.nan,
                                          r["toe_off"]["mae_ms"] or np.nan, abs((cad or np.nan) - cadence_spm(truth))))
        for m, values in scores.items():
            v = np.array(values, dtype=float)
            rows.append(f"| {fps:.0f} | {m} | {v[:, 0].mean():.3f} | {v[:, 0].min():.2f} | {_f(_nanmean(v[:, 1]))} | "
                        f"{_f(_nanmean(v[:, 2]))} | {_f(_nanmean(v[:, 3]), '.2f')} |")
    return rows


def _with_noise(series: KeypointSeries, noise_px: float, seed: int) -> KeypointSeries:
    positions = series.positions.copy()
    positions[..., :2] += np.random.default_rng(seed).normal(0.0, noise_px, positions[..., :2].shape)
    return dataclasses.replace(series, positions=positions)


def _synthetic_scores(style: str, cadence: float, fps: float, cfg: PreprocessConfig, seeds: int, noise_px: float) -> dict:
    """Per method: (F1, HS MAE frames, TO MAE frames, cadence error %) per walk, both directions x seeds."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series

    scores: dict[str, list[tuple[float, ...]]] = {m: [] for m in METHODS}
    for direction, seed in itertools.product(("left_to_right", "right_to_left"), range(seeds)):
        params = GaitParams(cadence_steps_per_min=cadence, direction=direction, style=style, fps=fps, duration_s=8.0, seed=seed)
        truth = simulate_walk(params)[2]
        events = truth_to_events(truth)
        for m, det in detect_all(_with_noise(truth_to_series(truth), noise_px, seed), cfg).items():
            r = evaluate_events(det.events, events, TOLERANCE_S)
            mae = [(r[k]["mae_ms"] or np.nan) * fps / 1000.0 for k in ("heel_strike", "toe_off")]
            cad = cadence_spm(det.events) or np.nan
            scores[m].append((r["overall"]["f1"], *mae, 100.0 * abs(cad / cadence_spm(events) - 1.0)))
    return scores


def synthetic_section(cfg: PreprocessConfig, seeds: int, noise_px: float) -> list[str]:
    """Markdown table for ``core.synthetic`` walks (or a line saying it is unavailable)."""
    try:
        import core.synthetic  # noqa: F401, PLC0415
    except ImportError as exc:
        return [f"\n(c) synthetic generator unavailable ({exc})"]
    rows = [f"\n## (c) Synthetic walker (truth landmarks in px + {noise_px} px noise; 2 directions x {seeds} seeds, 8 s)\n",
            "| style | cadence spm | fps | method | mean F1 | HS MAE frames | TO MAE frames | cadence error % |",
            "|---|---|---|---|---|---|---|---|"]
    conditions = [("normal", c, 30.0) for c in (80.0, 100.0, 120.0)] + [("normal", 100.0, 60.0)]
    conditions += [(style, 100.0, 30.0) for style in ("hemiparetic", "shuffling", "antalgic")]
    for style, cadence, fps in conditions:
        for m, values in _synthetic_scores(style, cadence, fps, cfg, seeds, noise_px).items():
            v = np.array(values, dtype=float)
            rows.append(f"| {style} | {cadence:.0f} | {fps:.0f} | {m} | {v[:, 0].mean():.3f} | {_f(_nanmean(v[:, 1]), '.2f')} | "
                        f"{_f(_nanmean(v[:, 2]), '.2f')} | {_f(_nanmean(v[:, 3]), '.2f')} |")
    return rows


def _turned(series: KeypointSeries, deg: float) -> KeypointSeries:
    a = np.radians(deg)
    p = series.positions.copy()
    x, z = p[..., 0].copy(), p[..., 2].copy()
    p[..., 0], p[..., 2] = np.cos(a) * x - np.sin(a) * z, np.sin(a) * x + np.cos(a) * z
    return dataclasses.replace(series, positions=p)


def _treadmill(series: KeypointSeries) -> KeypointSeries:
    p = series.positions.copy()
    pelvis_x = pelvis_position(p)[:, 0]
    p[..., 0] -= np.polyval(np.polyfit(series.time_s, pelvis_x, 1), series.time_s)[:, None]
    return dataclasses.replace(series, positions=p)


def _resampled(series: KeypointSeries, rate_hz: float) -> KeypointSeries:
    t = np.arange(series.time_s[0], series.time_s[-1], 1.0 / rate_hz)
    flat = series.positions.reshape(series.n_frames, -1)
    p = np.stack([np.interp(t, series.time_s, col) for col in flat.T], axis=1).reshape(len(t), -1, 3)
    c = np.stack([np.interp(t, series.time_s, col) for col in series.confidence.T], axis=1)
    return dataclasses.replace(series, positions=p, time_s=t, confidence=c)


def _without(series: KeypointSeries, indices: list[int]) -> KeypointSeries:
    p, c = series.positions.copy(), series.confidence.copy()
    p[:, indices], c[:, indices] = np.nan, 0.0
    return dataclasses.replace(series, positions=p, confidence=c)


def _flat_2d(series: KeypointSeries) -> KeypointSeries:
    p = series.positions.copy()
    p[..., 2] = 0.0
    return dataclasses.replace(series, positions=p, is_2d=True)


def _irregular(series: KeypointSeries, seed: int = 0) -> KeypointSeries:
    keep = np.sort(np.random.default_rng(seed).choice(series.n_frames, int(0.8 * series.n_frames), replace=False))
    return dataclasses.replace(series, positions=series.positions[keep], time_s=series.time_s[keep],
                               confidence=series.confidence[keep])


def _there_and_back(series: KeypointSeries, truth: list[GaitEvent], pause_s: float = 1.0
                    ) -> tuple[KeypointSeries, list[GaitEvent]]:
    """The trial, a pause, then the trial again turned 180 degrees and starting where the first ended."""
    p = series.positions
    rate = series.rate_hz
    pause = np.repeat(p[-1:], int(round(pause_s * rate)), axis=0)
    back = _turned(series, 180.0).positions
    back = back + (pelvis_position(p[-1:])[0] - pelvis_position(back[:1])[0]) * [1.0, 0.0, 1.0]
    pos = np.concatenate([p, pause, back])
    offset = len(p) + len(pause)
    events = truth + [GaitEvent(e.side, e.event, e.frame + offset, e.time_s + offset / rate) for e in truth]
    conf = np.concatenate([series.confidence, np.repeat(series.confidence[-1:], len(pause), 0), series.confidence])
    return dataclasses.replace(series, positions=pos, time_s=np.arange(len(pos)) / rate, confidence=conf), events


def robustness_results(data: Path, cfg: PreprocessConfig) -> dict[str, tuple[GaitResult, list[GaitEvent]]]:
    """(e): the full analysis of the PD trial in each other form (see module docstring), scored,
    with the annotations it was scored against."""
    source = read_trc(data / "overground_pd_150hz.trc")
    truth = sorted(read_events_csv(data / "overground_pd_150hz.events.csv"), key=lambda e: e.time_s)
    left = list(LEG_LANDMARKS["left"].values())
    toes = [LEG_LANDMARKS[s]["toe"] for s in ("left", "right")]
    heels = [LEG_LANDMARKS[s]["heel"] for s in ("left", "right")]
    shoulders = [LEG_LANDMARKS[s]["shoulder"] for s in ("left", "right")]
    forms: dict[str, tuple[KeypointSeries, list[GaitEvent]]] = {
        "as recorded (3-D, 150 Hz)": (source, truth),
        "turned to heading 200 deg": (_turned(source, 200.0), truth),
        "walk there, 1 s pause, walk back": _there_and_back(source, truth),
        "treadmill (pelvis held still)": (_treadmill(source), truth),
        "2-D (Z = 0)": (_flat_2d(source), truth),
        "2-D, walking towards -X": (_flat_2d(_turned(source, 180.0)), truth),
        "100 Hz": (_resampled(source, 100.0), truth),
        "30 Hz": (_resampled(source, 30.0), truth),
        "non-uniform (20 % of frames dropped)": (_irregular(source), truth),
        "no toes (virtual toes)": (_without(source, toes), truth),
        "no heels (virtual heels)": (_without(source, heels), truth),
        "ankle only (no heels, no toes)": (_without(source, heels + toes), truth),
        "no shoulders": (_without(source, shoulders), truth),
        "no left leg (right events only scored)": (_without(source, left), [e for e in truth if e.side == "right"]),
    }
    return {name: (analyze_series(series, cfg, truth_events=events, tolerance_s=TOLERANCE_S), events)
            for name, (series, events) in forms.items()}


def robustness_table(data: Path, cfg: PreprocessConfig) -> list[str]:
    rows = ["| input form | F1 | HS MAE ms | TO MAE ms | TO bias ms (+-150 ms) | cadence spm | step length L / R m | "
            "speed m/s | notes |", "|---|---|---|---|---|---|---|---|---|"]
    for name, (r, truth) in robustness_results(data, cfg).items():
        ev, p = r.evaluation, r.parameters
        wide = evaluate_events(r.events, truth, 0.15)
        step = [p[side]["step_length_m"]["mean"] if p[side]["step_length_m"] else None for side in ("left", "right")]
        notes = sorted({n.split(":")[0] for n in r.notes if not n.startswith("Hampel")})
        rows.append(f"| {name} | {ev['overall']['f1']:.2f} | {_f(ev['heel_strike']['mae_ms'])} | "
                    f"{_f(ev['toe_off']['mae_ms'])} | {_f(wide['toe_off']['bias_ms'], '+.1f')} | "
                    f"{_f(p['cadence_steps_per_min'])} | "
                    f"{_f(step[0], '.3f')} / {_f(step[1], '.3f')} | {_f(p['walking_speed_m_s'], '.3f')} | "
                    f"{'; '.join(notes) or '-'} |")
    return rows


def ankle_only_section(cfg: PreprocessConfig, noise_px: float) -> list[str]:
    """(f): the synthetic walker with heels and toes removed (COCO-17-like keypoints), 1 seed."""
    from core.synthetic import GaitParams, simulate_walk, truth_to_events, truth_to_series

    feet = [LEG_LANDMARKS[s][k] for s in ("left", "right") for k in ("heel", "toe")]
    rows = [f"\n## (f) Synthetic walker, ankles only (no heel, no toe; {noise_px} px noise, left to right, 8 s)\n",
            "| style | cadence spm | method | TO F1 +-50 ms | TO MAE ms | TO bias ms | HS F1 | HS MAE ms |",
            "|---|---|---|---|---|---|---|---|"]
    conditions = [("normal", c) for c in (80.0, 100.0, 120.0)]
    conditions += [(style, 100.0) for style in ("hemiparetic", "shuffling", "antalgic")]
    for style, cadence in conditions:
        truth = simulate_walk(GaitParams(cadence_steps_per_min=cadence, style=style, duration_s=8.0))[2]
        series = _without(_with_noise(truth_to_series(truth), noise_px, 0), feet)
        for m, det in detect_all(series, cfg).items():
            r = evaluate_events(det.events, truth_to_events(truth), TOLERANCE_S)
            hs, to = r["heel_strike"], r["toe_off"]
            rows.append(f"| {style} | {cadence:.0f} | {m} | {to['f1']:.2f} | {_f(to['mae_ms'])} | "
                        f"{_f(to['bias_ms'], '+.1f')} | {hs['f1']:.2f} | {_f(hs['mae_ms'])} |")
    return rows


def treadmill_version(series: KeypointSeries, belt_fraction: float) -> KeypointSeries:
    """The trial seen from a treadmill lab: a constant belt velocity of ``belt_fraction`` times the
    mean walking speed (pelvis displacement / duration), backwards, added to every point."""
    pelvis = pelvis_position(series.positions)
    ok = np.isfinite(pelvis).all(axis=1)
    forward = progression_direction(series.positions)
    speed = float(np.polyfit(series.time_s[ok], pelvis[ok] @ forward, 1)[0])
    return dataclasses.replace(series, positions=on_belt(series.positions, series.time_s, forward,
                                                         -belt_fraction * speed))


def treadmill_table(data: Path, cfg: PreprocessConfig) -> list[str]:
    """(g): full analysis of treadmill versions of the shared trials (belt at 0.9 / 1.0 / 1.1 / 1.3 x the
    walking speed: the walker drifts forward, stays, drifts back)."""
    pd = read_trc(data / "overground_pd_150hz.trc")
    truth = sorted(read_events_csv(data / "overground_pd_150hz.events.csv"), key=lambda e: e.time_s)
    right = [e for e in truth if e.side == "right"]
    only_right = [i for i in range(pd.positions.shape[1]) if i not in LEG_LANDMARKS["left"].values()]
    rows = ["| trial | form | belt x speed | F1 | HS MAE ms | TO MAE ms | cadence spm | HS L/R | speed m/s | "
            "confidence |", "|---|---|---|---|---|---|---|---|---|---|"]
    forms = [("3-D", lambda s: s, truth), ("2-D", _flat_2d, truth),
             ("2-D, right leg only", lambda s: _flat_2d(_without(s, sorted(set(range(33)) - set(only_right)))), right)]
    for (form, make, events), fraction in itertools.product(forms, (0.9, 1.0, 1.1, 1.3)):
        r = analyze_series(make(treadmill_version(pd, fraction)), cfg, truth_events=events, tolerance_s=TOLERANCE_S)
        ev, p = r.evaluation, r.parameters
        rows.append(f"| PD | {form} | {fraction:.1f} | {ev['overall']['f1']:.2f} | {_f(ev['heel_strike']['mae_ms'])} | "
                    f"{_f(ev['toe_off']['mae_ms'])} | {_f(p['cadence_steps_per_min'])} | {_hs_counts(r)} | "
                    f"{_f(p['walking_speed_m_s'], '.3f')} | {r.quality.grade} |")
    stroke = read_trc(data / "overground_stroke_100hz.trc")
    for name, series in (("overground", stroke), ("treadmill 1.0", treadmill_version(stroke, 1.0))):
        r = analyze_series(series, cfg)
        rows.append(f"| stroke (no annotations) | 3-D, {name} | - | - | - | - | "
                    f"{_f(r.parameters['cadence_steps_per_min'])} | {_hs_counts(r)} | "
                    f"{_f(r.parameters['walking_speed_m_s'], '.3f')} | {r.quality.grade} |")
    return rows


def _hs_counts(r: GaitResult) -> str:
    return "/".join(str(sum(e.side == s and e.event == "heel_strike" for e in r.events)) for s in ("left", "right"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the shared real trials")
    parser.add_argument("--profile", default="balanced", help="configuration profile (preprocessing settings)")
    parser.add_argument("--seeds", type=int, default=3, help="noise seeds per synthetic/proxy condition")
    parser.add_argument("--noise-px", type=float, default=1.5, help="Gaussian noise added to synthetic landmarks (px)")
    args = parser.parse_args(argv)
    cfg = load_profile(args.profile).preprocessing
    if (args.data / "overground_pd_150hz.trc").is_file():
        print("## (a) Real motion capture: overground_pd_150hz (6 HS, 7 TO annotated), tolerance 50 ms\n")
        print("\n".join(pd_table(args.data, cfg)))
        print("\n## (a) Real motion capture: overground_stroke_100hz (no annotations): plausibility\n")
        print("\n".join(stroke_table(args.data, cfg)))
        print(f"\n## (b) PD trial as side-view video (2-D px, 1.5 px noise, 2 directions x overground/treadmill x {args.seeds} seeds)\n")
        print("\n".join(proxy_table(args.data, cfg, args.seeds)))
    else:
        print(f"(a, b, e) skipped: {args.data} has no shared real trials")
    print("\n".join(synthetic_section(cfg, args.seeds, args.noise_px)))
    if (args.data / "overground_pd_150hz.trc").is_file():
        print("\n## (e) The PD trial in other input forms (full analysis, annotations moved along)\n")
        print("\n".join(robustness_table(args.data, cfg)))
    print("\n".join(ankle_only_section(cfg, args.noise_px)))
    if (args.data / "overground_pd_150hz.trc").is_file():
        print("\n## (g) Treadmill versions of the shared trials (constant belt velocity added; full analysis)\n")
        print("\n".join(treadmill_table(args.data, cfg)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
