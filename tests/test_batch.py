"""TA batch grading: `python -m grader batch` and `merge`, end to end, plus the pieces that need no sandbox.

One class is built here from the bundled examples (a correct file, one-bug files,
a folder, a notebook, a student whose file does not compile and one whose `cost` never
returns) and graded with short limits through the real command line.  The tests
check the reports, the CSV (content, status column, byte-identical reruns),
resume and `--force`, the Gradescope export layout, shards and merge, the
per-student watchdog, and that `summary.html` renders with its plots in
headless Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.batch.commands import run_batch
from grader.batch.discover import (BatchError, Entry, MetadataError, discover, parse_gradescope_metadata, parse_shard,
                                   select_shard)
from grader.batch.pool import WORKER_ENV
from grader.reporting.gradebook import Row, csv_text, number
from grader.batch.progress import Progress
from grader.rubric import load_rubric
from grader.reporting.summary_page import diagnosed_mistakes, not_graded_reason

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
CORRECT = EXAMPLES / "correct.py"
BUGGY = EXAMPLES / "buggy"
# Short enough for the hanging student, long enough for the vectorization item (32 MB of input) on a busy machine.
SHORT = ["--call-seconds", "4", "--cell-seconds", "3", "--jobs", "2"]
ITEMS = [item.id for item in load_rubric("logreg2").items]

HANGING_COST = '''

def cost(w, b, X, y):
    while True:
        pass
'''


def notebook_from(source: str) -> str:
    """A notebook with one code cell per top-level block of ``source`` (blocks split at two blank lines)."""
    cells = [nbformat.v4.new_markdown_cell("# Assignment logreg2")]
    cells += [nbformat.v4.new_code_cell(block.strip("\n")) for block in source.split("\n\n\n") if block.strip()]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def build_class(folder: Path) -> Path:
    folder.mkdir(parents=True)
    correct = CORRECT.read_text()
    shutil.copy(CORRECT, folder / "alice.py")
    shutil.copy(BUGGY / "cost_summed.py", folder / "bob.py")
    shutil.copy(BUGGY / "sign_flipped.py", folder / "carol.py")
    (folder / "erin").mkdir()
    shutil.copy(BUGGY / "update_in_place.py", folder / "erin" / "logreg2.py")
    (folder / "frank.ipynb").write_text(notebook_from(correct))
    (folder / "crash.py").write_text(correct + "\ndef unfinished(:\n")  # Python would not import it at all
    (folder / "hang.py").write_text(correct + HANGING_COST)
    (folder / "notes.txt").write_text("not a submission\n")
    return folder


def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    return {row["student"]: row for row in rows}


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in reports(out)}


def reports(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("*.json") if not p.name.startswith("."))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """The class, graded once into ``out``."""
    base = tmp_path_factory.mktemp("batch")
    folder = build_class(base / "class")
    out = base / "out"
    proc = run("batch", folder, "--out", out, *SHORT)
    return folder, out, proc


# --------------------------------------------------------------------------- a full run


def test_batch_writes_a_report_per_student_and_the_gradebook(graded):
    folder, out, proc = graded
    students = ["alice", "bob", "carol", "crash", "erin", "frank", "hang"]
    assert [p.stem for p in reports(out)] == students
    assert "notes.txt: not a .py, .ipynb or folder; skipped" in proc.stderr
    for name in students:
        report = json.loads((out / f"{name}.json").read_text())
        assert [t["extra_data"]["item"] for t in report["tests"]] == ITEMS
        assert report["extra_data"]["student"] == name
    text = (out / "grades.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == ",".join(["student", "total", *ITEMS, "status"])
    assert [line.split(",")[0] for line in lines[1:]] == students  # sorted by student
    rows = read_csv(out / "grades.csv")
    full = {"alice", "frank"}
    for name in full:
        assert rows[name]["total"] == "100" and rows[name]["status"] == "graded", rows[name]
    assert rows["bob"]["cost"] == "0" and rows["bob"]["total"] == "90" and rows["bob"]["status"] == "graded"
    assert rows["carol"]["gradients_vectorized"] == "0" and rows["carol"]["status"] == "graded"
    assert rows["erin"]["update"] == "0" and rows["erin"]["status"] == "graded"
    assert rows["crash"]["status"] == "load_error" and rows["crash"]["total"] == "0"
    assert rows["hang"]["status"] == "timeout" and rows["hang"]["cost"] == "0"
    assert rows["hang"]["graph_forward"] == "5"  # the other items of a hanging student are still graded
    hang = json.loads((out / "hang.json").read_text())
    cost = next(t for t in hang["tests"] if t["extra_data"]["item"] == "cost")
    assert "did not return within 4 s" in cost["output"]


def test_summary_counts_diagnosed_mistakes_and_lists_problem_students(graded):
    _, out, _ = graded
    page = (out / "summary.html").read_text()
    assert page.count("<svg") >= 3 and 'id="histogram"' in page and 'id="pass-rates"' in page
    assert 'id="mistakes"' in page
    bob = json.loads((out / "bob.json").read_text())
    cause = diagnosed_mistakes(bob)["cost"][0]
    assert "summed" in cause
    assert "crash" in page and "load_error" in page and "hang" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in page


def test_summary_reason_is_chosen_by_status_codes_not_by_words():
    """The "why" column is the headline of the first test whose status code says it was not graded
    normally, whatever its words; a failed test's headline otherwise; a missing report says so."""
    def test(status: str, data_status: str, headline: str) -> dict:
        return {"status": status, "extra_data": {"item": headline, "headline": headline, "mistakes": [],
                                                 "status": data_status}}

    tests = [test("failed", "failed", "did not finish: Not graded (a student's words)"),
             test("failed", "timeout", "the limit"), test("passed", "passed", "fine")]
    report = {"tests": tests, "extra_data": {"assignment": "logreg2", "status": "timeout"}}
    assert not_graded_reason(Row("k", "s", 0.0, {}, "timeout", report=report)) == "the limit"
    report["tests"] = [tests[0], tests[2]]
    assert not_graded_reason(Row("k", "s", 0.0, {}, "timeout", report=report)) == tests[0]["extra_data"]["headline"]
    assert not_graded_reason(Row("k", "s", 0.0, {}, "missing")) == "no report was found for this student"


