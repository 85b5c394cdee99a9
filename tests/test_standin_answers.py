"""Stand-in answers sent with an item: what a correct solution asks for, answered in the child.

What must hold: an answer is given only for a call whose arguments are exactly those the reference
made (type, dtype, shape and bits), with the value the grader would have sent; nothing else is
answered from the table (it asks the grader, as before); the table changes no verdict; and a stub
kept after its call no longer answers from it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import reference.logreg2 as ref
from grader.checking import checks, grading
from grader.checking.grading import grade_path, limits_for
from grader.checking.standin_answers import Budget, record, standin_value
from grader.rubric import Rubric
from grader.sandbox.child.protocol import call_key
from grader.sandbox.zygote import Zygote

CORRECT = Path(__file__).resolve().parents[1] / "assignments" / "logreg2" / "examples" / "correct.py"


def test_call_keys_tell_apart_every_type_dtype_shape_and_value() -> None:
    values = [0.5, np.float64(0.5), np.array(0.5), np.array([0.5]), np.array([[0.5]]), 1, 1.0, True, None, "1",
              [0.5], (0.5,), {"a": 0.5}, np.float32(0.5), np.array([0.5], dtype=np.float32),
              np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2), -0.0, 0.0]
    keys = [call_key("f", (v,), {}) for v in values]
    assert len(set(keys)) == len(values)
    assert call_key("f", (1.0,), {}) != call_key("g", (1.0,), {}) != call_key("f", (), {"x": 1.0})
    transposed = np.arange(6.0).reshape(2, 3).T
    assert call_key("f", (transposed,), {}) == call_key("f", (np.ascontiguousarray(transposed),), {})
    assert call_key("f", (object(),), {}) is None and call_key("f", (np.array(["a"]),), {}) is None
    assert call_key("f", ({1: 2.0},), {}) is None


def test_recording_gives_each_call_with_the_value_a_stand_in_returns() -> None:
    rng = np.random.default_rng(3)
    w, b, X, y = rng.normal(size=3), 0.25, rng.normal(size=(5, 3)), (rng.random(5) > 0.5).astype(float)
    originals = (ref.sigmoid, ref.forward_single, ref.backward_single)
    recording = record(ref, "gradients_loop", ("sigmoid", "forward_single", "backward_single"), [w, b, X, y], Budget())
    answers = recording.answers
    names = [a.name for a in answers]
    assert names.count("forward_single") == 5 and names.count("sigmoid") == 5
    first = next(a for a in answers if a.name == "forward_single")
    assert first.key == call_key("forward_single", (w, b, X[0]), {})
    assert type(first.value) is np.float64 and first.value == standin_value(ref.forward_single(w, b, X[0]))
    assert (ref.sigmoid, ref.forward_single, ref.backward_single) == originals  # the recorders are gone again
    dw, db = ref.gradients_loop(w, b, X, y)  # the recorded run's result is the expected value, to the bit
    assert recording.returned and np.array_equal(recording.value[0], dw) and float(recording.value[1]) == float(db)


def test_recording_keeps_a_copy_and_respects_its_budget() -> None:
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    recording = record(ref, "gradient_descent", ("cost", "gradients_vectorized", "update"), [X, y, 0.5, 0.0, 4], Budget())
    answers = recording.answers
    plain = ref.gradient_descent(X, y, 0.5, 0.0, 4)
    assert np.array_equal(recording.value[0], plain[0]) and float(recording.value[1]) == float(plain[1])
    assert [float(c) for c in recording.value[2]] == [float(c) for c in plain[2]]
    update = next(a for a in answers if a.name == "update")
    kept = update.value[0].copy()
    update.value[0][:] = 99.0  # what the grader holds is its own
    assert np.all(update.value[0] == 99.0) and not np.all(kept == 99.0)
    small = Budget()
    small.entries = 3
    assert len(record(ref, "gradient_descent", ("cost", "gradients_vectorized", "update"), [X, y, 0.5, 0.0, 4],
                      small).answers) == 3
    raised = record(ref, "gradient_descent", ("cost",), [X, y[:2], 0.5, 0.0, 4], Budget())
    assert raised.answers == () and not raised.returned


def test_timed_checks_send_no_answers(logreg2_rubric: Rubric) -> None:
    timed = next(c for item in logreg2_rubric.items for c in item.checks if c.timing is not None)
    oracle = checks.ReferenceOracle(logreg2_rubric, timed)
    case = grading.generate_cases(timed, 1, 8, 0)[0]
    assert oracle.stub_answers(case, ("sigmoid",), Budget()) == ()


def _graded(folder: Path, name: str, body: str, rubric: Rubric, zygote: Zygote) -> grading.GradeResult:
    path = folder / name
    path.write_text(body)
    path.chmod(0o644)
    return grade_path(path, rubric, zygote, limits_for(rubric))


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stand-in calls that reached the grader."""
    calls: list[str] = []
    original = grading._serve

    def counting(rubric: Rubric):
        serve = original(rubric)

        def wrapped(name: str, args: list, kwargs: dict):
            calls.append(name)
            return serve(name, args, kwargs)
        return wrapped

    monkeypatch.setattr(grading, "_serve", counting)
    return calls


