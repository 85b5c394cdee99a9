"""The sandbox side: a pre-started zygote that forks one confined process tree per submission.

Runs as ``python -I -B runner.py CONTROL_FD``.  The zygote imports NumPy (and
Matplotlib) once, never loads student code, and forks a *mainline* per
submission.  The mainline confines itself (session, limits, user, Landlock,
network filter) before any student byte runs, then executes the submission's
cells and answers the grader's item requests in forked item children: a fresh
one from the loaded state whenever the grader asks, else the child the last item
left (see ``_item_child``), so no item's leftovers can cost another its points.

Everything here after the fork is assumed hostile by the grader: this code
speaks only on its own channel, with plain-data frames (see ``protocol``), and
the grader judges every value itself.  The zygote is a child subreaper, so any
process a submission leaves behind is re-parented to it and killed on request.
"""

from __future__ import annotations

import builtins
import copy
import ctypes
import gc
import importlib
import importlib.util
import mmap
import os
import random
import resource
import select
import signal
import socket
import stat
import sys
import time
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")



def _drop_the_checkout_from_the_path() -> None:
    """Take the grader's own checkout off ``sys.path`` (the Python installation inside it stays),
    before anything is imported.

    ``-I`` keeps the current folder and PYTHONPATH off the path, but not what a ``.pth`` in
    site-packages adds: ``make venv`` adds the checkout that way, so that the grader imports
    anywhere, and student code must not find the reference or the rubric through it, nor
    through the finder Python made for that folder at start-up (looking for sitecustomize, as
    root), which holds its listing.  Other ``.pth`` folders stay: packages may live there.
    """
    checkout = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 3))
    installation = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}

    def within(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder.rstrip("/") + "/")

    def ours(entry: str) -> bool:
        real = os.path.realpath(entry)
        return within(real, checkout) and not any(within(real, prefix) for prefix in installation)

    sys.path[:] = [entry for entry in sys.path if entry and not ours(entry)]
    for entry in [entry for entry in sys.path_importer_cache if ours(entry)]:
        del sys.path_importer_cache[entry]


_drop_the_checkout_from_the_path()

import numpy  # noqa: E402  (imported once here so every fork has it; threads are limited above)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder off the path

# The siblings import only now: after the checkout is off the path and this folder on it.
import control  # noqa: E402
import landlock  # noqa: E402
import netblock  # noqa: E402
import protocol  # noqa: E402
from cell_loader import describe_status, flush_output, load_cells  # noqa: E402
from student_namespace import StudentNamespace, describe_error  # noqa: E402
from testfunctions import TEST_FUNCTIONS  # noqa: E402

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
_MOUNT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
CLONE_NEWIPC, CLONE_NEWUSER = 0x08000000, 0x10000000
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
FORK_RETRY_SECONDS = 10.0
_fork_retry_seconds = FORK_RETRY_SECONDS  # at most half the call limit, once confined
_libc = ctypes.CDLL(None, use_errno=True)
_MAX_COVERED_FOLDERS = 16
PROBE_SECONDS = 60.0
# What the zygote's start check imports as the sandbox user: NumPy loads these lazily, on first use.
_SANDBOX_IMPORTS = ("numpy.random", "numpy.fft", "numpy.polynomial", "numpy.linalg", "matplotlib.pyplot")


def _preload() -> None:
    """Import what student code usually imports, so each fork gets it for free."""
    import math  # noqa: F401
    import random  # noqa: F401

    import numpy.random  # noqa: F401  (np.random.seed opens most notebooks: 10 ms per session otherwise)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot
    except ImportError:
        pass


# --------------------------------------------------------------------------- channel


