"""``report.html`` of one analysed input: the content of ``gait_parameters.json`` for a reader, never
recomputed. ``video_report_page(doc, images, files)`` is pure: the document in, the page out; the images are
referenced by relative path (the PNGs beside it), so the folder can be zipped and mailed."""

from __future__ import annotations

from typing import Any, Sequence

from core.constants import SIDES
from core.gait.quality import QUANTITY_LABELS
from core.report.html_parts import GRADE_WORDS, Footnotes, esc, grade_badge, href, number, page, table

# (key in a side's block, label with unit, decimals); metric rows need a scale, leg-normalised ones do not.
SIDE_ROWS = (
    ("step_time_s", "Step time (s)", 3), ("stride_time_s", "Stride time (s)", 3),
    ("stance_pct", "Stance (% of cycle)", 1), ("swing_pct", "Swing (% of cycle)", 1),
    ("double_support_pct", "Double support (% of cycle)", 1), ("single_support_pct", "Single support (% of cycle)", 1),
    ("step_length_m", "Step length (m)", 3), ("stride_length_m", "Stride length (m)", 3),
    ("step_width_m", "Step width (m)", 3),
    ("step_length_leg_norm", "Step length (leg lengths)", 3),
    ("stride_length_leg_norm", "Stride length (leg lengths)", 3),
)
# The figures, in reading order, with what they show.
FIGURES = {
    "events_review.png": "The foot at every detected event, in time order (left blue, right red): check who was "
                         "analysed and where each event fell.",
    "events_timeline.png": "Heel and toe trajectories with the detected heel strikes and toe offs.",
    "angles.png": "Hip, knee and ankle angles over the gait cycle (mean and SD, left and right).",
}


def _no_scale(doc: dict) -> str:
    return f"no metric scale: {doc.get('scale_source') or 'unknown'} (give --subject-height for metres and m/s)"


def _side_cell(doc: dict, side: str, key: str, digits: int, notes: Footnotes) -> str:
    """'mean +/- SD (CV %)', the mean with its variability withheld, or 'not measured' with the reason."""
    entry = (doc.get(side) or {}).get(key)
    if not entry or entry.get("mean") is None:
        if key.endswith("_m") and doc.get("m_per_unit") is None:
            why = _no_scale(doc)
        elif key == "step_width_m" and (doc.get("data") or {}).get("is_2d"):
            why = "step width needs 3-D landmarks (a side view shows no width)"
        else:
            why = f"no accepted {'step' if key.startswith('step') else 'stride'} on this side"
        return f'<span class="na">not measured{notes.mark(why)}</span>'
    text = esc(number(entry["mean"], digits))
    if entry.get("sd") is not None:
        cv = number(entry.get("cv_pct"), 1)
        return f"{text} &plusmn; {esc(number(entry['sd'], digits))}" + (f" (CV {esc(cv)} %)" if cv else "")
    withheld = doc.get("variability_withheld") or {}
    if f"{side}_{key}" in (withheld.get("entries") or []):
        reason = f"variability (SD, CV) withheld: {withheld.get('reason')}"
        return f'{text} <span class="withheld">SD withheld{notes.mark(reason)}</span>'
    return f"{text} (n={esc(entry.get('n'))})"


def _symmetry_cell(doc: dict, key: str, notes: Footnotes) -> str:
    entry = (doc.get("symmetry") or {}).get(key)
    if entry is None:
        return '<span class="na">&ndash;</span>'
    if entry.get("si_pct") is None:
        reason = entry.get("reason") or "not computable (a side has no value)"
        return f'<span class="withheld">withheld{notes.mark("symmetry withheld: " + reason)}</span>'
    text = esc(number(entry["si_pct"], 1))
    interval = entry.get("si_interval_pct")
    if interval and None not in interval:
        text += f" (90 % interval {esc(number(interval[0], 1))} to {esc(number(interval[1], 1))})"
    return text


