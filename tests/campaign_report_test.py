#!/usr/bin/python3
"""Checks tools/campaign/report.py (and progress.py's parsers) against the fixed
runs in tests/campaign/fixtures/.

Usage: tests/campaign_report_test.py [--self-test | --sarif-schema] ROOT

The fixtures are three finished runs (run.json, meta.json, the raw libFuzzer
log, the timeline, crash files):
  - flat/resp_reader (200 s): 1000 exec/s for 100 s, then 3000 exec/s; RSS
    100 -> 110 MB; two AddressSanitizer heap-buffer-overflows in the same code
    under test reached from two harness functions (different addresses, lines
    and harness frames) and a SEGV elsewhere; the sanitizer reports are
    written by hand in AddressSanitizer's format;
  - growing/command_handler (structured, 200 s): RSS 100 -> 200 MB after the
    30 s warm-up; no crash;
  - checks/invalidation and checks/command_handler (structured): real logs,
    written by tests/campaign/real_logs.py from the planted harness binaries
    (which the ctests campaign-report/real-logs check against what the
    binaries print today): two [staleness] violations at a read GET op, one
    [reference] violation while the server ran MSET, and one [reference] at
    EXPIRE.
Checked: executions, exec/s slices (10 x 1000 then 10 x 3000) and their CV
(0.5), final edges/features/corpus, peak RSS, the RSS warning on the growing
run and not on the flat one; crash grouping (the two overflows one group, the
SEGV apart; the two staleness violations one group, the reference violation
apart, each group's files smallest first; a fork-mode log's bare ERROR lines
not counted beside the artifacts), minimization (each step kept only when
its input fails the same way), decoding and the replay and
freeze commands (through stand-in fuzzer and CLI scripts), the SARIF log of
--sarif (its rules, results, messages and locations; a bad --sarif path exits
2 with nothing written), the plot is well-formed SVG with its five panels,
and bad run directories exit 2 with nothing written.

--self-test plants a broken piece each time (a fixture with growing RSS where
it should be flat and the reverse, a crash moved to other frames, a third
crash given the same frames, a staleness violation at another op, a changed
execution rate, a CV function, a plot writer, a frame parser, a check-line
parser that drops the op or the check, grouping that keeps harness frames, a
SARIF writer that loses a result) and fails unless every plant is caught and
the clean run passes.

--sarif-schema validates the SARIF log of the fixtures against the SARIF 2.1.0
JSON schema (python3-jsonschema) that tests/campaign/sarif_schema.sh finds (the
OASIS standard's, or the rtm.5 draft's from the npm registry); fails when
neither is on this machine (scripts/setup downloads one).
"""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FAKE_FUZZER = """#!/bin/sh
# Stands in for a libFuzzer binary. It runs an input by printing the crash
# section the run's fuzz.log holds for it (for X.min, X's; with a file
# swap-min beside this script, a .min or a minimization step gets the section
# of the artifact named in that file instead), exiting 1, or 0 when there is
# none. A minimization step (-exact_artifact_path) first writes the first half
# of the input there.
out="" in=""
for a in "$@"; do
  case $a in
    -exact_artifact_path=*) out=${a#*=} ;;
    -*) ;;
    *) in=$a ;;
  esac
done
tools=$(dirname "$0")
echo "$@" >> "$tools/fuzzer-calls"
name=$(basename "$in" .min)
if [ -n "$out" ]; then
  n=$(($(wc -c < "$in") / 2)); [ "$n" -gt 0 ] || n=1
  head -c "$n" "$in" > "$out"
  [ -f "$tools/swap-min" ] && name=$(cat "$tools/swap-min")
fi
case $in in *.min) [ -f "$tools/swap-min" ] && name=$(cat "$tools/swap-min") ;; esac
log=$(dirname "$in")/../fuzz.log
awk -v name="$name" '{ buf = buf $0 "\\n" }
  /Test unit written to / {
    if ($NF ~ ("/" name "$")) { printf "%s", buf; found = 1; exit }
    buf = ""
  }
  END { exit found ? 1 : 0 }' "$log"
"""
FAKE_CLI = """#!/bin/sh
# Stands in for build/dev/tools/respfuzz: "decode HARNESS FILE" prints a line.
[ "$1" = decode ] || exit 2
echo "decoded $2: $(wc -c < "$3") bytes"
"""