class Channel:
    """Blocking frame I/O on the submission's socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = protocol.FrameReader(max_header=protocol.MAX_REQUEST_HEADER_BYTES)

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(protocol.encode(message))

    def recv(self) -> dict[str, Any]:
        while True:
            message = self.reader.next_frame()
            if message is not None:
                return message
            self._read()

    def resync(self) -> None:
        """Skip to the grader's next sync marker: an item child that was killed may have
        left part of a frame unread on this shared socket."""
        while not self.reader.resync():
            self._read()

    def _read(self) -> None:
        if not self.reader.fill(self.sock):
            os._exit(0)


# --------------------------------------------------------------------------- confinement


def _confine(config: dict[str, Any]) -> dict[str, Any]:
    """Apply every limit before student code loads; report what could not be applied."""
    report: dict[str, Any] = {}
    os.setsid()
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    private_ipc = _private_ipc(report)
    uid, gid = config.get("uid"), config.get("gid")
    if os.geteuid() == 0:
        reason = _private_mounts(config["scratch"], uid, gid, int(config["limits"]["scratch_mb"]), config["read_only"])
        report["mounts"] = reason or "private: everything read-only but a size-capped tmpfs scratch folder"
    os.chdir(config["scratch"])
    # Landlock first: its rules are opened with the grader's rights, so folders the
    # sandbox user cannot open (a venv under /root) still get a rule; it survives setuid.
    reason = landlock.restrict_filesystem(config["read_only"], [config["scratch"]])
    report["filesystem"] = reason or "confined to the scratch folder and the Python installation (Landlock)"
    reason = landlock.restrict_scope()
    report["signals"] = reason or "only to its own processes (Landlock scope)"
    if uid is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        report["user"] = f"uid {uid}"
        report["processes"] = ("a sandbox user shared with concurrent gradings (no numbered sandbox users exist)"
                               if config.get("shared_uid") else "a sandbox user of its own: own process limit, "
                               "no other grading's processes to signal")
    elif os.geteuid() == 0:
        report["user"] = "not separated (no unprivileged sandbox user exists)"
    else:
        report["user"] = "not separated (grader is not root)"
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    limits = config["limits"]
    vm_now = _vm_size_bytes()
    for name, value in (
        ("RLIMIT_CPU", int(limits["cpu_seconds"])),
        ("RLIMIT_AS", vm_now + int(limits["memory_mb"]) * 1024 * 1024),
        ("RLIMIT_NPROC", int(limits["processes"]) + (0 if uid is not None else _processes_of_user())),
        ("RLIMIT_FSIZE", int(limits["file_mb"]) * 1024 * 1024),
        ("RLIMIT_NOFILE", int(limits["open_files"])),
        ("RLIMIT_CORE", 0),
    ):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError) as exc:
            report.setdefault("not_applied", []).append(f"{name}: {exc}")
    _bound_fork_retry(float(limits.get("call_seconds", FORK_RETRY_SECONDS)))
    reason = netblock.block_network(deny_ipc=not private_ipc)
    report["network"] = reason or "blocked (seccomp)"
    report["keyring"] = reason or "denied (seccomp: keyctl, add_key, request_key)"
    if not private_ipc:
        report["ipc"] += "; " + (reason or "SysV IPC and POSIX message queues denied (seccomp)")
    os.environ.clear()
    os.environ.update(
        HOME=config["scratch"], TMPDIR=config["scratch"], PATH="/usr/bin:/bin", LANG="C.UTF-8",
        MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
    )
    return report


def _private_ipc(report: dict[str, Any]) -> bool:
    """An IPC namespace of the submission's own, so SysV shared memory, semaphores and message
    queues (and POSIX queues) vanish with its last process and no other grading can meet them.

    As root a plain unshare; otherwise inside a new user namespace (mapped to our own uid,
    capabilities dropped at once) where the kernel allows unprivileged ones.  Must run
    before Landlock, which would forbid writing the uid map.
    """
    as_root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWIPC if as_root else CLONE_NEWUSER | CLONE_NEWIPC) != 0:
        report["ipc"] = f"shared with the machine (no IPC namespace: {os.strerror(ctypes.get_errno())})"
        return False
    if not as_root:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            try:
                with open(f"/proc/self/{name}", "w") as f:
                    f.write(text)
            except OSError:
                pass
        _drop_capabilities()
    report["ipc"] = "private (IPC namespace)" if as_root else "private (IPC namespace in a user namespace)"
    return True


def _drop_capabilities() -> None:
    """Give up the capabilities a new user namespace grants: student code needs none of them."""
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if _libc.capset(header, data) != 0:
        os._exit(1)  # never run student code with capabilities it could use


def _private_mounts(scratch: str, uid: int | None, gid: int | None, scratch_mb: int,
                    readable: list[str]) -> str | None:
    """As root: a mount namespace of the submission's own, where every mount is read-only,
    the scratch folder is a fresh tmpfs of ``scratch_mb``, /proc shows only the
    sandbox user's processes, and the sandbox user can reach every ``readable`` folder
    (the venv) even inside a checkout it cannot enter (see ``_make_reachable``).

    This confines writes and caps disk use (including files unlinked while open,
    which no folder scan sees) even where Landlock is missing, and hides other
    processes' command lines (other students' file names, in a batch).  The grader
    keeps seeing the original, empty folder; the tmpfs vanishes with the last process.
    """
    if _libc.unshare(CLONE_NEWNS) != 0:
        return f"no mount namespace ({os.strerror(ctypes.get_errno())})"
    if _mount(None, "/", MS_REC | MS_PRIVATE) is not None:
        return "no mount namespace (cannot make mounts private)"
    failed = [target for target, flags in _mount_points()
              if _mount(None, target, MS_REMOUNT | MS_BIND | MS_RDONLY | flags) is not None]
    unreachable = _make_reachable([*readable, scratch], uid, gid) if uid is not None else None
    owner = f",uid={uid},gid={gid}" if uid is not None else ""
    options = f"size={scratch_mb}m,nr_inodes=20000,mode=0700{owner}"
    reason = _mount("tmpfs", scratch, MS_NOSUID | MS_NODEV, "tmpfs", options)
    if reason is not None:
        return f"no tmpfs scratch folder ({reason})"
    if _mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc", "hidepid=2") is not None:
        return "other processes stay visible in /proc"
    if failed:
        return f"{len(failed)} mount(s) stayed writable: {', '.join(failed[:5])}"
    return unreachable


def _make_reachable(paths: list[str], uid: int, gid: int) -> str | None:
    """Let ``uid`` reach every one of ``paths`` whose ancestors it cannot enter (a checkout
    in /root or in a ``mktemp -d`` folder, with its venv inside): each closed ancestor gets
    a read-only tmpfs (mode 0755) that holds only the way down to those paths, each bound
    back read-only.

    Nothing else of a closed folder becomes visible (a checkout's reference/ stays
    hidden), and only in this mount namespace: the grader sees no change.  A path
    that is itself closed stays closed; the zygote's start check reports it.
    """
    wanted = sorted({p for path in paths if os.path.exists(path)
                     for p in (os.path.abspath(path), os.path.realpath(path))})
    for _ in range(_MAX_COVERED_FOLDERS):
        closed = next((folder for folder in (_closed_ancestor(p, uid, gid) for p in wanted) if folder), None)
        if closed is None:
            return None
        reason = _cover(closed, [p for p in wanted if p.startswith(closed.rstrip("/") + "/")])
        if reason is not None:
            return f"{closed} stays closed to the sandbox user ({reason})"
    return f"more than {_MAX_COVERED_FOLDERS} folders on the way to the Python installation are closed to the sandbox user"


def _closed_ancestor(path: str, uid: int, gid: int) -> str | None:
    """The outermost folder above ``path`` that ``uid`` (with ``gid``, no other groups) cannot enter."""
    parts = path.strip("/").split("/")[:-1]
    for depth in range(len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        try:
            info = os.stat(folder)
        except OSError:
            return None
        if not _can_enter(info, uid, gid):
            return folder
    return None


def _can_enter(info: os.stat_result, uid: int, gid: int) -> bool:
    if info.st_uid == uid:
        return bool(info.st_mode & 0o100)
    if info.st_gid == gid:
        return bool(info.st_mode & 0o010)
    return bool(info.st_mode & 0o001)


def _cover(closed: str, below: list[str]) -> str | None:
    """Mount the tmpfs over ``closed`` and bind the outermost of ``below`` back into it."""
    outermost = [p for p in below if not any(p.startswith(q + "/") for q in below)]
    if closed == "/" or not outermost:
        return "it cannot be covered"
    handles: dict[str, int] = {}
    try:
        for path in outermost:
            handles[path] = os.open(path, os.O_PATH | os.O_CLOEXEC)  # before the tmpfs hides it
        reason = _mount("tmpfs", closed, MS_NOSUID | MS_NODEV, "tmpfs", "size=1m,nr_inodes=4096,mode=0755")
        if reason is not None:
            return reason
        for path, handle in handles.items():
            reason = _bind_back(closed, path, handle)
            if reason is not None:
                return reason
    except OSError as exc:
        return str(exc)
    finally:
        for handle in handles.values():
            os.close(handle)
    return _mount(None, closed, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind_back(closed: str, path: str, handle: int) -> str | None:
    """Recreate ``path`` inside the tmpfs on ``closed`` and bind the original (``handle``) there, read-only."""
    folder = closed.rstrip("/")
    for part in path[len(folder) + 1:].split("/")[:-1]:
        folder += "/" + part
        if not os.path.isdir(folder):
            os.mkdir(folder)
            os.chmod(folder, 0o755)
    if stat.S_ISDIR(os.fstat(handle).st_mode):
        os.mkdir(path)
        os.chmod(path, 0o755)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
    flags = MS_NOSUID | MS_NODEV | (MS_NOEXEC if os.fstatvfs(handle).f_flag & os.ST_NOEXEC else 0)
    return (_mount(f"/proc/self/fd/{handle}", path, MS_BIND | MS_REC)
            or _mount(None, path, MS_REMOUNT | MS_BIND | MS_RDONLY | flags))


def _probe(config: dict[str, Any]) -> str | None:
    """Confine a child exactly as a submission's mainline and import there what submissions
    may use: why it could not (None when it could), so the grader refuses to start rather
    than score correct work 0."""
    names = [name for name in _SANDBOX_IMPORTS if _installed(name)]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the grader's own streams: its report, and grade's one line of refusal
            os.dup2(null, fd)
        try:
            _confine(config)
            answer = "ok " + (_unimportable(names) or "")
        except BaseException as exc:  # noqa: BLE001 (any failure to confine is the answer)
            answer = f"ok the sandbox could not be set up ({type(exc).__name__}: {exc})"
        os.write(write_end, answer.encode()[:4096])
        os._exit(0)
    os.close(write_end)
    answer = b""
    give_up = time.monotonic() + PROBE_SECONDS
    while time.monotonic() < give_up and select.select([read_end], [], [], max(0.0, give_up - time.monotonic()))[0]:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        answer += chunk
    os.close(read_end)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if not answer.startswith(b"ok "):
        return f"a confined test process ended or hung (no answer within {PROBE_SECONDS:g} s) before importing anything"
    return answer[3:].decode("utf-8", "replace") or None


def _installed(name: str) -> bool:
    """Whether the grader's own Python has ``name`` (a missing optional package is not the sandbox's fault)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _unimportable(names: list[str]) -> str | None:
    """The first of ``names`` this process cannot import, or whose file it cannot read, with why."""
    for name in names:
        try:
            path = getattr(importlib.import_module(name), "__file__", None)
            if path is None:  # a folder it may not list imports as an empty namespace package
                return f"{name} (its folder cannot be read)"
            with open(path, "rb") as f:  # imported by the zygote already: still readable here?
                f.read(1)
        except Exception as exc:  # noqa: BLE001 (why it failed is the answer)
            return f"{name} ({type(exc).__name__}: {exc})"
    return None


