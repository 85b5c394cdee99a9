"""The sandbox side: a pre-started zygote that forks one confined process tree per submission.

Runs as ``python -I -B runner.py CONTROL_FD``.  The zygote imports NumPy (and
Matplotlib) once, never loads student code, and forks a *mainline* per
submission.  The mainline confines itself (session, limits, user, Landlock,
network filter) before any student byte runs, then executes the submission's
cells and answers the grader's item requests, forking a fresh child per item so
no item can disturb another.

Everything here after the fork is assumed hostile by the grader: this code
speaks only on its own channel, with plain-data frames (see ``protocol``), and
the grader judges every value itself.  The zygote is a child subreaper, so any
process a submission leaves behind is re-parented to it and killed on request.
"""

from __future__ import annotations

import builtins
import ctypes
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback
import types
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy  # noqa: E402,F401  (imported once here so every fork has it; threads are limited above)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder off the path

import landlock  # noqa: E402
import netblock  # noqa: E402
import protocol  # noqa: E402
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
FORK_RETRY_SECONDS = 10.0
_libc = ctypes.CDLL(None, use_errno=True)


def _preload() -> None:
    """Import what student code usually imports, so each fork gets it for free."""
    import math  # noqa: F401
    import random  # noqa: F401
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        pass


# --------------------------------------------------------------------------- channel


class Channel:
    """Blocking frame I/O on the submission's socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = protocol.FrameReader()

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
        data = self.sock.recv(1 << 20)
        if not data:
            os._exit(0)
        self.reader.feed(data)


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
    uid, gid = config.get("uid"), config.get("gid")
    if os.geteuid() == 0:
        reason = _private_mounts(config["scratch"], uid, gid, int(config["limits"]["scratch_mb"]))
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
    reason = netblock.block_network()
    report["network"] = reason or "blocked (seccomp)"
    os.environ.clear()
    os.environ.update(
        HOME=config["scratch"], TMPDIR=config["scratch"], PATH="/usr/bin:/bin", LANG="C.UTF-8",
        MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
    )
    return report


def _private_mounts(scratch: str, uid: int | None, gid: int | None, scratch_mb: int) -> str | None:
    """As root: a mount namespace of the submission's own, where every mount is read-only,
    the scratch folder is a fresh tmpfs of ``scratch_mb`` and /proc shows only the
    sandbox user's processes.

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
    owner = f",uid={uid},gid={gid}" if uid is not None else ""
    options = f"size={scratch_mb}m,nr_inodes=20000,mode=0700{owner}"
    reason = _mount("tmpfs", scratch, MS_NOSUID | MS_NODEV, "tmpfs", options)
    if reason is not None:
        return f"no tmpfs scratch folder ({reason})"
    if _mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc", "hidepid=2") is not None:
        return "other processes stay visible in /proc"
    if failed:
        return f"{len(failed)} mount(s) stayed writable: {', '.join(failed[:5])}"
    return None


def _mount(source: str | None, target: str, flags: int, fstype: str | None = None, data: str | None = None) -> str | None:
    encode = (lambda v: v.encode() if v is not None else None)
    if _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        return os.strerror(ctypes.get_errno())
    return None


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
    """``os.fork``, waiting out a full process table: another submission's fork bomb
    (same sandbox user) is swept within seconds and must not fail this one."""
    give_up = time.monotonic() + FORK_RETRY_SECONDS
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.05)


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


# --------------------------------------------------------------------------- student namespace


