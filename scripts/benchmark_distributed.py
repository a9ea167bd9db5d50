#!/usr/bin/env python
"""Dask against the local pool: throughput, a worker killed mid-run, and a scaling projection.

    python scripts/benchmark_distributed.py --output bench/ [--video walk.mp4] [--workers 2]

1. Throughput: the whole pipeline (``--no-plots``) on one video with the local pool and with
   ``--scheduler local`` (a LocalCluster of ``--workers`` single-threaded processes), each in a
   fresh process and output folder, alternated ``--repeat`` times; wall and CPU seconds of the
   process tree, CPU per frame (whole run, pose stage, Dask workers' own task CPU), the Dask/local
   ratios of frames/s (whole run and pose stage) per round; stores and events compared.
2. Worker killed: two videos on a LocalCluster started here; a worker running a pose task is killed
   (SIGKILL) once half of the planned tasks have started; every store must hold each frame once.
3. Scaling: per-task costs measured above (a task is one store batch of a lane; CPU and wall
   seconds, bytes sent to and from a worker,
   scheduler seconds per task, the client's store seconds per frame, input bytes read per frame),
   and the throughput they allow at 8, 64 and 512 worker cores, with the limit that binds.
   The shared file system and network bandwidths are assumptions (``--fs-mb-s``, ``--net-mb-s``).
Without --video a 1080p 30 fps synthetic walk of --seconds is generated (``--quick``: 4 s, 480x270).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

SCALES = (8, 64, 512)


def make_video(folder: Path, w: int, h: int, seconds: float, seed: int) -> Path:
    from core.synthetic import GaitParams, generate_walking_video

    path = folder / f"synthetic_{w}x{h}_{seconds:g}s_seed{seed}.mp4"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        generate_walking_video(path, GaitParams(duration_s=seconds, fps=30.0, width_px=w, height_px=h, seed=seed))
    return path


def run_cli(videos: list[Path], out: Path, workers: int, extra: list[str]) -> dict:
    """The CLI in a fresh process: exit code, wall and CPU seconds of its tree, and its report."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "main_gait_analysis.py"), "--videos", *map(str, videos), "--output", str(out),
           "--workers", str(workers), "--no-plots", "-q", *extra]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    report = json.loads((out / "performance_report.json").read_text()) if (out / "performance_report.json").exists() else {}
    return {"exit_code": proc.returncode, "wall_s": wall, "cpu_s": cpu, "report": report, "stderr": proc.stderr[-2000:]}


def compare(a: Path, b: Path, video: Path) -> dict:
    """Are the two runs' landmarks and events of ``video`` the same?"""
    from core.io.keypoint_store import STORE_NAME, read_store

    sa, sb = read_store(a / video.stem / STORE_NAME), read_store(b / video.stem / STORE_NAME)
    same_frames = np.array_equal(sa.frame, sb.frame)
    diff = float(np.nanmax(np.abs(sa.image - sb.image))) if same_frames and len(sa) else float("nan")
    rows = np.nanmax(np.abs(sa.image - sb.image), axis=(1, 2)) > 0 if same_frames else np.ones(len(sa), bool)
    differing = sa.frame[rows | (sa.valid != sb.valid if same_frames else rows)]
    ev_a, ev_b = (p / video.stem / "events.csv" for p in (a, b))
    return {"frames": len(sa), "same_frames": same_frames, "same_valid": same_frames and np.array_equal(sa.valid, sb.valid),
            "max_landmark_diff": diff, "rows_differing": int(len(differing)),
            "differing_ranges": _ranges(differing), "same_events": ev_a.exists() and ev_a.read_bytes() == ev_b.read_bytes()}


def _ranges(frames: np.ndarray) -> list[list[int]]:
    """Consecutive runs of frame indices as [first, last]."""
    if len(frames) == 0:
        return []
    cuts = np.flatnonzero(np.diff(frames) > 1)
    starts, ends = np.r_[0, cuts + 1], np.r_[cuts, len(frames) - 1]
    return [[int(frames[a]), int(frames[b])] for a, b in zip(starts, ends)]


