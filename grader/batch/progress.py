"""Progress of a batch on standard error: a bar on a terminal, one plain line per student otherwise.

The bar shows done/total, the rate, the time left and how many students had a
problem so far (a load error, a timeout, a grader error); it redraws at most a
few times a second.  Off a terminal (CI logs, ``nohup``, Slurm output files) a
redrawn bar is noise, so each finished student gets one line instead.  Student
names and statuses show their control characters as ``\\xNN``: a folder name
cannot move the cursor, retitle the window or write the TA's clipboard.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from grader.reporting.escaping import terminal_text, unescaped

BAR_WIDTH = 28
REDRAW_SECONDS = 0.2


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts finished students and shows it; ``tty`` defaults to whether ``stream`` is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None, skipped: int = 0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.total = total
        self.skipped = skipped
        self.done = 0
        self.problems = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 and self.done else 0.0

    def finished(self, student: str, status: str, score: float, max_score: float, seconds: float) -> None:
        """One student is done (graded or not)."""
        self.done += 1
        student, status = terminal_text(student), terminal_text(status)
        if status != "graded":
            self.problems += 1
        if self.tty:
            if status != "graded":
                self._clear()
                self.stream.write(f"  {student}: {status}\n")
            self.draw(force=self.done == self.total)
        else:
            width = len(str(self.total))
            self.stream.write(f"[{self.done:>{width}}/{self.total}] {student}: {score:g}/{max_score:g} {status}"
                              f" ({seconds:.1f} s)\n")
            self.stream.flush()

    def line(self) -> str:
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 else None
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        eta = _clock(left) if left is not None else "?"
        return (f"[{bar}] {self.done}/{self.total}  {rate:.1f}/s  ETA {eta}  "
                f"problems {self.problems}")

    def draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._drawn < REDRAW_SECONDS:
            return
        self._drawn = now
        text = self.line()
        unescaped(self.stream).write("\r" + text + " " * max(0, self._width - len(text)))
        self._width = len(text)
        self.stream.flush()

    def _clear(self) -> None:
        if self._width:
            unescaped(self.stream).write("\r" + " " * self._width + "\r")
            self._width = 0

    def close(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
        elapsed = time.monotonic() - self.started
        skipped = f", {self.skipped} unchanged and skipped" if self.skipped else ""
        self.stream.write(f"graded {self.done} in {_clock(elapsed)} ({self.rate():.1f}/s), "
                          f"{self.problems} with problems{skipped}\n")
        self.stream.flush()
