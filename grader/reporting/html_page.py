"""A student's feedback page: the report as one self-contained HTML file.

No network: the styles are inline, the cost curve of gradient descent is an
inline SVG drawn here, and the page loads nothing; its Content-Security-Policy
(``CSP``) forbids every fetch, so even a link or image that slipped into the
Markdown would load nothing.  Item feedback is the report's Markdown, rendered
with raw HTML escaped (student text is in code spans and blocks or escaped, see
``grader.checking.feedback`` and ``grader.reporting.escaping``).  Items that are not visible
show only passed/failed, as Gradescope would before release.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from grader._fs import write_atomically
from grader.reporting.escaping import html_text

PLOT_WIDTH, PLOT_HEIGHT = 640, 300
MARGIN = {"left": 64, "right": 16, "top": 16, "bottom": 44}
MAX_POINTS = 1000
# Inline styles are all the page uses; nothing may be fetched, framed, submitted or used as a base.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
HEAD_SECURITY = (f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
                 '<meta name="referrer" content="no-referrer">')

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
main { max-width: 920px; margin: 0 auto; padding: 24px; }
header { background: #1d2330; color: #fff; padding: 20px 24px; border-radius: 10px; margin-bottom: 18px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .score { font-size: 34px; font-weight: 700; }
header .meta { opacity: .8; font-size: 13px; }
section.item { background: #fff; border-radius: 10px; padding: 14px 18px; margin-bottom: 12px; border-left: 6px solid #c33; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
section.item.passed { border-left-color: #2a8a4a; }
section.item h2 { font-size: 17px; margin: 0; display: flex; justify-content: space-between; gap: 12px; }
.badge { font-size: 13px; padding: 2px 9px; border-radius: 999px; background: #fde3e3; color: #8a1f1f; white-space: nowrap; }
.passed .badge { background: #dff3e6; color: #1f6a39; }
pre { background: #f6f8fa; border: 1px solid #e3e6ea; border-radius: 6px; padding: 10px; overflow-x: auto; font-size: 13px; white-space: pre-wrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; background: #f0f2f4; padding: 0 3px; border-radius: 3px; }
pre code { background: none; padding: 0; }
figure { margin: 12px 0 4px; }
figcaption { font-size: 13px; color: #555; }
.summary { margin-top: 18px; }
.summary pre { max-height: 320px; }
h2.group { font-size: 15px; text-transform: uppercase; letter-spacing: .05em; color: #555; margin: 20px 0 8px; }
section.item.compact { padding: 8px 18px; }
.hidden-note { color: #666; font-style: italic; }
"""


def render(report: dict[str, Any], show_hidden: bool = False) -> str:
    """The whole page for one report."""
    extra = report.get("extra_data", {})
    total = sum(float(t.get("max_score", 0)) for t in report.get("tests", []))
    student = str(extra.get("student", "") or "submission")
    title = f"Feedback: {student} ({extra.get('assignment', '')})"
    meta = " · ".join(html_text(str(x)) for x in (extra.get("file"), extra.get("status"),
                                                    (extra.get("sha256") or "")[:12]) if x)
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', *HEAD_SECURITY,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
        "<header>", f"<h1>{html_text(title)}</h1>",
        f'<div class="score">{_num(report.get("score", 0))} / {_num(total)}</div>',
        f'<div class="meta">{meta}</div>', "</header>",
    ]
    series = extra.get("series", {}) if isinstance(extra.get("series"), dict) else {}
    tests = list(report.get("tests", []))
    failed = [t for t in tests if t.get("status") != "passed"]
    passed = [t for t in tests if t.get("status") == "passed"]
    # What to fix comes first; passed items follow, one line each (plus the cost curve).
    if failed:
        parts.append(f"<h2 class=\"group\">To fix ({len(failed)})</h2>")
        parts += [_test_section(t, series, show_hidden) for t in failed]
    if passed:
        parts.append(f"<h2 class=\"group\">Passed ({len(passed)})</h2>")
        parts += [_test_section(t, series, show_hidden, compact=True) for t in passed]
    if report.get("output"):
        parts.append('<details class="summary"><summary>Grader summary and what your code printed</summary>'
                     f'<pre>{html_text(report["output"])}</pre></details>')
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _test_section(test: dict[str, Any], series: dict[str, Any], show_hidden: bool, compact: bool = False) -> str:
    passed = test.get("status") == "passed"
    item = str(test.get("extra_data", {}).get("item", ""))
    visible = test.get("visibility", "visible") == "visible" or show_hidden
    badge = f"{_num(test.get('score', 0))} / {_num(test.get('max_score', 0))}" if visible else ("passed" if passed else "failed")
    out = [f'<section class="item {"passed" if passed else "failed"}{" compact" if compact else ""}" '
           f'id="item-{html_text(item)}">',
           f'<h2><span>{html_text(str(test.get("name", item)))}</span><span class="badge">{html_text(badge)}</span></h2>']
    if not visible:
        out.append('<p class="hidden-note">Details are released with the grades.</p>')
    else:
        if not compact:
            out.append(f'<div class="feedback">{markdown_html(str(test.get("output", "")))}</div>')
        curve = series.get(item)
        if isinstance(curve, dict) and curve.get("reference"):
            out.append(cost_plot(curve.get("reference", []), curve.get("student", [])))
    out.append("</section>")
    return "\n".join(out)


