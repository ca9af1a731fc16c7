#!/usr/bin/env python3
"""Writes the resp_hiredis12_diff seed corpus: corpus/resp_hiredis12_diff/<name>.bin.

Each seed is [3 chunk-plan bytes][RESP2/RESP3 payload] (see
harnesses/resp_hiredis12_diff/checks.h): both readers get the payload in
chunks of (plan byte % 64) + 1 bytes, the three sizes cycled. Run from
anywhere; it rewrites the directory's .bin files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


SEEDS = {}


def add(name, payload, plan=(64, 64, 64)):
    """plan: three chunk sizes 1..64 (the default feeds 64-byte chunks)."""
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    SEEDS[name] = bytes((s - 1) % 64 for s in plan) + payload


# Every RESP2 and RESP3 type hiredis 1.2.0 reads, in 64-byte feeds and a byte at a time.
TYPES = {
    "simple": "+OK\r\n",
    "error": "-ERR unknown command 'foo'\r\n",
    "integer": ":-9223372036854775808\r\n",
    "bulk": "$6\r\nfoobar\r\n",
    "bulk_binary": "$4\r\n\x00\xff\r\x01\r\n",
    "null_bulk": "$-1\r\n",
    "null_array": "*-1\r\n",
    "array": "*5\r\n+a\r\n-b\r\n:3\r\n$1\r\nd\r\n$-1\r\n",
    "null": "_\r\n",
    "double": ",3.14\r\n",
    "double_exp": ",-1.5e-10\r\n",
    "double_inf": ",inf\r\n",
    "double_minus_inf": ",-inf\r\n",
    "double_nan": ",nan\r\n",
    "double_minus_nan": ",-nan\r\n",
    "boolean_true": "#t\r\n",
    "boolean_false": "#f\r\n",
    "bignumber": "(3492890328409238509324850943850943825024385\r\n",
    "bignumber_negative": "(-1\r\n",
    "verbatim": "=15\r\ntxt:Some string\r\n",
    "verbatim_empty_text": "=4\r\nmkd:\r\n",
    "map": "%2\r\n+first\r\n:1\r\n+second\r\n,2.5\r\n",
    "map_empty": "%0\r\n",
    "set": "~3\r\n+orange\r\n#t\r\n_\r\n",
    "push": ">3\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n$-1\r\n",
    "push_pubsub": ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n",
    "hello3": "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
              "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
              "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
    "nested_mixed": "*3\r\n%1\r\n~1\r\n:1\r\n>1\r\n#f\r\n*2\r\n_\r\n=5\r\ntxt:x\r\n",
    "pipeline": "+OK\r\n,1\r\n_\r\n>2\r\n+a\r\n+b\r\n%1\r\n(1\r\n#t\r\n",
}
for name, payload in TYPES.items():
    add(name, payload)
    add(name + "_bytewise", payload, (1, 1, 1))

# The divergence table, one seed per row (docs/fidelity.md).
EDGES = {
    "stray_cr": "+a\rb\r\n",
    "bare_lf": "+a\nb\r\n",
    "bulk_crlf_unchecked": "$1\r\naXY+OK\r\n",
    "bulk_above_limit": "$536870913\r\n",
    "integer_plus": ":+5\r\n",
    "integer_leading_zero": ":007\r\n",
    "length_leading_zero": "%01\r\n+a\r\n+b\r\n",
    "attribute": "|1\r\n+ttl\r\n:3600\r\n+value\r\n",
    "blob_error": "!21\r\nSYNTAX invalid syntax\r\n",
    "end_marker": ".\r\n",
    "streamed_string": "$?\r\n;4\r\nHell\r\n;0\r\n",
    "streamed_array": "*?\r\n:1\r\n.\r\n",
    "map_nil": "%-1\r\n",
    "verbatim_nil": "=-1\r\n",
    "double_hex": ",0x10\r\n",
    "double_upper_inf": ",INF\r\n",
    "double_nan_payload": ",nan(123)\r\n",
    "double_long": "," + "0." + "1" * 330 + "\r\n",
    "boolean_upper": "#T\r\n",
    "boolean_nul": "#\x00\r\n",
    "bignumber_empty": "(\r\n",
    "bignumber_minus": "(-\r\n",
    "bignumber_plus": "(+5\r\n",
    "verbatim_short": "=3\r\ntxt\r\n",
    "verbatim_no_colon": "=5\r\ntxtxy\r\n",
    "bad_type": "@\r\n",
    "bad_bool": "#x\r\n",
    "bad_null": "_x\r\n",
    "bad_double": ",1.2.3\r\n",
    "map_huge_count": "%4294967295\r\n",
    "array_over_maxelements": "*4294967296\r\n",
}
for name, payload in EDGES.items():
    add("edge_" + name, payload)

# Partial input: both wait.
PARTIAL = {
    "type_only": ">",
    "double": ",1.5",
    "map_half": "%2\r\n+k\r\n:1\r\n+k2\r\n",
    "verbatim": "=10\r\ntxt:ab",
}
for name, payload in PARTIAL.items():
    add("partial_" + name, payload, (1, 2, 3))

# Depth: hiredis 1.2.0 grows its task stack 9 at a time.
add("deep_push_40", ">1\r\n" * 40 + "#t\r\n", (5, 7, 64))
# Sizes within the 1024-byte max_len, across hiredis's 1 KiB buffer trim.
add("bulk_900", "$900\r\n" + "x" * 900 + "\r\n+after\r\n", (17, 64, 3))
add("pipeline_120", "".join(f",{i}.5\r\n#t\r\n" for i in range(60)), (7, 13, 64))
# Chunk plans over one mixed stream.
MIXED = "*3\r\n%1\r\n+k\r\n,1e3\r\n~2\r\n#t\r\n(12\r\n=6\r\ntxt:ok\r\n>1\r\n_\r\n-ERR last\r\n"
for plan in ((1, 2, 3), (2, 3, 5), (13, 1, 64), (64, 1, 1)):
    add("chunks_" + "_".join(map(str, plan)), MIXED, plan)


if __name__ == "__main__":
    write_corpus("resp_hiredis12_diff", SEEDS)
