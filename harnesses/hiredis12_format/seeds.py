#!/usr/bin/env python3
"""Writes the hiredis12_format seed corpus: corpus/hiredis12_format/<name>.bin.

Each seed is an argv, each argument [length][bytes] (see
harnesses/hiredis12_format/checks.h): one length byte below 0xF0, else two
bytes, ((b & 0x0F) << 8 | next), up to 4095. Run from anywhere; it rewrites
the directory's .bin files.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import write_corpus  # noqa: E402


SEEDS = {}


def arg(a):
    if isinstance(a, str):
        a = a.encode("latin-1")
    if len(a) < 0xF0:
        return bytes([len(a)]) + a
    assert len(a) <= 4095
    return bytes([0xF0 | (len(a) >> 8), len(a) & 0xFF]) + a


def add(name, argv):
    SEEDS[name] = b"".join(arg(a) for a in argv)


add("empty_argv", [])
add("ping", ["PING"])
add("set", ["SET", "key", "value"])
add("set_ex", ["SET", "key", "value", "EX", "10"])
add("empty_args", ["", "", ""])
add("crlf_args", ["SET", "k\r\n", "\r\n*1\r\n$1\r\nx\r\n"])
add("binary", ["SET", "\x00\xff\x01", "\r", "\n", "\x00"])
add("inline_looking", ["GET", "a b", '"quoted"', "'x'"])
add("hset_many", ["HSET", "h"] + [f"f{i}" for i in range(20)])
add("args_64", [str(i) for i in range(64)])
add("arg_239", ["SET", "k", "v" * 239])
add("arg_240_two_byte", ["SET", "k", "v" * 240])
add("arg_4095", ["SET", "k", "w" * 4095])
add("counts_digits", ["x" * 9, "y" * 10, "z" * 99, "q" * 100, "r" * 999, "s" * 1000])
add("client_tracking", ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "NOLOOP"])
add("hello3", ["HELLO", "3", "AUTH", "default", "secret"])


if __name__ == "__main__":
    write_corpus("hiredis12_format", SEEDS)
