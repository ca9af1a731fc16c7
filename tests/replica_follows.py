#!/usr/bin/env python3
"""replica_follows.py MASTER_PORT REPLICA_PORT [--miss]: a real replica
(redis-server REPLICAOF the master) follows the master's stream.

Every scenario of replication_stream.py runs on the master (but its step
that keeps a write off the stream with REPL_NONE); after each,
WAIT 1 5000 must count the replica (its REPLCONF ACKs) and the replica's
DEBUG DIGEST must equal the master's. --miss first writes a key the stream
does not carry (a script under redis.set_repl(redis.REPL_NONE)): the
digests must then differ (exit 1). Exits 1 at the first difference, 2 on a
connection problem.
"""
import sys
import time

import replication_stream as rs


def digest_when_caught_up(master, replica):
    want = master.call("debug", "digest")
    got = None
    for _ in range(50):
        got = replica.call("debug", "digest")
        if got == want:
            break
        time.sleep(0.05)
    return want, got


def main():
    args = [a for a in sys.argv[1:] if a != "--miss"]
    miss = "--miss" in sys.argv[1:]
    if len(args) != 2:
        print(__doc__.strip())
        return 2
    try:
        m, r = rs.Conn(int(args[0])), rs.Conn(int(args[1]))
        if miss:
            m.call("eval", "redis.set_repl(redis.REPL_NONE) redis.call('set','missed','1')", "0")
        for name, steps in rs.SCENARIOS.items():
            # (the step that keeps a write off the stream on purpose is left out)
            b = rs.play(m, int(args[0]), steps, skip=lambda step: "REPL_NONE" in step)
            if b is not None:
                b.sock.close()
            m.call("select", "0")
            acked = m.call("wait", "1", "5000")
            if acked != 1:
                print("FAIL: scenario %s: WAIT 1 5000 answered %r" % (name, acked))
                return 1
            want, got = digest_when_caught_up(m, r)
            if want != got:
                print("FAIL: scenario %s: the replica's digest %r, the master's %r" %
                      (name, got, want))
                return 1
            print("ok: %s: WAIT counted the replica, digests alike" % name)
            m.call("flushall")
            m.call("function", "flush")
    except (OSError, ValueError) as e:
        print("replica_follows.py: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