EXECUTORS = (("local", []), ("dask", ["--scheduler", "local"]))


def throughput(video: Path, workers: int, out: Path, repeat: int = 1) -> dict:
    """``repeat`` rounds of a local-pool run then a Dask run (alternated, so that both see the same
    machine load); ratios are taken within each round, and the rows give each executor's median."""
    video.read_bytes()  # the first run must not be the only one reading the file cold
    runs: dict[str, list[dict]] = {name: [] for name, _ in EXECUTORS}
    for _ in range(repeat):
        for name, extra in EXECUTORS:
            r = run_cli([video], out / name, workers, extra)
            if r["exit_code"] != 0:
                raise SystemExit(f"{name} run failed (exit {r['exit_code']}): {r['stderr']}")
            runs[name].append(_row(r))
        (out / "rounds.json").write_text(json.dumps(runs, indent=1))  # kept if the benchmark is stopped early
    rounds = [{k: round(d[k] / loc[k], 3) for k in ("fps_run", "fps_pose")} for loc, d in zip(runs["local"], runs["dask"])]
    ratio = {}
    for key, name in (("fps_run", "run"), ("fps_pose", "pose")):
        values = [rd[key] for rd in rounds]
        ratio[name] = round(float(np.median(values)), 3)
        ratio[f"{name}_worst"] = min(values)
        ratio[f"{name}_rounds"] = values
    rows = {name: {k: (round(float(np.median([r[k] for r in rs])), 3) if isinstance(rs[0][k], (int, float)) else rs[0][k])
                   for k in rs[0]} for name, rs in runs.items()}
    last = json.loads((out / "dask" / "performance_report.json").read_text())
    return {"rows": rows, "runs": runs, "repeat": repeat, "dask_over_local": ratio,
            "comparison": compare(out / "local", out / "dask", video), "executor": last.get("executor"),
            "store_s_per_frame": _store_s_per_frame(last), "warmup_frames": last["counters"].get("warmup_frames", 0)}


def _row(r: dict) -> dict:
    """One run's figures: wall and CPU of the whole process tree, the pose stage's frames/s and CPU,
    and (Dask) the workers' own CPU in their pose tasks, per stored frame."""
    pose, frames = r["report"]["stages"]["pose"], r["report"]["stages"]["pose"]["frames"]
    workers = (r["report"].get("executor") or {}).get("per_worker", {}).values()
    task_cpu = sum(w["task_cpu_s"] for w in workers)
    return {"wall_s": round(r["wall_s"], 2), "cpu_s": round(r["cpu_s"], 2), "frames": frames,
            "fps_run": round(frames / r["wall_s"], 2), "pose_wall_s": pose["wall_s"], "fps_pose": pose["frames_per_s"],
            "cpu_ms_per_frame": round(1000 * r["cpu_s"] / frames, 1),
            "pose_cpu_ms_per_frame": round(1000 * pose["cpu_s"] / frames, 1),
            "task_cpu_ms_per_frame": round(1000 * task_cpu / frames, 1) if task_cpu else None,
            "warmup_frames": r["report"]["counters"].get("warmup_frames", 0)}


def _store_s_per_frame(report: dict) -> float:
    store = report["stages"].get("store", {})
    frames = report["counters"].get("frames_stored") or report["stages"]["pose"]["frames"]
    return store.get("wall_s", 0.0) / max(frames, 1)


def store_cpu_s_per_frame(store: Path, repeats: int = 5) -> float:
    """CPU seconds the client spends appending one frame to a keypoint store (compression included),
    timed in this process on the frames of ``store``."""
    import tempfile

    from core.config import load_profile
    from core.io.keypoint_store import KeypointStoreWriter, read_store

    batch = read_store(store)
    level = load_profile("balanced").io.compression_level
    step = 90
    with tempfile.TemporaryDirectory() as tmp:
        c0 = time.process_time()
        for r in range(repeats):
            writer = KeypointStoreWriter(Path(tmp) / f"s{r}.jsonl.gz", level, 0)
            for i in range(0, len(batch), step):
                writer.append(batch.slice(i, min(i + step, len(batch))))
            writer.close()
        return (time.process_time() - c0) / (repeats * len(batch))


