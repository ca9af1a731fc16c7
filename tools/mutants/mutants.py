#!/usr/bin/env python3
"""mutants: a mutation score per module of src/ and per harness.

Generates deterministic source mutants of src/*/*.cc (generate.py: relational
operators flipped, boundaries +-1, && and || swapped, conditions negated,
statements removed, return values swapped, arguments swapped), keeps those on
lines a harness reaches (scripts/coverage --lines), samples N per module,
builds each in a fuzz-preset build tree of its own (the mutated translation
unit compiled from a copy, never written into src/, and the harnesses that
reach it relinked), fuzzes those harnesses from their seeds for a set time
each, and reports per module and per harness: killed (by which check or
sanitizer report, after how long), survived, not built. Run with --help.

Only the Python 3 standard library is used.
"""

import argparse
import configparser
import fcntl
import difflib
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "campaign"))
import generate  # noqa: E402
from report import parse_crashes  # noqa: E402  (tools/campaign/report.py)

BACKUP_SUFFIX = ".mutants-original"
CONFIGURE_OFF = ["-DRESPFUZZ_BUILD_TESTS=OFF", "-DRESPFUZZ_FUZZ_SMOKE=OFF",
                 "-DRESPFUZZ_BUILD_CHECKS=OFF", "-DRESPFUZZ_TREE_TESTS=OFF",
                 "-DRESPFUZZ_BUILD_TOOLS=OFF", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"]
EXECS_RE = re.compile(r"^#(\d+)\s", re.M)


class UsageError(Exception):
    pass


class ToolError(Exception):
    pass


def log(msg):
    print(f"mutants: {msg}", file=sys.stderr, flush=True)


def write_json(path, data):
    """Written whole or not at all."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------- mutants


def modules():
    src = os.path.join(ROOT, "src")
    return sorted("src/" + d for d in os.listdir(src)
                  if os.path.isdir(os.path.join(src, d)) and
                  any(f.endswith(".cc") for f in os.listdir(os.path.join(src, d))))


def module_of(relpath):
    return "/".join(relpath.split("/")[:2])


def all_mutants(mods):
    result = []
    for mod in mods:
        for name in sorted(os.listdir(os.path.join(ROOT, mod))):
            if name.endswith(".cc"):
                rel = f"{mod}/{name}"
                with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                    result.extend(generate.mutants_of(rel, f.read()))
    return result


def reaching(mutant, reach, harnesses):
    """The harnesses whose seeds reach the mutant's line, the one reaching
    most of its file first."""
    hs = [h for h in harnesses if mutant["line"] in reach[h].get(mutant["file"], ())]
    return sorted(hs, key=lambda h: (-len(reach[h].get(mutant["file"], ())), h))


def sample(cands, per_module, seed):
    """per_module mutants of each module, the same for the same seed and source;
    a larger per_module takes the same ones and more (a rerun with a larger
    --per-module skips the ones done)."""
    by_mod = {}
    for m in cands:
        by_mod.setdefault(module_of(m["file"]), []).append(m)
    picked = []
    for mod in sorted(by_mod):
        pool = sorted(by_mod[mod], key=lambda m: m["id"])
        random.Random(f"{seed}/{mod}").shuffle(pool)
        picked.extend(pool[:per_module])
    return sorted(picked, key=lambda m: (m["file"], m["start"], m["id"]))


def diff_of(mutant):
    with open(os.path.join(ROOT, mutant["file"]), encoding="utf-8") as f:
        text = f.read()
    new = generate.apply(text, mutant)
    return "".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                        "a/" + mutant["file"], "b/" + mutant["file"], n=1))


# ---------------------------------------------------------------- build


class Build:
    """A fuzz-preset build tree of the tool's own, where a mutant is one
    object file swapped in (its original kept beside it) and the harnesses
    relinked."""

    def __init__(self, path, state):
        self.path = path
        self.state = state
        self.commands = None
        self.manifest = None

    def run(self, argv, timeout=3600):
        return subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", timeout=timeout)

    def configure(self):
        if os.path.exists(os.path.join(self.path, "compile_commands.json")) and \
                os.path.exists(os.path.join(self.path, "harnesses.tsv")):
            return
        argv = ["cmake", "--preset", "fuzz", "-B", self.path] + CONFIGURE_OFF
        if shutil.which("ccache"):
            argv += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_C_COMPILER_LAUNCHER=ccache"]
        log(f"configuring {self.path}")
        r = self.run(argv)
        if r.returncode != 0:
            raise ToolError(f"configuring {self.path} failed:\n{r.stdout[-3000:]}")

    def load(self):
        with open(os.path.join(self.path, "compile_commands.json"), encoding="utf-8") as f:
            self.commands = {os.path.realpath(e["file"]): e for e in json.load(f)}
        self.manifest = {}
        with open(os.path.join(self.path, "harnesses.tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                name, structured, seeds, options, dictionary, binary = \
                    line.rstrip("\n").split("\t")[:6]
                self.manifest[name] = {"seeds": seeds, "options": options,
                                       "dictionary": dictionary, "binary": binary}

    def arm_targets(self, h):
        """The fuzz targets of harness h without and with the op-level mutator
        (harnesses/CMakeLists.txt's OP_MUTATOR: h and h_opmut, or h_plain and
        h), as {"plain": target, "opmut": target}; None when h has one build."""
        if not hasattr(self, "_phony"):
            with open(os.path.join(self.path, "build.ninja"), encoding="utf-8") as f:
                self._phony = set(re.findall(r"^build ([^:\s]+): phony", f.read(), re.M))
        if f"{h}_opmut" in self._phony:
            return {"plain": h, "opmut": f"{h}_opmut"}
        if f"{h}_plain" in self._phony:
            return {"plain": f"{h}_plain", "opmut": h}
        return None

    def binary_of(self, h, target):
        """The binary of target, a build of harness h's fuzz target."""
        return os.path.join(os.path.dirname(self.manifest[h]["binary"]), target)

    def build(self, targets):
        r = self.run(["cmake", "--build", self.path, "--target"] + sorted(targets))
        return r.returncode == 0, r.stdout

    def entry(self, relpath):
        e = self.commands.get(os.path.realpath(os.path.join(ROOT, relpath)))
        if e is None:
            raise ToolError(f"{relpath} is not compiled in {self.path} (compile_commands.json)")
        argv = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        obj = argv[argv.index("-o") + 1]
        return e["directory"], argv, os.path.join(e["directory"], obj)

    @staticmethod
    def archive_of(obj):
        """The static library an object of src/ goes into: .../CMakeFiles/T.dir/x.cc.o
        is archived into .../libT.a."""
        m = re.match(r"(.*)/CMakeFiles/([^/]+)\.dir/", obj)
        return os.path.join(m.group(1), f"lib{m.group(2)}.a") if m else None

    def put(self, src, obj):
        """obj becomes a copy of src with the original's mtime (so ninja takes
        it as built from its source: the mtime its deps log recorded), and its
        archive is removed so the next build archives and relinks it."""
        backup = obj + BACKUP_SUFFIX
        st = os.stat(backup)
        if src != obj + ".restore":
            os.replace(src, obj + ".restore")
        os.utime(obj + ".restore", ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(obj + ".restore", obj)
        archive = self.archive_of(obj)
        if archive and os.path.exists(archive):
            os.remove(archive)

    def restore(self):
        """Puts back the original object of an interrupted mutant, if any."""
        dirty = self.state.get("dirty")
        if not dirty:
            return
        obj = dirty["object"]
        if os.path.exists(obj + BACKUP_SUFFIX):
            shutil.copyfile(obj + BACKUP_SUFFIX, obj + ".restore")
            self.put(obj + ".restore", obj)
        elif os.path.exists(obj):
            os.remove(obj)  # rebuilt from the source by the next build
        self.state["dirty"] = None
        self.state["save"]()

    def compile_mutant(self, mutant, work):
        """Compiles the mutant's file into a temporary object: (object, error)."""
        directory, argv, obj = self.entry(mutant["file"])
        src = os.path.join(ROOT, mutant["file"])
        with open(src, encoding="utf-8") as f:
            text = f.read()
        copy_dir = os.path.join(work, "src")
        os.makedirs(copy_dir, exist_ok=True)
        copy = os.path.join(copy_dir, os.path.basename(src))
        with open(copy, "w", encoding="utf-8") as f:
            f.write(generate.apply(text, mutant))
        out, skip, cmd = os.path.join(work, "mutant.o"), False, []
        for a in argv:
            if skip:
                skip = False
                continue
            if a in ("-o", "-MF", "-MT", "-MQ"):
                skip = True
                continue
            if a in ("-MD", "-MMD"):
                continue
            if os.path.realpath(os.path.join(directory, a)) == os.path.realpath(src):
                a = copy
            cmd.append(a)
        cmd += ["-iquote", os.path.dirname(src), "-o", out]
        if shutil.which("ccache"):
            cmd = ["ccache"] + cmd
        r = subprocess.run(cmd, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=1800)
        if r.returncode != 0:
            errors = [ln for ln in r.stdout.splitlines() if ": error:" in ln]
            error = errors[0] if errors else r.stdout.strip()[-300:]
            for path in (copy, os.path.relpath(copy, directory)):
                error = error.replace(path, mutant["file"])
            return None, error
        return (out, obj), None

    def swap_in(self, compiled):
        out, obj = compiled
        backup = obj + BACKUP_SUFFIX
        if not os.path.exists(backup):
            shutil.copy2(obj, backup + ".tmp")
            os.replace(backup + ".tmp", backup)
        if self.archive_of(obj) is None:
            raise ToolError(f"{obj}: not an object of a static library")
        self.state["dirty"] = {"object": obj}
        self.state["save"]()
        self.put(out, obj)


# ---------------------------------------------------------------- fuzzing


def libfuzzer_options(path):
    parser = configparser.ConfigParser(inline_comment_prefixes=("#",))
    try:
        parser.read(path)
    except configparser.Error:
        return []
    if not parser.has_section("libfuzzer"):
        return []
    return [f"-{k}={v}" for k, v in parser.items("libfuzzer") if k != "dict"]


FINAL_EXECS_RE = re.compile(r"^stat::number_of_executed_units:\s*(\d+)", re.M)


def fuzz_start(h, info, seconds, seed, work, binary=None, label=None, from_empty=False):
    """Starts one libFuzzer run of harness h (its binary, or another build of
    the same fuzz target, e.g. h_opmut) from its seeds, or from an empty
    corpus; fuzz_finish waits."""
    label = label or h
    run_dir = os.path.join(work, "fuzz-" + label)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(os.path.join(run_dir, "corpus"))
    argv = [binary or info["binary"], f"-seed={seed}", f"-max_total_time={seconds}",
            "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1",
            f"-artifact_prefix={run_dir}/"] + libfuzzer_options(info["options"])
    if os.path.exists(info["dictionary"]):
        argv.append(f"-dict={info['dictionary']}")
    argv.append(os.path.join(run_dir, "corpus"))
    if os.path.isdir(info["seeds"]) and not from_empty:
        argv.append(info["seeds"])
    log_path = os.path.join(run_dir, "fuzz.log")
    out = open(log_path, "w+", encoding="utf-8", errors="replace")
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    return {"harness": label, "proc": proc, "out": out, "start": start,
            "deadline": start + seconds + 120, "end": None, "rc": None}


def fuzz_poll(run):
    """True once the run has ended (killed at its deadline if it hangs)."""
    if run["end"] is not None:
        return True
    rc = run["proc"].poll()
    now = time.monotonic()
    if rc is None and now > run["deadline"]:
        run["proc"].kill()
        run["proc"].wait()
        run["end"], run["rc"] = now, "hang"
        return True
    if rc is not None:
        run["end"], run["rc"] = now, rc
    return rc is not None


def fuzz_finish(run):
    """Waits for a run of fuzz_start: a dict with status (killed / survived),
    by, seconds (wall time from its start), execs (libFuzzer's executed units
    at the end, its last status line when it printed no final stats), phase
    (seed replay: failed before libFuzzer's INITED line)."""
    while not fuzz_poll(run):
        time.sleep(0.05)
    run["out"].seek(0)
    out = run["out"].read()
    run["out"].close()
    rc = None if run["rc"] == "hang" else run["rc"]
    final = FINAL_EXECS_RE.findall(out)
    execs = [int(x) for x in EXECS_RE.findall(out)]
    res = {"harness": run["harness"], "seconds": round(run["end"] - run["start"], 1),
           "execs": int(final[-1]) if final else (execs[-1] if execs else 0),
           "phase": "fuzz" if "INITED" in out else "seed replay"}
    if rc == 0:
        res.update(status="survived", by=None)
        return res
    crashes = parse_crashes(out)
    res["status"] = "killed"
    if rc is None:
        res["by"] = "hang (no exit within the time + 120 s)"
    elif crashes and crashes[0]["check"]:
        c = crashes[0]["check"]
        res["by"] = f"check={c['check']}" + (f" op={c['op']}" if c.get("op") else "")
    elif crashes:
        res["by"] = crashes[0]["kind"]
    else:
        res["by"] = f"exit {rc} (no report)"
    return res


def fuzz(h, info, seconds, seed, work, from_empty=False):
    """One libFuzzer run of harness h from its seeds (fuzz_finish's dict)."""
    return fuzz_finish(fuzz_start(h, info, seconds, seed, work, from_empty=from_empty))


def fuzz_arms(h, info, binaries, seconds, seed, work, from_empty=False):
    """The arms of harness h (arm -> binary) fuzzed side by side, started at
    the same time with the same seeds (or none), dictionary, options and
    -seed: their fuzz_finish dicts by arm."""
    runs = {arm: fuzz_start(h, info, seconds, seed, work, binary=b, label=f"{h}-{arm}",
                            from_empty=from_empty)
            for arm, b in binaries.items()}
    while not all([fuzz_poll(r) for r in runs.values()]):
        time.sleep(0.05)
    return {arm: dict(fuzz_finish(r), harness=h, arm=arm) for arm, r in runs.items()}


# ---------------------------------------------------------------- report


def score(rows):
    k = sum(1 for r in rows if r["status"] == "killed")
    s = sum(1 for r in rows if r["status"] == "survived" and not r.get("equivalent"))
    return k, s, (round(100.0 * k / (k + s), 1) if k + s else None)


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else round((xs[mid - 1] + xs[mid]) / 2, 1)


def summarize(rows, key):
    groups = {}
    for r in rows:
        for g in key(r):
            groups.setdefault(g, []).append(r)
    out = []
    for g in sorted(groups):
        rs = groups[g]
        k, s, pct = score(rs)
        out.append({"name": g, "mutants": len(rs), "killed": k, "survived": s,
                    "equivalent": sum(1 for r in rs if r.get("equivalent")),
                    "not_built": sum(1 for r in rs if r["status"] == "not built"),
                    "score": pct,
                    "median_kill_s": median([r["seconds"] for r in rs
                                             if r["status"] == "killed"])})
    return out


ARMS = ("plain", "opmut")


def arm_pairs(rows):
    """Every (mutant, trial) of an --arms run, both arms' results side by
    side, classed: "seed replay" (an arm killed it during the seed replay:
    nothing to say about the mutator), "survived both", or "paired" (killed by
    at least one arm while fuzzing). ratio_s / ratio_execs: plain over opmut,
    a survivor counted at its whole run (a lower bound of its time to kill)."""
    pairs = []
    for r in rows:
        arms = r.get("arms")
        if not isinstance(arms, dict):  # not fuzzed (not built), or a run without arms
            continue
        for t in arms["trials"]:
            p, o = t["plain"], t["opmut"]
            if any(x["status"] == "killed" and x["phase"] == "seed replay" for x in (p, o)):
                cls = "seed replay"
            elif p["status"] == "survived" and o["status"] == "survived":
                cls = "survived both"
            else:
                cls = "paired"
            pair = {"id": r["id"], "harness": arms["harness"], "seed": t["seed"], "class": cls,
                    "plain": p, "opmut": o, "ratio_s": None, "ratio_execs": None}
            if cls == "paired":
                if o["seconds"] > 0:
                    pair["ratio_s"] = round(p["seconds"] / o["seconds"], 2)
                if o["execs"] > 0:
                    pair["ratio_execs"] = round(p["execs"] / o["execs"], 2)
            pairs.append(pair)
    return pairs


def arm_summary(pairs):
    """Per harness: the pairs by class and, over the paired ones, per arm the
    kills and the median time and executions to kill (a survivor counted at
    its whole run), and the ratios of the medians (plain / opmut: above 1 the
    op-level arm kills faster)."""
    out = []
    for h in sorted({p["harness"] for p in pairs}):
        ps = [p for p in pairs if p["harness"] == h]
        paired = [p for p in ps if p["class"] == "paired"]
        s = {"harness": h, "mutants": len({p["id"] for p in ps}), "pairs": len(ps),
             "seed_replay": sum(1 for p in ps if p["class"] == "seed replay"),
             "survived_both": sum(1 for p in ps if p["class"] == "survived both"),
             "paired": len(paired),
             "opmut_faster": sum(1 for p in paired
                                 if p["opmut"]["seconds"] < p["plain"]["seconds"]),
             "plain_faster": sum(1 for p in paired
                                 if p["plain"]["seconds"] < p["opmut"]["seconds"])}
        for arm in ARMS:
            s[arm] = {"killed": sum(1 for p in paired if p[arm]["status"] == "killed"),
                      "median_s": median([p[arm]["seconds"] for p in paired]),
                      "median_execs": median([p[arm]["execs"] for p in paired])}
        for key, field in (("ratio_s", "median_s"), ("ratio_execs", "median_execs")):
            a, b = s["plain"][field], s["opmut"][field]
            s[key] = round(a / b, 2) if a is not None and b else None
        out.append(s)
    return out


def arm_cell(x):
    if x["status"] == "killed":
        text = f"{x['seconds']} s, {x['execs']} execs"
        return text + (" (seed replay)" if x["phase"] == "seed replay" else "")
    return f"not in {x['seconds']} s ({x['execs']} execs)"


def arm_markdown(summary, pairs):
    md = ["", "## Arms: without (plain) and with (opmut) the op-level mutator", "",
          "Both arms of a harness fuzzed side by side for each mutant, same seeds, "
          "dictionary, options and `-seed`. Medians over the paired runs (killed by "
          "at least one arm after the seed replay), a survivor counted at its whole "
          "run; ratio = plain / opmut (above 1: the op-level arm kills faster).", "",
          "| harness | mutants | runs | seed replay | survived both | paired | "
          "killed plain | killed opmut | median s plain | median s opmut | ratio s | "
          "median execs plain | median execs opmut | ratio execs | opmut faster | "
          "plain faster |", "|---|" + "---:|" * 15]

    def c(v):
        return "-" if v is None else str(v)

    for s in summary:
        md.append(f"| `{s['harness']}` | {s['mutants']} | {s['pairs']} | {s['seed_replay']} | "
                  f"{s['survived_both']} | {s['paired']} | {s['plain']['killed']} | "
                  f"{s['opmut']['killed']} | {c(s['plain']['median_s'])} | "
                  f"{c(s['opmut']['median_s'])} | {c(s['ratio_s'])} | "
                  f"{c(s['plain']['median_execs'])} | {c(s['opmut']['median_execs'])} | "
                  f"{c(s['ratio_execs'])} | {s['opmut_faster']} | {s['plain_faster']} |")
    md += ["", "| mutant | harness | seed | plain | opmut | ratio s | class |",
           "|---|---|---:|---|---|---:|---|"]
    for p in pairs:
        md.append(f"| `{p['id']}` | `{p['harness']}` | {p['seed']} | {arm_cell(p['plain'])} | "
                  f"{arm_cell(p['opmut'])} | {c(p['ratio_s'])} | {p['class']} |")
    return md


def report(out_dir, state, picked_ids, equivalent, command):
    rows = []
    for i in picked_ids:
        r = dict(state["results"][i])
        if r["status"] == "survived" and i in equivalent:
            r["equivalent"] = equivalent[i]
        rows.append(r)
    by_module = summarize(rows, lambda r: [module_of(r["file"])])
    by_harness = summarize(rows, lambda r: [x["harness"] for x in r.get("runs", [])])
    # Per harness: a mutant counts as killed by the harness that killed it.
    for h in by_harness:
        runs = [x for r in rows for x in r.get("runs", []) if x["harness"] == h["name"]]
        h["killed"] = sum(1 for x in runs if x["status"] == "killed")
        h["survived"] = sum(1 for x in runs if x["status"] == "survived")
        h["score"] = (round(100.0 * h["killed"] / len(runs), 1) if runs else None)
        h["median_kill_s"] = median([x["seconds"] for x in runs if x["status"] == "killed"])
        del h["equivalent"], h["not_built"]
    total = summarize(rows, lambda r: ["all"])[0] if rows else None
    pairs = arm_pairs(rows)
    arms = {"harnesses": arm_summary(pairs), "pairs": pairs} if pairs else None
    doc = {"command": command, "config": state["config"], "modules": by_module,
           "harnesses": by_harness, "total": total, "mutants": rows, "arms": arms}
    write_json(os.path.join(out_dir, "report.json"), doc)

    def cell(v, fmt="{}"):
        return "-" if v is None else fmt.format(v)

    md = ["# Mutation score", "", f"`{command}`", "",
          f"Seed {state['config']['seed']}, {state['config']['time']} s per harness and mutant" +
          (" from an empty corpus" if state["config"].get("from_empty") else "") +
          (f", arms {state['config']['arms']} side by side, {state['config']['trials']} "
           f"trial(s) (-seed {state['config']['seed']} on)." if state["config"].get("arms")
           else "."),
          "", "## Per module", "",
          "| module | mutants | killed | survived | equivalent | not built | score | "
          "median time to kill |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for m in by_module + ([dict(total, name="all")] if total else []):
        md.append(f"| `{m['name']}` | {m['mutants']} | {m['killed']} | {m['survived']} | "
                  f"{m['equivalent']} | {m['not_built']} | {cell(m['score'], '{}%')} | "
                  f"{cell(m['median_kill_s'], '{} s')} |")
    md += ["", "Score: killed / (killed + survived), equivalent mutants left out.", "",
           "## Per harness", "", "| harness | fuzzed | killed | survived | kill rate | "
           "median time to kill |", "|---|---:|---:|---:|---:|---:|"]
    for h in by_harness:
        md.append(f"| `{h['name']}` | {h['mutants']} | {h['killed']} | {h['survived']} | "
                  f"{cell(h['score'], '{}%')} | {cell(h['median_kill_s'], '{} s')} |")
    md += ["", "## Mutants", "", "| id | where | operator | change | result |",
           "|---|---|---|---|---|"]
    for r in rows:
        if r["status"] == "killed":
            what = f"killed by `{r['harness']}` {r['by']} after {r['seconds']} s"
            if r.get("phase") == "seed replay":
                what += " (seed replay)"
        elif r["status"] == "not built":
            what = "not built"
        elif r.get("equivalent"):
            what = f"survived, equivalent: {r['equivalent']}"
        else:
            what = "survived " + ", ".join(f"`{x['harness']}` {x['seconds']} s"
                                           for x in r.get("runs", []))
        change = f"`{r['orig']}` → `{r['repl']}`".replace("|", "\\|")
        md.append(f"| `{r['id']}` | {r['file']}:{r['line']} | {r['op']} | {change} | "
                  f"{what.replace('|', chr(92) + '|')} |")
    if arms:
        md += arm_markdown(arms["harnesses"], pairs)
    surv = [r for r in rows if r["status"] == "survived"]
    md += ["", "## Survivors", ""]
    if not surv:
        md.append("None.")
    for r in surv:
        eq = f" (equivalent: {r['equivalent']})" if r.get("equivalent") else ""
        md += [f"### `{r['id']}`{eq}", "", "```diff", r["diff"].rstrip("\n"), "```", ""]
    write_text(os.path.join(out_dir, "report.md"), "\n".join(md) + "\n")


# ---------------------------------------------------------------- main


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see --help)")


def parse_args(argv):
    p = Parser(
        prog="scripts/mutants",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n")[1] + """

Mutants are taken from the lines each harness's seeds reach (scripts/coverage
--all --lines, run once and kept as OUT/coverage.json, or --coverage FILE),
--per-module of them per module at random (--seed), and each is fuzzed with
the harnesses reaching it (at most --max-harnesses, the one reaching most of
its file first) until one kills it. The state is kept in OUT/state.json: a
rerun with the same OUT skips the mutants done with the same --time, --seed
and --max-harnesses (and --arms, --trials, --from-empty). The report is OUT/report.md
and OUT/report.json, with the diff of every surviving mutant.

--arms plain,opmut measures the op-level mutator (harnesses/common/op_mutator.h)
on the mutants: each mutant is built once into both builds of its harness
(h and h_opmut, or h_plain and h for a harness whose default links it; only
harnesses with both are used), which are then fuzzed side by side, started
together from the same seeds with the same -seed, --trials times (-seed K,
K+1, ...). The report adds per harness and arm the kills, the median time
and executions to kill and the ratio of the medians (plain / opmut), and
every pair; a mutant killed during the seed replay by either arm is
reported as such and left out of the medians (no further trial runs it), a
survivor counts at its whole run (a lower bound). Run it under nice: the
two arms take a core each.""",
        epilog="""Exit status: 0 done (whatever the score); 1 a build or a tool failed;
2 bad usage; 130 interrupted (the original object put back).""")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "mutants-out"),
                   help="output directory (state, report; default build/mutants-out)")
    p.add_argument("--build", default=os.path.join(ROOT, "build", "mutants"),
                   help="the mutants' fuzz-preset build tree (default build/mutants; "
                        "configured when missing)")
    p.add_argument("--module", action="append", default=[],
                   help="a module of src/ (src/engine or engine); repeatable; default all")
    p.add_argument("--harness", action="append", default=[],
                   help="fuzz only this harness; repeatable; default every harness")
    p.add_argument("--per-module", type=int, default=8, metavar="N",
                   help="mutants sampled per module (default 8)")
    p.add_argument("--time", type=int, default=60, metavar="S",
                   help="seconds of fuzzing per harness and mutant (default 60)")
    p.add_argument("--seed", type=int, default=1, metavar="K",
                   help="sampling and libFuzzer seed (default 1)")
    p.add_argument("--max-harnesses", type=int, default=2, metavar="M",
                   help="harnesses fuzzed per mutant at most (default 2)")
    p.add_argument("--op", action="append", default=[], choices=generate.OPERATORS,
                   help="only this operator; repeatable")
    p.add_argument("--mutant", action="append", default=[], metavar="ID",
                   help="exactly these mutants (ids from --list), not a sample")
    p.add_argument("--coverage", metavar="FILE",
                   help="the lines reached per harness (scripts/coverage --lines FILE)")
    p.add_argument("--skip-reached", metavar="FILE",
                   help="leave out the mutants on lines FILE (scripts/coverage --lines) "
                        "gives to their harness: with --coverage of the seeds and a fuzzed "
                        "corpus and FILE of the seeds alone, only the mutants that fuzzing "
                        "reaches and the seed replay cannot kill")
    p.add_argument("--no-coverage", action="store_true",
                   help="take every mutant as reached by each --harness (needs --harness)")
    p.add_argument("--equivalent", default=os.path.join(HERE, "equivalent.txt"),
                   metavar="FILE", help="survivors known equivalent: 'ID reason' lines "
                                        "(default tools/mutants/equivalent.txt)")
    p.add_argument("--arms", metavar="plain,opmut",
                   help="fuzz each mutant with both builds of its harness side by side, "
                        "without (plain) and with (opmut) the op-level mutator (h and "
                        "h_opmut, or h_plain and h), same seeds and -seed, one harness per "
                        "mutant; the report adds per arm the time and executions to kill, "
                        "the pairs, the medians and their ratio")
    p.add_argument("--trials", type=int, default=1, metavar="N",
                   help="with --arms: N side-by-side runs per mutant after one build, "
                        "-seed K, K+1, ... (default 1; none after a seed-replay kill)")
    p.add_argument("--from-empty", action="store_true",
                   help="fuzz from an empty corpus, not from the harness's seeds: the time "
                        "a mutant takes to find from nothing (the mutants are still taken "
                        "from the lines the seeds reach)")
    p.add_argument("--list", action="store_true",
                   help="print the chosen mutants (id, file:line, operator, change, "
                        "harnesses) as TSV and exit; nothing is built")
    a = p.parse_args(argv)
    if a.per_module < 1:
        raise UsageError("--per-module must be at least 1")
    if not 1 <= a.time <= 86400:
        raise UsageError("--time must be 1..86400 seconds")
    if a.max_harnesses < 1:
        raise UsageError("--max-harnesses must be at least 1")
    if a.arms is not None:
        if sorted(a.arms.split(",")) != sorted(ARMS):
            raise UsageError(f"--arms takes plain,opmut, not '{a.arms}'")
        a.arms = ",".join(ARMS)
    if not 1 <= a.trials <= 100:
        raise UsageError("--trials must be 1..100")
    if a.trials > 1 and a.arms is None:
        raise UsageError("--trials needs --arms")
    if a.no_coverage and not a.harness:
        raise UsageError("--no-coverage needs --harness")
    if a.no_coverage and a.coverage:
        raise UsageError("give --coverage or --no-coverage, not both")
    if a.coverage and not os.path.isfile(a.coverage):
        raise UsageError(f"--coverage: no such file: {a.coverage}")
    if a.skip_reached and not os.path.isfile(a.skip_reached):
        raise UsageError(f"--skip-reached: no such file: {a.skip_reached}")
    if a.skip_reached and a.no_coverage:
        raise UsageError("--skip-reached needs coverage, not --no-coverage")
    known = modules()
    mods = []
    for m in a.module:
        m = m.rstrip("/")
        m = m if m.startswith("src/") else "src/" + m
        if m not in known:
            raise UsageError(f"unknown module '{m}'; modules: {' '.join(known)}")
        mods.append(m)
    a.modules = sorted(set(mods)) or known
    return a


def load_equivalent(path):
    eq = {}
    if not os.path.exists(path) or os.path.isdir(path):
        raise UsageError(f"--equivalent: no such file: {path}")
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise UsageError(f"{path}:{n}: expected 'ID reason'")
        eq[parts[0]] = parts[1]
    return eq


def coverage_lines(a, harnesses):
    if a.no_coverage:
        return None
    path = a.coverage or os.path.join(a.out, "coverage.json")
    if not a.coverage and not os.path.exists(path):
        log(f"coverage of every harness's seeds (scripts/coverage --all --lines {path})")
        r = subprocess.run([os.path.join(ROOT, "scripts", "coverage"), "--all", "--lines", path],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        if r.returncode != 0:
            raise ToolError("scripts/coverage failed:\n" + r.stdout[-3000:])

    def read(path):
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)["harnesses"]
        except (OSError, ValueError, KeyError) as e:
            raise UsageError(f"cannot read the coverage lines in {path}: {e}")

    data = read(path)
    skip = read(a.skip_reached) if a.skip_reached else {}
    return {h: {f: set(ls) - set(skip.get(h, {}).get(f, ())) for f, ls in data.get(h, {}).items()}
            for h in harnesses}


def fuzz_mutant_arms(a, build, h, targets, row, where, work):
    """--arms: the mutant's --trials side-by-side runs of both arms of h."""
    binaries = {arm: build.binary_of(h, targets[arm]) for arm in ARMS}
    row.update(status="survived", runs=[], arms={"harness": h, "targets": targets,
                                                 "trials": []})
    for seed in range(a.seed, a.seed + a.trials):
        log(f"{where}: fuzzing {' and '.join(targets[x] for x in ARMS)} side by side for "
            f"{a.time} s, -seed={seed}")
        res = fuzz_arms(h, build.manifest[h], binaries, a.time, seed, work, a.from_empty)
        row["arms"]["trials"].append(dict(res, seed=seed))
        row["runs"].extend(dict(res[arm], harness=targets[arm]) for arm in ARMS)
        log(f"{where}: -seed={seed}: " + ", ".join(f"{arm} {arm_cell(res[arm])}"
                                                 for arm in ARMS))
        if any(x["status"] == "killed" and x["phase"] == "seed replay" for x in res.values()):
            break  # the replay is the same for every -seed
    kills = [x for x in row["runs"] if x["status"] == "killed"]
    if kills:
        first = min(kills, key=lambda x: x["seconds"])
        row.update(status="killed", harness=first["harness"], by=first["by"],
                   seconds=first["seconds"], execs=first["execs"], phase=first["phase"])


def main(argv):
    a = parse_args(argv)
    command = "scripts/mutants " + " ".join(shlex.quote(x) for x in argv)
    equivalent = load_equivalent(a.equivalent)
    os.makedirs(a.out, exist_ok=True)
    a.out, a.build = os.path.abspath(a.out), os.path.abspath(a.build)
    # One run at a time per output directory and per build tree.
    locks = []
    for d in (a.out, a.build):
        os.makedirs(d, exist_ok=True)
        f = open(os.path.join(d, ".mutants.lock"), "w")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"another scripts/mutants run is using {d}")
        locks.append(f)
    state_path = os.path.join(a.out, "state.json")
    state = {"results": {}, "dirty": None}
    if os.path.exists(state_path):
        try:
            with open(state_path, encoding="utf-8") as f:
                state.update(json.load(f))
        except ValueError as e:
            raise UsageError(f"{state_path} is not a state file of this tool: {e}")
    state["config"] = {"seed": a.seed, "time": a.time, "per_module": a.per_module,
                       "max_harnesses": a.max_harnesses, "build": a.build,
                       "from_empty": a.from_empty}
    if a.arms:
        state["config"].update(arms=a.arms, trials=a.trials)
    state["save"] = lambda: write_json(state_path, {k: v for k, v in state.items()
                                                    if k != "save"})
    build = Build(a.build, state)
    build.configure()
    build.load()
    harnesses = sorted(build.manifest)
    for h in a.harness:
        if h not in build.manifest:
            raise UsageError(f"unknown harness '{h}'; harnesses: {' '.join(harnesses)}")
    if a.harness:
        harnesses = sorted(set(a.harness))
    if a.arms:
        single = [h for h in harnesses if build.arm_targets(h) is None]
        if a.harness and single:
            raise UsageError(f"--arms: harness '{single[0]}' has no op-level mutator build "
                             "(OP_MUTATOR in its CMakeLists.txt)")
        harnesses = [h for h in harnesses if h not in single]
        if not harnesses:
            raise UsageError("--arms: no harness has an op-level mutator build")
    reach = coverage_lines(a, harnesses)
    cands = []
    for m in all_mutants(a.modules):
        if a.op and m["op"] not in a.op:
            continue
        m["harnesses"] = list(harnesses) if reach is None else reaching(m, reach, harnesses)
        if m["harnesses"]:
            cands.append(m)
    if a.mutant:
        by_id = {m["id"]: m for m in cands}
        missing = [i for i in a.mutant if i not in by_id]
        if missing:
            raise UsageError(f"no mutant '{missing[0]}' on a reached line of "
                             f"{' '.join(a.modules)} (see --list)")
        picked = [by_id[i] for i in dict.fromkeys(a.mutant)]
    else:
        picked = sample(cands, a.per_module, a.seed)
    if a.list:
        for m in picked:
            print("\t".join([m["id"], f"{m['file']}:{m['line']}", m["op"], m["orig"], m["repl"],
                             ",".join(m["harnesses"]), m["text"]]))
        return 0

    work = tempfile.mkdtemp(prefix="mutants-", dir=a.out)
    touched = set()
    try:
        build.restore()
        for f in os.listdir(a.out):
            if f.startswith("mutants-") and os.path.join(a.out, f) != work:
                shutil.rmtree(os.path.join(a.out, f), ignore_errors=True)
        per_mutant = 1 if a.arms else a.max_harnesses
        all_targets = sorted({t for m in picked for h in m["harnesses"][:per_mutant]
                              for t in (build.arm_targets(h).values() if a.arms else [h])})
        log(f"{len(picked)} mutants of {len(cands)} on reached lines; "
            f"building {' '.join(all_targets) or 'nothing'} in {a.build}")
        ok, out = build.build(all_targets)
        if not ok:
            raise ToolError(f"building the original harnesses failed:\n{out[-3000:]}")
        # The objects are now built from the sources as they are: an original
        # kept by an earlier run may be older.
        for d, _, files in os.walk(a.build):
            for f in files:
                if f.endswith(BACKUP_SUFFIX):
                    os.remove(os.path.join(d, f))
        for n, m in enumerate(picked, 1):
            where = f"[{n}/{len(picked)}] {m['id']} {m['file']}:{m['line']} {m['op']} " \
                    f"'{m['orig']}' -> '{m['repl']}'"
            settings = {"time": a.time, "seed": a.seed, "max_harnesses": a.max_harnesses}
            if a.from_empty:
                settings["from_empty"] = True
            if a.arms:
                # (not "arms": a fuzzed row's "arms" holds its trials)
                settings.update(arm_set=a.arms, trials=a.trials)
            done = state["results"].get(m["id"])
            if done and all(done.get(k) == v for k, v in settings.items()):
                log(f"{where}: done before, skipped")
                continue
            hs = m["harnesses"][:per_mutant]
            targets = build.arm_targets(hs[0]) if a.arms else {h: h for h in hs}
            row = {k: m[k] for k in ("id", "file", "line", "col", "op", "orig", "repl", "text")}
            row.update(settings)
            row["diff"] = diff_of(m)
            row["reached_by"] = m["harnesses"]
            t0 = time.monotonic()
            compiled, error = build.compile_mutant(m, work)
            if compiled is None:
                row.update(status="not built", error=error, runs=[])
                log(f"{where}: not built ({error})")
            else:
                build.swap_in(compiled)
                touched.update(targets.values())
                ok, out = build.build(targets.values())
                row["build_seconds"] = round(time.monotonic() - t0, 1)
                if not ok:
                    errors = [ln for ln in out.splitlines() if "error" in ln]
                    row.update(status="not built", runs=[],
                               error=(errors[0] if errors else out[-300:]))
                    log(f"{where}: not built (link: {row['error']})")
                elif a.arms:
                    fuzz_mutant_arms(a, build, hs[0], targets, row, where, work)
                else:
                    row.update(status="survived", runs=[])
                    for h in hs:
                        log(f"{where}: fuzzing {h} for {a.time} s")
                        res = fuzz(h, build.manifest[h], a.time, a.seed, work, a.from_empty)
                        row["runs"].append(res)
                        if res["status"] == "killed":
                            row.update(status="killed", harness=h, by=res["by"],
                                       seconds=res["seconds"], execs=res["execs"],
                                       phase=res["phase"])
                            break
                    if row["status"] == "killed":
                        log(f"{where}: killed by {row['harness']} {row['by']} after "
                            f"{row['seconds']} s")
                    else:
                        log(f"{where}: survived {', '.join(hs)}")
                build.restore()
            state["results"][m["id"]] = row
            state["save"]()
    finally:
        build.restore()
        if touched:
            build.build(touched)  # the originals again
        shutil.rmtree(work, ignore_errors=True)
    report(a.out, state, [m["id"] for m in picked], equivalent, command)
    log(f"report in {os.path.join(a.out, 'report.md')} and report.json")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print(f"mutants: {e}", file=sys.stderr)
        sys.exit(2)
    except ToolError as e:
        print(f"mutants: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("mutants: interrupted; the original objects are back", file=sys.stderr)
        sys.exit(130)