def _mount(source: str | None, target: str, flags: int, fstype: str | None = None, data: str | None = None) -> str | None:
    if _libc.mount(_bytes(source), _bytes(target), _bytes(fstype), ctypes.c_ulong(flags), _bytes(data)) != 0:
        return os.strerror(ctypes.get_errno())
    return None


def _bytes(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _mount_points() -> list[tuple[str, int]]:
    """Every mount point with the flags it must keep when remounted read-only."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            target = fields[4].encode().decode("unicode_escape")
            flags = sum(_MOUNT_FLAGS.get(option, 0) for option in fields[5].split(","))
            points.append((target, flags))
    return points


def _fork() -> int:
    """``os.fork``, waiting out a full process table for at most half the call limit, so the
    wait never turns into a timeout charged to the student.  With a sandbox user per grading
    the table is this submission's own (what its earlier steps left is swept); only a
    shared sandbox user makes a neighbour's bomb something to wait out."""
    give_up = time.monotonic() + _fork_retry_seconds
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.05)


def _bound_fork_retry(call_seconds: float) -> None:
    global _fork_retry_seconds
    _fork_retry_seconds = min(FORK_RETRY_SECONDS, call_seconds / 2)


def _vm_size_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _processes_of_user() -> int:
    """RLIMIT_NPROC counts every process of the uid, so leave room for the user's own."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count + 64


# --------------------------------------------------------------------------- items


def _make_stub(channel: Channel, name: str, answers: dict[bytes, Any], used: list[str]) -> Any:
    def stub(*args: Any, **kwargs: Any) -> Any:
        if answers:
            key = protocol.call_key(name, args, kwargs)
            if key in answers:
                used.append(name)
                return copy.deepcopy(answers[key])
        channel.send({"op": "callback", "fn": name, "args": list(args), "kwargs": kwargs})
        reply = channel.recv()
        if reply.get("op") != "callback_result":
            os._exit(3)
        if "error" in reply:
            raise TypeError(f"{name}() {reply['error']}")
        return reply["value"]

    stub.__name__ = name
    return stub


def _answer_table(packed: Any, stubs: list[str]) -> dict[bytes, Any]:
    """The answers the grader sent with a call (``grader.checking.standin_answers``), keyed by the
    digest of the stub's own call (``protocol.call_key``)."""
    return {key: value for name, key, value in protocol.unpack_answers(packed) if name in stubs}


