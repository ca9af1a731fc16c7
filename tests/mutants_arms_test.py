#!/usr/bin/env python3
"""scripts/mutants --arms: the pairs, classes, medians and ratios of a fixed
set of side-by-side results (no build, no fuzzing), and the report that shows
them. A seed-replay kill must stay out of the medians, a survivor must count
at its whole run, and the ratio is plain / opmut.

usage: mutants_arms_test.py ROOT
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(sys.argv[1], "tools", "mutants"))
import mutants  # noqa: E402


def run(status, seconds, execs, phase="fuzz"):
    return {"status": status, "seconds": seconds, "execs": execs, "phase": phase,
            "by": "check=reference" if status == "killed" else None}


def row(mid, trials):
    r = {"id": mid, "file": "src/engine/x.cc", "line": 1, "col": 1, "op": "ror", "orig": "<",
         "repl": ">=", "text": "", "diff": "", "runs": [],
         "arms": {"harness": "command_handler",
                  "targets": {"plain": "command_handler", "opmut": "command_handler_opmut"},
                  "trials": [dict(seed=s, plain=p, opmut=o) for s, p, o in trials]}}
    kills = [x for _, p, o in trials for x in (p, o) if x["status"] == "killed"]
    r["status"] = "killed" if kills else "survived"
    if kills:
        r.update(harness="command_handler", by="check=reference",
                 seconds=min(x["seconds"] for x in kills), phase=kills[0]["phase"])
    for _, p, o in trials:
        r["runs"] += [dict(p, harness="command_handler"), dict(o, harness="command_handler_opmut")]
    return r


ROWS = [
    row("x-1", [(1, run("killed", 20.0, 2000), run("killed", 5.0, 300)),
                (2, run("survived", 60.2, 6000), run("killed", 10.0, 600))]),
    row("x-2", [(1, run("killed", 0.3, 40, "seed replay"), run("killed", 0.4, 40, "seed replay"))]),
    row("x-3", [(1, run("survived", 60.1, 5000), run("survived", 60.1, 3000)),
                (2, run("killed", 8.0, 800), run("killed", 16.0, 1000))]),
    # Only one arm died in the replay (a flaky replay): still out of the medians.
    row("x-4", [(1, run("killed", 0.5, 40, "seed replay"), run("killed", 2.0, 90))]),
]

errors = []


def expect(what, got, want):
    if got != want:
        errors.append(f"{what}: got {got!r}, want {want!r}")


pairs = mutants.arm_pairs(ROWS)
expect("classes", [(p["id"], p["seed"], p["class"]) for p in pairs],
       [("x-1", 1, "paired"), ("x-1", 2, "paired"), ("x-2", 1, "seed replay"),
        ("x-3", 1, "survived both"), ("x-3", 2, "paired"), ("x-4", 1, "seed replay")])
expect("pair ratios", [p["ratio_s"] for p in pairs], [4.0, 6.02, None, None, 0.5, None])
(s,) = mutants.arm_summary(pairs)
expect("counts", (s["mutants"], s["pairs"], s["seed_replay"], s["survived_both"], s["paired"]),
       (4, 6, 2, 1, 3))
expect("plain", s["plain"], {"killed": 2, "median_s": 20.0, "median_execs": 2000})
expect("opmut", s["opmut"], {"killed": 3, "median_s": 10.0, "median_execs": 600})
expect("ratios", (s["ratio_s"], s["ratio_execs"]), (2.0, 3.33))
expect("faster", (s["opmut_faster"], s["plain_faster"]), (2, 1))

with tempfile.TemporaryDirectory() as out:
    state = {"config": {"seed": 1, "time": 60, "arms": "plain,opmut", "trials": 2},
             "results": {r["id"]: r for r in ROWS}}
    mutants.report(out, state, [r["id"] for r in ROWS], {}, "scripts/mutants --arms plain,opmut")
    doc = json.load(open(os.path.join(out, "report.json")))
    expect("report.json arms", doc["arms"]["harnesses"][0]["ratio_s"], 2.0)
    md = open(os.path.join(out, "report.md")).read()
    for want in ("## Arms: without (plain) and with (opmut)",
                 "| `command_handler` | 4 | 6 | 2 | 1 | 3 | 2 | 3 | 20.0 | 10.0 | 2.0 |",
                 "| `x-1` | `command_handler` | 2 | not in 60.2 s (6000 execs) | 10.0 s, 600 execs "
                 "| 6.02 | paired |",
                 "0.3 s, 40 execs (seed replay)", "2 trial(s)"):
        if want not in md:
            errors.append(f"report.md lacks {want!r}")
    # A mutant that did not build has no trials: the report leaves it out of
    # the pairs (a row of an older state file kept the --arms text there).
    state["results"]["nb"] = {"id": "nb", "file": "src/x.cc", "line": 1, "op": "swap",
                              "orig": "a, b", "repl": "b, a", "status": "not built",
                              "error": "no viable conversion", "runs": [],
                              "arms": "plain,opmut", "arm_set": "plain,opmut"}
    mutants.report(out, state, [r["id"] for r in ROWS] + ["nb"], {}, "scripts/mutants --arms")
    doc = json.load(open(os.path.join(out, "report.json")))
    expect("not built: pairs", len(doc["arms"]["pairs"]), 6)
    # A run without --arms has no arms section.
    state["results"] = {"y": dict(ROWS[0], arms=None, id="y")}
    mutants.report(out, state, ["y"], {}, "scripts/mutants")
    expect("no arms", json.load(open(os.path.join(out, "report.json")))["arms"], None)

for e in errors:
    print("mutants_arms_test:", e, file=sys.stderr)
print("mutants_arms_test:", "FAILED" if errors else "ok")
sys.exit(1 if errors else 0)
