#!/usr/bin/env python3
"""tests/redis_suite_test.py: scripts/redis-suite, offline and live.

usage: redis_suite_test.py ROOT
       redis_suite_test.py ROOT --live RESPFUZZ

Offline: every case is the real output of Redis 7.0.15's suite captured from a
run (tests/redis_suite/logs/, README.md there says how each was made), given to
`scripts/redis-suite --parse LOG --unit UNIT` with the committed baseline.
Each case's expected counts are written here by hand from the log; the test
also counts the log's "[ok]: " and "[err]: " lines itself, plainly, and
requires the tool to agree. Planted faults must be caught: a log with one [ok]
line removed must lose one pass and gain one not-reached test, a must-pass
entry the log does not pass must exit 1, and bad usage must exit 2 with one
line and no output file.

--live: Redis 7.0.15's own suite (the pinned Debian source, fetched once per
machine) against `respfuzz serve` (RESPFUZZ is the respfuzz CLI): the 17
units run, the server stays up through them, and every test of
tests/redis_suite/must-pass.txt passes (the lines of units outside the 17,
unit/geo and unit/introspection-2, in a run of those units first), and, with
--debug, every test of tests/redis_suite/must-pass-debug.txt (the needs:debug
tests of a few quick units). Then the runner's own bounds: a unit
cut by --timeout against redis-server 7.0.15 is reported as timed out with
passed + failed + not reached = its baseline, with progress on stderr; and a
planted must-pass entry that respfuzz does not pass today makes it exit 1.

Prints 'N passed, N failed'.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile

passed = failed = 0
TOOL = None


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok    " + what)
    else:
        failed += 1
        print("FAIL  " + what, file=sys.stderr)


def run(*args):
    p = subprocess.run([TOOL] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def core_units(root):
    """scripts/redis-suite's CORE_UNITS, the 17 units it runs by default."""
    with open(os.path.join(root, "scripts", "redis-suite")) as f:
        text = f.read()
    start = text.index("CORE_UNITS = [")
    return ast.literal_eval(text[start + len("CORE_UNITS = "):text.index("]", start) + 1])


def split_must_pass(path, core, tmp):
    """must-pass.txt as two files: the 17 units' lines, and the other units'
    lines (units outside the default run, e.g. unit/geo) with those units."""
    head, core_lines, other_lines, others = [], [], [], []
    with open(path) as f:
        for line in f.read().split("\n"):
            if not line.strip() or line.startswith("#"):
                head.append(line)
                continue
            unit = line.split("\t", 1)[0]
            if unit in core:
                core_lines.append(line)
            else:
                other_lines.append(line)
                if unit not in others:
                    others.append(unit)
    paths = []
    for name, lines in (("must-core.txt", core_lines), ("must-other.txt", other_lines)):
        p = os.path.join(tmp, name)
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        paths.append(p)
    return paths[0], paths[1], others