def _restore(namespace: dict[str, Any], stubs: list[str], originals: dict[str, Any]) -> None:
    """Put the student's own functions back (and remove stubs for ones they never defined)."""
    for name in stubs:
        namespace.pop(name, None)
    namespace.update(originals)


def _argument(value: Any) -> Any:
    if isinstance(value, protocol.CallableRef):
        return TEST_FUNCTIONS[value.name]
    if isinstance(value, protocol.SharedRef):
        return _shared_array(value)
    return value


# The session's shared inputs, mapped privately at spawn: an item child's writes stay its own.
_shared: list[mmap.mmap] = []


def _map_shared(fds: list[int]) -> None:
    for fd in fds:
        _shared.append(mmap.mmap(fd, 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE))
        os.close(fd)  # the mapping keeps its own descriptor


def _shared_array(ref: protocol.SharedRef) -> Any:
    """A fresh writable array over a shared input's pages (copied only where the call writes)."""
    dtype = numpy.dtype(ref.dtype)
    count = 1
    for axis in ref.shape:
        count *= axis
    return numpy.frombuffer(_shared[ref.slot], dtype=dtype, count=count).reshape(ref.shape)


def _observable_state(student: StudentNamespace) -> tuple:
    """What a later item could see of an item's leftovers, as identities cheap to compare: which
    object every global of the submission (and of its %%writefile modules), of builtins and of
    NumPy is bound to, the modules imported, the random states, NumPy's error handling and the
    working folder.  Not in-place changes inside objects: the grader re-runs any item that is not
    a clean pass in a fresh child, so a change this misses can cost no points."""
    spaces = [student.globals] + [vars(m) for m in map(sys.modules.get, student.shell.written) if m is not None]
    return (tuple(_bindings(space) for space in spaces), _bindings(vars(builtins)), _bindings(vars(numpy)),
            len(sys.modules), _legacy_random_state(), random.getstate(),
            tuple(sorted(numpy.geterr().items())), os.getcwd())


