#!/usr/bin/env python3
"""Sends request_parser streams to redis-server and to `respfuzz serve`.

usage: request_oracle.py REDIS_PORT OURS_PORT [--json REPORT] [--expect-divergence NAME]
                         [--documented FILE] FILE|DIR...

Each input is a request_parser harness input: 4 header bytes (limits profile
and chunk plan), then the client byte stream. The stream is sent as it is to
both servers (Redis's own limits apply on both sides: the harness's small-cap
profile is a parser setting, not a server one), on a fresh connection each,
and what comes back is compared byte for byte, together with whether the
server closed the connection. Streams run 16 at a time, each in its own
database (SELECT n first, its +OK read before the stream is sent), after a
FLUSHALL, so their keys never meet.

The real server may be another than redis-server 7.0.15 (whose rules
respfuzz serve follows): the script asks its INFO server, and a divergence
that a row of the documented version differences (--documented, default
tests/request_oracle_versions.tsv) gives for that server, stream and exact
reply, is reported as documented, not as a divergence. Against 7.0.15 no row
applies.

Exits 0 at 100% agreement (every divergence documented), 1 on any other
divergence, 2 on bad usage, a bad --documented file or when a server cannot
be reached. Excluded streams are listed with their reason.
"""
import json
import os
import socket
import sys
import threading
import time

HEADER_BYTES = 4   # request_parser input: profile byte + 3 chunk-plan bytes
IDLE_S = 0.25      # no byte for this long: the server is waiting for more input
MAX_WAIT_S = 5.0   # a stream's whole exchange
DBS = 16

# Streams that cannot be compared, with the reason. (None today: every
# committed stream is compared.)
EXCLUDED = {}


def usage(msg):
    print(f"request_oracle: {msg}", file=sys.stderr)
    sys.exit(2)


MODELLED = ("redis", "7.0.15")


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def server_identity(port):
    """(family, version) from INFO server: valkey when it says so, else redis."""
    s = connect(port)
    try:
        s.sendall(b"INFO server\r\n")
        got = b""
        while b"\r\n" not in got:
            got += s.recv(4096)
        head, _, rest = got.partition(b"\r\n")
        want = int(head[1:]) + 2
        while len(rest) < want:
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError("closed during INFO")
            rest += chunk
    finally:
        s.close()
    fields = dict(line.split(":", 1) for line in rest.decode().split("\r\n") if ":" in line)
    if fields.get("server_name") == "valkey" or "valkey_version" in fields:
        return "valkey", fields.get("valkey_version", "")
    return "redis", fields.get("redis_version", "")


def load_documented(path):
    """Rows: applies (FAMILY>=VERSION,...), stream, the server's reply as
    shown in a DIVERGENCE line, source (https://...), what."""
    rows = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) != 5:
                usage(f"{path}: line {n}: {len(f)} tab-separated fields, want 5")
            applies = []
            for a in f[0].split(","):
                fam, ge, ver = a.partition(">=")
                if fam not in ("redis", "valkey") or not ge or not all(x.isdigit() for x in ver.split(".")):
                    usage(f"{path}: line {n}: '{a}' is not redis>=VERSION or valkey>=VERSION")
                if (fam, version_key(ver)) <= ("redis", version_key(MODELLED[1])):
                    usage(f"{path}: line {n}: '{a}' includes redis {MODELLED[1]}")
                applies.append((fam, version_key(ver)))
            if not f[3].startswith("https://"):
                usage(f"{path}: line {n}: source '{f[3]}' is not an https:// URL")
            rows.append({"applies": applies, "stream": f[1], "server": f[2], "source": f[3],
                         "what": f[4]})
    return rows


