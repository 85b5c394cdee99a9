"""Every limit and cap the grader applies, and every ``LOGREG2_*`` environment variable, in one place.

* ``Limits``: what the sandbox enforces on one submission's code (rlimits, deadlines, a tmpfs).
  The rubric's ``limits``, the CLI flags and, on Gradescope, the environment override it.
* ``Caps``: how much of what a submission produced the grader reads, keeps and shows.
* ``Budgets``: the grader's own clocks around the sandbox's, and Gradescope's smaller share.
* ``VARIABLES``: every ``LOGREG2_*`` variable, including those only the shell scripts read;
  ``read_env`` reads the Python side's, once, and names a bad value in one line.

Each field carries its scope (per call, cell, process, user, file, ...), how it is enforced,
what the student sees when it is reached, and why its default is what it is, as field
metadata: ``python -m grader.limits --markdown`` prints the README's table from it.
Standard library only: the Gradescope supervisor imports it before anything can fail.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["call", "cell", "step", "process", "user", "file", "stream", "session", "submission",
                "item", "value", "report", "student", "worker", "run"]
SCOPES: tuple[str, ...] = Scope.__args__  # type: ignore[attr-defined]

DEFAULT_SANDBOX_USER = "lr2sandbox"


def _entry(default: Any, *, scope: Scope, enforced: str, reached: str, why: str, rubric: bool = False,
           flags: str = "", env: str = "", constant: str = "") -> Any:
    """A field with its documentation as data.  ``constant`` names the module constant that applies it
    (``module:NAME``): it takes its value from here or, in the sandbox's own modules (which import nothing
    of the grader) and the shell scripts, holds the same value; ``tests/test_limits.py`` compares them."""
    return field(default=default, metadata={
        "scope": scope, "enforced": enforced, "reached": reached, "why": why,
        "rubric": rubric, "flags": flags, "env": env, "constant": constant,
    })


def _documented(cls: type) -> type:
    """The class docstring, followed by one paragraph per field from its metadata (what ``help`` shows)."""
    parts = [inspect.cleandoc(cls.__doc__ or ""), "Fields:"]
    for f in dataclasses.fields(cls):
        m = f.metadata
        parts.append(f"``{f.name}`` (per {m['scope']}, default {f.default!r}). Enforced: {m['enforced']}. "
                     f"When reached: {m['reached']}. Why: {m['why']}.")
    cls.__doc__ = "\n\n".join(parts)
    return cls


@_documented
@dataclass(frozen=True)
class Limits:
    """What the sandbox enforces on one submission's code, each outside the code's control.

    The scope differs per field (a call, a statement, each process, the sandbox user, one
    file, the session): see the fields below, or the README's table.  Set per
    assignment in the rubric's ``limits``, per run with flags, on Gradescope with variables.
    The whole object is sent to the sandbox's runner (``dataclasses.asdict``).
    """

    cell_seconds: float = _entry(
        10.0, scope="cell", rubric=True, flags="`--cell-seconds` (grade, batch)", env="LOGREG2_CELL_SECONDS",
        enforced="the grader's deadline, then SIGKILL of the process running the statement",
        reached="the statement is skipped and named in the report, loading goes on; report status `timeout`",
        why="long enough for any cell of the assignment's own work; a training experiment left at the "
            "top level is stopped, not waited for")
    load_seconds: float = _entry(
        60.0, scope="submission", rubric=True,
        enforced="the grader's deadline over all statements, then SIGKILL of the running one",
        reached="the running statement and everything after it are not run, and the report says so; status `timeout`",
        why="several slow cells, not one: a load past it means experiments left in the file")
    call_seconds: float = _entry(
        4.0, scope="call", rubric=True, flags="`--call-seconds` (grade, check, batch)", env="LOGREG2_CALL_SECONDS",
        enforced="the grader's deadline from when the call can start, then SIGKILL of the item's process",
        reached="that case fails (\"did not return within ... s\"), the item's later calls are not run; "
                "status `timeout`",
        why="far above what the reference needs on any rubric input, so a slow but correct loop passes; "
            "a hang costs one call's limit, not the whole run")
    cpu_seconds: int = _entry(
        120, scope="process", enforced="`RLIMIT_CPU` (hard = soft), inherited by every fork",
        reached="the kernel kills the process: a crash of that statement or call",
        why="a backstop: the grader's deadlines end every process long before")
    memory_mb: int = _entry(
        768, scope="process", rubric=True, env="LOGREG2_MEMORY_MB",
        enforced="`RLIMIT_AS`: this much address space beyond what the confined process already maps",
        reached="`MemoryError` in the student's code, or a crash where NumPy cannot report it",
        why="the rubric's inputs are small: room for NumPy's temporaries, far below the machine's memory")
    processes: int = _entry(
        64, scope="user",
        enforced="`RLIMIT_NPROC`, which counts every process of the uid: with the numbered sandbox users "
                 "(`lr2sandbox1..N`) each session has a uid of its own; as the one shared user, or as the "
                 "grader's own user when it is not root (then raised by that user's count), it is shared",
        reached="`fork` fails in the student's code with `BlockingIOError`",
        why="a small pool of workers can start; a fork bomb stops at the limit")
    file_mb: int = _entry(
        32, scope="file", enforced="`RLIMIT_FSIZE`",
        reached="the write fails with `EFBIG` (`OSError` in the student's code)",
        why="a saved plot or array fits; a runaway log is stopped")
    open_files: int = _entry(
        64, scope="process", enforced="`RLIMIT_NOFILE`",
        reached="`open` fails with `OSError` (too many open files)",
        why="enough for Python, NumPy, Matplotlib and a few files; a leak in a loop stops quickly")
    scratch_mb: int = _entry(
        64, scope="session",
        enforced="the size of the tmpfs mounted on the scratch folder (root), and the grader's scan of "
                 "the folder every 0.2 s",
        reached="the write fails (tmpfs), or the scan ends the session (\"wrote more than ... MB of files\")",
        why="room for several files of `file_mb`, twice the largest one")
    output_kb: int = _entry(
        32, scope="stream",
        enforced="the grader keeps the first bytes of stdout and of stderr and counts the rest",
        reached="the rest is not kept; the report shows at most `Caps.shown_output_chars` of it",
        why="printing never fills the grader's memory, and more than a screenful is never read")

    def with_overrides(self, **changes: Any) -> Limits:
        """A copy with ``changes`` applied, ignoring those that are None (an unset flag or variable).

        Unlike ``dataclasses.replace``, so that optional settings can be passed unconditionally.
        """
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


@_documented
@dataclass(frozen=True)
class Caps:
    """How much of what a submission produced the grader reads, keeps and shows, each cut with a note."""

    submission_bytes: int = _entry(
        50 * 1024 * 1024, scope="file", constant="grader.submission.locate:MAX_BYTES",
        enforced="the grader reads at most this much of the `.py` or `.ipynb`",
        reached="every item 0, with the size and the limit",
        why="a notebook with its plots is a few MB; this is far above any honest one")
    code_chars: int = _entry(
        4_000_000, scope="submission", constant="grader.submission.locate:MAX_CODE_CHARS",
        enforced="the grader counts the code of every cell before sending it",
        reached="every item 0, with the size and the limit",
        why="the code goes to the sandbox whole in one 64 MB frame, and a character escapes to at most 12 bytes")
    cell_parse_chars: int = _entry(
        128 * 1024, scope="cell", constant="grader.submission.notebook:MAX_PARSED",
        enforced="the grader compiles (outside the sandbox) only cells this small",
        reached="the cell is sent as it is, untranslated: it runs or fails in the sandbox like any other",
        why="the grader's own parse of a hostile cell stays short")
    cell_translate_chars: int = _entry(
        32 * 1024, scope="cell", constant="grader.submission.notebook:MAX_TRANSLATED",
        enforced="only cells this small go through IPython's magic translation",
        reached="the cell is run untranslated",
        why="IPython's transformer is slow on long input")
    parse_chars: int = _entry(
        1024 * 1024, scope="submission", constant="grader.submission.notebook:MAX_PARSED_TOTAL",
        enforced="the grader's parse budget over all cells",
        reached="later cells are sent as they are, untranslated",
        why="bounds the grader's time on one submission whatever its number of cells")
    translate_chars: int = _entry(
        128 * 1024, scope="submission", constant="grader.submission.notebook:MAX_TRANSLATED_TOTAL",
        enforced="the translation budget over all cells",
        reached="later cells are run untranslated",
        why="as `cell_translate_chars`, over the whole notebook")
    value_depth: int = _entry(
        32, scope="value", constant="grader.sandbox.child.protocol:MAX_DEPTH",
        enforced="the result channel refuses deeper values",
        reached="that case fails, naming the limit",
        why="every rubric value is at most a tuple of arrays")
    frame_mb: int = _entry(
        64, scope="value",
        enforced="the grader buffers at most this much of one message from the sandbox",
        reached="that case fails, naming the limit",
        why="far above any honest answer; bounds what a child can make the grader buffer")
    error_message_chars: int = _entry(
        2000, scope="call", constant="grader.sandbox.child.student_namespace:MAX_MESSAGE",
        enforced="the sandbox cuts an exception's message before sending it",
        reached="cut, with the number of characters left out",
        why="a message is read, not scrolled")
    traceback_chars: int = _entry(
        4000, scope="call", constant="grader.sandbox.child.student_namespace:MAX_TRACEBACK",
        enforced="the sandbox keeps the end of a traceback",
        reached="cut at the start, with the number of characters left out",
        why="the last frames say where it failed")
    callback_elements: int = _entry(
        1_000_000, scope="call", constant="grader.checking.grading:MAX_CALLBACK_ELEMENTS",
        enforced="the grader refuses to compute a reference stand-in on larger arguments",
        reached="the stand-in call raises in the student's code (\"more than the grader serves\")",
        why="the rubric's largest input has a few thousand numbers")
    series_points: int = _entry(
        10_000, scope="item", enforced="the grader keeps the first points of a returned history for the plot",
        reached="the plot shows the first points",
        why="a plot cannot show more; the report stays small")
    feedback_chars: int = _entry(
        6000, scope="item", constant="grader.checking.feedback:MAX_OUTPUT", enforced="the grader cuts an item's feedback between blocks",
        reached="\"[... more feedback not shown]\"",
        why="Gradescope shows each test's output whole: the first failing cases say enough")
    headline_chars: int = _entry(
        500, scope="item", constant="grader.reporting.report:HEADLINE_CHARS", enforced="cut of the one-line verdict in the test's `extra_data`",
        reached="the headline is cut",
        why="one line for tables and summaries")
    shown_output_chars: int = _entry(
        2000, scope="stream", constant="grader.reporting.report:SHOWN_OUTPUT", enforced="cut of what the code printed, in the report's summary",
        reached="\"[... truncated]\"",
        why="enough to recognise a debugging print")
    summary_chars: int = _entry(
        20_000, scope="report", constant="grader.reporting.report:MAX_SUMMARY", enforced="cut of the report's top-level `output`",
        reached="cut, with the number of characters left out",
        why="Gradescope shows it whole, above every test")
    metadata_bytes: int = _entry(
        16 * 1024 * 1024, scope="file", constant="grader.gradescope:MAX_METADATA_BYTES", enforced="the Gradescope supervisor reads at most this much "
                                                 "of `submission_metadata.json`",
        reached="the report notes that the file was too large; nothing of it is used",
        why="the file lists earlier results: large, but never this large")


@_documented
@dataclass(frozen=True)
class Budgets:
    """The grader's own clocks around the sandbox's limits, and Gradescope's share of memory."""

    grace_seconds: float = _entry(
        2.0, scope="step", constant="grader.sandbox.execution:GRACE_SECONDS",
        enforced="the grader's deadline for the sandbox's own steps (start an item, stop a statement, resume)",
        reached="the session is given up; the next item starts a fresh one (the file is loaded again)",
        why="these steps take milliseconds; a busy machine may take a second")
    speed_stop_seconds: float = _entry(
        0.5, scope="call", constant="grader.checking.checks:SPEED_STOP_SECONDS",
        enforced="a speed check's timed call is stopped once it has run twice the time the check allows, or "
                 "this long if that is longer (never past `Limits.call_seconds`)",
        reached="the speed case fails (\"took more than ... s ... and was stopped\"); the report's status is not "
                "`timeout`, as no limit of the student's was reached",
        why="past what the check allows the verdict is known: a loop over the 100,000 examples waited out the "
            "call limit, twice when the item was graded again, ~8 s of a 0.2 s submission")
    reused_call_seconds: float = _entry(
        0.25, scope="call", constant="grader.checking.grading:REUSED_CALL_SECONDS",
        enforced="the deadline of each call of an item tried in the child the previous item left (never past "
                 "`Limits.call_seconds`; a speed check's call: what it may take and pass)",
        reached="nothing the student sees: the item is graded again in a fresh child, with the full call limit",
        why="only a clean pass is kept from a reused child, and the rubric's calls take milliseconds; a call "
            "that hangs spins here first (at 1 s, each hanging file of the benchmark's mixed class cost 4 s of CPU)")
    held_cpu_seconds: float = _entry(
        1.0, scope="process", constant="grader.sandbox.zygote:HELD_CPU_SECONDS",
        enforced="an item child that has used this much CPU is let go after its item; the next item gets a fresh one",
        reached="nothing the student sees: the next item runs in a fresh child from the loaded state",
        why="`Limits.cpu_seconds` counts from a process's fork, so items sharing one child would share that "
            "limit; the rubric's items take milliseconds")
    student_seconds: float = _entry(
        600.0, scope="student", constant="grader.batch.pool:DEFAULT_STUDENT_SECONDS", flags="`--student-seconds` (batch)",
        enforced="`batch` kills the worker grading the student (SIGKILL)",
        reached="the student's report says grading was stopped (status `timeout`)",
        why="a submission at every limit takes a few minutes; the batch goes on")
    worker_start_seconds: float = _entry(
        120.0, scope="worker", constant="grader.batch.pool:WORKER_START_SECONDS", enforced="`batch` stops when a worker has not started within this",
        reached="`batch` stops with one line (exit 2)",
        why="starting Python, NumPy and a zygote takes seconds even on a loaded machine")
    slot_wait_seconds: float = _entry(
        120.0, scope="session", constant="grader.sandbox.zygote:SLOT_WAIT_SECONDS",
        enforced="a zygote waits this long for a free numbered sandbox user",
        reached="the grader stops (\"all sandbox users are busy\")",
        why="a grading ends within minutes: wait rather than share a user")
    grading_seconds: float = _entry(
        420.0, scope="run", flags="`--budget` (python -m grader.gradescope)", env="LOGREG2_GRADING_SECONDS",
        enforced="the Gradescope supervisor kills the grading child (SIGKILL of its process group)",
        reached="a report scoring every item 0 that says grading did not finish",
        why="leaves room, within `total_seconds`, to write that report")
    total_seconds: float = _entry(
        540.0, scope="run", env="LOGREG2_TOTAL_SECONDS", constant="gradescope/run_autograder:LOGREG2_TOTAL_SECONDS",
        enforced="`timeout --kill-after=10` in `run_autograder`",
        reached="`run_autograder` writes the zip's fallback report (every item 0)",
        why="Gradescope's own limit is 600 s, after which the student sees no report at all")
    gradescope_memory_mb: int = _entry(
        384, scope="process", env="LOGREG2_MEMORY_MB",
        enforced="on Gradescope, `Limits.memory_mb` is at most this",
        reached="as `Limits.memory_mb`",
        why="Gradescope's container has 768 MB for the grader, the zygote and the student's processes")


