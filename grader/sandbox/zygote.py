"""The grader's side of the sandbox: start the zygote, spawn a confined session per submission,
talk to it under deadlines, and kill whatever it leaves behind.

The grader never imports student code.  It sends arguments, receives plain data
(``protocol``), and enforces every deadline itself with SIGKILL, which student
code cannot catch.  The zygote (``runner.py``) is a child subreaper, so processes
that escape their session are re-parented to it and swept on request.
"""

from __future__ import annotations

import ctypes
import dataclasses
import fcntl
import os
import pwd
import re
import selectors
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from grader.sandbox.child import control, landlock, protocol
from grader.limits import BUDGETS, CAPS, DEFAULT_SANDBOX_USER, Limits, sandbox_user

RUNNER = Path(__file__).with_name("child") / "runner.py"
CHANNEL_BUFFER_BYTES = 4 * 1024 * 1024
CHILD_FRAME_BYTES = CAPS.frame_mb * 1024 * 1024
PR_SET_DUMPABLE = 4
SO_SNDBUFFORCE = 32
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
HELD_CPU_SECONDS = BUDGETS.held_cpu_seconds
SLOT_FOLDER = "/run/lr2-sandbox-slots" if os.path.isdir("/run") else "/var/lock/lr2-sandbox-slots"
SLOT_WAIT_SECONDS = BUDGETS.slot_wait_seconds


