"""Command line: ``python -m grader grade PATH [--assignment ID] [--out FILE]``.

Exit status 0 whenever a report was written (even a zero score); 2 with one line
on standard error when the grader itself cannot grade (unknown assignment,
invalid rubric).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.grading import GradeResult, grade_path, limits_for
from grader.report import build_report, dumps, validate, write_report
from grader.rubric import RubricError, load_rubric
from grader.sandbox import Zygote


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Autograder for the logistic-regression course.")
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade one submission (a file or a folder)")
    grade.add_argument("path", type=Path)
    grade.add_argument("--assignment", default="logreg2")
    grade.add_argument("--out", type=Path, help="write the report here (default: standard output)")
    grade.add_argument("--call-seconds", type=float, help="time limit per function call")
    grade.add_argument("--cell-seconds", type=float, help="time limit per cell (or for loading a .py)")
    return parser


def summary_table(result: GradeResult) -> str:
    """The per-item table a TA reads: item, points, status, one-line reason."""
    rows = [("item", "points", "status", "reason")]
    for r in result.items:
        first_problem = next((line.strip() for line in r.output.splitlines() if line.startswith(("FAIL", "Not graded"))), "")
        rows.append((r.item.id, f"{r.score:g}/{r.item.points:g}", "passed" if r.passed else "FAILED", first_problem[:90]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:<{widths[2]}}  {d}" for a, b, c, d in rows]
    lines.append(f"{'total':<{widths[0]}}  {f'{result.score:g}/{result.rubric.total:g}':>{widths[1]}}")
    return "\n".join(lines)


def _grade(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.assignment)
    limits = limits_for(rubric, {"call_seconds": args.call_seconds, "cell_seconds": args.cell_seconds})
    with Zygote() as zygote:
        result = grade_path(args.path, rubric, zygote, limits)
    report = build_report(result)
    if args.out:
        write_report(report, rubric, args.out)
        print(summary_table(result))
        print(f"report: {args.out}")
    else:
        validate(report, rubric)
        sys.stdout.write(dumps(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "grade":
            return _grade(args)
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2
