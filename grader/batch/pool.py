"""The batch's workers and their watchdog.

The batch starts ``--jobs`` trusted worker processes (default: one per core; as root, one per
numbered sandbox user), each of which starts one sandbox zygote and then grades many submissions one
after another (a forked, confined session per submission, see ``grader.sandbox.zygote``).  Workers
receive an entry (student, path) and write that student's report atomically as soon as it is graded;
the parent only hands out work, watches the clock and keeps the progress display.  Nothing from the
sandbox reaches the parent: a worker answers with a few plain strings and floats.

The parent stops a worker that spends longer than ``--student-seconds`` on one student and gives that
student a ``timeout`` report, and replaces a worker that dies, so nothing a submission does can stop
the batch.
"""

from __future__ import annotations

import ctypes
import dataclasses
import multiprocessing.connection
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from grader.batch.discover import BatchError, Entry
from grader.batch.fingerprint import entry_fingerprint, input_fingerprint
from grader.batch.progress import Progress
from grader.reporting.report import empty_report, write_report
from grader.rubric import Rubric, load_rubric
from grader.limits import BUDGETS, DEFAULT_SANDBOX_USER, Limits
from grader.sandbox.zygote import sandbox_pool

DEFAULT_STUDENT_SECONDS = BUDGETS.student_seconds
WORKER_START_SECONDS = BUDGETS.worker_start_seconds
# Workers run one BLAS thread each (there is a worker per core), and keep freed memory instead of
# returning it to the kernel: every submission allocates the same ~200 MB of arrays and buffers
# again, and on this kind of machine faulting fresh pages back in cost ~150 ms per submission.
# The worker processes start with it (worker_environment), so it holds from their first allocation; the
# batch's own os.environ is never changed. The sandbox zygote gets its own environment (grader.sandbox.zygote).
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MALLOC_MMAP_THRESHOLD_": str(256 << 20), "MALLOC_TRIM_THRESHOLD_": str(512 << 20),
              "MALLOC_TOP_PAD_": str(64 << 20)}
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """A worker whose batch was killed stops too."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def worker_environment() -> dict[str, str]:
    """Our environment with ``WORKER_ENV`` on top: what a worker process starts with (ours is left as it is)."""
    return {**os.environ, **WORKER_ENV}


def _interpreter_flags() -> list[str]:
    """The flags we run under that a worker needs too (``-E``, ``-s``, ``-B``)."""
    flags = sys.flags
    chosen = (("-E", flags.ignore_environment), ("-s", flags.no_user_site), ("-B", flags.dont_write_bytecode))
    return [flag for flag, on in chosen if on]


def worker_main(conn: multiprocessing.connection.Connection) -> None:
    """A trusted worker (``python -m grader.batch.worker``): its settings, then one zygote, many students,
    one report each, written as soon as it is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    settings = conn.recv()
    from grader.checking.grading import limits_for
    from grader.sandbox.zygote import SandboxUnusable, Zygote

    rubric = load_rubric(settings["assignment"])
    limits = limits_for(rubric, settings["overrides"])
    zygote = Zygote()
    try:
        try:
            zygote.start()
        except SandboxUnusable as exc:  # the TA gets the one line that says what to do
            conn.send({"unusable": str(exc)})
            return
        conn.send({"ready": True})
        while True:
            try:
                entry = conn.recv()
            except (EOFError, OSError):
                return
            if entry is None:
                return
            try:
                summary = _grade_entry(entry, rubric, zygote, limits, settings)
            except Exception as exc:  # noqa: BLE001 (a grader bug on one student must not stop the others)
                summary = _error_report(entry, rubric, settings, "grader_error",
                                        f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:300]})")
                zygote.close()
                zygote = Zygote()
                zygote.start()
            conn.send(summary)
    finally:
        zygote.close()


def _grade_entry(entry: Entry, rubric: Rubric, zygote: Any, limits: Limits, settings: dict[str, Any]) -> dict[str, Any]:
    from grader.checking.grading import grade
    from grader.reporting.report import build_report
    from grader.submission.locate import read_submission

    submission = dataclasses.replace(read_submission(entry.path), name=entry.student)
    if submission.path is None:
        fingerprint = input_fingerprint(entry.student, None, None, submission.problem)
    else:
        fingerprint = input_fingerprint(entry.student, submission.path.name, submission.data, None)
    result = grade(submission, rubric, zygote, limits)
    report = build_report(result)
    _write_student(report, entry, rubric, settings, fingerprint)
    return {"key": entry.key, "student": entry.student, "status": result.status,
            "score": float(report["score"]), "seconds": float(result.seconds)}


def _error_report(entry: Entry, rubric: Rubric, settings: dict[str, Any], status: str, reason: str,
                  input_fp: str | None = None) -> dict[str, Any]:
    """A zero report for a student the grader could not finish; with ``input_fp`` a rerun skips it."""
    report = empty_report(rubric, reason, entry.student)
    report["extra_data"]["status"] = status
    _write_student(report, entry, rubric, settings, input_fp)
    return {"key": entry.key, "student": entry.student, "status": status, "score": 0.0, "seconds": 0.0}


