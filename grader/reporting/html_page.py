"""A student's feedback page: the report as one self-contained HTML file.

No network: the stylesheet is inline, the cost curve of gradient descent is an inline
SVG (``grader.reporting.svg``), and the page loads nothing; its Content-Security-Policy
(``CSP``) forbids every fetch, so even a link or image that slipped into the Markdown
would load nothing.  Both pages are rendered from ``templates/`` by one Jinja2
environment with autoescape on, so every value a template prints is HTML-escaped
unless it is ``Markup``: the only ``Markup`` is item feedback, the report's Markdown
rendered by mistune with raw HTML escaped (student text in it is in code spans and
blocks or Markdown-escaped, see ``grader.checking.feedback`` and
``grader.reporting.escaping``).  ``StrictUndefined`` turns a misspelt or missing
template variable into an error instead of an empty string.  Items that are not
visible show only passed/failed, as Gradescope would before release.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import mistune
from markupsafe import Markup

from grader._fs import write_atomically
from grader.reporting import svg

TEMPLATES = Path(__file__).with_name("templates")
# Inline styles are all the pages use; nothing may be fetched, framed, submitted or used as a base.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The pages' one template environment: escaping by default, no silent blanks."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render_template(name: str, **context: Any) -> str:
    """``templates/<name>`` rendered with ``context`` and the policy every page carries."""
    return environment().get_template(name).render(csp=CSP, **context)


@dataclass(frozen=True)
class ItemView:
    """One rubric item as the page shows it."""

    id: str
    name: str
    passed: bool
    visible: bool
    badge: str
    feedback: Markup
    curve: svg.CostCurve | None


def render(report: dict[str, Any], show_hidden: bool = False) -> str:
    """The whole page for one report."""
    extra = report.get("extra_data", {})
    tests = list(report.get("tests", []))
    total = sum(float(t.get("max_score", 0)) for t in tests)
    student = str(extra.get("student", "") or "submission")
    series = extra.get("series") if isinstance(extra.get("series"), dict) else {}
    items = [_item(t, series, show_hidden) for t in tests]
    return render_template(
        "page.html", title=f"Feedback: {student} ({extra.get('assignment', '')})",
        score=_num(report.get("score", 0)), total=_num(total),
        meta=[str(x) for x in (extra.get("file"), extra.get("status"), (extra.get("sha256") or "")[:12]) if x],
        failed=[i for i in items if not i.passed], passed=[i for i in items if i.passed],
        output=str(report.get("output") or ""))


def _item(test: dict[str, Any], series: dict[str, Any], show_hidden: bool) -> ItemView:
    passed = test.get("status") == "passed"
    item = str(test.get("extra_data", {}).get("item", ""))
    visible = test.get("visibility", "visible") == "visible" or show_hidden
    badge = f"{_num(test.get('score', 0))} / {_num(test.get('max_score', 0))}" if visible \
        else ("passed" if passed else "failed")
    # Passed items are one line: their feedback would only repeat the badge.
    feedback = markdown_html(str(test.get("output", ""))) if visible and not passed else Markup("")
    curve = series.get(item)
    plot = svg.cost_curve(curve.get("reference"), curve.get("student")) \
        if visible and isinstance(curve, dict) and curve.get("reference") else None
    return ItemView(item, str(test.get("name", item)), passed, visible, badge, feedback, plot)


def markdown_html(text: str) -> Markup:
    """The report's Markdown as HTML, with any raw HTML escaped (never interpreted)."""
    return Markup(mistune.create_markdown(escape=True)(text))


def _num(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def write_page(report: dict[str, Any], path: Path, show_hidden: bool = False) -> None:
    write_atomically(Path(path), render(report, show_hidden))