def planned_tasks(video: Path, workers: int) -> int:
    """Pose tasks (store batches) of a fresh extraction of ``video``."""
    from core.config import load_profile
    from core.mediapipe_integration import _lanes, prepare_job
    from core.pose.models import resolve_model

    profile = load_profile("balanced")
    job = prepare_job(video, Path("/nonexistent-out"), profile, resolve_model(profile.pose.model_complexity, False), None)
    return sum(len(lane) for lane in _lanes(job, profile, workers, profile.memory.queue_frames))


def killed_worker(videos: list[Path], workers: int, out: Path) -> dict:
    """Two videos on a LocalCluster; SIGKILL a worker running a pose task once half the tasks started."""
    from distributed import Client, LocalCluster

    from core.io.keypoint_store import STORE_NAME, read_store
    from core.pose.video import probe_video

    total = sum(planned_tasks(v, workers) for v in videos)
    killed: dict = {}

    def states(dask_scheduler) -> tuple[int, list[str]]:
        running = [ts.processing_on.address for key, ts in dask_scheduler.tasks.items()
                   if str(key).startswith("gait-_run_task-") and ts.state == "processing" and ts.processing_on]
        return len(dask_scheduler.get_events("gait-call-start")), running

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as lc, Client(lc, set_as_default=False) as client:
        def killer() -> None:
            while not killed and not done.is_set():
                started, running = client.run_on_scheduler(states)
                if started >= max(1, total // 2) and running:
                    pid = client.run(os.getpid, workers=[running[0]])[running[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.update(pid=pid, at_task_start=started, of_tasks=total, t=time.time())
                time.sleep(0.05)

        done = threading.Event()
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        run = run_cli(videos, out / "killed", workers, ["--extract-only", "--scheduler", lc.scheduler_address])
        done.set()
        thread.join(timeout=5)
    stores = {}
    for v in videos:
        frames = read_store(out / "killed" / v.stem / STORE_NAME).frame
        n = probe_video(v).n_frames
        stores[v.name] = {"rows": len(frames), "video_frames": n, "unique": len(np.unique(frames)),
                          "each_frame_once": bool(np.array_equal(frames, np.arange(n)))}
    ex = run["report"].get("executor", {})
    return {"exit_code": run["exit_code"], "wall_s": round(run["wall_s"], 2), "killed": killed, "stores": stores,
            "retried_calls": ex.get("retried_calls"), "retry_lost_s": ex.get("retry_lost_s"), "workers": ex.get("workers")}


def scheduler_overhead(workers: int, n_tasks: int = 1000) -> float:
    """Seconds per no-op task pushed through the scheduler to the workers and back, many in flight
    (the scheduler's and workers' bookkeeping per task, without our wrapper)."""
    from core.dask_executor import DaskExecutor

    with DaskExecutor("local", workers) as ex:
        ex.client.gather(ex.client.map(abs, range(50), pure=False))  # warm
        t0 = time.perf_counter()
        ex.client.gather(ex.client.map(abs, range(n_tasks), pure=False))
        return (time.perf_counter() - t0) / n_tasks


def task_costs(video: Path, tp: dict, workers: int) -> dict:
    """Per pose task (one store batch): CPU and wall seconds, bytes to and from a worker, and the input
    bytes a worker reads per stored frame (warm-ups included)."""
    from core.config import load_profile
    from core.io.keypoint_store import STORE_NAME, read_store
    from core.mediapipe_integration import _lanes, prepare_job
    from core.pose.models import resolve_model

    per_worker = tp["executor"]["per_worker"].values()
    tasks = sum(w["tasks"] for w in per_worker)
    frames = sum(w["frames"] for w in per_worker)
    cpu = sum(w["task_cpu_s"] for w in per_worker)
    wall = sum(w["task_wall_s"] for w in per_worker)
    profile = load_profile("balanced")
    job = prepare_job(video, Path("/nonexistent-out"), profile, resolve_model(profile.pose.model_complexity, False), None)
    planned = [t for lane in _lanes(job, profile, workers, profile.memory.queue_frames) for t in lane]
    batch = read_store(Path(tp["out"]) / "dask" / video.stem / STORE_NAME)
    per_task = max(1, frames // max(tasks, 1))
    to_worker = float(np.mean([len(pickle.dumps((job, t))) for t in planned]))
    from_worker = len(pickle.dumps((batch.slice(0, min(per_task, len(batch))), 0)))
    decoded = frames + tp["warmup_frames"]
    read_per_frame = video.stat().st_size / job.info.n_frames * decoded / max(frames, 1)
    return {"tasks": tasks, "frames": frames, "frames_per_task": round(frames / max(tasks, 1), 1),
            "cpu_s_per_task": round(cpu / max(tasks, 1), 3), "wall_s_per_task": round(wall / max(tasks, 1), 3),
            "fps_per_worker_core": round(frames / max(cpu, 1e-9), 2), "fps_per_worker_wall": round(frames / max(wall, 1e-9), 2),
            "cpu_ms_per_frame": round(1000 * cpu / max(frames, 1), 1), "warmup_frames": tp["warmup_frames"],
            "bytes_to_worker": int(to_worker), "bytes_from_worker": int(from_worker),
            "input_bytes_per_frame": int(read_per_frame),
            "worker_peak_rss_mb": max(w.get("peak_rss_mb", 0.0) for w in per_worker)}


def projection(costs: dict, sched_s: float, store_s: float, fs_mb_s: float, net_mb_s: float) -> list[dict]:
    """Frames/s each part allows at each scale; the smallest binds. A worker core's rate is taken from
    its CPU seconds per frame (a single-threaded worker is CPU-bound; wall time on a shared machine is not)."""
    fps_core = costs["fps_per_worker_core"]
    limits = {
        "scheduler": costs["frames_per_task"] / max(sched_s, 1e-9),
        "client store writes": 1.0 / max(store_s, 1e-9),
        "client network": net_mb_s * 2**20 / ((costs["bytes_from_worker"] + costs["bytes_to_worker"])
                                             / costs["frames_per_task"]),
        "shared file system": fs_mb_s * 2**20 / max(costs["input_bytes_per_frame"], 1),
    }
    rows = []
    for cores in SCALES:
        compute = cores * fps_core
        binding = min(limits, key=limits.get)
        fps = min(compute, limits[binding])
        rows.append({"worker_cores": cores, "compute_fps": round(compute, 1), "projected_fps": round(fps, 1),
                     "limit": "workers (compute)" if compute <= limits[binding] else binding,
                     "efficiency": round(fps / compute, 3)})
    return rows, {k: round(v, 1) for k, v in limits.items()}


def markdown(s: dict) -> str:
    lines = []
    if "throughput" in s:
        tp = s["throughput"]
        lines += [f"median of {tp['repeat']} alternated round(s); CPU is the whole process tree's",
                  "| executor | wall s | CPU s | frames | frames/s (run) | frames/s (pose stage) | CPU ms/frame (run) "
                  "| CPU ms/frame (pose stage) | worker task CPU ms/frame | warm-up frames |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, r in tp["rows"].items():
            lines.append(f"| {name} | {r['wall_s']} | {r['cpu_s']} | {r['frames']} | {r['fps_run']} | {r['fps_pose']} "
                         f"| {r['cpu_ms_per_frame']} | {r['pose_cpu_ms_per_frame']} | {r['task_cpu_ms_per_frame'] or '-'} "
                         f"| {r['warmup_frames']} |")
        q = tp["dask_over_local"]
        lines += ["", f"dask / local frames/s, whole run: median {q['run']}, worst {q['run_worst']} (rounds {q['run_rounds']}); "
                  f"pose stage: median {q['pose']}, worst {q['pose_worst']} (rounds {q['pose_rounds']})",
                  f"comparison: {tp['comparison']}", ""]
    if "killed" in s:
        lines += [f"worker killed: {json.dumps(s['killed'])}", ""]
    if "scaling" in s:
        sc = s["scaling"]
        lines += [f"per-task costs: {json.dumps(sc['costs'])}",
                  f"scheduler s/task {sc['scheduler_s_per_task']:.5f}; client store CPU s/frame {sc['store_s_per_frame']:.6f} "
                  f"(store stage wall s/frame in the run {sc['store_stage_wall_s_per_frame']:.6f}); "
                  f"assumed shared FS {sc['fs_mb_s']} MB/s, client network {sc['net_mb_s']} MB/s",
                  f"frames/s each part allows: {json.dumps(sc['limits'])}", "",
                  "| worker cores | compute frames/s | projected frames/s | limit | efficiency |", "|---|---|---|---|---|"]
        for r in sc["rows"]:
            lines.append(f"| {r['worker_cores']} | {r['compute_fps']} | {r['projected_fps']} | {r['limit']} | {r['efficiency']} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description="Dask vs local pool: throughput, a killed worker, a scaling projection.")
    ap.add_argument("--video", type=Path, help="video for the throughput run (default: generated)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the generated throughput video")
    ap.add_argument("--size", default="1920x1080", help="size of the generated videos")
    ap.add_argument("--kill-seconds", type=float, default=10.0, help="length of each generated video of the kill run")
    ap.add_argument("--kill-size", default="", help="size of the kill run's videos (default: --size)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="alternated local/Dask rounds of the throughput run")
    ap.add_argument("--fs-mb-s", type=float, default=110.0, help="assumed shared file system bandwidth (1 GbE NFS)")
    ap.add_argument("--net-mb-s", type=float, default=110.0, help="assumed client network bandwidth")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: throughput,scaling,killed")
    ap.add_argument("--quick", action="store_true", help="4 s and 3 s 480x270 videos (for tests)")
    ap.add_argument("--output", type=Path, required=True)
    args = ap.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    w, h = (480, 270) if args.quick else map(int, args.size.split("x"))
    seconds, kill_s = (4.0, 3.0) if args.quick else (args.seconds, args.kill_seconds)
    summary: dict = {"cpu_count": os.cpu_count(), "workers": args.workers}
    skip = set(filter(None, args.skip.split(",")))
    if "throughput" not in skip:
        video = args.video or make_video(args.output, w, h, seconds, seed=3)
        tp = throughput(video, args.workers, args.output, args.repeat)
        tp["out"] = str(args.output)
        summary["video"] = str(video)
        summary["throughput"] = tp
    if "throughput" not in skip and "scaling" not in skip:
        costs = task_costs(video, tp, args.workers)
        sched = scheduler_overhead(args.workers)
        from core.io.keypoint_store import STORE_NAME

        store_cpu = store_cpu_s_per_frame(args.output / "dask" / video.stem / STORE_NAME)
        rows, limits = projection(costs, sched, store_cpu, args.fs_mb_s, args.net_mb_s)
        summary["scaling"] = {"costs": costs, "scheduler_s_per_task": sched, "store_s_per_frame": store_cpu,
                              "store_stage_wall_s_per_frame": tp["store_s_per_frame"],
                              "fs_mb_s": args.fs_mb_s, "net_mb_s": args.net_mb_s, "limits": limits, "rows": rows}
    if "killed" not in skip:
        kw, kh = (w, h) if args.quick or not args.kill_size else map(int, args.kill_size.split("x"))
        videos = [make_video(args.output, kw, kh, kill_s, seed=s) for s in (4, 5)]
        summary["killed"] = killed_worker(videos, args.workers, args.output)
    (args.output / "benchmark_distributed.json").write_text(json.dumps(summary, indent=1, default=str))
    table = markdown(summary)
    (args.output / "benchmark_distributed.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
