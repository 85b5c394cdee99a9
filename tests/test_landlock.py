"""Tests for grader.sandbox.child.landlock; each case runs in a fresh interpreter."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SYSTEM_READ_ONLY = [sys.prefix, sys.base_prefix, "/usr", "/lib", "/lib64", "/etc", "/proc", "/dev"]


def _landlock_unavailable() -> str | None:
    """Probe the ABI (no restriction is applied, so this is safe in-process)."""
    from grader.sandbox.child.landlock import _abi_version

    abi = _abi_version()
    return abi if isinstance(abi, str) else None


_REASON = _landlock_unavailable()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    secret = tmp_path / "secret"
    allowed = tmp_path / "allowed"
    scratch = tmp_path / "scratch"
    for d in (secret, allowed, scratch):
        d.mkdir()
    (secret / "solution.py").write_text("ANSWER = 42\n")
    (allowed / "data.txt").write_text("public data\n")
    return {"secret": secret, "allowed": allowed, "scratch": scratch}


def run(code: str, read_only: list[str], read_write: list[str]) -> None:
    """Restrict a fresh interpreter, then run ``code`` in it and assert success."""
    prelude = f"""
import errno, os, sys
from grader.sandbox.child.landlock import restrict_filesystem
assert "numpy" not in sys.modules
reason = restrict_filesystem(read_only={read_only!r}, read_write={read_write!r})
assert reason is None, reason
"""
    source = prelude + textwrap.dedent(code) + "\nprint('OK')\n"
    proc = subprocess.run(
        [sys.executable, "-c", source], cwd="/", capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("OK"), proc.stdout + proc.stderr


def run_std(dirs: dict[str, Path], code: str) -> None:
    """Run ``code`` with the standard layout: secret hidden, allowed ro, scratch rw."""
    setup = f"SECRET = {str(dirs['secret'])!r}\nALLOWED = {str(dirs['allowed'])!r}\n"
    setup += f"SCRATCH = {str(dirs['scratch'])!r}\n"
    run(setup + textwrap.dedent(code), SYSTEM_READ_ONLY + [str(dirs["allowed"])], [str(dirs["scratch"])])


def test_secret_file_unreadable(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    try:
        open(os.path.join(SECRET, "solution.py")).read()
    except PermissionError as exc:
        assert exc.errno == errno.EACCES, exc
    else:
        raise AssertionError("secret file was read")
    """)


def test_secret_dir_unlistable(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    for lister in (os.listdir, os.scandir):
        try:
            lister(SECRET)
        except PermissionError:
            pass
        else:
            raise AssertionError(f"{lister.__name__} listed the secret folder")
    try:
        os.listdir(os.path.dirname(SECRET))
    except PermissionError:
        pass
    else:
        raise AssertionError("parent of the secret folder was listed")
    """)


def test_allowed_readable_not_writable(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    with open(os.path.join(ALLOWED, "data.txt")) as f:
        assert f.read() == "public data\\n"
    assert os.listdir(ALLOWED) == ["data.txt"]
    for action in (
        lambda: open(os.path.join(ALLOWED, "data.txt"), "a"),
        lambda: open(os.path.join(ALLOWED, "new.txt"), "w"),
        lambda: os.remove(os.path.join(ALLOWED, "data.txt")),
        lambda: os.mkdir(os.path.join(ALLOWED, "sub")),
        lambda: os.truncate(os.path.join(ALLOWED, "data.txt"), 0),
    ):
        try:
            action()
        except PermissionError:
            pass
        else:
            raise AssertionError("modified the read-only folder")
    """)


def test_scratch_read_write(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    path = os.path.join(SCRATCH, "out.txt")
    with open(path, "w") as f:
        f.write("hello")
    with open(path, "a") as f:
        f.write(" world")
    with open(path) as f:
        assert f.read() == "hello world"
    os.mkdir(os.path.join(SCRATCH, "sub"))
    os.rename(path, os.path.join(SCRATCH, "sub", "moved.txt"))
    os.remove(os.path.join(SCRATCH, "sub", "moved.txt"))
    os.rmdir(os.path.join(SCRATCH, "sub"))
    assert os.listdir(SCRATCH) == []
    """)


def test_imports_after_restriction(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    assert "fractions" not in sys.modules and "decimal" not in sys.modules
    import fractions, decimal, json
    assert fractions.Fraction(1, 3) + fractions.Fraction(1, 6) == fractions.Fraction(1, 2)
    assert str(decimal.Decimal("0.1") + decimal.Decimal("0.2")) == "0.3"
    import numpy as np
    assert int(np.arange(10).sum()) == 45
    assert float((np.eye(3) @ np.ones(3)).sum()) == 3.0
    """)


def test_forked_child_restricted(dirs: dict[str, Path]) -> None:
    run_std(dirs, """
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            try:
                open(os.path.join(SECRET, "solution.py")).read()
            except PermissionError:
                with open(os.path.join(ALLOWED, "data.txt")) as f:
                    code = 0 if f.read() == "public data\\n" else 3
            else:
                code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    """)


def test_single_file_read_only(dirs: dict[str, Path]) -> None:
    solo = dirs["allowed"] / "solo.txt"
    solo.write_text("just me\n")
    code = f"""
    with open({str(solo)!r}) as f:
        assert f.read() == "just me\\n"
    for action in (
        lambda: open({str(dirs['allowed'] / 'data.txt')!r}).read(),
        lambda: os.listdir({str(dirs['allowed'])!r}),
        lambda: open({str(solo)!r}, "a"),
    ):
        try:
            action()
        except PermissionError:
            pass
        else:
            raise AssertionError("access beyond the single allowed file")
    """
    run(code, SYSTEM_READ_ONLY + [str(solo)], [])


def test_single_file_read_write(dirs: dict[str, Path]) -> None:
    log = dirs["scratch"] / "log.txt"
    log.write_text("")
    code = f"""
    with open({str(log)!r}, "w") as f:
        f.write("logged")
    with open({str(log)!r}) as f:
        assert f.read() == "logged"
    try:
        open({str(dirs['scratch'] / 'other.txt')!r}, "w")
    except PermissionError:
        pass
    else:
        raise AssertionError("created a file next to the single allowed file")
    """
    run(code, SYSTEM_READ_ONLY, [str(log)])


def test_missing_paths_skipped(dirs: dict[str, Path]) -> None:
    missing = str(dirs["allowed"] / "does-not-exist")
    run(f"""
    with open({str(dirs['allowed'] / 'data.txt')!r}) as f:
        assert f.read() == "public data\\n"
    """, SYSTEM_READ_ONLY + [str(dirs["allowed"]), missing], [missing + "-too"])


def test_bad_argument_returns_reason() -> None:
    code = """
import os, sys
from grader.sandbox.child.landlock import restrict_filesystem
reason = restrict_filesystem(read_only="/usr", read_write=[])
assert isinstance(reason, str) and reason, reason
reason = restrict_filesystem(read_only=[42], read_write=[])
assert isinstance(reason, str) and reason, reason
assert os.listdir("/")  # no restriction was applied
print("OK")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "OK", proc.stdout + proc.stderr
