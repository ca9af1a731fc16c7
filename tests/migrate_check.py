#!/usr/bin/env python3
"""migrate_check.py [--intrude] REF_SRC REF_DST OURS: MIGRATE between
servers, compared.

Three servers on 127.0.0.1, each with DEBUG allowed: two references
(REF_SRC, REF_DST: redis-server 7.0.15) and the one checked (OURS). The
steps below run in three lanes, each on freshly flushed servers:

  ref   REF_SRC migrates to REF_DST   (what redis-server does)
  out   OURS    migrates to REF_DST   (OURS as the source)
  in    REF_SRC migrates to OURS      (OURS as the target)

Each step's reply, and DEBUG DIGEST of both ends after it, must be the
reference lane's; so must the source's replication stream (the keys moved
go to replicas as DEL) in lane `out`. The steps cover one key and KEYS,
NOKEY, BUSYKEY and REPLACE / COPY, another db (SELECT on the cached
connection), a TTL, a value past the 64 KB write chunk, AUTH and AUTH2
refused by the target, the argument errors, a closed port, a target that
sleeps past the timeout, and a cached connection the target killed (the
retry). Last, after 11 s unused, the cached connections must be closed
(INFO migrate_cached_sockets 0) on both sources.

--intrude writes one key more on OURS in lane `out`: the lanes must then
differ (exit 1). Exits 1 at the first difference, 2 on a connection problem.
"""
import socket
import sys
import threading
import time

import replication_stream as rs

BIG = "x" * 100000


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def steps(dst, dead):
    """(command words, where it runs: 'src' or 'dst') in order, `dst` the
    target's port and `dead` a port nothing listens on."""
    m = ["migrate", "127.0.0.1", str(dst)]
    return [
        (["set", "k", "v"], "src"),
        (m + ["k", "0", "5000"], "src"),
        (["rpush", "l", "a", "b", "c"], "src"),
        (["hset", "h", "f", "v"], "src"),
        (["zadd", "z", "1", "a", "2.5", "b"], "src"),
        (["sadd", "s", "1", "2", "x"], "src"),
        (["xadd", "x", "1-1", "f", "v"], "src"),
        (m + ["", "0", "5000", "keys", "l", "h", "nokey", "z", "s", "x"], "src"),
        (m + ["nokey", "0", "5000"], "src"),
        (["set", "k", "v2"], "src"),
        (m + ["k", "0", "5000"], "src"),
        (m + ["k", "0", "5000", "copy", "replace"], "src"),
        (m + ["k", "3", "5000"], "src"),
        (["mset", "a", "1", "b", "2"], "src"),
        (m + ["", "3", "5000", "keys", "a", "b"], "src"),
        (["set", "big", BIG], "src"),
        (m + ["big", "0", "5000"], "src"),
        (["set", "t", "v", "px", "100000"], "src"),
        (m + ["t", "0", "5000"], "src"),
        (["set", "k", "v3"], "src"),
        (m + ["k", "0", "5000", "auth", "nopass"], "src"),
        (m + ["k", "0", "5000", "auth2", "user", "nopass"], "src"),
        (m + ["k", "0", "5000", "auth"], "src"),
        (m + ["notempty", "0", "5000", "keys", "k"], "src"),
        (m + ["k", "0", "5000", "bogus"], "src"),
        (m + ["k", "0", "soon"], "src"),
        (m + ["k", "zero", "5000"], "src"),
        (["migrate", "127.0.0.1", str(dead), "k", "0", "300"], "src"),
        (["client", "kill", "type", "normal", "skipme", "yes"], "dst"),
        (m + ["k", "0", "5000", "copy"], "src"),
        (["sleep-dst"], "src"),
        (m + ["k", "0", "400", "replace"], "src"),
        (["info-migrate"], "src"),
        (["ping"], "src"),
        (["command", "getkeysandflags"] + m + ["", "0", "1", "auth2", "u", "p", "keys", "a", "b"],
         "src"),
    ]


def info_migrate(c, fields=("migrate_cached_sockets",)):
    got = {}
    for line in c.call("info", "stats").decode().split("\r\n"):
        name, _, value = line.partition(":")
        if name in fields:
            got[name] = value
    return " ".join("%s:%s" % (f, got.get(f, "none")) for f in fields)


