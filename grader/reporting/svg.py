"""The pages' charts as data: the feedback page's cost curve, the summary's histogram and bars.

Each chart is a ``Chart``: a size and a list of ``Shape`` (an SVG tag, its attributes, its
text), computed here and written out by ``templates/chart.html``, where autoescape covers
every attribute and text (a label can be a student's name or an instructor's message).
One linear ``Scale`` and one pair of axis helpers serve all three charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.reporting.gradebook import number

GREEN, AMBER, RED, BLUE = "#2a8a4a", "#d08a12", "#c0392b", "#3b6bb5"
STUDENT_ORANGE, REFERENCE_BLUE = "#e0701b", "#2f6fb3"
GRID, FRAME, LABEL, TITLE, INK, TRACK = "#e3e6ea", "#ccd2d8", "#555", "#333", "#1d2330", "#eef0f3"
MAX_POINTS = 1000  # points per plotted curve: a longer cost history is thinned to this
MAX_READ = 100_000  # costs read from a report's series at most


@dataclass(frozen=True)
class Shape:
    """One SVG element: ``title`` becomes its tooltip, ``text`` its content."""

    tag: str
    attrs: dict[str, str]
    text: str = ""
    title: str = ""


@dataclass(frozen=True)
class Chart:
    """An inline ``<svg>``: its root attributes (id, class, role, label) and its shapes in drawing order."""

    width: int
    height: int
    attrs: dict[str, str]
    shapes: list[Shape] = field(default_factory=list)


@dataclass(frozen=True)
class CostCurve:
    """The cost-per-iteration chart and what its caption must say."""

    chart: Chart
    reference_count: int
    student_count: int
    clipped: bool


@dataclass(frozen=True)
class Scale:
    """Data values in ``[lo, hi]`` to pixels in ``[start, end]``; values outside are clamped."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        value = min(max(value, self.lo), self.hi)
        return self.start + (self.end - self.start) * (value - self.lo) / (self.hi - self.lo)


def shape(tag: str, text: Any = "", title: str = "", **attrs: Any) -> Shape:
    """A ``Shape`` from keyword attributes: ``font_size`` is ``font-size``, ``cls`` is ``class``,
    floats are written with one decimal (the pages hold no timestamp: same data, same bytes)."""
    names = {key: "class" if key == "cls" else key.replace("_", "-") for key in attrs}
    return Shape(tag, {names[k]: f"{v:.1f}" if isinstance(v, float) else str(v) for k, v in attrs.items()},
                 str(text), title)


def grade_colour(fraction: float) -> str:
    """Green from 80 %, amber from 50 %, red below: the summary's one colour rule."""
    return GREEN if fraction >= 0.8 else AMBER if fraction >= 0.5 else RED


def _y_grid(y: Scale, values: Sequence[float], labels: Sequence[str], x0: float, x1: float) -> list[Shape]:
    """Horizontal grid lines at ``values``, each labelled at the left of the plot."""
    out = []
    for value, label in zip(values, labels):
        out.append(shape("line", x1=x0, y1=y(value), x2=x1, y2=y(value), stroke=GRID))
        out.append(shape("text", label, x=x0 - 6, y=y(value) + 4, font_size=11, text_anchor="end", fill=LABEL))
    return out


def _x_labels(positions: Sequence[tuple[float, str]], y: float) -> list[Shape]:
    return [shape("text", label, x=x, y=y, font_size=11, text_anchor="middle", fill=LABEL) for x, label in positions]


# --------------------------------------------------------------------------- cost curve

COST_WIDTH, COST_HEIGHT = 640, 300
COST_MARGIN = {"left": 64, "right": 16, "top": 16, "bottom": 44}


def finite(values: Any) -> list[float | None]:
    """A report's cost history as floats, ``None`` where a value is not a finite number,
    thinned to at most ``MAX_POINTS`` (the last value always kept)."""
    out: list[float | None] = []
    for v in list(values or [])[:MAX_READ]:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        out.append(x if math.isfinite(x) else None)
    if len(out) > MAX_POINTS:
        step = math.ceil(len(out) / MAX_POINTS)
        out = out[::step] + ([out[-1]] if (len(out) - 1) % step else [])
    return out