class SessionDied(Exception):
    """The submission's process ended or broke the protocol; the reason is student-facing.

    ``limit`` says, in words, which limit of the result channel a value went beyond;
    ``disk_mb`` is set when the session was stopped for writing more files than that.
    """

    def __init__(self, message: str, limit: str | None = None, disk_mb: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.disk_mb = disk_mb


class Deadline(Exception):
    """A step took longer than its limit."""


@dataclass
class CapturedStream:
    """Keeps the first bytes of a stream and counts the rest, so a flood costs nothing."""

    cap: int
    data: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> str:
        body = self.data.decode("utf-8", "replace")
        if self.total > len(self.data):
            body += f"\n[... {self.total - len(self.data):,} more bytes not shown]"
        return body


def sandbox_identity() -> tuple[int, int] | None:
    """The uid/gid student code runs as when the grader is root (None otherwise)."""
    if os.geteuid() != 0:
        return None
    for name in (sandbox_user(), DEFAULT_SANDBOX_USER, "nobody"):
        if not name:
            continue
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    return None


def sandbox_pool() -> list[tuple[int, int]]:
    """The numbered sandbox users (``lr2sandbox1``, ``lr2sandbox2``, ...): one per concurrent session.

    Each session running as a uid of its own gets its own ``RLIMIT_NPROC`` and cannot
    signal or see another's processes, so a neighbour can neither starve nor disturb it.
    """
    base = sandbox_user() or DEFAULT_SANDBOX_USER
    pattern = re.compile(re.escape(base) + r"([1-9][0-9]*)")
    found = []
    for entry in pwd.getpwall():
        match = pattern.fullmatch(entry.pw_name)
        if match and entry.pw_uid != 0:
            found.append((int(match.group(1)), entry.pw_uid, entry.pw_gid))
    return [(uid, gid) for _, uid, gid in sorted(found)]


class UidSlot:
    """A pool user held by one zygote, through an exclusive lock on a root-only file.

    The lock dies with its holder, so a crashed grader never keeps a user busy; a user
    is only handed out after every process still running as it has been killed.
    """

    def __init__(self, identity: tuple[int, int], fd: int) -> None:
        self.identity = identity
        self._fd: int | None = fd

    @classmethod
    def claim(cls, pool: list[tuple[int, int]], wait_seconds: float = SLOT_WAIT_SECONDS) -> "UidSlot":
        folder = _slot_folder()
        give_up = time.monotonic() + wait_seconds
        while True:
            for identity in pool:
                fd = os.open(folder / f"uid-{identity[0]}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                kill_processes_of(identity[0])
                return cls(identity, fd)
            if time.monotonic() > give_up:
                raise RuntimeError(f"all {len(pool)} sandbox users are busy with other gradings")
            time.sleep(0.1)

    def release(self) -> None:
        if self._fd is not None:
            kill_processes_of(self.identity[0])
            os.close(self._fd)
            self._fd = None


def _slot_folder() -> Path:
    """Where slot locks live: a folder only root can write, refused if anyone else could plant files."""
    folder = Path(SLOT_FOLDER)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise PermissionError(f"{folder} is not a root-only folder; refusing to keep sandbox locks there")
    return folder


def kill_processes_of(uid: int) -> int:
    """SIGKILL every process whose real, effective or saved uid is ``uid``, until none is left."""
    killed = 0
    for _ in range(500):
        victims = [pid for pid in _pids() if uid in _uids_of(pid)]
        if not victims:
            return killed
        for pid in victims:
            try:
                os.kill(pid, 9)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.002)
    return killed


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _uids_of(pid: int) -> tuple[int, ...]:
    """Real, effective, saved and filesystem uid of a live process (zombies hold no uid)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            lines = {line.split(":", 1)[0]: line for line in f}
    except OSError:
        return ()
    if "State" in lines and "Z" in lines["State"].split()[1:2]:
        return ()
    return tuple(int(v) for v in lines.get("Uid", "Uid:").split()[1:])


def private_cache(path: Path) -> tuple[Path, Path | None]:
    """The zygote's ``HOME`` and Matplotlib cache: ``path`` if it is (or is now made) a real
    folder of ours that no one else can write, with a Matplotlib folder that is one too;
    otherwise a fresh ``mkdtemp`` folder, returned a second time so its owner removes it.

    Another local account could have planted the folder, or a link in it, before we came:
    writing the font cache through it would overwrite a file of the grader's choosing.
    """
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        fresh = Path(tempfile.mkdtemp(prefix="lr2-grader-cache-"))
        return fresh, fresh
    if all(_private(p) for p in (path, path / "matplotlib")):
        return path, None
    fresh = Path(tempfile.mkdtemp(prefix="lr2-grader-cache-"))
    return fresh, fresh


def _private(path: Path) -> bool:
    """Missing, or a folder (not a link) owned by us that only we can write to."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022


class SandboxUnusable(RuntimeError):
    """Confined student code cannot import what submissions may use; the message says what to do."""


def _unusable_advice(reason: str, identity: tuple[int, int] | None) -> str:
    """One line for the instructor: what the sandbox could not import, and how to fix it."""
    if identity is None:
        return (f"the sandbox cannot import {reason}, so every submission would fail: install the packages "
                f"inside {sys.prefix} (student code may read only the Python installation and grader/)")
    try:
        user = pwd.getpwuid(identity[0]).pw_name
    except KeyError:
        user = f"uid {identity[0]}"
    return (f"the sandbox user {user} cannot import {reason}, so every submission would fail: make {sys.prefix} "
            f"readable by {user} (chmod -R a+rX {sys.prefix}) or build the venv where it can read it, and run again")


def _readable_roots() -> list[str]:
    """What the child may read: the Python installation and system libraries, nothing of ours."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(RUNNER.parent), "/usr", "/lib", "/lib64",
             "/etc", "/proc", "/sys/devices/system/cpu", *landlock.READABLE_DEVICES}
    roots.update(p for p in sys.path if p and Path(p).is_dir() and "site-packages" in p)
    return sorted(roots)


class Zygote:
    """A pre-started process that forks a fresh confined session per submission.

    Forking from it costs about a millisecond, where starting Python and NumPy costs
    about a tenth of a second: this is what makes grading a class fast.  It serves
    one session at a time: a sweep kills every process it has forked but the kept
    chain, so concurrent graders each need their own zygote.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.identity = sandbox_identity()
        self.shared_identity = True  # True while sessions of other zygotes may run as the same uid
        self._slot: UidSlot | None = None
        self._cache_dir = cache_dir or Path(tempfile.gettempdir()) / f"lr2-grader-cache-{os.geteuid()}"
        self._own_cache: Path | None = None  # a fresh cache folder made for this zygote alone, removed at close
        self._proc: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._session: Session | None = None
        self._ready = False  # launched, said it is ready, and passed the import check

    def start(self) -> None:
        """Launch the zygote (unless ``launch`` did) and wait until it can fork sessions."""
        if self._ready:
            return
        if self._proc is None:
            self.launch()
        if self._reply() != {"op": "ready"}:
            raise RuntimeError("the sandbox zygote did not start")
        self._check_imports()
        self._ready = True

    def launch(self) -> None:
        """Start the zygote's process without waiting for it: it imports NumPy and Matplotlib (about
        0.4 s) while the caller imports and reads what it needs; ``start`` then waits for it."""
        self._claim_identity()
        if os.geteuid() != 0:  # the submission runs as our user: keep it from ptracing us or reading our memory
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        self._cache_dir, self._own_cache = private_cache(self._cache_dir)
        ours, theirs = control.pair()
        env = {
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self._cache_dir),
            "MPLCONFIGDIR": str(self._cache_dir / "matplotlib"), "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        }
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(RUNNER), str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env, cwd="/",
            start_new_session=True,
        )
        theirs.close()
        self._control = ours

    def _check_imports(self) -> None:
        """Refuse to grade where confined student code cannot import what submissions may use
        (a venv the sandbox user cannot read): every report would score correct work 0."""
        scratch = make_scratch()
        try:
            if self.identity is not None:
                _give_folder(scratch, self.identity)
            unusable = self._request({**self._config(scratch, Limits()), "op": "probe"}).get("unusable")
        finally:
            _remove_tree(scratch)
        if unusable:
            self.close()
            raise SandboxUnusable(_unusable_advice(unusable, self.identity))

    def _claim_identity(self) -> None:
        """As root, with numbered sandbox users: take one for this zygote's sessions alone."""
        pool = sandbox_pool() if os.geteuid() == 0 else []
        if self._slot is None and pool:
            try:
                self._slot = UidSlot.claim(pool)
            except OSError:  # no place for the locks (a read-only /run): the one shared user, as reported
                return
            self.identity, self.shared_identity = self._slot.identity, False

    def _request(self, message: dict[str, Any], fds: list[int] | None = None) -> dict[str, Any]:
        """Send one command (with ``fds`` attached) and wait for the zygote's answer."""
        assert self._control is not None
        control.send(self._control, message, fds or ())
        return self._reply()

    def _reply(self) -> dict[str, Any]:
        assert self._control is not None
        try:
            return control.receive(self._control)[0]
        except control.ControlError as exc:
            raise RuntimeError("the sandbox zygote exited") from exc

    def spawn(self, scratch: Path, limits: Limits, shared: Sequence[int] = ()) -> Session:
        """Fork a confined mainline for one submission, working in ``scratch``; ``shared`` are sealed
        memfds of inputs its items receive by slot (``grader.checking.shared_inputs``), kept open here."""
        if self._session is not None and self._session.open:
            raise RuntimeError("the zygote already serves a session; close it first")
        if self._proc is not None and self._proc.poll() is not None:
            self.close()  # it was killed: start a fresh one rather than fail every later student
        if not self._ready:
            self.start()
        grader_end, child_end = socket.socketpair()
        for end in (grader_end, child_end):
            _enlarge_buffer(end)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        if self.identity is not None:
            _give_folder(scratch, self.identity)
        try:
            pid = self._request(self._config(scratch, limits), [child_end.fileno(), out_w, err_w, *shared])["pid"]
        finally:
            child_end.close()
            os.close(out_w)
            os.close(err_w)
        self._session = Session(self, pid, grader_end, out_r, err_r, scratch, limits)
        return self._session

    def _config(self, scratch: Path, limits: Limits) -> dict[str, Any]:
        """What the zygote needs to confine a session: the start check confines its probe the same way."""
        return {
            "op": "spawn", "scratch": str(scratch), "read_only": _readable_roots(),
            "uid": self.identity[0] if self.identity else None,
            "gid": self.identity[1] if self.identity else None,
            "shared_uid": self.shared_identity,
            "limits": dataclasses.asdict(limits),
        }

    def sweep(self, keep: int | None = None) -> int:
        """Kill every process of the current submission except the chain leading to ``keep``.

        Returns -1 when the zygote is gone (killed from outside): its session cannot
        go on, and the next ``spawn`` starts a new zygote.
        """
        if self._control is None:
            return -1
        try:
            return int(self._request({"op": "sweep", "keep": keep})["killed"])
        except (OSError, RuntimeError, ValueError, KeyError):
            return -1

    def only_chain_alive(self, keep: int) -> bool:
        """Whether every live process under the zygote is ``keep`` or one of its ancestors.

        Every process of a session descends from the zygote, a subreaper: orphans are
        re-parented to it, so none can hide from this walk.  False when it cannot tell.
        """
        if self._proc is None or self._proc.poll() is not None:
            return False
        path = _chain(keep, self._proc.pid)
        chain = set(path)
        if not chain:
            return False
        # Deepest first: an orphan is re-parented upwards, so one that moves while this reads is met
        # again at its new parent, read later (read from the top, a double fork that settles between
        # two reads went unseen right after the call that made it).
        for pid in [*path, self._proc.pid]:
            kids = _live_children(pid)
            if kids is None or not kids <= chain:
                return False
        return True

    def close(self) -> None:
        launched_only, self._ready = not self._ready, False
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._proc is not None:
            if launched_only:  # still importing, no session yet: nothing to wait for
                self._proc.kill()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._slot is not None:  # only once the zygote, and with it every session, is gone
            self._slot.release()
            self._slot = None
        if self._own_cache is not None:
            shutil.rmtree(self._own_cache, ignore_errors=True)
            self._own_cache = None

    def __enter__(self) -> Zygote:  # noqa: PYI034 (typing.Self is 3.11+; Gradescope runs 3.10)
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Session:
    """One submission's confined process tree, spoken to only through deadlines."""

    def __init__(self, zygote: Zygote, pid: int, sock: socket.socket, out_fd: int, err_fd: int,
                 scratch: Path, limits: Limits) -> None:
        self.zygote = zygote
        self.pid = pid
        self.mainline: int | None = None
        self.sock = sock
        self.sock.setblocking(False)
        self.scratch = scratch
        self.limits = limits
        self.stdout = CapturedStream(limits.output_kb * 1024)
        self.stderr = CapturedStream(limits.output_kb * 1024)
        self._reader = protocol.FrameReader(CHILD_FRAME_BYTES)
        self._selector = selectors.DefaultSelector()
        self._selector.register(sock, selectors.EVENT_READ, "channel")
        for fd, stream in ((out_fd, self.stdout), (err_fd, self.stderr)):
            os.set_blocking(fd, False)
            self._selector.register(fd, selectors.EVENT_READ, stream)
        self._fds = [out_fd, err_fd]
        self._next_disk_check = 0.0
        self.alive = True
        self.open = True
        # The item child that answered the last item and now waits for another (``execution.run_item``
        # with ``reuse``), and whether it saw its observable state change during that item.
        self.held: int | None = None
        self.held_changed = False

    def send(self, message: dict[str, Any], deadline: float, sync: bool = False) -> None:
        """Send one message; ``sync`` puts a sync marker first (see ``protocol.SYNC``)."""
        data = memoryview((protocol.SYNC if sync else b"") + protocol.encode(message))
        while data:
            self._check(deadline)
            try:
                sent = self.sock.send(data)
            except BlockingIOError:
                self._pump(min(deadline, time.monotonic() + 0.05), writable=True)
                continue
            except OSError as exc:
                raise SessionDied("the submission's process is gone") from exc
            data = data[sent:]

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next message from the child; raises Deadline or SessionDied."""
        while True:
            try:
                message = self._reader.next_frame()
            except protocol.LimitExceeded as exc:
                raise SessionDied(f"the submission's process sent {exc}", limit=str(exc)) from exc
            except protocol.ProtocolError as exc:
                raise SessionDied(f"the submission's process sent malformed data ({exc})") from exc
            if message is not None:
                return message
            self._check(deadline)
            self._pump(deadline)

    def resync(self, deadline: float) -> None:
        """Skip what a killed process left half-sent, up to the mainline's next sync marker."""
        while not self._reader.resync():
            self._check(deadline)
            self._pump(deadline)

    def _check(self, deadline: float) -> None:
        if not self.alive:
            raise SessionDied("the submission's process is gone")
        now = time.monotonic()
        if now >= deadline:
            raise Deadline()
        if now >= self._next_disk_check:
            self._next_disk_check = now + 0.2
            used = _disk_usage(self.scratch, self.limits.scratch_mb * 1024 * 1024)
            if used > self.limits.scratch_mb * 1024 * 1024:
                raise SessionDied(f"the code wrote more than {self.limits.scratch_mb} MB of files",
                                  disk_mb=self.limits.scratch_mb)

    def _pump(self, deadline: float, writable: bool = False) -> None:
        timeout = max(0.0, min(deadline, self._next_disk_check) - time.monotonic())
        if writable:
            self._selector.modify(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, "channel")
        try:
            events = self._selector.select(timeout)
        finally:
            if writable:
                self._selector.modify(self.sock, selectors.EVENT_READ, "channel")
        for key, mask in events:
            if key.data == "channel":
                if mask & selectors.EVENT_READ:
                    self._read_channel()
            else:
                self._drain(key.fd, key.data)

    def _read_channel(self) -> None:
        try:
            count = self._reader.fill(self.sock)
        except BlockingIOError:
            return
        except OSError:
            count = 0
        if not count:
            self.alive = False
            return
        if self._reader.pending() > CHILD_FRAME_BYTES:
            raise SessionDied("the submission's process sent too much data",
                              limit=f"more than {CHILD_FRAME_BYTES >> 20} MB of data in one message")

    def _drain(self, fd: int, stream: CapturedStream) -> None:
        for _ in range(64):
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                self._selector.unregister(fd)
                return
            stream.add(chunk)

    def kill_stragglers(self) -> bool:
        """Kill everything of this submission but its mainline and a held item child (after a timeout
        or an item); True when something else was alive.

        When ``/proc`` shows that nothing but the mainline and the chain leading to it is
        alive, there is nothing to kill and the zygote is not asked (most items leave nothing).
        """
        keep = self.held or self.mainline
        if keep is not None and self.zygote.only_chain_alive(keep):
            return False
        if self.zygote.sweep(keep=keep) < 0:
            self.alive = False
        return True

    def reusable(self) -> bool:
        """Whether the held item child may answer the next item: it saw no change, runs one thread,
        and has used under ``HELD_CPU_SECONDS`` of CPU (its rlimits count from its fork)."""
        if self.held is None or self.held_changed or not self.alive:
            return False
        try:
            threads = len(os.listdir(f"/proc/{self.held}/task"))
        except OSError:
            return False
        fields = _stat_fields(self.held)
        if fields is None or threads != 1:
            return False
        return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND < HELD_CPU_SECONDS

    def close(self) -> None:
        """Kill the whole tree, drain what it printed, remove the scratch folder."""
        if not self.open:
            return
        self.zygote.sweep(keep=None)
        self.alive = False
        self.open = False
        end = time.monotonic() + 0.5
        while time.monotonic() < end and len(self._selector.get_map()) > 1:
            for key, _ in self._selector.select(0.05):
                if key.data != "channel":
                    self._drain(key.fd, key.data)
        self._selector.close()
        self.sock.close()
        for fd in self._fds:
            os.close(fd)
        _remove_tree(self.scratch)


