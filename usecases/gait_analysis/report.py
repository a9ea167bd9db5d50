"""End-of-run console report, and the built-in demo input."""

from __future__ import annotations

from pathlib import Path

from core.gait.quality import QUANTITY_LABELS
from usecases.gait_analysis.results import PipelineResults


DEMO_PARAMS = {"duration_s": 8.0, "fps": 30.0, "width_px": 960, "height_px": 540, "seed": 0}


def demo_input(output_dir: Path) -> Path:
    """Generate (once) the synthetic demo walking video under ``output_dir/demo_input/``, with its
    ground truth beside it (``.truth.json`` and ``.events.csv``, the latter used as --events)."""
    from core.io.events_csv import write_events_csv
    from core.synthetic import GaitParams, generate_walking_video, truth_to_events

    path = output_dir / "demo_input" / "synthetic_walk.mp4"
    if not path.exists():
        generate_walking_video(path, GaitParams(**DEMO_PARAMS))
    events = path.with_name(path.stem + ".events.csv")
    if not events.exists():
        from core.io.atomic import read_json
        from core.synthetic import truth_path

        write_events_csv(events, truth_to_events(read_json(truth_path(path))))
    return path


def demo_check(results: PipelineResults, video: Path, tolerance_ms: float) -> str:
    """One line: how far the demo's result is from the demo video's known truth (event F1, cadence)."""
    from core.io.atomic import read_json
    from core.synthetic import truth_path

    done = [r for r in results.inputs if r.status == "ok" and Path(r.source).resolve() == Path(video).resolve()]
    if not done:
        return "demo self-check: the demo video was not analysed (see the failure above)"
    summary = done[0].summary
    truth_cadence = float(read_json(truth_path(video))["cadence_steps_per_min"])
    cadence, f1 = summary.get("cadence_steps_per_min"), summary.get("eval_overall_f1")
    f1_text = f"event F1 {f1:.2f} (within +/-{tolerance_ms:.0f} ms)" if f1 is not None else "no event evaluation"
    if cadence is None:
        return f"demo self-check against the video's known truth: {f1_text}; no cadence"
    error_pct = 100.0 * (cadence / truth_cadence - 1.0)
    return (f"demo self-check against the video's known truth: {f1_text}; cadence {cadence:.1f} steps/min "
            f"vs {truth_cadence:.1f} true ({error_pct:+.1f}%)")


def trust_line(summary: dict) -> str:
    """'cadence high, event timing (...) low, symmetry low': the per-quantity grades of a summary row."""
    grades = [(label, summary.get(f"confidence_{key}")) for key, label in QUANTITY_LABELS.items()]
    return ", ".join(f"{label} {grade}" for label, grade in grades if grade)


def print_results(results: PipelineResults, quiet: bool = False) -> None:
    """Per-input lines, the failure table, and the performance table."""
    ok = [r for r in results.inputs if r.status == "ok"]
    if not quiet:
        for r in ok:
            cad = r.summary.get("cadence_steps_per_min")
            cad_txt = f"cadence {cad:.1f} steps/min" if isinstance(cad, (int, float)) else "no cadence"
            grade = r.summary.get("confidence")
            print(f"OK      {'LOW CONFIDENCE  ' if grade == 'low' else ''}{r.source} -> {r.output_dir} ({cad_txt})")
            weak = any(r.summary.get(f"confidence_{key}") not in (None, "high") for key in QUANTITY_LABELS)
            if grade in ("low", "medium") or weak:
                print(f"        confidence {grade}: {trust_line(r.summary)}")
                if r.summary.get("confidence_reasons"):
                    print(f"        why: {r.summary['confidence_reasons']}")
            for note in r.notes:
                print(f"        note: {note}")
    if results.failures:
        # Each reason was printed once on stderr as it happened; the table names the inputs only.
        print(f"\n{len(results.failures)} of {len(results.inputs)} input(s) failed (reasons above, and in "
              f"{results.output_dir / 'failures.json'} and summary.csv):")
        for r in results.failures:
            print(f"FAILED  {r.source}")
    if not quiet and results.training and results.training.get("mode") == "train":
        print("\n" + "\n".join(training_lines(results.training["summary"], results.training["output_dir"])))
    if not quiet and results.performance.get("stages"):  # a run that failed before any stage has no table
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
    both = summary.get("combined")
    if both is not None:
        lines.append(f"  {both['model']} {metric}: {_fold_values(both.get(metric))}  [{both['method']}]")
    return lines
