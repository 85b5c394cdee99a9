"""Build the Gradescope report, validate it, write it atomically: every graded report comes from here.

On Gradescope the final ``results.json`` is written by the supervisor in ``grader/gradescope.py``
(its own ``write_json_atomically``: this report plus the submission's metadata, or the fallback
report when grading failed), and ``run_autograder`` copies the static ``fallback_results.json``
when even the supervisor cannot run.

Checks JSON Schema cannot express are made here too (the score is the sum of the
tests, the max scores add up to the rubric's total), so a report that breaks
the contract is never written.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

from grader._fs import write_atomically
from grader.checking.grading import GradeResult, ItemResult, json_number
from grader.limits import CAPS
from grader.submission.names import shown
from grader.rubric import Rubric

SCHEMA_PATH = Path(__file__).with_name("schemas") / "results.schema.json"
GRADER_VERSION = "1.0"
SHOWN_OUTPUT = CAPS.shown_output_chars
HEADLINE_CHARS = CAPS.headline_chars


class ReportError(Exception):
    """A report that would break the contract; a grader bug, never a student's."""


def build_report(result: GradeResult) -> dict[str, Any]:
    rubric = result.rubric
    tests = [
        {
            "name": f"{r.item.title} [{r.item.id}]",
            "score": r.score,
            "max_score": r.item.points,
            "status": "passed" if r.passed else "failed",
            "output": r.output,  # feedback.to_markdown keeps it within MAX_OUTPUT, cutting between blocks
            "visibility": r.item.visibility,
            "extra_data": _test_data(r),
        }
        for r in result.items
    ]
    report: dict[str, Any] = {
        "score": round(sum(t["score"] for t in tests), 4),
        "execution_time": round(result.seconds, 3),
        "output": _summary_output(result),
        "output_format": "text",
        "test_output_format": "md",
        "tests": tests,
        "extra_data": {
            "assignment": rubric.assignment,
            "student": shown(result.submission.name),
            "file": shown(result.submission.path.name) if result.submission.path else None,
            "sha256": result.submission.sha256,
            "status": result.status,
            "isolation": result.load.isolation if result.load else {},
            "series": result.series,
            "grader_version": GRADER_VERSION,
        },
    }
    report["extra_data"] = strict_json(report["extra_data"])
    return report


def strict_json(value: Any) -> Any:
    """``value`` with every NaN or infinity written as the string ``"nan"``, ``"inf"`` or ``"-inf"``
    (``float()`` reads them back): the report is strict JSON, whatever a student's code returned."""
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def _test_data(r: ItemResult) -> dict[str, Any]:
    """What a test's output says, as data: its one-line verdict and the mistake ids the grader
    diagnosed in failing cases (a summary counts these, never lines of the output text)."""
    mistakes = [c.diagnosis_id for check in r.checks for c in check.cases if not c.ok and c.diagnosis_id]
    return {"item": r.item.id, "headline": r.headline[:HEADLINE_CHARS], "mistakes": list(dict.fromkeys(mistakes))}


def empty_report(rubric: Rubric, reason: str, student: str = "") -> dict[str, Any]:
    """Every item at zero with one reason: for when grading itself could not happen."""
    return {
        "score": 0,
        "output": reason,
        "output_format": "text",
        "tests": [{"name": f"{i.title} [{i.id}]", "score": 0, "max_score": i.points, "status": "failed",
                   "output": f"Not graded: {reason}", "visibility": i.visibility, "extra_data": {"item": i.id}}
                  for i in rubric.items],
        "extra_data": {"assignment": rubric.assignment, "student": student, "status": "grader_error",
                       "grader_version": GRADER_VERSION},
    }


MAX_SUMMARY = CAPS.summary_chars


def _summary_output(result: GradeResult) -> str:
    lines = [f"{shown(result.submission.name)}: {result.score:g} / {result.rubric.total:g}"]
    hidden = [r for r in result.items if r.item.visibility != "visible"]
    visible = [r for r in result.items if r.item.visibility == "visible"]
    if all(r.passed for r in visible):
        lines.append("All visible checks passed." + (f" {len(hidden)} more item(s) are checked after the deadline." if hidden else ""))
    for note in result.submission.notes:
        lines.append(f"Note: {note}")
    if result.load:
        for problem in result.load.problems:
            lines.append(f"Note: {problem.label} {'raised ' if problem.kind == 'error' else ''}{problem.message}"
                         + (f" (line {problem.line})" if problem.line else "") + "; it was skipped.")
        if result.load.missing_modules:
            allowed = ", ".join(result.rubric.allowed_modules) or "the standard library"
            lines.append(f"Note: your code imports {', '.join(result.load.missing_modules[:10])}, which the grader "
                         f"does not have; each name was bound to a placeholder that raises only when used. "
                         f"Graded functions may use: {allowed}.")
        if result.load.neutralised:
            lines.append("Note: IPython commands were not run: " + ", ".join(result.load.neutralised[:10]))
    for label, text in (("printed", result.stdout), ("wrote to stderr", result.stderr)):
        if text.strip():
            kept = text if len(text) <= SHOWN_OUTPUT else text[:SHOWN_OUTPUT] + "\n[... truncated]"
            lines.append(f"Your code {label}:\n{kept}")
    text = "\n".join(lines)
    if len(text) <= MAX_SUMMARY:
        return text
    return text[:MAX_SUMMARY] + f"\n[... {len(text) - MAX_SUMMARY:,} more characters of this summary were cut]"


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    """The results schema, read and compiled once per process (a batch worker writes hundreds of reports)."""
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def validate(report: dict[str, Any], rubric: Rubric) -> None:
    """Schema plus the sums the contract promises."""
    try:
        _validator().validate(report)
    except jsonschema.ValidationError as exc:
        raise ReportError(f"report is invalid at {'/'.join(map(str, exc.absolute_path))}: {exc.message}") from None
    tests = report["tests"]
    if abs(sum(t["max_score"] for t in tests) - rubric.total) > 1e-6:
        raise ReportError("max scores do not add up to the rubric's total")
    if abs(sum(t["score"] for t in tests) - report["score"]) > 1e-6:
        raise ReportError("score is not the sum of the tests")
    if [t["extra_data"]["item"] for t in tests] != [i.id for i in rubric.items]:
        raise ReportError("the tests do not match the rubric's items")


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def write_report(report: dict[str, Any], rubric: Rubric, path: Path) -> None:
    validate(report, rubric)
    write_atomically(path, dumps(report))