def _value_range(ref: list[float], mine: list[float]) -> tuple[float, float, bool]:
    """The plotted cost range, padded by 5 %; ``True`` when a diverging student curve is clipped
    so that it does not flatten the reference."""
    lo, hi = min(ref + mine), max(ref + mine)
    clipped = False
    if ref:
        r_lo, r_hi = min(ref), max(ref)
        span = max(r_hi - r_lo, 1e-12)
        if hi - lo > 20 * span:
            lo, hi, clipped = r_lo - 2 * span, r_hi + 2 * span, True
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad, clipped


def _runs(values: list[float | None], total: int, x: Scale, y: Scale, colour: str, **style: Any) -> list[Shape]:
    """A curve as polylines broken where a value is missing; a lone point is a dot in the same colour."""
    step = total / len(values) if values else 1
    runs: list[list[tuple[float, float]]] = [[]]
    for k, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x(k * step), y(v)))
    out = []
    for run in (r for r in runs if r):
        if len(run) == 1:
            out.append(shape("circle", cx=run[0][0], cy=run[0][1], r=3, stroke=colour, fill=colour, **style))
        else:
            out.append(shape("polyline", points=" ".join(f"{px:.1f},{py:.1f}" for px, py in run), stroke=colour,
                             fill="none", **style))
    return out


def _legend(x1: float, top: float, ref_n: int, mine_n: int) -> list[Shape]:
    lx = x1 - 190
    return [shape("rect", x=lx, y=top + 8, width=182, height=44, fill="#fff", stroke=FRAME, rx=4),
            shape("line", x1=lx + 10, y1=top + 22, x2=lx + 40, y2=top + 22, stroke=REFERENCE_BLUE,
                  stroke_width=2, stroke_dasharray="7 4"),
            shape("text", f"reference ({ref_n} costs)", x=lx + 48, y=top + 26, font_size=12),
            shape("line", x1=lx + 10, y1=top + 40, x2=lx + 40, y2=top + 40, stroke=STUDENT_ORANGE, stroke_width=3),
            shape("text", f"yours ({mine_n} costs)", x=lx + 48, y=top + 44, font_size=12)]


def cost_curve(reference: Any, student: Any) -> CostCurve | None:
    """Cost per iteration, the reference's dashed and the student's solid; ``None`` with no finite cost."""
    ref, mine = finite(reference), finite(student)
    ref_n, mine_n = len(list(reference or [])), len(list(student or []))
    ref_values, mine_values = [v for v in ref if v is not None], [v for v in mine if v is not None]
    if not ref_values + mine_values:
        return None
    lo, hi, clipped = _value_range(ref_values, mine_values)
    count = max(ref_n, mine_n, 2)
    x0, x1 = COST_MARGIN["left"], COST_WIDTH - COST_MARGIN["right"]
    y0, y1 = COST_HEIGHT - COST_MARGIN["bottom"], COST_MARGIN["top"]
    x, y = Scale(0, count - 1, x0, x1), Scale(lo, hi, y0, y1)
    levels = [lo + (hi - lo) * k / 4 for k in range(5)]
    labelled = min(count, 6)
    iterations = [round((count - 1) * k / max(labelled - 1, 1)) for k in range(labelled)]
    middle = (y0 + y1) / 2
    shapes = [shape("rect", x=x0, y=y1, width=x1 - x0, height=y0 - y1, fill="#fbfcfd", stroke=FRAME),
              *_y_grid(y, levels, [f"{v:.4g}" for v in levels], x0, x1),
              *_x_labels([(x(i), str(i)) for i in iterations], y0 + 16),
              shape("text", "iteration", x=(x0 + x1) / 2, y=COST_HEIGHT - 8, font_size=12, text_anchor="middle",
                    fill=TITLE),
              shape("text", "cost J", x=14, y=middle, font_size=12, text_anchor="middle", fill=TITLE,
                    transform=f"rotate(-90 14 {middle:.1f})"),
              # Yours first, the dashed reference on top: where they agree, both stay visible.
              *_runs(mine, mine_n, x, y, STUDENT_ORANGE, stroke_width=3, cls="student"),
              *_runs(ref, ref_n, x, y, REFERENCE_BLUE, stroke_width=2, stroke_dasharray="7 4", cls="reference"),
              *_legend(x1, y1, ref_n, mine_n)]
    chart = Chart(COST_WIDTH, COST_HEIGHT, {"role": "img", "aria-label": "cost per iteration"}, shapes)
    return CostCurve(chart, ref_n, mine_n, clipped)