def load_report_module(root):
    sys.path.insert(0, os.path.join(root, "tools", "campaign"))
    import progress  # noqa: E402
    import report  # noqa: E402
    report.progress = progress  # one handle for both, so the self-test can plant in either
    # The stand-in fuzzer's minimization is deterministic (a step halves the
    # input): a step that finds nothing would find nothing again.
    report.MINIMIZE_MISSES = 1
    return report


AFL_PLOT_HEADER = ("# relative_time, cycles_done, cur_item, corpus_count, pending_total, "
                   "pending_favs, map_size, saved_crashes, saved_hangs, max_depth, "
                   "execs_per_sec, total_execs, edges_found")
AFL_PLOT_ROW = "12, 0, 5, 40, 30, 2, 1.23%, 1, 0, 3, 4500.12, 54000, 321"
FORK_LINE = ("#123456: cov: 300 ft: 1000 corp: 80 exec/s 5000 oom/timeout/crash: 0/0/1 "
             "time: 10s job: 3 dft_time: 0")


def check_progress(progress, fixtures):
    """progress.py's parsers: every status line of the fixture log gives the
    fixture timeline's row; a fork-mode line and an AFL++ plot_data row parse."""
    problems = []
    run = os.path.join(fixtures, "flat", "resp_reader")
    parsed = [progress.parse_libfuzzer_line(line)
              for line in open(os.path.join(run, "fuzz.log")).read().splitlines()]
    parsed = [(p["execs"], p.get("cov"), p.get("ft"), p.get("corpus"), p.get("rss_mb"))
              for p in parsed if p]
    want = []
    for line in open(os.path.join(run, "timeline.tsv")).read().splitlines()[1:]:
        c = line.split("\t")
        if c[7] not in ("sample", "end"):
            want.append((int(c[1]), int(c[3]), int(c[4]), int(c[5]), int(c[6])))
    if parsed != want:
        problems.append(f"progress: log status lines parse to {parsed[:3]}..., timeline has "
                        f"{want[:3]}... ({len(parsed)} vs {len(want)} rows)")
    fork = progress.parse_libfuzzer_line(FORK_LINE) or {}
    if (fork.get("execs"), fork.get("cov"), fork.get("ft"), fork.get("corpus"),
            fork.get("exec_per_s"), fork.get("fork_crashes")) != (123456, 300, 1000, 80, 5000, 1):
        problems.append(f"progress: fork-mode line parsed as {fork}")
    afl = progress.parse_plot_data_line(AFL_PLOT_ROW, progress.plot_data_header(AFL_PLOT_HEADER))
    if not afl or (afl["execs"], afl["exec_per_s"], afl["corpus"], afl.get("cov"),
                   afl["afl_crashes"]) != (54000, 4500, 40, 321, 1):
        problems.append(f"progress: plot_data row parsed as {afl}")
    for line in ("INFO: Seed: 42", "#1024\tpulse  exec/s: 512 rss: 31Mb", "MS: 1 ChangeBit-"):
        if progress.parse_libfuzzer_line(line) is not None:
            problems.append(f"progress: {line!r} taken for a status line")
    return problems


def run_report(report, run_dir, *extra):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = report.main([run_dir, *extra])
    return rc, out.getvalue(), err.getvalue()


def prepare(fixtures, work):
    """Copies the fixtures to work/ and points their metas at stand-in tools."""
    shutil.copytree(fixtures, os.path.join(work, "fixtures"))
    tools = os.path.join(work, "tools")
    os.makedirs(tools)
    for name, text in (("fuzzer", FAKE_FUZZER), ("respfuzz", FAKE_CLI)):
        path = os.path.join(tools, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)
    for run in RUNS:
        run_dir = os.path.join(work, "fixtures", run)
        for h in json.load(open(os.path.join(run_dir, "run.json")))["harnesses"]:
            meta_path = os.path.join(run_dir, h, "meta.json")
            meta = json.load(open(meta_path))
            # The flat log's frames are under /src, as if the repository were there.
            meta.update(binary=os.path.join(tools, "fuzzer"), cli=os.path.join(tools, "respfuzz"),
                        root="/src" if run == "flat" else "/repo")
            json.dump(meta, open(meta_path, "w"))
    return os.path.join(work, "fixtures")


