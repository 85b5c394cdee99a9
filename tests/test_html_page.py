"""The feedback page: self-contained HTML, the cost curve as inline SVG, rendered by headless Chromium."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from PIL import Image

from grader.checking.grading import grade_path, limits_for
from grader.reporting import svg
from grader.reporting.gradebook import row_from_report
from grader.reporting.html_page import render, render_template, write_page
from grader.reporting.report import build_report, validate
from grader.reporting.summary_page import render as render_summary

ROOT = Path(__file__).resolve().parents[1]
BUGGY = ROOT / "assignments" / "logreg2" / "examples" / "buggy"
STUDENT_ORANGE = (0xE0, 0x70, 0x1B)
REFERENCE_BLUE = (0x2F, 0x6F, 0xB3)


@pytest.fixture(scope="module")
def report(logreg2_rubric, shared_zygote):
    """A real report whose gradient-descent curve differs from the reference's (one cost too many)."""
    result = grade_path(BUGGY / "gd_off_by_one.py", logreg2_rubric, shared_zygote, limits_for(logreg2_rubric))
    built = build_report(result)
    validate(built, logreg2_rubric)
    return built


def chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def test_page_is_self_contained_with_the_cost_curves(report, tmp_path):
    series = report["extra_data"]["series"]["gradient_descent"]
    assert len(series["student"]) == len(series["reference"]) + 1
    page = render(report)
    assert page.count("<polyline") >= 2 and 'class="student"' in page and 'class="reference"' in page
    assert "<svg" in page and "cost J" in page
    # Nothing to fetch: no scripts, no external resources.
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=|url\(|@import|https?://""", page)
    assert "Likely cause" in page and "One iteration too many" in page


def test_student_text_is_escaped_and_hidden_items_say_only_pass_or_fail(report):
    evil = copy.deepcopy(report)
    tests = {t["extra_data"]["item"]: t for t in evil["tests"]}
    tests["cost"].update(status="failed", score=0, output="**FAIL cost()** (0/10 points).\n\n```text\n<script>alert(1)</script>\n```")
    tests["update"]["visibility"] = "after_due_date"
    tests["update"]["output"] = "**FAIL update()**: SECRET-DETAIL"
    evil["extra_data"]["student"] = "<img onerror=x>"
    page = render(evil)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page
    section = page[page.index('id="item-update"'):]
    section = section[:section.index("</section>")]
    assert "SECRET-DETAIL" not in page and "Details are released with the grades." in section
    assert re.search(r'class="badge">(passed|failed)<', section)


def _with_curve(report: dict, reference: list, student: list) -> dict:
    page_report = copy.deepcopy(report)
    page_report["extra_data"]["series"] = {"gradient_descent": {"reference": reference, "student": student}}
    return page_report


def test_a_diverging_or_empty_curve_still_plots(report):
    diverging = svg.cost_curve([0.69, 0.6, 0.55], [0.69, 5.0, 1e9, float("nan"), float("inf")])
    assert diverging is not None and diverging.clipped and diverging.student_count == 5
    assert [s.tag for s in diverging.chart.shapes].count("polyline") == 2  # NaN and inf break the student's curve
    empty = svg.cost_curve([0.69, 0.6], [])
    assert empty is not None and empty.student_count == 0 and not empty.clipped
    assert svg.cost_curve([], []) is None
    assert "clipped at its edge" in render(_with_curve(report, [0.69, 0.6, 0.55], [0.69, 5.0, 1e9]))
    assert "returned no cost history" in render(_with_curve(report, [0.69, 0.6], []))


def test_a_missing_template_variable_is_an_error_not_a_blank():
    with pytest.raises(jinja2.UndefinedError):
        render_template("page.html", title="t", score="1", total="2", meta=[], failed=[], passed=[])


SCRIPT = "<script>alert(1)</script>"


def test_a_script_in_student_text_stays_text_on_both_pages(report, logreg2_rubric):
    """A file name, an exception message and printed output, each holding a <script>, on the feedback
    page and in the class summary (whose "why" column shows a test's headline)."""
    evil = copy.deepcopy(report)
    evil["extra_data"].update(student=SCRIPT, file=f"{SCRIPT}.py", status="timeout")
    evil["output"] = f"x: 85 / 100\nYour code printed:\n{SCRIPT}"
    test = next(t for t in evil["tests"] if t["status"] != "passed")
    test["output"] = f"**FAIL** {SCRIPT}\n\n```text\n{SCRIPT}\n```"
    test["extra_data"].update(headline=f"cost() raised ValueError: {SCRIPT}", status="error")
    pages = {"feedback": render(evil), "summary": render_summary([row_from_report(SCRIPT, evil)], logreg2_rubric)}
    for name, page in pages.items():
        assert "<script" not in page.lower(), name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, name
    assert "ValueError: &lt;script&gt;" in pages["summary"]  # the headline is the reason shown, escaped


def colour_pixels(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    return sum(count for count, pixel in image.getcolors(maxcolors=1 << 20)
               if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour)))


@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_page_renders_in_headless_chromium(report, tmp_path):
    page = tmp_path / "feedback.html"
    write_page(report, page)
    shot = tmp_path / "shot.png"
    # Failing items come first, so the gradient-descent item and its plot are in the first screen.
    url = page.resolve().as_uri()
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--no-first-run", "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,1600", url],
                          capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the screenshot is (nearly) blank"
    white = sum(count for count, pixel in colours if min(pixel) > 245)
    assert white < 0.95 * 1200 * 1600, "the screenshot is (nearly) blank"
    assert colour_pixels(image, STUDENT_ORANGE) > 200, "the student's curve is not drawn"
    assert colour_pixels(image, REFERENCE_BLUE) > 200, "the reference curve is not drawn"


def test_grade_html_option_writes_the_page(tmp_path):
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(BUGGY / "gd_not_from_zeros.py"),
                           "--out", str(out), "--html", str(page)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<polyline" in text
    assert json.loads(out.read_text())["score"] == 85
