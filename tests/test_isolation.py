"""Gradings cannot reach each other: processes, kernel objects, stored answers, the grader's memory.

Each hole is a real submission in ``tests/attacks/`` (placeholders filled in as
``test_attacks`` does) graded the way a course grades: a two-student batch for the
neighbour that holds the process table, two gradings in a row for what the kernel
or the disk could carry from one to the next, a separate process for the grader's
peak memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.checking.grading import GradeResult, grade_path, limits_for
from grader.rubric import Rubric
from grader.limits import DEFAULT_SANDBOX_USER
from grader.sandbox.zygote import UidSlot, Zygote, sandbox_pool

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ATTACKS = Path(__file__).with_name("attacks")
CORRECT = PROJECT_ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
AS_ROOT_WITH_POOL = pytest.mark.skipif(
    os.geteuid() != 0 or len(sandbox_pool()) < 2,
    reason="needs root and numbered sandbox users (.ci/run creates lr2sandbox1..16)")
PEAK_MB = 400


@pytest.fixture
def marker() -> str:
    return "lr2x" + uuid.uuid4().hex[:8]


@pytest.fixture
def folder() -> Iterator[Path]:
    """Submissions must be readable by the sandbox user, who cannot enter pytest's tmp_path."""
    made = Path(tempfile.mkdtemp(prefix="lr2-isolation-"))
    made.chmod(0o755)
    yield made
    shutil.rmtree(made, ignore_errors=True)


def attack(name: str, marker: str, folder: Path, as_name: str | None = None) -> Path:
    path = folder / (as_name or name)
    path.write_text((ATTACKS / name).read_text().replace("@MARKER@", marker))
    path.chmod(0o644)
    return path


def scores(result: GradeResult) -> dict[str, float]:
    return {r.item.id: r.score for r in result.items}


def grade(path: Path, rubric: Rubric) -> GradeResult:
    """A grading with a zygote of its own, as a separate `grade` command or batch worker has."""
    with Zygote() as zygote:
        return grade_path(path, rubric, zygote, limits_for(rubric))


# --------------------------------------------------------------------------- processes


@AS_ROOT_WITH_POOL
def test_a_neighbour_holding_the_process_table_costs_a_correct_file_nothing(folder: Path, marker: str) -> None:
    """The attacker keeps every process its user may have for about 9 s; the correct file, whose slow
    top-level demo makes its items run inside that window, still scores 100 with no timeout."""
    submissions, out = folder / "class", folder / "out"
    submissions.mkdir()
    attack("process_table_hog.py", marker, submissions, "a_hog.py")
    victim = submissions / "b_correct.py"
    victim.write_text(CORRECT.read_text() + "\nimport time\ntime.sleep(3.0)  # a slow demo\n")
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out), "--jobs", "2"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    correct, hog = (json.loads((out / f"{key}.json").read_text()) for key in ("b_correct", "a_hog"))
    assert correct["score"] == 100, [t["output"] for t in correct["tests"] if t["status"] != "passed"]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in correct["tests"])
    assert correct["extra_data"]["status"] == "graded"
    assert correct["extra_data"]["isolation"]["user"] != hog["extra_data"]["isolation"]["user"]


@AS_ROOT_WITH_POOL
def test_concurrent_zygotes_get_different_users_and_a_user_is_swept_before_reuse() -> None:
    with Zygote() as first, Zygote() as second:
        assert first.identity != second.identity
        assert not first.shared_identity and not second.shared_identity
    slot = UidSlot.claim(sandbox_pool())
    uid, gid = slot.identity
    leftover = subprocess.Popen(["sleep", "600"], user=uid, group=gid, extra_groups=[])
    slot.release()
    assert leftover.wait(timeout=10) == -9


