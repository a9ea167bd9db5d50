"""Gait accuracy on synthetic VIDEOS run through MediaPipe; prints a Markdown table (docs/gait_accuracy.md).

    python scripts/benchmark_gait_video.py [--work /tmp/gait_video_bench] [--set default|quick] [--profile balanced]
                                           [--diagnose] [--no-smoothing]

1. generate: the synthetic walker (``core.synthetic.generate_walking_video``) renders each condition
   of the set to ``WORK/videos/<name>.mp4`` with ``<name>.truth.json`` (skipped when present);
2. extract: ``main_gait_analysis.py --videos <videos without a store> --output WORK/out --extract-only -q``
   builds the MediaPipe keypoint stores once;
3. evaluate: ``core.gait.analysis.analyze_series`` on each store (subject height 1.75 m, the
   generator's height), against the truth: F1 at +-50 ms, HS/TO MAE (frames and ms) and bias
   (detected - truth) over matched events, cadence / step length / walking speed errors (%).
Truth cadence, step length and speed are the generator's (``truth.json``); detected ones are the
analysis' whole-recording values (step length: mean of the left and right means). Only step 3
runs again when the analysis changes; delete WORK to re-render and re-extract.
``--no-smoothing`` extracts with MediaPipe's landmark smoothing off (``pose.smooth_landmarks``
false in a copy of the profile file, ``WORK/no_smoothing.json``) into ``WORK/out_no_smoothing``.
``--diagnose`` adds a second table splitting the step length error into its sources: the scale
(metres per pixel from the leg length vs the generator's), the camera's pan as measured from the
scenery (what the analysis uses when the store has it) and as the stance feet read it, against the
camera's, and the step length recomputed with the camera's true pan (detected events).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from core.config import PreprocessConfig, load_profile, read_config_file  # noqa: E402
from core.errors import InsufficientDataError  # noqa: E402
from core.gait.analysis import analyze_series  # noqa: E402
from core.gait.ground import ground_displacement, ground_velocity  # noqa: E402
from core.gait.parameters import spatiotemporal_parameters  # noqa: E402
from core.io.keypoint_store import read_store  # noqa: E402
from core.series import batch_to_series  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE_S = 0.05
SUBJECT_HEIGHT_M = 1.75


@dataclass(frozen=True)
class Condition:
    """One synthetic walk: style, cadence (steps/min), direction, camera mode, frame size, duration, seed."""

    style: str
    cadence_spm: float
    direction: str
    camera: str
    width_px: int = 960
    height_px: int = 540
    duration_s: float = 8.0
    seed: int = 0

    @property
    def name(self) -> str:
        d = "lr" if self.direction == "left_to_right" else "rl"
        return (f"{self.style}_{self.cadence_spm:.0f}_{d}_{self.camera}_{self.width_px}x{self.height_px}_"
                f"{self.duration_s:.0f}s_seed{self.seed}")


def condition_set(which: str) -> list[Condition]:
    """The videos of a set: ``default`` (14 videos) or ``quick`` (2)."""
    dirs = ("left_to_right", "right_to_left")
    if which == "quick":
        return [Condition("normal", 100.0, d, "tracking") for d in dirs]
    out = [Condition("normal", c, d, "tracking") for c in (80.0, 100.0, 120.0) for d in dirs]
    # A static camera must hold the whole walk: 5 s keeps the walker ~250 px tall in 960x540.
    out += [Condition("normal", 100.0, d, "static", duration_s=5.0) for d in dirs]
    out += [Condition(s, 100.0, d, "tracking") for s in ("hemiparetic", "shuffling", "antalgic") for d in dirs]
    return out


def generate(conditions: list[Condition], video_dir: Path) -> None:
    from core.synthetic import GaitParams, generate_walking_video

    video_dir.mkdir(parents=True, exist_ok=True)
    for c in conditions:
        path = video_dir / f"{c.name}.mp4"
        if path.is_file() and (video_dir / f"{c.name}.truth.json").is_file():
            continue
        print(f"generating {path.name}", file=sys.stderr)
        generate_walking_video(path, GaitParams(
            cadence_steps_per_min=c.cadence_spm, direction=c.direction, style=c.style, width_px=c.width_px,
            height_px=c.height_px, duration_s=c.duration_s, seed=c.seed, camera=c.camera))


def extract(conditions: list[Condition], video_dir: Path, out_dir: Path, config: Path | None = None) -> None:
    missing = [c for c in conditions if not (out_dir / c.name / "keypoints.jsonl.gz").is_file()]
    if not missing:
        return
    print(f"extracting {len(missing)} video(s) with MediaPipe", file=sys.stderr)
    videos = [str(video_dir / f"{c.name}.mp4") for c in missing]
    extra = ["--config", str(config)] if config else []
    subprocess.run([sys.executable, str(ROOT / "main_gait_analysis.py"), "--videos", *videos, "--output",
                    str(out_dir), "--extract-only", "-q", *extra], check=True, cwd=ROOT)


def no_smoothing_config(work: Path) -> Path:
    """A copy of the project's profile file with MediaPipe's landmark smoothing off in every profile."""
    data = read_config_file()
    for section in [data.get("defaults", {}), *data["profiles"].values()]:
        if "smooth_landmarks" in section.get("pose", {}):
            section["pose"]["smooth_landmarks"] = False
    path = work / "no_smoothing.json"
    work.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


def _pct(value: float | None, truth: float) -> float:
    return float("nan") if value is None else 100.0 * (value / truth - 1.0)


def _mean_step_m(par: dict) -> float | None:
    """Mean of the left and right mean step lengths (m), None when a side has none."""
    sides = [par[side]["step_length_m"] for side in ("left", "right")]
    return float(np.mean([s["mean"] for s in sides])) if all(s and s["mean"] for s in sides) else None


def true_ground_velocity_px_s(truth: dict, n_frames: int) -> np.ndarray:
    """(n_frames,) the scenery's velocity along the walking direction (px/s) under the truth camera."""
    centre_m = np.asarray(truth["camera_center_x_m"], dtype=float)
    return -np.gradient(centre_m, 1.0 / float(truth["fps"]))[:n_frames] * float(truth["px_per_m"])