RUNS = ("flat", "growing", "checks")
STALE = ["crash-c34d66e56ae589dbae34bbd45165859928c96843",  # stale_get.txt, 23 bytes
         "crash-cb138b8887fecccd34eff021e8d91a2e80aea6e6"]  # stale_get_bcast.txt, 26 bytes
OWN_WRITE = "crash-81db4a09ffe6f92f3f8bf4c9b6de8738f17ed454"  # own_write_mset.txt
EXPIRE = "crash-adb2d2ef27afb3e334fc92f0076a8bb2386a72e5"  # expire_reply.txt


def names(files):
    return [os.path.basename(f) for f in files]


def check_checks_run(report, checks, expect):
    """The real check-failure logs: one group per distinct failure."""
    doc = json.load(open(os.path.join(checks, "report.json")))
    by = {r["harness"]: r for r in doc["harnesses"]}
    inv = {c["kind"]: c for c in by["invalidation"]["crashes"]}
    expect(sorted(inv) == ["check failed: [reference] MSET",
                           "check failed: [staleness] read GET"],
           f"checks/invalidation: groups {sorted(inv)}, expected [reference] MSET and "
           "[staleness] read GET")
    stale = inv.get("check failed: [staleness] read GET")
    if stale:
        expect(stale["count"] == 2 and names(stale["files"]) == STALE,
               f"checks/invalidation: staleness group {stale['count']}x {names(stale['files'])}, "
               f"expected {STALE} (smallest first)")
        expect(stale["check"] == {"harness": "invalidation", "check": "staleness",
                                  "op": "read GET", "step": 7},
               f"checks/invalidation: staleness fields {stale['check']}")
        expect(stale["top_frames"] == [], f"checks/invalidation: a check failure's frames "
               f"{stale['top_frames']}: the harness's own frames are not the code under test")
        expect(stale["rule_id"] == "invalidation/staleness" and
               stale["slug"] == "staleness-read-get",
               f"checks/invalidation: rule {stale['rule_id']}, slug {stale['slug']}")
        expect(stale["detail"][:2] == ["violation [staleness] at step 7: c1 read GET k1",
                                       "c1 served a stale value from its cache for GET k1 (db 0)"],
               f"checks/invalidation: staleness verdict {stale['detail'][:2]}")
        expect(stale["minimized"] and stale["reproducer"].endswith(STALE[0] + ".min") and
               stale["reproducer_size"] == 1,
               f"checks/invalidation: staleness reproducer {stale['reproducer']} "
               f"({stale['reproducer_size']} bytes), expected 23 bytes halved to 1")
        expect(" freeze invalidation " in (stale["freeze_command"] or "") and
               stale["frozen_input"] == "tests/regressions/invalidation/staleness-read-get.txt",
               f"checks/invalidation: freeze {stale['freeze_command']} -> {stale['frozen_input']}")
    own = inv.get("check failed: [reference] MSET")
    if own:
        expect(own["count"] == 1 and names(own["files"]) == [OWN_WRITE],
               f"checks/invalidation: reference group {own['count']}x {names(own['files'])}")
    ch = by["command_handler"]["crashes"]
    expect(len(ch) == 1 and ch[0]["kind"] == "check failed: [reference] EXPIRE" and
           names(ch[0]["files"]) == [EXPIRE],
           f"checks/command_handler: {[(c['kind'], names(c['files'])) for c in ch]}, expected "
           "[reference] EXPIRE")
    md = open(os.path.join(checks, "report.md")).read()
    expect("### Crash 2: [staleness] read GET (2x)" in md and
           "The check `staleness` failed at op `read GET`:" in md,
           "checks: report.md lacks the staleness group's title or its check")

    # SARIF (written by the report's run): a result per group, a rule per
    # harness and check.
    log = json.load(open(os.path.join(checks, "out.sarif")))
    run = log["runs"][0]
    expect(log["version"] == "2.1.0" and "sarif-schema-2.1.0.json" in log["$schema"],
           f"sarif: version {log['version']}, $schema {log['$schema']}")
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    expect(rules == ["command_handler/reference", "invalidation/reference",
                     "invalidation/staleness"], f"sarif: rules {rules}")
    results = {r["ruleId"]: r for r in run["results"]}
    expect(len(run["results"]) == 3, f"sarif: {len(run['results'])} results, expected 3")
    st = results.get("invalidation/staleness")
    if st:
        text = st["message"]["text"]
        expect(text.startswith("[staleness] read GET in harness invalidation (2 crashes)") and
               "c1 served a stale value" in text and
               f"Reproduce: {stale and stale['replay_command']}" in text,
               f"sarif: staleness message {text!r}")
        expect(rules[st["ruleIndex"]] == "invalidation/staleness" and st["occurrenceCount"] == 2,
               f"sarif: staleness ruleIndex {st['ruleIndex']}, count {st['occurrenceCount']}")
        loc = st["locations"][0]["physicalLocation"]["artifactLocation"]
        expect(loc == {"uri": "tests/regressions/invalidation/staleness-read-get.txt",
                       "uriBaseId": "SRCROOT"}, f"sarif: staleness location {loc}")
        expect(st["properties"].get("op") == "read GET" and
               (st["properties"].get("reproducer") or "").endswith(".min"),
               f"sarif: staleness properties {st['properties']}")
    expect(run.get("originalUriBaseIds") == {"SRCROOT": {"uri": "file:///repo/"}},
           f"sarif: base {run.get('originalUriBaseIds')}")

    # A bad --sarif path: exit 2, one line, nothing written.
    before = sorted(os.listdir(checks))
    rc, _, err = run_report(report, checks, "--sarif", os.path.join(checks, "no", "such.sarif"))
    expect(rc == 2 and err.count("\n") == 1 and sorted(os.listdir(checks)) == before,
           f"--sarif into a missing directory: exit {rc}, stderr {err!r}")
    rc, _, err = run_report(report, checks, "--sarif", checks)
    expect(rc == 2 and sorted(os.listdir(checks)) == before,
           f"--sarif naming a directory: exit {rc}, stderr {err!r}")
    # A SARIF file that cannot be written: exit 1, no report file replaced.
    old_json = open(os.path.join(checks, "report.json")).read()
    os.mkdir(os.path.join(checks, "blocked.sarif.tmp"))
    rc, _, err = run_report(report, checks, "--no-minimize", "--sarif",
                            os.path.join(checks, "blocked.sarif"))
    os.rmdir(os.path.join(checks, "blocked.sarif.tmp"))
    expect(rc == 1 and "cannot write" in err and sorted(os.listdir(checks)) == before and
           open(os.path.join(checks, "report.json")).read() == old_json,
           f"--sarif that cannot be written: exit {rc}, stderr {err!r}, files "
           f"{sorted(set(os.listdir(checks)) ^ set(before))} changed")


