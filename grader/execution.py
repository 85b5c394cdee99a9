"""The two conversations the grader has with a session: load the cells, then run an item's calls.

Each step has its own deadline; when one passes, the grader kills the step's
processes (not the whole submission) and records a timeout for that step only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from grader.sandbox import Deadline, Session, SessionDied

GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Cell:
    """A unit of student code run as one step: a whole .py file, or one notebook cell."""

    source: str
    filename: str
    label: str


@dataclass(frozen=True)
class CellProblem:
    label: str
    kind: str  # "error" | "timeout" | "died"
    message: str
    line: int | None = None


@dataclass
class LoadResult:
    isolation: dict[str, Any] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    neutralised: list[str] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    fatal: str | None = None


@dataclass(frozen=True)
class Call:
    """One call of a student function; ``late_args`` are sent only when a timed call starts."""

    fn: str
    args: tuple
    stubs: tuple[str, ...] = ()
    return_args: tuple[int, ...] = ()
    late_args: tuple = ()
    timed: bool = False


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok" | "error" | "missing" | "timeout" | "died" | "not_run"
    value: Any = None
    error: dict[str, Any] | None = None
    args_after: tuple = ()
    seconds: float | None = None
    detail: str = ""
    callees: tuple[str, ...] = ()


CallbackServer = Callable[[str, list, dict], Any]


def load(session: Session, cells: Sequence[Cell], module_name: str, filename: str) -> LoadResult:
    """Run the submission's cells in order inside the session."""
    result = LoadResult()
    limits = session.limits
    try:
        hello = session.receive(time.monotonic() + 10.0)
        result.isolation = dict(hello.get("isolation") or {})
        session.send({"op": "load", "module_name": module_name,
                      "filename": filename,
                      "cells": [{"source": c.source, "filename": c.filename} for c in cells]},
                     time.monotonic() + 10.0)
    except (Deadline, SessionDied) as exc:
        result.fatal = f"the sandbox could not start ({type(exc).__name__})"
        return result
    worker: int | None = None
    current = 0
    deadline = time.monotonic() + limits.cell_seconds
    while True:
        try:
            message = session.receive(deadline)
        except Deadline:
            label = cells[current].label if cells else "?"
            result.problems.append(CellProblem(label, "timeout", f"did not finish within {limits.cell_seconds:g} s and was stopped"))
            parent = _parent_of(worker) if worker else None
            session.zygote.sweep(keep=parent)
            deadline = time.monotonic() + GRACE_SECONDS
            worker = None
            continue
        except SessionDied as exc:
            result.fatal = str(exc)
            return result
        op = message.get("op")
        if op == "cell_start":
            worker = message.get("pid") if type(message.get("pid")) is int else None
            current = _index(message, cells)
            deadline = time.monotonic() + limits.cell_seconds
        elif op == "cell_done":
            error = message.get("error")
            result.neutralised = [str(n)[:200] for n in message.get("neutralised") or []][:50]
            if isinstance(error, dict):
                index = _index(message, cells)
                result.problems.append(CellProblem(cells[index].label, "error", _error_text(error), error.get("line")))
        elif op == "cell_end":
            index = _index(message, cells)
            label = cells[index].label
            if not any(p.label == label for p in result.problems):
                result.problems.append(CellProblem(label, "died", f"ended the process ({message.get('status')})"))
            try:
                session.send({"op": "resume"}, time.monotonic() + GRACE_SECONDS)
            except (Deadline, SessionDied) as exc:
                result.fatal = f"the submission's process stopped while loading ({type(exc).__name__})"
                return result
            deadline = time.monotonic() + limits.cell_seconds
        elif op == "loaded":
            result.defined = [str(d) for d in message.get("defined") or []][:500]
            session.mainline = message.get("pid") if type(message.get("pid")) is int else None
            session.kill_stragglers()  # what the cells started (daemons, pools) never runs beside an item
            return result
        else:
            result.fatal = "the submission's process sent an unexpected message while loading"
            return result


def _index(message: dict[str, Any], cells: Sequence[Cell]) -> int:
    index = message.get("index")
    return index if type(index) is int and 0 <= index < len(cells) else 0


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _error_text(error: dict[str, Any]) -> str:
    text = f"{error.get('type', 'Error')}: {error.get('message', '')}"
    return text[:1000]


