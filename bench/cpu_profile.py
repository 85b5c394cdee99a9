"""Where one submission's CPU goes, on both sides of the sandbox.

    .venv/bin/python bench/cpu_profile.py [--count 30] [--top 25] [--sort tottime] [--no-cprofile] [--round-trips 1000]

Grades COUNT copies of the correct example (each with its own bytes) in this
process with one zygote, as a batch worker does, and prints:

- the grader side: ``cProfile`` around ``grading.grade``, top functions;
- the sandbox side: CPU of every session (each live process under the zygote,
  with the loading workers and item children it waited for, read from
  ``/proc/<pid>/stat`` just before the session is swept) and of the zygote
  itself (its forks and sweeps);
- the cost of one reference stand-in call (a stub's round trip to the grader),
  which a correct ``gradients_loop`` makes about a thousand times.  These are
  re-parented to a subreaper that ignores SIGCHLD, so this process's
  ``RUSAGE_CHILDREN`` never sees them.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as `python -m grader` and the batch workers: idle BLAS threads spin

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORRECT = ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
TICK = os.sysconf("SC_CLK_TCK")


def tree_seconds(pid: int) -> float:
    """User plus system CPU of ``pid`` and of the children it has waited for."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / TICK  # utime stime cutime cstime


def descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found.extend(kids)
            stack.extend(kids)
    return found


class SandboxClock:
    """Adds up each session's CPU just before it is swept, by wrapping ``Session.close``: every live
    process under the zygote (the loading chain, the mainline) with the children it waited for.

    A lower bound, about half the whole: the first mainline exits once loading has checkpointed and
    the zygote (ignoring SIGCHLD) reaps it unaccounted, and no process's exit is counted.  Sampled
    system-wide (``perf record -a`` around a batch of 100 correct files, 2026-12-01) a correct
    submission's sandbox side took ~64 ms: item child ~41, mainline ~13, loading worker ~9."""

    def __init__(self) -> None:
        from grader.sandbox import zygote

        self.seconds = 0.0
        self.sessions = 0
        original = zygote.Session.close
        clock = self

        def close(session: zygote.Session) -> None:
            if session.open and session.zygote._proc is not None:
                clock.seconds += sum(tree_seconds(p) for p in descendants(session.zygote._proc.pid))
                clock.sessions += 1
            original(session)

        zygote.Session.close = close  # type: ignore[method-assign]


def round_trips(count: int) -> None:
    """The cost of one reference stand-in call: a function that calls a stub ``count`` times, in one item."""
    import numpy as np

    from grader.sandbox import execution
    from grader.limits import Limits
    from grader.sandbox.zygote import Zygote, make_scratch
    from grader.submission.cell import Cell

    source = "def f(n, z):\n    for _ in range(n):\n        sigmoid(z)\n    return 1.0\n"
    with Zygote() as zygote:
        assert zygote._proc is not None
        session = zygote.spawn(make_scratch(), Limits(call_seconds=60))
        try:
            execution.load(session, [Cell(source, "f.py", "cell 1")], "logreg2", "f.py")
            for n in (count, count):
                sandbox = sum(tree_seconds(p) for p in descendants(zygote._proc.pid))
                wall, cpu = time.perf_counter(), time.process_time()
                execution.run_item(session, [execution.Call("f", (n, np.float64(0.3)), ("sigmoid",))],
                                   lambda name, args, kwargs: np.float64(0.5))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                sandbox = sum(tree_seconds(p) for p in descendants(zygote._proc.pid)) - sandbox
                print(f"{n} stand-in round trips in one item: {wall / n * 1e6:.0f} us wall, {cpu / n * 1e6:.0f} us "
                      f"grader CPU, {sandbox / n * 1e6:.0f} us sandbox CPU each (load average {os.getloadavg()[0]:.2f})")
        finally:
            session.close()


def _copy(source: Path, i: int) -> str:
    """The source with bytes of its own (so its inputs differ), still a valid file of its kind."""
    if source.suffix != ".ipynb":
        return f"# {i}\n" + source.read_text()
    import json

    notebook = json.loads(source.read_text())
    notebook.setdefault("metadata", {})["copy"] = i
    return json.dumps(notebook)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--round-trips", type=int, default=1000, help="also time this many stand-in calls (0: skip)")
    parser.add_argument("--no-cprofile", action="store_true", help="CPU figures only, without cProfile's overhead")
    parser.add_argument("--source", type=Path, default=CORRECT, help="the submission to copy (default: correct.py)")
    args = parser.parse_args()

    import grader.checking.grading as grading
    from grader.rubric import load_rubric
    from grader.sandbox.zygote import Zygote
    from grader.submission.locate import read_submission

    if args.round_trips:
        round_trips(args.round_trips)
    rubric = load_rubric("logreg2")
    limits = grading.limits_for(rubric)
    clock = SandboxClock()
    with tempfile.TemporaryDirectory(prefix="lr2-profile-") as tmp:
        os.chmod(tmp, 0o755)
        paths = []
        for i in range(args.count + 1):
            path = Path(tmp) / f"s{i}{args.source.suffix}"
            path.write_text(_copy(args.source, i))
            path.chmod(0o644)
            paths.append(path)
        with Zygote() as zygote:
            assert zygote._proc is not None
            grading.grade(read_submission(paths[0]), rubric, zygote, limits)  # warm-up
            clock.seconds, clock.sessions = 0.0, 0
            zygote_before = tree_seconds(zygote._proc.pid)
            profiler = cProfile.Profile(time.process_time)  # CPU, not the wall time spent waiting for the child
            wall, cpu = time.perf_counter(), time.process_time()
            if not args.no_cprofile:
                profiler.enable()
            for path in paths[1:]:
                grading.grade(read_submission(path), rubric, zygote, limits)
            profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            zygote_cpu = tree_seconds(zygote._proc.pid) - zygote_before
    n = args.count
    print(f"{n} correct submissions, 1 job, load average {os.getloadavg()[0]:.2f}")
    print(f"  wall per submission:            {wall / n * 1000:7.1f} ms")
    overhead = "" if args.no_cprofile else " (profiled: cProfile adds overhead)"
    print(f"  grader CPU per submission:      {cpu / n * 1000:7.1f} ms{overhead}")
    print(f"  sandbox CPU per submission:  >= {clock.seconds / n * 1000:7.1f} ms over {clock.sessions} sessions "
          "(mainline + waited-for workers and item children)")
    print(f"  zygote CPU per submission:      {zygote_cpu / n * 1000:7.1f} ms (forks, sweeps)")
    if not args.no_cprofile:
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
