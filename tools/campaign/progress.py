#!/usr/bin/env python3
"""progress.py: runs one fuzzer, keeps its raw output in a log file, shows one
live progress line and writes a timeline TSV.

usage: progress.py --harness NAME --log FILE --timeline FILE [--budget SECONDS]
                   [--engine libfuzzer|afl] [--afl-dir DIR] [--verbose]
                   [--interval SECONDS] -- COMMAND [ARGS...]

libFuzzer: every status line ("#N  NEW cov: .. ft: .. corp: N/..b .. exec/s: ..
rss: ..Mb", and fork mode's "#N: cov: .. ft: .. corp: N exec/s N ...") becomes
a timeline row stamped with the time it arrived. AFL++: afl-fuzz's plot_data
(in --afl-dir) is read as it grows. Between fuzzer lines a "sample" row every
second carries the last values and the fuzzer's current resident memory
(/proc, the largest of the process and its descendants).

Timeline columns: time (s since start), execs, exec_per_s, cov, ft, corpus,
rss_mb, event. Values the engine does not report are left empty.

Exit status: the fuzzer's (128+N when killed by signal N); 2 for bad usage.
Only the Python 3 standard library is used.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

TIMELINE_HEADER = "time\texecs\texec_per_s\tcov\tft\tcorpus\trss_mb\tevent\n"

# libFuzzer's status line, e.g.
#   #4096	pulse  cov: 270 ft: 861 corp: 60/2113b lim: 43 exec/s: 2048 rss: 37Mb
#   #12345	NEW    cov: 301 ft: 990 corp: 71/3Kb lim: 48 exec/s: 4115 rss: 38Mb L: 12/40 MS: ...
STATUS_RE = re.compile(r"^#(\d+)\s+([A-Z]+|pulse)\s+(.*)$")
# fork mode: "#123456: cov: 300 ft: 1000 corp: 80 exec/s 5000 oom/timeout/crash: 0/0/1 ..."
FORK_RE = re.compile(r"^#(\d+):\s+cov:\s*(\d+)\s+ft:\s*(\d+)\s+corp:\s*(\d+)\s+exec/s:?\s*(\d+)"
                     r"(?:\s+oom/timeout/crash:\s*(\d+)/(\d+)/(\d+))?")
FIELD_RES = {
    "cov": re.compile(r"\bcov:\s*(\d+)"),
    "ft": re.compile(r"\bft:\s*(\d+)"),
    "corpus": re.compile(r"\bcorp:\s*(\d+)"),
    "exec_per_s": re.compile(r"\bexec/s:\s*(\d+)"),
    "rss_mb": re.compile(r"\brss:\s*(\d+)Mb"),
}
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")
ARTIFACT_KINDS = ("crash-", "leak-", "timeout-", "oom-", "slow-unit-")


class State:
    """The last known values, shared by the reader threads and the ticker."""

    def __init__(self):
        self.lock = threading.Lock()
        self.execs = None
        self.exec_per_s = None
        self.cov = None
        self.ft = None
        self.corpus = None
        self.rss_mb = None
        self.crashes = 0
        self.last_row_time = -1.0


def parse_libfuzzer_line(line):
    """Returns a dict of the status fields of one libFuzzer line, or None."""
    m = FORK_RE.match(line)
    if m:
        row = {"execs": int(m.group(1)), "cov": int(m.group(2)), "ft": int(m.group(3)),
               "corpus": int(m.group(4)), "exec_per_s": int(m.group(5)), "event": "fork"}
        if m.group(8) is not None:
            row["fork_crashes"] = int(m.group(8))
        return row
    m = STATUS_RE.match(line)
    if not m:
        return None
    rest = m.group(3)
    if "cov:" not in rest and "corp:" not in rest:
        return None
    row = {"execs": int(m.group(1)), "event": m.group(2)}
    for key, rx in FIELD_RES.items():
        fm = rx.search(rest)
        if fm:
            row[key] = int(fm.group(1))
    return row


def parse_plot_data_line(line, header):
    """One AFL++ plot_data row as a dict, or None (comment or short line)."""
    if line.startswith("#") or not line.strip():
        return None
    vals = [v.strip() for v in line.split(",")]
    if len(vals) < len(header):
        return None
    rec = dict(zip(header, vals))
    try:
        row = {
            "afl_time": float(rec["relative_time"]),
            "execs": int(float(rec["total_execs"])),
            "exec_per_s": int(float(rec["execs_per_sec"])),
            "corpus": int(float(rec["corpus_count"])),
            "event": "plot",
            "afl_crashes": int(float(rec["saved_crashes"])),
        }
        if "edges_found" in rec:
            row["cov"] = int(float(rec["edges_found"]))
    except (KeyError, ValueError):
        return None
    return row


def plot_data_header(line):
    """The column names of plot_data's '# relative_time, cycles_done, ...' line."""
    return [c.strip() for c in line.lstrip("#").split(",")]


