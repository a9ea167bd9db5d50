"""End-of-run console report, and the built-in demo input."""

from __future__ import annotations

from pathlib import Path

from usecases.gait_analysis.pipeline import PipelineResults


def demo_input(output_dir: Path) -> Path:
    """Generate (once) the synthetic demo walking video and its ground truth under ``output_dir``."""
    from core.synthetic import GaitParams, generate_walking_video

    path = output_dir / "demo_input" / "synthetic_walk.mp4"
    if not path.exists():
        generate_walking_video(path, GaitParams(duration_s=8.0, fps=30.0, width_px=960, height_px=540, seed=0))
    return path


def print_results(results: PipelineResults, quiet: bool = False) -> None:
    """Per-input lines, the failure table, and the performance table."""
    ok = [r for r in results.inputs if r.status == "ok"]
    if not quiet:
        for r in ok:
            cad = r.summary.get("cadence_steps_per_min")
            cad_txt = f"cadence {cad:.1f} steps/min" if isinstance(cad, (int, float)) else "no cadence"
            print(f"OK      {r.source} -> {r.output_dir} ({cad_txt})")
            for note in r.notes:
                print(f"        note: {note}")
    if results.failures:
        width = max(len(r.source) for r in results.failures)
        print(f"\n{len(results.failures)} of {len(results.inputs)} input(s) failed:")
        for r in results.failures:
            print(f"FAILED  {r.source:<{width}}  {r.error}")
        print(f"(also in {results.output_dir / 'failures.json'})")
    if not quiet and results.training and results.training.get("mode") == "train":
        print("\n" + "\n".join(training_lines(results.training["summary"], results.training["output_dir"])))
    if not quiet and results.performance:
        from core.performance_optimizer import format_performance_table

        print("\n" + format_performance_table(results.performance))


def _fold_values(entry: dict | None) -> str:
    if not entry:
        return "n/a"
    folds = ", ".join(f"{v:.3f}" for v in entry["per_fold"])
    return f"{entry['mean']:.3f} +/- {entry['sd']:.3f} (folds: {folds})"


def training_lines(summary: dict, output_dir: str) -> list[str]:
    """The TCN's cross-validated score beside its baseline's on the same folds, per fold and mean."""
    task, metric = summary["task"], summary["headline_metric"]
    head = (f"TCN {task}: {summary['n_videos']} videos, {summary['n_folds']} grouped folds "
            f"(results in {output_dir})")
    lines = [head, f"  TCN       {metric}: {_fold_values(summary['metrics'].get(metric))}"]
    base = summary.get("baseline")
    if base is not None:
        lines.append(f"  baseline  {metric}: {_fold_values(base.get(metric))}  [{base['model']}]")
    elif task == "events" and summary.get("pseudo_labels"):
        lines.append("  baseline  n/a: the labels are the kinematic detector's own events")
    else:
        lines.append("  baseline  n/a: no gait parameters for every video")
    return lines
