#!/usr/bin/env bash
# redis_cli_hints_check.sh RESPFUZZ: redis-cli 7.0.15's interactive hints
# against `respfuzz serve` and against redis-server 7.0.15 (each on a free
# loopback port). redis-cli fetches COMMAND DOCS when it starts and builds
# its hints from it (its built-in table only when the server has no COMMAND
# DOCS). Driven through a pty (Python's pty module; the terminal's cursor
# queries answered), the hint shown after typing a command and a space must
# be the same on both servers for commands the engine implements, and for a
# command the engine lacks (LATENCY) redis-cli must show none against respfuzz
# serve while redis-server gives one: the hints come from serve's COMMAND
# DOCS. Then COMMAND DOCS and COMMAND INFO of every command serve lists are
# compared with redis-server's directly (a container's subcommands: those
# serve has, each as the server's). Both servers are stopped on every exit
# path; every pty session is bounded in time.
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
. "$(dirname "${BASH_SOURCE[0]}")/redis_server.sh"
serve_pid=""
trap 'stop_server; [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
command -v redis-cli >/dev/null || { echo "FAIL: no redis-cli"; exit 2; }

start_server
redis_port=$port
serve_port=$(free_port)
"$cli" serve --bind 127.0.0.1 --port "$serve_port" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do redis-cli -p "$serve_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$redis_port" "$serve_port" <<'PY'
import os, pty, re, select, signal, socket, sys, time

theirs_port, ours_port = sys.argv[1], sys.argv[2]

def hint(port, typed):
    """The hint redis-cli shows (grey text) after `typed`, or None."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp("redis-cli", ["redis-cli", "-p", port])
    queries = 0
    def drain(t):
        nonlocal queries
        out = b""
        end = time.time() + t
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            out += chunk
            for _ in range(chunk.count(b"\x1b[6n")):  # linenoise asks the cursor position
                queries += 1
                os.write(fd, b"\x1b[1;%dR" % (1 if queries % 2 else 200))
        return out
    try:
        drain(1.0)
        out = b""
        for ch in typed:
            os.write(fd, ch.encode())
            out += drain(0.1)
        out += drain(0.4)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    # The last redraw of the line: prompt, the text typed, then the hint in
    # grey (ESC[0;90;49m ... ESC[0m).
    last = out.rsplit(b"\r\x1b[0K", 1)[-1]
    m = re.search(rb"\x1b\[0;90;49m(.*?)\x1b\[0m", last)
    return m.group(1).decode() if m else None

bad = []
for typed in ["set ", "get ", "zadd k ", "client setname ", "command getkeys ", "object encoding ",
              "slowlog get ", "latency histogram ", "cluster ", "module load "]:
    ours, theirs = hint(ours_port, typed), hint(theirs_port, typed)
    if ours is None or ours != theirs:
        bad.append(f"{typed!r}: respfuzz serve {ours!r}, redis-server {theirs!r}")
    else:
        print(f"hint {typed!r}: {ours!r}")
# REPLICAOF: a command serve does not have (CLUSTER was, until
# cmd_standalone.cc; LATENCY until latency.cc; MODULE until 2026-11-27).
ours, theirs = hint(ours_port, "replicaof "), hint(theirs_port, "replicaof ")
if ours is not None or theirs is None:
    bad.append(f"'replicaof ': respfuzz serve {ours!r} (expected none), redis-server {theirs!r}")

# COMMAND DOCS and COMMAND INFO, RESP2, directly.
class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        self.f = self.s.makefile("rb")
    def cmd(self, *argv):
        out = b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in argv)
        self.s.sendall(out)
        return self.read()
    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-", b":"):
            return (t, rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(line)

ours_c, theirs_c = Conn(ours_port), Conn(theirs_port)
names = [n.decode() for n in ours_c.cmd("COMMAND", "LIST")]
subs = {n for n in names if "|" in n}
checked = 0
for name in sorted(n for n in names if "|" not in n):
    o = ours_c.cmd("COMMAND", "INFO", name)[0]
    t = theirs_c.cmd("COMMAND", "INFO", name)[0]
    # The server's subcommands, cut to serve's, in name order on both sides.
    t[9] = sorted((e for e in t[9] if e[0].decode() in subs), key=lambda e: e[0])
    o[9] = sorted(o[9], key=lambda e: e[0])
    if o != t:
        bad.append(f"COMMAND INFO {name} differs")
    od = ours_c.cmd("COMMAND", "DOCS", name)
    td = theirs_c.cmd("COMMAND", "DOCS", name)
    def cut(docs):
        d = docs[1]
        for i in range(0, len(d), 2):
            if d[i] == b"subcommands":
                pairs = [(d[i + 1][j], d[i + 1][j + 1]) for j in range(0, len(d[i + 1]), 2)]
                pairs = sorted(p for p in pairs if p[0].decode() in subs)
                d[i + 1] = [x for p in pairs for x in p]
        return docs
    if cut(od) != cut(td):
        bad.append(f"COMMAND DOCS {name} differs")
    checked += 1
# The comparison can fail: GET's docs with another summary must differ.
od = ours_c.cmd("COMMAND", "DOCS", "get")
td = theirs_c.cmd("COMMAND", "DOCS", "get")
broken = [x if x != od[1][1] else b"Get the value of a key (broken)" for x in od[1]]
if cut(od) != cut(td) or cut([od[0], broken]) == cut(td):
    bad.append("the COMMAND DOCS comparison does not tell a changed summary")
if checked < 100:
    bad.append(f"only {checked} commands listed by respfuzz serve")
for b in bad:
    print("FAIL:", b)
print(f"{checked} commands' COMMAND INFO and COMMAND DOCS compared")
sys.exit(1 if bad else 0)
PY