def test_a_fork_retry_waits_at_most_half_the_call_limit() -> None:
    """The runner is the sandbox's module (it imports its siblings by bare name): check it in a child."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(PROJECT_ROOT / "grader" / "sandbox" / "child")!r})
        import runner
        runner._bound_fork_retry(4.0)
        assert runner._fork_retry_seconds == 2.0
        runner._bound_fork_retry(60.0)
        assert runner._fork_retry_seconds == runner.FORK_RETRY_SECONDS
    """)
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_a_sweep_walks_again_after_an_empty_walk() -> None:
    """A double fork's last process can be re-parented to the zygote while a walk reads below it
    (under neither its old parent nor the zygote when each is read): the sweep ends only after two
    empty walks in a row.  Scripted walks (empty, then the orphan, then nothing) in a child."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(PROJECT_ROOT / "grader" / "sandbox" / "child")!r})
        import runner
        walks = iter([[], [4242], [], []])
        killed = []
        runner._descendants = lambda pid: next(walks)
        runner._is_zombie = lambda pid: False
        runner._reap_zombies = lambda: None
        runner.os.kill = lambda pid, sig: killed.append(pid)
        assert runner._sweep(set()) == 1 and killed == [4242], killed
        assert next(walks, None) is None  # it stopped after the second empty walk
    """)
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- kernel objects


def _sysv_key(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)


def _ipcs_keys() -> set[int]:
    """Keys of every SysV segment, queue and semaphore set in the machine's IPC namespace."""
    listing = subprocess.run(["ipcs", "-m", "-q", "-s"], capture_output=True, text=True, check=True).stdout
    return {int(key, 16) for key in re.findall(r"^(0x[0-9a-f]+)\s", listing, flags=re.M)}


@pytest.fixture
def sysv_cleanup(marker: str) -> Iterator[list[int]]:
    """Keys a test expects to stay unused; whatever exists under them afterwards is removed."""
    keys: list[int] = []
    yield keys
    for key in keys:
        for flag in ("-M", "-Q", "-S"):
            subprocess.run(["ipcrm", flag, hex(key)], capture_output=True)
    for stray in list(Path("/tmp").glob(f"{marker}*")) + list(Path("/dev/shm").glob(f"{marker}*")):
        stray.unlink(missing_ok=True)


def _lines(result: GradeResult, first_word: str) -> list[list[str]]:
    return [line.split() for line in result.stdout.splitlines() if line.startswith(first_word + " ")]


def test_kernel_objects_die_with_the_session_and_the_next_submission_finds_none(
        folder: Path, marker: str, logreg2_rubric: Rubric, sysv_cleanup: list[int]) -> None:
    key = _sysv_key(marker)
    sysv_cleanup.extend([key, key + 1, key + 2])
    left = grade(attack("kernel_objects.py", marker, folder), logreg2_rubric)
    reports = {kind: rest for _, kind, *rest in _lines(left, "KERNEL")}
    assert set(reports) == {"shm", "msg", "sem", "mq", "user_key", "session_key", "dev_shm"}
    assert reports["user_key"] == ["errno", "1"] and reports["session_key"] == ["errno", "1"]  # EPERM: seccomp
    assert left.score == 100
    assert _ipcs_keys().isdisjoint({key, key + 1, key + 2})
    assert not Path(f"/dev/shm/{marker}").exists()

    looked = grade(attack("kernel_objects_reader.py", marker, folder), logreg2_rubric)
    assert {kind for _, kind in _lines(looked, "ABSENT")} == set(reports)
    assert _lines(looked, "FOUND") == []


def test_a_stored_reference_answer_is_useless_in_the_next_grading(
        folder: Path, marker: str, logreg2_rubric: Rubric, sysv_cleanup: list[int]) -> None:
    """Nothing survives a grading (private IPC namespace, no keyring, writes only in a scratch
    folder that is removed), so a regrade of the same bytes meets the same inputs and scores the same."""
    sysv_cleanup.append(_sysv_key("replay" + marker))
    path = attack("replay_answers.py", marker, folder)
    first, second = grade(path, logreg2_rubric), grade(path, logreg2_rubric)
    stored = [int(line[1]) for line in _lines(first, "stored")]
    assert stored and min(stored) > 0  # the reference's answers were in the attacker's hands
    assert scores(first) == scores(second)
    assert scores(second)["update"] == 0


