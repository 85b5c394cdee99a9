"""Confine untrusted student code to a few folders with the Landlock LSM.

On a TA's laptop the grader, and so the forked child running a submission,
runs as the TA's own user.  File permissions therefore cannot stop student
code from reading the reference solution, the hidden tests or other students'
work: the TA owns all of it.  Mount namespaces or chroot would hide those
files, but they need root or unprivileged user namespaces, which are often
disabled.  Landlock (Linux >= 5.13) needs neither: any process may restrict
itself to an allow-list of folders, and the restriction is inherited across
``fork`` and ``execve`` and can never be lifted.

The ruleset handles every filesystem access right the running kernel knows
(network rights are left alone; see ``grader.sandbox.child.netblock``).  ``read_only``
paths may be read, listed and executed; ``read_write`` paths get every
right.  Anything else is denied with ``EACCES``.  Files already open when the
restriction is applied stay usable.

Devices: callers list ``READABLE_DEVICES`` among what may be read, never all of
``/dev`` (that would hand student code the user's terminals and ``/dev/shm``);
``WRITABLE_DEVICES`` (the null, zero and full devices, which store nothing) may
always be read and written.

Implemented with raw syscalls through ctypes, so no extra package is needed.
"""

import ctypes
import os
import stat
from collections.abc import Sequence

# Syscall numbers: the same on x86_64 and aarch64 (asm-generic table).
_NR_LANDLOCK_CREATE_RULESET = 444
_NR_LANDLOCK_ADD_RULE = 445
_NR_LANDLOCK_RESTRICT_SELF = 446
_SUPPORTED_MACHINES = ("x86_64", "aarch64")

_LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
_LANDLOCK_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (linux/landlock.h).
_EXECUTE = 1 << 0
_WRITE_FILE = 1 << 1
_READ_FILE = 1 << 2
_READ_DIR = 1 << 3
_REFER = 1 << 13  # ABI 2
_TRUNCATE = 1 << 14  # ABI 3
_IOCTL_DEV = 1 << 15  # ABI 5

_ACCESS_V1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM (bits 0..12)
# Rights that make sense on a non-directory; others are rejected with EINVAL.
_ACCESS_FILE = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_READ_ONLY = _EXECUTE | _READ_FILE | _READ_DIR

# What Python and NumPy need of /dev: no ttys or ptys, no /dev/shm, no block devices.
READABLE_DEVICES = ("/dev/urandom", "/dev/random")
WRITABLE_DEVICES = ("/dev/null", "/dev/zero", "/dev/full")


class _RulesetAttr(ctypes.Structure):
    # ABI 4 appends u64 handled_access_net; passing only this prefix is accepted.
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _handled_access(abi: int) -> int:
    """Return every filesystem right known to Landlock ABI ``abi``."""
    access = _ACCESS_V1
    if abi >= 2:
        access |= _REFER
    if abi >= 3:
        access |= _TRUNCATE
    if abi >= 5:
        access |= _IOCTL_DEV
    return access


def _libc_syscall():
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    return libc, syscall


def _abi_version() -> int | str:
    """Return the kernel's Landlock ABI version, or a reason it is unusable."""
    machine = os.uname().machine
    if machine not in _SUPPORTED_MACHINES:
        return f"unsupported architecture {machine!r}"
    try:
        _, syscall = _libc_syscall()
    except (OSError, AttributeError) as exc:
        return f"cannot load libc: {exc}"
    abi = syscall(
        ctypes.c_long(_NR_LANDLOCK_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION),
    )
    if abi >= 1:
        return int(abi)
    err = ctypes.get_errno()
    if err == 38:  # ENOSYS
        return "Landlock is not supported by this kernel (needs Linux 5.13+)"
    if err == 95:  # EOPNOTSUPP
        return "Landlock is supported by this kernel but disabled at boot (lsm=)"
    return f"landlock_create_ruleset(version) failed: {os.strerror(err)}"


