"""Randomised gait benchmark: new synthetic phone-look videos each run, scored against their truth.

    python scripts/benchmark_gait_sweep.py --n 40 [--seed S] [--look phone|clean] [--work /tmp/gait_sweep]
                                           [--seconds 6,20] [--heights 480,540,720,1080] [--profile balanced]

Each video draws: frame height (16:9) from --heights, duration from --seconds, static or tracking
camera, walker distance (figure 35..75 % of the frame height), every style (normal and
pathological), 70..130 steps/min, both directions, subject 1.50..1.95 m, stride variability
0..3 %, affected side; --look phone adds motion blur, H.264 at a phone bitrate, grass/asphalt,
footwear, an occluder, shake and the light from either side. Without --seed the master seed is new each run (it is printed:
pass it back to rerun or resume the same videos).

Per video: render (two processes), run ``GaitAnalysisPipeline`` (balanced profile, the pipeline's
own pose workers, no plots, the subject's height), score its outputs against the truth: event F1
at +-50 ms, HS/TO MAE (ms), cadence error %, step-time symmetry index (symmetric styles), joint
angle RMSE and peak error per joint (mean cycle vs the truth's mean cycle, on normal gait), the
confidence grade when ``gait_parameters.json`` has one, and the lag (frames, + late) of
MediaPipe's heel and toe heights against the truth's around each true heel strike. Results go to
WORK/<seed>/results.jsonl as they come, so an interrupted run resumes; the summary is printed at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402

TOLERANCE_S = 0.05
SYMMETRIC = ("normal", "shuffling")
JOINTS = ("hip", "knee", "ankle")
TRUTH_JOINT = {"hip": "hip_flexion", "knee": "knee_flexion", "ankle": "ankle_dorsiflexion"}
TARGETS = "F1 >= 0.95 on 90 % of videos; cadence within 2 % on all; symmetry index < 3 % on symmetric walks; " \
          "angle RMSE <= 4 deg per joint on normal gait"
LAG_WINDOW_FR, MAX_LAG_FR = 8, 6


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=40, help="number of videos (default 40)")
    p.add_argument("--seed", type=int, default=None, help="master seed (default: new each run)")
    p.add_argument("--look", choices=("phone", "clean"), default="phone")
    p.add_argument("--work", type=Path, default=Path("/tmp/gait_sweep"))
    p.add_argument("--seconds", default="6,20", help="duration range in s (default 6,20)")
    p.add_argument("--heights", default="480,540,720,1080", help="frame heights to draw from (16:9 frames)")
    p.add_argument("--styles", default="", help="comma-separated styles to draw from (default: every style)")
    p.add_argument("--profile", default="balanced")
    p.add_argument("--render-workers", type=int, default=2)
    p.add_argument("--ablate", type=int, default=None, metavar="I",
                   help="video I of --seed rendered clean, with each phone effect alone, and with all of them")
    p.add_argument("--report", action="store_true",
                   help="only print the table and summary of the videos of --seed analysed so far "
                        "(rescored from their outputs with this script's scoring)")
    return p.parse_args(argv)


def draw_params(master: int, index: int, look: str, seconds: tuple[float, float], heights: list[int],  # noqa: ANN201
                styles: tuple[str, ...] = ()):
    """GaitParams of video ``index`` of the sweep ``master`` (deterministic; ``styles`` () = every style)."""
    from core.synthetic import STYLES, GaitParams, with_look

    rng = np.random.default_rng([master, index])
    height = int(rng.choice(heights))
    width = int(round(height * 16 / 9 / 2)) * 2
    camera = str(rng.choice(("static", "tracking")))
    duration = float(rng.uniform(*seconds))
    subject = float(rng.uniform(1.50, 1.95))
    style = str(rng.choice(styles or tuple(STYLES)))
    cadence = float(rng.uniform(70.0, 130.0))
    step = min(STYLES[style].step_length_per_height * subject * float(rng.uniform(0.85, 1.15)), 0.49 * subject)
    params = GaitParams(
        cadence_steps_per_min=cadence, step_length_m=step, subject_height_m=subject,
        direction=str(rng.choice(("left_to_right", "right_to_left"))), style=style, width_px=width, height_px=height,
        duration_s=duration, seed=int(rng.integers(2**31 - 1)), noise=float(rng.uniform(1.0, 4.0)),
        variability=float(rng.uniform(0.0, 0.03)), affected_side=str(rng.choice(("left", "right"))), camera=camera,
        figure_height_frac=float(rng.uniform(0.35, 0.75)))
    return with_look(params, look)


def video_name(index: int, params) -> str:  # noqa: ANN001
    d = "lr" if params.direction == "left_to_right" else "rl"
    return (f"v{index:02d}_{params.style}_{params.cadence_steps_per_min:.0f}_{d}_{params.camera}_"
            f"{params.height_px}p_{params.duration_s:.0f}s")


def render_one(job: tuple[Path, object]) -> str:
    from core.synthetic import generate_walking_video, truth_path

    path, params = job
    if not (path.is_file() and truth_path(path).is_file()):
        generate_walking_video(path, params)
    return path.name


def analyse_one(video: Path, out_dir: Path, profile: str, subject_height_m: float) -> None:
    from usecases.gait_analysis.config import create_default_config
    from usecases.gait_analysis.pipeline import GaitAnalysisPipeline

    cfg = create_default_config(profile, output_dir=out_dir, plots=False, subject_height_m=subject_height_m,
                                quiet=True, progress=False)
    GaitAnalysisPipeline(cfg).run_complete_pipeline([video])


def truth_cycles(truth: dict, side: str, joint: str) -> np.ndarray:
    from core.gait.kinematics import normalise_cycles

    fps = float(truth["fps"])
    hs = [e["time_s"] * fps for e in truth["events"] if e["side"] == side and e["event"] == "heel_strike"]
    return normalise_cycles(np.asarray(truth["joint_angles_deg"][f"{side}_{TRUTH_JOINT[joint]}"]), np.asarray(hs))


def measured_cycles(path: Path) -> dict[tuple[str, str], np.ndarray]:
    rows: dict[tuple[str, str, int], list[float]] = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault((r["side"], r["joint"], int(r["cycle"])), []).append(float(r["angle_deg"]))
    out: dict[tuple[str, str], list[list[float]]] = {}
    for (side, joint, _), values in sorted(rows.items()):
        out.setdefault((side, joint), []).append(values)
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def angle_scores(truth: dict, cycles_csv: Path) -> dict:
    """Per joint: RMSE of the mean cycles and the signed peak error (deg), near and far leg and their mean."""
    if not cycles_csv.is_file():
        return {}
    measured = measured_cycles(cycles_csv)
    out = {}
    for joint in JOINTS:
        rmse, peak = [], []
        for side in ("left", "right"):
            m, t = measured.get((side, joint)), truth_cycles(truth, side, joint)
            if m is None or len(m) == 0 or len(t) == 0:
                continue
            mm, tm = np.nanmean(m, axis=0), t.mean(axis=0)
            which = "near" if side == truth["near_side"] else "far"
            d_max, d_min = float(np.nanmax(mm) - tm.max()), float(np.nanmin(mm) - tm.min())
            rmse.append(float(np.sqrt(np.nanmean((mm - tm) ** 2))))
            peak.append(d_max if abs(d_max) >= abs(d_min) else d_min)
            out[f"{joint}_rmse_{which}_deg"], out[f"{joint}_peak_err_{which}_deg"] = rmse[-1], peak[-1]
        if rmse:
            out[f"{joint}_rmse_deg"] = float(np.mean(rmse))
            out[f"{joint}_peak_err_deg"] = max(peak, key=abs)
    return out


def _lag_fr(measured: np.ndarray, true: np.ndarray, frame: int) -> float | None:
    """Shift (frames, + = measured late) that best lines up ``measured`` with ``true`` around ``frame``."""
    t = np.arange(frame - LAG_WINDOW_FR, frame + LAG_WINDOW_FR + 1)
    if t[0] - MAX_LAG_FR < 0 or t[-1] + MAX_LAG_FR >= min(len(measured), len(true)) or np.isnan(true[t]).any():
        return None
    costs = []
    for lag in range(-MAX_LAG_FR, MAX_LAG_FR + 1):
        diff = measured[t + lag] - true[t]
        costs.append(np.nan if np.isnan(diff).any() else float(np.var(diff)))
    costs = np.array(costs)
    if np.isnan(costs).all():
        return None
    k = int(np.nanargmin(costs))
    if 0 < k < len(costs) - 1 and np.isfinite(costs[k - 1: k + 2]).all():
        a, b, c = costs[k - 1: k + 2]
        k += 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) > 0 else 0.0
    return float(k - MAX_LAG_FR)


def landmark_lags(truth: dict, store: Path) -> dict:
    """Median lag (frames) of MediaPipe's heel and toe heights behind the truth's around true heel strikes."""
    from core.constants import LEG_LANDMARKS
    from core.io.keypoint_store import read_store
    from core.series import batch_to_series
    from core.synthetic import truth_to_series

    if not store.is_file():
        return {}
    series = batch_to_series(read_store(store), int(truth["height"]), float(truth["fps"]))
    first = int(round(series.time_s[0] * float(truth["fps"])))
    true_pos = truth_to_series(truth).positions
    measured = np.full_like(true_pos, np.nan)
    n = min(series.positions.shape[0], true_pos.shape[0] - first)
    measured[first: first + n] = series.positions[:n]
    out = {}
    for part in ("heel", "toe"):
        for which in ("near", "far"):
            lags = []
            for e in truth["events"]:
                if e["event"] != "heel_strike" or (e["side"] == truth["near_side"]) != (which == "near"):
                    continue
                j = LEG_LANDMARKS[e["side"]][part]
                lag = _lag_fr(measured[:, j, 1], true_pos[:, j, 1], int(e["frame"]))
                if lag is not None:
                    lags.append(lag)
            out[f"{part}_lag_{which}_fr"] = float(np.median(lags)) if lags else float("nan")
    return out


def score(name: str, video_dir: Path, out_dir: Path) -> dict:
    from core.gait.evaluation import evaluate_events
    from core.io.events_csv import read_events_csv
    from core.synthetic import truth_to_events

    truth = json.loads((video_dir / f"{name}.truth.json").read_text())
    folder = out_dir / name
    row = {"name": name, "style": truth["style"], "camera": truth["camera_mode"], "height_px": truth["height"],
           "walker_px": truth["subject_height_m"] * truth["px_per_m"],
           "seconds": truth["n_frames"] / truth["fps"], "truth_cadence": truth["cadence_steps_per_min"]}
    if not (folder / "gait_parameters.json").is_file():
        return {**row, "failed": True, "f1": 0.0}
    par = json.loads((folder / "gait_parameters.json").read_text())
    detected = read_events_csv(folder / "events.csv", rate_hz=float(truth["fps"]))
    ev = evaluate_events(detected, truth_to_events(truth), tolerance_s=TOLERANCE_S)
    cadence = par.get("cadence_steps_per_min")
    sym = (par.get("symmetry") or {}).get("step_time_s") or {}
    confidence = par.get("confidence")
    row.update({
        "failed": False, "f1": ev["overall"]["f1"], "hs_mae_ms": ev["heel_strike"]["mae_ms"],
        "to_mae_ms": ev["toe_off"]["mae_ms"],
        "cadence_err_pct": None if cadence is None else 100.0 * (cadence / truth["cadence_steps_per_min"] - 1.0),
        "step_si_pct": sym.get("si_pct") if truth["style"] in SYMMETRIC else None,
        "confidence": confidence.get("grade") if isinstance(confidence, dict) else confidence,
    })
    row.update(angle_scores(truth, folder / "angles_cycles.csv"))
    row.update(landmark_lags(truth, folder / "keypoints.jsonl.gz"))
    return row


def _f(v: object, spec: str) -> str:
    return "-" if v is None or not np.isfinite(float(v)) else format(float(v), spec)


def print_rows(rows: list[dict]) -> None:
    print("| video | walker px | F1 | HS MAE ms | TO MAE ms | cadence err % | step SI % | confidence | "
          "RMSE hip/knee/ankle deg | peak err hip/knee/ankle deg | heel lag near/far fr | toe lag near/far fr |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.get("failed"):
            print(f"| {r['name']} | {_f(r.get('walker_px'), '.0f')} | failed | | | | | | | | | |")
            continue
        rmse = "/".join(_f(r.get(f"{j}_rmse_deg"), ".1f") for j in JOINTS)
        peak = "/".join(_f(r.get(f"{j}_peak_err_deg"), "+.1f") for j in JOINTS)
        heel = "/".join(_f(r.get(f"heel_lag_{w}_fr"), "+.1f") for w in ("near", "far"))
        toe = "/".join(_f(r.get(f"toe_lag_{w}_fr"), "+.1f") for w in ("near", "far"))
        print(f"| {r['name']} | {_f(r.get('walker_px'), '.0f')} | {r['f1']:.3f} | {_f(r['hs_mae_ms'], '.0f')} | "
              f"{_f(r['to_mae_ms'], '.0f')} | {_f(r['cadence_err_pct'], '+.2f')} | {_f(r['step_si_pct'], '.1f')} | "
              f"{r.get('confidence') or '-'} | {rmse} | {peak} | {heel} | {toe} |")


def _dist(values: list[float], worst: str = "max") -> str:
    v = np.array([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return "-"
    w = v.min() if worst == "min" else v[np.argmax(np.abs(v))]
    return f"median {np.median(v):.3g}, worst {w:.3g} (n={v.size})"


def print_summary(rows: list[dict]) -> None:
    n = len(rows)
    f1 = [r["f1"] for r in rows]
    cad = [abs(r["cadence_err_pct"]) if r.get("cadence_err_pct") is not None else np.inf for r in rows]
    sym = [r["step_si_pct"] for r in rows if r.get("step_si_pct") is not None]
    normal = [r for r in rows if r["style"] == "normal" and not r.get("failed")]
    print(f"\n{n} videos ({sum(r.get('failed', False) for r in rows)} failed). Targets: {TARGETS}.")
    print(f"- event F1 at +-50 ms: {_dist(f1, 'min')}; share >= 0.95: {np.mean(np.array(f1) >= 0.95):.0%}")
    print(f"- HS MAE ms: {_dist([r.get('hs_mae_ms') for r in rows])}; "
          f"TO MAE ms: {_dist([r.get('to_mae_ms') for r in rows])}")
    print(f"- |cadence error| %: {_dist(cad)}; share within 2 %: {np.mean(np.array(cad) <= 2.0):.0%}")
    if sym:
        print(f"- step-time SI % (symmetric styles): {_dist(sym)}; share < 3 %: {np.mean(np.array(sym) < 3.0):.0%}")
    for j in JOINTS:
        for which in ("", "_near", "_far"):
            rm = [r.get(f"{j}_rmse{which}_deg") for r in normal]
            pk = [r.get(f"{j}_peak_err{which}_deg") for r in normal]
            ok = [x for x in rm if x is not None]
            share = f"{np.mean(np.array(ok) <= 4.0):.0%}" if ok else "-"
            leg = {"": "mean of both legs", "_near": "near leg", "_far": "far leg"}[which]
            print(f"- {j} angle on normal gait, {leg}: RMSE {_dist(rm)}, share <= 4 deg: {share}; "
                  f"peak error {_dist(pk)}")
    for part in ("heel", "toe"):
        for w in ("near", "far"):
            print(f"- {part} height lag behind truth at heel strike, {w} side (frames, + late): "
                  f"{_dist([r.get(f'{part}_lag_{w}_fr') for r in rows])}")
    off = [r for r in rows if r.get("failed") or abs(r.get("cadence_err_pct") or np.inf) > 5.0]
    graded = [r for r in off if str(r.get("confidence") or "").lower() == "low"]
    print(f"- videos with cadence > 5 % off (or failed): {len(off)}; graded low confidence: {len(graded)}"
          + ("" if any("confidence" in r and r["confidence"] is not None for r in rows)
             else " (gait_parameters.json has no confidence grade)"))


ABLATIONS = {"clean": (), "blur": ("shutter_s",), "h264": ("bitrate_mbps",), "floor_footwear": ("ground", "footwear"),
             "occluder": ("occluder",), "shake": ("shake_px",), "noise": ("noise",), "phone": None}


def ablate(master: int, index: int, work: Path, seconds: tuple[float, float], heights: list[int],
           styles: tuple[str, ...], profile: str) -> None:
    """Which phone effect costs what: video ``index`` clean, with each effect alone, and with all."""
    import dataclasses

    clean = draw_params(master, index, "clean", seconds, heights, styles)
    phone = draw_params(master, index, "phone", seconds, heights, styles)
    folder = work / f"ablate_{master}_{index}"
    video_dir, out_dir = folder / "videos", folder / "out"
    video_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, fields in ABLATIONS.items():
        params = phone if fields is None else dataclasses.replace(clean, **{f: getattr(phone, f) for f in fields})
        path = video_dir / f"{name}.mp4"
        render_one((path, params))
        if not (out_dir / name / "gait_parameters.json").is_file():
            analyse_one(path, out_dir, profile, params.subject_height_m)
        rows.append(score(name, video_dir, out_dir))
    print(f"video {index} of seed {master}: {video_name(index, phone)}")
    print_rows(rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    master = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % 2**31)
    seconds = tuple(float(x) for x in args.seconds.split(","))
    heights = [int(x) for x in args.heights.split(",")]
    styles = tuple(x for x in args.styles.split(",") if x)
    if (args.report or args.ablate is not None) and args.seed is None:
        print("error: --report and --ablate need --seed", file=sys.stderr)
        return 2
    if args.ablate is not None:
        ablate(args.seed, args.ablate, args.work, seconds, heights, styles, args.profile)
        return 0
    print(f"master seed {master} (rerun or resume with --seed {master}); look {args.look}", flush=True)
    work = args.work / f"{args.look}_{master}{'_' + '_'.join(styles) if styles else ''}"
    video_dir, out_dir, results = work / "videos", work / "out", work / "results.jsonl"
    video_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i in range(args.n):
        params = draw_params(master, i, args.look, seconds, heights, styles)
        jobs.append((video_dir / f"{video_name(i, params)}.mp4", params))
    done = {}
    if results.is_file():
        for line in results.read_text().splitlines():
            row = json.loads(line)
            done[row["name"]] = row
    todo = [] if args.report else [j for j in jobs if j[0].stem not in done]
    with ProcessPoolExecutor(max(1, args.render_workers)) as pool:
        for (path, params), _ in zip(todo, pool.map(render_one, todo)):
            analyse_one(path, out_dir, args.profile, params.subject_height_m)
            row = score(path.stem, video_dir, out_dir)
            done[row["name"]] = row
            with open(results, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"{len(done)}/{args.n} {row['name']}: F1 {row['f1']:.3f}, cadence err "
                  f"{_f(row.get('cadence_err_pct'), '+.2f')} %", flush=True)
    rows = [done[p.stem] for p, _ in jobs if p.stem in done]
    if args.report:
        rows = [score(r["name"], video_dir, out_dir) for r in rows]
    print_rows(rows)
    print_summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
