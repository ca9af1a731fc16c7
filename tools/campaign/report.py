#!/usr/bin/env python3
"""report.py: the report of a finished fuzzing campaign, as JSON and Markdown.

usage: report.py RUN_DIR [--warmup-min SECONDS] [--no-minimize] [--slices N] [--sarif FILE]

RUN_DIR is what `scripts/fuzz ... --report RUN_DIR` writes (docs/campaigns.md):

  RUN_DIR/run.json                 engine, budget, commit, command, harnesses
  RUN_DIR/HARNESS/meta.json        harness, engine, elapsed_s, exit_code,
                                   structured, binary, cli, root, options
  RUN_DIR/HARNESS/fuzz.log         the fuzzer's raw output
  RUN_DIR/HARNESS/timeline.tsv     tools/campaign/progress.py's timeline
  RUN_DIR/HARNESS/crashes/         the crash artifacts of the run

and it writes RUN_DIR/report.json, RUN_DIR/report.md and RUN_DIR/HARNESS/plot.svg.
Per harness: executions; exec/s over time in N slices and their coefficient of
variation; coverage (edges, features) and corpus size over time; peak RSS and
RSS growth after warm-up (warm-up = max(10% of the run, --warmup-min); above
50% growth is a warning); crashes grouped, one group per distinct failure (a
check failure by harness, check and the kind of op it failed at, as its
"==respfuzz== check failed:" line says; a sanitizer report by its kind; each
with the top 3 stack frames of the code under test), each group's smallest
input minimized (libFuzzer's minimization steps, each kept only when its input
still fails the same way), decoded (respfuzz decode) and given the commands that replay and
freeze it. --sarif FILE also writes the groups as SARIF 2.1.0 results.

Exit status: 0 report written; 1 a file could not be written; 2 bad usage or an
unreadable run directory. Nothing is written on an error. Only the Python 3
standard library is used.
"""

import argparse
import hashlib
import json
import math
import os
import pathlib
import re
import shlex
import statistics
import subprocess
import sys
import time
from xml.sax.saxutils import escape

RSS_GROWTH_WARN_PCT = 50.0
DEFAULT_WARMUP_MIN_S = 30.0
DEFAULT_SLICES = 20
TOP_FRAMES = 3
MINIMIZE_RUNS = 10000  # per minimization step
MINIMIZE_MISSES = 3  # steps in a row without a smaller input of the group
MINIMIZE_MAX_S = 60  # per group
DECODED_MAX_LINES = 60
MAX_PLOT_POINTS = 600  # the plot is 550 px wide

# ---------------------------------------------------------------- timeline


class UsageError(Exception):
    pass


def read_timeline(path):
    """Rows of timeline.tsv as dicts; empty cells are None."""
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        need = {"time", "execs", "exec_per_s", "cov", "ft", "corpus", "rss_mb"}
        if not need.issubset(header):
            raise UsageError(f"{path}: not a timeline (header lacks {sorted(need - set(header))})")
        for n, line in enumerate(f, start=2):
            line = line.rstrip("\n")
            if not line:
                continue
            cells = line.split("\t")
            if len(cells) != len(header):
                raise UsageError(f"{path}:{n}: {len(cells)} columns, expected {len(header)}")
            row = {}
            for key, cell in zip(header, cells):
                if key == "event":
                    row[key] = cell
                elif cell == "":
                    row[key] = None
                else:
                    try:
                        row[key] = float(cell) if key == "time" else int(cell)
                    except ValueError:
                        raise UsageError(f"{path}:{n}: {key} is not a number: {cell!r}")
            rows.append(row)
    if not rows:
        raise UsageError(f"{path}: no rows")
    return rows


def interpolate(points, t):
    """Linear interpolation over sorted (time, value) points; held flat outside."""
    if not points:
        return None
    if t <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in zip(points, points[1:]):
        if t0 <= t <= t1:
            if t1 == t0:
                return v1
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return points[-1][1]


def last_at(rows, key, t):
    """The last value of key in rows with time <= t."""
    v = None
    for r in rows:
        if r["time"] > t:
            break
        if r.get(key) is not None:
            v = r[key]
    return v


def exec_slices(rows, duration, slices, final_execs):
    """exec/s in each of `slices` equal slices of [0, duration], from the execs
    the fuzzer reported (linear between its lines, 0 at the start)."""
    points = [(0.0, 0)]
    for r in rows:
        if r.get("event") in ("sample", "end") or r.get("execs") is None:
            continue
        if r["time"] >= points[-1][0] and r["execs"] >= points[-1][1]:
            points.append((r["time"], r["execs"]))
    if final_execs is not None and final_execs > points[-1][1]:
        points.append((max(duration, points[-1][0]), final_execs))
    width = duration / slices
    out = []
    for i in range(slices):
        a, b = interpolate(points, i * width), interpolate(points, (i + 1) * width)
        out.append(round((b - a) / width, 1))
    return out


def coefficient_of_variation(values):
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    if mean <= 0:
        return None
    return round(statistics.pstdev(values) / mean, 4)


