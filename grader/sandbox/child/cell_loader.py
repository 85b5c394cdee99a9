"""The sandbox side: run a submission's cells top-level statement by top-level statement.

Loaded by path inside the sandbox (a sibling of ``runner.py``); imports only the
standard library and its siblings.

The loading rules are the contract's: a notebook runs cell by cell as "Restart
and Run All" would, and a statement that raises ends its cell (mode ``cell``);
a ``.py`` is one cell whose top-level statements each count on their own (mode
``statements``: loading goes on with the next statement).  Either way, what ran
before a failure stays defined, and a statement that hangs, exits or crashes
costs only itself.

How: statements run in a forked *worker* while the process that forked it (the
*mainline*) keeps the state from before.  The worker becomes the new mainline
(a checkpoint) once it has worked ``CHECKPOINT_SECONDS`` since its own start,
and at the end, so an ordinary file costs one fork.  A worker that dies, or is
killed by the grader, at statement *k* reports nothing more; its mainline knows
*k* from the pipe between them, replays the statements from its checkpoint up to
*k* (they completed once, within ``CHECKPOINT_SECONDS``), skips *k* (and in a
notebook the rest of its cell) and goes on.  Nothing of the source is cut.
"""

from __future__ import annotations

import __future__
import ast
import os
import struct
import sys
import time
from typing import Any, Callable

from student_namespace import StudentNamespace, describe_error

CHECKPOINT_SECONDS = 0.25
_RECORD = struct.Struct("<ii")  # the position a worker is about to run; (-1, -1) = checkpoint
_CHECKPOINT = _RECORD.pack(-1, -1)
_FUTURE_FLAGS = {name: getattr(__future__, name).compiler_flag for name in __future__.all_feature_names}

Position = tuple[int, int]


