"""Hostile submissions (tests/attacks/) are graded, contained and cleaned up.

Every attack is a real submission: the correct example plus one attack, with
``@...@`` placeholders this module fills in (a marker, and paths outside the
sandbox the payload aims at, all writable by anyone so that only the sandbox can
stop it).  For each one the test asserts what the security issue lists: grading
ends within a stated bound, the report is valid, no undeserved points, no
forged file taken for a result, no process of the submission left alive,
nothing written outside the scratch folder, and no reference source or rubric
internals in the report.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.checking import grading
from grader.sandbox.execution import GRACE_SECONDS
from grader.checking.grading import GradeResult, grade_path, limits_for
from grader.reporting.report import build_report, validate
from grader.rubric import Rubric
from grader.limits import Limits
from grader.limits import DEFAULT_SANDBOX_USER
from grader.sandbox.zygote import Zygote, sandbox_identity, sandbox_pool

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ATTACKS = Path(__file__).with_name("attacks")
CORRECT = PROJECT_ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
LIMITS = {"call_seconds": 2.0, "cell_seconds": 2.5}
BASE_SECONDS = 10.0  # a whole grading on a busy 2-core machine, with room to spare
SCRATCH_MB = Limits().scratch_mb
# Distinctive lines of the reference solution and keys of the rubric: none may reach a student.
REFERENCE_TEXT = ("Written with e^(-|z|), which lies in (0, 1]", "_CLIP = 1e-15", "Kept deliberately unvectorized",
                  "dJ_dv = 2.0               # J = 2v")
RUBRIC_TEXT = ('"slack_seconds"', '"literal_cases"', '"gradient_check"', "reference.logreg2")


@dataclass(frozen=True)
class Expect:
    """What an attack may earn: listed items exactly these scores (or one of them), the others full points.

    ``call_limits`` and ``cell_limits`` count the calls and cells that run into a
    time limit; each adds its limit plus twice the grace period to the time bound.
    """

    scores: dict[str, float | tuple[float, ...]] = field(default_factory=dict)
    all_zero: bool = False
    call_limits: int = 0
    cell_limits: int = 0

    @property
    def bound(self) -> float:
        return (BASE_SECONDS + self.call_limits * (LIMITS["call_seconds"] + 2 * GRACE_SECONDS)
                + self.cell_limits * (LIMITS["cell_seconds"] + 2 * GRACE_SECONDS))


EXPECTED: dict[str, Expect] = {
    # The loading rules: an exit or a hang at top level costs only that statement.
    "exit_at_import.py": Expect(),
    "os_exit_in_function.py": Expect({"cost": 0}),
    "raise_base_exceptions.py": Expect({"graph_forward": 0, "update": 0, "single_example": 10}),
    "sleep_at_import.py": Expect(cell_limits=1),
    "loop_at_import_ignoring_signals.py": Expect(cell_limits=1),
    "sleep_in_function.py": Expect({"cost": 0}, call_limits=1),
    "loop_in_function_ignoring_signals.py": Expect({"update": 0}, call_limits=1),
    "unbounded_recursion.py": Expect({"graph_forward": 0, "graph_backward": 0}),
    "memory_bomb.py": Expect({"sigmoid": 0, "cost": 0}, call_limits=1),
    "fork_bomb.py": Expect({"graph_forward": 0}, call_limits=1),
    "setsid_daemon.py": Expect(),
    "threads_after_return.py": Expect({"sigmoid": (0, 5)}),
    "print_flood.py": Expect(),
    "disk_fill.py": Expect({"update": 0}, call_limits=1),
    "forged_stdout.py": Expect({"cost": 0}),
    "forged_results_files.py": Expect({"cost": 0}),
    "channel_forgery.py": Expect({"cost": 0}, call_limits=1),
    "monkeypatch_comparisons.py": Expect({"sigmoid": 0, "cost": 0}),
    "lying_objects.py": Expect({"graph_forward": 0, "graph_backward": 0, "sigmoid": 0, "cost": 0,
                                "gradients_vectorized": 0, "vectorization": 0, "update": 0}),
    "pickle_payload.py": Expect({"cost": 0, "sigmoid": 0, "gradients_vectorized": 0, "vectorization": 0, "update": 0}),
    "reference_hunt.py": Expect({"cost": 0}, call_limits=1),
    "network.py": Expect(),
    "vectorization_gaming.py": Expect({"vectorization": 0}),
    "stub_reference_leak.py": Expect({"gradients_loop": 0, "gradients_vectorized": 0, "vectorization": 0,
                                      "sigmoid": 0, "single_example": 10}),
    "stub_denial_of_service.py": Expect({"cost": 0}, call_limits=1),
    "signal_ancestors.py": Expect(call_limits=1),
    "process_table_hog.py": Expect({"numerical_derivatives": 0}, call_limits=1),  # 3 s calls; see test_isolation
    "kernel_objects.py": Expect(),
    "kernel_objects_reader.py": Expect(),
    "replay_answers.py": Expect({"update": 0}),
    "broadcast_bomb.py": Expect({"cost": 0}),
    "notebook_forgery.ipynb": Expect({"cost": 0}),
    "dev_snooping.py": Expect(),
    "terminal_escapes.py": Expect({"cost": 0}),
    "fake_diagnosis.py": Expect({"cost": 0}),
    "markdown_injection.ipynb": Expect(all_zero=True),
    "protocol_limits.py": Expect({"graph_forward": 0, "cost": 0}),
}


def test_every_attack_file_has_an_expectation() -> None:
    assert sorted(p.name for p in ATTACKS.iterdir() if p.suffix in (".py", ".ipynb")) == sorted(EXPECTED)


# --------------------------------------------------------------------------- the arena


def uptime() -> float:
    """Seconds since boot, the clock /proc gives process start times in."""
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


@dataclass
class Arena:
    """Places outside the sandbox that payloads aim at."""

    root: Path
    marker: str
    since: float = field(default_factory=uptime)

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def out(self) -> Path:
        return self.root / "out" / "report.json"

    @property
    def autograder_root(self) -> Path:
        return self.root / "autograder"

    def submission(self, attack: str, port: int = 0) -> Path:
        """The attack with its placeholders filled in, in a folder anyone can read."""
        source = ATTACKS / attack if (ATTACKS / attack).exists() else CORRECT
        text = source.read_text()
        for key, value in (("@MARKER@", self.marker), ("@OUTSIDE@", str(self.outside)), ("@OUT@", str(self.out)),
                           ("@GRADER_CWD@", str(PROJECT_ROOT)), ("@AUTOGRADER_ROOT@", str(self.autograder_root)),
                           ("@PORT@", str(port))):
            text = text.replace(key, value)
        folder = self.root / "submission"
        folder.mkdir(mode=0o755, exist_ok=True)
        path = folder / attack
        path.write_text(text)
        path.chmod(0o644)
        return path

    def planted(self) -> list[str]:
        """Files a payload managed to create or change outside its scratch folder."""
        found = []
        for folder, depth in ((self.outside, 3), (self.out.parent, 3), (self.autograder_root, 3),
                              (PROJECT_ROOT / "results", 1), (PROJECT_ROOT, 1), (Path("/tmp"), 1),
                              (Path("/var/tmp"), 1), (Path("/dev/shm"), 1), (Path("/autograder/results"), 1)):
            for path in _files(folder, depth):
                if self.marker in path.name or _mentions(path, self.marker):
                    found.append(str(path))
        return found


def _files(folder: Path, depth: int) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if depth > 1:
                yield from _files(Path(entry.path), depth - 1)
        elif entry.is_file(follow_symlinks=False):
            yield Path(entry.path)


def _mentions(path: Path, marker: str) -> bool:
    if path.suffix != ".json":
        return False
    try:
        with open(path, "rb") as f:
            return marker.encode() in f.read(1 << 20)
    except OSError:
        return False


@pytest.fixture
def arena() -> Iterator[Arena]:
    root = Path(tempfile.mkdtemp(prefix="lr2-arena-"))
    root.chmod(0o755)
    made = Arena(root, "lr2x" + uuid.uuid4().hex[:8])
    for folder in (made.outside, made.out.parent, made.autograder_root / "results"):
        folder.mkdir(parents=True)
    for folder in (made.outside, made.out.parent, made.autograder_root, made.autograder_root / "results"):
        folder.chmod(0o777)
    yield made
    shutil.rmtree(root, ignore_errors=True)
    for stray in Path("/tmp").glob(f"{made.marker}*"):
        stray.unlink()


@pytest.fixture(autouse=True)
def fixed_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process gradings meet the correct example's inputs, whatever the marker and paths:
    a failure reproduces exactly."""
    seed = grading.seed_for("logreg2", CORRECT.read_bytes())
    monkeypatch.setattr(grading, "seed_for", lambda assignment, data: seed)


