"""Gradescope entry point: grade ``$AUTOGRADER_ROOT/submission/``, write ``results/results.json``.

``run_autograder`` runs ``python -m grader.gradescope --root $AUTOGRADER_ROOT`` from the
autograder's source folder.  Two processes take part:

* the **supervisor** (``main`` without ``--child``) imports the standard library only, so
  it still works when NumPy, jsonschema or the rubric are broken.  It reads
  ``submission_metadata.json``, starts the grading child under a total time budget, adds
  the submission id and the students to ``extra_data`` and writes results.json
  atomically.  When the child fails, runs out of time or leaves nothing usable, it writes
  the fallback report instead: every rubric item at 0 and a reason a student can read.
* the **grading child** (``--child``) is the grader proper: rubric, zygote, sandbox, and a
  report validated against the schema before it is written.

The fallback report is static JSON made by ``gradescope/build.py`` when the zip is built
(``fallback_results.json`` at the zip's root), and ``run_autograder`` copies it itself when
even the supervisor cannot run (no venv, no Python).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grader._fs import write_atomically
from grader.limits import CAPS, ConfigError, Environment, read_env

SOURCE_ROOT = Path(__file__).resolve().parents[1]
FALLBACK_NAME = "fallback_results.json"
MAX_METADATA_BYTES = CAPS.metadata_bytes

FAILED_MESSAGE = (
    "The autograder failed to run on this submission, so nothing was scored. "
    "This is a problem with the autograder, not a grade of your code: please tell your instructor."
)
FAILED_ITEM = "Not graded: the autograder failed to run (not a problem with your code)."


def timeout_message(seconds: float) -> str:
    return (f"Grading stopped: it did not finish within the total limit of {seconds:g} seconds, so nothing "
            "was scored. Every cell and every function call has its own time limit, so this means very "
            "many slow cells or calls: remove long-running experiments from your file and resubmit.")


# --------------------------------------------------------------------------- metadata


def read_metadata(path: Path) -> dict[str, Any]:
    """What of ``submission_metadata.json`` goes into ``extra_data``: ids and names, nothing else.

    Gradescope says the format "may be subject to change", so every field is optional
    and a missing or broken file only adds a note.  E-mail addresses and earlier results
    are left out on purpose.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_METADATA_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        return {"metadata_note": f"submission_metadata.json could not be read ({type(exc).__name__})"}
    if len(raw) > MAX_METADATA_BYTES:
        return {"metadata_note": "submission_metadata.json is too large to read"}
    try:
        data = json.loads(raw)
    except ValueError:
        return {"metadata_note": "submission_metadata.json is not valid JSON"}
    if not isinstance(data, dict):
        return {"metadata_note": "submission_metadata.json is not a JSON object"}
    extra: dict[str, Any] = {}
    if _is_id(data.get("id")):
        extra["submission_id"] = data["id"]
    users = data.get("users")
    if isinstance(users, list):
        extra["students"] = [
            {"id": u.get("id") if _is_id(u.get("id")) else None,
             "name": u["name"][:200] if isinstance(u.get("name"), str) else None}
            for u in users[:50] if isinstance(u, dict)
        ]
    if isinstance(data.get("created_at"), str):
        extra["submitted_at"] = data["created_at"][:64]
    assignment = data.get("assignment")
    if isinstance(assignment, dict):
        extra["gradescope_assignment"] = {
            "id": assignment.get("id") if _is_id(assignment.get("id")) else None,
            "title": assignment["title"][:200] if isinstance(assignment.get("title"), str) else None,
        }
    return extra


def _is_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and len(value) <= 100)


