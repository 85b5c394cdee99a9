"""Per-item isolation as an outcome: what one item's call does never changes another item's verdict.

Each submission in ``tests/submissions/isolation/`` is the correct example with a
few functions replaced: they keep a reference stand-in for later, rebind other
functions' globals, patch NumPy, leave a thread behind, write files, or crash
their process after changing the loaded state.  Every item the replaced
functions do not answer must get exactly the verdict it gets when it is the only
item graded (same file, same sandbox), and that verdict must be full marks: the
rest of the file is correct.  However items are run (a fork each, or a child
shared until something could matter), these outcomes are what must hold.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.checking.grading import REUSED_CALL_SECONDS, GradeResult, ItemResult, grade_path, limits_for
from grader.rubric import Rubric
from grader.sandbox.zygote import Zygote

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORRECT = PROJECT_ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
ISOLATION = Path(__file__).with_name("submissions") / "isolation"
# The items each submission's replaced functions answer (their own verdicts are theirs to lose).
OWN_ITEMS = {
    "stub_captured.py": {"cost"},
    "rebinds_globals.py": {"sigmoid"},
    "patches_numpy.py": {"sigmoid"},
    "starts_thread.py": {"sigmoid"},
    "writes_files.py": {"sigmoid"},
    "crashes.py": {"graph_forward", "sigmoid", "numerical_derivatives"},
    "mutates_in_place.py": {"sigmoid"},
    "kills_mainline.py": {"cost"},
}
# Items whose functions read the global the crashing ones change: right only on the loaded state.
READS_LOADED_STATE = {"graph_backward", "single_example", "update"}


def submission(name: str, folder: Path, tail: str = "") -> Path:
    """The correct example followed by the replacements in ``name`` (and ``tail``)."""
    path = folder / name
    path.write_text(CORRECT.read_text() + "\n\n" + (ISOLATION / name).read_text() + tail)
    path.chmod(0o644)
    return path


def verdict(result: ItemResult) -> tuple:
    """Everything an item's verdict is made of: score, headline, and each case's outcome as data."""
    return (result.score, result.headline,
            tuple(tuple((case.ok, case.reason) for case in check.cases) for check in result.checks))


def only(rubric: Rubric, item_id: str) -> Rubric:
    return dataclasses.replace(rubric, items=tuple(i for i in rubric.items if i.id == item_id))


def graded(path: Path, rubric: Rubric, zygote: Zygote) -> dict[str, ItemResult]:
    result: GradeResult = grade_path(path, rubric, zygote, limits_for(rubric))
    return {r.item.id: r for r in result.items}


def assert_others_as_alone(name: str, rubric: Rubric, zygote: Zygote, folder: Path) -> dict[str, ItemResult]:
    path = submission(name, folder)
    together = graded(path, rubric, zygote)
    others = [item.id for item in rubric.items if item.id not in OWN_ITEMS[name]]
    assert others and set(OWN_ITEMS[name]) <= set(together)
    for item_id in others:
        alone = graded(path, only(rubric, item_id), zygote)[item_id]
        assert verdict(together[item_id]) == verdict(alone), item_id
        assert together[item_id].passed, (item_id, together[item_id].headline)
    return together


@pytest.mark.parametrize("name", ["rebinds_globals.py", "patches_numpy.py", "starts_thread.py"])
def test_what_an_item_leaves_behind_changes_no_other_verdict(name: str, logreg2_rubric: Rubric,
                                                             shared_zygote: Zygote, folder: Path) -> None:
    together = assert_others_as_alone(name, logreg2_rubric, shared_zygote, folder)
    assert together["sigmoid"].passed  # the vandal returned right values: only its side effects are at stake


@pytest.mark.parametrize("name", ["rebinds_globals.py", "patches_numpy.py", "starts_thread.py"])
def test_the_same_side_effects_at_load_time_do_change_other_verdicts(name: str, logreg2_rubric: Rubric,
                                                                      shared_zygote: Zygote, folder: Path) -> None:
    """The control: done while loading, where they belong to the loaded state, they break other items,
    so the test above would see them if an item's leftovers reached another item."""
    armed = graded(submission(name, folder, "\n\nsigmoid(0.0)\n"), logreg2_rubric, shared_zygote)
    broken = [item_id for item_id, result in armed.items() if item_id not in OWN_ITEMS[name] and not result.passed]
    assert broken, name


def test_a_stand_in_kept_from_one_item_does_not_answer_in_another(logreg2_rubric: Rubric,
                                                                   shared_zygote: Zygote, folder: Path) -> None:
    together = assert_others_as_alone("stub_captured.py", logreg2_rubric, shared_zygote, folder)
    assert together["cost"].passed  # the stand-ins answered in their own item


def test_files_written_in_an_item_change_no_other_verdict(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                          folder: Path) -> None:
    together = assert_others_as_alone("writes_files.py", logreg2_rubric, shared_zygote, folder)
    assert together["sigmoid"].passed and together["cost"].passed  # a lazy `import statistics` still finds the stdlib


