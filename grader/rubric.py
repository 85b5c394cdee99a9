"""Rubrics are data: load one, validate it against the schema, type it, and check that what it names exists.

A malformed rubric must stop the grader before any student is graded, with one
line that names the bad field, so an instructor can fix it at once.  The JSON
schema validates the raw data; the frozen dataclasses below are built from it
afterwards and hold every default, so the rest of the grader reads attributes,
never the rubric's dicts.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Union


PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUBRICS_DIR = PROJECT_ROOT / "rubrics"
SCHEMA_PATH = Path(__file__).with_name("schemas") / "rubric.schema.json"


class RubricError(Exception):
    """The rubric (or the assignment id) is unusable; the message is one line."""


# The rubric's vocabularies, as types: a typo is a type error (no StrEnum on Python 3.10).
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
Credit = Literal["all_or_nothing", "per_check", "per_part"]
ArgKind = Literal["value", "normal", "uniform", "labels", "callable", "choice", "size"]
ReturnKind = Literal["float", "floats", "like", "array", "labels", "tuple", "dict"]
Shape = tuple[Union[str, int], ...]  # a dimension's name (``"M"``) or a literal size

DEFAULT_CREDIT: Credit = "all_or_nothing"


@dataclass(frozen=True)
class Tolerance:
    """How close a value must be to the expected one (``numpy.isclose``)."""

    rtol: float = 1e-6
    atol: float = 1e-9


@dataclass(frozen=True)
class ArgSpec:
    """How one argument is made: a literal ``value``, one of ``choices`` (values or test-function
    names) by case number, random ``normal``/``uniform`` numbers or 0/1 ``labels`` of ``shape``,
    or (``size``) the case's value of the dimension ``dim``."""

    kind: ArgKind
    value: Any = None
    choices: tuple[Any, ...] = ()
    shape: Shape = ()
    loc: float = 0.0
    scale: float = 1.0
    low: float = 0.0
    high: float = 0.0
    dtype: str = "float64"
    dim: str = ""
    shared: bool = False  # made once per process and handed to sessions at spawn (grader.checking.shared_inputs)


@dataclass(frozen=True)
class ReturnSpec:
    """What a function returns: one named ``float``, list of ``floats``, ``array`` of ``shape``,
    ``labels`` array, an array ``like`` an input, or a ``tuple``/``dict`` of these (``parts``,
    with their ``keys`` in a dict).  ``name`` is None where the rubric names nothing."""

    kind: ReturnKind
    name: str | None = None
    shape: Shape = ()
    like: str = ""
    parts: tuple[ReturnSpec, ...] = ()
    keys: tuple[str, ...] = ()
    integer: Literal["accept", "note"] = "accept"


@dataclass(frozen=True)
class Timing:
    """A speed check: ``late`` arguments are sent only when the clock starts; the call may take
    ``factor`` times a vectorized solution plus ``slack_seconds``; ``retry_dims`` time a call that
    raised a known slip's error again where that code runs."""

    late: tuple[str, ...]
    factor: float
    slack_seconds: float
    retry_dims: tuple[dict[str, int], ...] = ()

    def allowed(self, best: float) -> float:
        """The seconds a call may take and pass, given a vectorized solution's best time."""
        return self.factor * best + self.slack_seconds


DEFAULT_GRADIENT_RTOL = 1e-5


@dataclass(frozen=True)
class GradientCheck:
    """Each output (a part's index or name) against centered differences of ``objective`` in an argument."""

    objective: str
    outputs: tuple[tuple[str, str], ...]  # (output, argument)
    rtol: float = DEFAULT_GRADIENT_RTOL