def lane(name, src_port, dst_port, dead, intrude=False):
    """Runs the steps; returns (per step: reply, source digest, target
    digest) and the source's replication stream."""
    src, dst = rs.Conn(src_port), rs.Conn(dst_port)
    for c in (src, dst):
        c.sock.settimeout(10)
        c.call("flushall")
        c.call("config", "resetstat")
        # No keepalive PING in the stream (the servers' cron seconds differ).
        c.call("config", "set", "repl-ping-replica-period", "3600")
    repl = rs.attach(src_port)
    t0 = int(time.time() * 1000)
    out = []
    for words, where in steps(dst_port, dead):
        if words == ["sleep-dst"]:
            # The target stalls 1.5 s; the next MIGRATE (timeout 400 ms) must
            # give up on its reply.
            def stall():
                rs.Conn(dst_port).call("debug", "sleep", "1.5")
            th = threading.Thread(target=stall)
            th.start()
            time.sleep(0.2)
            out.append(("stall", None, None))
            continue
        if words == ["info-migrate"]:
            # The cached connection, and the lookups MIGRATE counted.
            out.append((info_migrate(src, ("migrate_cached_sockets", "keyspace_hits",
                                           "keyspace_misses")), None, None))
            continue
        if where == "dst":
            # The target kills the source's cached connection (its one other
            # normal client).
            reply = dst.call(*words)
        else:
            reply = src.call(*words)
        if words[:2] == ["set", "t"] and intrude:
            src.call("set", "intruder", "1")
        if words[0] == "migrate" and words[3] == "t":
            # The TTL went over: between 0 and 100 s, then dropped so the
            # digests compare.
            pttl = dst.call("pttl", "t")
            reply = (reply, "ttl ok" if isinstance(pttl, int) and 0 < pttl <= 100000 else pttl)
            dst.call("persist", "t")
        if words[0] == "migrate" and words[4] == "400":
            # Timed out: the target runs the RESTORE once it wakes, so the
            # digests are taken at the next step.
            out.append((reply, None, None))
            continue
        out.append((reply, src.call("debug", "digest"), dst.call("debug", "digest")))
    stream = [" ".join(cmd) for cmd in rs.drain(repl, t0)]
    for c in (src, dst, repl):
        c.sock.close()
    return out, stream


def show(v):
    return repr(v)[:200]


def main():
    args = sys.argv[1:]
    intrude = bool(args) and args[0] == "--intrude"
    if intrude:
        args = args[1:]
    if len(args) != 3:
        print(__doc__.strip().splitlines()[0])
        return 2
    ref_src, ref_dst, ours = (int(a) for a in args)
    dead = closed_port()
    try:
        ref, ref_stream = lane("ref", ref_src, ref_dst, dead)
        lanes = [("out", *lane("out", ours, ref_dst, dead, intrude)),
                 ("in", *lane("in", ref_src, ours, dead))]
    except (OSError, ConnectionError) as e:
        print("FAIL: connection problem: %s" % e)
        return 2
    the_steps = steps(0, dead)
    for name, got, stream in lanes:
        for i, (want, have) in enumerate(zip(ref, got)):
            # Lane `in` runs the reference as its source: only the reply and
            # the target's digest say anything about OURS.
            w, h = (want, have) if name == "out" else ((want[0], want[2]), (have[0], have[2]))
            if w != h:
                print("FAIL: lane %s, step %d (%s): reference %s, got %s"
                      % (name, i + 1, " ".join(the_steps[i][0])[:80], show(w), show(h)))
                return 1
        if name == "out" and stream != ref_stream:
            print("FAIL: lane out: the source's replication stream differs")
            print("  reference: %s" % ref_stream)
            print("  got:       %s" % stream)
            return 1
        print("ok: lane %s, %d steps alike%s" % (
            name, len(got), ", replication stream alike (%d commands)" % len(stream)
            if name == "out" else ""))
    # The cached connections, unused for more than 10 s, are closed.
    time.sleep(11.5)
    for label, port in (("reference", ref_src), ("ours", ours)):
        line = info_migrate(rs.Conn(port))
        if line != "migrate_cached_sockets:0":
            print("FAIL: %s keeps its cached connection after 11 s unused: %s" % (label, line))
            return 1
    print("ok: the cached connections are closed after 10 s unused, on both")
    return 0


if __name__ == "__main__":
    sys.exit(main())