# --------------------------------------------------------------------------- processes


def _stat_fields(pid: str) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(1 << 16)
    except OSError:
        return b""


def _ancestry(pid: str) -> list[int]:
    chain = []
    while pid not in ("0", "1"):
        try:
            pid = _stat_fields(pid)[1]
        except (OSError, IndexError):
            break
        chain.append(int(pid))
    return chain


def survivors(marker: str, zygote_pid: int | None = None, since: float = 0.0) -> list[str]:
    """Live processes carrying the marker (name, command line, environment), descending from
    the zygote, or orphans of the sandbox user started after ``since`` (seconds since boot)."""
    identity = sandbox_identity()
    sandbox_uids = {identity[0]} | {uid for uid, _ in sandbox_pool()} if identity is not None else set()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            state = _stat_fields(pid)[0]
            uid = os.stat(f"/proc/{pid}").st_uid
        except (OSError, IndexError):
            continue
        if state == "Z":
            continue
        text = _read(f"/proc/{pid}/comm") + _read(f"/proc/{pid}/cmdline") + _read(f"/proc/{pid}/environ")
        ancestry = _ancestry(pid)
        if marker.encode() in text or (zygote_pid is not None and zygote_pid in ancestry):
            found.append(f"pid {pid} uid {uid} {text[:80]!r}")
        elif uid in sandbox_uids and ancestry[:1] == [1] and _started(pid) >= since:
            found.append(f"orphan pid {pid} of the sandbox user {text[:80]!r}")
    return found


