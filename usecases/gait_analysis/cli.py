"""Command line: the only place that parses arguments. ``main()`` returns the exit code."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

log = logging.getLogger("gait_analysis")

EPILOG = """examples:
  gait-analysis                                   # analyse the built-in synthetic demo video
  gait-analysis --videos walk.mp4 --performance-mode fast
  gait-analysis --videos clips/ --subject-height 1.72 --output results/
  gait-analysis --keypoints trial.trc --events trial.events.csv
  gait-analysis --keypoints trial.c3d --events trial.c3d       # motion capture, scored on its own events
  gait-analysis --videos data/ --labels data/labels.csv --task classification --folds 3
  gait-analysis --videos /shared/clips/ --output /shared/results/ --scheduler tcp://10.0.0.5:8786
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gait-analysis",
        description="Gait analysis from ordinary video: pose, gait events, spatiotemporal parameters, "
        "joint angles, and a trainable TCN.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    io = p.add_argument_group("inputs and outputs")
    io.add_argument("--videos", nargs="+", default=[], metavar="PATH", help="video files, folders or globs")
    io.add_argument("--keypoints", nargs="+", default=[], metavar="FILE", help="TRC, C3D or landmarks CSV files to analyse without video")
    io.add_argument("--output", type=Path, metavar="DIR",
                    help="output folder, one subfolder per input (default: gait_analysis_results/)")
    io.add_argument("--events", type=Path, metavar="CSV|C3D|DIR",
                    help="annotated events (side,event,frame,time_s; or a synthetic video's .truth.json; or a "
                         "C3D file: its EVENT group, else its force plates), or a folder of <name>.events.csv "
                         "(or <name>.truth.json, <name>.c3d)")
    io.add_argument("--tolerance-ms", type=float, metavar="MS",
                    help="with --events: a detected event within this many ms of an annotated one counts as found "
                    "(default 50)")
    io.add_argument("--no-plots", action="store_true", help="skip the PNG plots (faster for large batches)")
    io.add_argument("--review-video", action="store_true", help="also write review.mp4 per video: the analysed person's box and skeleton, other people greyed, event flags")
    io.add_argument("--subject-height", type=float, metavar="M", help="subject height in metres, for metric lengths from video")
    io.add_argument("--fps", type=float, metavar="FPS",
                    help="the frame rate the videos were recorded at, for slow-motion files saved at a playback rate "
                    "(e.g. --fps 240 for 240 fps slow motion saved at 30 fps): times, cadence and speed follow it")
    io.add_argument("--heel-strike", choices=("rest", "touchdown"),
                    help="video heel strikes: where the heel comes to rest on the ground (default; matches force "
                    "plates) or where it first reaches the floor (touchdown: visible contact, e.g. on grass)")
    perf = p.add_argument_group("performance")
    perf.add_argument("--performance-mode", default="balanced", metavar="PROFILE",
                      help="fast (lite model, every 2nd frame, frames shrunk to 640 px), balanced (default: full "
                      "model, every frame, 960 px) or accurate (heavy model, every frame, native size); "
                      "or a profile of --config")
    perf.add_argument("--config", type=Path, help="profile file (default: configs/performance_optimized.json)")
    perf.add_argument("--max-memory", type=int, metavar="MB", help="memory budget for the whole process tree")
    perf.add_argument("--workers", type=int, help="pose worker processes (default: one per core)")
    perf.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786), or 'local' for a "
                      "LocalCluster of --workers processes; see docs/distributed.md")
    perf.add_argument("--no-optimizations", action="store_true", help="one process, every frame, native resolution")
    perf.add_argument("--extract-only", action="store_true", help="only build the keypoint stores (no analysis)")
    pose = p.add_argument_group("pose")
    pose.add_argument("--roi", metavar="x0,y0,x1,y1", help="restrict detection to this box (0..1 of the frame)")
    pose.add_argument("--person", default="auto", metavar="WHO",
                      help="whom to analyse: auto (default: the one who walks), largest, a track number "
                           "from people_tracks/gait_parameters.json, or frame (no person finder: whole frame)")
    pose.add_argument("--strict-models", action="store_true", help="fail instead of falling back when a model is missing")
    pose.add_argument("--prefetch-models", action="store_true", help="download the lite and heavy pose models, then exit")
    tcn = p.add_argument_group("TCN")
    tcn.add_argument("--task", choices=("events", "phases", "classification"), help="what the TCN learns")
    tcn.add_argument("--labels", type=Path, metavar="CSV", help="video,label CSV for --task classification")
    tcn.add_argument("--train", action="store_true", help="train even without --labels/--events (pseudo-labels)")
    tcn.add_argument("--model", type=Path, metavar="PATH", help="apply a trained model (.pt) or an ensemble folder")
    tcn.add_argument("--folds", type=int, help="cross-validation folds")
    tcn.add_argument("--epochs", type=int, help="training epochs")
    tcn.add_argument("--device", choices=("auto", "cpu", "cuda"), help="training device")
    out = p.add_argument_group("messages")
    out.add_argument("-v", "--verbose", action="store_true", help="more detail, and tracebacks on errors")
    out.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress bars")
    return p


