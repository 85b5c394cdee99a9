"""``summary.html``: how the class did, at a glance, as one self-contained page.

No network and no JavaScript: the stylesheet is inline and the plots are inline SVG
(``grader.reporting.svg``): score histogram, pass rate per rubric item, and the most
frequent diagnosed mistakes per item, counted from the ids in each test's
``extra_data.mistakes`` and shown in the rubric's words.  Nothing here reads a report's
text: why a student was not graded normally is the ``headline`` of a test whose
``extra_data.status`` says so.  The page is rendered by the feedback page's template
environment (autoescape on), so every text that can come from a student (names, file
names, error messages) is HTML-escaped, and the page's Content-Security-Policy forbids
every fetch.  The page holds no timestamp, so the same reports always give the same page.
"""

from __future__ import annotations

import os
import statistics
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from grader._fs import write_atomically
from grader.checking.checks import mistakes_for
from grader.reporting import svg
from grader.reporting.gradebook import Row, number
from grader.reporting.html_page import markdown_html, render_template
from grader.rubric import Rubric

TOP_MISTAKES = 5  # causes listed per item
TOP_OVERALL = 10  # bars in the chart of the most frequent causes
REASON_CHARS = 240
# A test's extra_data.status that is not one of these means it was not graded normally.
NORMAL_TEST_STATUSES = ("passed", "failed")
NO_REPORT = {"missing": "no report was found for this student"}


# --------------------------------------------------------------------------- data


def diagnosed_mistakes(report: dict[str, Any]) -> dict[str, list[str]]:
    """Item id -> the distinct mistake ids the grader diagnosed in failing cases.

    Read from each test's ``extra_data.mistakes``, data the grader computed; never from the
    output text, where a student's exception message could pose as a diagnosis.
    """
    found: dict[str, list[str]] = {}
    for test in report.get("tests", []):
        data = test.get("extra_data") or {}
        item, ids = data.get("item"), data.get("mistakes")
        if isinstance(item, str) and isinstance(ids, list):
            for mistake in ids:
                if isinstance(mistake, str) and mistake not in found.get(item, []):
                    found.setdefault(item, []).append(mistake)
    return found


def mistake_messages(rubric: Rubric) -> dict[tuple[str, str], str]:
    """(item id, mistake id) -> the rubric's message for it: what the page shows for a diagnosis."""
    return {(item.id, m.id): m.message for item in rubric.items
            for check in item.checks for m in mistakes_for(rubric, check)}


def not_graded_reason(row: Row) -> str:
    """Why a student was not graded normally, in one line, from the report's data: the headline of
    the first test whose ``extra_data.status`` is not a normal pass or fail, else of the first
    failed test; a student without a report says so."""
    if row.report is None:
        return NO_REPORT.get(row.status, "")
    tests = [t for t in row.report.get("tests", []) if isinstance(t, dict)]
    data = [t.get("extra_data") or {} for t in tests]
    abnormal = [d for d in data if d.get("status", "passed") not in NORMAL_TEST_STATUSES]
    failed = [d for t, d in zip(tests, data) if t.get("status") != "passed"]
    return next((str(d["headline"])[:REASON_CHARS] for d in abnormal + failed if d.get("headline")), "")


# --------------------------------------------------------------------------- what the template shows


@dataclass(frozen=True)
class ItemLine:
    """One rubric item's row of the pass-rate table."""

    id: str
    title: str
    points: str
    pass_rate: str
    mean: str


@dataclass(frozen=True)
class Cause:
    """One diagnosed mistake of an item: the rubric's message and how many students made it."""

    message: Markup
    students: str
    bar: svg.Chart


@dataclass(frozen=True)
class ItemCauses:
    id: str
    title: str
    causes: list[Cause]


@dataclass(frozen=True)
class StudentLine:
    """A student's row: ``href`` is their feedback page, when it exists beside the summary."""

    name: str
    href: str
    status: str
    total: str
    reason: str


def _share(count: int, n: int) -> str:
    return f"{count} student{'s' if count != 1 else ''} ({count / n:.0%})"