@dataclass(frozen=True)
class MatchRule:
    """A family of slips matched by a rule (any constant): ``proportional``, or ``first_differs`` PART."""

    proportional: bool = False
    first_differs: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The rule as the rubric writes it (the self-check pack stores it so)."""
        return {"proportional": True} if self.proportional else {"first_differs": self.first_differs}


@dataclass(frozen=True)
class Mistake:
    """A known slip: a wrong ``variant`` in the mistakes module and the message that names it."""

    id: str
    variant: str
    message: str
    match: MatchRule | None = None


@dataclass(frozen=True)
class Check:
    """One check of a function, typed; every default of the rubric's ``check`` lives here.

    ``args`` is None when the check has only ``literal_cases``; ``stubs`` None means every
    other function of the assignment.  ``source`` is the validated JSON it was built from
    (the self-check pack copies parts of it verbatim); a ``dataclasses.replace`` copy, such as
    ``checks.retry_check``'s, keeps its original's.
    """

    function: str
    returns: ReturnSpec
    args: dict[str, ArgSpec] | None = None
    dims: tuple[dict[str, int], ...] = ({},)
    repeat: int = 1
    literal_cases: tuple[dict[str, Any], ...] = ()
    tolerance: Tolerance = Tolerance()
    gradient_check: GradientCheck | None = None
    unchanged: tuple[str, ...] = ()
    strict_types: bool = False
    stubs: tuple[str, ...] | None = None
    timing: Timing | None = None
    mistakes: tuple[Mistake, ...] = ()
    keywords: tuple[str, ...] = ()
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def arg_names(self) -> list[str]:
        return list(self.args or {})


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    points: float
    visibility: Visibility
    credit: Credit
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Rubric:
    assignment: str
    title: str
    module_name: str
    functions: tuple[str, ...]
    items: tuple[Item, ...]
    limits: dict[str, Any]
    reference: ModuleType
    mistakes: ModuleType | None
    path: Path
    allowed_modules: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return sum(item.points for item in self.items)


def parse_check(raw: dict[str, Any]) -> Check:
    """A check (already valid against the schema) as typed data, absent fields at their defaults."""
    timing = raw.get("timing")
    gradient = raw.get("gradient_check")
    return Check(
        function=raw["function"], returns=parse_returns(raw["returns"]),
        args={name: _arg_spec(arg) for name, arg in raw["args"].items()} if "args" in raw else None,
        dims=tuple(dict(d) for d in raw.get("dims", [{}])), repeat=int(raw.get("repeat", 1)),
        literal_cases=tuple(raw.get("literal_cases", ())), tolerance=Tolerance(**raw.get("tolerance", {})),
        gradient_check=GradientCheck(gradient["objective"], tuple(gradient["outputs"].items()),
                                     gradient.get("rtol", DEFAULT_GRADIENT_RTOL)) if gradient else None,
        unchanged=tuple(raw.get("unchanged", ())), strict_types=bool(raw.get("strict_types", False)),
        stubs=tuple(raw["stubs"]) if "stubs" in raw else None,
        timing=Timing(tuple(timing["late"]), float(timing["factor"]), float(timing["slack_seconds"]),
                      tuple(dict(d) for d in timing.get("retry_dims", ()))) if timing else None,
        mistakes=tuple(Mistake(m["id"], m["variant"], m["message"], parse_match(m.get("match")))
                       for m in raw.get("mistakes", ())),
        keywords=tuple(raw.get("keywords", ())), source=raw,
    )


def parse_match(raw: dict[str, Any] | None) -> MatchRule | None:
    if not raw:
        return None
    return MatchRule(proportional=bool(raw.get("proportional")), first_differs=raw.get("first_differs"))


def parse_returns(raw: dict[str, Any]) -> ReturnSpec:
    """A ``returns`` spec as typed data (recursively for tuples and dicts)."""
    if "tuple" in raw:
        return ReturnSpec("tuple", parts=tuple(parse_returns(r) for r in raw["tuple"]))
    if "dict" in raw:
        return ReturnSpec("dict", parts=tuple(parse_returns(r) for r in raw["dict"].values()),
                          keys=tuple(raw["dict"]))
    if "like" in raw:  # named by ``name``: the input it mirrors is not its name
        return ReturnSpec("like", name=str(raw.get("name", "the result")), like=raw["like"])
    for kind in ("float", "floats", "array", "labels"):
        if kind in raw:
            return ReturnSpec(kind, name=str(raw[kind]), shape=tuple(raw.get("shape", ())),
                              integer=raw.get("integer", "accept"))
    raise RubricError(f"unknown return spec {sorted(raw)}")


def _arg_spec(raw: dict[str, Any]) -> ArgSpec:
    if "value" in raw:
        return ArgSpec("value", value=raw["value"])
    if "choice" in raw:
        return ArgSpec("choice", choices=tuple(raw["choice"]))
    if "callable" in raw:
        return ArgSpec("callable", choices=tuple(raw["callable"]))
    if "normal" in raw:
        return ArgSpec("normal", shape=tuple(raw["normal"]), loc=raw.get("loc", 0.0), scale=raw.get("scale", 1.0),
                       shared=bool(raw.get("shared", False)))
    if "uniform" in raw:
        low, high = raw["uniform"]
        return ArgSpec("uniform", shape=tuple(raw.get("shape", ())), low=low, high=high,
                       shared=bool(raw.get("shared", False)))
    if "labels" in raw:
        return ArgSpec("labels", shape=tuple(raw["labels"]), dtype=raw.get("dtype", "float64"))
    return ArgSpec("size", dim=raw["size"])


def parse_item(raw: dict[str, Any]) -> Item:
    """An item (of a rubric, or of a self-check pack) with its checks typed."""
    return Item(id=raw["id"], title=raw["title"], points=float(raw["points"]), visibility=raw["visibility"],
                credit=raw.get("credit", DEFAULT_CREDIT), checks=tuple(parse_check(c) for c in raw.get("checks", ())))


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def load_rubric(assignment: str, rubrics_dir: Path = RUBRICS_DIR) -> Rubric:
    """The validated rubric of ``assignment``, or RubricError with a one-line reason."""
    if not assignment.replace("_", "").isalnum():
        raise RubricError(f"unknown assignment {assignment!r}")
    path = rubrics_dir / f"{assignment}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in rubrics_dir.glob("*.json") if not p.name.endswith(".schema.json")))
        raise RubricError(f"unknown assignment {assignment!r} (known: {known or 'none'})")
    return parse_rubric(path)


def parse_rubric(path: Path) -> Rubric:
    """Validate the file at ``path`` and resolve the modules it names."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RubricError(f"rubric {path.name} is not valid JSON: {exc}") from None
    import jsonschema  # here, not at the top: `grade` imports this module before its zygote is launched

    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        worst = jsonschema.exceptions.best_match(errors)
        where = "/".join(str(p) for p in worst.absolute_path) or "(top level)"
        raise RubricError(f"rubric {path.name}: field {where}: {worst.message[:200]}")
    reference = _import(data["reference"], path, "reference")
    mistakes = _import(data["mistakes"], path, "mistakes") if "mistakes" in data else None
    items = tuple(parse_item(raw) for raw in data["items"])
    rubric = Rubric(
        assignment=data["assignment"], title=data["title"], module_name=data["module_name"],
        functions=tuple(data["functions"]), items=items, limits=dict(data.get("limits", {})),
        reference=reference, mistakes=mistakes, path=path, allowed_modules=tuple(data.get("allowed_modules", ())),
    )
    _check_references(rubric)
    return rubric