def diagnose(res, truth: dict) -> dict:
    """Sources of the step length error of one analysed video (see module docstring), in %."""
    s, fwd = res.series, res.forward
    true_v = true_ground_velocity_px_s(truth, s.n_frames)
    unit = np.array([fwd[0], 0.0, fwd[2]]) / np.linalg.norm([fwd[0], fwd[2]])
    shifted = s.positions - ground_displacement(true_v, s.time_s)[:, None, None] * unit
    par = spatiotemporal_parameters(res.events, shifted, s.time_s, fwd, res.bouts or None, res.m_per_unit,
                                    s.is_2d, s.confidence)
    feet = ground_velocity(s.positions, s.time_s, res.events, fwd)
    scene = np.asarray(s.meta.get("scene_velocity_px_s", np.full(s.n_frames, np.nan))) * unit[0]
    tracking = truth["camera_mode"] != "static"
    feet_err = _pct(float(np.median(feet[feet != 0])), float(np.median(true_v))) if tracking and np.any(feet != 0) \
        else float("nan")
    scene_err = _pct(float(np.nanmedian(scene)), float(np.median(true_v))) if tracking and np.isfinite(scene).any() \
        else float("nan")
    ground = res.parameters["ground"]
    return {"scale_err_pct": 100.0 * (res.m_per_unit * float(truth["px_per_m"]) - 1.0),
            "pan_err_pct": feet_err, "scene_pan_err_pct": scene_err,
            "camera_motion": f"{ground['camera_motion']} ({ground['source']})",
            "step_err_true_pan_pct": _pct(_mean_step_m(par), truth["step_length_m"])}


def evaluate(c: Condition, video_dir: Path, out_dir: Path, cfg: PreprocessConfig, with_diagnosis: bool = False) -> dict:
    """Scores of one video (see module docstring)."""
    from core.synthetic import truth_to_events

    truth = json.loads((video_dir / f"{c.name}.truth.json").read_text())
    batch = read_store(out_dir / c.name / "keypoints.jsonl.gz")
    series = batch_to_series(batch, int(truth["height"]), float(truth["fps"]), name=c.name)
    res = analyze_series(series, cfg, subject_height_m=SUBJECT_HEIGHT_M,
                         truth_events=truth_to_events(truth), tolerance_s=TOLERANCE_S)
    ev, par, fps = res.evaluation, res.parameters, float(truth["fps"])
    hs, to = ev["heel_strike"], ev["toe_off"]
    ms = lambda v: float("nan") if v is None else float(v)  # noqa: E731
    step_m = _mean_step_m(par)
    extra = diagnose(res, truth) if with_diagnosis else {}
    return {**extra,
        "name": c.name, "f1": ev["overall"]["f1"],
        "hs_mae_ms": ms(hs["mae_ms"]), "hs_bias_ms": ms(hs["bias_ms"]),
        "to_mae_ms": ms(to["mae_ms"]), "to_bias_ms": ms(to["bias_ms"]),
        "hs_mae_fr": ms(hs["mae_ms"]) * fps / 1000.0, "to_mae_fr": ms(to["mae_ms"]) * fps / 1000.0,
        "cadence_err_pct": _pct(par["cadence_steps_per_min"], truth["cadence_steps_per_min"]),
        "step_err_pct": _pct(step_m, truth["step_length_m"]),
        "speed_err_pct": _pct(par["walking_speed_m_s"], truth["walking_speed_m_s"]),
        "confidence": res.quality.grade if res.quality else "-",
    }


