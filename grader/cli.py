"""Command line: ``python -m grader COMMAND ...``, four commands and their exit statuses.

``grade PATH [--assignment ID] [--out FILE] [--html FILE] [--call-seconds S] [--cell-seconds S]``
    Grade one submission (a file or a folder).  Without ``--out`` the report goes to standard
    output; with it, the per-item table is printed.  0 whenever a report was written (even a
    zero score).
``check PATH [--assignment ID] [--pack FILE] [--call-seconds S]``
    The student's self-check: the visible checks against the self-check pack, without the
    reference.  0 when every visible item passes, 1 when one fails or the file cannot run,
    2 without a usable pack.
``batch FOLDER --out DIR [--jobs N] [--force] [--shard K/N] [--html] [...]``
    Grade a class in parallel: one report per student, ``grades.csv`` and ``summary.html``.
    0 when every student got a report, 1 when the grader failed on some.
``merge OUTDIR... --out DIR [--assignment ID]``
    Join the output folders of batch shards.  0 when every listed student has a report,
    1 when some are missing.

Every command exits 2 with one line on standard error when the grader itself cannot run
(unknown assignment, invalid rubric, a sandbox that cannot import NumPy or Matplotlib).
Everything written to the terminal passes through
``grader.reporting.escaping.TerminalStream``: student text (file and folder names, exception
messages) never sends a raw control character to the TA's terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

from grader.reporting.escaping import TerminalStream, json_for_terminal, terminal_text

from grader.limits import BUDGETS
from grader.rubric import RubricError
from grader.sandbox.zygote import SandboxUnusable, Zygote

if TYPE_CHECKING:
    from grader.checking.grading import GradeResult


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Autograder for the logistic-regression course.")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade one submission (a file or a folder)")
    grade.add_argument("path", type=Path)
    grade.add_argument("--assignment", default="logreg2")
    grade.add_argument("--out", type=Path, help="write the report here (default: standard output)")
    grade.add_argument("--call-seconds", type=float, help="time limit per function call")
    grade.add_argument("--cell-seconds", type=float, help="time limit per top-level statement of a .py or notebook cell")
    grade.add_argument("--html", type=Path, metavar="FILE", help="also write the feedback page (self-contained HTML) here")
    _add_check_parser(sub)
    _add_batch_parsers(sub)
    return parser


def _add_check_parser(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="self-check before submitting: the visible checks, without the reference")
    check.add_argument("path", type=Path)
    check.add_argument("--assignment", default="logreg2")
    check.add_argument("--pack", type=Path, help="the self-check pack (default: selfcheck.json of the assignment)")
    check.add_argument("--call-seconds", type=float, help="time limit per function call")


def _check(args: argparse.Namespace) -> int:
    """``check``: 0 when every visible item passes, 1 when one fails (or the file cannot run), 2 without a pack."""
    from grader.selfcheck.check import check_main

    return check_main(args.path, args.assignment, args.pack, args.call_seconds)


def _add_batch_parsers(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser("batch", help="grade a folder of submissions in parallel: reports, grades.csv, summary.html")
    batch.add_argument("folder", type=Path, help="one .py, .ipynb or folder per student, or a Gradescope export")
    batch.add_argument("--out", type=Path, required=True, help="output folder (reports, grades.csv, summary.html)")
    batch.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    batch.add_argument("--force", action="store_true", help="regrade students whose submission has not changed")
    batch.add_argument("--shard", metavar="K/N", help="grade only the K-th of N shares of the students")
    batch.add_argument("--assignment", default="logreg2")
    batch.add_argument("--html", action="store_true", help="also write each student's feedback page")
    batch.add_argument("--call-seconds", type=float, help="time limit per function call")
    batch.add_argument("--cell-seconds", type=float, help="time limit per top-level statement of a .py or notebook cell")
    batch.add_argument("--student-seconds", type=float, help="stop grading a student after this long in total "
                       f"(default: {BUDGETS.student_seconds:g})")
    merge = sub.add_parser("merge", help="join the output folders of batch shards into one grades.csv and summary.html")
    merge.add_argument("folders", type=Path, nargs="+", metavar="OUTDIR")
    merge.add_argument("--out", type=Path, required=True)
    merge.add_argument("--assignment", help="the assignment (default: the one the reports name)")


def _batch(args: argparse.Namespace) -> int:
    """``batch``: 0 when every student got a report, 1 when the grader failed on some, 2 when it cannot run."""
    from grader.batch.commands import DEFAULT_STUDENT_SECONDS, BatchError, run_batch

    try:
        return run_batch(args.folder, args.out, jobs=args.jobs, force=args.force, shard=args.shard,
                         assignment=args.assignment, html=args.html,
                         overrides={"call_seconds": args.call_seconds, "cell_seconds": args.cell_seconds},
                         student_seconds=args.student_seconds or DEFAULT_STUDENT_SECONDS)
    except BatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _merge(args: argparse.Namespace) -> int:
    """``merge``: 0 when every listed student has a report, 1 when some are missing, 2 when it cannot run."""
    from grader.batch.commands import BatchError, run_merge

    try:
        return run_merge(args.folders, args.out, args.assignment)
    except BatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def summary_table(result: GradeResult) -> str:
    """The per-item table a TA reads: item, points, status, one-line reason."""
    rows = [("item", "points", "status", "reason")]
    for r in result.items:
        reason = "" if r.passed else terminal_text(r.headline)[:90]
        rows.append((r.item.id, f"{r.score:g}/{r.item.points:g}", "passed" if r.passed else "FAILED", reason))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:<{widths[2]}}  {d}" for a, b, c, d in rows]
    lines.append(f"{'total':<{widths[0]}}  {f'{result.score:g}/{result.rubric.total:g}':>{widths[1]}}")
    return "\n".join(lines)


def _grade(args: argparse.Namespace) -> int:
    """``grade``: the zygote starts first and imports NumPy and Matplotlib in its own process while
    this one imports the grader and reads the rubric (about 0.2 s of a one-file run's 1 s)."""
    zygote = Zygote()
    zygote.launch()
    try:
        from grader.checking.grading import grade_path, limits_for
        from grader.rubric import load_rubric

        rubric = load_rubric(args.assignment)
        limits = limits_for(rubric, {"call_seconds": args.call_seconds, "cell_seconds": args.cell_seconds})
        zygote.start()
        result = grade_path(args.path, rubric, zygote, limits)
    finally:
        zygote.close()
    from grader.reporting.report import build_report, dumps, validate, write_report

    report = build_report(result)
    if getattr(args, "html", None):
        from grader.reporting.html_page import write_page

        validate(report, rubric)
        write_page(report, args.html)
    if args.out:
        write_report(report, rubric, args.out)
        print(summary_table(result))
        print(f"report: {args.out}")
    else:
        validate(report, rubric)
        sys.stdout.write(json_for_terminal(dumps(report)))
    return 0


@contextmanager
def _terminal_streams() -> Iterator[None]:
    """Standard output and error show control characters as ``\\xNN`` while a command runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalStream(saved[0]), TerminalStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with _terminal_streams():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "grade":
            return _grade(args)
        if args.command == "check":
            return _check(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "merge":
            return _merge(args)
    except (RubricError, SandboxUnusable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2
