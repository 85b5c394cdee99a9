"""Reasons are data: rewording every sentence the grader makes cannot change a status, a score,
a diagnosed mistake or the CLI table's verdicts.

Each submission is graded twice: as shipped, and with the sentence-making functions, the
outcomes' details, the verdict lines and the rubric's slip messages all replaced by other words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader import cli
from grader.checking import checks, feedback, grading
from grader.reporting.report import build_report
from grader.sandbox import execution
from grader.checking.inputs import Case
from grader.rubric import Rubric, parse_check, parse_rubric
from grader.sandbox.execution import CellProblem, Outcome
from grader.sandbox.zygote import SessionDied

ROOT = Path(__file__).resolve().parents[1]
BUGGY = ROOT / "assignments" / "logreg2" / "examples" / "buggy"
SUBMISSIONS = ROOT / "tests" / "submissions"
ATTACKS = ROOT / "tests" / "attacks"

# One file per way a verdict is reached: a diagnosed slip, an argument changed in place, a timed
# slip that raises (and its retry), the disk limit, an exit, a protocol limit, an undefined
# function, a hang, a timed call stopped at the call limit, and a statement stopped while loading.
CASES: list[tuple[Path, dict[str, float]]] = [
    (BUGGY / "cost_summed.py", {}),
    (BUGGY / "update_in_place.py", {}),
    (BUGGY / "x_not_transposed.py", {}),
    (ATTACKS / "disk_fill.py", {}),
    (ATTACKS / "os_exit_in_function.py", {}),
    (ATTACKS / "protocol_limits.py", {}),
    (SUBMISSIONS / "missing_cost.py", {}),
    (SUBMISSIONS / "cost_never_returns.py", {"call_seconds": 1.0}),
    (Path("timed_sleeps.py"), {"call_seconds": 1.0}),  # written by ``submission``
    (ATTACKS / "sleep_at_import.py", {"cell_seconds": 1.0}),
]


CORRECT = ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
SLEEPS = """

import time as _time


def gradients_vectorized(w, b, X, y):
    _time.sleep(600)
"""


def submission(path: Path, folder: Path) -> Path:
    """The file to grade: a bundled one, or the correct example whose timed function never returns."""
    if path.is_absolute():
        return path
    made = folder / path.name
    made.write_text(CORRECT.read_text() + SLEEPS)
    return made


def reworded_rubric(rubric: Rubric, folder: Path) -> Rubric:
    """The same rubric with every known slip's message in other words (ids and variants kept)."""
    data = json.loads(rubric.path.read_text())
    for item in data["items"]:
        for check in item["checks"]:
            for mistake in check.get("mistakes", []):
                mistake["message"] = f"Reworded slip {mistake['id']}: {{factors}}."
    path = folder / rubric.path.name
    path.write_text(json.dumps(data))
    return parse_rubric(path)


def reword(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sentence the grader makes about a call, a case or an item, in other words."""
    timing_problem = checks._timing_problem

    def because(cls: type[Outcome], reason: Any, detail: str = "", **fields: Any) -> Outcome:
        return Outcome(execution._STATUS[reason], detail="Reworded detail.", reason=reason, **fields)

    def problem(label: str, kind: Any, message: str, *args: Any, **fields: Any) -> CellProblem:
        return CellProblem(label, kind, "Reworded load problem.", *args, **fields)

    monkeypatch.setattr(Outcome, "because", classmethod(because))
    monkeypatch.setattr(execution, "CellProblem", problem)
    monkeypatch.setattr(checks, "_outcome_problem", lambda function, outcome: "Reworded problem.")
    monkeypatch.setattr(checks, "_timeout_problem", lambda *args, **kwargs: "Reworded timeout.")
    monkeypatch.setattr(checks, "_timing_problem",
                        lambda *args, **kwargs: "Reworded slowness." if timing_problem(*args, **kwargs) else None)
    monkeypatch.setattr(checks, "_consistent_note", lambda *args, **kwargs: "Reworded note.")
    monkeypatch.setattr(checks, "_IN_PLACE_HINT", " (reworded hint about {name})")
    monkeypatch.setattr(checks, "fmt", lambda value: "<reworded value>")
    monkeypatch.setattr(feedback, "_item_verdict", lambda item, results: "Reworded verdict.")
    monkeypatch.setattr(feedback, "_cases", lambda result: "reworded count")


def verdicts(report: dict[str, Any], table: str) -> dict[str, Any]:
    """Everything that must not depend on words: statuses, scores, mistake ids, the table's verdict columns."""
    return {
        "status": report["extra_data"]["status"],
        "score": report["score"],
        "tests": [(t["extra_data"]["item"], t["status"], t["score"], t["extra_data"]["mistakes"])
                  for t in report["tests"]],
        "table": [line.split()[:3] for line in table.splitlines()],
    }


def graded(path: Path, rubric: Rubric, zygote: Any, limits: dict[str, float]) -> tuple[dict[str, Any], str]:
    result = grading.grade_path(path, rubric, zygote, grading.limits_for(rubric, limits))
    return build_report(result), cli.summary_table(result)


@pytest.mark.parametrize("path,limits", CASES, ids=[p.name for p, _ in CASES])
def test_rewording_changes_no_verdict(path, limits, logreg2_rubric, shared_zygote, monkeypatch, tmp_path):
    path = submission(path, tmp_path)
    report, table = graded(path, logreg2_rubric, shared_zygote, limits)
    reword(monkeypatch)
    other, other_table = graded(path, reworded_rubric(logreg2_rubric, tmp_path), shared_zygote, limits)
    assert verdicts(other, other_table) == verdicts(report, table)
    assert json.dumps(other) != json.dumps(report)  # the words did change
    assert "Reworded" in other["output"] + "".join(t["output"] for t in other["tests"])


def test_outcome_reasons_name_their_status():
    """Every reason belongs to one status, and an outcome made from a status alone gets its usual reason."""
    for reason, status in execution._STATUS.items():
        assert Outcome.because(reason).status == status
    for status, reason in execution._USUAL.items():
        assert Outcome(status).reason == reason and execution._STATUS[reason] == status


def test_a_lost_session_is_named_by_its_data():
    """The session's end gives the reason: a channel limit, the disk limit (with its size), or gone."""
    disk = execution._lost(SessionDied("any words at all", disk_mb=64))
    assert (disk.status, disk.reason, disk.limit_mb) == ("died", "disk", 64)
    assert checks._outcome_problem("update", disk).startswith("update() was stopped: ")
    channel = execution._lost(SessionDied("any words", limit="more than 64 MB of data in one message"))
    assert (channel.status, channel.reason) == ("limit", "channel")
    gone = execution._lost(SessionDied("wrote more than 64 MB of files"))  # the words alone decide nothing
    assert (gone.status, gone.reason) == ("died", "gone")
    assert "ended the process instead of returning" in checks._outcome_problem("update", gone)


def test_a_timed_out_call_reports_the_limit_it_carries():
    """The slowdown of a timed call stopped at its limit comes from ``limit_seconds``, not from a sentence."""
    timing = parse_check({"function": "g", "args": {"x": {"normal": []}}, "returns": {"float": "J"},
                          "timing": {"late": ["x"], "factor": 5, "slack_seconds": 0.1}})
    case = Case({"x": 1.0}, {"M": 10}, 0)
    stopped = Outcome.because("deadline", "in other words", limit_seconds=2.5)
    assert "took more than 2.5 s on an input with M=10 and was stopped: over 250x" in \
        checks._timeout_problem(timing, stopped, 0.01, case)