def _parameter_table(doc: dict, notes: Footnotes) -> str:
    rows = []
    for key, label, digits in SIDE_ROWS:
        if key == "step_width_m" and all(not (doc.get(s) or {}).get(key) for s in SIDES):
            continue  # never measured on 2-D video; said once in the footnotes when a scale exists
        rows.append([esc(label), *(_side_cell(doc, s, key, digits, notes) for s in SIDES),
                     _symmetry_cell(doc, key, notes)])
    counts = [esc((doc.get(s) or {}).get("n_strides_used", 0)) for s in SIDES]
    rows.append(["Strides used (n)", *counts, ""])
    formula = (doc.get("units") or {}).get("symmetry_si_pct") or "100 |L - R| / (0.5 (L + R))"
    legend = (f"<p class=foot>Symmetry index (%) = {esc(formula)} of the sides' medians (0: symmetric); "
              "&ndash;: no index for this parameter. CV: coefficient of variation.</p>")
    return table(["Parameter (unit)", "Left: mean &plusmn; SD", "Right: mean &plusmn; SD",
                  "Symmetry index (%)"], rows) + legend


def _key_figures(doc: dict, notes: Footnotes) -> str:
    quality = doc.get("confidence") or {}
    cadence = number(doc.get("cadence_steps_per_min"), 1)
    cadence_block = doc.get("cadence") or {}
    source = " (from the legs' periodicity)" if cadence_block.get("source") == "periodicity" else ""
    speed, unit = number(doc.get("walking_speed_m_s"), 2), "m/s"
    if speed is None:
        speed, unit = number(doc.get("walking_speed_leg_norm_per_s"), 2), "leg lengths/s"
        if doc.get("m_per_unit") is None and speed is not None:
            unit += notes.mark(_no_scale(doc))
    trust = quality.get("trust") or {}

    def graded(quantity: str) -> str:
        """The quantity's own grade beside its figure when it is not high."""
        grade = (trust.get(quantity) or {}).get("grade")
        return "" if grade in (None, "high") else f"<br>{esc(QUANTITY_LABELS[quantity])}: {grade_badge(grade)}"

    boxes = [
        (cadence or "none", f"cadence (steps/min){esc(source)}{graded('cadence')}"),
        (speed or "none", f"walking speed ({unit}){graded('lengths')}"),
        (esc(doc.get("n_strides_used", 0)), f"strides used ({esc(doc.get('n_strides_rejected', 0))} rejected)"),
        (grade_badge(quality.get("grade")), "confidence (overall)"),
    ]
    cells = "".join(f'<div class="key"><b>{v}</b><span>{k}</span></div>' for v, k in boxes)
    return f'<div class="keys">{cells}</div>'


def _confidence(doc: dict) -> str:
    quality = doc.get("confidence")
    if not quality:
        return "<h2>Confidence</h2><p>No confidence grade was computed for this analysis.</p>"
    grade = quality.get("grade")
    lines = [f"<h2>Confidence</h2><p>Overall {grade_badge(grade)}: {esc(GRADE_WORDS.get(grade, 'not graded'))}. "
             "The grade comes from the analysis' own evidence (no ground truth); each quantity has its own.</p>"]
    rows = []
    for key, label in QUANTITY_LABELS.items():
        trust = (quality.get("trust") or {}).get(key)
        if trust is None:
            continue
        why = "".join(f"<li>{esc(r)}</li>" for r in trust.get("reasons") or [])
        rows.append([esc(label), grade_badge(trust.get("grade")), f"<ul>{why}</ul>" if why else "all checks passed"])
    lines.append(table(["Quantity", "Grade", "Why"], rows, numeric_from=99))
    return "".join(lines)


def _who(doc: dict) -> str:
    data, person = doc.get("data") or {}, doc.get("person") or {}
    facts = [f"{esc(data.get('n_frames', '?'))} frames at {esc(number(data.get('rate_hz'), 2) or '?')} Hz "
             f"({esc(number(data.get('duration_s'), 1) or '?')} s), landmarks in {esc(data.get('units', '?'))}, "
             f"{'2-D' if data.get('is_2d') else '3-D'}",
             f"events: {esc(doc.get('event_method') or '?')}"
             + (f", heel strikes at {esc(doc['heel_strike_timing'])}" if doc.get("heel_strike_timing") else "")]
    ground = doc.get("ground") or {}
    if ground.get("camera_motion"):
        facts.append(f"camera: {esc(ground['camera_motion'])} (from {esc(ground.get('source') or '?')})")
    for key in ("summary", "why"):
        if person.get(key):
            facts.append(f"person: {esc(person[key])}")
    return "<h2>Who and what was analysed</h2><ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>"