def rss_growth(rows, duration, warmup_min):
    """(warmup_s, rss_at_warmup, rss_end, growth_pct or None, note)."""
    warmup = max(0.1 * duration, warmup_min)
    rss = [(r["time"], r["rss_mb"]) for r in rows if r.get("rss_mb") is not None]
    if not rss:
        return warmup, None, None, None, "no RSS figures in the timeline"
    if duration <= warmup or not any(t >= warmup for t, _ in rss):
        return warmup, None, rss[-1][1], None, (
            f"run ({duration:.0f}s) not longer than the warm-up ({warmup:.0f}s): "
            "growth not measured")
    at_warm = next(v for t, v in rss if t >= warmup)
    end = rss[-1][1]
    if at_warm <= 0:
        return warmup, at_warm, end, None, "RSS at warm-up is 0: growth not measured"
    return warmup, at_warm, end, round(100.0 * (end - at_warm) / at_warm, 1), ""


# ---------------------------------------------------------------- crashes

ERROR_RE = re.compile(r"^==\d+==\s*ERROR: (\w+): (.*)$")
# A check failure (FUZZ_CHECK_VERDICT, harnesses/common/fuzz_check.h): its first
# line, its fields, and the lines that end its verdict and the whole report.
CHECK_RE = re.compile(r"^==respfuzz== check failed:(.*)$")
CHECK_FIELD_RE = re.compile(r' ([a-z]+)=("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.:/+-]+)')
CHECK_INPUT = "--- input ---"
CHECK_END = "==respfuzz== end of check failure"
UBSAN_RE = re.compile(r"^\S+:\d+:\d+: runtime error: ([^:]*)")
FRAME_RE = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ +(?:in )?(.*)$")
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")
DEDUP_FINAL_RE = re.compile(r"^(?:MS:|Base64:|artifact_prefix=)")
# Frames of the sanitizers, libFuzzer, libc's abort path and the check's own
# report say nothing about where a crash is.
SKIP_FRAME_RE = re.compile(
    r"^(__sanitizer|__asan|__ubsan|__lsan|__interceptor|__interception|fuzzer::|"
    r"abort$|raise$|gsignal$|__GI_|__pthread_kill|pthread_kill|__libc_|_start$|"
    r"respfuzz::fuzz::CheckFailed|operator new|operator delete|malloc$|free$|calloc$|"
    r"realloc$|__cxa_|std::terminate|__restore_rt|main$|\()")
# Frames of the harness itself (its entry point, its checks, the reference
# models): the code under test is what is left.
HARNESS_FRAME_RE = re.compile(r"^(LLVMFuzzerTestOneInput$|respfuzz::(harnesses|fuzz|models)::)")
MAX_STACK = 64
DETAIL_MAX = 12


def crash_kind(error_tool, message):
    if error_tool == "libFuzzer":
        return "libFuzzer: " + message.split(" in ")[0].split(" (")[0].strip()
    word = message.split()[0] if message.split() else message
    return f"{error_tool}: {word}"


def parse_check_line(line):
    """The fields of a check failure's first line (harness, check, and op and
    step when it has them) as a dict, or None when the line is not one."""
    m = CHECK_RE.match(line)
    if not m:
        return None
    rest, pos, fields = m.group(1).rstrip(), 0, {}
    for f in CHECK_FIELD_RE.finditer(rest):
        if f.start() != pos:
            return None
        value = f.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(x[0-9a-fA-F]{2}|.)",
                           lambda e: chr(int(e.group(1)[1:], 16)) if len(e.group(1)) == 3
                           else e.group(1), value[1:-1])
        fields[f.group(1)] = value
        pos = f.end()
    if pos != len(rest) or "harness" not in fields or "check" not in fields:
        return None
    if fields.get("step", "").isdigit():
        fields["step"] = int(fields["step"])
    return fields


def check_kind(fields):
    """A check failure's identity within its harness: "[check] op"."""
    return f"check failed: [{fields['check']}]" + (f" {fields['op']}" if fields.get("op") else "")


def clean_frame(func):
    """The function of a symbolized frame, without its module or file:line."""
    func = re.sub(r"\s+\(BuildId: [0-9a-f]+\)$", "", func.strip())
    func = re.sub(r"\s+\(\S+\+0x[0-9a-f]+\)$", "", func)
    func = re.sub(r"\s+\S+:\d+(?::\d+)?$", "", func)
    return func.strip()


def frame_source(text):
    """(file, line) of a symbolized frame, or None."""
    m = re.search(r"\s(\S+?):(\d+)(?::\d+)?$", text.strip())
    return (os.path.normpath(m.group(1)), int(m.group(2))) if m else None


def top_frames(stack, is_check):
    """The top frames of the code under test: harness frames dropped. A check
    failure has only those (its stack is the harness's entry point when
    FUZZ_CHECK_VERDICT aborts); a sanitizer report in the harness's own code
    keeps the harness frames rather than none."""
    code = [i for i, (func, _) in enumerate(stack) if not HARNESS_FRAME_RE.match(func)]
    if not code and not is_check:
        code = list(range(len(stack)))
    return code[:TOP_FRAMES]


