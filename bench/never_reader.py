#!/usr/bin/env python3
"""bench/never_reader.py: another client's PING latency while one client never reads.

Starts `respfuzz serve` (or redis-server with --target redis-server) on a free
loopback port, stores a value, then for --seconds a hostile client pipelines
GETs of it in batches of --batch on connections it never reads (a new one each
time the server cuts one, unless --no-reconnect), while another client sends
one PING every 20 ms and times each reply. Prints the PINGs' median, 90th
percentile and maximum, the cuts the hostile client saw, and the server's
peak RSS, CPU time and page faults; stops the server on every exit path
(Ctrl-C too).

Exit 0 after a run, 1 if the server did not start or a PING went unanswered
for 10 s, 2 on usage errors.
"""

import argparse
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PING_EVERY = 0.02
PING_TIMEOUT = 10.0
MAX_SECONDS = 60


class UsageError(Exception):
    pass


def die_usage(message):
    print(f"never_reader: {message}", file=sys.stderr)
    sys.exit(2)


def positive(name, limit=None):
    def parse(text):
        if not text.isdigit() or int(text) <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be a positive integer, not '{text}'")
        if limit is not None and int(text) > limit:
            raise argparse.ArgumentTypeError(f"{name} must be at most {limit}, not {text}")
        return int(text)

    return parse


class Parser(argparse.ArgumentParser):
    def error(self, message):
        die_usage(message)


def parse_args(argv):
    p = Parser(
        prog="bench/never_reader.py",
        description=__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--bin", default=os.path.join(ROOT, "build/dev/tools/respfuzz"),
                   help="the respfuzz binary (default: build/dev/tools/respfuzz)")
    p.add_argument("--target", choices=["respfuzz", "redis-server"], default="respfuzz",
                   help="the server to start (default: respfuzz)")
    p.add_argument("--value-size", type=positive("--value-size", 512 << 20), default=1 << 20,
                   help="bytes in the value the GETs fetch (default 1048576)")
    p.add_argument("--batch", type=positive("--batch", 100000), default=64,
                   help="GETs per pipelined batch (default 64)")
    p.add_argument("--seconds", type=positive("--seconds", MAX_SECONDS), default=3,
                   help=f"how long the hostile client keeps at it (default 3, at most {MAX_SECONDS})")
    p.add_argument("--connections", type=positive("--connections", 64), default=1,
                   help="never-reading connections at once (default 1)")
    p.add_argument("--no-reconnect", action="store_true",
                   help="a connection the server cuts is not replaced")
    p.add_argument("--max-rss-mb", type=positive("--max-rss-mb"), default=4096,
                   help="stop the hostile client once the server's RSS passes this (default 4096)")
    args = p.parse_args(argv)
    if args.target == "respfuzz" and not os.access(args.bin, os.X_OK):
        die_usage(f"no executable respfuzz at {args.bin} (build it, or give --bin)")
    return args


def command(*argv):
    out = b"*%d\r\n" % len(argv)
    for a in argv:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, small_window=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if small_window:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel's minimum
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_exactly(s, n, timeout):
    s.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buf += chunk
    return buf