def test_summary_renders_in_headless_chromium(graded, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    from PIL import Image

    _, out, _ = graded
    shot = tmp_path / "summary.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", f"--screenshot={shot}", "--window-size=1200,1600",
                    (out / "summary.html").resolve().as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file() and shot.stat().st_size > 20_000
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50
    # the histogram's green bars (students at 90-100) and the amber/red pass-rate bars are drawn
    pixels = {c for _, c in colours}
    assert (0x2a, 0x8a, 0x4a) in pixels
    assert {(0xd0, 0x8a, 0x12), (0xc0, 0x39, 0x2b)} & pixels


# --------------------------------------------------------------------------- resume


def test_resume_skips_unchanged_students_and_force_regrades(graded, tmp_path):
    folder, out, _ = graded
    folder, out = shutil.copytree(folder, tmp_path / "class"), shutil.copytree(out, tmp_path / "out")
    before, csv_before = mtimes(out), (out / "grades.csv").read_bytes()

    proc = run("batch", folder, "--out", out, *SHORT)
    assert mtimes(out) == before
    assert "7 unchanged and skipped" in proc.stderr
    assert (out / "grades.csv").read_bytes() == csv_before

    os.utime(folder / "bob.py")  # a new time but the same bytes: still unchanged
    run("batch", folder, "--out", out, *SHORT)
    assert mtimes(out) == before

    # --force regrades everyone; the same inputs graded again, into another folder, give the same bytes
    proc = run("batch", folder, "--out", out, *SHORT, "--force")
    forced = mtimes(out)
    assert all(forced[name] != before[name] for name in before)
    assert "grading 7 of 7 students" in proc.stderr
    assert (out / "grades.csv").read_bytes() == csv_before
    assert (out / "summary.html").read_bytes() == (graded[1] / "summary.html").read_bytes()

    (folder / "bob.py").write_text(CORRECT.read_text())  # bob fixes his cost
    proc = run("batch", folder, "--out", out, *SHORT)
    after = mtimes(out)
    assert [name for name in after if after[name] != forced[name]] == ["bob.json"]
    assert "grading 1 of 7 students" in proc.stderr
    assert read_csv(out / "grades.csv")["bob"]["total"] == "100"
    assert not [p for p in out.iterdir() if p.name.startswith((".bob", ".grades", ".summary"))]  # no temporary files


# --------------------------------------------------------------------------- shards and merge


def test_shards_then_merge_equal_a_full_run(graded, tmp_path):
    folder, out, _ = graded
    first, second = tmp_path / "shard1", tmp_path / "shard2"
    run("batch", folder, "--out", first, *SHORT, "--shard", "1/2")
    run("batch", folder, "--out", second, *SHORT, "--shard", "2/2")
    one, two = {p.stem for p in reports(first)}, {p.stem for p in reports(second)}
    assert one and two and not one & two and len(one | two) == 7
    merged = tmp_path / "merged"
    run("merge", first, second, "--out", merged)
    assert (merged / "grades.csv").read_bytes() == (out / "grades.csv").read_bytes()
    assert "<svg" in (merged / "summary.html").read_text()


# --------------------------------------------------------------------------- Gradescope export


METADATA = """\
---
submission_111:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2024-01-01 10:00:00.000000000 -08:00
  :score: 0.0
  :status: processed
submission_222:
  :submitters:
  - :name: "Grace O'Hopper"
    :sid: '1906'
    :email: grace@example.edu
  - :name: Alan Turing
    :sid: '1912'
    :email: alan@example.edu
  :created_at: 2024-01-02 11:00:00.000000000 -08:00
  :results:
    :tests:
    - :name: not a submitter
submission_333:
  :submitters:
  - :name: '=cmd|evil'
    :sid: '0'
    :email: eve@example.edu
"""


def test_gradescope_export_uses_the_names_in_its_metadata(tmp_path):
    export = tmp_path / "assignment_42_export"
    for folder, source in (("submission_111", CORRECT), ("submission_222", BUGGY / "cost_summed.py"),
                           ("submission_333", CORRECT)):
        (export / folder).mkdir(parents=True)
        shutil.copy(source, export / folder / "logreg2.py")
    (export / "submission_metadata.yml").write_text(METADATA)
    out = tmp_path / "out"
    run("batch", export, "--out", out, *SHORT, "--html")
    assert [p.stem for p in reports(out)] == ["submission_111", "submission_222", "submission_333"]
    assert (out / "submission_222.html").is_file()  # --html: each student's feedback page, linked from the summary
    assert 'href="submission_222.html"' in (out / "summary.html").read_text()
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0].startswith("student,sid,email,total,")
    assert lines[1].startswith('"\'=cmd|evil",0,eve@example.edu,100,')  # a formula is neutralised and quoted
    assert lines[2].startswith("Ada Lovelace,1815,ada@example.edu,100,")
    assert lines[3].startswith("Grace O'Hopper & Alan Turing,1906 1912,grace@example.edu alan@example.edu,90,")
    report = json.loads((out / "submission_222.json").read_text())
    assert report["extra_data"]["student"] == "Grace O'Hopper & Alan Turing"
    assert report["output"].startswith("Grace O'Hopper & Alan Turing: 90")