def parse_crashes(log_text):
    """Crash sections of a libFuzzer log: kind, check fields, top frames (and
    their source lines), the verdict or report lines, and the artifact."""
    crashes = []
    cur = None

    def start(kind, check=None, detail=None):
        c = {"kind": kind, "check": check, "stack": [], "stack_done": False, "artifact": None,
             "detail": detail or [], "phase": None, "error": False}
        crashes.append(c)
        return c

    for line in log_text.splitlines():
        m = CHECK_RE.match(line)
        if m:
            fields = parse_check_line(line)
            cur = start(check_kind(fields) if fields else "check failed:" + m.group(1), fields)
            cur["phase"] = "verdict"
            continue
        if cur is not None and cur["phase"] and not (ERROR_RE.match(line) or
                                                       ARTIFACT_RE.search(line)):
            # The check's own report: its verdict, then the input (decoded elsewhere).
            if line == CHECK_END:
                cur["phase"] = None
            elif line == CHECK_INPUT:
                cur["phase"] = "input"
            elif cur["phase"] == "verdict" and len(cur["detail"]) < DETAIL_MAX:
                cur["detail"].append(line)
            continue
        if cur is not None:
            cur["phase"] = None
        m = UBSAN_RE.match(line)
        if m and (cur is None or cur["artifact"] is not None):
            cur = start("UBSan: " + m.group(1).strip(), detail=[line])
            continue
        m = ERROR_RE.match(line)
        if m:
            # A new crash, unless this is the report of the check failure just
            # printed (fork mode prints one bare ERROR line per crash of a job).
            if cur is None or cur["artifact"] is not None or cur["error"]:
                cur = start(crash_kind(m.group(1), m.group(2)))
            cur["error"] = True
            if cur["check"] is None:
                cur["detail"].append(line)
            continue
        if cur is None or cur["artifact"] is not None:
            continue
        m = FRAME_RE.match(line)
        if m:
            if not cur["stack_done"]:
                func = clean_frame(m.group(2))
                if func and not SKIP_FRAME_RE.match(func) and len(cur["stack"]) < MAX_STACK:
                    cur["stack"].append((func, frame_source(m.group(2))))
            continue
        if cur["stack"] and not line.strip():
            cur["stack_done"] = True  # the first stack only (not "allocated by")
        m = ARTIFACT_RE.search(line)
        if m:
            cur["artifact"] = os.path.basename(m.group(1))
        elif (cur["check"] is None and len(cur["detail"]) < DETAIL_MAX and line.strip() and
              not DEDUP_FINAL_RE.match(line)):
            cur["detail"].append(line)
    for c in crashes:
        keep = top_frames(c["stack"], c["check"] is not None)
        c["frames"] = [c["stack"][i][0] for i in keep]
        c["frame_sources"] = [c["stack"][i][1] for i in keep]
        for k in ("stack", "stack_done", "phase", "error"):
            del c[k]
    return crashes


def group_key(c):
    return c["kind"], tuple(c["frames"])


def slug_of(kind, frames, check=None):
    if check:
        base = check["check"] + ("-" + check["op"] if check.get("op") else "")
    else:
        base = (frames[0].split("(")[0].split("::")[-1] + "-" if frames else "") + kind
    s = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")
    if len(s) > 48:
        s = s[:48].rsplit("-", 1)[0]
    return s or "crash"


def rule_id_of(harness, kind, check):
    """The SARIF rule: the harness and its check, or the harness and the kind
    of sanitizer report."""
    what = check["check"] if check else re.sub(r"[^A-Za-z0-9_.]+", "-", kind).strip("-")
    return f"{harness}/{what}"


def run_cmd(argv, timeout):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)


def q(words):
    return " ".join(shlex.quote(w) for w in words)


def same_group(output, key):
    """The first crash a fuzzer's output reports when it is of the group `key`,
    else None."""
    found = parse_crashes(output)
    return found[0] if found and group_key(found[0]) == key else None


def minimize_input(binary, options, src, key, dest):
    """Shrinks the input at `src` into `dest` with libFuzzer's minimization
    steps (-minimize_crash_internal_step=1: mutate until a smaller input
    crashes), keeping a step only when its input fails the same way (the
    group `key`): -minimize_crash=1 keeps any crash, and every check failure
    has the same stack, so it drifts to another failure. Stops after
    MINIMIZE_MISSES steps in a row find nothing, or after MINIMIZE_MAX_S.
    (steps kept, the report of the last kept step's input or None, the last
    libFuzzer exit status)."""
    best, size, kept, misses, rc, found = src, os.path.getsize(src), 0, 0, None, None
    deadline = time.monotonic() + MINIMIZE_MAX_S
    step = dest + ".step"
    while misses < MINIMIZE_MISSES and time.monotonic() < deadline:
        left = max(1, int(deadline - time.monotonic()))
        rc, out = run_cmd([binary, "-minimize_crash_internal_step=1", f"-runs={MINIMIZE_RUNS}",
                           f"-seed={kept + misses + 1}", f"-max_total_time={left}",
                           f"-exact_artifact_path={step}"] + options + [best], left + 30)
        crash = same_group(out, key)
        if os.path.exists(step) and 0 < os.path.getsize(step) < size and crash:
            found = crash
            os.replace(step, dest)
            best, size, kept, misses = dest, os.path.getsize(dest), kept + 1, 0
        else:
            misses += 1
        if os.path.exists(step):
            os.remove(step)
    return kept, found, rc


