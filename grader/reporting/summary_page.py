"""``summary.html``: how the class did, at a glance, as one self-contained page.

No network and no JavaScript: styles are inline and the plots are SVG drawn
here (score histogram, pass rate per rubric item, the most frequent diagnosed
mistakes per item, counted from the ids in each test's ``extra_data.mistakes`` and
shown in the rubric's words).  Every text that can come from a student (names, file
names, error messages) is HTML-escaped, and the page's Content-Security-Policy
forbids every fetch.  The page holds no timestamp, so the
same reports always give the same page.
"""

from __future__ import annotations

import os
import re
import statistics
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from grader.checking.checks import mistakes_for
from grader.reporting.escaping import html_text
from grader.reporting.gradebook import Row, number
from grader.reporting.html_page import HEAD_SECURITY
from grader._fs import write_atomically
from grader.rubric import Rubric

TOP_MISTAKES = 5
GREEN, AMBER, RED, BLUE = "#2a8a4a", "#d08a12", "#c0392b", "#3b6bb5"

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
header { background: #1d2330; color: #fff; padding: 18px 24px; border-radius: 10px; margin-bottom: 18px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
.stats { display: flex; flex-wrap: wrap; gap: 10px 28px; margin-top: 10px; }
.stat b { display: block; font-size: 24px; }
.stat span { font-size: 12px; opacity: .8; text-transform: uppercase; letter-spacing: .04em; }
section { background: #fff; border-radius: 10px; padding: 14px 18px; margin-bottom: 14px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e8eaee; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; background: #f0f2f4; padding: 0 3px; border-radius: 3px; }
.status { font-size: 12px; padding: 1px 8px; border-radius: 999px; background: #fde3e3; color: #8a1f1f; }
.muted { color: #666; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
"""


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
    return {(item.id, m["id"]): str(m.get("message", m["id"])) for item in rubric.items
            for check in item.checks for m in mistakes_for(rubric, check)}


def _first_reason(row: Row) -> str:
    """Why a student was not graded normally, in one line."""
    report = row.report or {}
    for test in report.get("tests", []):
        headline = str((test.get("extra_data") or {}).get("headline", ""))
        if headline.startswith("Not graded"):
            return headline[:240]
        for line in str(test.get("output", "")).splitlines():
            text = line.replace("**", "").strip()
            if text.startswith("Not graded") or "did not return" in text or "did not finish" in text:
                return text[:240]
    for line in str(report.get("output", "")).splitlines()[1:]:
        if line.strip():
            return line.strip()[:240]
    return {"missing": "no report was found for this student"}.get(row.status, "")


# --------------------------------------------------------------------------- SVG


def _esc(text: Any) -> str:
    return html_text(text)


def _markdown_inline(text: str) -> str:
    """Instructor Markdown of a mistake message: code spans and emphasis, everything else escaped."""
    out = _esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)


def histogram_svg(totals: list[float], max_score: float, bins: int = 20) -> str:
    """Bars of how many students scored in each range of the total."""
    width, height = 720, 260
    left, right, top, bottom = 44, 12, 14, 40
    bins = max(1, min(bins, int(max_score) if max_score >= 1 else 1))
    step = max_score / bins if max_score > 0 else 1.0
    counts = [0] * bins
    for total in totals:
        index = int(total / step) if step > 0 else 0
        counts[min(max(index, 0), bins - 1)] += 1
    peak = max(counts + [1])
    plot_w, plot_h = width - left - right, height - top - bottom
    bar_w = plot_w / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="histogram" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Histogram of total scores">']
    ticks = _ticks(peak)
    for tick in ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>')
    for i, count in enumerate(counts):
        low, high = i * step, (i + 1) * step
        bar_h = plot_h * count / peak
        x, y = left + i * bar_w, top + plot_h - bar_h
        colour = GREEN if low >= 0.8 * max_score else AMBER if low >= 0.5 * max_score else RED
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{bar_h:.1f}" '
                     f'fill="{colour}"><title>{number(low)} to {number(high)} points: {count} '
                     f'student{"s" if count != 1 else ""}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle" '
                         f'fill="#333">{count}</text>')
    label_every = max(1, bins // 10)
    for i in range(0, bins + 1, label_every):
        x = left + i * bar_w
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 15}" font-size="11" text-anchor="middle" '
                     f'fill="#555">{number(i * step)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" '
                 f'fill="#333">total score (out of {number(max_score)})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(peak: int) -> list[int]:
    step = max(1, -(-peak // 5))
    return list(range(0, peak + 1, step))


def bars_svg(rows: list[tuple[str, float, str]], svg_id: str, label: str, width: int = 720,
             label_above: bool = False) -> str:
    """Horizontal bars: (label, fraction 0..1, text at the bar's end), one per row.

    Short labels (item ids) stand left of their bar; long ones (mistakes) above it.
    """
    row_h = 40 if label_above else 26
    left = 0 if label_above else 210
    right = 150
    height = row_h * len(rows) + 10
    plot_w = width - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="{svg_id}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(label)}">']
    for i, (name, fraction, text) in enumerate(rows):
        y = 5 + i * row_h
        fraction = min(max(fraction, 0.0), 1.0)
        colour = GREEN if fraction >= 0.8 else AMBER if fraction >= 0.5 else RED
        if label_above:
            parts.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#1d2330">{_esc(name)}</text>')
            bar_y, bar_h, text_y = y + 18, row_h - 24, y + 30
        else:
            parts.append(f'<text x="{left - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="#1d2330">'
                         f'{_esc(name)}</text>')
            bar_y, bar_h, text_y = y + 4, row_h - 8, y + 17
        parts.append(f'<rect x="{left}" y="{bar_y}" width="{plot_w}" height="{bar_h}" fill="#eef0f3" rx="3"/>')
        parts.append(f'<rect x="{left}" y="{bar_y}" width="{plot_w * fraction:.1f}" height="{bar_h}" '
                     f'fill="{colour if not label_above else BLUE}" rx="3"><title>{_esc(name)}: {_esc(text)}</title></rect>')
        parts.append(f'<text x="{left + plot_w + 8}" y="{text_y}" font-size="12" fill="#333">{_esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _inline_bar(fraction: float) -> str:
    fraction = min(max(fraction, 0.0), 1.0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="10" viewBox="0 0 80 10" aria-hidden="true">'
            f'<rect width="80" height="10" fill="#eef0f3" rx="2"/>'
            f'<rect width="{80 * fraction:.1f}" height="10" fill="{BLUE}" rx="2"/></svg>')


# --------------------------------------------------------------------------- page


def render(rows: list[Row], rubric: Rubric, title: str | None = None, page_dir: Path | None = None) -> str:
    """The whole page.  ``page_dir`` is where the page will live, to link per-student pages that exist."""
    rows = sorted(rows, key=lambda r: r.sort_key)
    n = len(rows)
    totals = [r.total for r in rows]
    max_score = rubric.total
    statuses = Counter(r.status for r in rows)
    title = title or f"{rubric.title} ({rubric.assignment}): class summary"
    mean = statistics.fmean(totals) if totals else 0.0
    median = statistics.median(totals) if totals else 0.0
    full = sum(1 for t in totals if t >= max_score - 1e-9)
    stats = [("students", str(n)), ("mean", f"{mean:.1f} / {number(max_score)}"),
             ("median", f"{median:.1f}".removesuffix(".0")), ("full marks", str(full))]
    stats += [(status.replace("_", " "), str(count)) for status, count in sorted(statuses.items())]

    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', *HEAD_SECURITY,
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_esc(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
             "<header>", f"<h1>{_esc(title)}</h1>", '<div class="stats">']
    parts += [f'<div class="stat"><b>{_esc(v)}</b><span>{_esc(k)}</span></div>' for k, v in stats]
    parts += ["</div>", "</header>"]

    parts += ["<section>", "<h2>Total scores</h2>", histogram_svg(totals, max_score), "</section>"]

    item_rows, table = [], []
    for item in rubric.items:
        passed = sum(1 for r in rows if r.scores.get(item.id, 0.0) >= item.points - 1e-9)
        fraction = passed / n if n else 0.0
        mean_item = statistics.fmean(r.scores.get(item.id, 0.0) for r in rows) if n else 0.0
        item_rows.append((item.id, fraction, f"{fraction:.0%} ({passed}/{n})"))
        table.append(f"<tr><td><code>{_esc(item.id)}</code></td><td>{_esc(item.title)}</td>"
                     f'<td class="num">{number(item.points)}</td><td class="num">{fraction:.0%}</td>'
                     f'<td class="num">{number(mean_item)}</td></tr>')
    parts += ["<section>", "<h2>Pass rate per rubric item</h2>",
              '<p class="muted">Share of students with full points on the item.</p>',
              bars_svg(item_rows, "pass-rates", "Pass rate per rubric item"),
              "<table><thead><tr><th>item</th><th>title</th><th>points</th><th>pass rate</th><th>mean points</th>"
              "</tr></thead><tbody>", *table, "</tbody></table>", "</section>"]

    parts += ["<section>", "<h2>Most frequent diagnosed mistakes</h2>",
              '<p class="muted">Known slips the grader recognised in failing answers '
              "(the feedback's &ldquo;Likely cause&rdquo;), counted once per student.</p>"]
    per_item: dict[str, Counter] = {item.id: Counter() for item in rubric.items}
    messages = mistake_messages(rubric)
    for row in rows:
        for item_id, ids in diagnosed_mistakes(row.report or {}).items():
            if item_id in per_item:  # only the rubric's items and the rubric's own words
                per_item[item_id].update(messages[item_id, i] for i in ids if (item_id, i) in messages)
    overall = [(f"{item_id}: {cause}", count) for item_id, counter in per_item.items() for cause, count in counter.items()]
    if not overall:
        parts.append('<p class="muted">No known mistake was diagnosed.</p>')
    else:
        top = sorted(overall, key=lambda kv: (-kv[1], kv[0]))[:10]
        parts.append(bars_svg([(_short(label, 110), count / n,
                                f"{count} student{'s' if count != 1 else ''} ({count / n:.0%})")
                               for label, count in top], "mistakes", "Most frequent diagnosed mistakes",
                              label_above=True))
        for item in rubric.items:
            counter = per_item.get(item.id)
            if not counter:
                continue
            parts.append(f"<h3><code>{_esc(item.id)}</code> {_esc(item.title)}</h3>")
            parts.append('<table><thead><tr><th>likely cause</th><th>students</th><th></th></tr></thead><tbody>')
            for cause, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISTAKES]:
                parts.append(f'<tr><td>{_markdown_inline(cause)}</td><td class="num">{count} ({count / n:.0%})</td>'
                             f"<td>{_inline_bar(count / n)}</td></tr>")
            parts.append("</tbody></table>")
    parts.append("</section>")

    attention = [r for r in rows if r.status != "graded"]
    parts += ["<section>", f"<h2>Students not graded normally ({len(attention)})</h2>"]
    if attention:
        parts.append('<table><thead><tr><th>student</th><th>status</th><th>total</th><th>why</th></tr></thead><tbody>')
        for row in attention:
            parts.append(f"<tr><td>{_student_cell(row, page_dir)}</td><td><span class=\"status\">{_esc(row.status)}"
                         f'</span></td><td class="num">{number(row.total)}</td><td>{_esc(_first_reason(row))}</td></tr>')
        parts.append("</tbody></table>")
    else:
        parts.append('<p class="muted">Every submission loaded and finished within its limits.</p>')
    parts.append("</section>")

    parts += ["<section>", "<h2>All students</h2>", '<table><thead><tr><th>student</th><th>total</th><th>status</th>'
              "</tr></thead><tbody>"]
    for row in rows:
        parts.append(f'<tr><td>{_student_cell(row, page_dir)}</td><td class="num">{number(row.total)}</td>'
                     f"<td>{_esc(row.status)}</td></tr>")
    parts += ["</tbody></table>", "</section>", "</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("`", "").replace("**", "")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _student_cell(row: Row, page_dir: Path | None) -> str:
    name = _esc(row.student)
    if page_dir is None or row.path is None:
        return name
    page = row.path.with_suffix(".html")
    if not page.is_file():
        return name
    href = urllib.parse.quote(os.path.relpath(page, page_dir).replace(os.sep, "/"))
    return f'<a href="{_esc(href)}">{name}</a>'


def write_summary(rows: list[Row], rubric: Rubric, path: Path) -> None:
    write_atomically(path, render(rows, rubric, page_dir=path.parent))