def test_run_batch_leaves_the_callers_environment_as_it_was(tmp_path, monkeypatch):
    for name in WORKER_ENV:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORRECT, folder / "alice.py")
    out, log = tmp_path / "out", io.StringIO()
    assert run_batch(folder, out, jobs=1, stdout=log, stderr=log, tty=False) == 0, log.getvalue()
    assert read_csv(out / "grades.csv")["alice"]["total"] == "100"
    assert dict(os.environ) == before


FOLDED_AND_FLOW = """\
submission_1:
  :submitters:
  - :name: >-
      Ada
      Lovelace
    :sid: 1815
submission_2:
  :submitters: [{':name': Grace Hopper, ':sid': '1906'}, {':name': Alan Turing}]
  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
    score: 1.0
submission_3:
  :submitters: not a list
"""


def test_gradescope_metadata_reads_folded_names_flow_lists_and_tagged_nodes():
    assert parse_gradescope_metadata(FOLDED_AND_FLOW) == {
        "submission_1": [{"name": "Ada Lovelace", "sid": "1815"}],
        "submission_2": [{"name": "Grace Hopper", "sid": "1906"}, {"name": "Alan Turing"}],
        "submission_3": None,
    }


def test_malformed_metadata_is_one_note_and_every_student_is_still_found(tmp_path):
    for folder in ("submission_1", "submission_2"):
        (tmp_path / folder).mkdir()
        shutil.copy(CORRECT, tmp_path / folder / "logreg2.py")
    (tmp_path / "submission_metadata.yml").write_text("submission_1:\n  :submitters: [\n")
    with pytest.raises(MetadataError):
        parse_gradescope_metadata((tmp_path / "submission_metadata.yml").read_text())
    entries, notes = discover(tmp_path)
    assert [(e.key, e.student, e.submitters) for e in entries] == [("submission_1", "submission_1", ()),
                                                                    ("submission_2", "submission_2", ())]
    assert len(notes) == 1 and "\n" not in notes[0] and notes[0].startswith("submission_metadata.yml: not valid YAML")
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada Lovelace\nsubmission_2:\n  :submitters: not a list\n")
    entries, notes = discover(tmp_path)
    assert [e.student for e in entries] == ["Ada Lovelace", "submission_2"]
    assert notes == ["submission_2: its entry in submission_metadata.yml lists no submitters; graded under its folder name"]


