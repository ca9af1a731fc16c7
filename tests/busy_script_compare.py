#!/usr/bin/env python3
"""busy_script_compare.py PORT [PORT...]: busy scripts, driven the same way on
each server (127.0.0.1:PORT), one transcript per server on stdout, separated
by a line '=== PORT'. The caller (busy_script_test.sh) compares the
transcripts of redis-server 7.0.15 and respfuzz serve.

Scenarios (Redis 7.0.15's script timeout): lua-time-limit / busy-reply-
threshold as CONFIG GET and SET show them, SCRIPT KILL / FUNCTION KILL with
nothing running (NOTBUSY), a timed-out EVAL and FCALL answered with BUSY to
other clients (their EVAL and FUNCTION texts), the allow-busy commands
(MULTI, DISCARD, WATCH, HELLO, FUNCTION STATS, the wrong KILL), MULTI/EXEC
around the timeout as unit/multi checks it, the killed script's reply to its
caller and the caller's pipelined command after it, and a script that wrote
(UNKILLABLE). Durations (FUNCTION STATS's duration_ms) are masked. The last
scenario leaves an unkillable script running: the caller stops the servers.
"""
import re
import socket
import sys
import time

WAIT = 0.3  # after a script starts: well past lua-time-limit 10


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        """One reply as a compact text form."""
        line = self.line()
        t, rest = chr(line[0]), line[1:].decode("latin-1")
        if t in "+-:_,#(":
            return t + rest
        if t in "$=":
            n = int(rest)
            return "(nil)" if n < 0 else repr(self.exact(n).decode("latin-1"))
        if t in "*%~>":
            n = int(rest)
            if n < 0:
                return "(nil array)"
            k = 2 * n if t == "%" else n
            return t + "[" + ", ".join(self.read() for _ in range(k)) + "]"
        return "?" + line.decode("latin-1")

    def call(self, *args):
        self.send(*args)
        return self.read()

    def close(self):
        self.s.close()


def run(port, out):
    def log(who, cmd, reply):
        reply = re.sub(r"'duration_ms', :\d+", "'duration_ms', :N", reply)
        out.append("%s %s -> %s" % (who, " ".join(cmd), reply))

    def do(conn, who, *cmd):
        log(who, cmd, conn.call(*cmd))

    r = Conn(port)
    do(r, "r", "CONFIG", "GET", "lua-time-limit")
    do(r, "r", "CONFIG", "GET", "busy-reply-threshold")
    do(r, "r", "CONFIG", "SET", "busy-reply-threshold", "-1")
    do(r, "r", "CONFIG", "SET", "lua-time-limit", "abc")
    do(r, "r", "CONFIG", "SET", "lua-time-limit", "9223372036854775808")
    do(r, "r", "CONFIG", "SET", "lua-time-limit", "10")
    do(r, "r", "CONFIG", "GET", "busy-reply-threshold")
    do(r, "r", "CONFIG", "SET", "busy-reply-threshold", "10")
    do(r, "r", "SCRIPT", "KILL")
    do(r, "r", "FUNCTION", "KILL")
    do(r, "r", "FUNCTION", "STATS")
    do(r, "r", "SET", "xx", "1")

    # A timed-out EVAL: BUSY for others, the allow-busy commands, a
    # transaction started during the timeout, then SCRIPT KILL.
    a, b = Conn(port), Conn(port)
    a.send("EVAL", "while true do end", "0")
    a.send("PING")  # pipelined: answered after the script's reply
    time.sleep(WAIT)
    for cmd in (["PING"], ["GET", "xx"], ["CONFIG", "SET", "lua-time-limit", "20"],
                ["FUNCTION", "STATS"], ["FUNCTION", "KILL"], ["SCRIPT", "FLUSH"],
                ["MULTI"], ["INCR", "xx"], ["WATCH", "xx"], ["UNWATCH"], ["DISCARD"],
                ["MULTI"], ["INCR", "xx"], ["HELLO", "3"], ["PING"], ["HELLO", "2"]):
        do(b, "b", *cmd)
    do(r, "r", "SCRIPT", "KILL")
    log("a", ["EVAL", "while true do end", "0"], a.read())
    log("a", ["PING"], a.read())
    do(b, "b", "INCR", "xx")
    do(b, "b", "EXEC")
    do(b, "b", "PING", "asdf")
    do(r, "r", "GET", "xx")
    do(r, "r", "SCRIPT", "KILL")

    # EXEC of a transaction queued before the timeout.
    do(b, "b", "MULTI")
    do(b, "b", "INCR", "xx")
    a.send("EVAL", "local i = 0 while true do i = i + 1 end", "0")
    time.sleep(WAIT)
    do(b, "b", "EXEC")
    do(b, "b", "EXEC")
    do(r, "r", "SCRIPT", "KILL")
    log("a", ["EVAL", "..."], a.read())
    do(r, "r", "GET", "xx")

    # A timed-out FCALL: the FUNCTION variant, FUNCTION STATS, the wrong KILL.
    do(r, "r", "FUNCTION", "LOAD", "REPLACE",
       "#!lua name=test\nredis.register_function('test', function() "
       "local a = 1 while true do a = a + 1 end end)")
    a.send("FCALL", "test", "0")
    time.sleep(WAIT)
    for cmd in (["PING"], ["FUNCTION", "STATS"], ["SCRIPT", "KILL"], ["EVAL", "return 1", "0"],
                ["MULTI"], ["EXEC"]):
        do(b, "b", *cmd)
    do(r, "r", "FUNCTION", "KILL")
    log("a", ["FCALL", "test", "0"], a.read())
    do(b, "b", "PING")
    do(r, "r", "FUNCTION", "STATS")

    # pcall cannot keep a killed script alive.
    a.send("EVAL", "local f = function() while 1 do redis.call('ping') end end "
           "while 1 do pcall(f) end", "0")
    time.sleep(WAIT)
    do(b, "b", "PING")
    do(r, "r", "SCRIPT", "KILL")
    log("a", ["EVAL", "pcall loop"], a.read())

    # A read-only script: EVAL_RO and a no-writes shebang are killable too.
    a.send("EVAL_RO", "redis.call('get', KEYS[1]) while true do end", "1", "xx")
    time.sleep(WAIT)
    do(r, "r", "SCRIPT", "KILL")
    log("a", ["EVAL_RO", "get then loop"], a.read())

    # A script that wrote cannot be killed (it keeps running: the servers
    # are stopped by the caller).
    a.send("EVAL", "redis.call('set', KEYS[1], 'y') while true do end", "1", "x")
    time.sleep(WAIT)
    do(b, "b", "PING")
    do(r, "r", "SCRIPT", "KILL")
    do(r, "r", "FUNCTION", "KILL")
    do(b, "b", "GET", "x")
    # Not in the transcript: redis-server exits on it (respfuzz serve has no
    # SHUTDOWN; SIGTERM ends its script and its loop).
    b.send("SHUTDOWN", "NOSAVE")
    for c in (a, b, r):
        c.close()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(sys.argv) < 2 or not all(p.isdigit() and 0 < int(p) < 65536 for p in sys.argv[1:]):
        print("busy_script_compare.py: usage: busy_script_compare.py PORT [PORT...]",
              file=sys.stderr)
        return 2
    for port in sys.argv[1:]:
        out = []
        try:
            run(int(port), out)
        except (OSError, EOFError) as e:
            out.append("error: %s" % e)
        print("=== %s" % port)
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