def _started(pid: str) -> float:
    """When a process started, in seconds since boot."""
    return int(_stat_fields(pid)[19]) / os.sysconf("SC_CLK_TCK")



def _zygote_pid(zygote: Zygote) -> int | None:
    return zygote._proc.pid if zygote._proc is not None else None


# --------------------------------------------------------------------------- grading and the common assertions


@dataclass
class Graded:
    report: dict
    seconds: float
    result: GradeResult | None = None

    @property
    def scores(self) -> dict[str, float]:
        return {t["extra_data"]["item"]: t["score"] for t in self.report["tests"]}

    @property
    def stdout(self) -> str:
        return self.result.stdout if self.result else ""

    def output(self, item: str) -> str:
        return next(t["output"] for t in self.report["tests"] if t["extra_data"]["item"] == item)


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def _record_timings(grading_times: dict[str, float]) -> Iterator[None]:
    """Every grading's time goes into the run's summary (see conftest)."""
    yield
    grading_times.update(TIMINGS)


def grade_attack(attack: str, arena: Arena, rubric: Rubric, zygote: Zygote, port: int = 0) -> Graded:
    path = arena.submission(attack, port)
    started = time.monotonic()
    result = grade_path(path, rubric, zygote, limits_for(rubric, LIMITS))
    seconds = time.monotonic() - started
    TIMINGS[attack] = seconds
    report = build_report(result)
    validate(report, rubric)
    return Graded(report, seconds, result)


def assert_scores(graded: Graded, rubric: Rubric, expect: Expect) -> None:
    """Every item scores what ``expect`` says; untouched items full points."""
    for item in rubric.items:
        got = graded.scores[item.id]
        raw = 0.0 if expect.all_zero else expect.scores.get(item.id, item.points)
        wanted = tuple(float(x) for x in raw) if isinstance(raw, tuple) else (float(raw),)
        assert got in wanted, f"{item.id}: {got} points, expected {wanted}\n{graded.output(item.id)}"
    assert graded.report["score"] == pytest.approx(sum(graded.scores.values()))