def documented_row(rows, server, stream, shown):
    if server == MODELLED:
        return None
    family, version = server[0], version_key(server[1] or "0")
    for r in rows:
        if (r["stream"] == stream and r["server"] == shown and
                any(f == family and version >= v for f, v in r["applies"])):
            return r
    return None


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=MAX_WAIT_S)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_exactly(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed early")
        out += chunk
    return out


def command(port, line):
    s = connect(port)
    try:
        s.sendall(line)
        return s.recv(4096)
    finally:
        s.close()


def exchange(port, db, payload, result, key):
    """Sends payload on a fresh connection in database db; records (bytes, closed)."""
    s = connect(port)
    try:
        s.sendall(b"SELECT %d\r\n" % db)
        if read_exactly(s, 5) != b"+OK\r\n":
            raise ConnectionError("SELECT failed")
        s.sendall(payload)
        got = b""
        closed = False
        deadline = time.monotonic() + MAX_WAIT_S
        s.settimeout(IDLE_S)
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            got += chunk
        result[key] = (got, closed)
    except Exception as e:  # noqa: BLE001 - reported as a divergence
        result[key] = (f"<{e}>".encode(), None)
    finally:
        s.close()


def inputs(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if os.path.isfile(os.path.join(p, f)) and not f.startswith("README"))
        elif os.path.isfile(p):
            files.append(p)
        else:
            usage(f"no such file or directory: {p}")
    return files


def show(b, closed):
    text = repr(b)[2:-1]
    if len(text) > 300:
        text = text[:300] + "..."
    return f'"{text}" {"then closed" if closed else "left open" if closed is False else "(error)"}'


def main():
    args = sys.argv[1:]
    report_path = None
    expect = None
    documented_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                   "request_oracle_versions.tsv")
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--json" and i + 1 < len(args):
            report_path = args[i + 1]
            i += 2
        elif args[i] == "--expect-divergence" and i + 1 < len(args):
            expect = args[i + 1]
            i += 2
        elif args[i] == "--documented" and i + 1 < len(args):
            documented_path = args[i + 1]
            i += 2
        else:
            rest.append(args[i])
            i += 1
    if len(rest) < 3:
        usage("usage: request_oracle.py REDIS_PORT OURS_PORT [--json REPORT] FILE|DIR...")
    try:
        redis_port, ours_port = int(rest[0]), int(rest[1])
    except ValueError:
        usage("ports must be numbers")
    files = inputs(rest[2:])
    try:
        for port in (redis_port, ours_port):
            if command(port, b"PING\r\n") != b"+PONG\r\n":
                usage(f"no PONG from 127.0.0.1:{port}")
    except OSError as e:
        usage(f"cannot reach a server: {e}")
    rows = load_documented(documented_path)
    server = server_identity(redis_port)
    print(f"server: {server[0]}-server {server[1]}" +
          ("" if server == MODELLED else f" (respfuzz serve follows {MODELLED[1]}: "
           f"divergences checked against {len(rows)} documented version differences)"))
    documented = []

    compared, agreed, divergences, excluded = 0, 0, [], []
    todo = []
    for f in files:
        name = os.path.basename(f)
        if name in EXCLUDED:
            excluded.append({"stream": name, "reason": EXCLUDED[name]})
            continue
        with open(f, "rb") as fh:
            todo.append((name, fh.read()[HEADER_BYTES:]))
    for start in range(0, len(todo), DBS):
        batch = todo[start:start + DBS]
        for port in (redis_port, ours_port):
            if command(port, b"FLUSHALL\r\n") != b"+OK\r\n":
                usage(f"FLUSHALL failed on 127.0.0.1:{port}")
        result = {}
        threads = []
        for db, (name, payload) in enumerate(batch):
            for side, port in (("redis", redis_port), ("ours", ours_port)):
                t = threading.Thread(target=exchange, args=(port, db, payload, result, (name, side)))
                t.start()
                threads.append(t)
        for t in threads:
            t.join()
        for name, _ in batch:
            compared += 1
            theirs, ours = result[(name, "redis")], result[(name, "ours")]
            if theirs == ours and theirs[1] is not None:
                agreed += 1
                continue
            row = documented_row(rows, server, name, show(*theirs))
            if row is not None:
                documented.append({"stream": name, "redis": show(*theirs), "ours": show(*ours),
                                   "source": row["source"]})
                print(f"DOCUMENTED {name}: {row['source']}\n  redis-server: {show(*theirs)}\n"
                      f"  respfuzz:     {show(*ours)}")
                continue
            divergences.append({"stream": name, "redis": show(*theirs), "ours": show(*ours)})
            print(f"DIVERGENCE {name}\n  redis-server: {show(*theirs)}\n  respfuzz:     {show(*ours)}")

    pct = 100.0 * agreed / compared if compared else 0.0
    print(f"request oracle: {compared} streams compared, {agreed} agree ({pct:.1f}%), "
          f"{len(documented)} documented version differences, {len(divergences)} divergences, "
          f"{len(excluded)} excluded")
    for e in excluded:
        print(f"  excluded {e['stream']}: {e['reason']}")
    if report_path:
        with open(report_path + ".tmp", "w") as fh:
            json.dump({"server_family": server[0], "server_version": server[1],
                       "compared": compared, "agreed": agreed, "agreement_percent": pct,
                       "divergences": divergences, "documented": documented,
                       "excluded": excluded}, fh, indent=1)
        os.replace(report_path + ".tmp", report_path)
    if expect is not None:
        # Self-test mode: the named stream must diverge.
        if any(d["stream"] == expect for d in divergences):
            print(f"ok: {expect} diverges as expected")
            return 0
        print(f"FAIL: {expect} was expected to diverge")
        return 1
    return 0 if compared > 0 and not divergences else 1


if __name__ == "__main__":
    sys.exit(main())