# --------------------------------------------------------------------------- writing


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """``results.json`` whole or not at all, world-readable: Gradescope reads it as another user."""
    write_atomically(path, json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n", mode=0o644)


def load_fallback(source: Path) -> dict[str, Any]:
    data = json.loads((source / FALLBACK_NAME).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list) or not isinstance(data.get("extra_data"), dict):
        raise ValueError(f"{FALLBACK_NAME} is not a results.json object")
    return data


def fallback_report(fallback: dict[str, Any], message: str, item_output: str, status: str, detail: str) -> dict[str, Any]:
    """The static all-zero report with today's reason; ``detail`` is for instructors only."""
    report = copy.deepcopy(fallback)
    report["score"] = 0
    report["output"] = message
    for test in report["tests"]:
        test.update(score=0, status="failed", output=item_output)
    report["extra_data"].update(status=status, error=detail[-2000:])
    return report


def _usable(report: Any) -> bool:
    """A sanity check only: the child validated the report against the schema before writing it."""
    return (isinstance(report, dict) and isinstance(report.get("tests"), list) and report["tests"]
            and isinstance(report.get("score"), (int, float)) and isinstance(report.get("extra_data"), dict))


# --------------------------------------------------------------------------- supervisor


def supervise(root: Path, source: Path, budget: float) -> int:
    """Grade in a child, then write results.json (the graded report or the fallback); 0 when written."""
    results = root / "results"
    out = results / "results.json"
    metadata = read_metadata(root / "submission_metadata.json")
    fallback = load_fallback(source)
    assignment = str(fallback["extra_data"].get("assignment") or "logreg2")
    results.mkdir(parents=True, exist_ok=True)
    partial = results / ".grading.json"
    partial.unlink(missing_ok=True)

    started = time.monotonic()
    status, detail = _run_child(root / "submission", partial, assignment, source, budget)
    report = None
    if status == "ok":
        try:
            report = json.loads(partial.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            status, detail = "grader_error", f"the grader's report could not be read: {exc}"
        if report is not None and not _usable(report):
            report, status, detail = None, "grader_error", "the grader's report is not a results.json object"
    for leftover in [partial, *results.glob(".grading.json.*")]:
        leftover.unlink(missing_ok=True)
    if report is None:
        if status == "timeout":
            report = fallback_report(fallback, timeout_message(budget), "Not graded: grading ran out of time.", "timeout", detail)
        else:
            report = fallback_report(fallback, FAILED_MESSAGE, FAILED_ITEM, "grader_error", detail)
        print(f"gradescope: {status}: {detail}", flush=True)
    report["extra_data"].update(metadata)
    report["extra_data"]["gradescope_seconds"] = round(time.monotonic() - started, 3)
    write_json_atomically(out, report)
    print(f"gradescope: wrote {out} (score {report['score']})", flush=True)
    return 0


def _run_child(submission: Path, out: Path, assignment: str, source: Path, budget: float) -> tuple[str, str]:
    """Run the grading child; ("ok", "") or (status, what went wrong)."""
    command = [sys.executable, "-E", "-s", "-B", "-m", "grader.gradescope", "--child",
               "--submission", str(submission), "--out", str(out), "--assignment", assignment]
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(command, cwd=source, stdin=subprocess.DEVNULL, stderr=errors,
                                     start_new_session=True)
        except OSError as exc:
            return "grader_error", f"the grader could not start: {exc}"
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm(child))
        try:
            try:
                code = child.wait(timeout=budget)
            except subprocess.TimeoutExpired:
                _kill_group(child)
                return "timeout", f"grading took more than {budget:g} s and was stopped"
        finally:
            signal.signal(signal.SIGTERM, previous)
        errors.seek(0)
        tail = errors.read()[-4000:].decode("utf-8", "replace").strip()
    if code != 0:
        last = tail.splitlines()[-1] if tail else ""
        if tail:
            print(tail, file=sys.stderr, flush=True)
        return "grader_error", f"the grader exited with status {code}: {last}"
    if not out.is_file():
        return "grader_error", "the grader exited without writing a report"
    return "ok", ""


def _kill_group(child: subprocess.Popen) -> None:
    """The child leads its own process group; its zygote sweeps the sandbox when its socket closes."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _stop_on_sigterm(child: subprocess.Popen):
    def handler(signum: int, frame: Any) -> None:
        _kill_group(child)
        sys.exit(128 + signum)

    return handler


# --------------------------------------------------------------------------- grading child


def grade_child(submission: Path, out: Path, assignment: str, env: Environment) -> int:
    """Grade one submission and write its validated report to ``out``; 2 when the rubric is unusable."""
    from grader.checking.grading import grade_path, limits_for
    from grader.reporting.report import build_report, write_report
    from grader.rubric import RubricError, load_rubric
    from grader.sandbox.zygote import Zygote

    try:
        rubric = load_rubric(assignment)
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = limits_for(rubric, {"call_seconds": env.call_seconds, "cell_seconds": env.cell_seconds})
    limits = limits.with_overrides(memory_mb=min(limits.memory_mb, env.memory_mb))
    with Zygote() as zygote:
        result = grade_path(submission, rubric, zygote, limits)
    report = build_report(result)
    write_report(report, rubric, out)
    for test in report["tests"]:
        print(f"{test['extra_data']['item']:<24} {test['score']:g}/{test['max_score']:g} {test['status']}")
    print(f"{'total':<24} {report['score']:g}/{rubric.total:g} ({result.status}, {result.seconds:.1f} s)", flush=True)
    return 0


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Supervise or (``--child``) grade; 2, with one line naming it, when a ``LOGREG2_*`` variable is unusable."""
    try:
        env = read_env()
    except ConfigError as exc:
        print(f"gradescope: error: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT") or "/autograder"))
    parser.add_argument("--budget", type=float, default=env.grading_seconds,
                        help="total seconds for grading before the timeout report is written")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--submission", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--assignment", default="logreg2", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return grade_child(args.submission, args.out, args.assignment, env)
    return supervise(args.root, SOURCE_ROOT, args.budget)


if __name__ == "__main__":
    sys.exit(main())