def test_a_crash_in_one_item_leaves_the_others_graded_on_the_loaded_state(logreg2_rubric: Rubric,
                                                                          shared_zygote: Zygote,
                                                                          folder: Path) -> None:
    together = assert_others_as_alone("crashes.py", logreg2_rubric, shared_zygote, folder)
    for item_id in ("graph_forward", "sigmoid"):
        assert together[item_id].score == 0, item_id
        reasons = [case.reason for check in together[item_id].checks for case in check.cases]
        assert reasons[0] == "died" and set(reasons) <= {"died", "not_run"}, (item_id, reasons)
    reasons = {case.reason for case in together["numerical_derivatives"].checks[0].cases}
    assert reasons and reasons <= {"died", "error", "limit"}
    for item_id in READS_LOADED_STATE:
        assert together[item_id].passed, (item_id, together[item_id].headline)


def test_a_change_inside_an_object_changes_no_other_verdict(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                            folder: Path) -> None:
    """A list appended to rebinds no name, so an item child may be reused after it: the item that
    then fails there is graded again in a fresh child, and gets the verdict it gets alone."""
    together = assert_others_as_alone("mutates_in_place.py", logreg2_rubric, shared_zygote, folder)
    assert together["sigmoid"].passed and together["update"].passed


def test_an_item_that_kills_the_mainline_costs_the_next_item_nothing(logreg2_rubric: Rubric,
                                                                   shared_zygote: Zygote, folder: Path) -> None:
    """The item after it needs a fresh child, which the dead mainline cannot fork: it is graded in a
    new session, not charged the loss ("the submission's process is gone")."""
    together = assert_others_as_alone("kills_mainline.py", logreg2_rubric, shared_zygote, folder)
    assert together["cost"].passed  # its values were right; the session it ended was replaced


PIDS = """

import os as _os

_graded_once = {}


def _say_pid(name):
    if name not in _graded_once:
        _graded_once[name] = True
        print(f"pid {name} {_os.getpid()}")
"""


def _pids(path: Path, body: str, rubric: Rubric, zygote: Zygote) -> dict[str, str]:
    path.write_text(body + PIDS)
    path.chmod(0o644)
    result = grade_path(path, rubric, zygote, limits_for(rubric))
    assert result.score == 100
    return dict(line.split()[1:] for line in result.stdout.splitlines() if line.startswith("pid "))


def test_clean_items_share_a_child_and_a_changed_one_is_let_go(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                               folder: Path) -> None:
    """The mechanism the tests above hold to account: a correct file's items run in one child (each
    function prints its process id once), and the item after one that rebound a global runs in a new one."""
    body = CORRECT.read_text()
    for name, signature in (("graph_forward", "(a, b, c)"), ("update", "(w, b, dw, db, alpha)"),
                            ("gradient_descent", "(X, y, alpha, epsilon, max_iters)")):
        head = f"def {name}{signature}:\n"
        assert head in body
        body = body.replace(head, f"{head}    _say_pid('{name}')\n")
    clean = _pids(folder / "pids.py", body, logreg2_rubric, shared_zygote)
    assert clean["graph_forward"] == clean["update"] == clean["gradient_descent"]

    head = "def update(w, b, dw, db, alpha):\n"
    rebinding = body.replace(head, f"{head}    global _REBOUND\n    _REBOUND = object()\n") + "\n_REBOUND = None\n"
    changed = _pids(folder / "rebinding.py", rebinding, logreg2_rubric, shared_zygote)
    assert changed["graph_forward"] == changed["update"] != changed["gradient_descent"]


def test_a_call_slower_than_a_reused_childs_limit_gets_the_whole_call_limit(logreg2_rubric: Rubric,
                                                                            shared_zygote: Zygote, folder: Path) -> None:
    """An item tried in the child the last item left stops its calls at ``REUSED_CALL_SECONDS``; a
    correct function slower than that is then graded in a fresh child with the whole call limit,
    and passes.  ``update`` runs late (its child is reused) and each call sleeps past that limit."""
    head = "def update(w, b, dw, db, alpha):\n"
    body = CORRECT.read_text()
    assert head in body
    slow = body.replace(head, f"{head}    import time as _time\n    _time.sleep({REUSED_CALL_SECONDS + 0.3})\n")
    path = folder / "slow_update.py"
    path.write_text(slow)
    path.chmod(0o644)
    limits = limits_for(logreg2_rubric)
    assert limits.call_seconds > REUSED_CALL_SECONDS + 0.3
    result = grade_path(path, logreg2_rubric, shared_zygote, limits)
    assert result.score == 100 and result.status == "graded", [(r.item.id, r.headline) for r in result.items]


def test_a_hang_in_a_reused_child_is_judged_with_the_whole_call_limit(logreg2_rubric: Rubric,
                                                                      shared_zygote: Zygote, folder: Path) -> None:
    """The short try in a reused child is never the verdict: the hang is stopped at the call limit
    in a fresh child, and the student is told that limit."""
    path = folder / "hangs_late.py"
    path.write_text(CORRECT.read_text() + "\n\ndef update(w, b, dw, db, alpha):\n    while True:\n        pass\n")
    path.chmod(0o644)
    limits = limits_for(logreg2_rubric).with_overrides(call_seconds=2.0)
    result = grade_path(path, logreg2_rubric, shared_zygote, limits)
    update = next(r for r in result.items if r.item.id == "update")
    assert result.status == "timeout" and update.timed_out and update.score == 0
    [first, *rest] = update.checks[0].cases
    assert first.reason == "timeout" and "did not return within 2 s" in first.problem
    assert {case.reason for case in rest} <= {"not_run"}
    assert next(r for r in result.items if r.item.id == "gradient_descent").passed  # its update is the stand-in
