"""The Gradescope package: build the zip, unpack it into Gradescope's folder layout, run run_autograder.

Each run uses a fresh temporary AUTOGRADER_ROOT (``source/`` = the unpacked zip,
``submission/``, ``results/``, ``submission_metadata.json``) and the project's venv through
``LOGREG2_PYTHON``, so setup.sh's apt and pip steps are not run here.  As root (CI), student
code runs as the sandbox user, exactly as on Gradescope.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from grader.reporting.report import SCHEMA_PATH, validate
from grader.rubric import load_rubric
from grader.sandbox.zygote import sandbox_pool

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gradescope_build", PROJECT_ROOT / "gradescope" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

EXAMPLES = PROJECT_ROOT / "assignments" / "logreg2" / "examples"
CORRECT = EXAMPLES / "correct.py"
METADATA = {
    "id": 123456,
    "created_at": "2025-03-01T12:00:00.000000-08:00",
    "assignment": {"id": 42, "title": "Logistic Regression 2", "total_points": "100.0"},
    "submission_method": "upload",
    "users": [{"email": "ada@example.edu", "id": 7, "name": "Ada Lovelace"},
              {"email": "alan@example.edu", "id": 8, "name": "Alan Turing"}],
    "previous_submissions": [],
}
AS_ROOT = os.geteuid() == 0


def _has_sandbox_user() -> bool:
    try:
        pwd.getpwnam("lr2sandbox")
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("logreg2")


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return build.build(tmp_path_factory.mktemp("dist") / "gradescope-logreg2.zip")


@pytest.fixture
def workdir():
    """A folder every user may traverse, as / is on Gradescope (pytest's tmp_path is root-only):
    the sandbox must be able to name source/grader in its Landlock rules."""
    folder = Path(tempfile.mkdtemp(prefix="lr2-gradescope-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def make_root(workdir: Path, zip_path: Path, metadata: dict | None = METADATA) -> Path:
    """Gradescope's layout: the zip unpacked in source/, run_autograder copied to the root."""
    root = workdir / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    root.chmod(0o755)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            archive.extract(info, root / "source")
            (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def run_autograder(root: Path, timeout: float = 120, **env: str) -> tuple[dict, str, float]:
    """Run it as Gradescope does; the parsed results.json, what it printed, seconds taken."""
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "LOGREG2_PYTHON": os.environ.get("LOGREG2_PYTHON", sys.executable), **env}
    log = root.parent / "run.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, stdout=out,
                              stderr=subprocess.STDOUT, timeout=timeout)
    seconds = time.monotonic() - started
    text = log.read_text(errors="replace")
    assert done.returncode == 0, text
    results = root / "results" / "results.json"
    assert results.is_file(), text
    assert not [p.name for p in (root / "results").iterdir() if p.name != "results.json"], "temporary files left"
    return json.loads(results.read_text()), text, seconds


def check_report(report: dict, rubric) -> dict[str, dict]:
    """Valid against the shipped schema, sums right, every rubric item once; tests by item id."""
    validate(report, rubric)
    assert "all tests passed" not in report.get("output", "").lower()
    return {t["extra_data"]["item"]: t for t in report["tests"]}


def check_metadata(report: dict) -> None:
    extra = report["extra_data"]
    assert extra["submission_id"] == 123456
    assert extra["students"] == [{"id": 7, "name": "Ada Lovelace"}, {"id": 8, "name": "Alan Turing"}]
    assert "ada@example.edu" not in json.dumps(report)


# --------------------------------------------------------------------------- the zip


