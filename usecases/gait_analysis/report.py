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
            low = r.summary.get("confidence") == "low"
            print(f"OK      {'LOW CONFIDENCE  ' if low else ''}{r.source} -> {r.output_dir} ({cad_txt})")
            if low and r.summary.get("confidence_reasons"):
                print(f"        why: {r.summary['confidence_reasons']}")
            for note in r.notes:
                print(f"        note: {note}")
    if results.failures:
        width = max(len(r.source) for r in results.failures)
        print(f"\n{len(results.failures)} of {len(results.inputs)} input(s) failed:")
        for r in results.failures:
            print(f"FAILED  {r.source:<{width}}  {r.error}")
        print(f"(also in {results.output_dir / 'failures.json'})")
    if not quiet and results.performance:
        from core.performance_optimizer import format_performance_table

        print("\n" + format_performance_table(results.performance))
