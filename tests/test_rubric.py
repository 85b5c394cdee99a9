"""Rubric validation: a bad rubric stops the grader with one line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grader.checking.inputs import generate_cases, seed_for
from grader.rubric import RubricError, load_rubric, parse_rubric

ROOT = Path(__file__).resolve().parents[1]
GOOD = json.loads((ROOT / "rubrics" / "logreg2.json").read_text())


def test_shipped_rubric_is_valid_and_totals_100():
    rubric = load_rubric("logreg2")
    assert rubric.total == 100
    assert {i.id for i in rubric.items} == {"graph_forward", "graph_backward", "numerical_derivatives", "sigmoid",
                                            "single_example", "gradients_loop", "cost", "gradients_vectorized",
                                            "vectorization", "update", "gradient_descent"}


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "logreg2.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def mutated(change) -> dict:
    data = json.loads(json.dumps(GOOD))
    change(data)
    return data


@pytest.mark.parametrize("change, field", [
    (lambda d: d["items"][0].__setitem__("points", -1), "items/0/points"),
    (lambda d: d["items"][1].__setitem__("visibility", "secret"), "items/1/visibility"),
    (lambda d: d["items"][3]["checks"][0].__setitem__("function", "softmax"), "items/3/checks/0/function"),
    (lambda d: d["items"][4].pop("checks"), "items/4"),
    (lambda d: d["items"][5]["checks"][0]["gradient_check"].__setitem__("objective", "nope"), "gradient_check/objective"),
    (lambda d: d["items"][9]["checks"][0].__setitem__("unchanged", ["v"]), "items/9/checks/0/unchanged"),
    (lambda d: d.__setitem__("reference", "reference.missing"), "field reference"),
])
def test_malformed_rubric_names_the_bad_field(tmp_path, change, field):
    with pytest.raises(RubricError) as info:
        parse_rubric(write(tmp_path, mutated(change)))
    message = str(info.value)
    assert field in message and "\n" not in message


def test_invalid_json_and_unknown_assignment(tmp_path):
    with pytest.raises(RubricError, match="not valid JSON"):
        parse_rubric(write(tmp_path, "{ nope"))
    with pytest.raises(RubricError, match="unknown assignment 'logreg9'.*logreg2"):
        load_rubric("logreg9")
    with pytest.raises(RubricError, match="unknown assignment"):
        load_rubric("../etc/passwd")


def test_inputs_are_reproducible_and_depend_on_the_submission():
    rubric = load_rubric("logreg2")
    check = rubric.items[7].checks[0]
    first = generate_cases(check, seed_for("logreg2", b"a"), 7, 0)
    again = generate_cases(check, seed_for("logreg2", b"a"), 7, 0)
    other = generate_cases(check, seed_for("logreg2", b"b"), 7, 0)
    assert all(np.array_equal(x.args["X"], y.args["X"]) for x, y in zip(first, again))
    assert not np.array_equal(first[1].args["X"], other[1].args["X"])


def test_inputs_cover_m1_n1_and_m_not_n_with_both_labels():
    rubric = load_rubric("logreg2")
    cases = generate_cases(rubric.items[7].checks[0], 1, 7, 0)
    shapes = [c.args["X"].shape for c in cases]
    assert (1, 1) in shapes and any(m != n for m, n in shapes)
    assert all(set(np.unique(c.args["y"])) == {0.0, 1.0} for c in cases if c.args["y"].size > 1)
