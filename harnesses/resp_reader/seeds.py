#!/usr/bin/env python3
"""Writes the resp_reader seed corpus: corpus/resp_reader/<name>.bin.

Each seed is [flags][3 chunk-plan bytes][payload] (see
harnesses/resp_reader/checks.h): flags bit 0 selects RESP3, bits 1-2 the
limits profile (0 defaults, 1 tight, 2 medium, 3 minimal). Run from anywhere;
it rewrites the directory's .bin files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


RESP2, RESP3 = 0, 1


def seed(protocol, profile=0, chunks=(0, 0, 0)):
    return bytes([protocol | (profile << 1)]) + bytes(c % 64 for c in chunks)


SEEDS = {}


def add(name, payload, protocol=RESP3, profile=0, chunks=(2, 0, 6)):
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    SEEDS[name] = seed(protocol, profile, chunks) + payload


# Every type, both protocols where it exists.
RESP2_TYPES = {
    "simple": "+OK\r\n",
    "error": "-ERR unknown command 'foo'\r\n",
    "integer": ":-9223372036854775808\r\n",
    "bulk": "$6\r\nfoobar\r\n",
    "bulk_crlf_inside": "$4\r\na\r\nb\r\n",
    "bulk_empty": "$0\r\n\r\n",
    "null_bulk": "$-1\r\n",
    "null_array": "*-1\r\n",
    "array": "*3\r\n:1\r\n$1\r\na\r\n*0\r\n",
    "nested": "*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n:3\r\n",
    "pipeline": "+OK\r\n:1\r\n$3\r\nfoo\r\n*1\r\n-ERR x\r\n",
}
for name, payload in RESP2_TYPES.items():
    add("resp2_" + name, payload, RESP2)
    add("resp3_" + name, payload, RESP3, chunks=(0, 3, 9))

RESP3_TYPES = {
    "null": "_\r\n",
    "boolean": "#t\r\n#f\r\n",
    "double": ",1.23\r\n,-0\r\n,1e+22\r\n,2.5E-3\r\n",
    "double_special": ",inf\r\n,-inf\r\n,nan\r\n,+inf\r\n",
    "big_number": "(3492890328409238509324850943850943825024385\r\n(-1\r\n",
    "bulk_error": "!21\r\nSYNTAX invalid syntax\r\n",
    "verbatim": "=15\r\ntxt:Some string\r\n",
    "map": "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
    "set": "~3\r\n+a\r\n+b\r\n+c\r\n",
    "push": ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
    "attribute": "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    "attribute_nested": "*2\r\n|1\r\n+ttl\r\n:5\r\n+x\r\n|0\r\n|1\r\n+a\r\n+b\r\n+y\r\n",
    "streamed_string": "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
    "streamed_array": "*?\r\n:1\r\n:2\r\n:3\r\n.\r\n",
    "streamed_map": "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n",
    "streamed_set": "~?\r\n+a\r\n*?\r\n.\r\n.\r\n",
    "hello_reply": "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                   "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
                   "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
    "invalidate_push": ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n",
}
for name, payload in RESP3_TYPES.items():
    add("resp3_" + name, payload, RESP3)
    add("resp2_rejects_" + name, payload, RESP2)

# Error paths.
ERRORS = {
    "unknown_type": "?x\r\n",
    "cr_without_lf": "+a\rb\r\n",
    "lf_in_line": "+a\nb\r\n",
    "bad_integer": ":12x\r\n",
    "integer_overflow": ":9223372036854775808\r\n",
    "empty_integer": ":\r\n",
    "bad_length": "$x\r\n",
    "negative_length": "$-2\r\n",
    "bulk_no_crlf": "$3\r\nabcXY",
    "bulk_cr_no_lf": "$3\r\nabc\rX",
    "bad_double": ",1.\r\n",
    "double_out_of_range": ",1e400\r\n",
    "bad_boolean": "#x\r\n",
    "null_payload": "_x\r\n",
    "bad_big_number": "(12a\r\n",
    "bad_verbatim": "=3\r\ntxt\r\n",
    "stream_bad_part": "$?\r\n+x\r\n",
    "end_outside_stream": ".\r\n",
    "end_mid_pair": "%?\r\n+a\r\n.\r\n",
    "dangling_attribute": "*?\r\n|1\r\n+a\r\n+b\r\n.\r\n",
    "truncated_aggregate": "*3\r\n:1\r\n",
    "truncated_bulk": "$10\r\nabc",
    "huge_declared": "*2147483647\r\n$536870912\r\nabc",
}
for name, payload in ERRORS.items():
    add("error_" + name, payload, RESP3, chunks=(1, 1, 1))

# Limit boundaries for each small profile: exactly at the cap, and one past it.
PROFILES = {1: dict(depth=3, agg=4, bulk=8, line=16), 2: dict(depth=16, agg=64, bulk=256, line=64),
            3: dict(depth=1, agg=1, bulk=0, line=2)}
for profile, caps in PROFILES.items():
    for extra, tag in ((0, "at"), (1, "past")):
        d = caps["depth"] + extra
        add(f"p{profile}_depth_{tag}", "*1\r\n" * d + ":1\r\n", RESP3, profile)
        n = caps["agg"] + extra
        add(f"p{profile}_aggregate_{tag}", f"*{n}\r\n" + ":1\r\n" * n, RESP3, profile)
        b = caps["bulk"] + extra
        add(f"p{profile}_bulk_{tag}", f"${b}\r\n" + "x" * b + "\r\n", RESP3, profile)
        add(f"p{profile}_streamed_bulk_{tag}",
            "$?\r\n" + (f";{b}\r\n" + "x" * b + "\r\n" if b else "") + ";0\r\n", RESP3, profile)
        ln = caps["line"] + extra
        add(f"p{profile}_line_{tag}", "+" + "y" * (ln - 0) + "\r\n" if ln else "+\r\n", RESP3, profile)
        add(f"p{profile}_map_{tag}", f"%{n}\r\n" + ":1\r\n:2\r\n" * n, RESP3, profile)

# Chunking plans: byte at a time, odd sizes, large.
for plan in ((0, 0, 0), (1, 2, 3), (63, 63, 63), (4, 0, 17)):
    add("chunks_%d_%d_%d" % plan, "*2\r\n$5\r\nhello\r\n%1\r\n+k\r\n,3.5\r\n", RESP3, 0, plan)

# Bulks of 64 bytes or more that arrive over several chunks: the reply tree
# takes them with the reader's buffer (Visitor::OnStringBuffer) instead of
# copying them; whole-fed, they are copied. Then an error in the same chunk.
BIG = "b" * 100
add("handoff_bulks", f"$100\r\n{BIG}\r\n!100\r\n{BIG}\r\n=104\r\ntxt:{BIG}\r\n:1\r\n",
    RESP3, 0, (30, 17, 41))
add("handoff_then_error", f"*2\r\n$100\r\n{BIG}\r\n?\r\n", RESP2, 0, (20, 50, 9))


if __name__ == "__main__":
    write_corpus("resp_reader", SEEDS)