def _stats(rows: list[Row], max_score: float) -> list[tuple[str, str]]:
    totals = [r.total for r in rows]
    mean = statistics.fmean(totals) if totals else 0.0
    median = statistics.median(totals) if totals else 0.0
    full = sum(1 for t in totals if t >= max_score - 1e-9)
    stats = [("students", str(len(rows))), ("mean", f"{mean:.1f} / {number(max_score)}"),
             ("median", f"{median:.1f}".removesuffix(".0")), ("full marks", str(full))]
    return stats + [(status.replace("_", " "), str(count))
                    for status, count in sorted(Counter(r.status for r in rows).items())]


def _items(rows: list[Row], rubric: Rubric) -> tuple[list[ItemLine], svg.Chart]:
    n, lines, bars = len(rows), [], []
    for item in rubric.items:
        passed = sum(1 for r in rows if r.scores.get(item.id, 0.0) >= item.points - 1e-9)
        fraction = passed / n if n else 0.0
        mean = statistics.fmean(r.scores.get(item.id, 0.0) for r in rows) if n else 0.0
        bars.append((item.id, fraction, f"{fraction:.0%} ({passed}/{n})"))
        lines.append(ItemLine(item.id, item.title, number(item.points), f"{fraction:.0%}", number(mean)))
    return lines, svg.bars(bars, "pass-rates", "Pass rate per rubric item")


def _mistake_counts(rows: list[Row], rubric: Rubric) -> dict[str, Counter[str]]:
    """Item id -> rubric message -> students: only the rubric's items and the rubric's own words."""
    per_item: dict[str, Counter[str]] = {item.id: Counter() for item in rubric.items}
    messages = mistake_messages(rubric)
    for row in rows:
        for item_id, ids in diagnosed_mistakes(row.report or {}).items():
            if item_id in per_item:
                per_item[item_id].update(messages[item_id, i] for i in ids if (item_id, i) in messages)
    return per_item


def _most_frequent(counter: Counter[str], limit: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _mistakes(rows: list[Row], rubric: Rubric) -> tuple[svg.Chart | None, list[ItemCauses]]:
    n, per_item = len(rows), _mistake_counts(rows, rubric)
    overall = Counter({f"{item_id}: {cause}": count for item_id, counter in per_item.items()
                       for cause, count in counter.items()})
    if not overall:
        return None, []
    chart = svg.bars([(_short(label, 110), count / n, _share(count, n))
                      for label, count in _most_frequent(overall, TOP_OVERALL)],
                     "mistakes", "Most frequent diagnosed mistakes", label_above=True)
    groups = [ItemCauses(item.id, item.title,
                         [Cause(markdown_html(cause), f"{count} ({count / n:.0%})", svg.inline_bar(count / n))
                          for cause, count in _most_frequent(per_item[item.id], TOP_MISTAKES)])
              for item in rubric.items if per_item[item.id]]
    return chart, groups


def _short(text: str, limit: int = 60) -> str:
    """A mistake message as a chart label: plain text, cut to ``limit`` characters."""
    text = text.replace("`", "").replace("**", "")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _student(row: Row, page_dir: Path | None) -> StudentLine:
    href = ""
    if page_dir is not None and row.path is not None and row.path.with_suffix(".html").is_file():
        href = urllib.parse.quote(os.path.relpath(row.path.with_suffix(".html"), page_dir).replace(os.sep, "/"))
    reason = not_graded_reason(row) if row.status != "graded" else ""
    return StudentLine(row.student, href, row.status, number(row.total), reason)


# --------------------------------------------------------------------------- page


def render(rows: list[Row], rubric: Rubric, title: str | None = None, page_dir: Path | None = None) -> str:
    """The whole page.  ``page_dir`` is where the page will live, to link per-student pages that exist."""
    rows = sorted(rows, key=lambda r: r.sort_key)
    items, pass_rates = _items(rows, rubric)
    mistakes_chart, causes = _mistakes(rows, rubric)
    students = [_student(row, page_dir) for row in rows]
    return render_template(
        "summary.html", title=title or f"{rubric.title} ({rubric.assignment}): class summary",
        stats=_stats(rows, rubric.total), histogram=svg.histogram([r.total for r in rows], rubric.total),
        items=items, pass_rates=pass_rates, mistakes_chart=mistakes_chart, causes=causes,
        attention=[s for s in students if s.status != "graded"], students=students)


def write_summary(rows: list[Row], rubric: Rubric, path: Path) -> None:
    write_atomically(path, render(rows, rubric, page_dir=path.parent))