def markdown_html(text: str) -> str:
    """The report's Markdown as HTML, with any raw HTML escaped (never interpreted)."""
    try:
        import mistune
    except ImportError:  # pragma: no cover (mistune comes with nbconvert)
        return f"<pre>{html_text(text)}</pre>"
    return str(mistune.create_markdown(escape=True)(text))


def _num(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return html_text(str(value))


def _finite(values: Any) -> list[float | None]:
    out: list[float | None] = []
    for v in list(values or [])[:100_000]:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        out.append(x if math.isfinite(x) else None)
    if len(out) > MAX_POINTS:
        step = math.ceil(len(out) / MAX_POINTS)
        out = out[::step] + ([out[-1]] if (len(out) - 1) % step else [])
    return out


def cost_plot(reference: list[Any], student: list[Any]) -> str:
    """An inline SVG: cost per iteration, the reference's dashed and the student's solid."""
    ref, mine = _finite(reference), _finite(student)
    ref_n, mine_n = len(list(reference or [])), len(list(student or []))
    ref_values = [v for v in ref if v is not None]
    all_values = ref_values + [v for v in mine if v is not None]
    if not all_values:
        return ""
    lo, hi = min(all_values), max(all_values)
    clipped = False
    if ref_values:
        r_lo, r_hi = min(ref_values), max(ref_values)
        span = max(r_hi - r_lo, 1e-12)
        if hi - lo > 20 * span:  # a diverging curve would flatten the reference: keep the reference readable
            lo, hi, clipped = r_lo - 2 * span, r_hi + 2 * span, True
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    count = max(ref_n, mine_n, 2)
    x0, x1 = MARGIN["left"], PLOT_WIDTH - MARGIN["right"]
    y0, y1 = PLOT_HEIGHT - MARGIN["bottom"], MARGIN["top"]

    def sx(i: float) -> float:
        return x0 + (x1 - x0) * i / (count - 1)

    def sy(v: float) -> float:
        v = min(max(v, lo), hi)
        return y0 - (y0 - y1) * (v - lo) / (hi - lo)

    def lines(values: list[float | None], total: int, css: str) -> list[str]:
        step = total / len(values) if values else 1
        runs, current = [], []
        for k, v in enumerate(values):
            if v is None:
                if current:
                    runs.append(current)
                current = []
                continue
            current.append(f"{sx(k * step):.1f},{sy(v):.1f}")
        if current:
            runs.append(current)
        out = []
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                out.append(f'<circle cx="{x}" cy="{y}" r="3" {css}/>')
            else:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" {css}/>')
        return out

    svg = [f'<svg role="img" aria-label="cost per iteration" viewBox="0 0 {PLOT_WIDTH} {PLOT_HEIGHT}" '
           f'width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" style="background:#fff;max-width:100%">',
           f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="#fbfcfd" stroke="#ccd2d8"/>']
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = sy(v)
        svg.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#eceff2"/>')
        svg.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{v:.4g}</text>')
    for k in range(min(count, 6)):
        i = round((count - 1) * k / max(min(count, 6) - 1, 1))
        svg.append(f'<text x="{sx(i):.1f}" y="{y0 + 16}" font-size="11" text-anchor="middle" fill="#555">{i}</text>')
    svg.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{PLOT_HEIGHT - 8}" font-size="12" text-anchor="middle" fill="#333">iteration</text>')
    svg.append(f'<text x="14" y="{(y0 + y1) / 2:.1f}" font-size="12" text-anchor="middle" fill="#333" '
               f'transform="rotate(-90 14 {(y0 + y1) / 2:.1f})">cost J</text>')
    # Yours first, the dashed reference on top: where they agree, both stay visible.
    svg += lines(mine, mine_n, 'stroke="#e0701b" stroke-width="3" fill="#e0701b" class="student"')
    svg += lines(ref, ref_n, 'stroke="#2f6fb3" stroke-width="2" stroke-dasharray="7 4" fill="#2f6fb3" class="reference"')
    lx = x1 - 190
    svg += [f'<rect x="{lx}" y="{y1 + 8}" width="182" height="44" fill="#fff" stroke="#ccd2d8" rx="4"/>',
            f'<line x1="{lx + 10}" y1="{y1 + 22}" x2="{lx + 40}" y2="{y1 + 22}" stroke="#2f6fb3" stroke-width="2" stroke-dasharray="7 4"/>',
            f'<text x="{lx + 48}" y="{y1 + 26}" font-size="12">reference ({ref_n} costs)</text>',
            f'<line x1="{lx + 10}" y1="{y1 + 40}" x2="{lx + 40}" y2="{y1 + 40}" stroke="#e0701b" stroke-width="3"/>',
            f'<text x="{lx + 48}" y="{y1 + 44}" font-size="12">yours ({mine_n} costs)</text>', "</svg>"]
    caption = "Cost per iteration on the first test case: the reference (dashed) and yours."
    if not mine_n:
        caption += " Your function returned no cost history for this case."
    if clipped:
        caption += " Your curve leaves the plotted range and is clipped at its edge."
    return f'<figure class="cost-plot">{"".join(svg)}<figcaption>{html_text(caption)}</figcaption></figure>'


def write_page(report: dict[str, Any], path: Path, show_hidden: bool = False) -> None:

    write_atomically(Path(path), render(report, show_hidden))