def crash_groups(hdir, meta, minimize):
    """The crashes of one harness, one group per distinct failure: a check
    failure by its check and op, a sanitizer report by its kind, each with the
    top frames of the code under test."""
    log_path = os.path.join(hdir, "fuzz.log")
    log_text = open(log_path, encoding="utf-8", errors="replace").read() if os.path.exists(
        log_path) else ""
    parsed = parse_crashes(log_text)
    by_artifact = {c["artifact"]: c for c in parsed if c["artifact"]}
    crash_dir = os.path.join(hdir, "crashes")
    files = sorted(f for f in os.listdir(crash_dir)
                   if not f.endswith((".min", ".txt"))) if os.path.isdir(crash_dir) else []
    binary = meta.get("binary") or ""
    options = meta.get("options", [])
    have_bin = bool(binary) and os.access(binary, os.X_OK)
    records = []
    for f in files:
        path = os.path.join(crash_dir, f)
        c = by_artifact.get(f)
        if c is None and have_bin:
            # No section in the log (e.g. a fork-mode job's): replay it for one.
            _, out = run_cmd([binary] + options + [path], 60)
            found = parse_crashes(out)
            c = found[0] if found else None
        if c is None:
            c = {"kind": "unknown (no report in the log)", "check": None, "frames": [],
                 "frame_sources": [], "detail": []}
        records.append(dict(c, file=path, size=os.path.getsize(path)))
    # Crashes in the log whose artifact is not in crashes/ still count, but
    # for fork mode's bare ERROR lines (no stack, no check, no artifact): each
    # stands for a job's crash whose artifact crashes/ holds, if it holds any.
    known = set(files)
    for c in parsed:
        bare = c["artifact"] is None and not c["frames"] and c["check"] is None
        if bare and files:
            continue
        if c["artifact"] is None or c["artifact"] not in known:
            records.append(dict(c, file=None, size=None))
    groups = {}
    for r in records:
        groups.setdefault(group_key(r), []).append(r)
    out = []
    root = meta.get("root") or ""
    cli = meta.get("cli") or ""
    have_cli = bool(cli) and os.access(cli, os.X_OK)
    harness = meta["harness"]
    for key, recs in sorted(groups.items()):
        kind, frames = key
        with_file = sorted((r for r in recs if r["file"]), key=lambda r: (r["size"], r["file"]))
        first = with_file[0] if with_file else recs[0]
        check = first["check"]
        g = {"kind": kind, "check": check, "top_frames": list(frames),
             "frame_sources": [list(s) if s else None for s in first["frame_sources"]],
             "count": len(recs), "files": [r["file"] for r in with_file],
             "detail": first["detail"], "rule_id": rule_id_of(harness, kind, check),
             "reproducer": None, "reproducer_size": None, "minimized": False, "decoded": None,
             "replay_command": None, "freeze_command": None, "frozen_input": None, "notes": []}
        slug = slug_of(kind, list(frames), check)
        g["slug"] = slug
        if with_file:
            src = with_file[0]["file"]
            repro = src
            if minimize and have_bin and meta.get("engine", "libfuzzer") == "libfuzzer":
                dest = src + ".min"
                if os.path.exists(dest):
                    os.remove(dest)
                kept, found, rc = minimize_input(binary, options, src, key, dest)
                if kept:
                    repro = dest
                    g["minimized"] = True
                    # The verdict (and step) the reproducer itself gives.
                    g["detail"], g["check"] = found["detail"], found["check"]
                else:
                    g["notes"].append("not minimized (libFuzzer found no smaller input that "
                                      f"fails this way; last exit {rc})")
            elif not minimize:
                g["notes"].append("not minimized (--no-minimize)")
            else:
                g["notes"].append("not minimized (no libFuzzer binary for this harness)")
            g["reproducer"] = repro
            g["reproducer_size"] = os.path.getsize(repro)
            if have_cli:
                rc, text = run_cmd([cli, "decode", harness, repro], 60)
                if rc == 0:
                    g["decoded"] = text
                    with open(repro + ".txt", "w") as f:
                        f.write(text)
                else:
                    g["notes"].append(f"respfuzz decode failed (exit {rc})")
            else:
                g["notes"].append("not decoded (no respfuzz CLI: build the dev preset)")
            if binary:
                g["replay_command"] = q([binary, repro])
            frozen = os.path.join("tests", "regressions", harness,
                                  slug + (".txt" if meta.get("structured") else ".bin"))
            g["frozen_input"] = frozen
            if meta.get("structured"):
                g["freeze_command"] = q([cli or "build/dev/tools/respfuzz", "freeze", harness,
                                         repro, "--name", slug] + (["--root", root] if root
                                                                     else []))
            else:
                reg = os.path.join(root or ".", "tests", "regressions", harness)
                decode = q([cli or "build/dev/tools/respfuzz", "decode", harness, repro])
                g["freeze_command"] = (f"mkdir -p {shlex.quote(reg)} && cp {shlex.quote(repro)} "
                                       f"{shlex.quote(os.path.join(reg, slug + '.bin'))} && "
                                       f"{decode} > {shlex.quote(os.path.join(reg, slug + '.txt'))}")
        else:
            g["notes"].append("no input file kept for this crash")
        out.append(g)
    return out


