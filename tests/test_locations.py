"""The grade does not depend on where the checkout lives (issue 10).

Each test copies this checkout (the grader's own folders and its venv, as a clone
with ``make venv`` would hold them) into a folder made by ``mkdtemp`` (mode 0700,
what ``mktemp -d`` and /root give) and runs its command line on a correct file
that uses ``np.random`` at top level: NumPy loads ``numpy.random`` lazily, so the
sandbox must read the venv inside a folder it cannot enter.  As root student code
runs as the sandbox user; the second test runs the grader as an ordinary user
(``lr2tester``, created here when missing; as non-root, the user running the tests).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORRECT = PROJECT_ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
GRADER_FOLDERS = ("grader", "reference", "rubrics", "assignments")
TESTER = "lr2tester"
NP_RANDOM_AT_TOP_LEVEL = "import numpy as np\nnp.random.seed(0)\nnp.random.rand(3)\n"
VENV = Path(sys.prefix)


def _private_copy(owner: str | None = None) -> Iterator[Path]:
    """This checkout and its venv at ``<0700 folder>/clone``, owned by ``owner`` if given
    (all but the venv, whose files are hard links to ours and so keep our ownership)."""
    root = Path(tempfile.mkdtemp(prefix="lr2-location-"))
    assert root.stat().st_mode & 0o777 == 0o700
    checkout = root / "clone"
    for name in GRADER_FOLDERS:
        shutil.copytree(PROJECT_ROOT / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
    _copy_venv(checkout / ".venv")
    (root / "np_random.py").write_text(NP_RANDOM_AT_TOP_LEVEL + CORRECT.read_text())
    if owner is not None:
        subprocess.run(["chown", f"{owner}:", str(root), str(checkout), str(root / "np_random.py")], check=True)
        subprocess.run(["chown", "-R", f"{owner}:", *(str(checkout / name) for name in GRADER_FOLDERS)], check=True)
    try:
        yield checkout
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _copy_venv(target: Path) -> None:
    """Our venv at ``target``: folders copied, files hard-linked (2 s instead of 15 s under load);
    a full copy where the kernel refuses links to files we do not own."""
    if subprocess.run(["cp", "-al", str(VENV), str(target)], capture_output=True).returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(["cp", "-a", str(VENV), str(target)], check=True)


@pytest.fixture(scope="module")
def private_checkout() -> Iterator[Path]:
    yield from _private_copy()


@pytest.fixture(scope="module")
def ordinary_user() -> str | None:
    """Who runs the grader in the ordinary-user test: ``lr2tester`` as root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(TESTER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TESTER], check=True)
    return TESTER


@pytest.fixture(scope="module")
def users_checkout(ordinary_user: str | None) -> Iterator[Path]:
    yield from _private_copy(ordinary_user)


def _grade(checkout: Path, user: str | None = None) -> subprocess.CompletedProcess:
    """The checkout's own ``python -m grader grade`` on the np.random file, report next to it."""
    folder = checkout.parent
    command = [str(checkout / ".venv" / "bin" / "python"), "-m", "grader", "grade", str(folder / "np_random.py"),
               "--out", str(folder / "report.json")]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(folder)}
    identity = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []} if user else {}
    return subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, timeout=180, **identity)


def _batch(checkout: Path) -> subprocess.CompletedProcess:
    """The checkout's own ``python -m grader batch`` on a class of the np.random file."""
    folder = checkout.parent
    (folder / "class").mkdir(exist_ok=True)
    shutil.copy(folder / "np_random.py", folder / "class" / "alice.py")
    command = [str(checkout / ".venv" / "bin" / "python"), "-m", "grader", "batch", str(folder / "class"),
               "--out", str(folder / "batch"), "--jobs", "1"]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(folder)}
    return subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, timeout=180)


def _report(checkout: Path) -> dict:
    return json.loads((checkout.parent / "report.json").read_text())


def _scores(report: dict) -> dict[str, tuple[float, float]]:
    return {t["extra_data"]["item"]: (t["score"], t["max_score"]) for t in report["tests"]}


def test_a_checkout_others_cannot_enter_grades_np_random_at_top_level(private_checkout: Path) -> None:
    proc = _grade(private_checkout)
    assert proc.returncode == 0, proc.stderr
    report = _report(private_checkout)
    assert report["score"] == 100.0, report["output"]
    assert all(score == top for score, top in _scores(report).values()), _scores(report)
    if os.geteuid() == 0:
        assert report["extra_data"]["isolation"]["user"].startswith("uid ")


def test_an_ordinary_user_grades_np_random_at_top_level(users_checkout: Path, ordinary_user: str | None) -> None:
    proc = _grade(users_checkout, ordinary_user)
    assert proc.returncode == 0, proc.stderr
    report = _report(users_checkout)
    assert report["score"] == 100.0, report["output"]
    assert report["extra_data"]["isolation"]["user"] == "not separated (grader is not root)"


def test_a_sandbox_that_cannot_import_numpy_random_refuses_to_grade(private_checkout: Path) -> None:
    """NumPy moved outside what the sandbox may read (as a ``.pth`` file does): the grader and
    the zygote still import it, confined student code cannot, so ``grade`` stops with one line."""
    site = Path(next(p for p in (private_checkout / ".venv" / "lib").glob("python3*/site-packages")))
    outside = private_checkout.parent / "outside"
    outside.mkdir()
    moved = [p.name for p in site.glob("numpy*")]  # with numpy.libs, where its extensions find OpenBLAS
    for name in moved:
        (site / name).rename(outside / name)
    (site / "zz_outside.pth").write_text(f"{outside}\n")
    (private_checkout.parent / "report.json").unlink(missing_ok=True)
    try:
        proc = _grade(private_checkout)
        batch = _batch(private_checkout)
    finally:
        (site / "zz_outside.pth").unlink()
        for name in moved:
            (outside / name).rename(site / name)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "numpy.random" in proc.stderr
    assert not (private_checkout.parent / "report.json").exists()
    assert batch.returncode != 0
    errors = [line for line in batch.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "numpy.random" in errors[0] and "Traceback" not in batch.stderr, batch.stderr
