"""Realistic submissions, graded end to end: each must get the per-item outcome its label gives.

``tests/submissions/realistic/`` holds files written the way students write them (the
starter filled in with long docstrings, unguarded demos, plots, coding cookies, BOMs,
CRLF, tabs, missing modules, old NumPy spellings, notebooks as JupyterLab, Notebook,
Colab, VS Code and Coursera save them, everyday one-bug mistakes). ``labels.json`` maps
each file to ``{"score": 100}`` or ``{"fail": [items]}``: exactly the listed items lose
points, every other item gets full points. The labels follow the contract's "How a
submission is loaded", not what the grader happened to do when they were written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from grader.checking.grading import grade_path, limits_for
from grader.reporting.report import build_report, write_report
from grader.rubric import Rubric
from grader.sandbox.zygote import Zygote

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "tests" / "submissions" / "realistic"
LABELS: dict[str, dict] = json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))
NOT_SUBMISSIONS = {"labels.json", ".gitattributes"}
# Names that are not valid UTF-8 (as a Windows or old Linux machine writes them); made at test
# time because git and some file systems would not keep the bytes.
NON_UTF8_FILE = b"logreg2_Jos\xe9_N\xfa\xf1ez.py"
NON_UTF8_FOLDER = b"Garc\xeda, Jos\xe9"


def grade_file(path: Path, rubric: Rubric, zygote: Zygote, out: Path) -> dict:
    """Grade as `grade --out` does: build, validate, and write the strict-JSON report."""
    result = grade_path(path, rubric, zygote, limits_for(rubric))
    report = build_report(result)
    write_report(report, rubric, out)
    return report


def wrong_items(report: dict, label: dict, rubric: Rubric) -> dict[str, str]:
    """Items whose outcome differs from the label, with what the grader said about them."""
    must_fail = set(label.get("fail", []))
    wrong = {}
    for test in report["tests"]:
        item = test["extra_data"]["item"]
        full = test["score"] >= test["max_score"]
        if full == (item in must_fail):
            wanted = "lose points" if item in must_fail else "get full points"
            wrong[item] = f"should {wanted}, got {test['score']}/{test['max_score']}: {test['output'][:600]}"
    assert [t["extra_data"]["item"] for t in report["tests"]] == [i.id for i in rubric.items]
    return wrong


def check(path: Path, label: dict, rubric: Rubric, zygote: Zygote, out: Path, times: dict[str, float],
          key: str) -> None:
    """Grade one file and assert its label, naming every item that came out wrong and why."""
    started = time.monotonic()
    report = grade_file(path, rubric, zygote, out)
    times[key] = time.monotonic() - started
    wrong = wrong_items(report, label, rubric)
    assert not wrong, f"{key}: " + "\n".join(f"- {item}: {why}" for item, why in wrong.items())
    if "score" in label:
        assert report["score"] == label["score"] == rubric.total


def test_labels_cover_every_file_and_name_real_items(logreg2_rubric):
    files = {p.name for p in FOLDER.iterdir()} - NOT_SUBMISSIONS
    assert files == set(LABELS), f"unlabelled: {sorted(files - set(LABELS))}, no file: {sorted(set(LABELS) - files)}"
    assert len(files) >= 60
    ids = {item.id for item in logreg2_rubric.items}
    for name, label in LABELS.items():
        assert set(label) in ({"score"}, {"fail"}), name
        assert label.get("score", 100) == 100, name
        assert set(label.get("fail", ids)) <= ids and label.get("fail") != [], name


@pytest.mark.parametrize("name", sorted(LABELS))
def test_realistic_submission_gets_its_label(name, logreg2_rubric, shared_zygote, grading_times, tmp_path):
    check(FOLDER / name, LABELS[name], logreg2_rubric, shared_zygote, tmp_path / "report.json",
          grading_times, f"realistic/{name}")


@pytest.mark.parametrize("source", ["latin1_cookie.py", "bug_cost_summed.py"])
def test_file_name_that_is_not_utf8(source, logreg2_rubric, shared_zygote, grading_times, tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/" + NON_UTF8_FILE))
    shutil.copyfile(FOLDER / source, path)
    check(path, LABELS[source], logreg2_rubric, shared_zygote, tmp_path / "out" / "report.json",
          grading_times, f"non-UTF-8 file name/{source}")


@pytest.mark.parametrize("source", ["windows_crlf.py", "bug_loss_no_minus.ipynb"])
def test_folder_name_that_is_not_utf8(source, logreg2_rubric, shared_zygote, grading_times, tmp_path):
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/" + NON_UTF8_FOLDER))
    (folder / "week 3").mkdir(parents=True)
    shutil.copyfile(FOLDER / source, folder / "week 3" / source)
    out = Path(os.fsdecode(bytes(tmp_path) + b"/reports/" + NON_UTF8_FOLDER + b".json"))
    check(folder, LABELS[source], logreg2_rubric, shared_zygote, out, grading_times, f"non-UTF-8 folder name/{source}")