# ---------------------------------------------------------------- SARIF

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SARIF_MESSAGE_LINES = 8


def sarif_rule(harness, g):
    check = g["check"]
    what = (f"check '{check['check']}' of harness {harness} failed" if check else
            f"{g['kind'].split(':')[0]} reported a crash in harness {harness} "
            f"({g['kind'].split(':', 1)[-1].strip()})")
    props = {"harness": harness}
    if check:
        props["check"] = check["check"]
    else:
        props["kind"] = g["kind"]
    return {"id": g["rule_id"], "shortDescription": {"text": what},
            "defaultConfiguration": {"level": "error"}, "properties": props}


def sarif_result(harness, g, rule_index, root):
    title = g["kind"][len("check failed: "):] if g["check"] else g["kind"]
    where = f" at {g['top_frames'][0]}" if g["top_frames"] else ""
    lines = [f"{title}{where} in harness {harness} ({g['count']} "
             f"crash{'es' if g['count'] != 1 else ''})"]
    lines += [d for d in g["detail"] if d.strip()][:SARIF_MESSAGE_LINES]
    if g["replay_command"]:
        lines.append("Reproduce: " + g["replay_command"])
    if g["freeze_command"]:
        lines.append("Freeze: " + g["freeze_command"])
    result = {"ruleId": g["rule_id"], "ruleIndex": rule_index, "kind": "fail", "level": "error",
              "message": {"text": "\n".join(lines)}, "occurrenceCount": g["count"],
              "partialFingerprints": {"respfuzzCrashGroup/v1": hashlib.sha256(
                  "\n".join([harness, g["kind"]] + g["top_frames"]).encode()).hexdigest()[:32]}}
    if g["frozen_input"]:
        result["locations"] = [{"physicalLocation": {"artifactLocation": {
            "uri": g["frozen_input"], "uriBaseId": "SRCROOT"}},
            "message": {"text": "the reproducer, once frozen by the freeze command"}}]
    related = []
    for func, src in zip(g["top_frames"], g["frame_sources"]):
        rel = os.path.relpath(src[0], root) if src and root else None
        if rel is None or rel.startswith(".."):
            continue
        related.append({"id": len(related), "physicalLocation": {
            "artifactLocation": {"uri": rel, "uriBaseId": "SRCROOT"},
            "region": {"startLine": max(1, src[1])}}, "message": {"text": func}})
    if related:
        result["relatedLocations"] = related
    props = {"harness": harness, "top_frames": g["top_frames"], "files": g["files"]}
    for k in ("reproducer", "reproducer_size", "minimized", "replay_command", "freeze_command"):
        props[k] = g[k]
    if g["check"]:
        props.update({k: v for k, v in g["check"].items() if k != "harness"})
    result["properties"] = props
    return result