def test_zip_holds_what_gradescope_needs_and_no_tests(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.lock", "requirements-py310.lock", "fallback_results.json",
            "grader/gradescope.py", "grader/sandbox/child/runner.py", "grader/reporting/schemas/results.schema.json",
            "reference/logreg2.py", "rubrics/logreg2.json"} <= names
    tracked = subprocess.run(["git", "ls-files", "grader", "reference", "rubrics"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True).stdout.split()
    assert set(tracked) <= names, sorted(set(tracked) - names)  # every subpackage, at any depth
    assert not [n for n in names if n.startswith(("tests/", "assignments/")) or "__pycache__" in n or n.endswith(".pyc")]
    assert modes["run_autograder"] == modes["setup.sh"] == 0o755
    again = build.build(autograder_zip.with_name("again.zip"))
    assert again.read_bytes() == autograder_zip.read_bytes(), "the build is not reproducible"


# --------------------------------------------------------------------------- grading


def test_correct_submission_scores_full_marks_with_metadata(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    shutil.copy(CORRECT, root / "submission" / "logreg2.py")
    report, log, _ = run_autograder(root)
    tests = check_report(report, rubric)
    assert report["score"] == rubric.total == 100, log
    assert all(t["status"] == "passed" for t in tests.values())
    assert report["output"].splitlines()[1] == "All visible checks passed."
    check_metadata(report)
    isolation = report["extra_data"]["isolation"]
    assert "cannot open" not in isolation["filesystem"], isolation  # our permissions must not defeat Landlock
    if AS_ROOT and _has_sandbox_user():
        sandbox_uids = {pwd.getpwnam("lr2sandbox").pw_uid} | {uid for uid, _ in sandbox_pool()}
        assert isolation["user"] in {f"uid {uid}" for uid in sandbox_uids}
        if shutil.which("runuser") and Path("/usr/bin/python3").exists():
            _check_sandbox_user_is_locked_out(root)


def _check_sandbox_user_is_locked_out(root: Path) -> None:
    """What run_autograder's permissions leave the sandbox user, checked without Landlock's help."""
    probe = (
        "import sys\n"
        "for path in sys.argv[1:6]:\n"
        "    try:\n"
        "        open(path).read(); print('READ', path)\n"
        "    except OSError: pass\n"
        "try:\n"
        "    open(sys.argv[6], 'w').write('{}'); print('WROTE', sys.argv[6])\n"
        "except OSError: pass\n"
    )
    targets = [root / "source/rubrics/logreg2.json", root / "source/reference/logreg2.py",
               root / "source/grader/reporting/report.py", root / "source/grader/sandbox/child/runner.py",
               root / "submission_metadata.json", root / "results/forged.json"]
    assert all(path.is_file() for path in targets[:5]), "a probe target is missing: the probe would prove nothing"
    for folder in ("", "grader", "grader/sandbox", "grader/sandbox/child"):
        assert (root / "source" / folder).stat().st_mode & 0o777 == 0o711, folder  # traversable, not listable
    done = subprocess.run(["runuser", "-u", "lr2sandbox", "--", "/usr/bin/python3", "-c", probe, *map(str, targets)],
                          capture_output=True, text=True, timeout=30, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", done.stdout


def test_buggy_submission_loses_only_its_item(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    shutil.copy(EXAMPLES / "buggy" / "cost_summed.py", root / "submission" / "cost_summed.py")
    report, log, _ = run_autograder(root)
    tests = check_report(report, rubric)
    failed = sorted(item for item, t in tests.items() if t["status"] == "failed")
    assert failed == ["cost"], log
    assert report["score"] == rubric.total - tests["cost"]["max_score"]
    assert "All visible checks passed" not in report["output"]


def test_notebook_in_a_subfolder_scores_full_marks(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    chunks = [c for c in re.split(r"\n(?=# ----|def )", CORRECT.read_text()) if c.strip()]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Logistic regression, part 2")]
    notebook.cells += [nbformat.v4.new_code_cell(chunk) for chunk in chunks]
    notebook.cells.append(nbformat.v4.new_code_cell("%matplotlib inline\nprint(sigmoid(0.0))"))
    folder = root / "submission" / "work" / "final"
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "logreg2.ipynb")
    assert len(notebook.cells) > 10
    report, log, _ = run_autograder(root)
    tests = check_report(report, rubric)
    assert report["score"] == 100, log
    assert report["extra_data"]["file"] == "logreg2.ipynb"
    assert all(t["status"] == "passed" for t in tests.values())


def test_visibility_comes_from_the_rubric_and_the_wording_stays_honest(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    rubric_file = root / "source" / "rubrics" / "logreg2.json"
    data = json.loads(rubric_file.read_text())
    data["items"][-1]["visibility"] = "after_due_date"
    rubric_file.write_text(json.dumps(data))
    shutil.copy(CORRECT, root / "submission" / "logreg2.py")
    report, log, _ = run_autograder(root)
    tests = check_report(report, rubric)
    hidden = data["items"][-1]["id"]
    assert tests[hidden]["visibility"] == "after_due_date"
    assert all(t["visibility"] == "visible" for item, t in tests.items() if item != hidden)
    assert "All visible checks passed." in report["output"], log


HOSTILE = '''
import json, os
ROOT = {root!r}
FORGED = {{"score": 1000.0, "output": "forged", "tests": []}}

def attack():
    for path in (ROOT + "/results/results.json", ROOT + "/results/.grading.json",
                 ROOT + "/source/fallback_results.json", ROOT + "/source/rubrics/logreg2.json"):
        try:
            with open(path, "w") as f:
                json.dump(FORGED, f)
            print("WROTE " + path)
        except Exception:
            pass
    for path in (ROOT + "/source/rubrics/logreg2.json", ROOT + "/source/reference/logreg2.py",
                 ROOT + "/submission_metadata.json"):
        try:
            print("READ " + path + open(path).read()[:50])
        except Exception:
            pass
    print(json.dumps(FORGED), flush=True)

attack()

{correct}

def graph_forward(a, b, c):
    attack()
    return 1000.0, 1000.0, 1000.0

def sigmoid(z):
    while True:
        pass

def cost(w, b, X, y):
    if os.fork() == 0:
        os.setsid()
        while True:
            attack()
    os._exit(0)

def update(w, b, dw, db, alpha):
    import time
    time.sleep(60)
'''


def test_hostile_submission_cannot_forge_results(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    correct = CORRECT.read_text()
    (root / "submission" / "logreg2.py").write_text(HOSTILE.format(root=str(root), correct=correct))
    report, log, seconds = run_autograder(root, LOGREG2_CALL_SECONDS="2")
    tests = check_report(report, rubric)
    assert "WROTE" not in json.dumps(report) and "READ" not in json.dumps(report), report["output"]
    for item in ("graph_forward", "sigmoid", "cost", "update"):
        assert tests[item]["status"] == "failed" and tests[item]["score"] == 0
    # The other items keep their points (vectorization is left out: a 2 s call limit on a loaded machine is too tight for its timing).
    hostile = ("graph_forward", "sigmoid", "cost", "update", "vectorization")
    assert all(t["status"] == "passed" for item, t in tests.items() if item not in hostile), log
    assert report["score"] <= rubric.total - sum(tests[i]["max_score"] for i in hostile[:4])
    assert '{"score": 1000.0, "output": "forged", "tests": []}' in report["output"]  # shown as text, never taken
    assert seconds < 45, log
    assert _processes_mentioning(str(root)) == [], "processes of the submission survived run_autograder"


def _processes_mentioning(text: str) -> list[int]:
    """Sandbox processes are forks of source/grader/runner.py, so their command line names the root."""
    deadline = time.monotonic() + 5
    while True:
        found = []
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


# --------------------------------------------------------------------------- fallbacks


def _check_failure_report(report: dict, rubric, status: str) -> None:
    tests = check_report(report, rubric)
    assert report["score"] == 0
    assert all(t["score"] == 0 and t["status"] == "failed" for t in tests.values())
    assert report["extra_data"]["status"] == status


def test_no_python_still_writes_the_static_fallback(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    shutil.copy(CORRECT, root / "submission" / "logreg2.py")
    report, log, _ = run_autograder(root, LOGREG2_PYTHON="/bin/false")
    _check_failure_report(report, rubric, "grader_error")
    assert "autograder failed" in report["output"]
    assert "the grader failed" in log


def test_corrupt_rubric_gives_the_failure_report_with_metadata(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip)
    (root / "source" / "rubrics" / "logreg2.json").write_text('{"items": [')
    shutil.copy(CORRECT, root / "submission" / "logreg2.py")
    report, log, _ = run_autograder(root)
    _check_failure_report(report, rubric, "grader_error")
    assert "autograder failed" in report["output"]
    assert "rubric" in report["extra_data"]["error"], report["extra_data"]
    check_metadata(report)


def test_total_budget_gives_a_timeout_report(workdir, autograder_zip, rubric):
    root = make_root(workdir, autograder_zip, metadata=None)
    shutil.copy(CORRECT, root / "submission" / "logreg2.py")
    report, log, seconds = run_autograder(root, LOGREG2_GRADING_SECONDS="0.3")
    _check_failure_report(report, rubric, "timeout")
    assert "did not finish within" in report["output"]
    assert "submission_id" not in report["extra_data"]
    assert seconds < 20, log


def test_last_resort_json_when_even_the_fallback_file_is_gone(workdir, autograder_zip):
    root = make_root(workdir, autograder_zip)
    (root / "source" / "fallback_results.json").unlink()
    report, _, _ = run_autograder(root, LOGREG2_PYTHON="/nonexistent/python")
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(report)
    assert report["score"] == 0 and "autograder failed" in report["output"]