def _add_rules(syscall, ruleset_fd: int, paths: Sequence[str], access: int) -> str | None:
    """Add a path-beneath rule granting ``access`` for each existing path."""
    for path in paths:
        try:
            fd = os.open(os.fspath(path), os.O_PATH | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except (OSError, TypeError, ValueError) as exc:
            return f"cannot open {path!r}: {exc}"
        try:
            allowed = access
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                allowed &= _ACCESS_FILE
            if not allowed:
                continue
            attr = _PathBeneathAttr(allowed, fd)
            if syscall(
                ctypes.c_long(_NR_LANDLOCK_ADD_RULE),
                ctypes.c_int(ruleset_fd),
                ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                ctypes.byref(attr),
                ctypes.c_uint32(0),
            ) != 0:
                return f"landlock_add_rule({path!r}) failed: {os.strerror(ctypes.get_errno())}"
        except OSError as exc:
            return f"cannot stat {path!r}: {exc}"
        finally:
            os.close(fd)
    return None


def restrict_filesystem(read_only: Sequence[str], read_write: Sequence[str]) -> str | None:
    """Restrict the calling thread's filesystem access to the given paths.

    ``read_only`` paths (folders and everything beneath them, or single
    files) may be read, listed and executed; ``read_write`` paths, and the
    ``WRITABLE_DEVICES``, may also be modified.  Paths that do not exist are skipped.  Applies to the calling
    thread and every thread or process it creates afterwards, so call it
    before untrusted code runs and before starting threads.  Returns None on
    success, else a short reason; never raises.
    """
    if isinstance(read_only, (str, bytes)) or isinstance(read_write, (str, bytes)):
        return "read_only and read_write must be sequences of paths, not strings"
    try:
        return _restrict(list(read_only), list(read_write))
    except Exception as exc:  # never raise into the sandbox setup
        return f"cannot apply Landlock: {exc}"


def _restrict(read_only: list, read_write: list) -> str | None:
    abi = _abi_version()
    if isinstance(abi, str):
        return abi
    libc, syscall = _libc_syscall()
    handled = _handled_access(abi)

    ruleset = _RulesetAttr(handled)
    ruleset_fd = syscall(
        ctypes.c_long(_NR_LANDLOCK_CREATE_RULESET),
        ctypes.byref(ruleset),
        ctypes.c_size_t(ctypes.sizeof(ruleset)),
        ctypes.c_uint32(0),
    )
    if ruleset_fd < 0:
        return f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}"
    ruleset_fd = int(ruleset_fd)
    try:
        reason = _add_rules(syscall, ruleset_fd, read_only, _READ_ONLY & handled)
        if reason is None:
            reason = _add_rules(syscall, ruleset_fd, [*read_write, *WRITABLE_DEVICES], handled)
        if reason is not None:
            return reason

        ulong = ctypes.c_ulong
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
            return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
        if syscall(
            ctypes.c_long(_NR_LANDLOCK_RESTRICT_SELF),
            ctypes.c_int(ruleset_fd),
            ctypes.c_uint32(0),
        ) != 0:
            return f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}"
        return None
    finally:
        os.close(ruleset_fd)


_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1  # ABI 6


class _ScopedRulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def restrict_scope() -> str | None:
    """Forbid signals to processes outside the calling thread's new Landlock domain,
    and connections to abstract Unix sockets created outside it (ABI 6, Linux 6.12).

    Without this, student code running as the grader's own user could stop or kill
    the grader, or reach a local service listening on an abstract socket.  Stacks
    on top of ``restrict_filesystem``.  Returns None on success, else a short
    reason; never raises.
    """
    try:
        abi = _abi_version()
        if isinstance(abi, str):
            return abi
        if abi < 6:
            return f"Landlock ABI {abi} has no signal scoping (needs ABI 6, Linux 6.12+)"
        libc, syscall = _libc_syscall()
        attr = _ScopedRulesetAttr(0, 0, _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL)
        ruleset_fd = syscall(ctypes.c_long(_NR_LANDLOCK_CREATE_RULESET), ctypes.byref(attr),
                             ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0))
        if ruleset_fd < 0:
            return f"landlock_create_ruleset(scoped) failed: {os.strerror(ctypes.get_errno())}"
        try:
            ulong = ctypes.c_ulong
            if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
                return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
            if syscall(ctypes.c_long(_NR_LANDLOCK_RESTRICT_SELF), ctypes.c_int(int(ruleset_fd)), ctypes.c_uint32(0)) != 0:
                return f"landlock_restrict_self(scoped) failed: {os.strerror(ctypes.get_errno())}"
            return None
        finally:
            os.close(int(ruleset_fd))
    except Exception as exc:  # never raise into the sandbox setup
        return f"cannot apply Landlock scoping: {exc}"