class Server:
    def __init__(self, args, tmp):
        self.port = free_port()
        if args.target == "respfuzz":
            cmd = [args.bin, "serve", "--port", str(self.port)]
            self.name = f"respfuzz serve ({args.bin})"
        else:
            cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")]
            self.name = "redis-server"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with connect(self.port) as s:
                    s.sendall(b"PING\r\n")
                    if read_exactly(s, 7, 2) == b"+PONG\r\n":
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start on 127.0.0.1:{self.port}")
            time.sleep(0.05)
        self.hwm_reset = self._write(f"/proc/{self.proc.pid}/clear_refs", "5")
        self.rss_start = self.status_kb("VmRSS")
        self.rss_max = self.rss_start
        self.cpu_start = self.cpu_seconds()
        self.faults_start = self.minor_faults()

    def _write(self, path, text):
        try:
            with open(path, "w") as f:
                f.write(text)
            return True
        except OSError:
            return False

    def status_kb(self, field):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _stat(self):
        # The fields after the command's closing parenthesis (field 3 on).
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return []

    def cpu_seconds(self):
        fields = self._stat()
        if len(fields) < 13:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def minor_faults(self):
        fields = self._stat()
        return int(fields[7]) if len(fields) > 7 else 0

    def sample(self):
        self.rss_max = max(self.rss_max, self.status_kb("VmRSS"))

    def peak_kb(self):
        return max(self.rss_max, self.status_kb("VmHWM") if self.hwm_reset else 0)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def hostile(port, batch, end, reconnect, stop, stats, lock):
    """One never-reading connection at a time: batches while the socket takes
    them; a failed write or the server's FIN/RST is a cut."""
    while time.monotonic() < end and not stop.is_set():
        try:
            s = connect(port, small_window=True)
        except OSError:
            return
        s.setblocking(False)
        cut = False
        pending = b""
        while not cut and time.monotonic() < end and not stop.is_set():
            _, writable, _ = select.select([], [s], [], 0.02)
            if not writable:
                continue
            try:
                if not pending:
                    pending = batch
                n = s.send(pending)
                pending = pending[n:]
                with lock:
                    stats["sent"] += n
            except BlockingIOError:
                continue
            except OSError:
                cut = True
        s.close()
        if cut:
            with lock:
                stats["cuts"] += 1
            if not reconnect:
                return


def run(args):
    tmp = tempfile.mkdtemp(prefix="never_reader.")
    server = Server(args, tmp)
    stop = threading.Event()
    try:
        with connect(server.port) as s:
            s.sendall(command(b"SET", b"k", b"v" * args.value_size))
            if read_exactly(s, 5, 30) != b"+OK\r\n":
                raise RuntimeError("SET of the value failed")
        batch = command(b"GET", b"k") * args.batch
        stats = {"sent": 0, "cuts": 0}
        lock = threading.Lock()
        end = time.monotonic() + args.seconds
        threads = [threading.Thread(target=hostile, daemon=True,
                                    args=(server.port, batch, end, not args.no_reconnect, stop,
                                          stats, lock))
                   for _ in range(args.connections)]
        for t in threads:
            t.start()
        pinger = connect(server.port)
        ms = []
        stopped_for_rss = False
        next_report = time.monotonic() + 1
        while time.monotonic() < end:
            t0 = time.monotonic()
            pinger.sendall(b"PING\r\n")
            try:
                reply = read_exactly(pinger, 7, PING_TIMEOUT)
            except (OSError, ConnectionError) as e:
                raise RuntimeError(f"a PING got no reply within {PING_TIMEOUT:.0f} s: {e}")
            ms.append((time.monotonic() - t0) * 1000)
            if reply != b"+PONG\r\n":
                raise RuntimeError(f"a PING got {reply!r}")
            server.sample()
            if server.rss_max > args.max_rss_mb * 1024:
                stopped_for_rss = True
                break
            if time.monotonic() >= next_report:
                print(f"never_reader: {len(ms)} PINGs so far, max {max(ms):.1f} ms, "
                      f"{stats['cuts']} cuts", file=sys.stderr)
                next_report += 1
            time.sleep(PING_EVERY)
        stop.set()
        for t in threads:
            t.join(5)
        pinger.close()
        cpu = server.cpu_seconds() - server.cpu_start
        faults = server.minor_faults() - server.faults_start
        ms.sort()
        print(f"{server.name}: a {args.value_size}-byte value, GETs in batches of {args.batch}, "
              f"{args.connections} never-reading connection(s), "
              f"{'no ' if args.no_reconnect else ''}reconnects, {args.seconds} s")
        print(f"PING: {len(ms)} replies, median {statistics.median(ms):.1f} ms, "
              f"p90 {ms[int(len(ms) * 0.9)]:.1f} ms, max {ms[-1]:.1f} ms")
        print(f"hostile client: {stats['cuts']} cuts seen, {stats['sent']} request bytes sent")
        print(f"server: peak RSS {server.peak_kb() >> 10} MiB ({server.rss_start >> 10} MiB at "
              f"start), CPU {cpu:.2f} s, {faults} minor page faults")
        if stopped_for_rss:
            print(f"stopped early: the server's RSS passed {args.max_rss_mb} MiB")
    finally:
        stop.set()
        server.stop()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)


def main():
    args = parse_args(sys.argv[1:])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        run(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except RuntimeError as e:
        print(f"never_reader: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
