"""Tests for grader.sandbox.child.netblock; each case runs in a fresh interpreter."""

import errno
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import errno, os, socket, sys
from grader.sandbox.child.netblock import block_network
"""

BLOCK = """
reason = block_network()
assert reason is None, reason
"""


def run(code: str, block: bool = True) -> None:
    """Run ``code`` in a fresh interpreter (after blocking) and assert success."""
    source = PRELUDE + (BLOCK if block else "") + textwrap.dedent(code) + "\nprint('OK')\n"
    proc = subprocess.run(
        [sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("OK"), proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "family, kind",
    [
        ("AF_INET", "SOCK_STREAM"),
        ("AF_INET6", "SOCK_STREAM"),
        ("AF_INET", "SOCK_DGRAM"),
        ("AF_INET6", "SOCK_DGRAM"),
    ],
)
def test_inet_sockets_denied(family: str, kind: str) -> None:
    run(f"""
    try:
        socket.socket(socket.{family}, socket.{kind})
    except PermissionError as exc:
        assert exc.errno == errno.EACCES, exc
    else:
        raise AssertionError("socket was created")
    """)


def test_inet_socketpair_denied() -> None:
    run("""
    try:
        socket.socketpair(socket.AF_INET)
    except OSError as exc:
        assert exc.errno == errno.EACCES, exc  # kernel alone would say EOPNOTSUPP
    else:
        raise AssertionError("socketpair was created")
    """)


def test_unix_socketpair_allowed() -> None:
    run("""
    a, b = socket.socketpair()
    a.sendall(b"ping")
    assert b.recv(4) == b"ping"
    """)


def test_numpy_still_works() -> None:
    run("""
    import numpy
    assert (numpy.ones((100, 100)) @ numpy.ones((100, 100)))[0, 0] == 100
    """)


def test_threads_start_and_are_blocked() -> None:
    run("""
    import threading
    out = []

    def target() -> None:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except PermissionError:
            out.append("blocked")

    t = threading.Thread(target=target)
    t.start()
    t.join()
    assert out == ["blocked"], out
    """)


IO_URING_SETUP = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)  # struct io_uring_params
result = libc.syscall(425, 8, params)  # io_uring_setup on x86_64 and aarch64
print("RESULT", result, ctypes.get_errno() if result == -1 else 0)
"""


def io_uring_setup(block: bool) -> tuple[int, int]:
    """What ``io_uring_setup`` gives in a fresh interpreter, with or without the filter: (result, errno)."""
    source = PRELUDE + (BLOCK if block else "") + IO_URING_SETUP
    proc = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _, result, error = proc.stdout.split()[-3:]
    return int(result), int(error)


def test_io_uring_denied() -> None:
    """The control first: where the host already refuses io_uring with EPERM, the filter cannot be told apart."""
    unfiltered = io_uring_setup(block=False)
    if unfiltered == (-1, errno.EPERM):
        pytest.skip("io_uring_setup is already refused with EPERM without the filter (a sysctl or container profile)")
    assert io_uring_setup(block=True) == (-1, errno.EPERM), f"without the filter: {unfiltered}"


def test_forked_child_is_blocked() -> None:
    run("""
    pid = os.fork()
    if pid == 0:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except PermissionError:
            os._exit(0)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    """)


def test_sockets_work_without_filter() -> None:
    run(
        """
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    """,
        block=False,
    )