def test_gradescope_metadata_parser():
    parsed = parse_gradescope_metadata(METADATA)
    assert parsed["submission_111"] == [{"name": "Ada Lovelace", "sid": "1815", "email": "ada@example.edu"}]
    assert [p["name"] for p in parsed["submission_222"]] == ["Grace O'Hopper", "Alan Turing"]
    assert parsed["submission_333"][0]["name"] == "=cmd|evil"
    quoted = parse_gradescope_metadata(":submission_9:\n  :submitters:\n  - :name: 'Jo ''JJ'' Smith'\n"
                                       "    :email: \"j\\u00f6@x.org\"\n")
    assert quoted == {"submission_9": [{"name": "Jo 'JJ' Smith", "email": "jö@x.org"}]}


# --------------------------------------------------------------------------- the watchdog


def test_a_student_too_slow_in_total_is_stopped_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    # every cell finishes within its limit, but together they take 12 s
    cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(1.2)") for _ in range(10)]
    (folder / "a_slow.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    shutil.copy(CORRECT, folder / "b_fine.py")
    out = tmp_path / "out"
    run("batch", folder, "--out", out, "--jobs", "1", "--cell-seconds", "3", "--student-seconds", "5")
    rows = read_csv(out / "grades.csv")
    assert rows["a_slow"]["status"] == "timeout" and rows["a_slow"]["total"] == "0"
    assert rows["b_fine"]["status"] == "graded" and rows["b_fine"]["total"] == "100"
    report = json.loads((out / "a_slow.json").read_text())
    assert "longer than 5 s in total" in report["tests"][0]["output"]


def _environment(process) -> dict[str, str] | None:
    """A worker's environment, or None once it is not dumpable: without root, a grader makes itself
    undumpable when it starts its zygote (so that student code running as the same user cannot read
    its memory), and then /proc/<pid>/environ is closed to us too."""
    import psutil

    try:
        return process.environ()
    except psutil.AccessDenied:
        return None


def test_a_worker_that_dies_costs_one_grader_error_and_is_replaced(tmp_path):
    import time

    import psutil

    folder = tmp_path / "class"
    folder.mkdir()
    cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(1)") for _ in range(20)]
    (folder / "a_slow.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    for name in ("b_one", "b_two", "b_three"):
        shutil.copy(CORRECT, folder / f"{name}.py")
    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out), "--jobs", "2",
                              "--cell-seconds", "3"], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    killed, environments, deadline = None, [], time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.5)
        try:
            workers = [p for p in psutil.Process(batch.pid).children() if "grader.batch.worker" in p.cmdline()]
            environments = [_environment(w) for w in workers] + [psutil.Process(batch.pid).environ()]
            for worker in workers:
                busy = len(worker.children(recursive=True)) > 1  # its zygote has a session: it is grading a_slow
                if busy and all((out / f"{name}.json").exists() for name in ("b_one", "b_two", "b_three")):
                    worker.kill()  # the worker grading a_slow, once the others are done
                    killed = worker.pid
                    break
        except psutil.Error:  # a process ended while we looked
            continue
    stdout, stderr = batch.communicate(timeout=120)
    assert killed is not None, stderr
    *seen_by_workers, batch_environment = environments
    readable = [env for env in seen_by_workers if env is not None]
    assert seen_by_workers and (readable or os.geteuid() != 0)  # as root every worker's environment is readable
    assert all(env.items() >= WORKER_ENV.items() for env in readable)
    assert not batch_environment.keys() & WORKER_ENV.keys()  # the batch process itself keeps its own
    assert batch.returncode == 1 and "the grader failed on 1 student(s): a_slow" in stderr
    rows = read_csv(out / "grades.csv")
    assert rows["a_slow"]["status"] == "grader_error"
    assert all(rows[name]["status"] == "graded" and rows[name]["total"] == "100" for name in ("b_one", "b_two", "b_three"))