def run_item(session: Session, calls: Sequence[Call], serve: CallbackServer) -> list[Outcome]:
    """Run one item's calls in a fresh child of the mainline; one outcome per call.

    Each call's clock starts when the child can run it (the item child exists, or
    a timed call's late arguments have been sent), so moving large arguments on a
    busy machine is never charged to the student.
    """
    call_seconds = session.limits.call_seconds
    outcomes: list[Outcome] = []
    wire = [{"fn": c.fn, "args": list(c.args), "stubs": list(c.stubs), "return_args": list(c.return_args),
             "timed": c.timed} for c in calls]
    started = time.monotonic()
    deadline = started + call_seconds + GRACE_SECONDS
    served: list[str] = []
    try:
        session.send({"op": "item", "calls": wire}, deadline + call_seconds, sync=True)
        while len(outcomes) < len(calls):
            message = session.receive(deadline)
            op = message.get("op")
            current = calls[len(outcomes)]
            if op == "item_start" and not outcomes:
                started = time.monotonic()
                deadline = started + call_seconds
            elif op == "ready" and current.timed:
                session.send({"op": "go", "args": list(current.late_args)}, deadline)
                started = time.monotonic()
                deadline = started + call_seconds
            elif op == "callback":
                session.send({"op": "callback_result", **_serve(serve, current, message)}, deadline)
                if message.get("fn") in current.stubs and message.get("fn") not in served:
                    served.append(message.get("fn"))
            elif op == "result" and message.get("index") == len(outcomes):
                outcomes.append(_outcome(message, time.monotonic() - started, tuple(served)))
                served = []
                started = time.monotonic()
                deadline = started + call_seconds
            elif op == "item_end":
                outcomes.append(Outcome("died", detail=f"the process ended ({message.get('status', 'no result')})"))
                session.kill_stragglers()
                return _padded(outcomes, calls)
            else:
                raise SessionDied("the submission's process sent an unexpected message")
        _finish_item(session)
    except Deadline:
        outcomes.append(Outcome("timeout", detail=f"did not return within {call_seconds:g} s and was stopped"))
        _recover(session)
    except SessionDied as exc:
        outcomes.append(Outcome("died", detail=str(exc)))
        session.alive = False
    return _padded(outcomes, calls)


def _padded(outcomes: list[Outcome], calls: Sequence[Call]) -> list[Outcome]:
    """One outcome per call: the calls after one that never returned were not run."""
    missing = len(calls) - len(outcomes)
    return outcomes + [Outcome("not_run", detail="not run: an earlier call of this item failed to return")] * missing


def _outcome(message: dict[str, Any], seconds: float, callees: tuple[str, ...]) -> Outcome:
    if message.get("missing"):
        return Outcome("missing")
    if isinstance(message.get("error"), dict):
        return Outcome("error", error=message["error"], seconds=seconds, callees=callees)
    after = message.get("args_after")
    return Outcome("ok", value=message.get("value"), args_after=tuple(after) if isinstance(after, list) else (),
                   seconds=seconds, callees=callees)


def _serve(serve: CallbackServer, call: Call, message: dict[str, Any]) -> dict[str, Any]:
    name = message.get("fn")
    args, kwargs = message.get("args"), message.get("kwargs")
    if name not in call.stubs or not isinstance(args, list) or not isinstance(kwargs, dict):
        return {"error": "is not available here"}
    try:
        return {"value": serve(name, args, kwargs)}
    except Exception as exc:  # noqa: BLE001 (any failure of the reference on student arguments)
        return {"error": f"could not be computed for these arguments ({type(exc).__name__}: {str(exc)[:200]})"}


def _finish_item(session: Session) -> None:
    """Wait for the item child to exit, then kill anything it left behind."""
    deadline = time.monotonic() + GRACE_SECONDS
    try:
        while session.receive(deadline).get("op") != "item_end":
            pass
    except (Deadline, SessionDied):
        _recover(session)
        return
    session.kill_stragglers()


def _recover(session: Session) -> None:
    """Kill the item's processes; the mainline must then report the item's end, or is given up.

    A killed child may have been halfway through a frame: what it left is skipped up to
    the sync marker the mainline sends before ``item_end``.
    """
    session.kill_stragglers()
    deadline = time.monotonic() + GRACE_SECONDS
    try:
        session.resync(deadline)
        while session.receive(deadline).get("op") != "item_end":
            pass
    except (Deadline, SessionDied):
        session.alive = False
