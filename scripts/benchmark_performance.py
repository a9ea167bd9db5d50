#!/usr/bin/env python
"""Benchmark pose extraction and the whole pipeline per profile, against two references.

    python scripts/benchmark_performance.py --video walk.mp4 --profiles fast,balanced,accurate \
        --type both --repeat 1 --output bench/

References, measured in the same run: the "naive loop" (every frame decoded into memory first, then
sequential MediaPipe at native size, one JSON file per frame), the same loop streamed (no frames held:
what the first touch of the held frames' memory costs depends on the machine, see the table's note) and
the "model-only bound" (MediaPipe alone on pre-decoded frames, one process per core). Every measurement runs in a fresh subprocess, so
peak RSS and CPU seconds are those of its own process tree. Without --video a synthetic walk is
generated as phones record it: 1080p 30 fps with sensor noise and a panning camera, H.264 (libx264,
preset medium, yuv420p) at a phone bit rate (--size 3840x2160 for 4K).

CPU ms per frame (per video frame, all processes together) is the figure to compare on a busy machine:
wall-clock ratios depend on what else runs. Start-up (spawning each worker, importing MediaPipe,
loading the model) is paid once per worker and run; the table says what share it is of the clip.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

BOUND_MAX_FRAMES = 600  # the bound is a rate: its first 600 frames (3.7 GB decoded at 1080p) are plenty
KEY_LANDMARKS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
                 "left_heel", "right_heel", "left_foot_index", "right_foot_index")


# ----------------------------------------------------------------------------- child side
def child(kind: str, video: str, out: str, profile: str, extra: list[str]) -> None:
    """Run one measurement in this (fresh) process; print its result as JSON on the last line."""
    if kind in ("baseline", "streamed"):
        from core.io.keypoint_store import write_frame_json
        from core.pose.reference import baseline_extract, streamed_extract

        extract = baseline_extract if kind == "baseline" else streamed_extract
        n = extract(Path(video), lambda i, rec: write_frame_json(out, i, rec))
        print(json.dumps({"frames": n, "write_calls": n}))
    elif kind == "startup":
        t0, c0 = time.perf_counter(), time.process_time()
        from core.config import load_profile
        from core.pose.extractor import PoseEstimator

        PoseEstimator(load_profile("balanced").pose, 1).close()
        print(json.dumps({"startup_wall_s": time.perf_counter() - t0, "startup_cpu_s": time.process_time() - c0}))
    elif kind == "bound":
        from core.pose.reference import model_only_fps
        from core.pose.video import probe_video

        frames = min(probe_video(video).n_frames, BOUND_MAX_FRAMES)
        print(json.dumps(model_only_fps(Path(video), frames, os.cpu_count() or 1)))
    else:
        from usecases.gait_analysis.cli import main

        mode = ["--no-optimizations"] if profile == NO_OPTIMIZATIONS else ["--performance-mode", profile]
        args = ["--videos", video, "--output", out, *mode, "-q", *extra]
        if kind == "extraction":
            args.append("--extract-only")
        code = main(args)
        report = json.loads((Path(out) / "performance_report.json").read_text())
        print(json.dumps({"exit_code": code, "report": report}))


# ----------------------------------------------------------------------------- parent side
def measure(kind: str, video: Path, out: Path, profile: str = "", extra: list[str] | None = None) -> dict:
    """Run ``child`` in a subprocess; wall time, CPU of the tree (and its kernel part, ``sys_s``), the tree's
    minor page faults, peak RSS of the tree, files."""
    cmd = [sys.executable, __file__, "--_child", kind, "--video", str(video), "--output", str(out),
           "--profiles", profile or "balanced", "--", *(extra or [])]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = machine_busy_s()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    peak = 0
    handle = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [handle, *handle.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    busy = machine_busy_s() - busy0
    stdout = proc.stdout.read() if proc.stdout else ""
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys_s = ru1.ru_stime - ru0.ru_stime
    cpu = (ru1.ru_utime - ru0.ru_utime) + sys_s
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{kind} {profile}: child failed (exit {proc.returncode})")
    result = json.loads(lines[-1])
    from core.io.keypoint_store import count_files

    return {"wall_s": wall, "cpu_s": cpu, "sys_s": sys_s, "minor_faults": ru1.ru_minflt - ru0.ru_minflt,
            "others_cpu_s": max(busy - cpu, 0.0),
            "cpu_utilisation": cpu / wall / (os.cpu_count() or 1),
            "peak_rss_mb": peak / 2**20, "files_written": count_files(out) if out.exists() else 0, "result": result}


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have run since boot (Linux ``/proc/stat``; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def decoder_speeds(video: Path, max_side_px: int, frames: int = 150) -> dict[str, dict[str, float]]:
    """Decode + downscale + RGB alone (the background thread's work), OpenCV vs PyAV, with the library's
    decoder threads (``threads=0``) and with one: frames/s and CPU ms per frame."""
    from core.pose.video import iter_frames

    out = {}
    for decoder in ("opencv", "pyav"):
        for threads in (0, 1):
            t0, c0 = time.perf_counter(), time.process_time()
            n = sum(1 for _ in iter_frames(video, stop=frames, max_side_px=max_side_px, decoder=decoder,
                                           threads=threads, rgb=True))
            out[f"{decoder}, threads={threads}"] = {"frames_per_s": n / (time.perf_counter() - t0),
                                                    "cpu_ms_per_frame": 1000 * (time.process_time() - c0) / n}
    return out


def model_used(store: Path) -> str:
    """The pose model a run actually used (from the manifest beside its keypoint ``store``), e.g.
    'full' when lite is missing."""
    from core.io.keypoint_store import read_manifest

    return (read_manifest(store.parent) or {}).get("settings", {}).get("model_used", "?")


def repeats_of(base_reps: list[dict], streamed_reps: list[dict],
               reps: dict[tuple[str, str], list[dict]]) -> dict[str, list[dict]]:
    """Every repeat of every run, by the table's names (profile runs without their timelines)."""
    profiles = {f"{kind}:{prof}": [{k: v for k, v in row.items() if k != "timeline"} for row in rows]
                for (kind, prof), rows in reps.items()}
    return {"naive loop": base_reps, "naive loop, streamed": streamed_reps, **profiles}


def run_order(repeat: int, plan: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """The measured runs in order, ``(kind, profile, repeat)``: each repeat runs the naive loop, the streamed
    naive loop, then every ``plan`` entry, so that a change in the machine's speed hits all of them alike (the
    speed-up is the median of the per-repeat ratios); the model-only bound runs last. No naive loop follows
    the bound: a process that starts right after another freed gigabytes reuses their memory before a
    virtual machine's host takes it back, and the naive loop's kernel time halves (this machine: 8-9 s of
    sys instead of 15-18 on the real clip), so the first repeat's naive loop was faster than the others'."""
    order = [(kind, prof, r) for r in range(repeat)
             for kind, prof in [("baseline", ""), ("streamed", ""), *plan]]
    return order + [("bound", "", 0)]


def speedups(reference_rows: list[dict], rows: list[dict]) -> tuple[float, float]:
    """Median and lowest of the per-repeat wall-time ratios reference / row (repeat r against repeat r)."""
    ratios = [b["wall_s"] / x["wall_s"] for b, x in zip(reference_rows, rows)]
    return float(np.median(ratios)), float(min(ratios))


def reference_row(m: dict) -> dict:
    """One naive-loop measurement (``measure``'s result) as a table row."""
    frames = max(m["result"]["frames"], 1)
    return {**{k: m[k] for k in ("wall_s", "cpu_s", "sys_s", "minor_faults", "others_cpu_s", "cpu_utilisation",
                                 "peak_rss_mb", "files_written")},
            "frames_per_s": m["result"]["frames"] / m["wall_s"], "write_calls": m["result"]["write_calls"],
            "cpu_ms_per_frame": 1000 * m["cpu_s"] / frames, "sys_ms_per_frame": 1000 * m["sys_s"] / frames}


def profile_row(m: dict, n_frames: int) -> dict:
    report = m["result"]["report"]
    counters = report["counters"]
    scan = report.get("stages", {}).get("scan", {})  # the person finder's scan phase (--person auto)
    other_files = m["files_written"] - 1  # every file but the store is written in one call
    return {"wall_s": m["wall_s"], "frames_per_s": n_frames / m["wall_s"], "cpu_utilisation": m["cpu_utilisation"],
            "cpu_s": m["cpu_s"], "cpu_ms_per_frame": 1000 * m["cpu_s"] / n_frames,
            "sys_s": m["sys_s"], "sys_ms_per_frame": 1000 * m["sys_s"] / n_frames, "others_cpu_s": m["others_cpu_s"],
            "peak_rss_mb": m["peak_rss_mb"], "files_written": m["files_written"],
            "write_calls": counters.get("store_write_calls", 0) + other_files,
            "finder_wall_share": scan.get("wall_s", 0.0) / m["wall_s"],
            "finder_cpu_share": scan.get("cpu_s", 0.0) / max(m["cpu_s"], 1e-9),
            "finder_cpu_ms_per_frame": 1000 * scan.get("cpu_s", 0.0) / n_frames,
            "exit_code": m["result"]["exit_code"], "timeline": report.get("timeline")}


NO_OPTIMIZATIONS = "no-optimizations"  # --profiles entry for the CLI's --no-optimizations run
ABLATIONS = {  # each of the fast profile's choices alone, on top of balanced
    "balanced+stride2": {"pose": {"frame_stride": 2}},
    "balanced+640px": {"pose": {"max_side_px": 640}},
    "balanced+lite": {"pose": {"model_complexity": 0}},
}


def profile_file(path: Path, ablations: bool, engine: str | None) -> Path:
    """The project's profile file, plus the ``ABLATIONS`` profiles when asked, with every profile's
    ``pose.engine`` set to ``engine`` when given; written to ``path``."""
    from core.config import read_config_file, with_pose_engine
    from core.io.atomic import write_json

    data = read_config_file(None)
    balanced = data["profiles"]["balanced"]
    for name, change in (ABLATIONS.items() if ablations else ()):
        data["profiles"][name] = {s: {**balanced.get(s, {}), **change.get(s, {})} for s in {*balanced, *change}}
    write_json(path, with_pose_engine(data, engine) if engine else data)
    return path


def accuracy(stores: dict[str, Path], video: Path, config: Path | None = None) -> dict[str, dict]:
    """Landmark deviation (px, and % of leg length) and cadence difference against ``accurate``
    (and against the synthetic ground truth when ``<stem>.truth.json`` exists)."""
    from core.config import load_profile
    from core.constants import LANDMARK_INDEX
    from core.gait.analysis import analyze_series
    from core.io.keypoint_store import read_store
    from core.pose.video import probe_video
    from core.series import batch_to_series

    info = probe_video(video)
    truth_file = video.with_name(video.stem + ".truth.json")
    truth = json.loads(truth_file.read_text()) if truth_file.exists() else None
    idx = [LANDMARK_INDEX[n] for n in KEY_LANDMARKS]
    series, cadence = {}, {}
    for name, store in stores.items():
        s = batch_to_series(read_store(store), info.height, info.fps)
        series[name] = s
        try:
            prep = load_profile(name, config).preprocessing
            cadence[name] = analyze_series(s, prep).parameters["cadence_steps_per_min"]
        except Exception as exc:  # report, do not hide
            cadence[name] = f"analysis failed: {exc}"
    ref = series.get("accurate")
    leg_px = truth["leg_length_px"] if truth else None
    out = {}
    for name, s in series.items():
        row: dict = {"cadence_steps_per_min": cadence[name]}
        if ref is not None:
            n = min(ref.n_frames, s.n_frames)
            d = np.linalg.norm(s.positions[:n, idx, :2] - ref.positions[:n, idx, :2], axis=2)
            row["landmark_dev_vs_accurate_px"] = float(np.nanmedian(d))
            if isinstance(cadence[name], float) and isinstance(cadence.get("accurate"), float):
                row["cadence_diff_vs_accurate"] = cadence[name] - cadence["accurate"]
        if truth:
            true_xy = np.stack([np.asarray(truth["landmarks"][k], float) for k in KEY_LANDMARKS], axis=1)
            true_xy[..., 1] = info.height - true_xy[..., 1]
            n = min(len(true_xy), s.n_frames)
            d = np.linalg.norm(s.positions[:n, idx, :2] - true_xy[:n], axis=2)
            row["landmark_err_vs_truth_pct_leg"] = float(100 * np.nanmedian(d) / leg_px)
            row["detection_rate"] = float(np.mean(np.isfinite(s.positions[:n, idx[0], 0])))
            if isinstance(cadence[name], float):
                row["cadence_err_vs_truth_pct"] = 100 * (cadence[name] / truth["cadence_steps_per_min"] - 1)
        out[name] = row
    return out


def markdown(summary: dict) -> str:
    b, bound, sm = summary["baseline"], summary["bound"], summary["streamed"]
    lines = [
        f"Video: `{summary['video']}` ({summary['width']}x{summary['height']}, {summary['n_frames']} frames, "
        f"{summary['fps']:.0f} fps); machine: {summary['cores']} cores; {summary['repeat']} repeat(s), each running the "
        "naive loop, the streamed naive loop, then every profile; medians, and × naive loop (× streamed) as the median "
        "(lowest) of the per-repeat ratios.",
        "",
        "| run | model | wall s | frames/s | × naive loop | × streamed | % of bound | CPU ms/frame | sys ms/frame | CPU util | finder % wall (CPU) | peak RSS MB | files | write calls |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| naive loop | full | {b['wall_s']:.1f} | {b['frames_per_s']:.1f} | 1.00 | {sm['wall_s'] / b['wall_s']:.2f} | "
        f"{100 * b['frames_per_s'] / bound['frames_per_s']:.0f} | {b['cpu_ms_per_frame']:.1f} | {b['sys_ms_per_frame']:.1f} | "
        f"{b['cpu_utilisation']:.2f} | | {b['peak_rss_mb']:.0f} | {b['files_written']:.0f} | {b['write_calls']:.0f} |",
        f"| naive loop, streamed | full | {sm['wall_s']:.1f} | {sm['frames_per_s']:.1f} | "
        f"{summary['streamed_speedup_vs_baseline']:.2f} | 1.00 | {100 * sm['frames_per_s'] / bound['frames_per_s']:.0f} | "
        f"{sm['cpu_ms_per_frame']:.1f} | {sm['sys_ms_per_frame']:.1f} | {sm['cpu_utilisation']:.2f} | | "
        f"{sm['peak_rss_mb']:.0f} | {sm['files_written']:.0f} | {sm['write_calls']:.0f} |",
        f"| model-only bound | full | {bound['inference_s']:.1f} | {bound['frames_per_s']:.1f} | "
        f"{bound['frames_per_s'] / b['frames_per_s']:.2f} | {bound['frames_per_s'] / sm['frames_per_s']:.2f} | 100 | | | | | "
        f"{bound['peak_rss_mb']:.0f} | | |",
    ]
    for key, r in summary["runs"].items():
        lines.append(
            f"| {key} | {r.get('model_used', '?')} | {r['wall_s']:.1f} | {r['frames_per_s']:.1f} | {r['speedup_vs_baseline']:.2f} ({r['speedup_worst']:.2f}) | "
            f"{r['speedup_vs_streamed']:.2f} ({r['speedup_vs_streamed_worst']:.2f}) | "
            f"{100 * r['fraction_of_bound']:.0f} | {r['cpu_ms_per_frame']:.1f} | {r['sys_ms_per_frame']:.1f} | "
            f"{r['cpu_utilisation']:.2f} | "
            f"{100 * r['finder_wall_share']:.0f} ({100 * r['finder_cpu_share']:.0f}) | "
            f"{r['peak_rss_mb']:.0f} | {r['files_written']:.0f} | {r['write_calls']:.0f} |"
        )
    held_mb = b["peak_rss_mb"] - sm["peak_rss_mb"]
    lines += ["", "The naive loop holds every decoded frame; the streamed naive loop is the same loop (decode, MediaPipe, one "
              "JSON file per frame) without holding them. Their difference is what the kernel charges for memory touched "
              f"for the first time: here {b['sys_s'] - sm['sys_s']:.1f} s of sys CPU for {held_mb:.0f} MB more peak RSS "
              f"({1000 * (b['sys_s'] - sm['sys_s']) / max(held_mb, 1):.1f} ms per MB; naive {b['minor_faults']:.0f} minor "
              f"faults, streamed {sm['minor_faults']:.0f}). That cost depends on the machine, not on the loop's work (a "
              "virtual machine whose host takes back freed memory charges every first touch again): × streamed "
              "compares with the naive work alone."]
    others = [(name, r["others_cpu_s"]) for name, rows in summary["repeats"].items() for r in rows]
    worst = max(others, key=lambda o: o[1])
    lines += ["", f"Other processes on the machine ran {sum(o for _, o in others):.1f} CPU s during the measured runs "
              f"(most in one run: {worst[1]:.1f} s, {worst[0]}): more than a few seconds in a run makes its wall time "
              "and ratios doubtful."]
    lines += timeline_sections(summary["runs"])
    lines += ["", "finder % wall (CPU): the person finder's scan phase (`--person auto`, the default: it finds "
              "everyone every `pose.scan_every_s`, 0.5 s, and chooses the walker before pose starts) "
              "as a share of the run's wall time (and of its CPU time); issue 11's target is at most 15 %."]
    st = summary["startup"]
    per_process = bound["inference_s"] * summary["cores"] / max(bound["frames"], 1)
    model = bound.get("cpu_ms_per_frame", float("nan"))
    decode = summary["decoders"].get("pyav, threads=1", {}).get("cpu_ms_per_frame", float("nan"))
    lines += ["", f"Model cost: MediaPipe (full) on pre-decoded frames takes {1000 * per_process:.1f} ms of wall and "
              f"{model:.1f} ms of CPU per frame in each of {summary['cores']} processes (the model-only bound).",
              f"Floor: decoding a frame as each pose worker does (PyAV, one thread, table below) costs {decode:.1f} ms "
              f"of CPU, so a run that poses every frame needs at least {decode + model:.1f} ms of CPU per video frame, "
              f"and one that poses every second frame (`fast`) {decode + model / 2:.1f} ms; the rest of a profile's "
              "CPU ms/frame is its own cost (start-up, warm-up, scene and foot motion, guards, store).",
              f"Start-up: one pose worker (fresh process, imports, model load) takes {st['startup_wall_s']:.1f} s wall and "
              f"{st['startup_cpu_s']:.1f} s CPU (the imports once per run: the workers fork from the main process, "
              f"on Linux, or a fork server, that has them; the model load per worker): "
              f"{100 * st['startup_wall_s'] / b['wall_s']:.0f} % "
              "of the naive loop's wall time on this clip (on a clip of a few seconds it outweighs the parallel gain)."]
    lines += ["", "Decode + downscale to the balanced input size + RGB, in one process (threads=0: the decoder's "
              "own thread count, one per core; threads=1: what each worker uses when the workers fill the cores):",
              "", "| decoder | frames/s | CPU ms per frame |", "| --- | ---: | ---: |"]
    lines += [f"| {k} | {v['frames_per_s']:.0f} | {v['cpu_ms_per_frame']:.1f} |" for k, v in summary["decoders"].items()]
    if summary.get("accuracy"):
        lines += ["", "| profile | landmark dev. vs accurate (px) | cadence diff. vs accurate | landmark error vs truth (% leg) | cadence error vs truth (%) | detection |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, a in summary["accuracy"].items():
            def f(key: str, fmt: str) -> str:
                v = a.get(key)
                return format(v, fmt) if isinstance(v, (int, float)) else str(v or "")
            lines.append(f"| {name} | {f('landmark_dev_vs_accurate_px', '.2f')} | {f('cadence_diff_vs_accurate', '+.2f')} | "
                         f"{f('landmark_err_vs_truth_pct_leg', '.2f')} | {f('cadence_err_vs_truth_pct', '+.2f')} | {f('detection_rate', '.3f')} |")
    return "\n".join(lines) + "\n"


def median_of(runs: list[dict]) -> dict:
    """Medians of the numeric fields; other fields (the timeline) from the repeat of median wall time."""
    middle = sorted(runs, key=lambda r: r["wall_s"])[(len(runs) - 1) // 2]
    return {k: float(np.median([r[k] for r in runs])) if isinstance(runs[0][k], (int, float)) else middle[k]
            for k in runs[0]}


def timeline_sections(runs: dict[str, dict]) -> list[str]:
    """Each run's timeline (its repeat of median wall time): phases of the main process with the
    core-seconds left idle in them, each process's CPU, and the critical path."""
    from core.timeline import format_timeline

    lines = []
    for key, r in runs.items():
        if r.get("timeline"):
            lines += ["", f"Timeline of {key} (the repeat of median wall time; seconds since the run's start):", "",
                      "```", format_timeline(r["timeline"]), "```"]
    return lines


def rss_growth(args: argparse.Namespace, videos: list[Path]) -> int:
    """Peak RSS of the whole pipeline per video length, for each profile (and --max-memory if given)."""
    from core.io.atomic import write_json, write_text
    from core.pose.video import probe_video

    extra = ["--max-memory", str(args.max_memory)] if args.max_memory else []
    rows = []
    for prof in [p for p in args.profiles.split(",") if p]:
        for video in videos:
            info = probe_video(video)
            out = Path(tempfile.mkdtemp(prefix="rss_", dir=args.output))
            print(f"pipeline {prof} on {video.name} ({info.n_frames} frames) ...", flush=True)
            m = measure("pipeline", video, out, prof, extra)
            rows.append({"profile": prof, "video": str(video), "n_frames": info.n_frames, "duration_s": info.duration_s,
                         "wall_s": m["wall_s"], "peak_rss_mb": m["peak_rss_mb"], "exit_code": m["result"]["exit_code"],
                         "reported_peak_rss_mb": m["result"]["report"]["peak_rss_mb"]})
    lines = ["| profile | video | frames | wall s | peak RSS MB (measured) | peak RSS MB (performance_report) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['profile']} | {Path(r['video']).name} | {r['n_frames']} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} | "
              f"{r['reported_peak_rss_mb']:.0f} |" for r in rows]
    command = " ".join(["python", "scripts/benchmark_performance.py", *sys.argv[1:]])
    write_json(args.output / "rss.json", {"command": command, "max_memory_mb": args.max_memory, "rows": rows})
    write_text(args.output / "rss.md", f"Command: `{command}`\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description="Benchmark extraction and pipeline per profile.")
    ap.add_argument("--video", type=Path, help="input video (default: generate a synthetic walk)")
    ap.add_argument("--profiles", default="fast,balanced,accurate",
                    help=f"comma-separated profiles; '{NO_OPTIMIZATIONS}' adds the CLI's --no-optimizations run")
    ap.add_argument("--type", choices=("extraction", "pipeline", "both"), default="extraction")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--output", type=Path, default=Path("benchmark_results"))
    ap.add_argument("--max-memory", type=int, help="also pass --max-memory MB to the profile runs")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the generated video")
    ap.add_argument("--size", default="1920x1080", help="size of the generated video")
    ap.add_argument("--codec", choices=("mpeg4", "h264"), default="h264",
                    help="codec of the generated video (h264, the default: re-encoded with libx264 at a phone bit rate)")
    ap.add_argument("--bitrate-mbit", type=float, default=0.0,
                    help="H.264 bit rate of the generated video in Mbit/s (default: 14 at 1080p, scaled by pixel count)")
    ap.add_argument("--noise", type=float, default=6.0, help="sensor noise of the generated video, grey levels (std)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny generated video (2 s, 480x270), one repeat: checks that the benchmark runs; its speed "
                         "ratios are start-up dominated and say nothing about real clips")
    ap.add_argument("--ablation", action="store_true",
                    help="also extract with each fast-profile choice alone on top of balanced (stride 2, 640 px, lite)")
    ap.add_argument("--engine", choices=("graph", "direct"),
                    help="pose engine of every profile run (default: each profile's own pose.engine)")
    ap.add_argument("--rss-videos", help="SHORT,LONG: compare the peak RSS of the whole pipeline on two videos, then exit")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    ap.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        child(args._child, str(args.video), str(args.output), args.profiles, args.extra)
        return 0
    from core.pose.video import probe_video

    args.output.mkdir(parents=True, exist_ok=True)
    if args.rss_videos:
        return rss_growth(args, [Path(v) for v in args.rss_videos.split(",")])
    video = args.video
    if video is None:
        from core.synthetic import GaitParams, generate_walking_video

        w, h = (480, 270) if args.quick else map(int, args.size.split("x"))
        seconds = 2.0 if args.quick else args.seconds
        video = args.output / f"synthetic_{w}x{h}_{seconds:g}s_noise{args.noise:g}.mp4"
        if not video.exists():
            print(f"generating {video} ...", flush=True)
            generate_walking_video(video, GaitParams(duration_s=seconds, fps=30.0, width_px=w, height_px=h, seed=3,
                                                     noise=args.noise, camera="tracking"))
        if args.codec == "h264":
            from core.io.video_writer import transcode_h264

            mbit = args.bitrate_mbit or 14.0 * w * h / (1920 * 1080)
            h264 = video.with_name(f"{video.stem}_h264_{mbit:.0f}mbit.mp4")
            if not h264.exists():
                print(f"transcoding to H.264 at {mbit:.1f} Mbit/s ...", flush=True)
                transcode_h264(video, h264, bitrate_mbit=mbit, preset="medium")
            h264.with_name(f"{h264.stem}.truth.json").write_bytes(video.with_name(f"{video.stem}.truth.json").read_bytes())
            video = h264
    info = probe_video(video)
    profiles = [p for p in args.profiles.split(",") if p]
    types = ["extraction", "pipeline"] if args.type == "both" else [args.type]
    extra = ["--max-memory", str(args.max_memory)] if args.max_memory else []
    work = Path(tempfile.mkdtemp(prefix="bench_", dir=args.output))
    config = profile_file(work / "profiles.json", args.ablation, args.engine) if args.ablation or args.engine else None
    if config is not None:
        extra += ["--config", str(config)]
    if args.quick:
        print("--quick: a 2 s, 480x270 clip, one repeat. It checks that every run works; its speed ratios are "
              "dominated by start-up (each worker spawns, imports MediaPipe and loads the model before its first "
              "frame), so a profile can show < 1x the naive loop here. Measure speed on a clip of 20 s or more.",
              flush=True)
    print("worker start-up ...", flush=True)
    startup = measure("startup", video, work / "startup")["result"]
    plan = [(kind, prof) for kind in types for prof in profiles]
    plan += [("extraction", prof) for prof in (ABLATIONS if args.ablation else ())]
    base_reps: list[dict] = []
    streamed_reps: list[dict] = []
    reps: dict[tuple[str, str], list[dict]] = {key: [] for key in plan}
    stores = {}
    for kind, prof, r in run_order(args.repeat, plan):
        if kind == "bound":
            print("model-only bound ...", flush=True)
            bo = measure("bound", video, work / "bound")
            bound = {**bo["result"], "peak_rss_mb": bo["peak_rss_mb"]}
        elif kind in ("baseline", "streamed"):
            print(f"naive loop{', streamed' if kind == 'streamed' else ''} (repeat {r + 1}) ...", flush=True)
            rows = base_reps if kind == "baseline" else streamed_reps
            rows.append(reference_row(measure(kind, video, work / f"{kind}_{r}")))
        else:
            print(f"{kind} {prof} (repeat {r + 1}) ...", flush=True)
            out = work / f"{kind}_{prof}_{r}"
            reps[(kind, prof)].append(profile_row(measure(kind, video, out, prof, extra), info.n_frames))
            stores[prof] = next(out.glob("*/keypoints.jsonl.gz"))
    baseline, streamed = median_of(base_reps), median_of(streamed_reps)
    runs = {}
    for (kind, prof), rows in reps.items():
        row = median_of(rows)
        row["model_used"] = model_used(stores[prof])
        row["speedup_vs_baseline"], row["speedup_worst"] = speedups(base_reps, rows)
        row["speedup_vs_streamed"], row["speedup_vs_streamed_worst"] = speedups(streamed_reps, rows)
        row["fraction_of_bound"] = row["frames_per_s"] / bound["frames_per_s"]
        runs[f"{kind}:{prof}"] = row
    from core.config import load_profile

    decoders = decoder_speeds(video, load_profile("balanced").pose.max_side_px)
    summary = {"decoders": decoders, "startup": startup, "quick": args.quick, "video": str(video), "width": info.width, "height": info.height, "n_frames": info.n_frames,
               "fps": info.fps, "cores": os.cpu_count(), "repeat": args.repeat, "baseline": baseline,
               "streamed": streamed, "streamed_speedup_vs_baseline": speedups(base_reps, streamed_reps)[0],
               "repeats": repeats_of(base_reps, streamed_reps, reps),
               "bound": bound, "runs": runs, "accuracy": accuracy(stores, video, config),
               "command": " ".join(["python", "scripts/benchmark_performance.py", *sys.argv[1:]])}
    from core.io.atomic import write_json, write_text

    write_json(args.output / "benchmark.json", summary)
    table = markdown(summary)
    if args.quick:
        table += ("\n--quick: start-up dominated (see above); these ratios are not the speed of the profiles on "
                  "real clips.\n")
    write_text(args.output / "benchmark.md", f"Command: `{summary['command']}`\n\n" + table)
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