def assert_contained(graded: Graded, arena: Arena, bound: float, zygote_pid: int | None = None) -> None:
    assert graded.seconds <= bound, f"grading took {graded.seconds:.1f} s, more than {bound:.1f} s"
    assert survivors(arena.marker, zygote_pid, arena.since) == []
    assert arena.planted() == []
    text = json.dumps(graded.report)
    for line in REFERENCE_TEXT + RUBRIC_TEXT:
        assert line not in text, f"{line!r} reached the report"


# --------------------------------------------------------------------------- what some attacks must also show


def _hanging_call_keeps_the_session(graded: Graded, arena: Arena) -> None:
    """After a per-call timeout the mainline reports the item's end and later items still run."""
    assert "did not return within 2 s" in graded.output("cost")
    assert graded.result is not None and graded.result.status == "timeout"


def _fork_bomb_times_out(graded: Graded, arena: Arena) -> None:
    assert "did not return" in graded.output("graph_forward")


def _disk_is_capped(graded: Graded, arena: Arena) -> None:
    """As root the scratch folder is a tmpfs of scratch_mb (files unlinked while still open count
    too); without root the grader's folder scan stops the writer, later and less exactly."""
    written = [int(line.split()[1]) for line in graded.stdout.splitlines() if line.startswith("wrote ")]
    cap = SCRATCH_MB if "tmpfs" in graded.report["extra_data"]["isolation"].get("mounts", "") else 1024
    assert max(written, default=0) <= cap + 16, f"{max(written)} MB written before the writer was stopped"


def _flood_is_truncated(graded: Graded, arena: Arena) -> None:
    assert graded.report["score"] == 100
    assert "more bytes not shown" in graded.stdout
    assert len(graded.report["output"]) <= 20000


def _forgery_ignored(graded: Graded, arena: Arena) -> None:
    assert graded.report["score"] == 90
    assert not arena.out.exists(), "a payload wrote the grader's report path"
    assert "forged" not in graded.report["tests"][0]["output"]


def _pickle_never_runs(graded: Graded, arena: Arena) -> None:
    assert list(arena.outside.iterdir()) == []
    assert "_Payload" in graded.output("cost")


def _reference_stays_hidden(graded: Graded, arena: Arena) -> None:
    """Only command lines of the sandbox's own processes can be read; the reference, the rubric,
    other processes' environments and working folders cannot."""
    lines = graded.stdout.splitlines()
    # PermissionError, or FileNotFoundError where the checkout's folder is closed to the sandbox
    # user and its mount namespace shows only the venv and grader/ of it
    denied = {line[len("denied "):].rsplit(" ", 1)[0] for line in lines if line.startswith("denied ")}
    assert {f"{PROJECT_ROOT}/reference/logreg2.py", f"{PROJECT_ROOT}/rubrics/logreg2.json"} <= denied
    # Not importable: either refused outright, or (the loading rules) bound to an inert placeholder.
    assert "import failed: ModuleNotFoundError" in lines or "import gave: _PlaceholderModule" in lines
    # Records are "READ<tab>path<tab>bytes<tab>text".  Only the first 32 KB a session prints are
    # kept, and as an ordinary user every process's command line is readable: the last record
    # kept may be cut, even inside its path, so only records that reached their byte count count.
    read = [fields for fields in (line.split("\t", 3) for line in lines if line.startswith("READ\t")) if len(fields) > 2]
    assert all(fields[1].endswith("/cmdline") for fields in read), read
    if "private" in graded.report["extra_data"]["isolation"].get("mounts", ""):  # /proc with hidepid
        assert all("runner.py" in fields[3] for fields in read if len(fields) > 3), read


def _stubs_serve_callees_only(graded: Graded, arena: Arena) -> None:
    """With every other function stubbed by the reference this attack earned 30 points; with
    only the rubric's callees stubbed, each function meets the student's own helpers."""
    assert "NotImplementedError" in graded.output("gradients_vectorized")
    assert "RecursionError" in graded.output("sigmoid")


def _notebook_commands_neutralised(graded: Graded, arena: Arena) -> None:
    summary = graded.report["output"]
    assert "writefile" in summary and "touch" in summary
    assert "All tests passed: 100/100" not in summary