def sarif_log(run, reports, roots):
    """The crash groups of every harness as one SARIF 2.1.0 run."""
    rules, results, index = [], [], {}
    root = roots[0] if roots and all(r == roots[0] for r in roots) else ""
    for r in reports:
        for g in r["crashes"]:
            if g["rule_id"] not in index:
                index[g["rule_id"]] = len(rules)
                rules.append(sarif_rule(r["harness"], g))
            results.append(sarif_result(r["harness"], g, index[g["rule_id"]], root))
    sarif_run = {"tool": {"driver": {"name": "respfuzz", "rules": rules}}, "results": results,
                 "properties": {k: run[k] for k in ("engine", "commit", "started", "command",
                                                    "budget_s") if k in run}}
    if root:
        sarif_run["originalUriBaseIds"] = {"SRCROOT": {"uri": pathlib.Path(root).as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [sarif_run]}


# ---------------------------------------------------------------- plot

PLOT_W, PANEL_H, MARGIN_L, MARGIN_R, GAP = 640, 90, 70, 20, 34


def svg_panel(title, points, duration, y0, color, step=False, from_zero=True):
    """One panel: a polyline of (t, v) points with its axis labels; the axis
    starts at 0, or at the smallest value (coverage grows far from 0)."""
    x0, w, h = MARGIN_L, PLOT_W - MARGIN_L - MARGIN_R, PANEL_H
    parts = [f'<text x="{x0}" y="{y0 - 6}" class="title">{escape(title)}</text>',
             f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" class="frame"/>']
    vals = [v for _, v in points if v is not None]
    if not vals:
        parts.append(f'<text x="{x0 + 8}" y="{y0 + h / 2}" class="label">no data</text>')
        return parts
    lo, hi = (min(0, min(vals)) if from_zero else min(vals)), max(vals)
    if hi == lo:
        hi = lo + 1
    span = duration if duration > 0 else 1

    def xy(t, v):
        return (f"{x0 + w * min(max(t, 0), span) / span:.1f},"
                f"{y0 + h - h * (v - lo) / (hi - lo):.1f}")

    points = [(t, v) for t, v in points if v is not None]
    if len(points) > MAX_PLOT_POINTS:  # thin long runs; keep the last point
        k = math.ceil(len(points) / MAX_PLOT_POINTS)
        points = points[::k] + ([points[-1]] if (len(points) - 1) % k else [])
    coords = []
    prev = None
    for t, v in points:
        if v is None:
            continue
        if step and prev is not None:
            coords.append(xy(t, prev))
        coords.append(xy(t, v))
        prev = v
    parts.append(f'<polyline points="{" ".join(coords)}" fill="none" stroke="{color}" '
                 f'stroke-width="1.5"/>')
    parts.append(f'<text x="{x0 - 6}" y="{y0 + 10}" class="axis">{hi:g}</text>')
    parts.append(f'<text x="{x0 - 6}" y="{y0 + h}" class="axis">{lo:g}</text>')
    return parts


def write_svg(path, harness, rows, slices, duration, fuzz_end):
    series = [
        ("coverage: edges (cov)", [(r["time"], r["cov"]) for r in rows], "#1f77b4", False, False),
        ("coverage: features (ft)", [(r["time"], r["ft"]) for r in rows], "#2ca02c", False,
         False),
        ("corpus size (inputs)", [(r["time"], r["corpus"]) for r in rows], "#9467bd", False,
         False),
    ]
    width = fuzz_end / len(slices) if slices else 1
    series.append((f"exec/s ({len(slices)} slices)",
                   [(i * width, v) for i, v in enumerate(slices)] + [(fuzz_end, slices[-1])]
                   if slices else [], "#d62728", True, True))
    series.append(("RSS (MB)", [(r["time"], r["rss_mb"]) for r in rows], "#ff7f0e", False, True))
    height = GAP + len(series) * (PANEL_H + GAP) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PLOT_W}" height="{height}" '
             f'viewBox="0 0 {PLOT_W} {height}">',
             "<style>.title{font:bold 12px sans-serif}.axis{font:10px sans-serif;"
             "text-anchor:end}.label{font:11px sans-serif}.frame{fill:#fafafa;stroke:#999}"
             "</style>",
             f'<text x="{MARGIN_L}" y="16" class="title">{escape(harness)}: '
             f'{duration:.0f} s</text>']
    y = GAP + 8
    for title, pts, color, step, from_zero in series:
        parts += svg_panel(title, pts, duration, y, color, step, from_zero)
        y += PANEL_H + GAP
    parts.append(f'<text x="{PLOT_W - MARGIN_R}" y="{height - 4}" class="axis">time (s) 0 to '
                 f'{duration:.0f}</text>')
    parts.append("</svg>")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(parts) + "\n")
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------- report


def final_stats(log_text):
    stats = {}
    for m in re.finditer(r"^stat::(\w+):\s*(\d+)", log_text, re.M):
        stats[m.group(1)] = int(m.group(2))
    return stats


