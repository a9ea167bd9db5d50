"""The HTML reports: a hand-made analysis document in, a page out (values as given, withheld ones with their
reason, input strings escaped), and the run's index."""

from __future__ import annotations

import re

from core.gait.quality import Quality, supported_only
from core.report.html_index import index_page
from core.report.html_page import video_report_page

EVIL = '<script>alert("x")</script>walk'


def _side(step_s: float, sd: float | None) -> dict:
    stat = lambda mean: {"mean": mean, "sd": sd, "n": 5, "cv_pct": None if sd is None else 100 * sd / mean}  # noqa: E731
    return {"step_time_s": stat(step_s), "stride_time_s": stat(2 * step_s), "stance_pct": stat(61.0),
            "swing_pct": stat(39.0), "double_support_pct": stat(11.0), "single_support_pct": stat(39.0),
            "step_length_m": None, "stride_length_m": None, "step_width_m": None,
            "step_length_leg_norm": stat(0.75), "stride_length_leg_norm": stat(1.5), "n_strides_used": 5}


def _doc(grade: str = "low") -> dict:
    """What ``gait_parameters.json`` holds for a pixel video without a scale, graded ``grade``."""
    reasons = ["left and right stride times differ by 7.1 %"] if grade == "low" else []
    trust = {"grade": grade, "reasons": reasons}
    quality = Quality(grade, reasons, {"step_time_si_interval_pct": [-3.0, 9.0]},
                      {k: dict(trust) for k in ("cadence", "event_timing", "symmetry", "lengths")})
    params = {"cadence_steps_per_min": 112.345, "walking_speed_m_s": None, "walking_speed_leg_norm_per_s": 1.234,
              "left": _side(0.55, 0.01), "right": _side(0.52, 0.01),
              "symmetry": {"step_time_s": {"si_pct": 5.6, "ratio_left_right": 1.06, "n_left": 5, "n_right": 5}},
              "n_strides_used": 10, "n_strides_rejected": 1}
    return {"name": EVIL, **supported_only(params, quality), "m_per_unit": None,
            "scale_source": "unknown (pixels without subject height)", "event_method": "zeni_refined",
            "data": {"units": "px", "is_2d": True, "n_frames": 300, "rate_hz": 30.0, "duration_s": 10.0},
            "notes": ["a note with <b>markup</b>"], "confidence": quality.as_dict(), "evaluation": None}


def _text(page: str) -> str:
    """The page's visible text (no style sheet, no tags; entities kept)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))


def test_page_shows_the_values_as_given_with_units():
    page = _text(video_report_page(_doc("high"), images=["angles.png"]))
    assert "112.3" in page and "cadence (steps/min)" in page
    assert "0.550 &plusmn; 0.010" in page and "Step time (s)" in page
    assert "1.23" in page and "leg lengths/s" in page  # no scale: the leg-normalised speed, said so
    assert page.count("not measured") == 4 and "give --subject-height" in page  # metric lengths, both sides
    assert "5.6 (90 % interval -3.0 to 9.0)" in page and "withheld" not in page


def test_withheld_values_show_as_withheld_with_their_reason():
    text = _text(video_report_page(_doc("low")))
    assert "SD withheld" in text and "symmetry withheld" in text
    assert "confidence low: left and right stride times differ by 7.1 %" in text
    assert "5.6" not in text  # the withheld symmetry index is not shown
    assert "0.550" in text  # the mean is kept, only its variability withheld


def test_input_strings_are_escaped():
    page = video_report_page(_doc(), files=['<img src=x onerror="y">.csv'])
    assert "<script>" not in page and "<b>markup" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;walk" in page
    assert "&lt;b&gt;markup&lt;/b&gt;" in page


def test_images_are_linked_only_when_given():
    with_plots = video_report_page(_doc(), images=["events_review.png", "angles.png", "other.png"])
    assert re.findall(r'<img src="([^"]+)"', with_plots) == ["events_review.png", "angles.png"]
    without = video_report_page(_doc(), images=[])
    assert "<img" not in without and "--no-plots" in without


def test_index_links_reports_and_lists_failures_with_reasons():
    summary = {"cadence_steps_per_min": 104.26, "walking_speed_m_s": 1.127, "n_strides_used": 9,
               "confidence": "medium", "confidence_cadence": "high", "confidence_lengths": "low"}
    page = index_page([
        {"input": "a.mp4", "name": EVIL, "status": "ok", "summary": summary, "notes": ["n"], "report": "a/report.html"},
        {"input": "b.mp4", "name": "b", "status": "failed", "kind": "video", "reason": "no person <found>"},
    ])
    assert '<a href="a/report.html">' in page and "<script>" not in page
    assert "104.3" in page and "1.13 m/s" in page and "grade-medium" in page and "grade-low" in page
    assert "b.mp4" in page and "no person &lt;found&gt;" in page and "1 analysed, 1 failed" in page