def _f(v: float, spec: str) -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


def table(rows: list[dict]) -> list[str]:
    out = ["| video | F1 | HS MAE fr (ms) | HS bias ms | TO MAE fr (ms) | TO bias ms | cadence err % | "
           "step length err % | speed err % | confidence |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['name']} | {r['f1']:.3f} | {_f(r['hs_mae_fr'], '.2f')} ({_f(r['hs_mae_ms'], '.0f')}) | "
                   f"{_f(r['hs_bias_ms'], '+.0f')} | {_f(r['to_mae_fr'], '.2f')} ({_f(r['to_mae_ms'], '.0f')}) | "
                   f"{_f(r['to_bias_ms'], '+.0f')} | {_f(r['cadence_err_pct'], '+.2f')} | "
                   f"{_f(r['step_err_pct'], '+.1f')} | {_f(r['speed_err_pct'], '+.1f')} | {r['confidence']} |")
    keys = ("f1", "hs_mae_fr", "hs_mae_ms", "to_mae_fr", "to_mae_ms")
    mean = {k: float(np.nanmean([r[k] for r in rows])) for k in keys}
    pct_keys = ("cadence_err_pct", "step_err_pct", "speed_err_pct")
    worst = {k: float(np.nanmax(np.abs([r[k] for r in rows]))) for k in pct_keys}
    out.append(f"| **mean** (worst abs for %) | {mean['f1']:.3f} | {mean['hs_mae_fr']:.2f} "
               f"({mean['hs_mae_ms']:.0f}) | | "
               f"{mean['to_mae_fr']:.2f} ({mean['to_mae_ms']:.0f}) | | {worst['cadence_err_pct']:.2f} | "
               f"{worst['step_err_pct']:.1f} | {worst['speed_err_pct']:.1f} | |")
    return out


def diagnosis_table(rows: list[dict]) -> list[str]:
    out = ["| video | camera judged (ground from) | scale err % | pan err %: scenery | pan err %: stance feet | "
           "step length err % | step length err % with the true pan |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['name']} | {r['camera_motion']} | {_f(r['scale_err_pct'], '+.1f')} | "
                   f"{_f(r['scene_pan_err_pct'], '+.1f')} | {_f(r['pan_err_pct'], '+.1f')} | "
                   f"{_f(r['step_err_pct'], '+.1f')} | "
                   f"{_f(r['step_err_true_pan_pct'], '+.1f')} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/gait_video_bench"), help="cache folder")
    parser.add_argument("--set", default="default", choices=("default", "quick"), help="which videos")
    parser.add_argument("--profile", default="balanced", help="configuration profile (preprocessing settings)")
    parser.add_argument("--diagnose", action="store_true", help="also print the step length error sources")
    parser.add_argument("--no-smoothing", action="store_true", help="extract with MediaPipe's landmark smoothing off")
    args = parser.parse_args(argv)
    conditions = condition_set(args.set)
    video_dir, out_dir = args.work / "videos", args.work / "out"
    config = no_smoothing_config(args.work) if args.no_smoothing else None
    if config:
        out_dir = args.work / "out_no_smoothing"
    generate(conditions, video_dir)
    extract(conditions, video_dir, out_dir, config)
    cfg = load_profile(args.profile, config).preprocessing
    rows, failed = [], []
    for c in conditions:
        try:
            rows.append(evaluate(c, video_dir, out_dir, cfg, args.diagnose))
        except (InsufficientDataError, ValueError) as exc:
            failed.append(f"{c.name}: {exc}")
    print("\n".join(table(rows)))
    if args.diagnose:
        print("\n" + "\n".join(diagnosis_table(rows)))
    for line in failed:
        print(f"\nFAILED {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
