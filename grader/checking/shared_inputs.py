"""Large inputs made once per grader process and handed to every session copy-on-write.

Generating, copying and sending the speed check's 100,000 x 10 matrix for each submission
cost 60-110 ms of a correct submission's ~300 ms.  An argument whose spec says ``shared`` is
made once per process from a seed fixed by its spec and dimensions (not by the submission:
the matrix is not secret, and knowing it helps no one while ``w``, ``b`` and ``y`` stay fresh
per submission), so every process and every rerun grades on the same matrix.  Its bytes go
into a sealed memfd that no process can write to, passed to each session when it is spawned;
the item child maps it privately, so whatever a student's function writes into ``X`` stays in
that child.  Where memfds or seals are missing, the array is sent with the item as before.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from grader.sandbox.child.protocol import SharedRef

_SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE


@dataclass(frozen=True)
class SharedArray:
    """One shared input: the grader's read-only copy, and where the sessions find theirs (None: sent)."""

    array: np.ndarray
    ref: SharedRef | None
    fd: int | None


class SharedInputs:
    """The process's shared inputs, in the order their memfds are passed to a session."""

    def __init__(self) -> None:
        self._arrays: dict[tuple, SharedArray] = {}

    def get(self, key: tuple, make: Callable[[np.random.Generator], np.ndarray]) -> SharedArray:
        """The array for ``key``, made by ``make`` from a generator seeded by the key alone."""
        found = self._arrays.get(key)
        if found is None:
            digest = hashlib.sha256(repr(key).encode()).digest()
            array = np.ascontiguousarray(make(np.random.default_rng(int.from_bytes(digest[:8], "big"))))
            array.setflags(write=False)
            fd = _sealed_memfd(array)
            slot = sum(1 for a in self._arrays.values() if a.fd is not None)
            ref = SharedRef(slot, array.dtype.str, array.shape) if fd is not None else None
            found = self._arrays[key] = SharedArray(array, ref, fd)
        return found

    def fds(self) -> list[int]:
        """The memfds, slot by slot, for ``Zygote.spawn``."""
        return [a.fd for a in self._arrays.values() if a.fd is not None]


def _sealed_memfd(array: np.ndarray) -> int | None:
    """A memfd holding the array's bytes that nobody can change or resize any more; None where unsupported."""
    try:
        fd = os.memfd_create("lr2-shared-input", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    except (AttributeError, OSError):
        return None
    try:
        view = memoryview(array).cast("B")
        written = 0
        while written < len(view):
            written += os.write(fd, view[written:])
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)
    except OSError:
        os.close(fd)
        return None
    return fd


SHARED = SharedInputs()
