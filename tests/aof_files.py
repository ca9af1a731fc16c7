#!/usr/bin/env python3
"""aof_files.py [--intrude] PORT_A DIR_A PORT_B DIR_B: the append-only files of
two servers (A the reference, B the one checked), compared.

Both on 127.0.0.1 with DEBUG allowed, each writing into its own working
directory (DIR_A, DIR_B). On each server:

 1. CONFIG SET appendonly yes; every scenario of replication_stream.py runs,
    then the consumer-group steps below. The manifests must be alike, and the
    commands of the incr file alike, times made relative as the replication
    streams' are.
 2. A dataset of every type with fixed times and IDs; BGREWRITEAOF under
    aof-use-rdb-preamble no: the base files must hold the same commands
    (compared sorted: each server walks its keys in its own order).
 3. DEBUG LOADAOF (the base and incr files, then the RDB-preamble base of a
    second rewrite): DEBUG DIGEST must not move, and must be alike on both.
 4. The AOF of A copied into B's directory: B's DEBUG LOADAOF must give A's
    digest (B reads what A wrote).

Afterwards both have appendonly no and B's directory holds B's own AOF of
step 3 (the caller may start A on it to check the other way round).
--intrude writes one more key on B only during step 1: the files must then
differ (exit 1). Exits 1 at the first difference, 2 on a connection problem.
"""
import os
import shutil
import sys
import time

import replication_stream as rs

GROUP_STEPS = [
    "xadd cg 1-1 a 1", "xadd cg 1-2 b 2", "xadd cg 1-3 c 3",
    "xgroup create cg g 0", "xreadgroup group g alice count 2 streams cg >",
    "xreadgroup group g bob noack streams cg >", "xclaim cg g carol 0 1-1",
    "xclaim cg g carol 0 1-2 justid lastid 5-0", "xdel cg 1-2",
    "xautoclaim cg g dave 0 0", "xclaim cg g erin 0 1-9 force",
    "xgroup createconsumer cg g frank", "xreadgroup group g gina streams cg 0",
    "eval|redis.set_repl(redis.REPL_AOF) redis.call('set','aofonly','1')|0",
    "eval|redis.set_repl(redis.REPL_REPLICA) redis.call('set','replonly','1')|0",
]

FAR = rs.FAR
DATASET = [
    "flushall", "set s1 hello", "set s2 12345", "rpush l1 a b c 1 2", "sadd st1 3 1 2",
    "sadd st2 x y", "zadd z1 1.5 a -2 b inf c", "hset h1 f1 v1 f2 v2",
    "xadd x1 1-1 f v", "xadd x1 2-1 g w", "xgroup create x1 grp 0",
    "xreadgroup group grp c1 count 1 streams x1 >", "xgroup createconsumer x1 grp c2",
    "xadd x2 maxlen 0 1-1 f v", "expireat s1 " + FAR, "pexpireat l1 " + FAR + "123",
    "select 3", "set other db", "select 0",
    "function|load|#!lua name=aoflib\nredis.register_function('aoff', function() return 1 end)",
]


def info_field(c, name):
    text = c.call("info", "persistence").decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def wait_rewrite(c):
    """Until no AOF rewrite runs or waits (redis-server forks one)."""
    for _ in range(500):
        if info_field(c, "aof_rewrite_in_progress") == "0" and \
                info_field(c, "aof_rewrite_scheduled") == "0":
            return
        time.sleep(0.01)
    raise ValueError("the AOF rewrite does not end")


def manifest(d):
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest")) as f:
        return f.read()


def files_of(d, kind):
    """The names of the manifest's files of type `kind` (b or i)."""
    out = []
    for line in manifest(d).splitlines():
        w = line.split()
        if len(w) >= 6 and w[5] == kind:
            out.append(w[1])
    return out


def commands(path, t0_ms):
    with open(path, "rb") as f:
        data = f.read()
    cmds, pos = [], 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        line, pos = data[pos:end], end + 2
        if line.startswith(b"#"):
            continue
        if not line.startswith(b"*"):
            raise ValueError("%s: line %r" % (path, line))
        args = []
        for _ in range(int(line[1:])):
            end = data.index(b"\r\n", pos)
            n = int(data[pos + 1:end])
            args.append(data[end + 2:end + 2 + n].decode("latin-1"))
            pos = end + 2 + n + 2
        cmds.append([coarse(rs.normalize(a, t0_ms)) for a in args])
    return cmds