def check(report, fixtures):
    """Every problem found, one line each; [] when the report is right."""
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    flat, growing = os.path.join(fixtures, "flat"), os.path.join(fixtures, "growing")
    checks = os.path.join(fixtures, "checks")
    problems += check_progress(report.progress, fixtures)
    for run in (flat, growing, checks):
        rc, _, err = run_report(report, run, "--sarif", os.path.join(run, "out.sarif"))
        if rc != 0:
            return [f"report.py {run} exited {rc}: {err.strip()}"]
    doc = json.load(open(os.path.join(flat, "report.json")))
    r = doc["harnesses"][0]
    expect(r["harness"] == "resp_reader", f"flat: harness {r['harness']}")
    expect(r["executions"] == 400000, f"flat: executions {r['executions']}, expected 400000")
    expect(r["exec_per_s_slices"] == [1000.0] * 10 + [3000.0] * 10,
           f"flat: exec/s slices {r['exec_per_s_slices']}, expected 10 x 1000 then 10 x 3000")
    expect(r["exec_per_s_cv"] == 0.5, f"flat: exec/s CV {r['exec_per_s_cv']}, expected 0.5")
    expect(r["coverage"] == {"edges": 500, "features": 1500},
           f"flat: coverage {r['coverage']}, expected 500 edges, 1500 features")
    expect(r["corpus"] == 80, f"flat: corpus {r['corpus']}, expected 80")
    expect(r["over_time"][9]["cov"] == 400 and r["over_time"][19]["corpus"] == 80,
           f"flat: coverage over time wrong: {r['over_time'][9]}, {r['over_time'][19]}")
    expect(r["rss"]["peak_mb"] == 110, f"flat: peak RSS {r['rss']['peak_mb']}, expected 110")
    expect(r["rss"]["warmup_s"] == 30, f"flat: warm-up {r['rss']['warmup_s']}, expected 30 s")
    expect(r["rss"]["growth_pct"] is not None and r["rss"]["growth_pct"] < 50,
           f"flat: RSS growth {r['rss']['growth_pct']}, expected below 50%")
    expect(not r["warnings"], f"flat: unexpected warnings {r['warnings']}")

    # Crashes: the two overflows in the same code merge, the SEGV stays apart.
    groups = {c["kind"]: c for c in r["crashes"]}
    expect(r["unique_crashes"] == 2 and len(r["crashes"]) == 2,
           f"flat: {len(r['crashes'])} unique crashes ({sorted(groups)}), expected 2")
    overflow = groups.get("AddressSanitizer: heap-buffer-overflow")
    segv = groups.get("AddressSanitizer: SEGV")
    if overflow is None or segv is None:
        problems.append(f"flat: crash kinds {sorted(groups)}")
    else:
        expect(overflow["count"] == 2 and names(overflow["files"]) == ["crash-bbb", "crash-aaa"],
               f"flat: overflow group {overflow['count']}x {overflow['files']}, expected "
               "crash-bbb and crash-aaa merged (smallest first)")
        expect(overflow["top_frames"] == [
            "respfuzz::resp::Reader::ParseLength(std::string_view)",
            "respfuzz::resp::Reader::Feed(std::string_view)"],
            f"flat: overflow top frames {overflow['top_frames']} (the harness's frames are not "
            "the code under test)")
        expect(overflow["frame_sources"][0] == ["/src/src/resp/reader.cc", 212],
               f"flat: overflow frame source {overflow['frame_sources']}")
        expect(segv["count"] == 1 and segv["top_frames"][0] ==
               "respfuzz::resp::Reader::Grow(unsigned long)",
               f"flat: SEGV group {segv['count']}x {segv['top_frames']}")
        # Minimized (stand-in: each step halves the input), decoded, with its commands.
        repro = overflow["reproducer"] or ""
        expect(overflow["minimized"] and repro.endswith("crash-bbb.min") and
               overflow["reproducer_size"] == 1,
               f"flat: reproducer {repro} ({overflow['reproducer_size']} bytes), expected "
               "crash-bbb.min of 1 byte (4 halved twice)")
        expect((overflow["decoded"] or "").startswith("decoded resp_reader: 1 bytes"),
               f"flat: decoded {overflow['decoded']!r}")
        expect(os.path.exists(repro + ".txt"), f"flat: no decoded file {repro}.txt")
        expect(overflow["replay_command"] is not None and
               overflow["replay_command"].endswith("/fuzzer " + repro),
               f"flat: replay command {overflow['replay_command']}")
        expect("/src/tests/regressions/resp_reader/" in (overflow["freeze_command"] or ""),
               f"flat: freeze command {overflow['freeze_command']}")
        expect(overflow["rule_id"] == "resp_reader/AddressSanitizer-heap-buffer-overflow",
               f"flat: overflow rule {overflow['rule_id']}")
    res = json.load(open(os.path.join(flat, "out.sarif")))["runs"][0]["results"]
    related = {x["ruleId"]: x.get("relatedLocations", []) for x in res}
    top = related.get("resp_reader/AddressSanitizer-heap-buffer-overflow") or [{}]
    expect(len(res) == 2 and top[0].get("physicalLocation") == {
        "artifactLocation": {"uri": "src/resp/reader.cc", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 212}}, f"flat: sarif related locations {related}")
    md = open(os.path.join(flat, "report.md")).read()
    expect("| resp_reader | 200s | 400000 |" in md, "flat: report.md lacks the summary row")
    expect("![resp_reader](resp_reader/plot.svg)" in md, "flat: report.md lacks the plot")

    # The plot: well-formed SVG, five panels with a line each.
    for run, h in ((flat, "resp_reader"), (growing, "command_handler")):
        svg = os.path.join(run, h, "plot.svg")
        try:
            tree = ET.parse(svg).getroot()
            lines = tree.findall("{http://www.w3.org/2000/svg}polyline")
            expect(tree.tag == "{http://www.w3.org/2000/svg}svg" and len(lines) == 5,
                   f"{h}: plot.svg has {len(lines)} lines, expected 5")
        except (ET.ParseError, OSError) as e:
            problems.append(f"{h}: plot.svg is not well-formed XML: {e}")

    g = json.load(open(os.path.join(growing, "report.json")))["harnesses"][0]
    expect(g["rss"]["growth_pct"] == 100.0,
           f"growing: RSS growth {g['rss']['growth_pct']}, expected 100%")
    expect(len(g["warnings"]) == 1 and "RSS grew" in g["warnings"][0],
           f"growing: warnings {g['warnings']}, expected the RSS warning")
    expect(json.load(open(os.path.join(growing, "report.json")))["totals"]["warnings"] == 1,
           "growing: totals.warnings is not 1")
    expect(g["crashes"] == [], f"growing: {len(g['crashes'])} crashes, expected none")
    expect("RSS grew" in open(os.path.join(growing, "report.md")).read(),
           "growing: report.md lacks the RSS warning")

    check_checks_run(report, checks, expect)

    # Fork mode: the log holds a bare ERROR line per crash of a job, and the
    # artifacts are in crashes/; the lines are not counted again. Without the
    # artifacts each line is a crash of its own.
    fork = os.path.join(fixtures, "fork")
    shutil.copytree(checks, fork)
    with open(os.path.join(fork, "command_handler", "fuzz.log"), "a") as f:
        f.write("==4242== ERROR: libFuzzer: deadly signal\n" + FORK_LINE + "\n"
                "==4243== ERROR: libFuzzer: deadly signal\n")
    for with_files in (True, False):
        if not with_files:
            shutil.rmtree(os.path.join(fork, "command_handler", "crashes"))
        rc, _, err = run_report(report, fork, "--no-minimize")
        got = [] if rc else [(c["kind"], c["count"]) for h in json.load(open(os.path.join(
            fork, "report.json")))["harnesses"] if h["harness"] == "command_handler"
            for c in h["crashes"]]
        want = [("check failed: [reference] EXPIRE", 1)] + (
            [] if with_files else [("libFuzzer: deadly signal", 2)])
        expect(sorted(got) == sorted(want), f"fork-mode log {'with' if with_files else 'without'} "
               f"its artifacts: groups {got}, expected {want} ({err.strip()})")

    # A smaller input that fails another way is not the group's reproducer:
    # the stand-in's minimization steps report the reference violation.
    swap = os.path.join(os.path.dirname(fixtures), "tools", "swap-min")
    with open(swap, "w") as f:
        f.write(OWN_WRITE + "\n")
    rc, _, err = run_report(report, checks)
    os.remove(swap)
    stale = [c for h in json.load(open(os.path.join(checks, "report.json")))["harnesses"]
             for c in h["crashes"] if c["kind"] == "check failed: [staleness] read GET"]
    if rc != 0 or len(stale) != 1:
        problems.append(f"swapped minimization: exit {rc}, {err.strip()}, groups {stale}")
    else:
        st = stale[0]
        expect(not st["minimized"] and names([st["reproducer"]]) == STALE[:1] and
               any("fails this way" in n for n in st["notes"]) and
               not os.path.exists(st["reproducer"] + ".min"),
               f"swapped minimization: reproducer {st['reproducer']}, minimized "
               f"{st['minimized']}, notes {st['notes']}")

    # Bad input: exit 2, one line, nothing written.
    with tempfile.TemporaryDirectory() as bad:
        rc, _, err = run_report(report, bad)
        expect(rc == 2 and err.count("\n") == 1, f"empty dir: exit {rc}, stderr {err!r}")
        shutil.copytree(flat, os.path.join(bad, "run"))
        os.remove(os.path.join(bad, "run", "report.json"))
        with open(os.path.join(bad, "run", "resp_reader", "timeline.tsv"), "a") as f:
            f.write("201\tnot-a-number\t0\t0\t0\t0\t0\tNEW\n")
        rc, _, err = run_report(report, os.path.join(bad, "run"))
        expect(rc == 2 and "not a number" in err and
               not os.path.exists(os.path.join(bad, "run", "report.json")),
               f"bad timeline: exit {rc}, stderr {err!r}")
    return problems