def _enlarge_buffer(sock: socket.socket) -> None:
    """A bigger socket buffer: large arguments cross in a few round trips instead of
    hundreds, each of which waits for a time slice on a busy machine."""
    for option in (SO_SNDBUFFORCE, socket.SO_SNDBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, CHANNEL_BUFFER_BYTES)
            return
        except OSError:
            continue


def _stat_fields(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` after the command name (state, parent, ...), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _chain(pid: int, stop: int) -> list[int]:
    """``pid`` and its parents below ``stop``, deepest first; empty when ``stop`` is not an ancestor."""
    chain: list[int] = []
    while pid > 1 and pid != stop and pid not in chain:
        chain.append(pid)
        fields = _stat_fields(pid)
        if fields is None:
            return []
        pid = int(fields[1])
    return chain if pid == stop else []


def _live_children(pid: int) -> set[int] | None:
    """Children of ``pid`` (every thread's) that are not zombies; None when they cannot be read."""
    kids: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids.update(int(k) for k in f.read().split())
    except OSError:
        return None
    return {k for k in kids if (_stat_fields(k) or ["Z"])[0] != "Z"}


def _remove_tree(folder: Path) -> None:
    """Delete a scratch folder even if the submission made parts of it unreadable or read-only."""
    _unlock(str(folder))
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            _unlock(os.path.join(root, name))
    shutil.rmtree(folder, ignore_errors=True)


def _give_folder(folder: Path, identity: tuple[int, int]) -> None:
    """Hand the (still empty) scratch folder to this zygote's sandbox user, never through a link."""
    fd = os.open(folder, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY)
    try:
        os.chown(f"/proc/self/fd/{fd}", *identity)
    finally:
        os.close(fd)


def _unlock(path: str) -> bool:
    """Give a folder back its owner's rights (student code may chmod its own folders to 000).

    Through an O_PATH descriptor opened without following links, so a folder swapped
    for a symbolic link meanwhile can never make us chmod something outside.
    """
    try:
        fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        os.chmod(f"/proc/self/fd/{fd}", 0o700)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _disk_usage(folder: Path, stop_at: int) -> int:
    """Bytes under ``folder``, counting every entry as at least a block, stopping early."""
    total, stack, entries, unlocked = 0, [str(folder)], 0, set()
    while stack and total <= stop_at:
        path = stack.pop()
        try:
            with os.scandir(path) as it:
                for entry in it:
                    entries += 1
                    if entries > 20_000:
                        return stop_at + 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        total += max(4096, entry.stat(follow_symlinks=False).st_size)
        except PermissionError:  # a folder made unreadable to hide what it holds
            if path not in unlocked and _unlock(path):
                unlocked.add(path)
                stack.append(path)
        except OSError:
            continue
    return total


def make_scratch(base: Path | None = None) -> Path:
    """A private, empty working folder for one submission, owned by the sandbox user."""
    scratch = Path(tempfile.mkdtemp(prefix="lr2-scratch-", dir=base))
    identity = sandbox_identity()
    if identity is not None:
        os.chown(scratch, *identity)
    scratch.chmod(0o700)
    return scratch

