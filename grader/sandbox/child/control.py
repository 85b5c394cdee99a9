"""The zygote's control channel: one JSON object per datagram of a ``SOCK_SEQPACKET`` pair.

The grader asks the zygote to spawn, probe and sweep, and the zygote answers, on
this channel; spawn requests carry the session's descriptors (``SCM_RIGHTS``).  A
sequenced-packet socket keeps every message's boundary, so neither side has to
assume that one read returns exactly one message, however large or however many
are queued; a message that does not fit the reader's buffer is an error, never
half a command.  Only the grader and the zygote (which never runs student code)
hold this channel.

This module must stay importable without the rest of the ``grader`` package:
the runner loads it by file path inside the sandbox.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any

MAX_MESSAGE_BYTES = 1 << 20  # a spawn request lists the readable folders: a few KB in practice
MAX_FDS = 16  # a session's socket and output pipes, then its shared inputs (grader.checking.shared_inputs)
_SO_SNDBUFFORCE = 32


class ControlError(Exception):
    """The other end closed the channel, or sent what is not one whole message."""


def pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair whose send buffers hold the largest message."""
    ends = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    for end in ends:
        for option in (_SO_SNDBUFFORCE, socket.SO_SNDBUF):
            try:
                end.setsockopt(socket.SOL_SOCKET, option, 2 * MAX_MESSAGE_BYTES)
                break
            except OSError:
                continue
    return ends


def send(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send one message (with ``fds`` attached) as one datagram."""
    data = json.dumps(message).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ControlError(f"a control message of {len(data):,} bytes is over {MAX_MESSAGE_BYTES:,}")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def receive(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The next whole message and the descriptors that came with it."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE_BYTES, MAX_FDS)
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            _close(fd)
        raise ControlError("a control message was larger than the channel accepts")
    if not data:
        raise ControlError("the other end closed the control channel")
    try:
        message = json.loads(data)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        raise ControlError("a control message is not a JSON object")
    return message, fds


def _close(fd: int) -> None:
    try:
        socket.close(fd)
    except OSError:
        pass