def coarse(arg):
    """A time near now as "T" (a generated stream ID as "T-<seq>"): the two
    servers ran the scenarios at different moments, and the replication test
    checks the times themselves."""
    if arg.startswith("T+") or arg.startswith("T-"):
        rest = arg[2:]
        return "T" + rest[rest.index("-"):] if "-" in rest else "T"
    return arg




def step1(port, d, intrude):
    c = rs.Conn(port)
    c.call("config", "set", "appendonly", "yes")
    wait_rewrite(c)
    t0_ms = int(time.time() * 1000)
    for name, steps in rs.SCENARIOS.items():
        b = rs.play(c, port, steps)
        if b is not None:
            b.sock.close()
        c.call("flushall")
        c.call("function", "flush")
        c.call("select", "0")
    rs.play(c, port, GROUP_STEPS)
    if intrude:
        c.call("set", "intruder", "1")
    c.call("config", "set", "appendonly", "no")
    incr = files_of(d, "i")[-1]
    return manifest(d), commands(os.path.join(d, "appendonlydir", incr), t0_ms)


def step2(port, d):
    c = rs.Conn(port)
    rs.play(c, port, DATASET)
    c.call("config", "set", "aof-use-rdb-preamble", "no")
    c.call("bgrewriteaof")
    wait_rewrite(c)
    base = files_of(d, "b")[-1]
    cmds = commands(os.path.join(d, "appendonlydir", base), int(time.time() * 1000))
    # A set's members come in each server's own dict order.
    cmds = [c[:2] + sorted(c[2:]) if c[0] == "SADD" else c for c in cmds]
    c.call("config", "set", "aof-use-rdb-preamble", "yes")
    return sorted(cmds), base


def step3(port):
    c = rs.Conn(port)
    before = c.call("debug", "digest")
    c.call("debug", "loadaof")
    after_commands = c.call("debug", "digest")
    c.call("bgrewriteaof")
    wait_rewrite(c)
    c.call("debug", "loadaof")
    after_rdb = c.call("debug", "digest")
    return before, after_commands, after_rdb


def compare(what, a, b):
    if a == b:
        print("ok: %s alike (%d)" % (what, len(a)))
        return True
    print("FAIL: %s differ" % what)
    if isinstance(a, list):
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else None
            y = b[i] if i < len(b) else None
            print("  %s %-60s %s" % ("  " if x == y else "!=", x, y))
    else:
        print("  A: %r\n  B: %r" % (a, b))
    return False


def main():
    args = sys.argv[1:]
    intrude = "--intrude" in args
    args = [a for a in args if a != "--intrude"]
    if len(args) != 4 or "-h" in args or "--help" in args:
        print(__doc__.strip())
        return 0 if "-h" in args or "--help" in args else 2
    (pa, da, pb, db) = (int(args[0]), args[1], int(args[2]), args[3])
    try:
        (ma, ca), (mb, cb) = step1(pa, da, False), step1(pb, db, intrude)
        if not compare("manifests after the scenarios", ma, mb) or \
                not compare("incr files' commands", ca, cb):
            return 1
        (ba, na), (bb, nb) = step2(pa, da), step2(pb, db)
        if not compare("base files' names", na, nb) or \
                not compare("base files' commands (aof-use-rdb-preamble no)", ba, bb):
            return 1
        da3, db3 = step3(pa), step3(pb)
        if len(set(da3)) != 1 or len(set(db3)) != 1:
            print("FAIL: DEBUG LOADAOF moved a digest: A %r, B %r" % (da3, db3))
            return 1
        if not compare("digests after DEBUG LOADAOF", da3[0], db3[0]):
            return 1
        # B reads A's files.
        ra, rb = rs.Conn(pa), rs.Conn(pb)
        ra.call("config", "set", "appendonly", "no")
        rb.call("config", "set", "appendonly", "no")
        saved = os.path.join(db, "appendonlydir.own")
        shutil.move(os.path.join(db, "appendonlydir"), saved)
        shutil.copytree(os.path.join(da, "appendonlydir"), os.path.join(db, "appendonlydir"))
        rb.call("debug", "loadaof")
        ok = compare("digest of B loading A's AOF", ra.call("debug", "digest"),
                     rb.call("debug", "digest"))
        shutil.rmtree(os.path.join(db, "appendonlydir"))
        shutil.move(saved, os.path.join(db, "appendonlydir"))
        return 0 if ok else 1
    except (OSError, ValueError) as e:
        print("aof_files.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
