"""Files of one gait analysis, and the one-row-per-input summary CSV.

``angles_cycles.csv`` is long format, one row per sample: ``side,joint,cycle,pct,angle_deg``
(cycle = 0-based index among that side's accepted strides, pct = 0..100 % of the gait cycle).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.constants import SIDES
from core.gait.kinematics import JOINTS
from core.io.atomic import save_figure, write_json, write_text
from core.io.events_csv import write_events_csv
from core.io.landmarks_csv import write_landmarks_csv
from core.io.trc import write_trc
from core.types import KeypointSeries

if TYPE_CHECKING:  # the analysis (and scipy) is not imported by a run that only writes the summary
    from core.gait.analysis import GaitResult

CONTRACT_SIDE_KEYS = ("step_time_s", "stride_time_s", "stance_pct", "swing_pct", "double_support_pct", "step_length_m")


def safe_stem(name: str) -> str:
    """A file-name-safe version of ``name`` ("recording" when empty)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return stem or "recording"


def parameters_document(result: GaitResult) -> dict[str, Any]:
    """The content of ``gait_parameters.json``: parameters plus context, notes and evaluation."""
    s = result.series
    angles = {key: {k: v for k, v in summary.items() if k not in ("mean", "sd")}
              for key, summary in result.summaries.items()}
    return {
        "name": result.name,
        **result.parameters,
        "event_method": result.detection.method,
        "heel_strike_timing": result.detection.heel_strike or None,
        "heel_strikes_at_impact": None if s.units == "px" else result.detection.impact_heel_strikes,
        "event_refinement": result.detection.refinement(),
        "data": {"units": s.units, "is_2d": s.is_2d, "n_frames": s.n_frames, "rate_hz": round(s.rate_hz, 6),
                 "duration_s": float(s.time_s[-1] - s.time_s[0]) if s.n_frames else 0.0,
                 "forward": [float(v) for v in result.forward], "n_swapped_frames": int(np.sum(result.swapped))},
        "n_events": {f"{side}_{ev}": sum(1 for e in result.events if e.side == side and e.event == ev)
                     for side in SIDES for ev in ("heel_strike", "toe_off")},
        "rejected_events": [{"side": e.side, "event": e.event, "frame": e.frame, "time_s": e.time_s, "reason": r}
                            for e, r in result.detection.rejected],
        "angles": angles,
        "notes": list(result.notes),
        "confidence": result.quality.as_dict() if result.quality else None,
        "evaluation": result.evaluation,
    }


def add_notes(parameters_path: Path, notes: list[str]) -> None:
    """Put ``notes`` about the input itself (the video's decoding, the person finder, the review) before the
    analysis' own notes in an existing ``gait_parameters.json``, each once (no-op without the file)."""
    from core.io.atomic import read_json

    path = Path(parameters_path)
    if not notes or not path.is_file():
        return
    doc = read_json(path)
    known = list(doc.get("notes") or [])
    doc["notes"] = [n for n in dict.fromkeys(notes) if n not in known] + known
    write_json(path, doc)


def format_angles_cycles_csv(result: GaitResult) -> str:
    """Long-format CSV text of every normalised angle cycle."""
    buf = io.StringIO()
    buf.write("side,joint,cycle,pct,angle_deg\n")
    for side in SIDES:
        for joint in JOINTS:
            cycles = result.cycles[f"{side}_{joint}"]
            pct = np.linspace(0.0, 100.0, cycles.shape[1])
            for c, cycle in enumerate(cycles):
                buf.writelines(f"{side},{joint},{c},{p:g},{a:.3f}\n" for p, a in zip(pct, cycle))
    return buf.getvalue()


