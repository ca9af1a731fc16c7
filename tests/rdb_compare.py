#!/usr/bin/env python3
"""rdb_compare: the dataset of one server against another's, key by key.

usage: tests/rdb_compare.py populate PORT
       tests/rdb_compare.py compare PORT_A PORT_B

populate: writes a fixed dataset to the server on 127.0.0.1:PORT: every value
type in each of its encodings (strings: integer, short, LZF-compressible long,
incompressible; lists, hashes, sets, sorted sets small and large; a stream
with a consumer group, consumers and pending entries), keys with TTLs, keys in
several dbs, a FUNCTION library.

compare: every db's keys, and each key's TYPE, OBJECT ENCODING, PEXPIRETIME
and value (GET, LRANGE, HGETALL, SMEMBERS, ZRANGE WITHSCORES, XINFO STREAM
FULL), and FUNCTION LIST WITHCODE, on both servers; prints the differences and
exits 1 when there is one, 0 when the datasets are the same.

Exit 2 on bad usage or when a server cannot be reached.
"""
import socket
import sys


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n + 2:]
        return out

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return (kind + rest).decode("latin-1")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._bytes(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise OSError("unexpected reply %r" % line)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._reply()


def populate(c):
    def ok(*args):
        r = c.call(*args)
        if isinstance(r, str) and r.startswith("-"):
            raise OSError("%s: %s" % (" ".join(map(str, args)), r))
        return r

    ok("FLUSHALL")
    ok("SET", "int", "12345")
    ok("SET", "negint", "-9000000000")
    ok("SET", "short", "hello")
    ok("SET", "empty", "")
    ok("SET", "compressible", "abcdefgh" * 200)
    ok("SET", "binary", bytes(range(256)) * 3)
    ok("SET", "ttl", "v", "PX", "100000000")
    ok("RPUSH", "list", "a", "1", "-2", "x" * 100)
    ok("RPUSH", "biglist", *["element-%d" % i for i in range(600)])
    ok("HSET", "hash", "f", "v", "n", "17")
    ok("HSET", "bighash", *[x for i in range(600) for x in ("f%d" % i, "v%d" % i)])
    ok("SADD", "intset", "1", "2", "-3", "100000")
    ok("SADD", "set", "a", "b", "c")
    ok("SADD", "bigset", *["m%d" % i for i in range(600)])
    ok("ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c")
    ok("ZADD", "bigzset", *[x for i in range(300) for x in (str(i / 7), "z%d" % i)])
    ok("PEXPIRE", "bigzset", "500000000")
    ok("XADD", "stream", "1-1", "f", "v")
    ok("XADD", "stream", "2-0", "f", "w", "g", "x")
    ok("XADD", "stream", "3-5", "a", "b")
    ok("XDEL", "stream", "2-0")
    ok("XGROUP", "CREATE", "stream", "grp", "0")
    ok("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">")
    ok("XGROUP", "CREATE", "stream", "other", "$")
    ok("SELECT", "3")
    ok("SET", "db3key", "in db 3")
    ok("LPUSH", "db3list", "x")
    ok("EXPIRE", "db3list", "7000")
    ok("SELECT", "15")
    ok("HSET", "db15", "k", "v")
    ok("SELECT", "0")
    ok("FUNCTION", "LOAD",
       "#!lua name=savelib\nredis.register_function('savefn', function(k, a) return 1 end)")


def dump_server(c):
    """Everything compared, as one dict."""
    out = {}
    for db in range(16):
        c.call("SELECT", db)
        keys = sorted(c.call("KEYS", "*"))
        for k in keys:
            t = c.call("TYPE", k)
            item = {"type": t, "encoding": c.call("OBJECT", "ENCODING", k),
                    "pexpiretime": c.call("PEXPIRETIME", k)}
            if t == "+string":
                item["value"] = c.call("GET", k)
            elif t == "+list":
                item["value"] = c.call("LRANGE", k, 0, -1)
            elif t == "+hash":
                r = c.call("HGETALL", k)
                item["value"] = sorted(zip(r[0::2], r[1::2]))
            elif t == "+set":
                item["value"] = sorted(c.call("SMEMBERS", k))
            elif t == "+zset":
                item["value"] = c.call("ZRANGE", k, 0, -1, "WITHSCORES")
            elif t == "+stream":
                item["value"] = c.call("XINFO", "STREAM", k, "FULL")
            out[(db, k)] = item
    c.call("SELECT", 0)
    out["functions"] = c.call("FUNCTION", "LIST", "WITHCODE")
    return out


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "populate":
            populate(Conn(int(argv[2])))
            return 0
        if len(argv) == 4 and argv[1] == "compare":
            a, b = dump_server(Conn(int(argv[2]))), dump_server(Conn(int(argv[3])))
        else:
            print(__doc__.strip().splitlines()[2], file=sys.stderr)
            return 2
    except (OSError, ValueError) as e:
        print("rdb_compare: %s" % e, file=sys.stderr)
        return 2
    diffs = 0
    for key in sorted(set(a) | set(b), key=repr):
        if a.get(key) != b.get(key):
            diffs += 1
            print("differs: %r\n  %s: %r\n  %s: %r" % (key, argv[2], a.get(key), argv[3],
                                                       b.get(key)))
    if diffs:
        print("rdb_compare: %d keys differ" % diffs)
        return 1
    print("rdb_compare: %d keys, the same on both" % (len(a) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
