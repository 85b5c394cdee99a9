"""Containment on the output side (issue 11, holes 4 and 6 to 10): what a student controls
reaches Markdown, HTML, the terminal, the class summary and the gradebook only as text,
and the grader's own cache folder cannot be planted by another account.

The attacks are real submissions in ``tests/attacks/`` (graded in ``test_attacks.py`` too)
or files generated here where the attack is in a name.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.checking import grading
from grader.reporting.escaping import TerminalStream, markdown_text, terminal_text
from grader.reporting.gradebook import row_from_report
from grader.checking.grading import grade_path, limits_for
from grader.reporting.html_page import markdown_html, render, write_page
from grader.batch.progress import Progress
from grader.reporting.report import build_report, validate
from grader.sandbox.zygote import Zygote
from grader.reporting.summary_page import diagnosed_mistakes
from grader.reporting.summary_page import render as render_summary

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ROOT / "tests" / "attacks"
BUGGY = ROOT / "assignments" / "logreg2" / "examples" / "buggy"
LIMITS = {"call_seconds": 2.0, "cell_seconds": 2.5}
# Raw bytes no terminal output of the grader may hold: C0 controls but newline and tab, DEL, and C1
# controls (CSI and OSC among them) as UTF-8.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
TAGS = re.compile(r"<(img|a|h[1-6]|script|iframe)\b", re.IGNORECASE)


def chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# --------------------------------------------------------------------------- the escaping rules


def test_markdown_text_renders_as_the_same_text_and_nothing_else():
    hostile = "# H1 ![p](http://127.0.0.1:9/p.png) [x](javascript:alert(1)) <img src=x> www.example.com *em* `c`\n==="
    html = markdown_html(markdown_text(hostile))
    assert not TAGS.search(html), html
    assert "<em>" not in html and "<code>" not in html and "href" not in html
    assert "![p](http://127.0.0.1:9/p.png)" in html.replace("&quot;", '"')


def test_terminal_text_shows_controls_and_keeps_newline_and_tab():
    assert terminal_text("a\x1b]52;c;aGk=\x07b\x9bc\n\td\r") == "a\\x1b]52;c;aGk=\\x07b\\x9bc\n\td\\x0d"


# --------------------------------------------------------------------------- hole 6: Markdown and the page


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        type(self).requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets."""
    handler = type("Recorder", (_Recorder,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler.requests
    server.shutdown()
    server.server_close()


def _injection_report(tmp_path: Path, port: int, rubric, zygote) -> dict:
    path = tmp_path / "markdown_injection.ipynb"
    path.write_text((ATTACKS / "markdown_injection.ipynb").read_text().replace("@PORT@", str(port)))
    report = build_report(grade_path(path, rubric, zygote, limits_for(rubric, LIMITS)))
    validate(report, rubric)
    return report


def test_notebook_fields_stay_text_in_markdown(tmp_path, logreg2_rubric, shared_zygote):
    report = _injection_report(tmp_path, 9, logreg2_rubric, shared_zygote)
    assert report["score"] == 0
    for test in report["tests"]:
        assert test["extra_data"]["headline"].startswith("Not graded")
        assert "![pixel]" in test["extra_data"]["headline"]  # the data keeps the text as it was
        assert not TAGS.search(markdown_html(test["output"])), test["output"]


def test_a_file_name_stays_text_in_markdown(tmp_path, logreg2_rubric, shared_zygote):
    """A file Python cannot compile is not graded, with its name in the reason: the name is Markdown."""
    path = tmp_path / "# RUBRIC ERROR ![p](http:§§127.0.0.1:9§p.png) <img src=x> [ok](javascript:x).py"
    path.write_text("def sigmoid(z)\n")
    report = build_report(grade_path(path, logreg2_rubric, shared_zygote, limits_for(logreg2_rubric, LIMITS)))
    validate(report, logreg2_rubric)
    for test in report["tests"]:
        html = markdown_html(test["output"])
        assert not TAGS.search(html) and "href" not in html, html
        assert path.name in test["extra_data"]["headline"]


def _fetches(page: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--virtual-time-budget=3000", "--dump-dom",
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_feedback_page_of_the_injection_fetches_nothing(tmp_path, listener, logreg2_rubric, shared_zygote):
    port, requests = listener
    page = tmp_path / "feedback.html"
    write_page(_injection_report(tmp_path, port, logreg2_rubric, shared_zygote), page, show_hidden=True)
    proc = _fetches(page)
    assert "Not graded" in proc.stdout, proc.stderr[-2000:]
    assert requests == []


@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_page_policy_forbids_fetches_that_slip_into_markdown(tmp_path, listener, logreg2_rubric, shared_zygote):
    """Even an image or a stylesheet in the Markdown (an instructor's, say) loads nothing."""
    port, requests = listener
    report = _injection_report(tmp_path, 9, logreg2_rubric, shared_zygote)
    report["tests"][0]["output"] = (f"![pixel](http://127.0.0.1:{port}/md.png)\n\n"
                                    f"<img src=\"http://127.0.0.1:{port}/raw.png\">")
    page = tmp_path / "slipped.html"
    page.write_text(render(report, show_hidden=True))
    assert 'http-equiv="Content-Security-Policy"' in page.read_text()
    proc = _fetches(page)
    assert "md.png" in proc.stdout, proc.stderr[-2000:]  # the image is in the page, and was not fetched
    assert requests == []


# --------------------------------------------------------------------------- hole 7: the TA's terminal


ESCAPED_NAME = "esc\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;title\x9b2J"


def _grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, timeout=300)


def test_progress_bar_keeps_its_own_carriage_return_only():
    raw = io.StringIO()
    progress = Progress(2, TerminalStream(raw), tty=True)
    progress.finished(ESCAPED_NAME, "load_error", 0, 100, 1.0)
    progress.finished("bob", "graded", 100, 100, 1.0)
    progress.close()
    text = raw.getvalue()
    assert "\r[" in text and "\\x1b]52" in text
    assert RAW_CONTROL.search(text.replace("\r[", "[").encode()) is None


def test_no_raw_control_byte_reaches_the_terminal(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    student = folder / f"{ESCAPED_NAME}.py"
    student.write_text((ATTACKS / "terminal_escapes.py").read_text())
    runs = {
        "grade --out": _grader("grade", str(student), "--out", str(tmp_path / "r.json"), "--call-seconds", "2"),
        "grade (report on stdout)": _grader("grade", str(student), "--call-seconds", "2"),
        "check": _grader("check", str(student), "--call-seconds", "2"),
        "batch": _grader("batch", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1", "--call-seconds", "2"),
    }
    for name, proc in runs.items():
        for stream, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            found = RAW_CONTROL.search(data)
            assert found is None, f"{name}: raw {found.group()!r} on {stream}: {data[:3000]!r}"
    assert runs["grade --out"].returncode == 0 and b"\\x1b]52" in runs["batch"].stderr
    report = json.loads(runs["grade (report on stdout)"].stdout)
    assert report["extra_data"]["file"] == student.name  # the JSON value itself is unchanged
    assert b"\\x1b]52" in runs["check"].stdout  # the exception message, shown


# --------------------------------------------------------------------------- hole 8: the class summary


def test_summary_counts_only_diagnoses_the_grader_made(tmp_path, logreg2_rubric, shared_zygote, monkeypatch):
    seed = grading.seed_for("logreg2", (ROOT / "assignments" / "logreg2" / "examples" / "correct.py").read_bytes())
    monkeypatch.setattr(grading, "seed_for", lambda assignment, data: seed)
    rows = []
    for key, path in (("mallory", ATTACKS / "fake_diagnosis.py"), ("bob", BUGGY / "cost_summed.py")):
        report = build_report(grade_path(path, logreg2_rubric, shared_zygote, limits_for(logreg2_rubric, LIMITS)))
        validate(report, logreg2_rubric)
        rows.append(row_from_report(key, report))
    mallory, bob = (diagnosed_mistakes(row.report) for row in rows)
    assert "RUBRIC ERROR" in next(t["output"] for t in rows[0].report["tests"] if t["extra_data"]["item"] == "cost")
    assert mallory == {} and bob == {"cost": ["summed"]}
    page = render_summary(rows, logreg2_rubric)
    assert "RUBRIC ERROR" not in page and "M times too large" in page


# --------------------------------------------------------------------------- hole 9: grades.csv in a spreadsheet


FORMULA_NAMES = ["x;=1+2;", "y,=3+4", "z\t=5+6", "=7+8", "@SUM(1;2)", "w;+9", "v\t-1"]


def _formulas(csv: Path, separator: int, profile: Path, out: Path) -> list[str]:
    """Every cell LibreOffice reads as a formula when it opens ``csv`` split on ``separator``."""
    proc = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           f"--infilter=CSV:{separator},34,76,1", "--convert-to", "fods", "--outdir", str(out), str(csv)],
                          capture_output=True, text=True, timeout=180)
    converted = out / (csv.stem + ".fods")
    assert converted.is_file(), proc.stdout + proc.stderr
    return re.findall(r'table:formula="([^"]*)"', converted.read_text())


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-calc)")
def test_gradebook_holds_no_formula_for_any_separator(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in FORMULA_NAMES:
        (folder / f"{name}.py").write_text("def sigmoid(z)\n")  # a syntax error: graded at once
    proc = _grader("batch", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    grades = tmp_path / "out" / "grades.csv"
    raw = tmp_path / "raw.csv"  # the control: the same names without the guard are formulas
    raw.write_text("student,total\n" + "".join(f"{n},0\n" for n in FORMULA_NAMES))
    profile = tmp_path / "profile"
    for separator in (ord(";"), ord(","), ord("\t")):
        out = tmp_path / f"converted-{separator}"
        assert _formulas(raw, separator, profile, out), "LibreOffice read no formula even in the unguarded file"
        assert _formulas(grades, separator, profile, out) == [], grades.read_text()


# --------------------------------------------------------------------------- hole 4: the zygote's cache folder


def test_a_planted_cache_folder_is_not_used(tmp_path, monkeypatch):
    """Another account plants the zygote's cache folder with a link to a folder of the grader's:
    the grader must neither follow it nor write through it."""
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    shared_tmp.chmod(0o1777)
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    planted = shared_tmp / f"lr2-grader-cache-{os.geteuid()}"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)
    (planted / "matplotlib").symlink_to(victim)
    if os.geteuid() == 0:
        os.chown(planted, 65534, 65534, follow_symlinks=False)  # as "nobody" would have made it
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    zygote = Zygote()
    zygote.start()
    try:
        used = zygote._cache_dir
        assert used != planted and used.parent == shared_tmp
        assert os.lstat(used).st_uid == os.geteuid() and not os.lstat(used).st_mode & 0o077
    finally:
        zygote.close()
    assert list(victim.iterdir()) == []
    assert not used.exists()  # a fresh folder made for one zygote is removed with it
