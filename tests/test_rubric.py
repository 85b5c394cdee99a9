"""Rubric validation: a bad rubric stops the grader with one line naming the field."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

import numpy as np
import pytest

from grader.checking.inputs import generate_cases, seed_for
from grader.rubric import (
    DEFAULT_CREDIT, SCHEMA_PATH, ArgKind, ArgSpec, Check, GradientCheck, MatchRule, Mistake, ReturnKind, ReturnSpec,
    RubricError, Timing, Tolerance, load_rubric, parse_check, parse_item, parse_rubric,
)

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


# --------------------------------------------------------------------------- the typed rubric


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def test_every_field_of_a_check_in_the_schema_is_a_typed_attribute():
    """A word the schema gains is a word the typed check carries (or this fails)."""
    assert set(_schema()["$defs"]["check"]["properties"]) <= {f.name for f in dataclasses.fields(Check)}


def test_every_argument_and_return_kind_of_the_schema_is_a_typed_kind():
    defs = _schema()["$defs"]
    assert {branch["required"][0] for branch in defs["argSpec"]["oneOf"]} == set(typing.get_args(ArgKind))
    assert {branch["required"][0] for branch in defs["returnSpec"]["oneOf"]} == set(typing.get_args(ReturnKind))


def test_the_schemas_defaults_are_the_typed_defaults():
    """Defaults live in the dataclasses; the schema's ``default`` annotations say the same."""
    defs = _schema()["$defs"]
    assert defs["item"]["properties"]["credit"]["default"] == DEFAULT_CREDIT
    assert defs["check"]["properties"]["strict_types"]["default"] == Check.strict_types
    labels = next(b for b in defs["argSpec"]["oneOf"] if b["required"] == ["labels"])
    assert labels["properties"]["dtype"]["default"] == ArgSpec.dtype
    assert defs["shared"]["default"] == ArgSpec.shared
    number = next(b for b in defs["returnSpec"]["oneOf"] if b["required"] == ["float"])
    assert number["properties"]["integer"]["default"] == ReturnSpec.integer


def test_a_minimal_check_gets_every_default():
    check = parse_check({"function": "cost", "returns": {"float": "J"}, "literal_cases": [{"x": 1.0}]})
    assert check == Check("cost", ReturnSpec("float", name="J"), literal_cases=({"x": 1.0},))
    assert (check.args, check.dims, check.repeat, check.tolerance) == (None, ({},), 1, Tolerance(1e-6, 1e-9))
    assert (check.stubs, check.timing, check.gradient_check, check.mistakes) == (None, None, None, ())
    item = parse_item({"id": "cost", "title": "Cost", "points": 10, "visibility": "visible", "checks": []})
    assert item.credit == DEFAULT_CREDIT and item.points == 10.0


def test_the_shipped_rubric_is_typed_all_the_way_down():
    rubric = load_rubric("logreg2")
    vectorization = next(c for i in rubric.items if i.id == "vectorization" for c in i.checks)
    assert isinstance(vectorization.timing, Timing) and vectorization.timing.late and vectorization.timing.retry_dims
    for check in (c for i in rubric.items for c in i.checks):
        assert isinstance(check.returns, ReturnSpec) and isinstance(check.tolerance, Tolerance)
        assert all(isinstance(a, ArgSpec) for a in (check.args or {}).values())
        assert all(isinstance(m, Mistake) and (m.match is None or isinstance(m.match, MatchRule)) for m in check.mistakes)
        assert check.gradient_check is None or isinstance(check.gradient_check, GradientCheck)
        assert check.source["function"] == check.function  # the validated JSON, for the self-check pack
    proportional = [m for i in rubric.items for c in i.checks for m in c.mistakes if m.match]
    assert proportional and all(m.match.as_json() in ({"proportional": True}, {"first_differs": m.match.first_differs})
                                for m in proportional)
