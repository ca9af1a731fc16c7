#!/usr/bin/env python3
"""Writes the request_parser seed corpus: corpus/request_parser/<name>.bin.

Each seed is [profile][3 chunk-plan bytes][client bytes] (see
harnesses/request_parser/checks.h): profile bit 0 selects the small caps
(max_inline_len 64, max_multibulk_len 8, max_bulk_len 32), otherwise Redis's
defaults; bit 1 sets big_arg_min to profile >> 2 (0-63) so short bulks take the
big-argument path when chunked. Plan bytes give chunk sizes (byte % 64) + 1. Run from anywhere; it
rewrites the directory's .bin files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


DEFAULTS, SMALL = 0, 1


def big_arg(min_len, small=False):
    """A profile whose big-argument threshold is min_len (0-63)."""
    return 2 | (min_len << 2) | (SMALL if small else DEFAULTS)

INLINE_MAX, MBULK_MAX, BULK_MAX = 64, 8, 32  # the small caps

SEEDS = {}


def add(name, payload, profile=DEFAULTS, chunks=(2, 0, 6)):
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    assert name not in SEEDS, name
    SEEDS[name] = bytes([profile]) + bytes(c % 64 for c in chunks) + payload


def bulk(s):
    if isinstance(s, str):
        s = s.encode("latin-1")
    return b"$%d\r\n" % len(s) + s + b"\r\n"


def command(*args):
    return (b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args)).decode("latin-1")


# Multibulk.
add("mb_ping", command("PING"))
add("mb_set", command("SET", "key", "value"))
add("mb_empty_arg", command("SET", "k", ""))
add("mb_binary", command("SET", "k", "a\0\r\n\xff b"))
add("mb_pipeline", command("SET", "k", "v") + command("GET", "k") + command("DEL", "k"),
    chunks=(0, 5, 13))
add("mb_zero_count", "*0\r\n" + command("PING"))
add("mb_negative_counts", "*-1\r\n*-10\r\n*-9223372036854775808\r\n" + command("PING"))
add("mb_unchecked_trailers", "*1\r\n$4\r\nPINGxy*1\rX$4\rYPINGab")
add("mb_partial", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel")
add("mb_huge_declared", "*2147483647\r\n$536870912\r\nabc", chunks=(0, 0, 0))

# Every error path.
for tag, header in (("letter", "x"), ("empty", ""), ("leading_zero", "01"), ("plus", "+1"),
                    ("space", "1 "), ("minus_zero", "-0"), ("int_max_plus_1", "2147483648"),
                    ("overflow", "99999999999999999999")):
    add("err_mbulk_len_" + tag, "*%s\r\n" % header)
for tag, byte in (("letter", "f"), ("cr", "\r"), ("lf", "\n"), ("ctrl", "\x01"),
                  ("high", "\xff"), ("star", "*")):
    add("err_expected_dollar_" + tag, "*2\r\n$1\r\na\r\n" + byte + "oo\r\n")
for tag, length in (("letter", "x"), ("negative", "-1"), ("empty", ""), ("leading_zero", "01"),
                    ("max_plus_1", "536870913"), ("lf_inside", "4\nPING")):
    add("err_bulk_len_" + tag, "*1\r\n$%s\r\n" % length)
add("err_unbalanced_double", "ECHO \"abc\r\n")
add("err_unbalanced_single", "ECHO 'abc\r\n")
add("err_unbalanced_after_close", "ECHO \"abc\"d\r\n")
add("err_unbalanced_escaped_close", "RPUSH k \"a\\\"\r\n")
add("err_unbalanced_mixed", "RPUSH k \"y\"'\r\n")
add("err_too_big_inline", "a" * (INLINE_MAX + 1), SMALL)
add("err_too_big_mbulk_count", "*" + "1" * INLINE_MAX, SMALL)
add("err_too_big_bulk_count", "*1\r\n$" + "1" * INLINE_MAX, SMALL)
add("err_too_big_bulk_count_no_cr", "*1\r\n" + "x" * (INLINE_MAX + 1), SMALL)
add("err_after_requests", "PING\r\n" + command("GET", "k") + "*x\r\n", chunks=(1, 1, 1))
# A NUL hides the terminator (strchr): stuck, then "too big" past the limit.
add("nul_inline_stuck", "ECHO a\0b\r\nPING\r\n")
add("err_nul_inline", "a\0" + "\n" * (INLINE_MAX - 1), SMALL)
add("err_nul_mbulk", "*1\0" + "\r" * (INLINE_MAX - 2), SMALL)
add("err_nul_bulk", "*1\r\n$\0" + "\r" * (INLINE_MAX - 1), SMALL)

# Limit boundaries with the small caps: at the limit, and one past it.
add("cap_inline_at", "a" * INLINE_MAX + "\n", SMALL)
add("cap_inline_past", "a" * (INLINE_MAX + 1) + "\n", SMALL)
add("cap_inline_crlf_at", "a" * (INLINE_MAX - 1) + "\r\n", SMALL)
add("cap_inline_crlf_past", "a" * INLINE_MAX + "\r\n", SMALL)
add("cap_multibulk_at", command(*["a"] * MBULK_MAX), SMALL)
add("cap_multibulk_past", command(*["a"] * (MBULK_MAX + 1)), SMALL)
add("cap_bulk_at", command("SET", "k", "b" * BULK_MAX), SMALL)
add("cap_bulk_past", command("SET", "k", "b" * (BULK_MAX + 1)), SMALL)
add("cap_mbulk_line_at", "*" + "0" * (INLINE_MAX - 2) + "1\r\n", SMALL)
add("cap_mbulk_line_past", "*" + "0" * (INLINE_MAX - 1) + "1\r\n", SMALL)
add("cap_bulk_line_at", "*1\r\n$" + "0" * (INLINE_MAX - 2) + "1\r\nx\r\n", SMALL)
add("cap_bulk_line_past", "*1\r\n$" + "0" * (INLINE_MAX - 1) + "1\r\nx\r\n", SMALL)
# And the defaults that fit in a seed.
add("default_multibulk_at", "*2147483647\r\n", chunks=(0, 0, 0))
add("default_multibulk_past", "*2147483648\r\n")
add("default_bulk_at", "*1\r\n$536870912\r\n")
add("default_bulk_past", "*1\r\n$536870913\r\n")

# Inline, every quoting form.
add("in_ping", "PING\r\n")
add("in_lf_only", "SET k v\nGET k\n")
add("in_cr_cr_lf", "PING\r\r\n")
add("in_blank_lines", "\r\n\n   \t \r\n\x0b\x0c\nPING\r\n")
add("in_double_quotes", "ECHO \"hello world\"\r\n")
add("in_escapes", "RPUSH k \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n")
add("in_hex", "RPUSH k \"\\x41\\xfF\\x00\" \"\\xZZ\" \"\\x4\" \"\\x\"\r\n")
add("in_single_quotes", "RPUSH k 'it\\'s' 'a\\\\b' 'e\\\"'\r\n")
add("in_empty_args", "RPUSH k \"\" '' x\r\n")
add("in_mid_token_quote", "RPUSH k a'b c' x\"y\"\r\n")
add("in_vt_ff", "RPUSH k a\x0bb \x0c c \"d\"\x0b 'e'\x0c\r\n")
add("in_tabs_cr", "RPUSH k a\tb\rc\r\n")
add("in_high_bytes", "RPUSH k \x80\xff \"\xc3\xa9\"\r\n")
add("in_all_forms", "SET \"k\\x20ey\" 'v a l' plain\"q\"\r\n", chunks=(0, 0, 0))

# Mixed inline and multibulk.
add("mixed", "PING\r\n" + command("ECHO", "hi") + "*0\r\nECHO \"x y\"\r\n" + command("GET", "k"))
add("mixed_small", "PING\r\n" + command("ECHO", "hi") + "ECHO 'x y'\r\n", SMALL, (1, 2, 3))

# Chunking plans: byte at a time, odd sizes, large.
for plan in ((0, 0, 0), (1, 2, 3), (63, 63, 63), (4, 0, 17)):
    add("chunks_%d_%d_%d" % plan,
        command("SET", "k", "v") + "GET k\r\n" + command("ECHO", "a b") + "ECHO \"a\\x62\"\r\n",
        DEFAULTS, plan)

# The big-argument path (small thresholds): below, at and past the threshold,
# a payload with CR/LF inside, an error right after one, a cut-off payload,
# a bulk at the small bulk cap, and an empty bulk with threshold 0.
add("big_arg_boundary", command("SET", "k", "b" * 15) + command("SET", "k", "b" * 16) +
    command("GET", "b" * 17), big_arg(16), (0, 4, 9))
add("big_arg_crlf_inside", command("ECHO", "\r\n$3\r\n*1\r\n" * 4) + "PING\r\n", big_arg(8),
    (2, 0, 6))
add("big_arg_then_error", command("SET", "k", "v" * 40) + "*x\r\n", big_arg(32), (5, 1, 3))
add("big_arg_error_in_request", "*3\r\n$3\r\nSET\r\n$20\r\n" + "x" * 20 + "\r\nx\r\n",
    big_arg(4), (0, 0, 0))
add("big_arg_cut_off", "*2\r\n$4\r\nECHO\r\n$60\r\nabc", big_arg(1), (1, 2, 3))
add("big_arg_at_bulk_cap", command("SET", "k", "c" * BULK_MAX), big_arg(BULK_MAX, True),
    (3, 7, 11))
add("big_arg_empty_bulks", command("", "", "x") + "PING\r\n", big_arg(0), (0, 0, 0))


if __name__ == "__main__":
    write_corpus("request_parser", SEEDS)