def live(root, respfuzz, tmp):
    must_all = os.path.join(root, "tests", "redis_suite", "must-pass.txt")
    must, must_other, other_units = split_must_pass(must_all, core_units(root), tmp)
    if other_units:
        # The must-pass tests of units outside the 17 (unit/geo,
        # unit/introspection-2): those units alone, every listed test passing.
        out = os.path.join(tmp, "other.json")
        rc, so, se = run("--respfuzz", respfuzz, "--timeout", "120", "--must-pass", must_other,
                         "--json", out, *other_units)
        print(so, end="")
        d = load(out)
        check(rc == 0 and d is not None and len(d["units"]) == len(other_units) and
              not any(u["timed_out"] or "server_exited" in u for u in d["units"]),
              "%s with the must-pass list: exit %d, %s" %
              (" ".join(other_units), rc,
               [l for l in so.split("\n") if l.startswith(("must-pass:", "MUST-PASS"))][:5]))
    out = os.path.join(tmp, "respfuzz.json")
    rc, so, se = run("--respfuzz", respfuzz, "--timeout", "120", "--must-pass", must, "--json", out)
    print(so, end="")
    d = load(out)
    summary = [l for l in so.split("\n") if l.startswith("must-pass:")]
    check(rc == 0 and d is not None and summary,
          "the 17 units with the must-pass list: exit %d, %s %s" %
          (rc, summary, [l for l in so.split("\n") if l.startswith("MUST-PASS")][:5]
           if rc else ""))
    units = d["units"] if d else []
    check(len(units) == 17 and not any(u["timed_out"] or "server_exited" in u for u in units),
          "17 units ran, none timed out, respfuzz serve stayed up through all of them: %s" %
          [(u["unit"], u["timed_out"], u.get("server_exited")) for u in units
           if u["timed_out"] or "server_exited" in u])

    # --debug: the needs:debug tests of a few quick units, against a server
    # with DEBUG enabled, counted against baseline-debug.json.
    must_debug = os.path.join(root, "tests", "redis_suite", "must-pass-debug.txt")
    debug_units = sorted({l.split("\t", 1)[0] for l in open(must_debug)
                          if l.strip() and not l.startswith("#")})
    out = os.path.join(tmp, "debug.json")
    rc, so, se = run("--debug", "--respfuzz", respfuzz, "--timeout", "120", "--must-pass",
                     must_debug, "--json", out, *debug_units)
    print(so, end="")
    d = load(out)
    check(rc == 0 and d is not None and d.get("debug") is True and
          len(d["units"]) == len(debug_units) and
          not any(u["timed_out"] or "server_exited" in u for u in d["units"]),
          "--debug %s with must-pass-debug.txt: exit %d, %s" %
          (" ".join(debug_units), rc,
           [l for l in so.split("\n") if l.startswith(("must-pass:", "MUST-PASS"))][:5]))

    # A unit cut by the time bound, on the server the baseline comes from.
    out = os.path.join(tmp, "cut.json")
    rc, so, se = run("--server", shutil.which("redis-server") or "redis-server", "--timeout", "3",
                     "unit/type/list", "--json", out)
    d = load(out)
    u = d["units"][0] if d else {}
    check(rc == 0 and u.get("timed_out") and u["passed"] > 0 and u["not_reached"] > 0 and
          u["passed"] + u["failed"] + u["not_reached"] == u["baseline_tests"],
          "--timeout 3 on unit/type/list: exit %d, %s" %
          (rc, [l for l in so.split("\n") if l.startswith("unit/type/list ")][:1] or se[-300:]))
    check("[1/1] unit/type/list: running" in se, "progress goes to stderr")

    # Planted: a must-pass entry respfuzz serve does not pass today.
    planted = os.path.join(tmp, "planted.txt")
    with open(planted, "w") as f:
        f.write("# planted\nunit/latency-monitor\tLATENCY RESET is able to reset events\n")
    rc, so, se = run("--respfuzz", respfuzz, "--timeout", "60", "--must-pass", planted,
                     "unit/latency-monitor")
    check(rc == 1 and "MUST-PASS unit/latency-monitor: LATENCY RESET is able to reset events" in so,
          "a planted must-pass entry is caught: exit %d" % rc)


