"""The two conversations the grader has with a session: load the cells, then run an item's calls.

Each step has its own deadline; when one passes, the grader kills the step's
processes (not the whole submission) and records a timeout for that step only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

from grader.limits import BUDGETS
from grader.sandbox.child import protocol
from grader.sandbox.zygote import Deadline, Session, SessionDied
from grader.submission.cell import Cell

GRACE_SECONDS = BUDGETS.grace_seconds


ProblemKind = Literal["error", "timeout", "died", "budget"]


@dataclass(frozen=True)
class CellProblem:
    """One event of loading, named once: a statement that raised, ran too long or ended its process.

    ``budget``: the whole load ran past ``Limits.load_seconds``, and what was left was not run.
    """

    label: str
    kind: ProblemKind
    message: str
    line: int | None = None
    error_type: str | None = None
    limit_seconds: float | None = None  # the limit that stopped it (timeout: a statement's; budget: the load's)


@dataclass
class LoadResult:
    isolation: dict[str, Any] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    neutralised: list[str] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    missing_modules: list[str] = field(default_factory=list)
    fatal: str | None = None

    def add(self, problem: CellProblem) -> None:
        """Record a problem once: a replayed statement that raises again is the same event."""
        if not any((p.label, p.kind, p.line) == (problem.label, problem.kind, problem.line) for p in self.problems):
            self.problems.append(problem)


@dataclass(frozen=True)
class Call:
    """One call of a student function; ``late_args`` are sent only when a timed call starts, and the
    last ``len(keywords)`` arguments are passed by these names."""

    fn: str
    args: tuple
    stubs: tuple[str, ...] = ()
    return_args: tuple[int, ...] = ()
    late_args: tuple = ()
    timed: bool = False
    keywords: tuple[str, ...] = ()
    answers: tuple = ()  # ``standin_answers.Answer``s the item child may answer stand-in calls from
    # A limit of this call's own, below ``Limits.call_seconds``: where running longer cannot change the
    # verdict (a speed check past what it allows; an item tried in a reused child, graded again if slow).
    seconds: float | None = None

    def limit(self, call_seconds: float) -> float:
        return call_seconds if self.seconds is None else min(self.seconds, call_seconds)


OutcomeStatus = Literal["ok", "error", "missing", "timeout", "died", "limit", "not_run"]

# Why a call ended as it did, one code per way (``status`` groups them): ``returned``, ``raised``;
# ``undefined``, or ``not_callable`` when the name is bound to a value (missing); ``deadline`` (the
# call limit) or ``stopped`` (the call's own shorter limit, ``Call.seconds``) (timeout); ``exited``
# (the item's process ended), ``disk`` (the scratch folder went past its limit) or ``gone`` (the
# session was lost) (died); ``channel`` (a value beyond what the result channel accepts: limit);
# ``not_run`` (an earlier call of the item never returned).
OutcomeReason = Literal["returned", "raised", "undefined", "not_callable", "deadline", "stopped", "exited", "disk",
                        "gone", "channel", "not_run"]

_STATUS: dict[str, OutcomeStatus] = {
    "returned": "ok", "raised": "error", "undefined": "missing", "not_callable": "missing", "deadline": "timeout",
    "stopped": "timeout", "exited": "died", "disk": "died", "gone": "died", "channel": "limit", "not_run": "not_run"}
_USUAL: dict[str, OutcomeReason] = {
    "ok": "returned", "error": "raised", "missing": "undefined", "timeout": "deadline", "died": "gone",
    "limit": "channel", "not_run": "not_run"}


@dataclass(frozen=True)
class Outcome:
    """What one call gave: a value, an exception, or why there is neither (``reason``, as data).

    ``detail`` is the human half (the bound type's name, a process status, the limit in words) and
    no decision reads it; ``limit_seconds`` and ``limit_mb`` are the limits that stopped the call.
    """

    status: OutcomeStatus
    value: Any = None
    error: dict[str, Any] | None = None
    args_after: tuple = ()
    seconds: float | None = None
    detail: str = ""
    callees: tuple[str, ...] = ()
    reason: OutcomeReason | None = None  # None: the usual reason of ``status`` (see ``_USUAL``)
    limit_seconds: float | None = None
    limit_mb: int | None = None
    # The exception the first reference stand-in that failed during the call raised (a refusal is the
    # ValueError it subclasses): the error a known slip reproduces when the student's call raised the
    # stub's own error because of it.
    callee_error: str | None = None

    def __post_init__(self) -> None:
        if self.reason is None:
            object.__setattr__(self, "reason", _USUAL[self.status])

    @classmethod
    def because(cls, reason: OutcomeReason, detail: str = "", **fields: Any) -> Outcome:
        """An outcome named by its reason; the status follows from it."""
        return cls(_STATUS[reason], detail=detail, reason=reason, **fields)


CallbackServer = Callable[[str, list, dict], Any]


class CallbackRefused(ValueError):
    """A stand-in call the grader will not compute (too large); the message is for the student."""


def load(session: Session, cells: Sequence[Cell], module_name: str, filename: str) -> LoadResult:
    """Run the submission's cells in order inside the session (see ``cell_loader`` for the rules).

    Each statement has ``Limits.cell_seconds``; the whole load has ``Limits.load_seconds``,
    after which the running statement is stopped and nothing after it runs.
    """
    result = LoadResult()
    try:
        hello = session.receive(time.monotonic() + 10.0)
        result.isolation = dict(hello.get("isolation") or {})
        session.send({"op": "load", "module_name": module_name, "filename": filename,
                      "cells": [{"source": c.source, "filename": c.filename, "mode": c.mode} for c in cells]},
                     time.monotonic() + 10.0)
    except (Deadline, SessionDied) as exc:
        result.fatal = f"the sandbox could not start ({type(exc).__name__})"
        return result
    _Loading(session, cells, result).follow()
    return result


class _Loading:
    """The grader's half of loading: deadlines, kills, and the record of what went wrong."""

    def __init__(self, session: Session, cells: Sequence[Cell], result: LoadResult) -> None:
        self.session, self.cells, self.result = session, cells, result
        self.limits = session.limits
        self.budget_ends = time.monotonic() + self.limits.load_seconds
        self.worker: int | None = None
        self.where: tuple[int, int | None] = (0, None)
        self.stopping = False
        self.killed = False

    def follow(self) -> None:
        deadline = self._deadline()
        while True:
            try:
                message = self.session.receive(deadline)
            except Deadline:
                if not self._stop_statement():
                    self.result.fatal = "the submission's process stopped answering while loading"
                    return
                deadline = time.monotonic() + GRACE_SECONDS
                continue
            except SessionDied as exc:
                self.result.fatal = str(exc)
                return
            op = message.get("op")
            if op == "segment":
                self.worker = message.get("pid") if type(message.get("pid")) is int else None
            elif op == "stmt":
                self.where = (_index(message, self.cells), _line(message))
                deadline = self._deadline()
            elif op == "raised" and isinstance(message.get("error"), dict):
                error = message["error"]
                line = error.get("line") if type(error.get("line")) is int else None
                self.result.add(CellProblem(self._label(_index(message, self.cells)), "error", _error_text(error),
                                            line, str(error.get("type", ""))[:100] or None))
            elif op == "cell_end":
                if not self._resume(message):
                    return
                deadline = self._deadline()
            elif op == "loaded":
                self._loaded(message)
                return
            else:
                self.result.fatal = "the submission's process sent an unexpected message while loading"
                return

    def _deadline(self) -> float:
        statement = time.monotonic() + self.limits.cell_seconds
        return statement if self.stopping else min(statement, self.budget_ends)

    def _label(self, index: int) -> str:
        return self.cells[index].label if self.cells else "?"

    def _stop_statement(self) -> bool:
        """Kill the worker running the current statement; its mainline then reports the end.

        False when there is no worker to kill (the mainline itself stopped answering).
        """
        parent = _parent_of(self.worker) if self.worker else None
        if parent is None:
            return False
        index, line = self.where
        if not self._spend_budget(index, line):
            self.result.add(CellProblem(self._label(index), "timeout",
                                        f"did not finish within {self.limits.cell_seconds:g} s and was stopped", line,
                                        limit_seconds=self.limits.cell_seconds))
        self.killed = True
        self.session.zygote.sweep(keep=parent)
        self.worker = None
        return True

    def _spend_budget(self, index: int, line: int | None) -> bool:
        """Past the load budget: say so once, and have loading stop at the current statement."""
        if self.stopping or time.monotonic() < self.budget_ends:
            return False
        self.stopping = True
        self.result.add(CellProblem(self._label(index), "budget",
                                    f"was running when loading reached its limit of {self.limits.load_seconds:g} s; "
                                    "it and everything after it were not run", line,
                                    limit_seconds=self.limits.load_seconds))
        return True

    def _resume(self, message: dict[str, Any]) -> bool:
        index, line = _index(message, self.cells), _line(message)
        if not self.killed:
            self.result.add(CellProblem(self._label(index), "died", f"ended the process ({message.get('status')})", line))
        self.killed = False
        self._spend_budget(index, line)
        try:
            self.session.send({"op": "resume", "stop": self.stopping}, time.monotonic() + GRACE_SECONDS)
        except (Deadline, SessionDied) as exc:
            self.result.fatal = f"the submission's process stopped while loading ({type(exc).__name__})"
            return False
        return True

    def _loaded(self, message: dict[str, Any]) -> None:
        self.result.defined = [str(d) for d in _strings(message.get("defined"))][:500]
        self.result.neutralised = [n[:200] for n in _strings(message.get("neutralised"))][:50]
        self.result.missing_modules = [m[:100] for m in _strings(message.get("missing_modules"))][:50]
        self.session.mainline = message.get("pid") if type(message.get("pid")) is int else None
        self.session.kill_stragglers()  # what the cells started (daemons, pools) never runs beside an item


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _line(message: dict[str, Any]) -> int | None:
    line = message.get("line")
    return line if type(line) is int else None


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


def run_item(session: Session, calls: Sequence[Call], serve: CallbackServer, reuse: bool = False) -> list[Outcome]:
    """Run one item's calls in a fresh child of the mainline, or with ``reuse`` in the child held
    from the last item; one outcome per call.  Either way the child is held afterwards, waiting.

    Each call's clock starts when the child can run it (the item child exists, or
    a timed call's late arguments have been sent), so moving large arguments on a
    busy machine is never charged to the student.
    """
    if not reuse:
        release(session)
    call_seconds = session.limits.call_seconds
    outcomes: list[Outcome] = []
    wire = [_wire(c) for c in calls]
    started = time.monotonic()
    deadline = started + call_seconds + GRACE_SECONDS
    limit = calls[0].limit(call_seconds) if calls else call_seconds  # the running call's, from item_start
    served: list[str] = []
    failed: list[str] = []  # the exception types of stand-ins that could not answer, in order
    begun = False
    try:
        session.send({"op": "item", "calls": wire}, deadline + call_seconds, sync=True)
        while len(outcomes) < len(calls):
            message = session.receive(deadline)
            op = message.get("op")
            current = calls[len(outcomes)]
            if op == "item_start" and not outcomes:
                session.held, begun = (message.get("pid") if type(message.get("pid")) is int else None), True
                started = time.monotonic()
                deadline = started + limit
            elif op == "ready" and current.timed:
                session.send({"op": "go", "args": list(current.late_args)}, deadline)
                started = time.monotonic()
                deadline = started + limit
            elif op == "callback":
                reply, failure = _serve(serve, current, message)
                session.send({"op": "callback_result", **reply}, deadline)
                failed += [failure] if failure else []
                if message.get("fn") in current.stubs and message.get("fn") not in served:
                    served.append(message.get("fn"))
            elif op == "result" and message.get("index") == len(outcomes):
                answered = [n for n in (message.get("used") or []) if isinstance(n, str) and n in current.stubs]
                callees = tuple(dict.fromkeys([*served, *answered]))
                outcomes.append(_outcome(message, time.monotonic() - started, callees, failed[:1]))
                served, failed = [], []
                if len(outcomes) < len(calls):
                    limit = calls[len(outcomes)].limit(call_seconds)
                started = time.monotonic()
                deadline = started + limit
            elif op == "item_end" and not begun:  # the held child had ended: the mainline forks anew
                session.held = None
            elif op == "item_end":
                session.held = None
                outcomes.append(Outcome.because("exited", f"the process ended ({message.get('status', 'no result')})"))
                session.kill_stragglers()
                return _padded(outcomes, calls)
            else:
                raise SessionDied("the submission's process sent an unexpected message")
        _finish_item(session)
    except Deadline:
        outcomes.append(Outcome.because("deadline" if limit >= call_seconds else "stopped",
                                        f"did not return within {limit:g} s and was stopped", limit_seconds=limit))
        _recover(session)
    except SessionDied as exc:
        outcomes.append(_lost(exc))
        session.alive = False
    return _padded(outcomes, calls)


def _wire(call: Call) -> dict[str, Any]:
    """A call as the item child reads it (``keywords`` only when some arguments go by name)."""
    wire = {"fn": call.fn, "args": list(call.args), "stubs": list(call.stubs), "return_args": list(call.return_args),
            "timed": call.timed}
    if call.answers:
        wire["answers"] = protocol.pack_answers([(a.name, a.key, a.value) for a in call.answers])
    return {**wire, "keywords": list(call.keywords)} if call.keywords else wire


def _padded(outcomes: list[Outcome], calls: Sequence[Call]) -> list[Outcome]:
    """One outcome per call: the calls after one that never returned were not run."""
    missing = len(calls) - len(outcomes)
    return outcomes + [Outcome.because("not_run", "not run: an earlier call of this item failed to return")] * missing


def _lost(exc: SessionDied) -> Outcome:
    """The outcome of a call whose session ended: past the channel's limits, past the disk limit, or gone."""
    if exc.limit:
        return Outcome.because("channel", exc.limit)
    if exc.disk_mb is not None:
        return Outcome.because("disk", str(exc), limit_mb=exc.disk_mb)
    return Outcome.because("gone", str(exc))


def _outcome(message: dict[str, Any], seconds: float, callees: tuple[str, ...], failed: list[str]) -> Outcome:
    if message.get("missing"):  # ``bound_to``: the name exists, bound to something that cannot be called
        bound = message.get("bound_to")
        if isinstance(bound, str) and bound:
            return Outcome.because("not_callable", bound[:200])
        return Outcome.because("undefined")
    if isinstance(message.get("error"), dict):
        return Outcome("error", error=message["error"], seconds=seconds, callees=callees,
                       callee_error=failed[0] if failed else None)
    after = message.get("args_after")
    return Outcome("ok", value=message.get("value"), args_after=tuple(after) if isinstance(after, list) else (),
                   seconds=seconds, callees=callees)


def _serve(serve: CallbackServer, call: Call, message: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The reply to a stand-in call, and the type of the exception when the reference could not answer."""
    name = message.get("fn")
    args, kwargs = message.get("args"), message.get("kwargs")
    if name not in call.stubs or not isinstance(args, list) or not isinstance(kwargs, dict):
        return {"error": "is not available here"}, None
    try:
        return {"value": serve(name, args, kwargs)}, None
    except CallbackRefused as exc:
        return {"error": str(exc)}, "ValueError"
    except Exception as exc:  # noqa: BLE001 (any failure of the reference on student arguments)
        kind = type(exc).__name__
        return {"error": f"could not be computed for these arguments ({kind}: {str(exc)[:200]})"}, kind


def _finish_item(session: Session) -> None:
    """Wait for the item child to say it is done (it then waits for the next item, held), then kill
    anything it left behind; a child that left something is not reused."""
    message = _await(session, ("item_done", "item_end"))
    if message is None:
        return
    if message["op"] == "item_done":
        session.held_changed = message.get("changed") is not False
    else:
        session.held = None
    if session.kill_stragglers():
        session.held_changed = True


def release(session: Session) -> None:
    """Let the held item child go and wait until the mainline reports its end, so that the next
    item forks a fresh child from the loaded state."""
    if session.held is None or not session.alive:
        session.held = None
        return
    session.held = None
    if _await(session, ("item_end",), {"op": "release"}) is not None:
        session.kill_stragglers()


def _await(session: Session, ops: tuple[str, ...], send: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The first message of one of ``ops`` within the grace period (after sending ``send``); None
    when it did not come, once the item's processes are given up (``_recover``)."""
    deadline = time.monotonic() + GRACE_SECONDS
    try:
        if send is not None:
            session.send(send, deadline)
        while True:
            message = session.receive(deadline)
            if message.get("op") in ops:
                return message
    except (Deadline, SessionDied):
        _recover(session)
        return None


def _recover(session: Session) -> None:
    """Kill the item's processes; the mainline must then report the item's end, or is given up.

    A killed child may have been halfway through a frame: what it left is skipped up to
    the sync marker the mainline sends before ``item_end``.
    """
    session.held = None
    session.kill_stragglers()
    deadline = time.monotonic() + GRACE_SECONDS
    try:
        session.resync(deadline)
        while session.receive(deadline).get("op") != "item_end":
            pass
    except (Deadline, SessionDied):
        session.alive = False