def _bindings(space: dict[str, Any]) -> dict[str, int]:
    """Which object each name is bound to (in any order: restoring stand-ins reorders a namespace)."""
    return {k: id(v) for k, v in list(space.items())}


def _legacy_random_state() -> bytes | None:
    """``np.random``'s global state, read without importing it (a state read must change nothing)."""
    legacy = sys.modules.get("numpy.random")
    return None if legacy is None else legacy.get_state()[1].tobytes()


def _item_child(channel: Channel, request: dict[str, Any], student: StudentNamespace, filename: str) -> None:
    """Answer item requests until the grader sends something else: consecutive items share this
    child while each is a clean pass that leaves what ``_observable_state`` sees as it was."""
    before = _state_or_none(student)
    while request.get("op") == "item":
        channel.send({"op": "item_start", "pid": os.getpid()})
        _run_item(channel, request, student, filename)
        flush_output()  # what the item printed is pushed now: a held child may be killed, never exit
        after = _state_or_none(student)
        channel.send({"op": "item_done", "changed": before is None or after != before})
        before = after  # the next item starts from this state: only this child's own code runs between
        request = channel.recv()


def _state_or_none(student: StudentNamespace) -> tuple | None:
    """None when student code broke what the state is read through (a patched ``os.getcwd``)."""
    try:
        return _observable_state(student)
    except BaseException:  # noqa: BLE001 (whatever it raises, the child is not reused)
        return None