def self_test(root, report):
    """Each plant must be caught; the clean fixtures must pass."""

    def rewrite(path, fn):
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(fn(text))

    def timeline_rss(path, fn):
        lines = open(path).read().splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            c = line.split("\t")
            c[6] = str(fn(float(c[0])))
            out.append("\t".join(c))
        open(path, "w").write("\n".join(out) + "\n")

    flat_tl = os.path.join("flat", "resp_reader", "timeline.tsv")
    grow_tl = os.path.join("growing", "command_handler", "timeline.tsv")
    flat_log = os.path.join("flat", "resp_reader", "fuzz.log")
    checks_log = os.path.join("checks", "invalidation", "fuzz.log")
    plants = {
        "flat run with growing RSS": lambda d: timeline_rss(
            os.path.join(d, flat_tl), lambda t: int(100 + t)),
        "growing run with flat RSS": lambda d: timeline_rss(
            os.path.join(d, grow_tl), lambda t: 100),
        "second overflow in other code": lambda d: rewrite(
            os.path.join(d, flat_log), lambda s: s.replace(
                "ParseLength(std::string_view) /src/src/resp/reader.cc:210",
                "ParseOther(std::string_view) /src/src/resp/reader.cc:210")),
        "SEGV given the overflow's kind and frames": lambda d: rewrite(
            os.path.join(d, flat_log), lambda s: s.replace(
                "SEGV on unknown address", "heap-buffer-overflow on address").replace(
                "Reader::Grow(unsigned long) /src/src/resp/reader.cc:64",
                "Reader::ParseLength(std::string_view) /src/src/resp/reader.cc:64")),
        "a staleness violation at another op": lambda d: rewrite(
            os.path.join(d, checks_log), lambda s: s.replace(
                'op="read GET" step=9', 'op="read HGET" step=9')),
        "faster second half": lambda d: rewrite(
            os.path.join(d, flat_tl), lambda s: s.replace("130000\t", "160000\t", 1)),
    }
    code_plants = {
        "CV as mean / stdev": ("coefficient_of_variation",
                               lambda orig: lambda v: orig(v) and round(1 / orig(v), 4)),
        "plot writer forgets to close the svg": (
            "write_svg", lambda orig: lambda path, *a: (
                orig(path, *a), rewrite(path, lambda s: s.replace("</svg>", "")))),
        "frame parser keeps file:line": ("clean_frame", lambda orig: lambda f: f.strip()),
        "check-line parser drops the op": ("parse_check_line", lambda orig: lambda line: (
            lambda f: f and {k: v for k, v in f.items() if k != "op"})(orig(line))),
        "check-line parser drops the check": ("parse_check_line", lambda orig: lambda line: (
            lambda f: f and {**f, "check": "?"})(orig(line))),
        "grouping keeps the harness's frames": ("top_frames", lambda orig: lambda stack, c: (
            list(range(len(stack)))[:3])),
        "minimization keeps a step that fails another way": (
            "same_group", lambda orig: lambda out, key: (
                (report.parse_crashes(out) or [None])[0])),
        "SARIF log loses a result": ("sarif_log", lambda orig: lambda *a: (
            lambda d: d["runs"][0].update(results=d["runs"][0]["results"][:-1]) or d)(
                orig(*a))),
    }
    progress_plants = {
        "progress reads ft as corpus": ("parse_libfuzzer_line", lambda orig: lambda line: (
            lambda r: r and {**r, "corpus": r.get("ft")})(orig(line))),
        "progress reads AFL's total_execs as exec/s": ("parse_plot_data_line", lambda orig: (
            lambda line, header: (lambda r: r and {**r, "exec_per_s": r["execs"]})(
                orig(line, header)))),
    }
    failures = []
    with tempfile.TemporaryDirectory() as work:
        clean = check(report, prepare(os.path.join(root, "tests", "campaign", "fixtures"),
                                      os.path.join(work, "clean")))
        if clean:
            failures.append("clean fixtures fail: " + "; ".join(clean))
        for name, plant in plants.items():
            fx = prepare(os.path.join(root, "tests", "campaign", "fixtures"),
                         os.path.join(work, name.replace(" ", "_")))
            plant(fx)
            if not check(report, fx):
                failures.append(f"plant not caught: {name}")
            else:
                print(f"ok: caught {name}")
        for name, (attr, wrap) in code_plants.items():
            fx = prepare(os.path.join(root, "tests", "campaign", "fixtures"),
                         os.path.join(work, re.sub(r"\W+", "_", name)))
            orig = getattr(report, attr)
            setattr(report, attr, wrap(orig))
            try:
                caught = check(report, fx)
            finally:
                setattr(report, attr, orig)
            if not caught:
                failures.append(f"plant not caught: {name}")
            else:
                print(f"ok: caught {name}")
        for name, (attr, wrap) in progress_plants.items():
            fx = prepare(os.path.join(root, "tests", "campaign", "fixtures"),
                         os.path.join(work, re.sub(r"\W+", "_", name)))
            orig = getattr(report.progress, attr)
            setattr(report.progress, attr, wrap(orig))
            try:
                caught = check(report, fx)
            finally:
                setattr(report.progress, attr, orig)
            if not caught:
                failures.append(f"plant not caught: {name}")
            else:
                print(f"ok: caught {name}")
    return failures