def _limits_named(graded: Graded, arena: Arena) -> None:
    """A value beyond the result channel's limits is a case failed for that reason (not a death),
    and the feedback names the limit."""
    assert graded.result is not None
    for item, words in (("graph_forward", "nested more than 32 levels deep"), ("cost", "MB of data")):
        result = next(r for r in graded.result.items if r.item.id == item)
        first = result.checks[0].cases[0]
        assert first.reason == "limit", first
        assert words in (first.problem or "") and "exit()" not in graded.output(item)


EXTRA_CHECKS: dict[str, Callable[[Graded, Arena], None]] = {
    "sleep_in_function.py": _hanging_call_keeps_the_session,
    "fork_bomb.py": _fork_bomb_times_out,
    "disk_fill.py": _disk_is_capped,
    "print_flood.py": _flood_is_truncated,
    "forged_stdout.py": _forgery_ignored,
    "forged_results_files.py": _forgery_ignored,
    "pickle_payload.py": _pickle_never_runs,
    "reference_hunt.py": _reference_stays_hidden,
    "stub_reference_leak.py": _stubs_serve_callees_only,
    "notebook_forgery.ipynb": _notebook_commands_neutralised,
    "protocol_limits.py": _limits_named,
}


@pytest.mark.parametrize("attack", sorted(set(EXPECTED) - {"network.py"}))
def test_attack_is_contained(attack: str, arena: Arena, logreg2_rubric: Rubric, shared_zygote: Zygote) -> None:
    expect = EXPECTED[attack]
    graded = grade_attack(attack, arena, logreg2_rubric, shared_zygote)
    assert_scores(graded, logreg2_rubric, expect)
    assert_contained(graded, arena, expect.bound, _zygote_pid(shared_zygote))
    EXTRA_CHECKS.get(attack, lambda graded, arena: None)(graded, arena)


def test_network_is_blocked(arena: Arena, logreg2_rubric: Rubric, shared_zygote: Zygote) -> None:
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind(f"\0{arena.marker}-abstract")
    abstract.listen(8)
    servers = (tcp, udp, abstract)
    for server in servers:
        server.setblocking(False)
    try:
        graded = grade_attack("network.py", arena, logreg2_rubric, shared_zygote, port)
        for server in (tcp, abstract):
            with pytest.raises(BlockingIOError):
                server.accept()
        with pytest.raises(BlockingIOError):
            udp.recv(64)
    finally:
        for server in servers:
            server.close()
    assert "NET-OK" not in graded.stdout
    assert graded.stdout.count("net blocked") >= 8
    assert_scores(graded, logreg2_rubric, EXPECTED["network.py"])
    assert_contained(graded, arena, EXPECTED["network.py"].bound, _zygote_pid(shared_zygote))


def test_isolation_is_reported_for_the_instructor(arena: Arena, logreg2_rubric: Rubric,
                                                  shared_zygote: Zygote) -> None:
    isolation = grade_attack("correct.py", arena, logreg2_rubric, shared_zygote).report["extra_data"]["isolation"]
    assert {"user", "filesystem", "network", "signals"} <= set(isolation)
    if os.geteuid() == 0 and sandbox_identity() is not None:
        assert isolation["user"].startswith("uid ")
        assert "mounts" in isolation


# --------------------------------------------------------------------------- the real command line


