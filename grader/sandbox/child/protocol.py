"""Framing and value encoding shared by the grader and the sandboxed runner.

Everything that crosses the process boundary is a frame: a JSON header plus raw
array buffers.  Nothing is ever pickled, so a hostile child can at worst send
bytes that fail to decode; it can never make the grader run code.  The decoder
rebuilds only plain Python scalars, tuples, lists, dicts with string keys and
base-class ``numpy.ndarray`` of whitelisted numeric dtypes.

This module must stay importable without the rest of the ``grader`` package:
the runner loads it by file path inside the sandbox.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from typing import Any

import numpy as np

HEADER = struct.Struct(">II")  # header length, number of buffers
BUFFER_LEN = struct.Struct(">Q")
MAX_FRAME_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024  # what the grader reads from a (hostile) child
MAX_REQUEST_HEADER_BYTES = 64 * 1024 * 1024  # what the sandbox reads from the grader: a submission's whole code
MAX_BUFFERS = 4096
MAX_DEPTH = 32
ALLOWED_DTYPES = frozenset(
    ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1"]
)
# Marks a frame boundary after a process that shared the socket was killed, maybe halfway
# through a frame: the reader skips to it.  Its first four bytes are a header length no
# frame can have, so it is never mistaken for one.
SYNC = b"\xff\xff\xff\xffLR2:SYNC\x00\x00\x00\x00"
_JSON = json.JSONEncoder(allow_nan=False)  # made once: json.dumps(..., allow_nan=False) makes one per call


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


class LimitExceeded(ProtocolError):
    """A value beyond one of the protocol's limits; the message names the limit in words."""


_FLOAT64 = np.dtype(np.float64).str


def _encode(value: Any, buffers: list[memoryview], depth: int = 0) -> Any:
    """Turn a value into JSON-able data, moving array bytes into ``buffers``."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "nested too deeply"}
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        if abs(value) < 2**63:
            return value
        try:
            return _encode_float(float(value))
        except OverflowError:  # beyond float64, as NumPy would see it
            return _encode_float(math.inf if value > 0 else -math.inf)
    if type(value) is Unsupported:
        return {"__unsupported__": value.type_name}
    if type(value) is float:
        return _encode_float(value)
    if type(value) is np.float64:  # what most answers are; the branch below spells it the same
        return {"__scalar__": _FLOAT64, "v": _encode_float(float(value))}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        array = np.asarray(value)
        if array.dtype.str not in ALLOWED_DTYPES:
            return {"__unsupported__": f"numpy scalar of dtype {array.dtype}"}
        return {"__scalar__": array.dtype.str, "v": _encode_float(float(value)) if array.dtype.kind == "f" else value.item()}
    if isinstance(value, np.ndarray):
        plain = type(value) is np.ndarray and value.flags.c_contiguous
        array = value if plain else np.ascontiguousarray(np.array(value, copy=True, subok=False))
        if array.dtype.str not in ALLOWED_DTYPES:
            return {"__unsupported__": f"array of dtype {array.dtype}"}
        buffers.append(memoryview(array).cast("B"))
        return {"__nd__": len(buffers) - 1, "dtype": array.dtype.str, "shape": list(array.shape)}
    if isinstance(value, tuple):  # a namedtuple is a tuple; read through tuple's own methods, never the subclass's
        return {"__tuple__": [_encode(tuple.__getitem__(value, i), buffers, depth + 1)
                              for i in range(tuple.__len__(value))]}
    if isinstance(value, list):
        return [_encode(list.__getitem__(value, i), buffers, depth + 1) for i in range(list.__len__(value))]
    if type(value) is CallableRef:
        return {"__callable__": value.name}
    if type(value) is SharedRef:
        return {"__shared__": value.slot, "dtype": value.dtype, "shape": list(value.shape)}
    if isinstance(value, dict):  # an OrderedDict or defaultdict is a dict
        pairs = list(dict.items(value))
        if not all(isinstance(k, str) for k, _ in pairs):
            return {"__unsupported__": "dict with non-string keys"}
        return {"__dict__": [[str.__str__(k), _encode(v, buffers, depth + 1)] for k, v in pairs]}
    if isinstance(value, str):
        return str.__str__(value)
    return {"__unsupported__": type_name(value)}


def type_name(value: Any) -> str:
    """A type's name, read without calling anything the value could override."""
    cls = type(value)
    return f"{type.__getattribute__(cls, '__module__')}.{type.__getattribute__(cls, '__qualname__')}"[:200]