# --------------------------------------------------------------------------- pieces


def test_shards_partition_the_sorted_entries():
    entries = [Entry(f"s{i:02d}", f"s{i:02d}", Path(f"s{i:02d}.py")) for i in range(11)]
    shares = [select_shard(list(reversed(entries)), k, 3) for k in (1, 2, 3)]
    assert [e.key for e in shares[0]] == ["s00", "s03", "s06", "s09"]
    assert sorted(e.key for share in shares for e in share) == [e.key for e in entries]
    assert parse_shard("2/5") == (2, 5)
    for bad in ("0/2", "3/2", "a/b", "1"):
        with pytest.raises(BatchError):
            parse_shard(bad)


def test_discover_names_files_folders_and_skips_the_rest(tmp_path):
    for name in ("b.py", "a.ipynb", "summary.py", ".hidden.py"):
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "Zoe Q").mkdir()
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "readme.md").write_text("hi")
    entries, notes = discover(tmp_path, exclude=[tmp_path / "out"])
    assert [(e.key, e.student) for e in entries] == [("Zoe_Q", "Zoe Q"), ("a", "a"), ("b", "b"),
                                                      ("summary~student", "summary")]
    assert notes == ["readme.md: not a .py, .ipynb or folder; skipped"]


def test_csv_numbers_and_sorting():
    rubric = load_rubric("logreg2")
    rows = [Row("b", "bob", 90.0, {"cost": 0.0}, "graded"), Row("a", "Al", 12.34567, {"cost": 4.16666}, "graded")]
    text = csv_text(rows, rubric)
    assert text.splitlines()[1].startswith("Al,12.3457,")
    assert text.endswith("\n") and "\r" not in text
    assert [number(x) for x in (100.0, 0.0, 2.5, 1 / 3, -0.0)] == ["100", "0", "2.5", "0.3333", "0"]


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    tty, plain = io.StringIO(), io.StringIO()
    for stream, is_tty in ((tty, True), (plain, False)):
        progress = Progress(2, stream, tty=is_tty)
        progress.finished("alice", "graded", 100, 100, 0.5)
        progress.finished("hang", "timeout", 90, 100, 3.0)
        progress.close()
    assert "\r[" in tty.getvalue() and "2/2" in tty.getvalue() and "ETA" in tty.getvalue()
    assert "problems 1" in tty.getvalue() and "hang: timeout" in tty.getvalue()
    assert plain.getvalue().splitlines()[:2] == ["[1/2] alice: 100/100 graded (0.5 s)",
                                                 "[2/2] hang: 90/100 timeout (3.0 s)"]