def test_a_correct_file_asks_the_grader_almost_nothing(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                        folder: Path, served: list[str]) -> None:
    result = _graded(folder, "correct.py", CORRECT.read_text(), logreg2_rubric, shared_zygote)
    assert result.score == 100
    assert len(served) <= 3, served  # the timed call's sigmoid; ~210 before
    loop = next(r for r in result.items if r.item.id == "gradients_loop")
    assert "sigmoid" in loop.checks[0].stubbed  # a call answered in the child still counts as used


LOOP_BY_SUM = '''

def gradients_loop(w, b, X, y):
    M, N = X.shape
    dw = np.zeros(N)
    db = 0.0
    for m in range(M):
        z = float(np.sum(w * X[m])) + float(b)  # other bits and another type than the reference's
        dz = sigmoid(z) - y[m]
        dw += dz * X[m]
        db += dz
    return dw / M, db / M
'''

MUTATES_ANSWER = '''

def cost(w, b, X, y):
    M = X.shape[0]
    first = sigmoid(np.matmul(X, w.T) + b)
    first[:] = 0.5  # the stand-in's answer is the student's to spoil ...
    y_hat = sigmoid(np.matmul(X, w.T) + b)  # ... and the same call answers afresh
    return np.sum(loss(y_hat, y)) / M
'''


def test_calls_the_table_does_not_hold_still_get_answers(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                         folder: Path, served: list[str]) -> None:
    result = _graded(folder, "by_sum.py", CORRECT.read_text() + LOOP_BY_SUM, logreg2_rubric, shared_zygote)
    assert result.score == 100
    assert served.count("sigmoid") >= 100  # asked of the grader: python floats are not the table's np.float64


def test_an_answer_spoiled_by_the_student_is_not_given_again(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                             folder: Path, served: list[str]) -> None:
    result = _graded(folder, "mutates.py", CORRECT.read_text() + MUTATES_ANSWER, logreg2_rubric, shared_zygote)
    assert {r.item.id: r.passed for r in result.items}["cost"]
    assert served.count("sigmoid") <= 1  # both of cost's calls were answered in the child (1: the timed one)


def _grader_must_not_answer(name: str, args: list, kwargs: dict) -> None:
    raise AssertionError(f"{name} reached the grader")


def test_a_stub_kept_after_its_call_answers_from_no_table(shared_zygote: Zygote) -> None:
    from grader.limits import Limits
    from grader.sandbox import execution
    from grader.sandbox.execution import Call
    from grader.sandbox.zygote import make_scratch
    from grader.submission.cell import Cell
    from grader.checking.standin_answers import Answer

    source = ("KEPT = []\n\ndef a(z):\n    KEPT.append(sigmoid)\n    return float(sigmoid(z))\n\n"
              "def b(z):\n    try:\n        return float(KEPT[0](z))\n    except TypeError as exc:\n"
              "        return -1.0 if 'not available' in str(exc) else -2.0\n")
    session = shared_zygote.spawn(make_scratch(), Limits())
    try:
        execution.load(session, [Cell(source, "kept.py", "cell 1")], "logreg2", "kept.py")
        table = (Answer("sigmoid", call_key("sigmoid", (0.3,), {}), np.float64(0.75)),)
        first = execution.run_item(session, [Call("a", (0.3,), ("sigmoid",), answers=table)], _grader_must_not_answer)
        assert first[0].value == 0.75 and first[0].callees == ("sigmoid",)
        assert session.reusable()  # a list appended to: the child is reused, the kept stub with it
        later = execution.run_item(session, [Call("b", (0.3,), ())], lambda *a: np.float64(0.75), reuse=True)
        assert later[0].value == -1.0
    finally:
        session.close()
