#!/usr/bin/python3
"""Checks tools/campaign/report.py (and progress.py's parsers) against the fixed
runs in tests/campaign/fixtures/.

Usage: tests/campaign_report_test.py [--self-test] ROOT

The fixtures are two finished 200-second runs (run.json, meta.json, the raw
libFuzzer log, the timeline, crash files):
  - flat/resp_reader: 1000 exec/s for 100 s, then 3000 exec/s; RSS 100 -> 110
    MB; two FUZZ_CHECK crashes with the same top frames (different addresses,
    lines and deeper frames) and one heap-buffer-overflow;
  - growing/command_handler (structured): RSS 100 -> 200 MB after the 30 s
    warm-up; one crash.
Checked: executions, exec/s slices (10 x 1000 then 10 x 3000) and their CV
(0.5), final edges/features/corpus, peak RSS, the RSS warning on the growing
run and not on the flat one, crash deduplication (the two FUZZ_CHECKs merged,
the overflow apart), minimization, decoding and the replay and freeze
commands (through stand-in fuzzer and CLI scripts), the plot is well-formed
SVG with its five panels, and bad run directories exit 2 with nothing written.

--self-test plants a broken piece each time (a fixture with growing RSS where
it should be flat and the reverse, a crash moved to other frames, a third
crash given the same frames, a changed execution rate, a CV function, a plot
writer and a frame parser that are wrong) and fails unless every plant is
caught and the clean run passes.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FAKE_FUZZER = """#!/bin/sh
# Stands in for a libFuzzer binary: -minimize_crash=1 writes the first half of
# the input to -exact_artifact_path; anything else replays (exit 0).
out="" in=""
for a in "$@"; do
  case $a in
    -exact_artifact_path=*) out=${a#*=} ;;
    -*) ;;
    *) in=$a ;;
  esac
done
echo "$@" >> "$(dirname "$0")/fuzzer-calls"
if [ -n "$out" ]; then
  n=$(($(wc -c < "$in") / 2)); [ "$n" -gt 0 ] || n=1
  head -c "$n" "$in" > "$out"
fi
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
    for run in ("flat", "growing"):
        run_dir = os.path.join(work, "fixtures", run)
        for h in json.load(open(os.path.join(run_dir, "run.json")))["harnesses"]:
            meta_path = os.path.join(run_dir, h, "meta.json")
            meta = json.load(open(meta_path))
            meta.update(binary=os.path.join(tools, "fuzzer"), cli=os.path.join(tools, "respfuzz"),
                        root="/repo")
            json.dump(meta, open(meta_path, "w"))
    return os.path.join(work, "fixtures")


def check(report, fixtures):
    """Every problem found, one line each; [] when the report is right."""
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    flat, growing = os.path.join(fixtures, "flat"), os.path.join(fixtures, "growing")
    problems += check_progress(report.progress, fixtures)
    for run in (flat, growing):
        rc, _, err = run_report(report, run)
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

    # Crashes: the two FUZZ_CHECKs merge, the overflow stays apart.
    groups = {c["kind"]: c for c in r["crashes"]}
    expect(r["unique_crashes"] == 2 and len(r["crashes"]) == 2,
           f"flat: {len(r['crashes'])} unique crashes ({sorted(groups)}), expected 2")
    check_group = groups.get("FUZZ_CHECK failed: chunked.values == whole.values")
    overflow = groups.get("AddressSanitizer: heap-buffer-overflow")
    if check_group is None or overflow is None:
        problems.append(f"flat: crash kinds {sorted(groups)}")
    else:
        expect(check_group["count"] == 2 and
               [os.path.basename(f) for f in check_group["files"]] == ["crash-bbb", "crash-aaa"],
               f"flat: FUZZ_CHECK group {check_group['count']}x {check_group['files']}, expected "
               "crash-bbb and crash-aaa merged (smallest first)")
        expect(check_group["top_frames"] == [
            "respfuzz::harness::CheckChunking(respfuzz::resp::Limits const&, std::string_view)",
            "respfuzz::harness::RunReader(std::string_view)", "LLVMFuzzerTestOneInput"],
            f"flat: FUZZ_CHECK top frames {check_group['top_frames']}")
        expect(overflow["count"] == 1 and overflow["top_frames"][0] ==
               "respfuzz::resp::Reader::ParseLength(std::string_view)",
               f"flat: overflow group {overflow['count']}x {overflow['top_frames']}")
        # Minimized (stand-in: half the bytes), decoded, with its commands.
        repro = check_group["reproducer"] or ""
        expect(check_group["minimized"] and repro.endswith("crash-bbb.min") and
               check_group["reproducer_size"] == 2,
               f"flat: reproducer {repro} ({check_group['reproducer_size']} bytes), expected "
               "crash-bbb.min of 2 bytes")
        expect((check_group["decoded"] or "").startswith("decoded resp_reader: 2 bytes"),
               f"flat: decoded {check_group['decoded']!r}")
        expect(os.path.exists(repro + ".txt"), f"flat: no decoded file {repro}.txt")
        expect(check_group["replay_command"] is not None and
               check_group["replay_command"].endswith("/fuzzer " + repro),
               f"flat: replay command {check_group['replay_command']}")
        expect("/repo/tests/regressions/resp_reader/" in (check_group["freeze_command"] or ""),
               f"flat: freeze command {check_group['freeze_command']}")
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
    if len(g["crashes"]) == 1:
        expect(" freeze command_handler " in (g["crashes"][0]["freeze_command"] or ""),
               f"growing: freeze command {g['crashes'][0]['freeze_command']}")
    else:
        problems.append(f"growing: {len(g['crashes'])} crashes, expected 1")
    expect("RSS grew" in open(os.path.join(growing, "report.md")).read(),
           "growing: report.md lacks the RSS warning")

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
    plants = {
        "flat run with growing RSS": lambda d: timeline_rss(
            os.path.join(d, flat_tl), lambda t: int(100 + t)),
        "growing run with flat RSS": lambda d: timeline_rss(
            os.path.join(d, grow_tl), lambda t: 100),
        "second FUZZ_CHECK on other frames": lambda d: rewrite(
            os.path.join(d, flat_log), lambda s: s.replace(
                "in respfuzz::harness::RunReader(std::string_view) "
                "/src/harnesses/resp_reader/checks.cc:164",
                "in respfuzz::harness::RunOther(std::string_view) "
                "/src/harnesses/resp_reader/checks.cc:164")),
        "overflow given the FUZZ_CHECK frames": lambda d: rewrite(
            os.path.join(d, flat_log), lambda s: s.replace(
                "ERROR: AddressSanitizer: heap-buffer-overflow",
                "ERROR: AddressSanitizer: heap-buffer-overflowX").replace(
                "respfuzz::resp::Reader::ParseLength", "respfuzz::resp::Reader::Other")),
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
                         os.path.join(work, attr))
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
                         os.path.join(work, attr))
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


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    if len(args) != 1 or not os.path.isdir(args[0]):
        print("usage: tests/campaign_report_test.py [--self-test] ROOT", file=sys.stderr)
        return 2
    root = os.path.abspath(args[0])
    report = load_report_module(root)
    if "--self-test" in argv:
        failures = self_test(root, report)
    else:
        with tempfile.TemporaryDirectory() as work:
            failures = check(report, prepare(
                os.path.join(root, "tests", "campaign", "fixtures"), work))
    for f in failures:
        print(f"FAIL: {f}")
    if not failures:
        print("self-test: every plant caught" if "--self-test" in argv
              else "campaign report: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
