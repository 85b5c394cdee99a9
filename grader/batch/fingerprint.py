"""Fingerprints for resume: what was graded (the student's name, the file's name and bytes) and what
graded it (rubric, reference, mistakes, every shipped file of the grader, limits).  A report whose two
fingerprints match the entry on disk now is up to date, and a rerun skips that student.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from grader._fs import shipped_files
from grader.batch.discover import Entry
from grader.reporting.report import GRADER_VERSION
from grader.rubric import Rubric
from grader.limits import Limits
from grader.submission.locate import MAX_BYTES, locate
from grader.submission.names import fs_bytes


def grader_fingerprint(rubric: Rubric, limits: Limits) -> str:
    """Changes when anything that decides a grade changes: rubric, reference, mistakes, grader code, limits."""
    digest = hashlib.sha256(f"grader {GRADER_VERSION}\0".encode())
    files = [rubric.path]
    for module in (rubric.reference, rubric.mistakes):
        if module is not None and getattr(module, "__file__", None):
            files.append(Path(module.__file__))
    grader_dir = Path(__file__).resolve().parents[1]
    named = [(path.name, path) for path in files]
    named += [(path.relative_to(grader_dir).as_posix(), path) for path in shipped_files(grader_dir)]
    for name, path in named:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        digest.update(fs_bytes(name) + b"\0" + hashlib.sha256(data).digest())
    digest.update(json.dumps(dataclasses.asdict(limits), sort_keys=True).encode())
    return digest.hexdigest()


def input_fingerprint(student: str, filename: str | None, data: bytes | None, problem: str | None) -> str:
    """What was graded: the student's name and the file's name and bytes (or why there was no file)."""
    digest = hashlib.sha256(b"student\0" + student.encode() + b"\0")
    if filename is None:
        digest.update(b"problem\0" + (problem or "").encode())
    else:
        digest.update(b"file\0" + fs_bytes(filename) + b"\0" + (data or b""))
    return digest.hexdigest()


def entry_fingerprint(entry: Entry) -> str:
    """The input fingerprint of an entry as it is on disk now (what a worker would compute)."""
    found, problem = locate(entry.path)
    if found is None:
        return input_fingerprint(entry.student, None, None, problem)
    try:
        fd = os.open(found, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        return input_fingerprint(entry.student, None, None, f"unreadable: {exc}")
    return input_fingerprint(entry.student, found.name, data, None)


def up_to_date(report: dict[str, Any] | None, entry: Entry, grader_fp: str) -> bool:
    if report is None:
        return False
    batch = report.get("extra_data", {}).get("batch")
    if not isinstance(batch, dict) or batch.get("grader") != grader_fp or not batch.get("input"):
        return False
    return batch["input"] == entry_fingerprint(entry)