def _encode_float(x: float) -> Any:
    """JSON has no NaN or infinity, so tag them."""
    if math.isfinite(x):
        return x
    return {"__float__": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def encode(message: dict[str, Any]) -> bytes:
    """Serialise one message (a dict) into a frame."""
    buffers: list[memoryview] = []
    header = _JSON.encode(_encode(message, buffers)).encode()
    parts = [HEADER.pack(len(header), len(buffers)), header]
    for buf in buffers:
        parts.append(BUFFER_LEN.pack(len(buf)))
        parts.append(buf)
    return b"".join(parts)


def _decode(data: Any, buffers: list[memoryview], depth: int = 0) -> Any:
    """Rebuild plain values from decoded JSON, validating every tag."""
    if depth > MAX_DEPTH:
        raise LimitExceeded(f"a value nested more than {MAX_DEPTH} levels deep")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [_decode(v, buffers, depth + 1) for v in data]
    if type(data) is not dict or len(data) == 0:
        raise ProtocolError("unexpected JSON value")
    if "__float__" in data:
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[_expect(data["__float__"], ("nan", "inf", "-inf"))]
    if "__scalar__" in data:
        dtype = np.dtype(_expect(data["__scalar__"], ALLOWED_DTYPES))
        raw = _decode(data["v"], buffers, depth + 1)
        if type(raw) not in (int, float, bool):
            raise ProtocolError("bad scalar value")
        return dtype.type(raw)
    if "__nd__" in data:
        return _decode_array(data, buffers)
    if "__tuple__" in data:
        return tuple(_decode(v, buffers, depth + 1) for v in _expect_list(data["__tuple__"]))
    if "__dict__" in data:
        pairs = _expect_list(data["__dict__"])
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise ProtocolError("bad dict entry")
            out[pair[0]] = _decode(pair[1], buffers, depth + 1)
        return out
    if "__unsupported__" in data:
        return Unsupported(str(data["__unsupported__"])[:200])
    if "__callable__" in data:
        return CallableRef(str(data["__callable__"]))
    if "__shared__" in data:
        return _decode_shared(data)
    raise ProtocolError("unknown tag")


def _decode_shared(data: dict[str, Any]) -> SharedRef:
    slot, shape = data["__shared__"], _expect_list(data.get("shape"))
    if type(slot) is not int or slot < 0 or len(shape) > 32 or not all(type(d) is int and d >= 0 for d in shape):
        raise ProtocolError("bad shared array")
    return SharedRef(slot, _expect(data.get("dtype"), ALLOWED_DTYPES), tuple(shape))


def _decode_array(data: dict[str, Any], buffers: list[memoryview]) -> np.ndarray:
    index = data["__nd__"]
    if type(index) is not int or not 0 <= index < len(buffers):
        raise ProtocolError("bad buffer index")
    dtype = np.dtype(_expect(data.get("dtype"), ALLOWED_DTYPES))
    shape = _expect_list(data.get("shape"))
    if len(shape) > 32 or not all(type(d) is int and d >= 0 for d in shape):
        raise ProtocolError("bad array shape")
    count = math.prod(shape)
    if count * dtype.itemsize != len(buffers[index]):
        raise ProtocolError("array size does not match its buffer")
    array = np.frombuffer(buffers[index], dtype=dtype).reshape(shape)
    return array if array.flags.aligned and array.flags.writeable else array.copy()


def _expect(value: Any, allowed: Any) -> Any:
    if type(value) is not str or value not in allowed:
        raise ProtocolError(f"unexpected tag value {value!r:.40}")
    return value


def _expect_list(value: Any) -> list:
    if type(value) is not list:
        raise ProtocolError("expected a list")
    return value


def decode(header: bytes, buffers: list[memoryview]) -> dict[str, Any]:
    """Decode one frame's parts into a message dict.

    Any failure is a ProtocolError: hostile bytes (a scalar that overflows its
    dtype, a shape too large to multiply out) must never raise anything else in
    the grader.
    """
    try:
        data = json.loads(header)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("header is not JSON") from exc
    try:
        message = _decode(data, buffers)
    except ProtocolError:
        raise
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, MemoryError, RecursionError) as exc:
        raise ProtocolError(f"undecodable value ({type(exc).__name__})") from exc
    if type(message) is not dict:
        raise ProtocolError("a message must be a dict")
    return message


