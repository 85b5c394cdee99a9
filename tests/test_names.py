"""File and folder names that are not valid UTF-8 (a student's Windows or macOS archive) never crash the grader."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.submission.names import shown

ROOT = Path(__file__).resolve().parents[1]
CORRECT = ROOT / "assignments" / "logreg2" / "examples" / "correct.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, timeout=120)


def _readable(folder: Path) -> None:
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def test_shown_replaces_only_what_is_not_utf8():
    assert shown("café") == "café"
    assert shown(os.fsdecode(b"caf\xe9")) == "caf\ufffd"


def test_grade_out_with_a_latin1_file_name(tmp_path):
    student = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.py")
    shutil.copy(CORRECT, student)
    _readable(tmp_path)
    done = _run("grade", student, "--out", str(tmp_path / "report.json"))
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["score"] == 100 and report["extra_data"]["student"] == "caf\ufffd"
    done = _run("grade", student)
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 100


def test_batch_with_undecodable_folder_names_writes_every_file(tmp_path):
    folder = tmp_path / "class"
    for raw in (b"stud\xff", b"\xe9l\xe8ve"):
        target = os.path.join(os.fsencode(folder), raw)
        os.makedirs(target)
        shutil.copy(CORRECT, os.path.join(target, b"logreg2.py"))
    shutil.copy(CORRECT, folder / "ok.py")
    _readable(tmp_path)
    out = tmp_path / "out"
    for _ in range(2):  # the second run resumes
        done = _run("batch", str(folder), "--out", str(out), "--jobs", "1")
        assert done.returncode == 0, done.stderr.decode(errors="replace")
    with open(out / "grades.csv", encoding="utf-8", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"ok", "stud\ufffd", "\ufffdl\ufffdve"}
    assert all(row["total"] == "100" for row in rows.values())
    assert (out / "summary.html").is_file()
