"""Build the Gradescope autograder zip: ``python -m gradescope.build [--out ZIP] [--assignment ID]``.

The zip holds, at its root, what Gradescope needs (``setup.sh``, ``run_autograder``) and
what they use: ``grader/``, ``reference/``, ``rubrics/``, the runtime locks (no test packages) and
``fallback_results.json``, the all-zero report ``run_autograder`` falls back to when the
grader cannot run.  No tests, no examples.  Entries are sorted and dated 1980-01-01, so
the same tree gives the same zip.  The zip is checked before it is kept: unpacked into a
temporary folder, its rubric must load and its fallback must validate.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from grader._fs import shipped_files, write_atomically

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

SCRIPTS = {"setup.sh": HERE / "setup.sh", "run_autograder": HERE / "run_autograder"}
LOCKS = {"requirements.lock": PROJECT_ROOT / "requirements.lock",
         "requirements-py310.lock": HERE / "requirements-py310.lock"}
TREES = ("grader", "reference", "rubrics")
EPOCH = (1980, 1, 1, 0, 0, 0)


def collect() -> dict[str, tuple[bytes, int]]:
    """Archive name -> (bytes, mode) for every file shipped, except the generated fallback."""
    files: dict[str, tuple[bytes, int]] = {}
    for name, path in SCRIPTS.items():
        data = path.read_bytes()
        if b"\r" in data:
            raise SystemExit(f"error: {path} has Windows line endings; bash on Gradescope would fail")
        files[name] = (data, 0o755)
    for name, path in LOCKS.items():
        files[name] = (path.read_bytes(), 0o644)
    _check_locks(files["requirements.lock"][0], files["requirements-py310.lock"][0])
    for folder in TREES:
        for path in shipped_files(PROJECT_ROOT / folder):
            files[path.relative_to(PROJECT_ROOT).as_posix()] = (path.read_bytes(), 0o644)
    return files


def _pins(text: bytes) -> dict[str, str]:
    pins = {}
    for line in text.decode().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _check_locks(main: bytes, py310: bytes) -> None:
    """Gradescope's Python 3.10 must get every package the tested lock has (versions may differ); it may
    need a few more (backports, dependencies of older releases), which ``make locks`` resolves for it."""
    missing = sorted(_pins(main).keys() - _pins(py310).keys())
    if missing:
        raise SystemExit(f"error: gradescope/requirements-py310.lock lacks packages requirements.lock pins: {missing}; "
                         "run make locks")


def fallback_json(assignment: str) -> bytes:
    """The all-zero report for when the grader cannot run, validated like any report."""
    from grader.gradescope import FAILED_ITEM, FAILED_MESSAGE
    from grader.reporting.report import dumps, empty_report, validate
    from grader.rubric import load_rubric

    rubric = load_rubric(assignment)
    report = empty_report(rubric, FAILED_MESSAGE)
    for test in report["tests"]:
        test["output"] = FAILED_ITEM
    report["extra_data"]["status"] = "grader_error"
    validate(report, rubric)
    return dumps(report).encode()


def write_zip(files: dict[str, tuple[bytes, int]], out: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            data, mode = files[name]
            info = zipfile.ZipInfo(name, EPOCH)
            info.create_system = 3  # Unix, so unzip restores the modes below
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    write_atomically(out, buffer.getvalue(), mode=0o644)


def self_check(out: Path, assignment: str) -> None:
    """Unpack the zip and load its rubric with this Python: a missing file fails the build, not a student."""
    with tempfile.TemporaryDirectory(prefix="gradescope-check-") as tmp:
        with zipfile.ZipFile(out) as archive:
            archive.extractall(tmp)
        code = ("import json, sys; from grader.rubric import load_rubric; from grader.reporting.report import validate;"
                f"r = load_rubric({assignment!r}); validate(json.load(open('fallback_results.json')), r);"
                "import grader.gradescope, grader.checking.grading, grader.sandbox.child.runner")
        done = subprocess.run([sys.executable, "-E", "-s", "-B", "-c", code], cwd=tmp,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"error: the built zip does not work: {done.stderr.strip().splitlines()[-1:]}")


def build(out: Path, assignment: str = "logreg2") -> Path:
    files = collect()
    files["fallback_results.json"] = (fallback_json(assignment), 0o644)
    write_zip(files, out)
    try:
        self_check(out, assignment)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Gradescope autograder zip.")
    parser.add_argument("--assignment", default="logreg2")
    parser.add_argument("--out", type=Path, help="default: dist/gradescope-ASSIGNMENT.zip")
    args = parser.parse_args(argv)
    out = args.out or PROJECT_ROOT / "dist" / f"gradescope-{args.assignment}.zip"
    build(out, args.assignment)
    with zipfile.ZipFile(out) as archive:
        count = len(archive.namelist())
    print(f"{out}: {count} files, {out.stat().st_size / 1024:.0f} KiB; upload it on Gradescope's Configure Autograder page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