def main():
    global TOOL
    args = sys.argv[1:]
    if args[:1] in (["-h"], ["--help"]) or len(args) not in (1, 3) or (
            len(args) == 3 and args[1] != "--live"):
        print(__doc__.strip())
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    root = args[0]
    TOOL = os.path.join(root, "scripts", "redis-suite")
    tmp = tempfile.mkdtemp(prefix="respfuzz-redis-suite-test.")
    try:
        if len(args) == 3:
            live(root, args[2], tmp)
        else:
            offline(root, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def offline(root, tmp):
    logs = os.path.join(root, "tests", "redis_suite", "logs")
    baseline = os.path.join(root, "tests", "redis_suite", "baseline.json")
    with open(baseline) as f:
        base = json.load(f)["units"]

    def parse(log, unit, extra=()):
        out = os.path.join(tmp, "out.json")
        if os.path.exists(out):
            os.unlink(out)
        rc, so, se = run("--parse", log, "--unit", unit, "--baseline", baseline, "--json", out,
                         *extra)
        data = None
        if os.path.exists(out):
            with open(out) as f:
                data = json.load(f)
        return rc, so, se, data

    # (log, unit, passed, failed, not reached, where it stopped, first failing
    # test, first unknown command)
    cases = [
        ("incr.redis-server.log", "unit/type/incr", 23, 0, 0, None, None, None),
        ("incr.respfuzz.log", "unit/type/incr", 0, 0, 23, "setup", "(setup)", "function flush"),
        ("incr.no-incrbyfloat.log", "unit/type/incr", 11, 1, 11, "test",
         "INCRBYFLOAT against non existing key", "incrbyfloat"),
        ("hash.listpack-entries-1.log", "unit/type/hash", 1, 1, 70, "setup",
         "Is the small hash encoded with a listpack?", None),
        ("keyspace.databases-10.log", "unit/keyspace", 24, 1, 28, "test", "DEL all keys again (DB 1)",
         None),
    ]
    for log, unit, p_, f_, nr, where, first, unknown in cases:
        path = os.path.join(logs, log)
        rc, so, se, d = parse(path, unit)
        if rc != 0 or d is None:
            check(False, "%s: exit %d, %s" % (log, rc, se.strip()))
            continue
        r = d["units"][0]
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        plain_ok = sum(1 for l in lines if l.startswith("[ok]: "))
        plain_err = sum(1 for l in lines if l.startswith("[err]: "))
        plain_exc_in_test = any(l.startswith("[exception]: ") for l in lines) and any(
            '(procedure "test" line' in l for l in lines)
        check(r["passed"] == p_ == plain_ok,
              "%s: passed %d (expected %d, [ok] lines %d)" % (log, r["passed"], p_, plain_ok))
        check(r["failed"] == f_ == plain_err + plain_exc_in_test,
              "%s: failed %d (expected %d, [err] lines %d + exception in a test %d)" %
              (log, r["failed"], f_, plain_err, plain_exc_in_test))
        base_n = len(base[unit]["tests"])
        check(r["not_reached"] == nr and r["baseline_tests"] == base_n and
              r["passed"] + r["failed"] + r["not_reached"] == base_n,
              "%s: not reached %s (expected %s), and passed + failed + not reached = the "
              "baseline's %d tests" % (log, r["not_reached"], nr, base_n))
        got_where = (r["stopped"] or {}).get("where")
        check(got_where == where and r["complete"] == (where is None),
              "%s: stopped %s (expected %s)" % (log, got_where, where))
        if first is not None:
            ff = r["first_failure"] or {}
            check(ff.get("name") == first and ff.get("error"),
                  "%s: first failure '%s: %s'" % (log, ff.get("name"), ff.get("error")))
        check(r["first_unknown_command"] == unknown,
              "%s: first unknown command %s (expected %s)" % (log, r["first_unknown_command"],
                                                             unknown))
        check("passed %4d" % p_ in so, "%s: the printed line says passed %d" % (log, p_))

    # The exception inside a test is charged to the right test: the one after
    # the last reported, by the baseline's order.
    rc, so, se, d = parse(os.path.join(logs, "keyspace.databases-10.log"), "unit/keyspace")
    names = [t["name"] for t in base["unit/keyspace"]["tests"]]
    r = d["units"][0]
    exc = [t for t in r["failed_tests"] if t.get("exception")]
    check(len(exc) == 1 and exc[0]["name"] == names[r["passed"]] and
          "DB index is out of range" in exc[0]["error"],
          "keyspace.databases-10.log: the exception is charged to baseline test %d, '%s'" %
          (r["passed"] + 1, exc[0]["name"] if exc else None))

    # Planted: one [ok] line removed: one pass fewer, one more not reached.
    with open(os.path.join(logs, "incr.redis-server.log")) as f:
        text = f.read().split("\n")
    cut = next(i for i, l in enumerate(text) if l.startswith("[ok]: INCRBYFLOAT decrement"))
    planted = os.path.join(tmp, "planted.log")
    with open(planted, "w") as f:
        f.write("\n".join(text[:cut] + text[cut + 1:]))
    rc, so, se, d = parse(planted, "unit/type/incr")
    r = d["units"][0] if d else {}
    check(rc == 0 and r.get("passed") == 22 and r.get("not_reached") == 1 and
          r.get("passed_of_baseline") == 22,
          "planted: a log missing one [ok] line gives 22 passed, 1 not reached")

    # Must-pass: met, then a planted entry the log does not pass.
    mp = os.path.join(tmp, "must-pass.txt")
    with open(mp, "w") as f:
        f.write("# comment\nunit/type/incr\tINCR against non existing key\n"
                "unit/type/incr\tNo negative zero\n")
    rc, so, se, d = parse(os.path.join(logs, "incr.redis-server.log"), "unit/type/incr",
                          ["--must-pass", mp])
    check(rc == 0 and "must-pass: 2 of 2 passed" in so and d["must_pass"]["missing"] == [],
          "must-pass: two tests the log passes: exit %d" % rc)
    rc, so, se, d = parse(os.path.join(logs, "incr.respfuzz.log"), "unit/type/incr",
                          ["--must-pass", mp])
    check(rc == 1 and "MUST-PASS unit/type/incr: INCR against non existing key: did not pass" in so
          and len(d["must_pass"]["missing"]) == 2,
          "must-pass: the same tests against a log that stopped in setup: exit %d" % rc)
    with open(mp, "a") as f:
        f.write("unit/type/list\tLPOS basic usage\n")
    rc, so, se, d = parse(os.path.join(logs, "incr.redis-server.log"), "unit/type/incr",
                          ["--must-pass", mp])
    check(rc == 1 and "unit/type/list: LPOS basic usage: unit not run" in so,
          "must-pass: a test of a unit that was not run counts as not passed")

    # Bad usage: exit 2, one line, no JSON written.
    out = os.path.join(tmp, "bad.json")
    bad_mp = os.path.join(tmp, "bad-must-pass.txt")
    with open(bad_mp, "w") as f:
        f.write("unit/type/incr INCR against non existing key\n")
    usage = [
        ("an unknown option", ["--bogus"]),
        ("--parse without --unit", ["--parse", os.path.join(logs, "incr.respfuzz.log")]),
        ("a missing log", ["--parse", os.path.join(tmp, "none.log"), "--unit", "unit/type/incr"]),
        ("a bad unit name", ["--parse", os.path.join(logs, "incr.respfuzz.log"), "--unit", "x;y"]),
        ("a must-pass line without a tab", ["--parse", os.path.join(logs, "incr.respfuzz.log"),
                                            "--unit", "unit/type/incr", "--must-pass", bad_mp]),
        ("--json in a missing directory", ["--parse", os.path.join(logs, "incr.respfuzz.log"),
                                           "--unit", "unit/type/incr", "--json",
                                           os.path.join(tmp, "no", "x.json")]),
        ("a zero --timeout", ["--timeout", "0", "unit/type/incr"]),
        ("a non-numeric --timeout", ["--timeout", "soon", "unit/type/incr"]),
        ("--server and --respfuzz", ["--server", "/bin/true", "--respfuzz", "/bin/true"]),
        ("--server-arg without --server", ["--server-arg=--x", "unit/type/incr"]),
        ("a --server that is not executable", ["--server", os.path.join(logs, "incr.respfuzz.log")]),
        ("--record-baseline without --server", ["--record-baseline"]),
        ("a baseline that is not JSON", ["--parse", os.path.join(logs, "incr.respfuzz.log"),
                                         "--unit", "unit/type/incr", "--baseline",
                                         os.path.join(logs, "incr.respfuzz.log")]),
    ]
    for what, args in usage:
        rc, so, se = run(*(args + (["--json", out] if "--json" not in args else [])))
        lines = se.strip().split("\n")
        check(rc == 2 and len(lines) == 1 and lines[0].startswith("redis-suite: ") and
              not os.path.exists(out),
              "usage: %s: exit %d, '%s'" % (what, rc, se.strip()))
    rc, so, se = run("--help")
    check(rc == 0 and "--record-baseline" in so and "Exit status" in so, "--help")


if __name__ == "__main__":
    sys.exit(main())