def _cli(args: list[str], user: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader", "grade", *args]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


def test_cli_with_default_limits_ignores_forged_results(arena: Arena, logreg2_rubric: Rubric) -> None:
    """End to end with the default limits: the report is the grader's, on --out and on standard output."""
    path = arena.submission("forged_results_files.py")
    started = time.monotonic()
    proc = _cli([str(path), "--out", str(arena.out)])
    graded = Graded(json.loads(arena.out.read_text()), time.monotonic() - started)
    TIMINGS["cli, default limits: forged_results_files.py"] = graded.seconds
    assert proc.returncode == 0, proc.stderr
    validate(graded.report, logreg2_rubric)
    assert arena.marker not in arena.out.read_text()
    assert_scores(graded, logreg2_rubric, EXPECTED["forged_results_files.py"])
    assert arena.planted() == []
    assert survivors(arena.marker, since=arena.since) == []

    proc = _cli([str(arena.submission("forged_stdout.py"))])
    report = json.loads(proc.stdout)
    validate(report, logreg2_rubric)
    assert_scores(Graded(report, 0.0), logreg2_rubric, EXPECTED["forged_stdout.py"])
    assert survivors(arena.marker, since=arena.since) == []


# --------------------------------------------------------------------------- the grader without root


@pytest.fixture(scope="module")
def ordinary_user() -> str:
    """A user to run the grader as: needs root to switch, and a project and venv that user can read."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root to run the grader as another user")
    try:
        user = pwd.getpwnam(DEFAULT_SANDBOX_USER).pw_name
    except KeyError:
        pytest.skip(f"no user {DEFAULT_SANDBOX_USER} (CI creates it)")
    probe = subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", "import numpy, jsonschema, grader.cli"],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"{user} cannot run the grader from {PROJECT_ROOT}: {probe.stderr.strip()[-200:]}")
    return user


@pytest.mark.parametrize("attack", ["correct.py", "signal_ancestors.py", "reference_hunt.py", "setsid_daemon.py",
                                    "forged_results_files.py", "disk_fill.py"])
def test_grader_running_as_an_ordinary_user(attack: str, arena: Arena, logreg2_rubric: Rubric,
                                            ordinary_user: str) -> None:
    """Without root: no user separation (and the report says so), yet the same scores and no escape."""
    path = arena.submission(attack)
    shutil.chown(arena.out.parent, ordinary_user)
    started = time.monotonic()
    proc = _cli([str(path), "--out", str(arena.out), "--call-seconds", "2", "--cell-seconds", "2.5"], ordinary_user)
    graded = Graded(json.loads(arena.out.read_text()), time.monotonic() - started)
    TIMINGS[f"as {ordinary_user}: {attack}"] = graded.seconds
    assert proc.returncode == 0, proc.stderr
    validate(graded.report, logreg2_rubric)
    assert graded.report["extra_data"]["isolation"]["user"] == "not separated (grader is not root)"
    assert "mounts" not in graded.report["extra_data"]["isolation"]
    expect = EXPECTED.get(attack, Expect())
    assert_scores(graded, logreg2_rubric, expect)
    assert_contained(graded, arena, expect.bound + 2.0)  # + starting Python and NumPy twice


def test_devices_closed_to_an_ordinary_user(arena: Arena, logreg2_rubric: Rubric, ordinary_user: str) -> None:
    """Without root the submission runs as the TA: a 0600 file of theirs in /dev/shm and keystrokes
    waiting on a terminal of theirs are readable by permissions, so only Landlock's /dev rule stops it."""
    entry = pwd.getpwnam(ordinary_user)
    shm = Path("/dev/shm") / f"{arena.marker}-secret"
    shm.write_text(f"SHM-SECRET {arena.marker}\n")
    os.chown(shm, entry.pw_uid, entry.pw_gid)
    shm.chmod(0o600)
    master, slave = os.openpty()
    try:
        os.chown(os.ttyname(slave), entry.pw_uid, entry.pw_gid)
        os.write(master, f"TYPED-{arena.marker}\n".encode())
        path = arena.submission("dev_snooping.py")
        path.write_text(path.read_text().replace("@PTY@", os.ttyname(slave).rsplit("/", 1)[1]))
        shutil.chown(arena.out.parent, ordinary_user)
        proc = _cli([str(path), "--out", str(arena.out), "--call-seconds", "2", "--cell-seconds", "2.5"], ordinary_user)
        assert proc.returncode == 0, proc.stderr
        report = json.loads(arena.out.read_text())
    finally:
        os.close(master)
        os.close(slave)
        shm.unlink()
    printed = report["output"]
    assert "DEV-READ" not in printed and "DEV-OPENED" not in printed, printed
    assert "SHM-SECRET" not in printed and "TYPED-" not in printed
    assert "DEV-DENIED /dev/shm PermissionError" in printed and "DEV-DENIED /dev/pts PermissionError" in printed
    assert "NULL-OK" in printed
    assert_scores(Graded(report, 0.0), logreg2_rubric, EXPECTED["dev_snooping.py"])
