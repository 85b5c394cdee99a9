"""Frames rebuild plain values only; anything else is refused, never executed."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest

from grader.sandbox.child import protocol


def roundtrip(message):
    reader = protocol.FrameReader()
    data = protocol.encode(message)
    for i in range(0, len(data), 7):
        reader.feed(data[i:i + 7])
    return reader.next_frame()


def test_plain_values_survive_the_round_trip():
    message = {"a": 1, "b": 2.5, "c": (1.0, [np.arange(6.0).reshape(2, 3)]), "d": {"k": np.float64(0.25)},
               "e": float("nan"), "f": -math.inf, "g": None, "h": True, "s": "text"}
    got = roundtrip({"v": message})["v"]
    assert got["a"] == 1 and got["b"] == 2.5 and isinstance(got["c"], tuple)
    assert type(got["c"][1][0]) is np.ndarray and got["c"][1][0].shape == (2, 3)
    assert type(got["d"]["k"]) is np.float64
    assert math.isnan(got["e"]) and got["f"] == -math.inf and got["g"] is None and got["h"] is True


def test_subclasses_and_objects_become_plain_or_unsupported():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    got = roundtrip({"v": [np.zeros(2).view(Liar), Evil(), {1: 2}, np.array(["x"])]})["v"]
    assert type(got[0]) is np.ndarray
    assert all(isinstance(g, protocol.Unsupported) for g in got[1:])


def frame(header: dict, buffers: list[bytes] = ()) -> bytes:
    body = json.dumps(header).encode()
    out = struct.pack(">II", len(body), len(buffers)) + body
    for b in buffers:
        out += struct.pack(">Q", len(b)) + b
    return out


@pytest.mark.parametrize("header, buffers", [
    ({"v": {"__nd__": 0, "dtype": "|O", "shape": [1]}}, [b"\0" * 8]),
    ({"v": {"__nd__": 0, "dtype": "<f8", "shape": [3]}}, [b"\0" * 8]),
    ({"v": {"__nd__": 5, "dtype": "<f8", "shape": [1]}}, [b"\0" * 8]),
    ({"v": {"__scalar__": "<f8", "v": "x"}}, []),
    ({"v": {"__mystery__": 1}}, []),
])
def test_malformed_frames_are_refused(header, buffers):
    reader = protocol.FrameReader()
    reader.feed(frame(header, buffers))
    with pytest.raises(protocol.ProtocolError):
        reader.next_frame()


def test_oversized_frame_is_refused_before_it_is_buffered():
    reader = protocol.FrameReader()
    reader.feed(struct.pack(">II", protocol.MAX_HEADER_BYTES + 1, 0))
    with pytest.raises(protocol.ProtocolError):
        reader.next_frame()


def test_tuple_and_dict_subclasses_are_what_they_claim_and_nothing_is_cut():
    from collections import OrderedDict, namedtuple

    Pair = namedtuple("Pair", "dw db")

    class Lying(tuple):
        def __iter__(self):
            return iter(("forged",))

        def __len__(self):
            return 1

    long_text = "x" * 250_000
    got = roundtrip({"v": [Pair(np.ones(2), 0.5), OrderedDict(dJ_dv=2.0), Lying((1, 2, 3)),
                           long_text, {"k" * 500: 1}]})["v"]
    assert type(got[0]) is tuple and got[0][1] == 0.5 and type(got[0][0]) is np.ndarray
    assert got[1] == {"dJ_dv": 2.0} and type(got[1]) is dict
    assert got[2] == (1, 2, 3)  # read through tuple's own methods, not the subclass's
    assert got[3] == long_text and list(got[4]) == ["k" * 500]


def test_integers_beyond_float64_arrive_as_infinities():
    got = roundtrip({"v": [10**400, -10**400, 2**70]})["v"]
    assert got[0] == math.inf and got[1] == -math.inf and got[2] == float(2**70)


def test_a_table_of_answers_survives_the_wire_and_a_malformed_one_is_empty():
    entries = [("sigmoid", protocol.call_key("sigmoid", (np.float64(0.25),), {}), np.float64(0.56)),
               ("update", protocol.call_key("update", (np.ones(3), 0.5), {}), (np.zeros(3), 0.1)),
               ("cost", b"", None)]
    sent = roundtrip({"t": protocol.pack_answers(entries)})["t"]
    got = protocol.unpack_answers(sent)
    assert [(n, k) for n, k, _ in got] == [(n, k) for n, k, _ in entries]
    assert got[0][2] == np.float64(0.56) and type(got[0][2]) is np.float64
    assert np.array_equal(got[1][2][0], np.zeros(3)) and got[2][2] is None
    assert protocol.unpack_answers(protocol.pack_answers([])) == []
    good = protocol.pack_answers(entries)
    for broken in ({**good, "ends": good["ends"][::-1].copy()}, {**good, "ends": good["ends"] + 1000},
                   {**good, "names": good["names"][:1]}, {**good, "keys": good["keys"].astype(np.int64)},
                   [entries], None):
        assert protocol.unpack_answers(broken) == []