def harness_report(run_dir, name, warmup_min, slices_n, minimize):
    hdir = os.path.join(run_dir, name)
    meta_path = os.path.join(hdir, "meta.json")
    try:
        with open(meta_path) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise UsageError(f"{meta_path}: {e}")
    meta.setdefault("harness", name)
    rows = read_timeline(os.path.join(hdir, "timeline.tsv"))
    log_path = os.path.join(hdir, "fuzz.log")
    log_text = open(log_path, encoding="utf-8", errors="replace").read() if os.path.exists(
        log_path) else ""
    stats = final_stats(log_text)
    duration = max(rows[-1]["time"], float(meta.get("elapsed_s") or 0), 1e-9)
    fuzzer_execs = [r["execs"] for r in rows if r.get("execs") is not None]
    execs = stats.get("number_of_executed_units", fuzzer_execs[-1] if fuzzer_execs else None)
    # exec/s slices span the fuzzing itself: up to the fuzzer's last line (the
    # process may take a moment to exit after it).
    fuzz_rows = [r["time"] for r in rows if r.get("event") not in ("sample", "end") and
                 r.get("execs") is not None]
    fuzz_end = fuzz_rows[-1] if fuzz_rows and fuzz_rows[-1] > 0 else duration
    slices = exec_slices(rows, fuzz_end, slices_n, execs)
    warm, rss_warm, rss_end, growth, note = rss_growth(rows, duration, warmup_min)
    rss_vals = [r["rss_mb"] for r in rows if r.get("rss_mb") is not None]
    peak = max(rss_vals + ([stats["peak_rss_mb"]] if "peak_rss_mb" in stats else []), default=None)
    width = duration / slices_n
    over_time = [{"t": round((i + 1) * width, 2), "cov": last_at(rows, "cov", (i + 1) * width),
                  "ft": last_at(rows, "ft", (i + 1) * width),
                  "corpus": last_at(rows, "corpus", (i + 1) * width)} for i in range(slices_n)]
    warnings = []
    if growth is not None and growth > RSS_GROWTH_WARN_PCT:
        warnings.append(f"RSS grew {growth:g}% after warm-up ({rss_warm} MB at {warm:.0f}s -> "
                        f"{rss_end} MB at the end), above {RSS_GROWTH_WARN_PCT:g}%: a leak or an "
                        "unbounded cache?")
    crashes = crash_groups(hdir, meta, minimize)
    write_svg(os.path.join(hdir, "plot.svg"), name, rows, slices, duration, fuzz_end)
    last = rows[-1]
    return {
        "harness": name,
        "engine": meta.get("engine", "libfuzzer"),
        "structured": bool(meta.get("structured")),
        "exit_code": meta.get("exit_code"),
        "duration_s": round(duration, 2),
        "budget_s": meta.get("budget_s"),
        "executions": execs,
        "exec_per_s": round(execs / duration, 1) if execs is not None else None,
        "exec_per_s_slices": slices,
        "exec_per_s_cv": coefficient_of_variation(slices),
        "coverage": {"edges": last_at(rows, "cov", duration), "features": last_at(
            rows, "ft", duration)},
        "corpus": last_at(rows, "corpus", duration),
        "over_time": over_time,
        "rss": {"peak_mb": peak, "warmup_s": round(warm, 1), "at_warmup_mb": rss_warm,
                "end_mb": rss_end, "growth_pct": growth, "note": note,
                "warn_above_pct": RSS_GROWTH_WARN_PCT},
        "warnings": warnings,
        "crashes": crashes,
        "unique_crashes": len(crashes),
        "plot": f"{name}/plot.svg",
        "timeline_rows": len(rows),
        "_last_event": last.get("event"),
        "_root": meta.get("root") or "",
    }


def dash(v, fmt="{}"):
    return "-" if v is None else fmt.format(v)


