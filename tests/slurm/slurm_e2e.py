"""``deploy/slurm/grade-class.sbatch`` on a real (one-node) Slurm cluster: ``make test-slurm``.

Not collected by ``make test`` (the file name is not ``test_*.py``); ``make test-slurm``
names it explicitly, after installing Slurm and munge.  The cluster is started by
``cluster.py`` and stopped whatever happens.

A class of 40 students (correct copies, every one-bug example, the starter
notebook and a notebook of the correct file, a ``cost`` that never returns)
is graded once on this machine with ``grader batch`` and then on the cluster by
the unchanged script (folders passed in the environment, 4 array tasks of one
CPU each, then the merge job).  The tests check that the merged ``grades.csv``
has the same bytes, that every student has a report, that a shard cancelled
halfway and submitted again keeps (same inode and mtime) the reports it had
written and that the merge then runs, and that a shard that cannot see the
venv or the class folder fails with one line.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from grader.batch.discover import discover, select_shard

from cluster import SlurmCluster, processes_with_conf, slurm_cluster  # pytest puts this file's folder on the path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "slurm" / "grade-class.sbatch"
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
SHARDS = 4
CORRECT_COPIES = 11
HANGING = "zz_cost_never_returns"  # sorts last: the final student of shard 4, so that shard is still busy when cancelled
KILLED_SHARD = 4
JOB_SECONDS = 300.0


def notebook_of(source: str) -> str:
    """A notebook with one code cell per top-level block of ``source``."""
    cells = [nbformat.v4.new_markdown_cell("# logreg2")]
    cells += [nbformat.v4.new_code_cell(block.strip("\n")) for block in source.split("\n\n\n") if block.strip()]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def build_class(folder: Path) -> Path:
    """40 students: correct copies under their own names, the one-bug examples, two notebooks, a hang."""
    folder.mkdir(parents=True)
    correct = EXAMPLES / "correct.py"
    for n in range(1, CORRECT_COPIES + 1):
        shutil.copy(correct, folder / f"student{n:02d}.py")
    for buggy in sorted((EXAMPLES / "buggy").glob("*.py")):
        shutil.copy(buggy, folder / buggy.name)
    shutil.copy(ROOT / "assignments" / "logreg2" / "logreg2.ipynb", folder / "starter_notebook.ipynb")
    (folder / "notebook_correct.ipynb").write_text(notebook_of(correct.read_text()))
    shutil.copy(ROOT / "tests" / "submissions" / "cost_never_returns.py", folder / f"{HANGING}.py")
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[SlurmCluster]:
    with slurm_cluster(cpus=2) as running:
        yield running


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_class(tmp_path_factory.mktemp("slurm") / "class")
    assert len(discover(folder)[0]) >= 40
    return folder


@pytest.fixture(scope="module")
def single_machine(classroom: Path, tmp_path_factory: pytest.TempPathFactory,
                   grading_times: dict[str, float]) -> Path:
    """The class graded by one ``batch`` on this machine: what the cluster must reproduce."""
    out = tmp_path_factory.mktemp("single") / "out"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(classroom), "--out", str(out), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=JOB_SECONDS)
    grading_times["one machine: the same class, one batch --jobs 2"] = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    return out


def submit(cluster: SlurmCluster, classroom: Path, out: Path, *options: str) -> tuple[str, str]:
    """The script's own submission (shards, then the merge after them); returns (array job, merge job)."""
    env = {**cluster.env, "GRADER_DIR": str(ROOT), "CLASS_DIR": str(classroom), "OUT_DIR": str(out),
           "SHARDS": str(SHARDS)}
    proc = subprocess.run(["bash", str(SCRIPT), "--cpus-per-task=1", *options], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    array, merge = proc.stdout.split()
    return array, merge


def states(records: list[dict[str, str]]) -> dict[str, str]:
    """Array task (or job id) -> final state."""
    return {r.get("ArrayTaskId", r["JobId"]): r["JobState"] for r in records}


def report_ids(folder: Path) -> dict[str, tuple[int, int]]:
    """Each report in a shard folder -> (inode, mtime in ns): a rewritten report changes both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.json")
            if not p.name.startswith(".")}


def test_array_and_merge_give_the_single_machine_gradebook(cluster: SlurmCluster, classroom: Path,
                                                          single_machine: Path, tmp_path: Path,
                                                          grading_times: dict[str, float]) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    array, merge = submit(cluster, classroom, out)
    merged = cluster.wait_for_end(merge, JOB_SECONDS)
    grading_times[f"slurm: {len(discover(classroom)[0])} students, {SHARDS} array tasks of 1 CPU, submit to merged"] = \
        time.monotonic() - started

    assert states(cluster.jobs(array)) == {str(k): "COMPLETED" for k in range(1, SHARDS + 1)}
    assert states(merged) == {merge: "COMPLETED"}
    assert (out / "all" / "grades.csv").read_bytes() == (single_machine / "grades.csv").read_bytes()
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "all" / "grades.csv").read_text()))}
    assert {(rows[name]["status"], rows[name]["total"]) for name in ("student01", "notebook_correct")} == \
        {("graded", "100")}, "the class was not really graded"
    assert rows[HANGING]["status"] == "timeout"
    entries = discover(classroom)[0]
    for k in range(1, SHARDS + 1):
        expected = {f"{e.key}.json" for e in select_shard(entries, k, SHARDS)}
        assert set(report_ids(out / f"shard-{k}")) == expected
    assert sum(len(report_ids(out / f"shard-{k}")) for k in range(1, SHARDS + 1)) == len(entries)
    assert (out / "all" / "summary.html").is_file()


def wait_for_reports(folder: Path, at_least: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(report_ids(folder)) < at_least:
        assert time.monotonic() < deadline, f"{folder} has {len(report_ids(folder))} reports after {seconds:g} s"
        time.sleep(0.05)


def test_cancelled_shard_resumes_without_regrading(cluster: SlurmCluster, classroom: Path, single_machine: Path,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "out"
    shard = out / f"shard-{KILLED_SHARD}"
    share = len(select_shard(discover(classroom)[0], KILLED_SHARD, SHARDS))
    array, first_merge = submit(cluster, classroom, out)
    wait_for_reports(shard, 4, JOB_SECONDS)
    cluster.run("scancel", f"{array}_{KILLED_SHARD}")
    killed = cluster.wait_for_end(f"{array}_{KILLED_SHARD}", 60)
    assert states(killed) == {str(KILLED_SHARD): "CANCELLED"}
    before = report_ids(shard)
    assert 4 <= len(before) < share, "the shard was not stopped halfway"

    again, merge = submit(cluster, classroom, out, f"--array={KILLED_SHARD}")
    merged = cluster.wait_for_end(merge, JOB_SECONDS)
    assert states(cluster.jobs(again)) == {str(KILLED_SHARD): "COMPLETED"}
    assert states(merged) == {merge: "COMPLETED"}
    # The first merge depended on the cancelled task: it is cancelled, not left pending for ever.
    assert states(cluster.wait_for_end(first_merge, 60)) == {first_merge: "CANCELLED"}

    after = report_ids(shard)
    assert len(after) == share
    assert {name: after[name] for name in before} == before, "a finished student was graded again"
    assert (out / "all" / "grades.csv").read_bytes() == (single_machine / "grades.csv").read_bytes()


@pytest.mark.parametrize("missing", ["GRADER_DIR", "CLASS_DIR"])
def test_shard_that_cannot_see_a_folder_fails_with_one_line(cluster: SlurmCluster, classroom: Path, tmp_path: Path,
                                                            missing: str) -> None:
    """Submitted straight to sbatch, so the check that fails is the one on the node, not the submitter's."""
    nowhere = tmp_path / "not-mounted"
    env = {"GRADER_DIR": str(ROOT), "CLASS_DIR": str(classroom), "OUT_DIR": str(tmp_path / "out"),
           "SHARDS": str(SHARDS), missing: str(nowhere)}
    log = tmp_path / "shard.out"
    job = cluster.run("sbatch", "--parsable", "--cpus-per-task=1", "--array=2", f"--output={log}", str(SCRIPT),
                      env=env).stdout.strip()
    records = cluster.wait_for_end(job, 60)
    assert states(records) == {"2": "FAILED"}
    assert records[0]["ExitCode"] == "2:0"
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and str(nowhere) in lines[0], lines
    assert not (tmp_path / "out" / "shard-2").exists()


def test_a_second_cluster_stops_and_leaves_nothing() -> None:
    """Stopping kills the daemons and a running job and removes the state folder."""
    with slurm_cluster(cpus=1) as other:
        job = other.run("sbatch", "--parsable", f"--output={other.root / 'sleep.out'}", "--wrap", "sleep 300").stdout
        deadline = time.monotonic() + 30
        while other.jobs(job.strip())[0]["JobState"] != "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert processes_with_conf(other.conf)
        root, conf = other.root, other.conf
    assert not root.exists()
    assert processes_with_conf(conf) == []
