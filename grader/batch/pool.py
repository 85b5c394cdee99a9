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
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, TextIO

import yaml

from grader.reporting.gradebook import Row, missing_row, read_report, row_from_report, write_csv
from grader.submission.names import fs_bytes, shown
from grader.batch.progress import Progress
from grader._fs import shipped_files, write_atomically
from grader.reporting.report import GRADER_VERSION, empty_report, write_report
from grader.rubric import Rubric, RubricError, load_rubric
from grader.sandbox.limits import BUDGETS
from grader.sandbox.zygote import DEFAULT_SANDBOX_USER, Limits, sandbox_pool
from grader.submission.locate import MAX_BYTES, SUFFIXES, locate
from grader.reporting.summary_page import write_summary

MANIFEST = ".batch.json"
GRADESCOPE_METADATA = "submission_metadata.yml"
GRADESCOPE_FOLDER = re.compile(r"^submission_\d+$")
IGNORED_ENTRIES = {"__MACOSX", "__pycache__", ".ipynb_checkpoints"}
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


class BatchError(Exception):
    """The batch cannot run at all (no such folder, a bad --shard); the message is one line."""


class MetadataError(Exception):
    """``submission_metadata.yml`` cannot be read; the message is one line, and the batch goes on without it."""


@dataclass(frozen=True)
class Entry:
    """One student of the class: ``key`` names their report file, ``student`` is shown to people."""

    key: str
    student: str
    path: Path
    submitters: tuple[tuple[tuple[str, str], ...], ...] = ()

    def submitter_dicts(self) -> list[dict[str, str]]:
        return [dict(s) for s in self.submitters]


# --------------------------------------------------------------------------- finding the students


RESERVED_KEYS = {"grades", "summary"}


def _safe_key(name: str) -> str:
    """A file name for a student's report: letters, digits and ``._-@+`` only, never hidden,
    never one of the batch's own files (``summary.html``)."""
    key = re.sub(r"[^\w.@+-]+", "_", name, flags=re.UNICODE).strip("._") or "student"
    key = key[:120]
    return f"{key}~student" if key.casefold() in RESERVED_KEYS else key


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        key, n = entry.key, 1
        while key.casefold() in seen:
            n += 1
            key = f"{entry.key}~{n}"
        seen.add(key.casefold())
        out.append(dataclasses.replace(entry, key=key))
    return out


def discover(folder: Path, exclude: Iterable[Path] = ()) -> tuple[list[Entry], list[str]]:
    """The students in ``folder`` (sorted by key) and notes on what was left out.

    Each ``.py``, ``.ipynb`` or folder is one student.  A folder holding
    ``submission_metadata.yml`` is read as a Gradescope export.
    """
    excluded = {p.resolve() for p in exclude}
    metadata_path = folder / GRADESCOPE_METADATA
    export = metadata_path.is_file()
    metadata: dict[str, list[dict[str, str]] | None] | None = None
    entries, notes = [], []
    if export:
        try:
            metadata = parse_gradescope_metadata(metadata_path.read_text(encoding="utf-8", errors="replace"))
        except MetadataError as exc:
            notes.append(str(exc))
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        if name.startswith(".") or name in IGNORED_ENTRIES or path.resolve() in excluded:
            continue
        if export and name == GRADESCOPE_METADATA:
            continue
        is_dir = path.is_dir() and not path.is_symlink()
        if not is_dir and not name.endswith(SUFFIXES) and not path.is_symlink():
            notes.append(f"{name}: not a .py, .ipynb or folder; skipped")
            continue
        student = shown(name if is_dir else Path(name).stem if name.endswith(SUFFIXES) else name)
        submitters: tuple = ()
        people = metadata.get(name) if metadata is not None else None
        if people:
            submitters = tuple(tuple(sorted(p.items())) for p in people)
            names = [p.get("name", "") for p in people if p.get("name")]
            if names:
                student = " & ".join(names)
        elif metadata is not None and name in metadata:
            notes.append(f"{name}: its entry in {GRADESCOPE_METADATA} lists no submitters; graded under its folder name")
        elif metadata is not None and GRADESCOPE_FOLDER.match(name):
            notes.append(f"{name}: not in {GRADESCOPE_METADATA}; graded under its folder name")
        entries.append(Entry(_safe_key(name if export else student), student, path, submitters))
    entries.sort(key=lambda e: e.key)
    return _unique(entries), notes