def _write_student(report: dict[str, Any], entry: Entry, rubric: Rubric, settings: dict[str, Any],
                   input_fp: str | None) -> None:
    """Stamp what resume needs and who submitted, then write the report (and the page with ``--html``)."""
    report["extra_data"]["batch"] = {"key": entry.key, "input": input_fp, "grader": settings["grader"]}
    if entry.submitters:
        report["extra_data"]["submitters"] = entry.submitter_dicts()
    out = Path(settings["out"])
    if settings.get("html"):
        write_page(report, out / f"{entry.key}.html")
    write_report(report, rubric, out / f"{entry.key}.json")


def write_page(report: dict[str, Any], path: Path) -> None:
    from grader.reporting.html_page import write_page

    write_page(report, path)


class _Worker:
    """A worker process, started with ``worker_environment()``: the parent's own environment never changes."""

    def __init__(self, settings: dict[str, Any]) -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(
                [sys.executable, *_interpreter_flags(), "-m", "grader.batch.worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=worker_environment())
            self.conn = multiprocessing.connection.Connection(ours.detach())
        self.sentinel = os.pidfd_open(self.process.pid)  # readable once the process has ended
        self.conn.send(settings)
        self.entry: Entry | None = None
        self.started = time.monotonic()
        self.ready = False  # set when its zygote is up: a student's clock starts only then

    def give(self, entry: Entry) -> None:
        self.entry, self.started = entry, time.monotonic()
        self.conn.send(entry)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
        os.close(self.sentinel)


def run_pool(todo: list[Entry], jobs: int, settings: dict[str, Any], rubric: Rubric, progress: Progress,
              student_seconds: float) -> None:
    """Hand out entries to ``jobs`` workers until every student has a report."""
    pending = list(reversed(todo))
    workers: list[_Worker] = []
    try:
        workers = [_Worker(settings) for _ in range(min(jobs, len(todo)))]
        while pending or any(w.entry for w in workers):
            for index, worker in enumerate(workers):
                if worker.ready and worker.entry is None and pending:
                    if not worker.alive():  # died between two students: replace it
                        worker.stop(kill=True)
                        workers[index] = _Worker(settings)
                        continue
                    worker.give(pending.pop())
            busy = [w for w in workers if w.entry is not None or not w.ready]
            waitables: list[Any] = [w.conn for w in busy] + [w.sentinel for w in busy]
            ready = multiprocessing.connection.wait(waitables, timeout=0.5)
            for index, worker in enumerate(list(workers)):
                if worker.entry is None and worker.ready:
                    continue
                summary = None
                if worker.conn in ready:
                    try:
                        summary = worker.conn.recv()
                    except (EOFError, OSError):
                        summary = None
                if not worker.ready:
                    if summary is not None and "unusable" in summary:
                        worker.stop(kill=True)
                        raise BatchError(str(summary["unusable"]))
                    if summary is not None:
                        worker.ready = True
                        continue
                    if worker.sentinel in ready or not worker.alive() \
                            or time.monotonic() - worker.started > WORKER_START_SECONDS:
                        worker.stop(kill=True)
                        raise BatchError(f"a grading worker could not start (exit code {worker.process.returncode})")
                    continue
                if summary is not None:
                    entry, worker.entry = worker.entry, None
                    progress.finished(summary["student"], summary["status"], summary["score"], rubric.total,
                                      summary["seconds"])
                    continue
                over_time = time.monotonic() - worker.started > student_seconds
                if worker.sentinel in ready or not worker.alive() or over_time:
                    entry, exitcode = worker.entry, worker.process.returncode
                    worker.entry = None
                    worker.stop(kill=True)
                    if over_time:
                        summary = _error_report(entry, rubric, settings, "timeout",
                                                f"grading took longer than {student_seconds:g} s in total and was stopped",
                                                entry_fingerprint(entry))
                    else:
                        summary = _error_report(entry, rubric, settings, "grader_error",
                                                f"the grader's worker process ended while grading this submission "
                                                f"(exit code {exitcode})")
                    progress.finished(entry.student, summary["status"], 0.0, rubric.total,
                                      time.monotonic() - worker.started)
                    if pending:
                        workers[index] = _Worker(settings)
            progress.draw()
    finally:
        for worker in workers:
            if worker.process.returncode is None:
                worker.stop(kill=worker.entry is not None)


def jobs_for_sandbox_users(jobs: int, stderr: TextIO) -> int:
    """As root, one worker per numbered sandbox user: each worker's sessions then run as a user of
    their own (own process limit, no neighbour to signal), which is what keeps students apart."""
    if os.geteuid() != 0 or jobs == 1:
        return jobs
    pool = len(sandbox_pool())
    if pool == 0:
        stderr.write(f"note: no numbered sandbox users ({DEFAULT_SANDBOX_USER}1, ...): the {jobs} workers share one, "
                     "so one student's processes can slow another's grading; .ci/run shows how to create them\n")
        return jobs
    if pool < jobs:
        stderr.write(f"note: {pool} numbered sandbox users, so {pool} workers instead of {jobs}\n")
    return min(jobs, pool)