def sarif_schema_check(root, report):
    """The SARIF logs of the fixtures against the SARIF 2.1.0 schema, and three
    broken logs the schema must refuse."""
    import jsonschema  # python3-jsonschema (scripts/setup)
    p = subprocess.run([os.path.join(root, "tests", "campaign", "sarif_schema.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return [f"no schema to validate against: {p.stderr.strip()}"]
    schema = json.load(open(p.stdout.strip()))
    print(f"schema: {schema.get('title', p.stdout.strip())}")
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    failures = []
    with tempfile.TemporaryDirectory() as work:
        fixtures = prepare(os.path.join(root, "tests", "campaign", "fixtures"), work)
        for run in RUNS:
            out = os.path.join(work, f"{run}.sarif")
            rc, _, err = run_report(report, os.path.join(fixtures, run), "--sarif", out)
            if rc != 0:
                failures.append(f"{run}: report exited {rc}: {err.strip()}")
                continue
            log = json.load(open(out))
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(log)]
            failures += [f"{run}.sarif: {e}" for e in errors[:10]]
            results = len(log["runs"][0]["results"])
            print(f"ok: {run}.sarif ({results} results) is valid SARIF 2.1.0" if not errors
                  else f"FAIL: {run}.sarif: {len(errors)} schema errors")
            if run != "checks":
                continue
            broken = {
                "a result without a message": lambda d: d["runs"][0]["results"][0].pop("message"),
                "a level SARIF does not have": lambda d: d["runs"][0]["results"][0].update(
                    level="fatal"),
                "a rule index that is a string": lambda d: d["runs"][0]["results"][0].update(
                    ruleIndex="0"),
            }
            for name, breaks in broken.items():
                bad = json.loads(json.dumps(log))
                breaks(bad)
                if validator.is_valid(bad):
                    failures.append(f"the schema accepts {name}")
                else:
                    print(f"ok: the schema refuses {name}")
    return failures


def main(argv):
    modes = [a for a in argv if a in ("--self-test", "--sarif-schema")]
    args = [a for a in argv if a not in modes]
    if len(args) != 1 or len(modes) > 1 or not os.path.isdir(args[0]):
        print("usage: tests/campaign_report_test.py [--self-test | --sarif-schema] ROOT",
              file=sys.stderr)
        return 2
    root = os.path.abspath(args[0])
    report = load_report_module(root)
    if "--sarif-schema" in modes:
        failures = sarif_schema_check(root, report)
    elif "--self-test" in modes:
        failures = self_test(root, report)
    else:
        with tempfile.TemporaryDirectory() as work:
            failures = check(report, prepare(
                os.path.join(root, "tests", "campaign", "fixtures"), work))
    for f in failures:
        print(f"FAIL: {f}")
    if not failures:
        print("self-test: every plant caught" if "--self-test" in argv else
              "SARIF schema: every log valid" if "--sarif-schema" in argv else
              "campaign report: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