def write_gait_outputs(
    out_dir: Path, result: GaitResult, plots: bool = True, *, chunk_frames: int, source: KeypointSeries | None = None,
) -> list[Path]:
    """Write every output file of ``result`` into ``out_dir`` (the PNGs only with ``plots``); returns the paths.
    The landmarks (CSV, TRC, each with its ``.meta.json`` sidecar) are the analysed input ``source`` as
    it came in (default: the preprocessed series), so that feeding them back gives the same analysis. Video with a
    known scale (``--subject-height``) also gets ``<name>_m.trc``: the preprocessed landmarks in metres in the ground
    frame, for OpenSim (``GaitResult.metric_series``).
    The per-frame files (landmarks CSV, TRC) are formatted ``chunk_frames`` rows at a time."""
    from core.report.gait_plots import plot_angle_cycles, plot_event_timeline

    out_dir = Path(out_dir)
    paths = {
        "events": out_dir / "events.csv",
        "parameters": out_dir / "gait_parameters.json",
        "cycles": out_dir / "angles_cycles.csv",
        "landmarks": out_dir / "landmarks.csv",
        "trc": out_dir / f"{safe_stem(result.name)}.trc",
        "angles_png": out_dir / "angles.png",
        "timeline_png": out_dir / "events_timeline.png",
    }
    write_events_csv(paths["events"], result.events)
    write_json(paths["parameters"], parameters_document(result))
    write_text(paths["cycles"], format_angles_cycles_csv(result))
    landmarks = source if source is not None else result.series
    write_landmarks_csv(paths["landmarks"], landmarks, chunk_frames=chunk_frames)
    write_trc(paths["trc"], landmarks, _rate_hz(landmarks), chunk_frames=chunk_frames)
    metric = result.metric_series()
    if metric is not None:
        paths["trc_m"] = out_dir / f"{safe_stem(result.name)}_m.trc"
        write_trc(paths["trc_m"], metric, _rate_hz(metric), chunk_frames=chunk_frames)
    if not plots:
        return [p for k, p in paths.items() if not k.endswith("_png")]
    save_figure(plot_angle_cycles(result), paths["angles_png"])
    save_figure(plot_event_timeline(result), paths["timeline_png"])
    return list(paths.values())


def _rate_hz(series: KeypointSeries) -> float:
    """The TRC header's rate: the median sampling rate, else the video's frame rate, else 30."""
    return series.rate_hz if np.isfinite(series.rate_hz) else float(series.meta.get("fps") or 30.0)


def _flat(prefix: str, value: Any, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}_{k}", v, row)
    elif value is None or isinstance(value, (int, float, str, bool, np.integer, np.floating)):
        row[prefix] = value


def summary_row(result: GaitResult) -> dict[str, Any]:
    """One flat row: name, cadence, speed, per-side means, strides, detection/evaluation scores."""
    p = result.parameters
    ground = p.get("ground") or {}
    row: dict[str, Any] = {
        "name": result.name,
        "units": result.series.units,
        "event_method": result.detection.method,
        "heel_strike_timing": result.detection.heel_strike,
        "event_refiner": result.detection.refiner,
        "n_events": len(result.events),
        "n_events_rejected": len(result.detection.rejected),
        "n_strides_used": p["n_strides_used"],
        "n_strides_rejected": p["n_strides_rejected"],
        "cadence_steps_per_min": p["cadence_steps_per_min"],
        "walking_speed_m_s": p["walking_speed_m_s"],
        "walking_speed_leg_norm_per_s": p.get("walking_speed_leg_norm_per_s"),
        "m_per_unit": result.m_per_unit,
        "camera_motion": ground.get("camera_motion"),
        "ground_source": ground.get("source"),
        "n_bouts": len(result.bouts),
        "confidence": result.quality.grade if result.quality else None,
        "confidence_reasons": "; ".join(result.quality.reasons) if result.quality else None,
        **{f"confidence_{quantity}": trust["grade"]
           for quantity, trust in (result.quality.trust if result.quality else {}).items()},
    }
    for side in SIDES:
        for key in (*CONTRACT_SIDE_KEYS, "single_support_pct", "stride_length_m", "step_length_leg_norm"):
            entry = p[side].get(key)
            row[f"{side}_{key}"] = entry["mean"] if entry else None
        for joint in JOINTS:
            row[f"{side}_{joint}_rom_deg"] = result.summaries[f"{side}_{joint}"]["rom_deg"]
    for key, sym in p["symmetry"].items():
        row[f"symmetry_{key}_si_pct"] = sym["si_pct"]
    if result.evaluation:
        _flat("eval", result.evaluation, row)
    return row


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)


SUMMARY_LEADING_COLUMNS = ("input", "kind", "status", "reason")


def write_summary_csv(path: str | Path, rows: list[dict[str, Any]]) -> None:
    """One row per input; the columns are ``SUMMARY_LEADING_COLUMNS``, then the union of the rows' other
    keys in first-seen order (an empty run still gets the header)."""
    columns: list[str] = list(SUMMARY_LEADING_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    write_text(path, buf.getvalue())