def flush_output() -> None:
    """Push out what student code printed: ``os._exit`` would drop Python's buffers."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 (student code may have replaced or closed the stream)
            pass


def describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


def wait_for_adoption(parent: int) -> None:
    """Carry on only once the previous mainline has exited and the zygote adopted us, so a
    sweep that keeps "the mainline and its ancestors" never meets a half-gone parent."""
    give_up = time.monotonic() + 5.0
    while os.getppid() == parent and time.monotonic() < give_up:
        time.sleep(0.0005)


class _Source:
    """The cells, parsed on first use; statements compiled with the ``__future__`` flags seen so far."""

    def __init__(self, cells: list[dict[str, Any]]) -> None:
        self.cells = cells
        self._parsed: dict[int, list[ast.stmt] | BaseException] = {}
        self.flags = 0

    def statements(self, index: int) -> list[ast.stmt] | BaseException:
        if index not in self._parsed:
            cell = self.cells[index]
            try:
                self._parsed[index] = ast.parse(cell["source"], cell["filename"]).body
            except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
                self._parsed[index] = exc
        return self._parsed[index]

    def count(self, index: int) -> int:
        parsed = self.statements(index)
        return 1 if isinstance(parsed, BaseException) else len(parsed)

    def first(self, index: int) -> Position | None:
        """The first runnable position at or after cell ``index``."""
        while index < len(self.cells):
            if self.count(index):
                return index, 0
            index += 1
        return None

    def after(self, position: Position, failed: bool) -> Position | None:
        """Where loading goes on: a failure in a notebook cell ends the cell."""
        index, statement = position
        if failed and self.cells[index].get("mode") != "statements" or statement + 1 >= self.count(index):
            return self.first(index + 1)
        return index, statement + 1

    def line(self, position: Position) -> int | None:
        parsed = self.statements(position[0])
        if isinstance(parsed, SyntaxError):
            return parsed.lineno
        return None if isinstance(parsed, BaseException) else parsed[position[1]].lineno

    def run(self, position: Position, namespace: dict[str, Any]) -> dict[str, Any] | None:
        """Run one statement; the error it raised, as plain data, or None."""
        index, statement = position
        cell, parsed = self.cells[index], self.statements(index)
        try:
            if isinstance(parsed, BaseException):
                raise parsed
            node = parsed[statement]
            code = compile(ast.Module(body=[node], type_ignores=[]), cell["filename"], "exec",
                           flags=self.flags, dont_inherit=True)
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                self.flags |= sum(_FUTURE_FLAGS.get(alias.name, 0) for alias in node.names)
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 (SystemExit and KeyboardInterrupt are the student's too)
            return describe_error(exc, cell["filename"])
        return None


class _Loader:
    def __init__(self, channel: Any, cells: list[dict[str, Any]], student: StudentNamespace,
                 fork: Callable[[], int]) -> None:
        self.channel, self.student, self.fork = channel, student, fork
        self.source = _Source(cells)

    def run(self) -> None:
        """Mainline loop: fork a worker per segment until every statement has run or been skipped."""
        start = self.source.first(0)
        failed: set[Position] = set()  # statements that killed their worker: skipped on a replay
        halt = False
        while start is not None:
            read_end, write_end = os.pipe()
            mainline = os.getpid()
            pid = self.fork()
            if pid == 0:
                os.close(read_end)
                os.setsid()
                self.channel.send({"op": "segment", "pid": os.getpid()})
                reached = self._segment(start, failed, write_end)
                if reached in failed:
                    reached = None if halt else self.source.after(reached, failed=True)
                os.write(write_end, _CHECKPOINT)  # this worker is the mainline from here on
                os.close(write_end)
                wait_for_adoption(mainline)
                start = reached
                continue
            os.close(write_end)
            last, checkpointed = _watch(read_end)
            os.close(read_end)
            if checkpointed:
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            dead = last if last is not None else start
            self.channel.send({"op": "cell_end", "index": dead[0], "line": self.source.line(dead),
                               "status": describe_status(status)})
            reply = self.channel.recv()  # a sweep of what the dead worker left must end before the next fork
            if reply.get("op") != "resume":
                os._exit(0)
            halt = halt or bool(reply.get("stop"))
            failed.add(dead)
            if dead == start:
                start = None if halt else self.source.after(dead, failed=True)
        self._finish()

    def _segment(self, start: Position, failed: set[Position], pipe: int) -> Position | None:
        """Run statements from ``start``; the position to go on from at the checkpoint, None at the end."""
        began = time.monotonic()
        position: Position | None = start
        while position is not None:
            if position in failed or (position != start and time.monotonic() - began > CHECKPOINT_SECONDS):
                return position
            os.write(pipe, _RECORD.pack(*position))
            self.channel.send({"op": "stmt", "index": position[0], "line": self.source.line(position)})
            error = self.source.run(position, self.student.globals)
            flush_output()  # what a statement printed is kept even if a later one is killed
            if error is not None:
                self.channel.send({"op": "raised", "index": position[0], "error": error})
            position = self.source.after(position, failed=error is not None)
        return None

    def _finish(self) -> None:
        names = self.student.globals
        self.channel.send({
            "op": "loaded", "pid": os.getpid(),
            "defined": sorted(k for k, v in list(names.items()) if callable(v) and not k.startswith("__")),
            "neutralised": list(self.student.shell.neutralised),
            "missing_modules": self.student.missing_modules,
        })


def _watch(read_end: int) -> tuple[Position | None, bool]:
    """Follow a worker's progress: the last position it started, and whether it checkpointed."""
    pending, last = b"", None
    while True:
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return last, False
        pending += chunk
        usable = len(pending) - len(pending) % _RECORD.size
        for offset in range(0, usable, _RECORD.size):
            record = pending[offset:offset + _RECORD.size]
            if record == _CHECKPOINT:
                return last, True
            last = _RECORD.unpack(record)
        pending = pending[usable:]


def load_cells(channel: Any, cells: list[dict[str, Any]], student: StudentNamespace, fork: Callable[[], int]) -> None:
    """Run every cell; returns in the process that is the mainline once loading is over."""
    _Loader(channel, cells, student, fork).run()