# --------------------------------------------------------------------------- the grader's memory


def test_the_grader_refuses_huge_broadcasts_and_stays_small(folder: Path, marker: str) -> None:
    """Arrays of 18,001 numbers shaped to broadcast to 18,001 x 18,001 in every stand-in: refused
    before anything is computed, with a message; the grading process's peak memory stays bounded."""
    path = attack("broadcast_bomb.py", marker, folder)
    script = textwrap.dedent(f"""
        import json, resource, sys, time
        from grader.checking.grading import grade_path, limits_for
        from grader.rubric import load_rubric
        from grader.sandbox.zygote import Zygote
        rubric = load_rubric("logreg2")
        started = time.monotonic()
        with Zygote() as zygote:
            result = grade_path(__import__("pathlib").Path({str(path)!r}), rubric, zygote, limits_for(rubric))
        print(json.dumps({{"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                           "seconds": time.monotonic() - started,
                           "scores": {{r.item.id: r.score for r in result.items}},
                           "timed_out": [r.item.id for r in result.items if r.timed_out],
                           "refused": result.stdout.count("refused:")}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    measured = json.loads(proc.stdout.splitlines()[-1])
    assert measured["peak_mb"] < PEAK_MB, measured
    assert measured["timed_out"] == [], measured
    assert measured["scores"]["cost"] == 0 and measured["scores"]["gradient_descent"] == 15, measured
    assert measured["refused"] >= 3, measured


# --------------------------------------------------------------------------- the seccomp filter


def _in_fresh_interpreter(code: str) -> None:
    source = "import ctypes, errno, os, sys\n" \
             "from grader.sandbox.child.netblock import block_network\n" + textwrap.dedent(code) + "\nprint('OK')\n"
    proc = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stdout + proc.stderr


@pytest.mark.parametrize("deny_ipc", [False, True])
def test_the_filter_denies_the_keyring_always_and_sysv_ipc_on_request(deny_ipc: bool) -> None:
    _in_fresh_interpreter(f"""
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        assert block_network(deny_ipc={deny_ipc}) is None
        add_key = {{"x86_64": 248, "aarch64": 217}}[os.uname().machine]
        assert libc.syscall(add_key, b"user", b"lr2-probe", b"x", 1, -4) == -1 and ctypes.get_errno() == errno.EPERM
        shmid = libc.shmget(0, 4096, 0o1000 | 0o600)  # IPC_PRIVATE
        if {deny_ipc}:
            assert shmid == -1 and ctypes.get_errno() == errno.EPERM
        else:
            assert shmid >= 0
            assert libc.shmctl(shmid, 0, None) == 0  # IPC_RMID
    """)


@pytest.fixture(scope="module")
def ordinary_user() -> str:
    """The grader run as an unprivileged user: needs root to switch, and a venv that user can read."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root to run the grader as another user")
    probe = subprocess.run(["runuser", "-u", DEFAULT_SANDBOX_USER, "--", sys.executable, "-c", "import grader.cli"],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"{DEFAULT_SANDBOX_USER} cannot run the grader here: {probe.stderr.strip()[-200:]}")
    return DEFAULT_SANDBOX_USER


def test_without_root_kernel_objects_stay_private_too(folder: Path, marker: str, ordinary_user: str,
                                                      sysv_cleanup: list[int]) -> None:
    """An ordinary user's grader gives each session an IPC namespace inside a user namespace where the
    kernel allows one, and denies SysV IPC by seccomp where it does not: either way nothing is left."""
    key = _sysv_key(marker)
    sysv_cleanup.extend([key, key + 1, key + 2])
    out = folder / "report.json"
    shutil.chown(folder, ordinary_user)
    proc = subprocess.run(["runuser", "-u", ordinary_user, "--", sys.executable, "-m", "grader", "grade",
                           str(attack("kernel_objects.py", marker, folder)), "--out", str(out)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 100
    assert report["extra_data"]["isolation"]["ipc"].startswith(("private", "shared with the machine"))
    assert _ipcs_keys().isdisjoint({key, key + 1, key + 2})