def tree_rss_mb(pid):
    """Largest VmRSS (MB) of pid and its descendants, from /proc; None if unknown."""
    children = {}
    try:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError):
                continue
    except OSError:
        return None
    best = None
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        mb = int(line.split()[1]) // 1024
                        best = mb if best is None else max(best, mb)
                        break
        except (OSError, ValueError):
            continue
    return best


def fmt(v):
    return "" if v is None else str(v)


def human(n):
    if n is None:
        return "-"
    if n >= 10_000_000:
        return f"{n / 1e6:.0f}M"
    if n >= 100_000:
        return f"{n / 1e3:.0f}k"
    return str(n)


def progress_line(harness, elapsed, budget, st):
    b = f"{budget}s" if budget > 0 else "-"
    return (f"{harness}  {elapsed:.0f}s/{b}  execs {human(st.execs)}  "
            f"exec/s {human(st.exec_per_s)}  cov {human(st.cov)}  ft {human(st.ft)}  "
            f"corpus {human(st.corpus)}  rss {fmt(st.rss_mb) or '-'}Mb  crashes {st.crashes}")


def main(argv):
    ap = argparse.ArgumentParser(
        prog="progress.py",
        description="Run a fuzzer with a live progress line, its raw output in a log file, "
        "and a timeline TSV.")
    ap.add_argument("--harness", required=True)
    ap.add_argument("--log", required=True, help="the fuzzer's raw output goes here")
    ap.add_argument("--timeline", required=True, help="timeline TSV written here")
    ap.add_argument("--budget", type=int, default=0, help="the run's time budget (shown)")
    ap.add_argument("--engine", choices=("libfuzzer", "afl"), default="libfuzzer")
    ap.add_argument("--afl-dir", help="afl-fuzz instance directory holding plot_data")
    ap.add_argument("--verbose", action="store_true",
                    help="print the raw output as it comes instead of the progress line")
    ap.add_argument("--interval", type=float, default=None,
                    help="seconds between progress lines when stderr is not a terminal "
                    "(default 10)")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.command
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        print("progress.py: no fuzzer command given (after --)", file=sys.stderr)
        return 2
    if args.engine == "afl" and not args.afl_dir:
        print("progress.py: --engine afl needs --afl-dir", file=sys.stderr)
        return 2

    st = State()
    tty = sys.stderr.isatty()
    interval = args.interval if args.interval is not None else (1.0 if tty else 10.0)
    try:
        log = open(args.log, "wb")
        timeline = open(args.timeline, "w")
    except OSError as e:
        print(f"progress.py: {e}", file=sys.stderr)
        return 2
    timeline.write(TIMELINE_HEADER)
    start = time.monotonic()
    stop = threading.Event()

    def write_row(t, event):
        timeline.write("\t".join([f"{t:.2f}", fmt(st.execs), fmt(st.exec_per_s), fmt(st.cov),
                                  fmt(st.ft), fmt(st.corpus), fmt(st.rss_mb), event]) + "\n")
        st.last_row_time = t

    def apply(row, t):
        with st.lock:
            for key in ("execs", "exec_per_s", "cov", "ft", "corpus", "rss_mb"):
                if key in row:
                    setattr(st, key, row[key])
            if "fork_crashes" in row:
                st.crashes = max(st.crashes, row["fork_crashes"])
            if "afl_crashes" in row:
                st.crashes = row["afl_crashes"]
            write_row(t, row["event"])

    # Ctrl-C reaches the fuzzer (same process group); we only wait for it to
    # stop. A handler, not SIG_IGN, so the fuzzer does not inherit "ignore".
    interrupted = []
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(1))
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        print(f"progress.py: cannot run {cmd[0]}: {e}", file=sys.stderr)
        return 2

    def reader():
        for raw in iter(proc.stdout.readline, b""):
            log.write(raw)
            if args.verbose:
                sys.stdout.buffer.write(raw)
                sys.stdout.flush()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            m = ARTIFACT_RE.search(line)
            if m and os.path.basename(m.group(1)).startswith(ARTIFACT_KINDS):
                with st.lock:
                    st.crashes += 1
            if args.engine == "libfuzzer":
                row = parse_libfuzzer_line(line)
                if row:
                    apply(row, time.monotonic() - start)
        log.flush()

    def afl_reader():
        path = os.path.join(args.afl_dir, "plot_data")
        header = None
        pos = 0
        base_execs = 0
        # A resumed afl-fuzz appends to the plot_data of earlier runs and
        # carries on counting total_execs: rows before this run are skipped,
        # and its executions count from the last of them.
        try:
            with open(path) as f:
                old = f.read()
            pos = len(old.encode())
            for line in old.splitlines():
                if line.startswith("#"):
                    header = plot_data_header(line)
                elif header:
                    row = parse_plot_data_line(line, header)
                    if row:
                        base_execs = row["execs"]
        except OSError:
            pass
        pending = ""
        while True:
            done = stop.is_set()
            try:
                size = os.path.getsize(path)
                if size < pos:  # rewritten from scratch
                    pos, base_execs = 0, 0
                if size > pos:
                    with open(path, "rb") as f:
                        f.seek(pos)
                        chunk = f.read().decode("utf-8", "replace")
                        pos = f.tell()
                    pending += chunk
                    *lines, pending = pending.split("\n")
                    for line in lines:
                        if line.startswith("#"):
                            header = plot_data_header(line)
                            continue
                        if header is None:
                            continue
                        row = parse_plot_data_line(line, header)
                        if row:
                            row["execs"] = max(0, row["execs"] - base_execs)
                            apply(row, time.monotonic() - start)
            except OSError:
                pass
            if done:
                return
            stop.wait(1.0)

    threads = [threading.Thread(target=reader, daemon=True)]
    if args.engine == "afl":
        threads.append(threading.Thread(target=afl_reader, daemon=True))
    for t in threads:
        t.start()

    last_print = -interval
    shown = False
    last_line = ""
    last_rss = -1.0
    while proc.poll() is None:
        time.sleep(0.25 if tty else 0.5)
        now = time.monotonic() - start
        rss = None
        if now - last_rss >= 1.0:  # /proc is read once a second
            rss = tree_rss_mb(proc.pid)
            last_rss = now
        with st.lock:
            if rss is not None:
                st.rss_mb = max(rss, st.rss_mb or 0) if args.engine == "afl" else rss
            if now - st.last_row_time >= 1.0:
                write_row(now, "sample")
        if not args.verbose and now - last_print >= interval:
            line = progress_line(args.harness, now, args.budget, st)
            if tty:
                # One terminal row, or "\r" would not return to its start.
                width = shutil.get_terminal_size().columns - 1
                sys.stderr.write("\r\033[K" + line[:max(width, 20)])
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()
            shown = True
            last_print = now
            last_line = line
    rc = proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    end = time.monotonic() - start
    with st.lock:
        write_row(end, "end")
    timeline.close()
    log.close()
    if not args.verbose:
        line = progress_line(args.harness, end, args.budget, st)
        if tty:
            sys.stderr.write(("\r\033[K" if shown else "") + line + "\n")
        elif line != last_line:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
    if rc < 0:
        return 128 - rc
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
