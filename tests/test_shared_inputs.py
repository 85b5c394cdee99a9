"""The speed check's large matrix is made once per process and handed to sessions as a sealed memfd.

What must hold: the grader and every session see the same bytes, from a seed fixed by the spec
(so reports are the same in every process); nobody can change them (the memfd is sealed, each
session maps it privately); and a student's function that writes into ``X`` changes nothing for
the next submission graded by the same process.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.checking import checks
from grader.checking.grading import grade_path, limits_for
from grader.checking.inputs import generate_cases, shared_fds
from grader.checking.shared_inputs import SharedInputs
from grader.rubric import Rubric
from grader.sandbox.child.protocol import SharedRef, decode, encode
from grader.sandbox.zygote import Zygote

CORRECT = Path(__file__).resolve().parents[1] / "assignments" / "logreg2" / "examples" / "correct.py"


def _timed_check(rubric: Rubric):
    return next(c for item in rubric.items for c in item.checks if c.timing is not None)


def _make(rng: np.random.Generator) -> np.ndarray:
    return rng.normal(size=(1000, 10))


def test_the_same_key_gives_the_same_bytes_in_any_process() -> None:
    first, second = SharedInputs(), SharedInputs()
    a, b = first.get(("gradients_vectorized", "X", (("M", 1000),)), _make), second.get(
        ("gradients_vectorized", "X", (("M", 1000),)), _make)
    assert a.array.tobytes() == b.array.tobytes()
    assert first.get(("other",), _make).array.tobytes() != a.array.tobytes()
    assert first.get(("gradients_vectorized", "X", (("M", 1000),)), _make) is a  # made once


def test_nobody_can_change_a_shared_input() -> None:
    shared = SharedInputs().get(("sealed",), _make)
    assert shared.fd is not None and not shared.array.flags.writeable
    with pytest.raises(ValueError):
        shared.array[0, 0] = 1.0
    with pytest.raises(PermissionError):
        os.pwrite(shared.fd, b"\0" * 8, 0)
    with pytest.raises(PermissionError):
        mmap.mmap(shared.fd, 0, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    with pytest.raises(PermissionError):
        os.ftruncate(shared.fd, 0)
    seals = fcntl.fcntl(shared.fd, fcntl.F_GET_SEALS)
    assert seals & fcntl.F_SEAL_WRITE and seals & fcntl.F_SEAL_SEAL
    private = mmap.mmap(shared.fd, 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    np.frombuffer(private, dtype=np.float64)[:] = 0.0  # a session's own copy-on-write pages
    assert np.frombuffer(os.pread(shared.fd, 80, 0), dtype=np.float64).tolist() == shared.array[0].tolist()


def test_the_timed_matrix_travels_by_slot_and_the_rest_fresh(logreg2_rubric: Rubric) -> None:
    check = _timed_check(logreg2_rubric)
    fds = shared_fds(logreg2_rubric)
    one, two = generate_cases(check, 1, 8, 0), generate_cases(check, 2, 8, 0)
    assert fds and set(one[0].shared) == {"X"} and isinstance(one[0].shared["X"], SharedRef)
    assert one[0].args["X"] is two[0].args["X"]  # the same matrix for every submission ...
    assert not np.array_equal(one[0].args["w"], two[0].args["w"])  # ... with its own w, b and y
    call = checks.build_calls(check, one, ())[0]
    wire = encode({"args": list(call.args)})
    assert len(wire) < 1_000_000 < one[0].args["X"].nbytes  # 800 KB of labels, not 8 MB of X
    ref = one[0].shared["X"]
    assert ref.slot < len(fds) and tuple(ref.shape) == one[0].args["X"].shape


def test_a_shared_reference_decodes_only_when_well_formed() -> None:
    ref = SharedRef(0, "<f8", (3, 2))
    frame = encode({"v": ref})
    header_len = int.from_bytes(frame[:4], "big")
    decoded = decode(frame[8:8 + header_len], [])["v"]
    assert isinstance(decoded, SharedRef) and (decoded.slot, decoded.dtype, decoded.shape) == (0, "<f8", (3, 2))
    from grader.sandbox.child.protocol import ProtocolError

    for bad in (b'{"v": {"__shared__": -1, "dtype": "<f8", "shape": [1]}}',
                b'{"v": {"__shared__": 0, "dtype": "|O", "shape": [1]}}',
                b'{"v": {"__shared__": 0, "dtype": "<f8", "shape": [-1]}}'):
        with pytest.raises(ProtocolError):
            decode(bad, [])


def test_every_known_slip_runs_on_a_read_only_matrix(logreg2_rubric: Rubric) -> None:
    """The reference and the slips get the shared matrix itself, not a copy: none may write into it."""
    check = _timed_check(logreg2_rubric)
    case = generate_cases(check, 3, 8, 0)[0]
    oracle = checks.ReferenceOracle(logreg2_rubric, check)
    assert oracle.expected(case)[0] is not None
    raised = [v for v in oracle.variants(case) if v.raised and "read-only" in v.raised_message]
    assert not raised


VANDAL = '''

def gradients_vectorized(w, b, X, y):
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    answer = np.dot((y_hat - y).T, X) / M, np.sum(y_hat - y) / M
    X[:] = 0.0  # after the right answer: only the next submission could notice
    return answer


import os as _os
for _fd in range(3, 64):
    try:
        _os.pwrite(_fd, b"\\0" * 4096, 0)
    except OSError:
        pass
'''


def test_writes_into_the_matrix_reach_no_other_submission(logreg2_rubric: Rubric, shared_zygote: Zygote,
                                                         folder: Path) -> None:
    vandal, correct = folder / "vandal.py", folder / "correct.py"
    vandal.write_text(CORRECT.read_text() + VANDAL)
    shutil.copy(CORRECT, correct)
    for path in (vandal, correct):
        path.chmod(0o644)
    limits = limits_for(logreg2_rubric)
    first = {r.item.id: r for r in grade_path(vandal, logreg2_rubric, shared_zygote, limits).items}
    assert first["vectorization"].passed  # its answer was right; what it did afterwards is its own
    second = {r.item.id: r for r in grade_path(correct, logreg2_rubric, shared_zygote, limits).items}
    assert second["vectorization"].passed, second["vectorization"].headline
    assert sum(r.score for r in second.values()) == 100
