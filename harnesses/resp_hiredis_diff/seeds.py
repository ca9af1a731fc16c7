#!/usr/bin/env python3
"""Writes the resp_hiredis_diff seed corpus: corpus/resp_hiredis_diff/<name>.bin.

Each seed is [hiredis feed byte][RESP2 payload] (see
harnesses/resp_hiredis_diff/checks.h): bit 7 set feeds hiredis the payload
whole, otherwise in chunks of (byte & 63) + 1 bytes. Our reader always reads
the payload whole. Run from anywhere; it rewrites the directory's .bin files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


WHOLE = 0x80
SEEDS = {}


def add(name, payload, chunk=None):
    """chunk: None = whole, else 1..64 bytes per redisReaderFeed."""
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    feed = WHOLE if chunk is None else (chunk - 1) % 64
    SEEDS[name] = bytes([feed]) + payload


def nest(depth, inner):
    return "*1\r\n" * depth + inner


# Every RESP2 type, whole and fed to hiredis a byte at a time.
TYPES = {
    "simple": "+OK\r\n",
    "simple_empty": "+\r\n",
    "error": "-ERR unknown command 'foo', with args beginning with: \r\n",
    "error_wrongtype": "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    "integer": ":1000\r\n",
    "integer_zero": ":0\r\n",
    "integer_min": ":-9223372036854775808\r\n",
    "integer_max": ":9223372036854775807\r\n",
    "bulk": "$6\r\nfoobar\r\n",
    "bulk_empty": "$0\r\n\r\n",
    "bulk_crlf_inside": "$4\r\na\r\nb\r\n",
    "bulk_binary": "$4\r\n\x00\xff\r\x01\r\n",
    "null_bulk": "$-1\r\n",
    "null_array": "*-1\r\n",
    "array_empty": "*0\r\n",
    "array_mixed": "*5\r\n+a\r\n-b\r\n:3\r\n$1\r\nd\r\n$-1\r\n",
    "nested": "*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n:3\r\n",
    "nulls_nested": "*3\r\n$-1\r\n*-1\r\n*1\r\n*-1\r\n",
    "scan_reply": "*2\r\n$1\r\n0\r\n*3\r\n$3\r\nkey\r\n$4\r\nkey2\r\n$4\r\nkey3\r\n",
    "pipeline": "+OK\r\n:1\r\n$3\r\nfoo\r\n*1\r\n-ERR x\r\n$-1\r\n",
}
for name, payload in TYPES.items():
    add(name, payload)
    add(name + "_bytewise", payload, 1)

# Depth: 8 nested arrays are fine for hiredis, a 9th '*' is not.
for d in (7, 8):
    add(f"arrays_{d}_deep", nest(d, ":1\r\n"))
for inner in ("*0\r\n", "*-1\r\n", ":1\r\n", "*1\r\n:1\r\n"):
    tag = {"*0\r\n": "empty", "*-1\r\n": "null", ":1\r\n": "int", "*1\r\n:1\r\n": "array"}[inner]
    add(f"arrays_8_deep_then_{tag}", nest(8, inner))
add("arrays_8_deep_then_partial", nest(8, "*"), 3)
add("arrays_10_deep", nest(10, ":1\r\n"), 5)
add("arrays_9_deep_after_sibling", "*2\r\n:1\r\n" + nest(8, "*0\r\n"))
# After a too-deep reply the comparison starts again: values after it count.
add("arrays_9_deep_then_values", nest(9, ":1\r\n") + "$3\r\nabc\r\n:+7\r\n", 2)
add("arrays_9_deep_twice", "+a\r\n" + nest(9, ":1\r\n") * 2 + "$3\r\nabc\r\n")

# Each known divergence (see the table in resp_hiredis_diff.cc).
DIVERGENCES = {
    "stray_cr_simple": "+a\rb\r\n",
    "stray_cr_error": "-ERR x\ry\r\n",
    "stray_cr_integer_waits": ":1\r2",
    "stray_cr_length": "$1\rX",
    "stray_cr_in_array": "+OK\r\n*2\r\n:1\r\n+a\rb\r\n",
    "bare_lf_simple": "+a\nb\r\n",
    "bare_lf_error": "-E\nRR\r\n",
    "bulk_crlf_unchecked": "$1\r\naXY+OK\r\n",
    "bulk_crlf_cr_only": "$0\r\n\rX",
    "bulk_crlf_in_array": "*2\r\n$1\r\na\r\n$2\r\nbc\n\n",
    "integer_plus": ":+5\r\n",
    "integer_plus_zero": ":+0\r\n",
    "integer_leading_zero": ":007\r\n",
    "integer_negative_zero": ":-0\r\n",
    "integer_negative_leading_zero": ":-01\r\n",
    "length_leading_zero_bulk": "$03\r\nabc\r\n",
    "length_leading_zero_array": "*01\r\n:1\r\n",
    "length_zero_zero": "*00\r\n",
    # Repaired, then compared again: values after the repaired line count.
    "integer_plus_then_values": ":+5\r\n:1\r\n$3\r\nabc\r\n",
    "integer_leading_zero_then_values": ":007\r\n:1\r\n",
    "length_leading_zero_then_values": "$03\r\nabc\r\n:1\r\n",
    "length_leading_zero_then_bad_terminator": "$03\r\nabc\xff\xff\xff\r\n:1\r\n",
    "many_non_canonical": "".join((":+%d\r\n" if i % 2 else ":0%d\r\n") % (i + 1) for i in range(20)),
    "bulk_above_our_limit": "$536870913\r\n",
    "bulk_above_our_limit_after_values": "*2\r\n:1\r\n$9223372036854775807\r\nabc",
}
for name, payload in DIVERGENCES.items():
    add("div_" + name, payload)
    add("div_" + name + "_chunked", payload, 2)

# Agreements: rejected by both (hiredis 0.14.1 uses a strict string2ll).
BOTH_REJECT = {
    "unknown_type": "?x\r\n",
    "resp3_type": "%1\r\n+a\r\n+b\r\n",
    "bad_integer": ":abc\r\n",
    "empty_integer": ":\r\n",
    "integer_overflow": ":9223372036854775808\r\n",
    "integer_overflow_negative": ":-9223372036854775809\r\n",
    "integer_overflow_huge": ":18446744073709551616\r\n",
    "bad_length": "$x\r\n",
    "plus_length": "*+3\r\n",
    "negative_length": "$-5\r\n",
    "negative_count": "*-5\r\n",
    "minus_zero_length": "$-0\r\n",
    "range_multi_bulk": "*2147483648\r\n",
    "zero_then_above_limit": "$0600000000\r\n",
}
for name, payload in BOTH_REJECT.items():
    add("reject_" + name, payload)
# Both reject, ours first (at the '2'; hiredis at the LF): stray-cr-in-line.
add("div_stray_cr_both_reject", ":1\r2\r\n")

# Large counts: compared (hiredis allocates nothing for a bulk before its
# bytes; its multi-bulk arrays are budgeted where it reads the count).
LARGE = {
    "bulk_count_in_simple": "+price $1048577\r\n",
    "array_counts_in_bulk": "$16\r\n*9000 and *9000 \r\n",
    "bulk_1m_waits": "$1048577\r\nab",
    "array_4096_waits": "*4096\r\n:1\r\n",
    "array_budget_refused": "$3\r\nabc\r\n*5000\r\n:1\r\n",
    "array_budget_nested": "*4000\r\n" * 5,
}
for name, payload in LARGE.items():
    add("large_" + name, payload, 3)

# Partial input: both wait.
PARTIAL = {
    "type_only": "+",
    "line": "+OK",
    "line_cr": "+OK\r",
    "bulk_header": "$5\r\n",
    "bulk_payload": "$5\r\nab",
    "bulk_no_crlf": "$1\r\na",
    "bulk_cr": "$1\r\na\r",
    "array": "*3\r\n:1\r\n",
    "nested": "*2\r\n*2\r\n:1\r\n",
}
for name, payload in PARTIAL.items():
    add("partial_" + name, payload, 1)

# Sizes (each seed within the 4096-byte max_len): a long array, and a long
# line / bulk across hiredis's 1 KiB buffer trim.
add("aggregate_1300", "*1300\r\n" + "+\r\n" * 1300, 64)
add("bulk_2k", "$2048\r\n" + "x" * 2048 + "\r\n", 17)
add("line_2k", "+" + "y" * 2048 + "\r\n", 33)
add("pipeline_300", "".join(f":{i}\r\n$1\r\n{i % 10}\r\n" for i in range(300)), 7)

# Chunk sizes over one mixed stream.
MIXED = "*3\r\n$5\r\nhello\r\n*2\r\n:-1\r\n$-1\r\n+done\r\n-ERR last\r\n"
for chunk in (1, 2, 3, 5, 13, 64):
    add(f"chunks_{chunk}", MIXED, chunk)


if __name__ == "__main__":
    write_corpus("resp_hiredis_diff", SEEDS)
