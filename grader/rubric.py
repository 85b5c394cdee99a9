"""Rubrics are data: load one, validate it against the schema, and check that what it names exists.

A malformed rubric must stop the grader before any student is graded, with one
line that names the bad field, so an instructor can fix it at once.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUBRICS_DIR = PROJECT_ROOT / "rubrics"
SCHEMA_PATH = Path(__file__).with_name("schemas") / "rubric.schema.json"


class RubricError(Exception):
    """The rubric (or the assignment id) is unusable; the message is one line."""


@dataclass(frozen=True)
class Check:
    function: str
    spec: dict[str, Any]

    @property
    def returns(self) -> dict[str, Any]:
        return self.spec["returns"]


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    points: float
    visibility: str
    credit: str
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
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        worst = jsonschema.exceptions.best_match(errors)
        where = "/".join(str(p) for p in worst.absolute_path) or "(top level)"
        raise RubricError(f"rubric {path.name}: field {where}: {worst.message[:200]}")
    reference = _import(data["reference"], path, "reference")
    mistakes = _import(data["mistakes"], path, "mistakes") if "mistakes" in data else None
    items = tuple(
        Item(
            id=raw["id"], title=raw["title"], points=float(raw["points"]), visibility=raw["visibility"],
            credit=raw.get("credit", "all_or_nothing"),
            checks=tuple(Check(function=c["function"], spec=c) for c in raw["checks"]),
        )
        for raw in data["items"]
    )
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
            objective = check.spec.get("gradient_check", {}).get("objective")
            if objective and not callable(getattr(rubric.reference, objective, None)):
                raise RubricError(f"{where}/gradient_check/objective: the reference has no {objective!r}")
            args = check.spec.get("args", {})
            for key in ("unchanged",):
                for arg in check.spec.get(key, []):
                    if arg not in args:
                        raise RubricError(f"{where}/{key}: {arg!r} is not an argument")
            for arg in check.spec.get("timing", {}).get("late", []):
                if arg not in args:
                    raise RubricError(f"{where}/timing/late: {arg!r} is not an argument")
            for k, mistake in enumerate(check.spec.get("mistakes", [])):
                if rubric.mistakes is None or not callable(getattr(rubric.mistakes, mistake["variant"], None)):
                    raise RubricError(f"{where}/mistakes/{k}/variant: no function {mistake['variant']!r} in the mistakes module")
            if item.credit == "per_part" and len(item.checks) != 1:
                raise RubricError(f"rubric {name}: field items/{i}/credit: per_part needs exactly one check")