def call_key(name: str, args: tuple | list, kwargs: dict[str, Any]) -> bytes | None:
    """The SHA-256 digest of a stand-in call's plain arguments (types, dtypes, shapes and
    bits), so two calls share a key only when those are equal; None when one is not plain data (two
    such objects could not be told apart).  The grader keys the stand-in answers it sends with an
    item by these, and the child's stubs look their calls up by them.  A digest, not the bytes
    themselves: a correct ``gradient_descent`` passes the same 48 KB ``X`` thirty times per case,
    which as raw keys made its table 1.9 MB to build, send and decode (SHA-256, not BLAKE2b: with
    the CPU's SHA instructions it hashes 1.4 GB/s here, BLAKE2b 0.6)."""
    parts = [name.encode(), b"\0"]
    try:
        for value in (*args, b"\1", *[x for pair in kwargs.items() for x in pair]):
            _key_part(value, parts)
    except _NotPlain:
        return None
    return hashlib.sha256(b"".join(parts)).digest()


class _NotPlain(Exception):
    pass


_PACK_FLOAT = struct.Struct("<d")
_FLOAT64_SCALAR = b"a" + _FLOAT64.encode() + b"()"  # as the array branch spells an np.float64's key


def _key_part(value: Any, parts: list[bytes]) -> None:
    kind = type(value)
    if kind is float:
        parts += [b"f", _PACK_FLOAT.pack(value)]
    elif kind is np.float64:  # most stand-in arguments (a sigmoid per example): the array branch's bytes, sooner
        parts += [_FLOAT64_SCALAR, value.tobytes(), b"g"]
    elif kind is bool or kind is int or value is None:
        parts += [b"i", repr(value).encode(), b";"]
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        parts += [b"s", str(len(data)).encode(), b";", data]
    elif kind is bytes:  # the marker between positional and keyword arguments
        parts.append(value)
    elif kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)  # 0-d for a NumPy scalar: its shape is part of the key
        if array.dtype.str not in ALLOWED_DTYPES:
            raise _NotPlain
        parts += [b"a", array.dtype.str.encode(), repr(array.shape).encode(),
                  array if array.flags.c_contiguous else array.tobytes(order="C")]  # joined as it is
        if kind is not np.ndarray:
            parts.append(b"g")
    elif kind is tuple or kind is list:
        parts += [b"(" if kind is tuple else b"[", str(len(value)).encode(), b";"]
        for item in value:
            _key_part(item, parts)
    elif kind is dict:
        parts += [b"{", str(len(value)).encode(), b";"]
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            _key_part(key, parts)
            _key_part(item, parts)
    else:
        raise _NotPlain


def pack_answers(entries: list[tuple[str, bytes, Any]]) -> dict[str, Any]:
    """A table of stand-in answers (name, ``call_key``, value) as four columns: the keys in one
    buffer with their end offsets, not one small array each (a correct file's ~370 entries cost
    ~7 ms to encode and decode one by one)."""
    ends = np.cumsum([len(key) for _, key, _ in entries], dtype=np.int64)
    keys = np.frombuffer(b"".join(key for _, key, _ in entries), dtype=np.uint8)
    return {"names": [name for name, _, _ in entries], "keys": keys, "ends": ends,
            "values": [value for _, _, value in entries]}