class _FakeIPython:
    """Enough of ``get_ipython()`` for notebook exports: magics and shell escapes are neutralised."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace
        self.neutralised: list[str] = []

    def run_line_magic(self, name: str, line: str = "", *args: Any) -> None:
        if name == "time" and line.strip():  # %time runs its statement in the notebook's namespace
            try:
                code = compile(line, "<%time>", "exec")
            except SyntaxError:
                pass
            else:
                exec(code, self._namespace)
                return
        self.neutralised.append(f"%{name} {line}".strip())

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        if name in ("time", "capture"):
            exec(compile(cell, "<cell magic>", "exec"), self._namespace)
        else:
            self.neutralised.append(f"%%{name} {line}".strip())

    def system(self, command: str, *args: Any) -> None:
        self.neutralised.append(f"!{command}")

    def getoutput(self, command: str, *args: Any) -> list[str]:  # files = !ls gets no lines
        self.system(command)
        return []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _student_namespace(module_name: str) -> dict[str, Any]:
    module = types.ModuleType(module_name)
    namespace = module.__dict__
    namespace["__builtins__"] = builtins
    shell = _FakeIPython(namespace)
    namespace["get_ipython"] = lambda: shell
    namespace["display"] = lambda *args, **kwargs: None
    builtins.input = lambda *args, **kwargs: ""
    sys.modules[module_name] = module
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:  # as Jupyter's inline backend: a shown figure is closed, never displayed
        pyplot.show = lambda *args, **kwargs: pyplot.close("all")
    _stub_colab()
    return namespace


class _Inert:
    """A Colab helper that does nothing: every attribute is another, every call returns None."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> "_Inert":
        return _Inert(f"{self._name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None


def _stub_colab() -> None:
    """``from google.colab import drive; drive.mount(...)`` works and does nothing (no real package is loaded)."""
    if "google" in sys.modules:
        return
    google = types.ModuleType("google")
    google.__path__ = []
    sys.modules["google"] = google
    colab = types.ModuleType("google.colab")
    colab.__path__ = []
    colab.__getattr__ = lambda attr: _Inert(f"google.colab.{attr}")  # type: ignore[method-assign]
    google.colab = colab  # type: ignore[attr-defined]
    sys.modules["google.colab"] = colab
    for part in ("drive", "files", "output", "userdata", "auth", "data_table", "widgets", "patches"):
        module = types.ModuleType(f"google.colab.{part}")
        module.__getattr__ = lambda attr, part=part: _Inert(f"google.colab.{part}.{attr}")  # type: ignore[method-assign]
        setattr(colab, part, module)
        sys.modules[module.__name__] = module
    sys.modules["google.colab.files"].upload = lambda *args, **kwargs: {}  # type: ignore[attr-defined]


def _student_traceback(exc: BaseException, filename: str) -> str:
    """The traceback frames from the student's own code only."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(filename)]
    lines = traceback.format_list(frames[-5:]) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _error(exc: BaseException, filename: str) -> dict[str, Any]:
    line = None
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(filename)]
        if frames:
            line = frames[-1].lineno
    return {"type": type(exc).__name__, "message": str(exc)[:2000], "line": line,
            "traceback": _student_traceback(exc, filename)}


# --------------------------------------------------------------------------- cells


def _run_cells(channel: Channel, cells: list[dict[str, Any]], namespace: dict[str, Any]) -> None:
    """Run each cell in a forked worker; the worker that finishes a cell carries on as mainline.

    A cell that raises, exits or is killed for running too long leaves the state
    from before it intact, so later cells and earlier definitions still count.
    """
    for index, cell in enumerate(cells):
        read_end, write_end = os.pipe()
        mainline = os.getpid()
        pid = _fork()
        if pid == 0:
            os.close(read_end)
            os.setsid()
            channel.send({"op": "cell_start", "index": index, "pid": os.getpid()})
            error = None
            try:
                exec(compile(cell["source"], cell["filename"], "exec"), namespace)
            except BaseException as exc:  # noqa: BLE001 (a cell may raise anything, SystemExit included)
                error = _error(exc, cell["filename"])
            _flush_output()  # what a cell printed is kept even if a later step is killed
            shell = namespace.get("get_ipython")
            neutralised = shell().neutralised if callable(shell) and isinstance(shell(), _FakeIPython) else []
            channel.send({"op": "cell_done", "index": index, "error": error, "neutralised": list(neutralised)})
            # As in Jupyter, what a cell defined before it raised stays defined.
            os.write(write_end, b"k")
            os.close(write_end)
            _wait_for_adoption(mainline)
            continue
        os.close(write_end)
        verdict = os.read(read_end, 1)
        if verdict == b"k":  # the worker carries on as the mainline (re-parented to the zygote)
            os._exit(0)
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
        channel.send({"op": "cell_end", "index": index, "status": _describe_status(status)})
        # The grader may still be sweeping what the dead cell left; a worker forked
        # before it says "resume" would be swept with them.
        if channel.recv().get("op") != "resume":
            os._exit(0)
    channel.send({"op": "loaded", "pid": os.getpid(),
                  "defined": sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("__"))})


def _wait_for_adoption(parent: int) -> None:
    """Carry on only once the previous mainline has exited and the zygote adopted us, so a
    sweep that keeps "the mainline and its ancestors" never meets a half-gone parent."""
    give_up = time.monotonic() + 5.0
    while os.getppid() == parent and time.monotonic() < give_up:
        time.sleep(0.0005)


def _flush_output() -> None:
    """Push out what student code printed: ``os._exit`` would drop Python's buffers."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 (student code may have replaced or closed the stream)
            pass


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"


# --------------------------------------------------------------------------- items


def _make_stub(channel: Channel, name: str) -> Any:
    def stub(*args: Any, **kwargs: Any) -> Any:
        channel.send({"op": "callback", "fn": name, "args": list(args), "kwargs": kwargs})
        reply = channel.recv()
        if reply.get("op") != "callback_result":
            os._exit(3)
        if "error" in reply:
            raise TypeError(f"{name}() {reply['error']}")
        return reply["value"]

    stub.__name__ = name
    return stub


def _restore(namespace: dict[str, Any], stubs: list[str], originals: dict[str, Any]) -> None:
    """Put the student's own functions back (and remove stubs for ones they never defined)."""
    for name in stubs:
        namespace.pop(name, None)
    namespace.update(originals)


def _argument(value: Any) -> Any:
    if isinstance(value, protocol.CallableRef):
        return TEST_FUNCTIONS[value.name]
    return value


def _run_item(channel: Channel, request: dict[str, Any], namespace: dict[str, Any], filename: str) -> None:
    """Answer every call of one item; runs in a forked child that exits afterwards."""
    for index, call in enumerate(request["calls"]):
        fn = namespace.get(call["fn"])
        if not callable(fn):
            channel.send({"op": "result", "index": index, "missing": True})
            continue
        originals = {name: namespace[name] for name in call.get("stubs", []) if name in namespace}
        namespace.update({name: _make_stub(channel, name) for name in call.get("stubs", [])})
        args = [_argument(a) for a in call["args"]]
        if call.get("timed"):
            channel.send({"op": "ready", "index": index})
            go = channel.recv()
            for position, value in go.get("args", []):
                args[position] = _argument(value)
        try:
            value = fn(*args)
        except BaseException as exc:  # noqa: BLE001 (SystemExit and KeyboardInterrupt are the student's too)
            _restore(namespace, call.get("stubs", []), originals)
            channel.send({"op": "result", "index": index, "error": _error(exc, filename)})
            continue
        _restore(namespace, call.get("stubs", []), originals)
        message = {"op": "result", "index": index, "value": value}
        if call.get("return_args"):
            message["args_after"] = [args[i] for i in call["return_args"]]
        try:
            channel.send(message)
        except Exception:  # noqa: BLE001 (a value whose conversion raises is the student's problem)
            channel.send({"op": "result", "index": index, "value": protocol.Unsupported("unconvertible value")})
    channel.send({"op": "item_done"})


def _serve(channel: Channel, namespace: dict[str, Any], filename: str) -> None:
    """Mainline loop: fork one child per item request."""
    while True:
        channel.resync()
        request = channel.recv()
        if request.get("op") != "item":
            os._exit(0)
        _reap_zombies()  # children the cells started and a sweep killed: they count against RLIMIT_NPROC
        pid = _fork()
        if pid == 0:
            os.setsid()
            channel.send({"op": "item_start", "pid": os.getpid()})
            try:
                _run_item(channel, request, namespace, filename)
            finally:
                _flush_output()
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        channel.sock.sendall(protocol.SYNC)  # the child may have died halfway through a frame
        channel.send({"op": "item_end", "status": _describe_status(status)})


def _submission_main(config: dict[str, Any], sock: socket.socket) -> None:
    channel = Channel(sock)
    isolation = _confine(config)
    channel.send({"op": "hello", "isolation": isolation})
    request = channel.recv()
    namespace = _student_namespace(request["module_name"])
    _run_cells(channel, request["cells"], namespace)
    _serve(channel, namespace, request["filename"])


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
    """Kill every descendant of the zygote outside ``keep`` until none is left."""
    me, killed = os.getpid(), 0
    for _ in range(500):
        _reap_zombies()
        victims = [p for p in _descendants(me) if p not in keep and not _is_zombie(p)]
        if not victims:
            return killed
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
    control = socket.socket(fileno=control_fd)
    control.sendall(b'{"op": "ready"}\n')
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 65536, 8)
        except OSError:
            data = b""
        if not data:
            _sweep(set())
            os._exit(0)
        command = json.loads(data)
        if command["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the mainline waits for its workers
                control.close()
                sock = socket.socket(fileno=fds[0])
                os.dup2(fds[1], 1)
                os.dup2(fds[2], 2)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.closerange(3, fds[0])
                os.closerange(fds[0] + 1, 1024)
                try:
                    _submission_main(command, sock)
                finally:
                    os._exit(0)
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        else:
            keep = _ancestors(int(command["keep"]), os.getpid()) if command.get("keep") else set()
            reply = {"killed": _sweep(keep)}
        control.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]))
