"""The sandbox's own promises: sweeps leave nothing, timeouts keep the session, limits hold.

These drive sessions directly (``Zygote.spawn`` plus ``execution.load`` and
``execution.run_item``) with tiny programs, where tests/test_attacks.py grades
whole hostile submissions.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import execution

from grader.sandbox.child import control, protocol
from grader.sandbox.execution import Call
from grader.submission.cell import Cell
from grader.checking.grading import grade_path, limits_for
from grader.rubric import Rubric
from grader.limits import Limits
from grader.sandbox.zygote import Session, Zygote, make_scratch, sandbox_identity

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORRECT = PROJECT_ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
FORK_BOMB = Path(__file__).with_name("attacks") / "fork_bomb.py"
LIMITS = Limits(call_seconds=1.0, cell_seconds=2.0)


def _no_callbacks(name: str, args: list, kwargs: dict) -> None:
    raise AssertionError("no callee is stubbed here")


@pytest.fixture
def marker() -> str:
    return "lr2s" + uuid.uuid4().hex[:8]


@pytest.fixture
def session(shared_zygote: Zygote) -> Iterator[Session]:
    opened = shared_zygote.spawn(make_scratch(), LIMITS)
    yield opened
    opened.close()


def load(session: Session, *sources: str) -> execution.LoadResult:
    cells = [Cell(source, "cell.py", f"cell {i}") for i, source in enumerate(sources)]
    return execution.load(session, cells, "logreg2", "cell.py")


def tagged(marker: str) -> list[int]:
    """Live (non-zombie) processes whose name or command line carries ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                text = f.read()
            with open(f"/proc/{pid}/comm", "rb") as f:
                text += f.read()
        except (OSError, IndexError):
            continue
        if marker.encode() in text:
            found.append(int(pid))
    return found


def descendants(pid: int) -> list[int]:
    """Live (non-zombie) descendants of ``pid``."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                found += [kid for kid in kids if not _zombie(kid)]
                stack += kids
        except OSError:
            continue
    return found


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def daemon_source(marker: str) -> str:
    """A cell that leaves a double-forked, setsid, exec'd sleeper named after ``marker``."""
    return f"""
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
    os._exit(0)
"""


