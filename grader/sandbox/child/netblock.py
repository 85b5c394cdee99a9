"""Deny network access to untrusted student code with a seccomp-BPF filter.

Student submissions must not reach the network (to fetch answers, exfiltrate
tests, or attack other hosts).  Network namespaces would isolate them too, but
creating one needs root or unprivileged user namespaces, which are often
disabled.  A seccomp filter needs neither: after ``PR_SET_NO_NEW_PRIVS`` any
process may install one, and it is inherited across ``fork`` and ``execve``.

The filter makes ``socket()`` and ``socketpair()`` fail with ``EACCES`` unless
the domain is ``AF_UNIX``, which multiprocessing and friends rely on.
``io_uring`` is denied outright because its ``IORING_OP_SOCKET`` opcode creates
sockets without going through the ``socket`` syscall.  The kernel keyring
(``add_key``, ``request_key``, ``keyctl``) is denied too: keys outlive the
process and no IPC namespace separates them.  With ``deny_ipc`` (where the
session has no IPC namespace of its own) SysV shared memory, semaphores and
message queues and POSIX message queues are denied as well, since what they
hold would outlive the grading and be readable by the next one.  Syscalls from a foreign
ABI (x32, or 32-bit ``int 0x80`` on x86_64, which has ``socketcall``) fail
with ``EPERM``.  Everything else is allowed.

Implemented with ctypes only, so no libseccomp or extra package is needed.
"""

import ctypes
import errno
import os

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

# BPF opcodes (linux/filter.h).
_LD_W_ABS = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x05 | 0x10 | 0x00  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x05 | 0x30 | 0x00  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06 | 0x00  # BPF_RET | BPF_K

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000

# Offsets in struct seccomp_data (args[0] low word: both arches are little-endian).
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0 = 16

_AF_UNIX = 1
_X32_SYSCALL_BIT = 0x40000000

# machine -> (audit arch, socket, socketpair, io_uring_setup/enter/register)
_ARCHES: dict[str, tuple[int, int, int, tuple[int, ...]]] = {
    "x86_64": (0xC000003E, 41, 53, (425, 426, 427)),
    "aarch64": (0xC00000B7, 198, 199, (425, 426, 427)),
}
# machine -> add_key, request_key, keyctl
_KEYRING: dict[str, tuple[int, ...]] = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}
# machine -> shm*, sem*, msg* and mq_* syscalls
_IPC: dict[str, tuple[int, ...]] = {
    "x86_64": (29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71, 240, 241, 242, 243, 244, 245),
    "aarch64": tuple(range(180, 198)),
}


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [
        ("len", ctypes.c_ushort),
        ("filter", ctypes.POINTER(_SockFilter)),
    ]


def _assemble(program: list[tuple]) -> list[tuple[int, int, int, int]]:
    """Resolve label names to relative jump offsets.

    Items are ``("label", name)``, ``(code, k)`` or ``(code, k, jt, jf)``
    where ``jt``/``jf`` are label names or ``None`` for the next instruction.
    """
    labels: dict[str, int] = {}
    insns: list[tuple] = []
    for item in program:
        if item[0] == "label":
            labels[item[1]] = len(insns)
        else:
            insns.append(item)
    out = []
    for pc, insn in enumerate(insns):
        code, k, jt, jf = insn if len(insn) == 4 else (*insn, None, None)
        rel = [0 if t is None else labels[t] - pc - 1 for t in (jt, jf)]
        out.append((code, rel[0], rel[1], k))
    return out


def _build_filter(machine: str, deny_ipc: bool = False) -> list[tuple[int, int, int, int]]:
    """Return the filter for ``machine`` as (code, jt, jf, k) tuples."""
    audit_arch, nr_socket, nr_socketpair, nr_io_uring = _ARCHES[machine]
    program: list[tuple] = [
        (_LD_W_ABS, _OFF_ARCH),
        (_JEQ_K, audit_arch, None, "eperm"),
        (_LD_W_ABS, _OFF_NR),
    ]
    if machine == "x86_64":
        program.append((_JGE_K, _X32_SYSCALL_BIT, "eperm", None))
    denied = nr_io_uring + _KEYRING[machine] + (_IPC[machine] if deny_ipc else ())
    program += [(_JEQ_K, nr, "eperm", None) for nr in denied]
    program += [
        (_JEQ_K, nr_socket, "domain", None),
        (_JEQ_K, nr_socketpair, "domain", None),
        (_RET_K, _RET_ALLOW),
        ("label", "domain"),
        (_LD_W_ABS, _OFF_ARG0),
        (_JEQ_K, _AF_UNIX, None, "eacces"),
        (_RET_K, _RET_ALLOW),
        ("label", "eacces"),
        (_RET_K, _RET_ERRNO | errno.EACCES),
        ("label", "eperm"),
        (_RET_K, _RET_ERRNO | errno.EPERM),
    ]
    return _assemble(program)


def block_network(deny_ipc: bool = False) -> str | None:
    """Install the network-blocking seccomp filter on the calling thread (``deny_ipc``: see above).

    Applies to the calling thread and every thread or process it creates
    afterwards, so call it before untrusted code runs and before starting
    threads.  Returns None on success, else a short reason; never raises.
    """
    machine = os.uname().machine
    if machine not in _ARCHES:
        return f"unsupported architecture {machine!r}"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return f"cannot load libc: {exc}"

    ulong = ctypes.c_ulong
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"

    insns = _build_filter(machine, deny_ipc)
    filters = (_SockFilter * len(insns))(*insns)
    prog = _SockFprog(len(insns), filters)
    if libc.prctl(_PR_SET_SECCOMP, ulong(_SECCOMP_MODE_FILTER), ctypes.byref(prog), ulong(0), ulong(0)) != 0:
        return f"prctl(PR_SET_SECCOMP) failed: {os.strerror(ctypes.get_errno())}"
    return None
