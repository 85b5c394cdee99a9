"""End-to-end: grade real submission files, and the `grade` command's contract."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.checking.grading import grade_path, limits_for
from grader.reporting.report import build_report, validate
from grader.rubric import load_rubric
from grader.sandbox.zygote import Zygote

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"
CORRECT = ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
BUGGY = ROOT / "assignments" / "logreg2" / "examples" / "buggy"


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("logreg2")


@pytest.fixture(scope="module")
def zygote():
    with Zygote() as z:
        yield z


def grade(path: Path, rubric, zygote, **limits) -> dict:
    result = grade_path(path, rubric, zygote, limits_for(rubric, limits or {"call_seconds": 4.0}))
    report = build_report(result)
    validate(report, rubric)
    return report


def scores(report: dict) -> dict[str, float]:
    return {t["extra_data"]["item"]: t["score"] for t in report["tests"]}


def outputs(report: dict) -> dict[str, str]:
    return {t["extra_data"]["item"]: t["output"] for t in report["tests"]}


def test_correct_example_scores_100(rubric, zygote):
    report = grade(CORRECT, rubric, zygote)
    assert report["score"] == 100
    assert all(t["status"] == "passed" for t in report["tests"])
    assert [t["extra_data"]["item"] for t in report["tests"]] == [i.id for i in rubric.items]


def test_grading_twice_gives_the_same_report(rubric, zygote):
    first, second = grade(CORRECT, rubric, zygote), grade(BUGGY / "cost_summed.py", rubric, zygote)
    again = grade(BUGGY / "cost_summed.py", rubric, zygote)
    assert outputs(second) == outputs(again)
    assert first["score"] == 100


def test_changed_file_meets_new_inputs(rubric, zygote, tmp_path):
    copy = tmp_path / "logreg2.py"
    copy.write_text(CORRECT.read_text() + "\n# a harmless edit\n")
    original = outputs(grade(BUGGY / "cost_summed.py", rubric, zygote))["cost"]
    edited_bug = tmp_path / "bug.py"
    edited_bug.write_text((BUGGY / "cost_summed.py").read_text() + "\n# edited\n")
    assert outputs(grade(edited_bug, rubric, zygote))["cost"] != original


def test_feedback_says_expected_got_and_input(rubric, zygote):
    text = outputs(grade(BUGGY / "cost_summed.py", rubric, zygote))["cost"]
    assert "FAIL cost()" in text and "expected" in text and "got" in text
    assert "X shape (" in text and "M=" in text
    assert "ran with the reference `sigmoid()`" in text  # the stand-in it used is named


def test_syntax_error_scores_zero_and_names_the_line(rubric, zygote):
    report = grade(SUBMISSIONS / "syntax_error.py", rubric, zygote)
    assert report["score"] == 0
    assert report["extra_data"]["status"] == "load_error"
    for text in outputs(report).values():
        assert "SyntaxError" in text and "line 22" in text


def test_import_time_exception_costs_only_its_statement_and_is_named(rubric, zygote):
    """As the contract's loading rules say: a top-level statement that raises is skipped, once named."""
    report = grade(SUBMISSIONS / "import_error.py", rubric, zygote)
    assert report["score"] == rubric.total
    assert report["output"].count("FileNotFoundError") == 1 and "training_data.csv" in report["output"]
    assert "(line 138)" in report["output"]


def test_missing_function_costs_its_item_only(rubric, zygote):
    report = grade(SUBMISSIONS / "missing_cost.py", rubric, zygote)
    assert scores(report)["cost"] == 0
    assert "does not define cost()" in outputs(report)["cost"]
    assert report["score"] == 90


def test_function_that_never_returns_costs_its_item_within_the_limit(rubric, zygote):
    started = time.monotonic()
    report = grade(SUBMISSIONS / "cost_never_returns.py", rubric, zygote, call_seconds=1.5)
    elapsed = time.monotonic() - started
    assert scores(report)["cost"] == 0
    assert "did not return within 1.5 s" in outputs(report)["cost"]
    assert report["score"] == 90
    assert elapsed < 1.5 + 5, f"took {elapsed:.1f} s"


def test_main_block_does_not_run(rubric, zygote):
    started = time.monotonic()
    report = grade(SUBMISSIONS / "main_trains_for_minutes.py", rubric, zygote)
    assert report["score"] == 100
    assert time.monotonic() - started < 10


def test_folder_with_one_file_any_name(rubric, zygote, tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "logreg2 (1).py").write_text(CORRECT.read_text())
    report = grade(folder, rubric, zygote)
    assert report["score"] == 100 and report["extra_data"]["student"] == "alice"


def test_folder_with_two_files_is_a_load_error(rubric, zygote, tmp_path):
    (tmp_path / "a.py").write_text(CORRECT.read_text())
    (tmp_path / "b.py").write_text(CORRECT.read_text())
    report = grade(tmp_path, rubric, zygote)
    assert report["score"] == 0 and "several gradable files" in report["tests"][0]["output"]


def test_symlink_is_refused(rubric, zygote, tmp_path):
    link = tmp_path / "logreg2.py"
    link.symlink_to(ROOT / "reference" / "logreg2.py")
    report = grade(link, rubric, zygote)
    assert report["score"] == 0 and "symbolic link" in report["tests"][0]["output"]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_writes_a_valid_report_and_prints_a_table(tmp_path, rubric):
    out = tmp_path / "reports" / "correct.json"
    proc = run_cli("grade", str(CORRECT), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "total" in proc.stdout and "100/100" in proc.stdout
    report = json.loads(out.read_text())
    validate(report, rubric)
    assert report["score"] == 100
    assert not list(out.parent.glob(".correct.json.*")), "temporary file left behind"


def test_cli_without_out_prints_the_report(rubric):
    proc = run_cli("grade", str(SUBMISSIONS / "syntax_error.py"))
    assert proc.returncode == 0
    report = json.loads(proc.stdout)
    validate(report, rubric)
    assert report["score"] == 0


def test_cli_unknown_assignment_is_one_line_and_nonzero():
    proc = run_cli("grade", str(CORRECT), "--assignment", "nope")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown assignment 'nope'" in proc.stderr


def test_cli_invalid_rubric_names_the_field(tmp_path):
    import shutil

    shutil.copytree(ROOT / "grader", tmp_path / "grader")
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    (tmp_path / "rubrics").mkdir()
    data = json.loads((ROOT / "rubrics" / "logreg2.json").read_text())
    data["items"][2]["points"] = "ten"
    (tmp_path / "rubrics" / "logreg2.json").write_text(json.dumps(data))
    proc = run_cli("grade", str(CORRECT), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "items/2/points" in proc.stderr