def wait_until(condition, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_what_the_cells_started_is_swept_before_any_item(session: Session, marker: str) -> None:
    result = load(session, daemon_source(marker))
    assert result.problems == [] and result.fatal is None
    assert tagged(marker) == []
    assert wait_until(lambda: descendants(session.zygote._proc.pid) == [session.mainline])


def test_close_kills_everything_and_removes_an_unreadable_scratch(session: Session, marker: str) -> None:
    load(session, "import os\nos.makedirs('deep/er')\nopen('deep/er/x', 'w').write('x')\n"
                  "os.chmod('deep/er', 0)\nos.chmod('deep', 0)\n"
                  f"def spawn():\n    exec({daemon_source(marker)!r})\n    import time\n    time.sleep(600)\n")
    outcomes = execution.run_item(session, [Call("spawn", ())], _no_callbacks)
    assert [o.status for o in outcomes] == ["timeout"]
    session.close()
    assert tagged(marker) == []
    assert descendants(session.zygote._proc.pid) == []
    assert not session.scratch.exists()


def test_a_sweep_after_each_item_kills_what_the_item_left(session: Session, marker: str) -> None:
    load(session, f"def spawn():\n    exec({daemon_source(marker)!r})\n    return 1.0\n")
    outcomes = execution.run_item(session, [Call("spawn", ())], _no_callbacks)
    assert [o.status for o in outcomes] == ["ok"]
    assert tagged(marker) == []
    assert session.alive


def test_a_call_timeout_keeps_the_mainline_and_later_items_run(session: Session) -> None:
    load(session, "import time\ndef slow():\n    time.sleep(600)\ndef fast(x):\n    return 2.0 * x\n")
    mainline = session.mainline
    started = time.monotonic()
    outcomes = execution.run_item(session, [Call("slow", ()), Call("fast", (1.0,))], _no_callbacks)
    assert [o.status for o in outcomes] == ["timeout", "not_run"]
    assert time.monotonic() - started < LIMITS.call_seconds + 1.0
    assert session.alive and session.mainline == mainline
    assert wait_until(lambda: descendants(session.zygote._proc.pid) == [mainline])
    assert [o.value for o in execution.run_item(session, [Call("fast", (3.0,))], _no_callbacks)] == [6.0]


CHANNEL_HELPERS = """
import os, struct, sys, time
def channel():
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                return int(name)
        except OSError:
            pass
def fast(x):
    return 2.0 * x
"""


def test_a_child_killed_halfway_through_a_frame_does_not_desynchronise_the_session(session: Session) -> None:
    """The item child announces a 100-byte frame, sends one byte and hangs: the grader must
    skip the torn frame after the kill, and the next item runs in the same session."""
    load(session, CHANNEL_HELPERS + "def torn():\n    os.write(channel(), struct.pack('>II', 100, 0) + b'{')\n"
                                    "    time.sleep(600)\n")
    assert [o.status for o in execution.run_item(session, [Call("torn", ())], _no_callbacks)] == ["timeout"]
    assert session.alive
    assert execution.run_item(session, [Call("fast", (2.0,))], _no_callbacks)[0].value == 4.0


def test_a_reply_the_killed_child_never_read_does_not_reach_the_next_item(session: Session) -> None:
    """The child asks for a callee and hangs without reading the 8 MB answer: the rest of it
    must not be taken for the next item's request."""
    proto = "sys.modules['protocol']"
    load(session, CHANNEL_HELPERS + f"def greedy():\n    os.write(channel(), {proto}.encode("
                                    "{'op': 'callback', 'fn': 'big', 'args': [], 'kwargs': {}}))\n"
                                    "    time.sleep(600)\n")
    outcomes = execution.run_item(session, [Call("greedy", (), stubs=("big",))], lambda name, args, kwargs: np.zeros(10**6))
    assert [o.status for o in outcomes] == ["timeout"]
    assert session.alive
    assert execution.run_item(session, [Call("fast", (3.0,))], _no_callbacks)[0].value == 6.0


def test_a_call_that_exits_ends_its_item_at_once(session: Session) -> None:
    load(session, "import os\ndef bye():\n    os._exit(0)\ndef fast(x):\n    return x\n")
    started = time.monotonic()
    outcomes = execution.run_item(session, [Call("bye", ()), Call("fast", (1.0,))], _no_callbacks)
    assert [o.status for o in outcomes] == ["died", "not_run"]
    assert time.monotonic() - started < 0.5 * LIMITS.call_seconds
    assert execution.run_item(session, [Call("fast", (5.0,))], _no_callbacks)[0].value == 5.0


def test_many_cells_leave_one_process_and_few_descriptors(session: Session) -> None:
    """Each cell runs in a forked worker that carries on as the mainline: nothing may pile up.

    The mainline is not dumpable, so only root may list its /proc/PID/fd from outside; an
    item's child, forked from it with its descriptors, counts them from inside (less the
    one ``listdir`` opens)."""
    count = "import os\ndef open_descriptors():\n    return float(len(os.listdir('/proc/self/fd')) - 1)\n"
    result = load(session, *[f"x{i} = {i}" for i in range(150)], count)
    assert result.fatal is None and result.problems == []
    assert wait_until(lambda: descendants(session.zygote._proc.pid) == [session.mainline])
    outcomes = execution.run_item(session, [Call("open_descriptors", ())], _no_callbacks)
    assert outcomes[0].status == "ok" and outcomes[0].value < 10, outcomes[0]


@pytest.mark.skipif(sandbox_identity() is None, reason="needs root and a sandbox user (RLIMIT_NPROC is per user)")
def test_the_process_limit_holds_for_the_sandbox_user(session: Session) -> None:
    load(session, "import os, time\ndef forks():\n    n = 0\n    try:\n        while True:\n"
                  "            if os.fork() == 0:\n                time.sleep(60)\n            n += 1\n"
                  "    except OSError:\n        return float(n)\n")
    outcomes = execution.run_item(session, [Call("forks", ())], _no_callbacks)
    assert outcomes[0].status == "ok" and outcomes[0].value < LIMITS.processes


@pytest.mark.skipif(sandbox_identity() is None, reason="needs root and a sandbox user (RLIMIT_NPROC is per user)")
def test_a_fork_bomb_does_not_starve_another_submission(logreg2_rubric: Rubric, tmp_path: Path) -> None:
    """Sessions of concurrent graders share the sandbox user's process limit: the victim's
    forks wait until the bomb is swept instead of failing."""
    bomb = tmp_path / "fork_bomb.py"
    bomb.write_text(FORK_BOMB.read_text().replace("@MARKER@", "lr2bomb"))
    limits = limits_for(logreg2_rubric, {"call_seconds": 2.0, "cell_seconds": 3.0})
    scores: dict[str, float] = {}

    def grade(path: Path) -> None:
        with Zygote() as zygote:
            scores[path.name] = grade_path(path, logreg2_rubric, zygote, limits).score

    bomber = threading.Thread(target=grade, args=(bomb,))
    bomber.start()
    time.sleep(0.3)
    grade(CORRECT)
    bomber.join()
    assert scores == {"fork_bomb.py": 95.0, "correct.py": 100.0}


def test_a_killed_zygote_is_replaced(logreg2_rubric: Rubric) -> None:
    zygote = Zygote()
    zygote.start()
    try:
        assert zygote._proc is not None
        os.kill(zygote._proc.pid, signal.SIGKILL)
        zygote._proc.wait()
        result = grade_path(CORRECT, logreg2_rubric, zygote, limits_for(logreg2_rubric))
        assert result.score == 100
    finally:
        zygote.close()


def test_one_session_at_a_time(shared_zygote: Zygote, session: Session) -> None:
    with pytest.raises(RuntimeError):
        shared_zygote.spawn(make_scratch(), LIMITS)


def test_when_the_grader_dies_the_zygote_sweeps_the_submission(tmp_path: Path, marker: str) -> None:
    """SIGKILL of the grader closes the zygote's control socket; the zygote then kills everything."""
    script = f"""
import sys, time
from grader.sandbox import execution
from grader.limits import Limits
from grader.sandbox.zygote import Zygote, make_scratch
zygote = Zygote()
zygote.start()
session = zygote.spawn(make_scratch(), Limits(cell_seconds=600))
cells = [execution.Cell({daemon_source(marker)!r}, "a.py", "a"), execution.Cell("import time; time.sleep(600)", "b.py", "b")]
print("ready", flush=True)
execution.load(session, cells, "logreg2", "a.py")
"""
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert grader.stdout is not None and grader.stdout.readline().strip() == "ready"
        assert wait_until(lambda: tagged(marker) != []), "the daemon never started"
    finally:
        grader.kill()
        grader.wait()
    assert wait_until(lambda: tagged(marker) == []), f"left running: {tagged(marker)}"


def test_hostile_frames_raise_protocol_errors_only() -> None:
    frames = [
        {"__dict__": [["op", "result"], ["value", {"__scalar__": "|i1", "v": 100000}]]},
        {"__dict__": [["op", "result"], ["value", {"__scalar__": "<u8", "v": -1}]]},
        {"__dict__": [["op", "result"], ["value", {"__nd__": 0, "dtype": "<f8", "shape": [2**40, 2**40, 0]}]]},
        {"__dict__": [["op", "result"], ["value", {"__nd__": 0, "dtype": "|O", "shape": [1]}]]},
        {"__dict__": [["op", "result"], ["value", {"__float__": "-nan"}]]},
    ]
    for frame in frames:
        with pytest.raises(protocol.ProtocolError):
            protocol.decode(json.dumps(frame).encode(), [b""])


def test_the_control_channel_keeps_each_message_whole() -> None:
    """Several messages in a row, one larger than a stream read, arrive one per receive, with their descriptors."""
    ours, theirs = control.pair()
    read_end, write_end = os.pipe()
    try:
        big = {"op": "spawn", "pad": "x" * 300_000}
        control.send(ours, {"op": "sweep", "keep": None})
        control.send(ours, big, [write_end])
        control.send(ours, {"op": "sweep", "keep": 7})
        assert control.receive(theirs) == ({"op": "sweep", "keep": None}, [])
        message, fds = control.receive(theirs)
        assert message == big and len(fds) == 1
        os.write(fds[0], b"through")
        os.close(fds[0])
        assert os.read(read_end, 16) == b"through"
        assert control.receive(theirs) == ({"op": "sweep", "keep": 7}, [])
    finally:
        for fd in (read_end, write_end):
            os.close(fd)
        ours.close()
        theirs.close()


def test_a_control_message_too_large_to_read_whole_is_refused_not_cut() -> None:
    ours, theirs = control.pair()
    try:
        ours.send(b"{" + b" " * control.MAX_MESSAGE_BYTES + b"}")
        with pytest.raises(control.ControlError):
            control.receive(theirs)
        control.send(ours, {"op": "after"})
        assert control.receive(theirs) == ({"op": "after"}, [])
        ours.close()
        with pytest.raises(control.ControlError):
            control.receive(theirs)
    finally:
        theirs.close()


def test_the_zygote_answers_large_and_queued_commands_in_order(shared_zygote: Zygote) -> None:
    """A command larger than a stream read, then three queued before any answer is read."""
    assert shared_zygote._request({"op": "sweep", "keep": None, "pad": "x" * 200_000}) == {"killed": 0}
    assert shared_zygote._control is not None
    for _ in range(3):
        control.send(shared_zygote._control, {"op": "sweep", "keep": None})
    assert [shared_zygote._reply() for _ in range(3)] == [{"killed": 0}] * 3
    session = shared_zygote.spawn(make_scratch(), LIMITS)
    try:
        assert load(session, "x = 1").fatal is None
    finally:
        session.close()


def test_only_an_item_that_leaves_a_process_behind_costs_a_sweep(session: Session, marker: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """After an item, the zygote is asked to sweep only when /proc shows something beside the mainline
    and the item child it holds; what an item leaves is still killed before the next one runs, and
    that child is not given another item."""
    load(session, f"def calm():\n    return 1.0\n\ndef leaves():\n    exec({daemon_source(marker)!r})\n    return 1.0\n")
    sweeps: list[int | None] = []
    original = session.zygote.sweep
    monkeypatch.setattr(session.zygote, "sweep", lambda keep=None: sweeps.append(keep) or original(keep))
    assert [o.status for o in execution.run_item(session, [Call("calm", ())], _no_callbacks)] == ["ok"]
    assert sweeps == []
    assert [o.status for o in execution.run_item(session, [Call("leaves", ())], _no_callbacks)] == ["ok"]
    held = session.held
    assert held is not None and sweeps == [held] and not session.reusable()
    assert tagged(marker) == []
    assert wait_until(lambda: sorted(descendants(session.zygote._proc.pid)) == sorted([session.mainline, held]))
    execution.release(session)
    assert wait_until(lambda: descendants(session.zygote._proc.pid) == [session.mainline])


def test_a_zygote_launched_then_closed_unused_leaves_nothing_and_says_nothing(capfd) -> None:
    """``grade`` launches the zygote before it reads the rubric; an unknown assignment then closes it
    while it still imports: no process may outlive that, and nothing may reach the TA's terminal."""
    zygote = Zygote()
    zygote.launch()
    proc = zygote._proc
    assert proc is not None
    started = time.monotonic()
    zygote.close()
    assert proc.poll() is not None and time.monotonic() - started < 2
    assert capfd.readouterr().err == ""


def test_a_launched_zygote_serves_sessions_once_started() -> None:
    zygote = Zygote()
    zygote.launch()
    try:
        session = zygote.spawn(make_scratch(), Limits())  # spawn waits for the zygote itself
        session.close()
        zygote.start()  # and a second start is a no-op
    finally:
        zygote.close()


def test_a_held_item_child_serves_the_next_item_until_it_changes_something(session: Session) -> None:
    load(session, "import os\n\nCOUNT = 0\n\ndef pid():\n    return float(os.getpid())\n\n"
                  "def bump():\n    global COUNT\n    COUNT += 1\n    return float(COUNT)\n")
    first = execution.run_item(session, [Call("pid", ())], _no_callbacks)[0].value
    assert session.held == int(first) and session.reusable()
    again = execution.run_item(session, [Call("pid", ())], _no_callbacks, reuse=True)[0].value
    assert again == first  # the same child
    assert execution.run_item(session, [Call("bump", ())], _no_callbacks, reuse=True)[0].value == 1.0
    assert not session.reusable()  # COUNT was rebound
    fresh = execution.run_item(session, [Call("pid", ())], _no_callbacks)[0].value
    assert fresh != first  # without reuse: a new child from the loaded state
    assert execution.run_item(session, [Call("bump", ())], _no_callbacks)[0].value == 1.0


def test_a_held_child_that_died_waiting_gives_way_to_a_fresh_one(session: Session) -> None:
    """A held child killed while it waits (an alarm the student set) must not cost the next item."""
    load(session, "import os, signal\n\ndef arm():\n    signal.setitimer(signal.ITIMER_REAL, 0.2)\n    return 1.0\n\n"
                  "def pid():\n    return float(os.getpid())\n")
    assert execution.run_item(session, [Call("arm", ())], _no_callbacks)[0].status == "ok"
    held = session.held
    assert held is not None and wait_until(lambda: not os.path.exists(f"/proc/{held}") or _is_zombie(held))
    outcome = execution.run_item(session, [Call("pid", ())], _no_callbacks, reuse=True)[0]
    assert outcome.status == "ok" and outcome.value != float(held)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