def _run_item(channel: Channel, request: dict[str, Any], student: StudentNamespace, filename: str) -> None:
    """Answer every call of one item."""
    for index, call in enumerate(request["calls"]):
        fn = student.lookup(call["fn"])
        if not callable(fn):
            bound = None if fn is None and call["fn"] not in student.globals else protocol.type_name(fn)
            channel.send({"op": "result", "index": index, "missing": True, "bound_to": bound})
            continue
        # Stand-ins go where the function looks its callees up (a %%writefile module has its own globals).
        namespace = fn.__globals__ if isinstance(getattr(fn, "__globals__", None), dict) else student.globals
        stubs = call.get("stubs", [])
        originals = {name: namespace[name] for name in stubs if name in namespace}
        answers, used = _answer_table(call.get("answers"), stubs), []
        namespace.update({name: _make_stub(channel, name, answers, used) for name in stubs})
        args = [_argument(a) for a in call["args"]]
        if call.get("timed"):
            channel.send({"op": "ready", "index": index})
            go = channel.recv()
            for position, value in go.get("args", []):
                args[position] = _argument(value)
        keywords = call.get("keywords", [])  # the last arguments go by name (``model(..., num_iterations=...)``)
        split = len(args) - len(keywords)
        try:
            value = fn(*args[:split], **dict(zip(keywords, args[split:])))
        except BaseException as exc:  # noqa: BLE001 (SystemExit and KeyboardInterrupt are the student's too)
            _restore(namespace, stubs, originals)
            answers.clear()  # a stub kept for later asks the grader, which answers only its own item
            channel.send({"op": "result", "index": index, "error": describe_error(exc, filename),
                          "used": list(dict.fromkeys(used))})
            continue
        _restore(namespace, stubs, originals)
        answers.clear()
        message = {"op": "result", "index": index, "value": value, "used": list(dict.fromkeys(used))}
        if call.get("return_args"):
            message["args_after"] = [args[i] for i in call["return_args"]]
        try:
            channel.send(message)
        except Exception:  # noqa: BLE001 (a value whose conversion raises is the student's problem)
            channel.send({"op": "result", "index": index, "value": protocol.Unsupported("unconvertible value")})


