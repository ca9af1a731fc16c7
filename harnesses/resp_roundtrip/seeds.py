#!/usr/bin/env python3
"""Writes the resp_roundtrip seed corpus: corpus/resp_roundtrip/<name>.bin.

The harness decodes bytes into a value tree (harnesses/resp_roundtrip/checks.cc):
each node starts with a head byte, low 4 bits = type, bit 4 = attributes; then
its payload. Type numbers below follow that table.
"""
import struct

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


SIMPLE, ERROR, INTEGER, BULK, NULL_BULK, NULL_ARRAY, ARRAY, NULL, BOOLEAN, DOUBLE, \
    BIG, BULK_ERROR, VERBATIM, MAP, SET, PUSH = range(16)
ATTR = 16


def s(t, text):
    text = text.encode("latin-1")
    return bytes([t, len(text)]) + text


def integer(v=None, edge=0):
    if v is None:
        return bytes([INTEGER, edge])
    return bytes([INTEGER, 0x80]) + struct.pack(">q", v)


def double(v=None, edge=0):
    if v is None:
        return bytes([DOUBLE, edge])
    return bytes([DOUBLE, 0x80]) + struct.pack(">d", v)


def agg(t, *children, head_extra=0):
    return bytes([t | head_extra, len(children) // (2 if t == MAP else 1)]) + b"".join(children)


SEEDS = {
    "simple": s(SIMPLE, "OK"),
    "error": s(ERROR, "ERR wrong number of arguments"),
    "integer_edges": agg(ARRAY, *[integer(edge=i) for i in range(6)]),
    "integer_raw": integer(-123456789012345),
    "bulk_binary": s(BULK, "a\r\nb\x00\xff"),
    "nulls": agg(ARRAY, bytes([NULL_BULK]), bytes([NULL_ARRAY]), bytes([NULL])),
    "booleans": agg(ARRAY, bytes([BOOLEAN, 1]), bytes([BOOLEAN, 0])),
    "double_edges": agg(ARRAY, *[double(edge=i) for i in range(6)]),
    "double_specials": agg(ARRAY, double(edge=8), double(edge=9), double(edge=10), double(edge=11)),
    "double_raw": double(0.1 + 0.2),
    "double_nan_payload": bytes([DOUBLE, 0x80]) + bytes.fromhex("7ff8000000000001"),
    "big_number": bytes([BIG, 0x59]) + b"123456789012345",
    "bulk_error": s(BULK_ERROR, "SYNTAX bad\r\nline"),
    "verbatim": bytes([VERBATIM, 2 * 5]) + b"hello",
    "verbatim_mkd": bytes([VERBATIM, 2 * 3 + 1]) + b"# h",
    "map": agg(MAP, s(SIMPLE, "a"), integer(edge=1), s(BULK, "b"), double(edge=2)),
    "set": agg(SET, s(BULK, "x"), s(BULK, "y")),
    "push": agg(PUSH, s(BULK, "invalidate"), agg(ARRAY, s(BULK, "k1"))),
    "attributes": bytes([INTEGER | ATTR, 5, 0]) + s(SIMPLE, "ttl") + integer(edge=3),
    "attributes_two_pairs": bytes([ARRAY | ATTR, 1, 1]) + s(SIMPLE, "a") + s(SIMPLE, "b")
    + s(SIMPLE, "c") + s(SIMPLE, "d") + s(BULK, "v"),
    "deep": bytes([ARRAY, 1]) * 9 + integer(edge=1),
    "wide": agg(ARRAY, *[agg(MAP, s(SIMPLE, str(i)), bytes([BOOLEAN, i])) for i in range(6)]),
    "empty": b"",
}


if __name__ == "__main__":
    write_corpus("resp_roundtrip", SEEDS)
