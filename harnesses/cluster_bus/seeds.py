#!/usr/bin/env python3
"""Writes the cluster_bus seed corpus: corpus/cluster_bus/<name>.bin.

Each seed is [flags][message] (see harnesses/cluster_bus/checks.h): flags
bit 0 overwrites totlen with the real length. One valid message per type and
per PING extension, the MEET captured from redis-server 7.0.15
(tests/fixtures/cluster/), each known defect class of Redis 7.0.15's
validation (which the strict validator must reject), and boundary cases.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from seedlib import ROOT, write_corpus  # noqa: E402

PING, PONG, MEET, FAIL, PUBLISH, AUTH_REQ, AUTH_ACK, UPDATE, MFSTART, MODULE, PUBLISHSHARD = range(11)
EXT_DATA = 4
SENDER = b"b68cfc449ec881591d5092531d4bcb6cd0c07067"
OTHER = b"15c629c29a100a3e1f9bdf3223ee3bc13ac4ec3d"


def pad(b, n):
    return b[:n] + b"\0" * (n - len(b[:n]))


def header(mtype, body_len, count=0, extensions=0, mflags0=0, totlen=None, ver=1, slots=b""):
    total = 2256 + body_len if totlen is None else totlen
    h = b"RCmb" + struct.pack(">IHHHH", total, ver, 7000, mtype, count)
    h += struct.pack(">QQQ", 5, 2, 1234)
    h += SENDER + pad(slots, 2048) + b"\0" * 40 + pad(b"127.0.0.1", 46)
    h += struct.pack(">H", extensions) + b"\0" * 30
    h += struct.pack(">HHHB", 0, 17000, 1, 0) + bytes([mflags0, 0, 0])
    assert len(h) == 2256
    return h


def gossip(name=OTHER, port=7001, flags=1):
    return name + struct.pack(">II", 0, 0) + pad(b"127.0.0.1", 46) + struct.pack(
        ">HHHHH", port, port + 10000, flags, 0, 0)


def ext(etype, data, length=None):
    data = data + b"\0" * (-len(data) % 8)
    n = 8 + len(data) if length is None else length
    return struct.pack(">IHH", n, etype, 0) + data


def ping(mtype=PING, n_gossip=1, exts=(), flag=True, **kw):
    body = b"".join(gossip(port=7001 + i) for i in range(n_gossip)) + b"".join(exts)
    return header(mtype, len(body), count=n_gossip, extensions=len(exts),
                  mflags0=EXT_DATA if flag and exts else 0, **kw) + body


def publish(channel, message, mtype=PUBLISH, lens=None):
    cl, ml = lens if lens else (len(channel), len(message))
    body = struct.pack(">II", cl, ml) + channel + message
    return header(mtype, len(body)) + body


def module(payload, module_id=0x1122334455667788, mtype=9):
    body = struct.pack(">QIB", module_id, len(payload), mtype) + payload
    return header(MODULE, len(body)) + body


SEEDS = {}


def add(name, msg, flags=0):
    SEEDS[name] = bytes([flags]) + msg


# One per type.
add("ping", ping(PING, 2))
add("pong", ping(PONG, 1))
add("meet", ping(MEET, 0))
add("fail", header(FAIL, 40) + OTHER)
add("publish", publish(b"news", b"hello world"))
add("publishshard", publish(b"{user}:ch", b"payload", PUBLISHSHARD))
add("failover_auth_request", header(AUTH_REQ, 0))
add("failover_auth_ack", header(AUTH_ACK, 0))
add("update", header(UPDATE, 2096) + struct.pack(">Q", 9) + OTHER + pad(b"\xff\x0f", 2048))
add("mfstart", header(MFSTART, 0))
add("module", module(b"\x00\x01module payload"))
add("unknown_type", header(200, 8) + b"anything")

# One per PING extension, and all four together.
HOST = ext(0, b"host-one.example\0")
HUMAN = ext(1, b"node-1\0")
FORGOTTEN = ext(2, OTHER + struct.pack(">Q", 60))
SHARD = ext(3, b"a" * 40)
add("ext_hostname", ping(exts=[HOST]))
add("ext_human_nodename", ping(exts=[HUMAN]))
add("ext_forgotten_node", ping(exts=[FORGOTTEN]))
add("ext_shard_id", ping(exts=[SHARD]))
add("ext_all", ping(PONG, 2, exts=[HOST, HUMAN, FORGOTTEN, SHARD]))
add("ext_unknown_type", ping(exts=[ext(99, b"z" * 16)]))

# The real thing: a MEET redis-server 7.0.15 sent (gossip + hostname).
with open(os.path.join(ROOT, "tests", "fixtures", "cluster",
                       "redis7015_meet_gossip_hostname.bin"), "rb") as fh:
    add("redis7015_meet", fh.read())

# Known defect 1: PUBLISH channel_len + message_len wrapping a 32-bit sum.
add("bug_publish_len_wrap", publish(b"ch", b"msg!!!", lens=(0x80000004, 0x80000004)))
add("bug_publishshard_len_wrap",
    publish(b"ch", b"msg!!!", PUBLISHSHARD, lens=(0xFFFFFFFF, 0x00000009)))
# Known defect 2: an extension length kept in 16 bits (65544 seen as 8). As
# the last extension it is harmless in 7.0.15 (the next one is never read);
# followed by another, 7.0.15's cluster.c reads that one's header 65544 bytes
# on, past the end (Debian's redis-server 7.0.15 rejects it before: a
# backported check wants 8 bytes left after the 16-bit lengths).
add("bug_ext_len_16bit", ping(exts=[ext(99, b"", length=0x10008)]))
add("bug_ext_len_16bit_then_another",
    header(PING, 104 + 8, count=1, extensions=2, mflags0=EXT_DATA) + gossip()
    + ext(99, b"", length=0x10008))
# Known defect 3: string extensions without a terminator.
add("bug_hostname_unterminated", ping(exts=[ext(0, b"abcdefgh")]))
add("bug_human_nodename_unterminated", ping(exts=[ext(1, b"node-one")]))

# Found by `respfuzz cluster bus-fuzz --seed 1` (docs/cluster.md): redis-server
# 7.0.15 aborts ('retval == DICT_OK', cluster.c:1179) on a PING from a node it
# knows whose gossip names the same node twice under a name that is not 40 of
# [a-z0-9]: the lookup refuses the name, so each entry adds a new node under
# it, and the second add finds the first in the node table. As found: 40 NUL
# bytes, flags 0; and with one uppercase letter (the id check, not the NULs).
# Valid messages: both profiles accept them. Replay on a live node:
# `respfuzz cluster bus-replay FILE --sender shard-0-primary`.
add("redis7015_gossip_same_nul_name_twice",
    header(PING, 208, count=2) + gossip(b"\0" * 40, flags=0) * 2)
add("redis7015_gossip_same_uppercase_name_twice",
    header(PING, 208, count=2) + gossip(OTHER.upper(), flags=0) * 2)

# Boundaries (flag 1 keeps totlen right after mutations).
add("fix_totlen_ping", ping(PING, 1, exts=[HOST]), flags=1)
add("fix_totlen_publish", publish(b"c", b"m"), flags=1)
# Empty channel and message: the message ends with message_len, a 4-byte
# read ending exactly at the last byte (7.0.15 reads nothing past the end).
add("publish_empty", publish(b"", b""))
add("publishshard_empty", publish(b"", b"", PUBLISHSHARD))
add("fail_one_short", (header(FAIL, 39) + OTHER)[:-1])
add("ext_misaligned", ping(exts=[ext(99, b"z" * 8, length=12) + b"\0" * 4]))
add("ext_zero_length", ping(exts=[ext(99, b"", length=0)]))
add("ext_without_flag", ping(exts=[HOST], flag=False))
add("ext_shard_short", ping(exts=[ext(3, b"a" * 32)]))
add("ext_forgotten_short", ping(exts=[ext(2, OTHER)]))
add("gossip_count_past_end", header(PING, 104, count=2) + gossip())
add("min_length_minus_one", header(AUTH_REQ, 0, totlen=2255)[:2255])
add("bad_version", header(FAIL, 40, ver=2) + OTHER)
add("bad_signature", b"RCmB" + header(FAIL, 40)[4:] + OTHER)
add("module_len_wrap", header(MODULE, 13) + struct.pack(">QIB", 1, 0xFFFFFFF3, 0))

if __name__ == "__main__":
    write_corpus("cluster_bus", SEEDS)