CAPS = Caps()
BUDGETS = Budgets()


# --------------------------------------------------------------------------- environment


class ConfigError(ValueError):
    """A variable holds a value the grader cannot use; the message names it in one line."""


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(text)
    return value


def _megabytes(text: str) -> int:
    value = int(text)
    if value < 64:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class Variable:
    """One ``LOGREG2_*`` variable: ``parse`` and ``expected`` are set for those the Python side reads."""

    name: str
    default: str
    read_by: str
    meaning: str
    parse: Callable[[str], Any] | None = None
    expected: str = ""


VARIABLES: tuple[Variable, ...] = (
    Variable("LOGREG2_CALL_SECONDS", "the rubric's (4)", "grader/gradescope.py",
             "`Limits.call_seconds` on Gradescope", _seconds, "a number of seconds above 0"),
    Variable("LOGREG2_CELL_SECONDS", "the rubric's (10)", "grader/gradescope.py",
             "`Limits.cell_seconds` on Gradescope", _seconds, "a number of seconds above 0"),
    Variable("LOGREG2_MEMORY_MB", str(BUDGETS.gradescope_memory_mb), "grader/gradescope.py",
             "`Budgets.gradescope_memory_mb`: at most this `Limits.memory_mb` on Gradescope", _megabytes,
             "a whole number of MB, at least 64"),
    Variable("LOGREG2_GRADING_SECONDS", f"{BUDGETS.grading_seconds:g}", "grader/gradescope.py",
             "`Budgets.grading_seconds`", _seconds, "a number of seconds above 0"),
    Variable("LOGREG2_SANDBOX_USER", DEFAULT_SANDBOX_USER, "grader/sandbox/zygote.py, gradescope/setup.sh",
             "the sandbox user, and the prefix of the numbered ones (`lr2sandbox1..N`); one that does not "
             "exist falls back to `lr2sandbox`, then `nobody`", str, "a user name"),
    Variable("LOGREG2_TOTAL_SECONDS", f"{BUDGETS.total_seconds:g}", "gradescope/run_autograder",
             "`Budgets.total_seconds`"),
    Variable("LOGREG2_SOURCE", "$AUTOGRADER_ROOT/source", "gradescope/run_autograder", "the unpacked zip"),
    Variable("LOGREG2_PYTHON", "/opt/logreg2-venv/bin/python", "gradescope/run_autograder",
             "the Python that grades (tests point it at another venv)"),
    Variable("LOGREG2_SYSTEM_PYTHON", "/usr/bin/python3", "gradescope/setup.sh", "the Python the venv is made from"),
    Variable("LOGREG2_VENV", "/opt/logreg2-venv", "gradescope/setup.sh", "where setup.sh builds the venv"),
    Variable("LOGREG2_HYPOTHESIS_PROFILE", "ci", "tests/test_properties.py",
             "`thorough` draws more examples (`make test-properties`)"),
)
_BY_NAME = {v.name: v for v in VARIABLES}