def _overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    o: dict[str, dict[str, Any]] = {}
    if args.max_memory is not None:
        o.setdefault("memory", {})["max_memory_mb"] = args.max_memory
    if args.workers is not None:
        o.setdefault("parallel", {})["workers"] = args.workers
    if args.folds is not None:
        o.setdefault("training", {})["folds"] = args.folds
    if args.epochs is not None:
        o.setdefault("training", {})["epochs"] = args.epochs
    if args.heel_strike is not None:
        o.setdefault("preprocessing", {})["video_heel_strike"] = args.heel_strike
    return o


def config_from_args(args: argparse.Namespace) -> Any:
    """Validate every flag once and build the ``PipelineConfig``."""
    from core.errors import ConfigError
    from core.pose.roi import Roi
    from usecases.gait_analysis.config import create_default_config

    cfg = create_default_config(args.performance_mode, args.config, _overrides(args))
    if args.fps is not None and args.keypoints and not args.videos:
        raise ConfigError("--fps applies to --videos: TRC, C3D and landmarks CSV files carry their own rate")
    run = {
        "output_dir": args.output,
        "roi": Roi.parse(args.roi) if args.roi else None,
        "person": args.person,
        "strict_models": args.strict_models or None,
        "no_optimizations": args.no_optimizations or None,
        "extract_only": args.extract_only or None,
        "plots": False if args.no_plots else None,
        "review_video": args.review_video or None,
        "subject_height_m": args.subject_height,
        "recorded_fps": args.fps,
        "events": args.events,
        "tolerance_ms": args.tolerance_ms,
        "task": args.task,
        "labels": args.labels,
        "train": args.train or None,
        "model": args.model,
        "device": args.device,
        "verbose": args.verbose or None,
        "quiet": args.quiet or None,
        "scheduler": args.scheduler,
    }
    return replace(cfg, **{k: v for k, v in run.items() if v is not None})


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    verbose_before = os.environ.get("GAIT_VERBOSE")
    if args.verbose:
        os.environ["GAIT_VERBOSE"] = "1"
    from core.errors import GaitToolError

    # Both signals stop the run the same way, also when started from a shell that ignores SIGINT
    # for background jobs (the handler would otherwise be inherited as "ignore").
    previous = {s: signal.signal(s, _terminate) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _run(args)
    except GaitToolError as exc:
        _report_run_error(args, str(exc), exc)
        return 2
    except KeyboardInterrupt as exc:
        log.error("interrupted: workers stopped; %s",
                  _kept_message(exc) or interrupt_summary(Path(args.output or "gait_analysis_results")))
        return 130
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        _report_run_error(args, f"file system error ({exc.strerror or exc}){where}", None)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback only with -v
        _report_run_error(args, f"unexpected error: {exc!r} (rerun with -v for the traceback)", None)
        return 3
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if verbose_before is None:
            os.environ.pop("GAIT_VERBOSE", None)


def _kept_message(exc: BaseException) -> str | None:
    """What an interruption during pose extraction kept (the stored frame count); None elsewhere."""
    kept, total = getattr(exc, "frames_kept", None), getattr(exc, "frames_total", None)
    if kept is None:
        return None
    return (f"{kept} of {total} frames are stored and kept; a rerun extracts only the "
            f"{total - kept} missing")


def _report_run_error(args: argparse.Namespace, message: str, exc: Any) -> None:
    """One line on stderr (a traceback too with -v); a configuration error is also recorded in the
    output folder's failures.json, so that a stale one from an earlier run is not mistaken for this run's."""
    from core.errors import ConfigError

    if args.verbose:
        traceback.print_exc()
    log.error("error: %s", message)
    if isinstance(exc, ConfigError):
        _record_config_failure(Path(args.output or "gait_analysis_results"), exc)


def _record_config_failure(out: Path, exc: Any) -> None:
    """failures.json and index.html name the setting's error and summary.csv lists no input, so that none is
    mistaken for an earlier run's. Nothing else is printed: the error line says it all."""
    from core.errors import GaitToolError
    from core.io.atomic import write_json
    from core.io.gait_outputs import write_summary_csv
    from core.io.inputs import OutputLock
    from core.io.report_html import write_index_html

    try:
        with OutputLock(out):
            write_json(out / "failures.json", [{"input": exc.path, "kind": "config", "error": exc.reason}])
            write_summary_csv(out / "summary.csv", [])
            write_index_html(out, [{"input": exc.path or "settings", "kind": "config", "status": "failed",
                                    "reason": exc.reason}])
    except (GaitToolError, OSError):
        return  # another run owns the folder, or it cannot be written


def interrupt_summary(out: Path) -> str:
    """What an interrupted run kept, counted from the stores of the extractions it left unfinished."""
    from core.io.keypoint_store import unfinished_stores

    try:
        kept = unfinished_stores(out)
    except OSError:
        kept = {}
    frames = sum(kept.values())
    if not frames:
        return "no unfinished extraction had stored frames; a rerun starts those videos from the beginning"
    return (f"{frames} extracted frame(s) of {len(kept)} unfinished video(s) are kept in {out}; "
            "rerun the same command to resume from there")


def _prefetch() -> int:
    """``--prefetch-models``: one line per model; exit 2 when one could not be fetched."""
    from core.pose.models import prefetch_models

    outcome = prefetch_models()
    for name, problem in outcome.items():
        print(f"{name}: {'available' if problem is None else 'NOT fetched (' + problem + ')'}")
    missing = [name for name, problem in outcome.items() if problem is not None]
    if missing:
        log.error("error: could not fetch the %s model(s); is there internet access? the bundled 'full' "
                  "model still works", " and ".join(missing))
        return 2
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.prefetch_models:
        return _prefetch()
    cfg = config_from_args(args)
    from usecases.gait_analysis.pipeline import GaitAnalysisPipeline
    from usecases.gait_analysis.report import demo_input, print_results

    videos = list(args.videos)
    demo = None
    if not videos and not args.keypoints:
        demo = demo_input(Path(cfg.output_dir))
        videos = [str(demo)]
        cfg = replace(cfg, events=cfg.events or demo.parent)  # its truth, to check itself against
        log.info("no --videos or --keypoints given: analysing the built-in synthetic demo video %s "
                 "(its camera pans with the walker)", videos[0])
    results = GaitAnalysisPipeline(cfg).run_complete_pipeline(videos, args.keypoints)
    print_results(results, quiet=args.quiet)
    if demo is not None:
        from usecases.gait_analysis.report import demo_check

        print(demo_check(results, demo, cfg.tolerance_ms))
    return results.exit_code


if __name__ == "__main__":
    sys.exit(main())