def markdown(run, reports, not_run=()):
    out = ["# Fuzzing campaign report", ""]
    bits = [f"engine {run.get('engine', 'libfuzzer')}"]
    if run.get("started"):
        bits.append(f"started {run['started']}")
    if run.get("commit"):
        bits.append(f"commit {run['commit']}")
    if run.get("budget_s"):
        bits.append(f"budget {run['budget_s']} s")
    out.append(", ".join(bits) + ".")
    if run.get("command"):
        out += ["", "```sh", run["command"], "```"]
    out += ["", "| harness | time | executions | exec/s | exec/s CV | edges | features | corpus "
            "| peak RSS | RSS growth | crashes |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
            "---:|---:|"]
    for r in reports:
        g = r["rss"]["growth_pct"]
        out.append(
            f"| {r['harness']} | {r['duration_s']:.0f}s | {dash(r['executions'])} | "
            f"{dash(r['exec_per_s'], '{:.0f}')} | {dash(r['exec_per_s_cv'], '{:.2f}')} | "
            f"{dash(r['coverage']['edges'])} | {dash(r['coverage']['features'])} | "
            f"{dash(r['corpus'])} | {dash(r['rss']['peak_mb'], '{} MB')} | "
            f"{dash(g, '{:+g}%')}{' ⚠' if r['warnings'] else ''} | {r['unique_crashes']} |")
    out += ["", "exec/s CV: the coefficient of variation (standard deviation / mean) of exec/s "
            "over the slices. RSS growth: from the end of the warm-up to the end of the run; "
            f"above {RSS_GROWTH_WARN_PCT:g}% is a warning. Crashes: one per distinct failure, a "
            "check failure by its check and the kind of op it failed at, a sanitizer report by "
            f"its kind, each with the top {TOP_FRAMES} stack frames of the code under test."]
    if not_run:
        out += ["", "Not run (no timeline): " + ", ".join(not_run) + "."]
    for r in reports:
        out += ["", f"## {r['harness']}", "", f"![{r['harness']}]({r['plot']})", ""]
        out.append("exec/s per slice: " + " ".join(f"{v:.0f}" for v in r["exec_per_s_slices"]))
        rs = r["rss"]
        out.append("")
        out.append(f"RSS: peak {dash(rs['peak_mb'])} MB; warm-up {rs['warmup_s']:g}s; "
                   f"{dash(rs['at_warmup_mb'])} MB after warm-up, {dash(rs['end_mb'])} MB at the "
                   f"end" + (f", growth {rs['growth_pct']:+g}%" if rs["growth_pct"] is not None
                             else f" ({rs['note']})") + ".")
        for w in r["warnings"]:
            out += ["", f"**Warning:** {w}"]
        if not r["crashes"]:
            out += ["", "No crashes."]
        for i, c in enumerate(r["crashes"], start=1):
            title = c["kind"][len("check failed: "):] if c["check"] else c["kind"]
            out += ["", f"### Crash {i}: {title} ({c['count']}x)", ""]
            if c["check"]:
                op = c["check"].get("op")
                out.append(f"The check `{c['check']['check']}` failed" +
                           (f" at op `{op}`" if op else "") + ":")
                if c["detail"]:
                    out += ["", "```"] + c["detail"] + ["```"]
            frames = ("Top frames of the code under test: " +
                      (" ← ".join(f"`{f}`" for f in c["top_frames"]) if c["top_frames"]
                       else "(none on the stack)"))
            if not c["check"]:
                out.append(frames)
            elif c["top_frames"]:
                out += ["", frames]
            if c["reproducer"]:
                out.append("")
                out.append(f"Reproducer ({'minimized, ' if c['minimized'] else ''}"
                           f"{c['reproducer_size']} bytes): `{c['reproducer']}`")
            for n in c["notes"]:
                out += ["", f"({n})"]
            if c["decoded"]:
                lines = c["decoded"].splitlines()
                shown = lines[:DECODED_MAX_LINES]
                out += ["", "```"] + shown + (
                    [f"... ({len(lines) - len(shown)} more lines)"] if len(lines) > len(shown)
                    else []) + ["```"]
            if c["replay_command"]:
                out += ["", "Replay:", "", "```sh", c["replay_command"], "```"]
            if c["freeze_command"]:
                out += ["", "Freeze as a regression:", "", "```sh", c["freeze_command"], "```"]
    return "\n".join(out) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(prog="report", description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir", help="a finished run directory (scripts/fuzz --report DIR)")
    ap.add_argument("--warmup-min", type=float, default=DEFAULT_WARMUP_MIN_S,
                    help="shortest warm-up in seconds (default 30); the warm-up is "
                    "max(10%% of the run, this)")
    ap.add_argument("--slices", type=int, default=DEFAULT_SLICES,
                    help="exec/s slices (default 20)")
    ap.add_argument("--no-minimize", action="store_true",
                    help="keep crash inputs as found (no libFuzzer -minimize_crash)")
    ap.add_argument("--sarif", metavar="FILE",
                    help="also write the crash groups as a SARIF 2.1.0 log to FILE")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        if args.warmup_min < 0 or not 1 <= args.slices <= 1000:
            raise UsageError("--warmup-min must be >= 0 and --slices within 1..1000")
        if args.sarif is not None:
            parent = os.path.dirname(os.path.abspath(args.sarif))
            if not args.sarif or os.path.isdir(args.sarif) or not os.path.isdir(parent):
                raise UsageError(f"--sarif {args.sarif!r}: not a file in an existing directory")
        args.run_dir = os.path.abspath(args.run_dir)
        run_path = os.path.join(args.run_dir, "run.json")
        try:
            with open(run_path) as f:
                run = json.load(f)
        except (OSError, ValueError) as e:
            raise UsageError(f"{run_path}: {e} (not a run directory of scripts/fuzz --report)")
        names = run.get("harnesses")
        if not isinstance(names, list) or not names:
            raise UsageError(f"{run_path}: no 'harnesses' list")
        # A harness that never ran (its build failed, the run was interrupted
        # before it) has no timeline: it is listed as not run.
        ran = [n for n in names if os.path.exists(os.path.join(args.run_dir, n, "timeline.tsv"))]
        not_run = [n for n in names if n not in ran]
        reports = [harness_report(args.run_dir, n, args.warmup_min, args.slices,
                                  not args.no_minimize) for n in ran]
        if not reports:
            raise UsageError(f"{args.run_dir}: none of the harnesses in run.json has a timeline")
    except UsageError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    roots = [r.pop("_root") for r in reports]
    for r in reports:
        r.pop("_last_event", None)
    doc = {"run": run, "harnesses": reports, "not_run": not_run,
           "totals": {"executions": sum(r["executions"] or 0 for r in reports),
                      "unique_crashes": sum(r["unique_crashes"] for r in reports),
                      "warnings": sum(len(r["warnings"]) for r in reports)}}
    outputs = [(os.path.join(args.run_dir, "report.json"), json.dumps(doc, indent=2) + "\n"),
               (os.path.join(args.run_dir, "report.md"), markdown(run, reports, not_run))]
    if args.sarif:
        outputs.append((os.path.abspath(args.sarif),
                        json.dumps(sarif_log(run, reports, roots), indent=2) + "\n"))
    # Every file is written in full beside its place first, then all are
    # moved in: a failure leaves none of them half-written.
    written = []
    try:
        for path, text in outputs:
            with open(path + ".tmp", "w") as f:
                written.append(path + ".tmp")
                f.write(text)
    except OSError as e:
        for tmp in written:
            os.remove(tmp)
        print(f"report: cannot write {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    for path, _ in outputs:
        os.replace(path + ".tmp", path)
    print(f"report: {os.path.join(args.run_dir, 'report.md')} and report.json"
          + (f" and {args.sarif}" if args.sarif else "") +
          f" ({len(reports)} harnesses, {doc['totals']['unique_crashes']} unique crashes, "
          f"{doc['totals']['warnings']} warnings)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
