"""Pieces shared by the HTML reports (``html_page``, ``html_index``): page frame with inline CSS, escaping,
number formatting, tables and footnotes. Pure string building: no files, no JavaScript."""

from __future__ import annotations

import html
import math
from typing import Any, Iterable, Sequence
from urllib.parse import quote

GRADE_WORDS = {
    "high": "every check of the analysis' own evidence passed",
    "medium": "one check was doubtful (reasons below)",
    "low": "a check found the result implausible, or two were doubtful (reasons below)",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;max-width:60rem;
margin:1.5rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #ccc}
.sub{color:#555;margin:0 0 1rem}
table{border-collapse:collapse;margin:.3rem 0 .6rem;font-size:.92rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
td ul{margin:0;padding-left:1.1rem}th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.keys{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
.key{border:1px solid #bbb;border-radius:.3rem;padding:.4rem .7rem;min-width:9rem}
.key b{display:block;font-size:1.35rem}.key span{color:#555;font-size:.85rem}
.grade{font-weight:bold;padding:0 .35rem;border-radius:.2rem;border:1px solid}
.grade-high{color:#1b5e20;border-color:#1b5e20}.grade-medium{color:#8a5a00;border-color:#8a5a00}
.grade-low{color:#b71c1c;border-color:#b71c1c}.grade-none{color:#555;border-color:#999}
.withheld{font-style:italic;color:#8a5a00}.na{color:#777}
.foot{font-size:.85rem;color:#333}ol.foot{padding-left:1.4rem}
figure{margin:.6rem 0 1rem;break-inside:avoid}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85rem;color:#555}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}table,.keys{break-inside:avoid}a{color:inherit}}
"""


def esc(value: Any) -> str:
    """``value`` as text, HTML-escaped (quotes too: safe inside attributes)."""
    return html.escape(str(value), quote=True)


def href(path: str) -> str:
    """A relative path as a link target: percent-encoded, then escaped for the attribute."""
    return esc(quote(path.replace("\\", "/")))


def number(value: Any, digits: int = 2) -> str | None:
    """``value`` with ``digits`` decimals; None when missing or not finite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return f"{v:.{digits}f}" if math.isfinite(v) else None


def grade_badge(grade: str | None) -> str:
    """The grade as a coloured word ("not graded" when missing)."""
    if grade not in GRADE_WORDS:
        return '<span class="grade grade-none">not graded</span>'
    return f'<span class="grade grade-{grade}">{esc(grade)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int = 1, last_text: bool = False) -> str:
    """A table of already-escaped cells; columns from ``numeric_from`` on are right-aligned (the last one not,
    with ``last_text``)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    last = len(headers) - 1 if last_text else len(headers)
    def cls(i: int) -> str:
        return " class=num" if numeric_from <= i < last else " class=why" if i == last else ""

    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Footnotes:
    """Numbered reasons (each once) for cells that show a withheld or unmeasured value."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def mark(self, reason: str) -> str:
        """``[n]`` for ``reason`` (its first number when seen before)."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        return f"<sup>[{self.reasons.index(reason) + 1}]</sup>"

    def html(self) -> str:
        if not self.reasons:
            return ""
        items = "".join(f"<li>{esc(r)}</li>" for r in self.reasons)
        return f'<ol class="foot">{items}</ol>'


def page(title: str, body: str, wide: bool = False) -> str:
    """A complete, self-contained HTML document (inline CSS; ``title`` is escaped here, ``body`` is not);
    ``wide`` for a table of many columns."""
    extra = "body{max-width:90rem}td.why{min-width:14rem}" if wide else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}{extra}</style></head>\n<body>\n{body}\n</body></html>\n")