def _angles(doc: dict) -> str:
    rows = []
    for key, s in (doc.get("angles") or {}).items():
        rom, sd = number(s.get("rom_deg"), 1), number(s.get("rom_sd_deg"), 1)
        rows.append([esc(key.replace("_", " ")), esc(rom or "none") + (f" &plusmn; {esc(sd)}" if sd else ""),
                     esc(number(s.get("min_deg"), 1) or "none"), esc(number(s.get("max_deg"), 1) or "none"),
                     esc(s.get("n", 0))])
    if not rows:
        return ""
    headers = ["Joint", "Range of motion (deg)", "Min (deg)", "Max (deg)", "Cycles (n)"]
    return "<h2>Joint angles</h2>" + table(headers, rows)


def _evaluation(doc: dict) -> str:
    ev = doc.get("evaluation")
    if not ev:
        return ""
    rows = []
    for key, label in (("overall", "all events"), ("heel_strike", "heel strikes"), ("toe_off", "toe offs")):
        e = ev.get(key) or {}
        rows.append([label, *(esc(number(e.get(k), 2) or "none") for k in ("precision", "recall", "f1")),
                     esc(number(e.get("mae_ms"), 1) or "none"), esc(number(e.get("bias_ms"), 1) or "none")])
    tolerance = esc(number(ev.get("tolerance_ms"), 0) or "?")
    return (f"<h2>Against the annotated events (within &plusmn;{tolerance} ms)</h2>"
            + table(["Events", "Precision", "Recall", "F1", "Mean abs. error (ms)", "Bias (ms)"], rows))


def _figures(images: Sequence[str]) -> str:
    """The plots other than the contact sheet (shown with who was analysed); a line when there is no plot."""
    shown = [name for name in FIGURES if name in images and name != "events_review.png"]
    if not images:
        return ("<h2>Plots</h2><p>No plots beside this page (they are written when the analysis runs without "
                "<code>--no-plots</code>).</p>")
    return "<h2>Plots</h2>" + "".join(f'<figure><img src="{href(n)}" alt="{esc(n)}"><figcaption>{esc(FIGURES[n])}'
                                      "</figcaption></figure>" for n in shown)


def video_report_page(doc: dict[str, Any], images: Sequence[str] = (), files: Sequence[str] = ()) -> str:
    """The HTML page of one analysis. doc: the content of ``gait_parameters.json``; images: names of the PNGs
    beside the page to show (of FIGURES; others are ignored); files: other files of the folder to link."""
    notes = Footnotes()
    name = str(doc.get("name") or "recording")
    head = (f"<h1>Gait report: {esc(name)}</h1><p class=sub>Spatiotemporal parameters per side, with the confidence "
            "the analysis has in each; all values as in gait_parameters.json.</p>")
    parts = [head, _key_figures(doc, notes), _confidence(doc), "<h2>Spatiotemporal parameters</h2>",
             _parameter_table(doc, notes), notes.html(), _who(doc)]
    if "events_review.png" in images:
        parts.append(f'<figure><img src="{href("events_review.png")}" alt="events review">'
                     f'<figcaption>{esc(FIGURES["events_review.png"])}</figcaption></figure>')
    if doc.get("notes"):
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in doc["notes"]) + "</ul>")
    parts += [_figures(images), _angles(doc), _evaluation(doc)]
    if files:
        links = "".join(f'<li><a href="{href(f)}">{esc(f)}</a></li>' for f in files)
        parts.append(f"<h2>Files</h2><ul>{links}</ul>")
    return page(f"Gait report: {name}", "\n".join(p for p in parts if p))
