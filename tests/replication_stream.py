#!/usr/bin/env python3
"""replication_stream.py PORT_A PORT_B: the replication streams of two servers,
compared.

For each scenario below, on each server (both on 127.0.0.1, both with
DEBUG allowed): a SYNC connection reads the RDB payload, a client runs the
scenario's steps (a second client sends the blocking commands), and the
stream the SYNC connection got is parsed into commands. Absolute times in
it (PXAT, PEXPIREAT, RESTORE ... ABSTTL, the ms of a generated stream ID)
become T+<seconds from the scenario's start>, so that two servers started
at different moments compare. Prints one line per scenario; exits 1 at the first difference,
with both streams, 2 on a connection problem.
"""
import socket
import sys
import time

TIMEOUT_S = 5


def encode(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
        self.buf = b""

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise ConnectionError("connection closed")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def reply(self):
        """One RESP2 reply: bytes, int, None, list, or ('err', text)."""
        line = self.line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            return ("err", rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.exact(n + 2)
            return data[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply line %r" % line)

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self.reply()


def attach(port):
    """SYNC, the payload read: the replica connection."""
    r = Conn(port)
    r.sock.sendall(b"SYNC\r\n")
    while True:
        line = r.line()
        if line:  # newlines are keepalives
            break
    if not line.startswith(b"$"):
        raise ConnectionError("SYNC answered %r" % line)
    r.exact(int(line[1:]))
    return r


def drain(r, t0_ms):
    """The commands on the stream until it is quiet for 0.3 s."""
    r.sock.settimeout(0.3)
    try:
        while True:
            r.fill()
    except socket.timeout:
        pass
    r.sock.settimeout(TIMEOUT_S)
    cmds = []
    while r.buf:
        line = r.line()
        if not line:
            continue
        if not line.startswith(b"*"):
            raise ValueError("stream line %r" % line)
        args = []
        for _ in range(int(line[1:])):
            n = int(r.line()[1:])
            args.append(r.exact(n + 2)[:-2].decode("latin-1"))
        cmds.append([normalize(a, t0_ms) for a in args])
    return cmds


def normalize(arg, t0_ms):
    ms, dash, seq = arg.partition("-")
    if ms.isdigit() and len(ms) == 13 and abs(int(ms) - t0_ms) < 10**9:
        if not dash:
            return "T%+d" % round((int(ms) - t0_ms) / 1000)
        if seq.isdigit():  # a stream ID the server made from its clock
            return "T%+d-%s" % (round((int(ms) - t0_ms) / 1000), seq)
    return arg


FAR = "4102444800"  # 2100-01-01 in seconds: an absolute time both agree on

SCENARIOS = {
    "strings": [
        "set a 1", "set b 2 ex 100", "set c 3 px 100000 get", "set d 4 get",
        "set d 5 GET get", "setex e 100 v", "psetex f 100000 v", "getex a ex 100",
        "getex a persist", "getex a", "getex a pxat 1", "set a 2", "getset a 9",
        "getdel a", "getdel a", "incrbyfloat g 1.5", "setnx h 1", "setnx h 2",
        "append h x", "setrange h 0 y", "incr i", "mset m1 1 m2 2",
    ],
    "expire": [
        "set k v", "expire k 100", "pexpire k 100000", "expireat k " + FAR,
        "pexpireat k " + FAR + "001", "expire k 100 gt", "expire k 50 lt", "persist k",
        "persist k", "expire k 100 nx", "expire k 200 XX", "expire nosuch 10",
        "expire k 0", "set k v", "pexpire k -1", "set k v", "expireat k 1",
    ],
    "lists": [
        "rpush l a b c d e f", "lmpop 1 l left count 2", "lmpop 2 x l right",
        "blpop l 0", "brpop l 0", "blmpop 0 1 l left count 10", "blpop l 0.01",
        "rpush s 1 2 3", "blmove s d left right 0", "brpoplpush s d 0",
        "lmove d s right left", "lpop nosuch",
    ],
    "blocked": [
        "b:blpop bl 0", "rpush bl x y", "read", "b:brpop bl 0", "rpush bl z", "read",
        "b:blmove bm dst right LEFT 0", "lpush bm z", "read",
        "b:brpoplpush bm2 dst 0", "lpush bm2 w", "read",
        "b:blmpop 0 1 bmp left count 5", "rpush bmp 1 2 3", "read",
        "b:bzpopmin bz 0", "zadd bz 1 a 2 b", "read",
        "b:bzmpop 0 1 bz2 max count 1", "zadd bz2 1 a 2 b", "read",
        "b:bzmpop 0 1 bz3 min count 5", "zadd bz3 1 a", "read",
    ],
    "zsets": [
        "zadd z 1 a 2 b 3 c 4 d", "zmpop 1 z min count 2", "bzpopmax z 0",
        "bzmpop 0 1 z min count 5", "zpopmin z", "zadd z 1 a", "zmpop 2 x z max",
    ],
    "sets-hashes-geo": [
        "sadd s1 a", "spop s1", "sadd s2 a b c", "spop s2 10", "spop s2",
        "hincrbyfloat h f 2.5", "hincrbyfloat h f 0.5", "hset h g 1",
        "geoadd g 13.361389 38.115556 Palermo", "geoadd g xx 15.087269 37.502669 Catania",
    ],
    "transactions": [
        "multi", "set m 1", "exec", "multi", "set m 1", "set n 2", "get m", "exec",
        "multi", "get m", "exec", "multi", "select 4", "set o 1", "select 0", "set p 1",
        "exec", "multi", "incr m", "lpop nosuch", "exec",
    ],
    "scripts": [
        "eval|redis.call('set','x','1') redis.call('incr','x')|0",
        "eval|redis.call('set','y','1')|0",
        "eval|return redis.call('get','x')|0",
        "eval|redis.set_repl(redis.REPL_NONE) redis.call('set','z','1')|0",
        "eval|redis.call('select',5) redis.call('set','z','1') redis.call('set','w','2')|0",
        "eval|redis.call('spop','nosuch') redis.call('set','u','1')|0",
        "function|load|#!lua name=lib\nredis.register_function('f', function(k) "
        "redis.call('set', k[1], '1') return redis.call('incr', k[1]) end)",
        "fcall f 1 fk",
    ],
    "flush-publish": [
        "flushall", "flushdb", "select 2", "set a 1", "flushdb", "publish ch msg",
        "spublish sch msg", "select 0", "flushall async",
    ],
    "expiry": [
        "debug set-active-expire 0", "set e1 v px 50", "set e2 v px 50",
        "set e3 v px 50", "set e4 v px 50", "sleep 120", "get e1", "set e2 new",
        "mget e3 nosuch", "exists e4", "debug set-active-expire 1", "set e5 v px 50",
        "sleep 400", "set after 1",
    ],
    "streams": [
        "xadd st * f v", "xadd st 5-* f v", "xadd st 9999999999999-1 f v",
        "xadd st2 1-1 a b", "xadd st2 1-2 a b", "xadd st2 2-* a b", "xadd st2 2-* a b",
        "xadd st2 maxlen ~ 1 3-1 a b", "xadd st2 MAXLEN = 4 4-1 a b",
        "xadd st2 minid ~ 2-0 limit 0 5-* a b", "xdel st2 1-2",
        "config set stream-node-max-entries 2", "xadd st3 1-1 a b", "xadd st3 1-2 a b",
        "xadd st3 1-3 a b", "xadd st3 1-4 a b", "xadd st3 1-5 a b", "xdel st3 1-1",
        "xtrim st3 minid ~ 1-4", "xtrim st3 maxlen ~ 1", "xtrim st3 maxlen ~ 0",
        "xtrim st3 maxlen 1", "config set stream-node-max-entries 100",
        "xdel st 5-0", "xgroup create st g $", "xgroup createconsumer st g c",
        "xgroup setid st g 0", "xack st g 5-0", "xsetid st 9999999999999-5",
        "xadd st nomkstream * x y", "xadd nost nomkstream * x y",
    ],
    "restore": [
        "set r v", "dump-restore r r2 0", "dump-restore r r3 100000",
        "dump-restore r r4 " + FAR + "000 absttl", "set r5 old",
        "dump-restore r r5 1 replace absttl",
    ],
}


def split(step):
    if "|" in step:
        return step.split("|")
    return step.split(" ")


def play(c, port, steps, skip=None):
    """A scenario's steps on connection `c` (a second connection to `port`
    for the blocking ones; `skip`: a predicate of the steps left out). Each
    reply is read and left: errors are part of the scenarios."""
    b = None
    for step in steps:
        if skip is not None and skip(step):
            continue
        if step.startswith("sleep "):
            time.sleep(int(step[6:]) / 1000)
        elif step == "read":
            b.reply()
        elif step.startswith("b:"):
            if b is None:
                b = Conn(port)
            b.sock.sendall(encode(split(step[2:])))
            time.sleep(0.05)  # blocked before the next step runs
        elif step.startswith("dump-restore "):
            words = step.split(" ")
            payload = c.call("dump", words[1])
            reply = c.call("restore", words[2], words[3], payload, *words[4:])
            if isinstance(reply, tuple):
                raise ValueError("RESTORE answered %r" % (reply,))
        else:
            c.call(*split(step))
    return b


def run(port, steps):
    c = Conn(port)
    # No keepalive PING in the stream while a scenario runs (the two
    # servers' cron seconds differ), as Redis's own suite does.
    c.call("config", "set", "repl-ping-replica-period", "3600")
    r = attach(port)
    t0_ms = int(time.time() * 1000)
    b = play(c, port, steps)
    cmds = drain(r, t0_ms)
    c.call("flushall")
    c.call("function", "flush")
    c.call("select", "0")
    for conn in (r, c, b):
        if conn is not None:
            conn.sock.close()
    time.sleep(0.05)
    return cmds


def main():
    if len(sys.argv) != 3 or "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__.strip())
        return 0 if "-h" in sys.argv or "--help" in sys.argv else 2
    ports = [int(p) for p in sys.argv[1:]]
    for name, steps in SCENARIOS.items():
        try:
            a, b = (run(p, steps) for p in ports)
        except (OSError, ValueError) as e:
            print("replication_stream.py: scenario %s: %s" % (name, e), file=sys.stderr)
            return 2
        if a != b:
            print("FAIL: scenario %s: the streams differ" % name)
            for i in range(max(len(a), len(b))):
                x = a[i] if i < len(a) else None
                y = b[i] if i < len(b) else None
                mark = "  " if x == y else "!="
                print("  %s %-50s %s" % (mark, x, y))
            return 1
        if not a:
            print("FAIL: scenario %s: no stream at all" % name)
            return 1
        print("ok: %s, %d commands alike" % (name, len(a)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