def unpack_answers(table: Any) -> list[tuple[str, bytes, Any]]:
    """The entries of ``pack_answers``' table; none when it is not one."""
    if type(table) is not dict:
        return []
    names, keys, ends, values = (table.get(k) for k in ("names", "keys", "ends", "values"))
    if not (type(names) is list and type(values) is list and isinstance(keys, np.ndarray)
            and isinstance(ends, np.ndarray) and keys.dtype == np.uint8 and ends.dtype == np.int64
            and len(names) == len(values) == len(ends)):
        return []
    data, offsets = keys.tobytes(), ends.tolist()
    if any(b < a for a, b in zip([0, *offsets], offsets)) or (offsets and offsets[-1] > len(data)):
        return []
    return [(name, data[start:end], value)
            for name, start, end, value in zip(names, [0, *offsets], offsets, values) if type(name) is str]


class Unsupported:
    """Stands for a value the child could not express as plain data."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<a {self.type_name} object>"


class CallableRef:
    """A named test function (see ``testfunctions``) passed as an argument."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class SharedRef:
    """An array the session was handed at spawn (slot ``slot`` of its shared inputs), sent by name
    instead of by value: the speed check's large matrix, mapped copy-on-write by the item child."""

    def __init__(self, slot: int, dtype: str, shape: tuple[int, ...]) -> None:
        self.slot, self.dtype, self.shape = slot, dtype, shape

    def __repr__(self) -> str:
        return f"<shared array {self.slot} {self.dtype} {self.shape}>"


class FrameReader:
    """Incremental frame parser for a non-blocking byte stream."""

    def __init__(self, max_frame: int = MAX_FRAME_BYTES, max_header: int = MAX_HEADER_BYTES) -> None:
        self._buf = bytearray()
        self._max = max_frame
        self._max_header = max_header
        self._scratch: memoryview | None = None

    def feed(self, data: bytes) -> None:
        self._buf += data

    def fill(self, sock: Any) -> int:
        """Read what ``sock`` holds (up to 1 MiB) into the buffer; 0 when it is closed.

        Into one buffer kept for the purpose: ``sock.recv(1 << 20)`` allocates (and maps) a
        fresh megabyte per call, 12 us of a stand-in round trip's ~230 on each side.
        """
        if self._scratch is None:
            self._scratch = memoryview(bytearray(1 << 20))
        count = sock.recv_into(self._scratch)
        self.feed(self._scratch[:count])
        return count

    def next_frame(self) -> dict[str, Any] | None:
        """Return the next complete message, or None when more bytes are needed."""
        while self._buf.startswith(SYNC):
            del self._buf[:len(SYNC)]
        if len(self._buf) < HEADER.size or self._buf.startswith(SYNC[:HEADER.size]):
            return None
        header_len, n_buffers = HEADER.unpack_from(self._buf, 0)
        if header_len > self._max_header or n_buffers > MAX_BUFFERS:
            raise LimitExceeded(f"a value of more than {MAX_BUFFERS} arrays or {MAX_HEADER_BYTES >> 20} MB "
                                "of numbers outside arrays")
        pos = HEADER.size + header_len
        if len(self._buf) < pos:
            return None
        spans = []
        for _ in range(n_buffers):
            if len(self._buf) < pos + BUFFER_LEN.size:
                return None
            (length,) = BUFFER_LEN.unpack_from(self._buf, pos)
            if length > self._max:
                raise LimitExceeded(f"more than {self._max >> 20} MB of data in one message")
            pos += BUFFER_LEN.size
            if len(self._buf) < pos + length:
                return None
            spans.append((pos, length))
            pos += length
        if pos > self._max:
            raise LimitExceeded(f"more than {self._max >> 20} MB of data in one message")
        # The frame keeps the buffer it arrived in; arrays are views into it, not copies,
        # because fresh memory costs a page fault per 4 KiB on a large argument.
        frame, self._buf = self._buf, self._buf[pos:]
        view = memoryview(frame)
        header = bytes(view[HEADER.size:HEADER.size + header_len])
        return decode(header, [view[start:start + length] for start, length in spans])

    def pending(self) -> int:
        return len(self._buf)

    def resync(self) -> bool:
        """Drop everything up to and including the next sync marker; False if none has arrived.

        Without one, the bytes read so far are dropped too, but for a tail that may be
        the start of a marker split across reads.
        """
        at = self._buf.find(SYNC)
        if at < 0:
            stale = len(self._buf) - len(SYNC) + 1
            if stale > 0:
                del self._buf[:stale]
            return False
        del self._buf[:at + len(SYNC)]
        return True