def env_value(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The parsed value of one variable the Python side reads; None when unset or empty."""
    variable = _BY_NAME[name]
    assert variable.parse is not None, f"{name} is read by {variable.read_by}, not by Python"
    text = (os.environ if environ is None else environ).get(name, "").strip()
    if not text:
        return None
    try:
        return variable.parse(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} cannot be used: expected {variable.expected}") from None


@dataclass(frozen=True)
class Environment:
    """What the Python side's variables say; None means "not set: use the rubric's or the default"."""

    call_seconds: float | None
    cell_seconds: float | None
    memory_mb: int
    grading_seconds: float
    sandbox_user: str | None


def read_env(environ: Mapping[str, str] | None = None) -> Environment:
    """Every ``LOGREG2_*`` variable Python reads, checked at once; raises ``ConfigError`` on a bad value."""
    memory = env_value("LOGREG2_MEMORY_MB", environ)
    grading = env_value("LOGREG2_GRADING_SECONDS", environ)
    return Environment(
        call_seconds=env_value("LOGREG2_CALL_SECONDS", environ),
        cell_seconds=env_value("LOGREG2_CELL_SECONDS", environ),
        memory_mb=BUDGETS.gradescope_memory_mb if memory is None else memory,
        grading_seconds=BUDGETS.grading_seconds if grading is None else grading,
        sandbox_user=sandbox_user(environ),
    )


def sandbox_user(environ: Mapping[str, str] | None = None) -> str | None:
    """``LOGREG2_SANDBOX_USER``, read when a zygote looks for its user (tests set it at run time)."""
    return env_value("LOGREG2_SANDBOX_USER", environ)


# --------------------------------------------------------------------------- the README's table


def documented_fields() -> list[tuple[str, dataclasses.Field]]:
    """Every field of the three classes, named as the table names them (``Limits.cell_seconds``)."""
    return [(f"{cls.__name__}.{f.name}", f) for cls in (Limits, Caps, Budgets) for f in dataclasses.fields(cls)]


def _shown(name: str, value: Any) -> str:
    """A default with its unit, from the field's name."""
    if name.endswith("_seconds"):
        return f"{value:g} s"
    if name.endswith("_bytes"):
        return f"{value // (1024 * 1024):,} MB"
    if name.endswith("_mb"):
        return f"{value:,} MB"
    if name.endswith("_kb"):
        return f"{value:,} KB"
    if name.endswith("_chars"):
        return f"{value:,} characters"
    return f"{value:,}"


def _set_with(f: dataclasses.Field) -> str:
    ways = [f"rubric `limits.{f.name}`"] if f.metadata["rubric"] else []
    ways += [f.metadata["flags"]] if f.metadata["flags"] else []
    ways += [f"`{f.metadata['env']}`"] if f.metadata["env"] else []
    return "; ".join(ways) or "fixed"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The README's table of limits, caps and variables, generated from this module."""
    lines = ["| limit | default | scope | enforced by | when reached | set with |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, f in documented_fields():
        row = (f"`{name}`", _shown(f.name, f.default), f"per {f.metadata['scope']}", f.metadata["enforced"],
               f.metadata["reached"], _set_with(f))
        lines.append("| " + " | ".join(_cell(part) for part in row) + " |")
    lines += ["", "| variable | default | read by | meaning |", "| --- | --- | --- | --- |"]
    for v in VARIABLES:
        row = (f"`{v.name}`", f"`{v.default}`" if v.default.startswith(("/", "$")) else v.default, v.read_by, v.meaning)
        lines.append("| " + " | ".join(_cell(part) for part in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.limits", description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the README's table of limits and variables")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
        return 0
    for name, f in documented_fields():
        print(f"{name:<34} {_shown(f.name, f.default):>20}  per {f.metadata['scope']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