def _import(name: str, path: Path, field: str) -> ModuleType:
    """The reference and mistakes modules sit beside ``grader/``: importable wherever ``grader`` is (the
    checkout on the venv's path, or the current folder on Gradescope), so no path is added here."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 (any import failure is a rubric error)
        raise RubricError(f"rubric {path.name}: field {field}: cannot import {name!r} ({type(exc).__name__})") from None


def _check_references(rubric: Rubric) -> None:
    """Names the schema cannot check: functions, objectives, arguments, mistake variants."""
    name = rubric.path.name
    ids = [item.id for item in rubric.items]
    if len(set(ids)) != len(ids):
        raise RubricError(f"rubric {name}: field items: duplicate item id")
    for i, item in enumerate(rubric.items):
        for j, check in enumerate(item.checks):
            where = f"rubric {name}: field items/{i}/checks/{j}"
            if check.function not in rubric.functions:
                raise RubricError(f"{where}/function: {check.function!r} is not one of the assignment's functions")
            if not callable(getattr(rubric.reference, check.function, None)):
                raise RubricError(f"{where}/function: the reference has no {check.function!r}")
            objective = check.gradient_check.objective if check.gradient_check else None
            if objective and not callable(getattr(rubric.reference, objective, None)):
                raise RubricError(f"{where}/gradient_check/objective: the reference has no {objective!r}")
            args = check.arg_names
            for arg in check.unchanged:
                if arg not in args:
                    raise RubricError(f"{where}/unchanged: {arg!r} is not an argument")
            for arg in check.timing.late if check.timing else ():
                if arg not in args:
                    raise RubricError(f"{where}/timing/late: {arg!r} is not an argument")
            for k, mistake in enumerate(check.mistakes):
                if rubric.mistakes is None or not callable(getattr(rubric.mistakes, mistake.variant, None)):
                    raise RubricError(f"{where}/mistakes/{k}/variant: no function {mistake.variant!r} in the mistakes module")
            if item.credit == "per_part" and len(item.checks) != 1:
                raise RubricError(f"rubric {name}: field items/{i}/credit: per_part needs exactly one check")