class _MetadataLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, reading any tagged node (``!ruby/...``: Gradescope is a Rails app) as
    the plain mapping, list or string under the tag, so a tag nobody here needs cannot fail the whole file."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_MetadataLoader.add_multi_constructor("!", _untagged)

SUBMITTER_FIELDS = ("name", "sid", "email")


def _key(value: Any) -> str:
    """A Ruby symbol key (``:name``) or a plain one, as text."""
    text = str(value)
    return text[1:] if text.startswith(":") else text


def _submitters(value: Any) -> list[dict[str, str]] | None:
    """The ``:submitters:`` list of one folder's entry, or None when the entry has no such list."""
    if not isinstance(value, dict):
        return None
    people = {_key(k): v for k, v in value.items()}.get("submitters")
    if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
        return None
    found = []
    for person in people:
        fields = {_key(k): v for k, v in person.items()}
        found.append({f: "" if fields[f] is None else str(fields[f]) for f in SUBMITTER_FIELDS if f in fields})
    return found


def parse_gradescope_metadata(text: str) -> dict[str, list[dict[str, str]] | None]:
    """``submission_metadata.yml`` -> folder name -> submitters (``name``, ``sid``, ``email``).

    Any YAML (``yaml.safe_load``'s): block or flow style, quoted, folded or literal scalars.  A folder
    whose entry lists no submitters maps to None; a file that is not such YAML raises ``MetadataError``
    with a one-line message.  Either way those students are graded under their folder names.
    """
    try:
        data = yaml.load(text, Loader=_MetadataLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MetadataError(f"{GRADESCOPE_METADATA}: not valid YAML ({problem}{where}); "
                            "every student graded under their folder name") from None
    if not isinstance(data, (dict, type(None))):
        raise MetadataError(f"{GRADESCOPE_METADATA}: not a mapping of folders; every student graded under their folder name")
    return {_key(folder): _submitters(entry) for folder, entry in (data or {}).items()}


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise BatchError(f"--shard must be K/N with 1 <= K <= N (got {text!r})")
    return int(match.group(1)), int(match.group(2))


def select_shard(entries: list[Entry], k: int, n: int) -> list[Entry]:
    """The K-th of N shares: entries (sorted by key) whose position is K-1 modulo N."""
    ordered = sorted(entries, key=lambda e: e.key)
    return [entry for i, entry in enumerate(ordered) if i % n == k - 1]


# --------------------------------------------------------------------------- fingerprints


def grader_fingerprint(rubric: Rubric, limits: Limits) -> str:
    """Changes when anything that decides a grade changes: rubric, reference, mistakes, grader code, limits."""
    digest = hashlib.sha256(f"grader {GRADER_VERSION}\0".encode())
    files = [rubric.path]
    for module in (rubric.reference, rubric.mistakes):
        if module is not None and getattr(module, "__file__", None):
            files.append(Path(module.__file__))
    grader_dir = Path(__file__).resolve().parents[1]
    named = [(path.name, path) for path in files]
    named += [(path.relative_to(grader_dir).as_posix(), path) for path in shipped_files(grader_dir)]
    for name, path in named:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        digest.update(fs_bytes(name) + b"\0" + hashlib.sha256(data).digest())
    digest.update(json.dumps(dataclasses.asdict(limits), sort_keys=True).encode())
    return digest.hexdigest()


def input_fingerprint(student: str, filename: str | None, data: bytes | None, problem: str | None) -> str:
    """What was graded: the student's name and the file's name and bytes (or why there was no file)."""
    digest = hashlib.sha256(b"student\0" + student.encode() + b"\0")
    if filename is None:
        digest.update(b"problem\0" + (problem or "").encode())
    else:
        digest.update(b"file\0" + fs_bytes(filename) + b"\0" + (data or b""))
    return digest.hexdigest()


def entry_fingerprint(entry: Entry) -> str:
    """The input fingerprint of an entry as it is on disk now (what a worker would compute)."""
    found, problem = locate(entry.path)
    if found is None:
        return input_fingerprint(entry.student, None, None, problem)
    try:
        fd = os.open(found, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        return input_fingerprint(entry.student, None, None, f"unreadable: {exc}")
    return input_fingerprint(entry.student, found.name, data, None)


def _up_to_date(report: dict[str, Any] | None, entry: Entry, grader_fp: str) -> bool:
    if report is None:
        return False
    batch = report.get("extra_data", {}).get("batch")
    if not isinstance(batch, dict) or batch.get("grader") != grader_fp or not batch.get("input"):
        return False
    return batch["input"] == entry_fingerprint(entry)


# --------------------------------------------------------------------------- workers


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
    report["extra_data"]["batch"] = {"key": entry.key, "input": fingerprint, "grader": settings["grader"]}
    if entry.submitters:
        report["extra_data"]["submitters"] = entry.submitter_dicts()
    out = Path(settings["out"])
    if settings.get("html"):
        _write_page(report, out / f"{entry.key}.html")
    write_report(report, rubric, out / f"{entry.key}.json")
    return {"key": entry.key, "student": entry.student, "status": result.status,
            "score": float(report["score"]), "seconds": float(result.seconds)}


def _error_report(entry: Entry, rubric: Rubric, settings: dict[str, Any], status: str, reason: str,
                  input_fp: str | None = None) -> dict[str, Any]:
    """A zero report for a student the grader could not finish; with ``input_fp`` a rerun skips it."""
    report = empty_report(rubric, reason, entry.student)
    report["extra_data"]["status"] = status
    report["extra_data"]["batch"] = {"key": entry.key, "input": input_fp, "grader": settings["grader"]}
    if entry.submitters:
        report["extra_data"]["submitters"] = entry.submitter_dicts()
    out = Path(settings["out"])
    if settings.get("html"):
        _write_page(report, out / f"{entry.key}.html")
    write_report(report, rubric, out / f"{entry.key}.json")
    return {"key": entry.key, "student": entry.student, "status": status, "score": 0.0, "seconds": 0.0}


def _write_page(report: dict[str, Any], path: Path) -> None:
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


def _run_pool(todo: list[Entry], jobs: int, settings: dict[str, Any], rubric: Rubric, progress: Progress,
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


# --------------------------------------------------------------------------- the commands


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


def _jobs_for_sandbox_users(jobs: int, stderr: TextIO) -> int:
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
    todo = [e for e in entries if force or not _up_to_date(read_report(out / f"{e.key}.json"), e, grader_fp)]
    jobs = _jobs_for_sandbox_users(max(1, jobs or os.cpu_count() or 1), stderr)
    settings = {"assignment": assignment, "overrides": overrides or {}, "out": str(out), "html": html,
                "grader": grader_fp}
    progress = Progress(len(todo), stderr, tty=tty, skipped=len(entries) - len(todo))
    if todo:
        stderr.write(f"grading {len(todo)} of {len(entries)} students with {min(jobs, len(todo))} "
                     f"worker{'s' if min(jobs, len(todo)) != 1 else ''}\n")
        stderr.flush()
        try:
            _run_pool(todo, jobs, settings, rubric, progress, student_seconds)
        except KeyboardInterrupt:
            stderr.write(f"\ninterrupted: {progress.done} reports written; run the same command again to resume\n")
            return 130
    progress.close()
    rows = _rows_for(entries, out, rubric)
    if html:
        for row in rows:
            if row.report is not None and row.path is not None and not row.path.with_suffix(".html").is_file():
                _write_page(row.report, row.path.with_suffix(".html"))
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


__all__ = ["BatchError", "Entry", "RubricError", "discover", "parse_gradescope_metadata", "run_batch", "run_merge",
           "select_shard"]
