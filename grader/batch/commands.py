"""Grade a whole class: ``python -m grader batch DIR --out OUTDIR`` and ``python -m grader merge``.

Parallel without paying an interpreter start per student: the batch starts
``--jobs`` trusted worker processes (default: one per core), each of which
starts one sandbox zygote and then grades many submissions one after another
(a forked, confined session per submission, see ``grader.sandbox.zygote``).  Workers
receive an entry (student, path) and write that student's report atomically as
soon as it is graded; the parent only hands out work, watches the clock, keeps
the progress display and, at the end, builds ``grades.csv`` and
``summary.html`` from the reports on disk.  Nothing from the sandbox reaches
the parent: a worker answers with a few plain strings and floats.

Resume: every report carries a fingerprint of its input (the bytes graded and
the student's name) and of the grader (rubric, reference, grader code, limits);
a later run skips students whose fingerprints match, unless ``--force``.  The
parent also stops a worker that spends longer than ``--student-seconds`` on
one student and gives that student a ``timeout`` report, so nothing a
submission does can stop the batch.

Sharding: ``--shard K/N`` grades the students whose position in the sorted
list of entries is K-1 modulo N, so N machines share a class without talking
to each other; ``merge`` joins their output folders.

The pieces: ``discover`` (the students, Gradescope's metadata, shards), ``fingerprint`` (resume),
``pool`` (the worker processes and their watchdog), ``progress`` (the display); this module runs them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from grader._fs import write_atomically
from grader.batch.discover import BatchError, Entry, discover, parse_shard, select_shard
from grader.batch.fingerprint import grader_fingerprint, up_to_date
from grader.batch.pool import DEFAULT_STUDENT_SECONDS, jobs_for_sandbox_users, run_pool, write_page
from grader.batch.progress import Progress
from grader.reporting.gradebook import Row, missing_row, read_report, row_from_report, write_csv
from grader.reporting.summary_page import write_summary
from grader.rubric import Rubric, load_rubric

MANIFEST = ".batch.json"


def _rows_for(entries: list[Entry], out: Path, rubric: Rubric) -> list[Row]:
    rows = []
    for entry in entries:
        path = out / f"{entry.key}.json"
        report = read_report(path)
        rows.append(row_from_report(entry.key, report, path) if report else missing_row(entry.key, entry.student, rubric))
    return rows


def _write_outputs(rows: list[Row], rubric: Rubric, out: Path, stream: TextIO) -> None:
    write_csv(rows, rubric, out / "grades.csv")
    write_summary(rows, rubric, out / "summary.html")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no students"
    stream.write(f"{out / 'grades.csv'}\n{out / 'summary.html'}\n{len(rows)} students: {tally}\n")


def run_batch(folder: Path, out: Path, *, jobs: int | None = None, force: bool = False, shard: str | None = None,
              assignment: str = "logreg2", html: bool = False, overrides: dict[str, Any] | None = None,
              student_seconds: float = DEFAULT_STUDENT_SECONDS, stdout: TextIO | None = None,
              stderr: TextIO | None = None, tty: bool | None = None) -> int:
    """Grade every student of ``folder`` into ``out``; 0 when all got a report, 1 when the grader failed on some."""
    from grader.checking.grading import limits_for

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    rubric = load_rubric(assignment)
    limits = limits_for(rubric, overrides)
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder of submissions")
    share = parse_shard(shard) if shard else None
    out.mkdir(parents=True, exist_ok=True)
    entries, notes = discover(folder, exclude=[out])
    for note in notes:
        stderr.write(f"note: {note}\n")
    if share:
        entries = select_shard(entries, *share)
    grader_fp = grader_fingerprint(rubric, limits)
    todo = [e for e in entries if force or not up_to_date(read_report(out / f"{e.key}.json"), e, grader_fp)]
    jobs = jobs_for_sandbox_users(max(1, jobs or os.cpu_count() or 1), stderr)
    settings = {"assignment": assignment, "overrides": overrides or {}, "out": str(out), "html": html,
                "grader": grader_fp}
    progress = Progress(len(todo), stderr, tty=tty, skipped=len(entries) - len(todo))
    if todo:
        stderr.write(f"grading {len(todo)} of {len(entries)} students with {min(jobs, len(todo))} "
                     f"worker{'s' if min(jobs, len(todo)) != 1 else ''}\n")
        stderr.flush()
        try:
            run_pool(todo, jobs, settings, rubric, progress, student_seconds)
        except KeyboardInterrupt:
            stderr.write(f"\ninterrupted: {progress.done} reports written; run the same command again to resume\n")
            return 130
    progress.close()
    rows = _rows_for(entries, out, rubric)
    if html:
        for row in rows:
            if row.report is not None and row.path is not None and not row.path.with_suffix(".html").is_file():
                write_page(row.report, row.path.with_suffix(".html"))
    manifest = {"assignment": rubric.assignment, "grader": grader_fp, "shard": shard,
                "students": [{"key": e.key, "student": e.student} for e in entries]}
    write_atomically(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    _write_outputs(rows, rubric, out, stdout)
    failed = [r.student for r in rows if r.status in ("grader_error", "missing")]
    if failed:
        stderr.write(f"the grader failed on {len(failed)} student(s): {', '.join(failed[:10])}\n")
        return 1
    return 0


def run_merge(folders: list[Path], out: Path, assignment: str | None = None,
              stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Join the output folders of shards into one ``grades.csv`` and ``summary.html`` in ``out``."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    by_key: dict[str, Row] = {}
    assignments: set[str] = set()
    graders: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            raise BatchError(f"{folder} is not a batch output folder")
        listed = _manifest_students(folder)
        if listed is None:
            listed = [(p.stem, p.stem) for p in sorted(folder.glob("*.json")) if read_report(p) is not None]
        for key, student in listed:
            path = folder / f"{key}.json"
            report = read_report(path)
            if key in by_key:
                stderr.write(f"note: {key} is in more than one folder; using {folder}\n")
            if report is None:
                by_key[key] = Row(key, student, 0.0, {}, "missing", path=path)
                continue
            extra = report.get("extra_data", {})
            assignments.add(str(extra.get("assignment")))
            batch = extra.get("batch")
            if isinstance(batch, dict) and batch.get("grader"):
                graders.add(batch["grader"])
            by_key[key] = row_from_report(key, report, path)
    if assignment:
        assignments.add(assignment)
    if len(assignments) > 1:
        raise BatchError(f"the folders hold reports of different assignments: {', '.join(sorted(assignments))}")
    rubric = load_rubric(assignments.pop() if assignments else "logreg2")
    if len(graders) > 1:
        stderr.write("note: the shards were graded with different grader versions, rubrics or limits\n")
    rows = [r if r.status != "missing" else missing_row(r.key, r.student, rubric) for r in by_key.values()]
    out.mkdir(parents=True, exist_ok=True)
    _write_outputs(rows, rubric, out, stdout)
    missing = [r.student for r in rows if r.status == "missing"]
    if missing:
        stderr.write(f"no report for {len(missing)} student(s): {', '.join(missing[:10])}\n")
        return 1
    return 0


def _manifest_students(folder: Path) -> list[tuple[str, str]] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return [(str(s["key"]), str(s["student"])) for s in data["students"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


__all__ = ["BatchError", "DEFAULT_STUDENT_SECONDS", "run_batch", "run_merge"]  # what the command line uses