def _serve(channel: Channel, student: StudentNamespace, filename: str) -> None:
    """Mainline loop: fork an item child when the grader asks for an item; it serves items until the
    grader lets it go (``_item_child``), then this loop forks the next one from the loaded state."""
    while True:
        channel.resync()
        request = channel.recv()
        if request.get("op") != "item":
            os._exit(0)
        _reap_zombies()  # children the cells started and a sweep killed: they count against RLIMIT_NPROC
        gc.freeze()  # the loaded state too: an item child's collections leave its pages shared
        pid = _fork()
        if pid == 0:
            os.setsid()
            try:
                _item_child(channel, request, student, filename)
            finally:
                flush_output()
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        channel.sock.sendall(protocol.SYNC)  # the child may have died halfway through a frame
        channel.send({"op": "item_end", "status": describe_status(status)})


def _submission_main(config: dict[str, Any], sock: socket.socket) -> None:
    channel = Channel(sock)
    isolation = _confine(config)
    channel.send({"op": "hello", "isolation": isolation})
    request = channel.recv()
    student = StudentNamespace(request["module_name"], os.getcwd())
    load_cells(channel, request["cells"], student, _fork)
    _serve(channel, student, request["filename"])


# --------------------------------------------------------------------------- zygote


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except OSError:
        pass
    return kids


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        for kid in _children(stack.pop()):
            found.append(kid)
            stack.append(kid)
    return found


def _ancestors(pid: int, stop: int) -> set[int]:
    """``pid`` and its parents up to (not including) ``stop``."""
    chain: set[int] = set()
    while pid > 1 and pid != stop and pid not in chain:
        chain.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return chain if pid == stop else set()


def _reap_zombies() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _sweep(keep: set[int]) -> int:
    """Kill every descendant of the zygote outside ``keep`` until two walks in a row find none.

    One empty walk is not enough: it reads the tree from the top, so a process re-parented to the
    zygote while the walk reads further down (its parent exiting, as a double fork's middle
    process does) is under neither the parent it left, read later, nor the zygote, read before."""
    me, killed, quiet = os.getpid(), 0, False
    for _ in range(500):
        _reap_zombies()
        victims = [p for p in _descendants(me) if p not in keep and not _is_zombie(p)]
        if not victims:
            if quiet:
                return killed
            quiet = True
            continue
        quiet = False
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.001)
    return killed


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def zygote_main(control_fd: int) -> None:
    """Serve spawn and sweep requests from the grader until it closes the control socket.

    Not dumpable, so a submission running as the same user cannot ptrace it or read
    its memory; children are reaped automatically, so exited mainlines and swept
    processes never linger as zombies that count against the process limit.
    """
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    _preload()
    gc.freeze()  # forks share these pages: a child's collections no longer write to (and copy) them
    grader = socket.socket(fileno=control_fd)
    try:
        control.send(grader, {"op": "ready"})
    except OSError:  # the grader stopped before it needed us (an unknown assignment)
        os._exit(0)
    while True:
        try:
            command, fds = control.receive(grader)
        except (OSError, control.ControlError):
            _sweep(set())
            os._exit(0)
        if command["op"] == "spawn":
            reply = {"pid": _spawn(command, fds, grader)}
        elif command["op"] == "probe":
            reply = {"unusable": _probe(command)}
        else:
            keep = _ancestors(int(command["keep"]), os.getpid()) if command.get("keep") else set()
            reply = {"killed": _sweep(keep)}
        control.send(grader, reply)


def _spawn(command: dict[str, Any], fds: list[int], grader: socket.socket) -> int:
    """Fork a submission's mainline on the session's socket and output pipes (``fds``)."""
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the mainline waits for its workers
        grader.close()
        sock = socket.socket(fileno=fds[0])
        os.dup2(fds[1], 1)
        os.dup2(fds[2], 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        low = 3
        for fd in sorted([fds[0], *fds[3:]]):
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 1024)
        _map_shared(fds[3:])
        try:
            _submission_main(command, sock)
        finally:
            os._exit(0)
    for fd in fds:
        os.close(fd)
    return pid

if __name__ == "__main__":
    zygote_main(int(sys.argv[1]))