# --------------------------------------------------------------------------- summary charts


def _count_ticks(peak: int) -> list[int]:
    step = max(1, -(-peak // 5))
    return list(range(0, peak + 1, step))


def histogram(totals: list[float], max_score: float, bins: int = 20) -> Chart:
    """How many students scored in each range of the total, coloured by the range's share of the maximum."""
    width, height = 720, 260
    left, right, top, bottom = 44, 12, 14, 40
    bins = max(1, min(bins, int(max_score) if max_score >= 1 else 1))
    step = max_score / bins if max_score > 0 else 1.0
    counts = [0] * bins
    for total in totals:
        counts[min(max(int(total / step), 0), bins - 1)] += 1
    peak = max(counts + [1])
    base = top + (height - top - bottom)
    x, y = Scale(0, bins, left, width - right), Scale(0, peak, base, top)
    ticks = _count_ticks(peak)
    shapes = _y_grid(y, ticks, [str(t) for t in ticks], left, width - right)
    for i, count in enumerate(counts):
        low, high = i * step, (i + 1) * step
        bar_w = x(i + 1) - x(i)
        students = f"{count} student{'s' if count != 1 else ''}"
        shapes.append(shape("rect", title=f"{number(low)} to {number(high)} points: {students}", x=x(i) + 1,
                            y=y(count), width=max(bar_w - 2, 1), height=base - y(count),
                            fill=grade_colour(low / max_score if max_score > 0 else 0.0)))
        if count:
            shapes.append(shape("text", count, x=x(i) + bar_w / 2, y=y(count) - 3, font_size=11,
                                text_anchor="middle", fill=TITLE))
    shapes += _x_labels([(x(i), number(i * step)) for i in range(0, bins + 1, max(1, bins // 10))], base + 15)
    shapes += [shape("line", x1=left, x2=width - right, y1=base, y2=base, stroke="#888"),
               shape("text", f"total score (out of {number(max_score)})", x=(left + width - right) / 2,
                     y=height - 6, font_size=12, text_anchor="middle", fill=TITLE)]
    return Chart(width, height, {"id": "histogram", "class": "plot", "role": "img",
                                 "aria-label": "Histogram of total scores"}, shapes)


def bars(rows: list[tuple[str, float, str]], svg_id: str, label: str, width: int = 720,
         label_above: bool = False) -> Chart:
    """Horizontal bars: (label, fraction 0..1, text at the bar's end), one per row.

    Short labels (item ids) stand left of their bar and take the grade colour; long ones
    (mistakes) stand above a blue bar.
    """
    row_h = 40 if label_above else 26
    left, right = (0 if label_above else 210), 150
    plot_w = width - left - right
    shapes = []
    for i, (name, fraction, text) in enumerate(rows):
        top = 5 + i * row_h
        fraction = min(max(fraction, 0.0), 1.0)
        if label_above:
            shapes.append(shape("text", name, x=0, y=top + 12, font_size=12, fill=INK))
            bar_y, bar_h, text_y, colour = top + 18, row_h - 24, top + 30, BLUE
        else:
            shapes.append(shape("text", name, x=left - 8, y=top + 17, font_size=13, text_anchor="end", fill=INK))
            bar_y, bar_h, text_y, colour = top + 4, row_h - 8, top + 17, grade_colour(fraction)
        shapes += [shape("rect", x=left, y=bar_y, width=plot_w, height=bar_h, fill=TRACK, rx=3),
                   shape("rect", title=f"{name}: {text}", x=left, y=bar_y, width=plot_w * fraction, height=bar_h,
                         fill=colour, rx=3),
                   shape("text", text, x=left + plot_w + 8, y=text_y, font_size=12, fill=TITLE)]
    return Chart(width, row_h * len(rows) + 10, {"id": svg_id, "class": "plot", "role": "img", "aria-label": label},
                 shapes)


def inline_bar(fraction: float) -> Chart:
    """A small bar inside a table cell; decoration only (the cell beside it says the number)."""
    fraction = min(max(fraction, 0.0), 1.0)
    return Chart(80, 10, {"aria-hidden": "true"}, [shape("rect", width=80, height=10, fill=TRACK, rx=2),
                                                   shape("rect", width=80 * fraction, height=10, fill=BLUE, rx=2)])
