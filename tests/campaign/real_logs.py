#!/usr/bin/python3
"""Real crash logs for the campaign report's tests, and the check that the
committed ones are still what the harnesses print.

usage: tests/campaign/real_logs.py write BUILD_DIR RUN_DIR
       tests/campaign/real_logs.py check [--self-test] BUILD_DIR FIXTURE_DIR

The inputs are the programs in tests/campaign/planted/HARNESS/*.txt, each of
which fails one check of HARNESS once a bug is planted; the binaries are
BUILD_DIR/tests/campaign/planted_HARNESS (tests/campaign/planted_harness.cc:
the harness's runner with the bug planted, its FUZZ_CHECK_VERDICT, its engine),
the encoder BUILD_DIR/harnesses/respfuzz_encode_seeds_HARNESS.

write (BUILD_DIR of the fuzz preset, libFuzzer): RUN_DIR becomes a finished
  run directory as `scripts/fuzz --report` leaves it (run.json; per harness
  meta.json, fuzz.log, timeline.tsv, crashes/): each input is fuzzed from a
  corpus of itself alone (-seed=1 -runs=0), so libFuzzer runs it first, hits
  the violation and writes the crash section and the artifact a campaign
  would. fuzz.log is those outputs one after the other; the timeline has a row
  per input and no status lines (these runs stop before any). Existing
  RUN_DIR/HARNESS/ directories are replaced.
check: the committed FIXTURE_DIR against BUILD_DIR's binaries. A libFuzzer
  build writes a fresh run directory and compares: the same artifacts (the
  inputs encode to the same bytes), each artifact's check report (from the
  "==respfuzz== check failed:" line to its end line) the same line for line,
  and tools/campaign/report.py grouping both runs the same way. A replay build
  (the dev preset) runs each input and compares its check report with the
  fixture's for that artifact. --self-test plants a drift in copies of the
  fixture (a check report changed; an artifact the inputs do not give) and
  fails unless check finds each.

Exit status: 0 ok; 1 a difference (each printed) or a failed run; 2 bad usage.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLANTED = os.path.join(HERE, "planted")
CHECK_START = "==respfuzz== check failed:"
CHECK_END = "==respfuzz== end of check failure"
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")


class Failure(Exception):
    pass


def harnesses():
    return sorted(d for d in os.listdir(PLANTED) if os.path.isdir(os.path.join(PLANTED, d)))


def engine_of(build):
    try:
        cache = open(os.path.join(build, "CMakeCache.txt")).read()
    except OSError as e:
        raise Failure(f"{build}: not a build directory ({e.strerror})")
    m = re.search(r"^RESPFUZZ_ENGINE:\w+=(\S+)$", cache, re.M)
    return m.group(1) if m else "?"


def encoded_inputs(build, h, work):
    """(name, path of the encoded bytes) of every planted program of h."""
    encoder = os.path.join(build, "harnesses", f"respfuzz_encode_seeds_{h}")
    out = []
    for txt in sorted(f for f in os.listdir(os.path.join(PLANTED, h)) if f.endswith(".txt")):
        dest = os.path.join(work, f"{h}-{txt[:-4]}.bin")
        p = subprocess.run([encoder, h, os.path.join(PLANTED, h, txt), dest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise Failure(f"encoding {h}/{txt} failed: {p.stdout.decode(errors='replace')}")
        out.append((txt, dest))
    if not out:
        raise Failure(f"no programs in {os.path.join(PLANTED, h)}")
    return out


def binary(build, h):
    path = os.path.join(build, "tests", "campaign", f"planted_{h}")
    if not os.access(path, os.X_OK):
        raise Failure(f"{path} is not built")
    return path


def write_run(build, run_dir):
    if engine_of(build) != "libfuzzer":
        raise Failure(f"{build}: write needs a libFuzzer build (the fuzz preset)")
    os.makedirs(run_dir, exist_ok=True)
    names = harnesses()
    with tempfile.TemporaryDirectory() as work:
        for h in names:
            bin_path = binary(build, h)
            hdir = os.path.join(run_dir, h)
            shutil.rmtree(hdir, ignore_errors=True)
            os.makedirs(os.path.join(hdir, "crashes"))
            log, rows = [], ["time\texecs\texec_per_s\tcov\tft\tcorpus\trss_mb\tevent"]
            for i, (txt, encoded) in enumerate(encoded_inputs(build, h, work)):
                corpus = os.path.join(work, f"corpus-{h}-{i}")
                os.makedirs(corpus)
                shutil.copy(encoded, corpus)
                p = subprocess.run([bin_path, "-seed=1", "-runs=0",
                                    f"-artifact_prefix={os.path.join(hdir, 'crashes')}/", corpus],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
                text = p.stdout.decode("utf-8", "replace")
                want = "crash-" + hashlib.sha1(open(encoded, "rb").read()).hexdigest()
                if p.returncode == 0 or not os.path.exists(os.path.join(hdir, "crashes", want)):
                    raise Failure(f"{h}/{txt}: the planted binary did not crash with an artifact "
                                  f"(exit {p.returncode}):\n{text[-2000:]}")
                log.append(text)
                rows.append(f"{i + 1}\t\t\t\t\t\t\tcrash")
            with open(os.path.join(hdir, "fuzz.log"), "w") as f:
                f.write("".join(log))
            with open(os.path.join(hdir, "timeline.tsv"), "w") as f:
                f.write("\n".join(rows) + "\n")
            meta = {"harness": h, "engine": "libfuzzer", "budget_s": 0, "elapsed_s": len(rows) - 1,
                    "exit_code": 77, "structured": True, "binary": bin_path, "cli": "",
                    "root": ROOT, "options": []}
            with open(os.path.join(hdir, "meta.json"), "w") as f:
                json.dump(meta, f, indent=2)
                f.write("\n")
    run = {"engine": "libfuzzer", "harnesses": names, "budget_s": 0,
           "started": "planted inputs (tests/campaign/planted)", "commit": "fixture",
           "command": "tests/campaign/real_logs.py write build/fuzz RUN"}
    with open(os.path.join(run_dir, "run.json"), "w") as f:
        json.dump(run, f, indent=2)
        f.write("\n")


def check_blocks(text):
    """Every check report in a log, keyed by the artifact written after it
    (None when none is)."""
    blocks, cur, pending = {}, None, []
    for line in text.splitlines():
        if line.startswith(CHECK_START):
            cur = [line]
            continue
        if cur is not None:
            cur.append(line)
            if line == CHECK_END:
                pending.append("\n".join(cur))
                cur = None
            continue
        m = ARTIFACT_RE.search(line)
        if m and pending:
            blocks[os.path.basename(m.group(1))] = pending.pop()
            pending = []
    if pending:
        blocks[None] = pending[-1]
    return blocks


def groups_of(run_dir, h):
    sys.path.insert(0, os.path.join(ROOT, "tools", "campaign"))
    import report  # noqa: E402
    meta = json.load(open(os.path.join(run_dir, h, "meta.json")))
    meta.update(binary="", cli="")  # group what the log says; replay nothing
    return [(g["kind"], g["top_frames"], g["count"], [os.path.basename(f) for f in g["files"]])
            for g in report.crash_groups(os.path.join(run_dir, h), meta, False)]


def check(build, fixture):
    problems = []
    engine = engine_of(build)
    with tempfile.TemporaryDirectory() as work:
        if engine == "libfuzzer":
            fresh = os.path.join(work, "run")
            write_run(build, fresh)
            for h in harnesses():
                got = sorted(os.listdir(os.path.join(fresh, h, "crashes")))
                want = sorted(os.listdir(os.path.join(fixture, h, "crashes")))
                if got != want:
                    problems.append(f"{h}: the planted inputs give artifacts {got}, the fixture "
                                    f"has {want}")
                new = check_blocks(open(os.path.join(fresh, h, "fuzz.log")).read())
                old = check_blocks(open(os.path.join(fixture, h, "fuzz.log")).read())
                for a in sorted(set(old) | set(new), key=str):
                    if old.get(a) != new.get(a):
                        problems.append(f"{h}: {a}: the check report differs\n--- fixture:\n"
                                        f"{old.get(a)}\n--- now:\n{new.get(a)}")
                if groups_of(fresh, h) != groups_of(fixture, h):
                    problems.append(f"{h}: report groups {groups_of(fresh, h)}, the fixture's "
                                    f"{groups_of(fixture, h)}")
        elif engine == "replay":
            for h in harnesses():
                old = check_blocks(open(os.path.join(fixture, h, "fuzz.log")).read())
                for txt, encoded in encoded_inputs(build, h, work):
                    a = "crash-" + hashlib.sha1(open(encoded, "rb").read()).hexdigest()
                    p = subprocess.run([binary(build, h), encoded], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, timeout=120)
                    new = check_blocks(p.stdout.decode("utf-8", "replace")).get(None)
                    if a not in old:
                        problems.append(f"{h}/{txt}: encodes to {a}, which the fixture lacks")
                    elif new != old[a]:
                        problems.append(f"{h}/{txt}: the check report differs\n--- fixture:\n"
                                        f"{old[a]}\n--- now:\n{new}")
        else:
            raise Failure(f"{build}: engine {engine}: check needs libfuzzer or replay")
    return problems


def self_test(build, fixture):
    """check must find a fixture that drifted: a check report changed (the op
    of one staleness violation), and an artifact the inputs no longer give."""
    failures = []

    def changed_op(d):
        log = os.path.join(d, "invalidation", "fuzz.log")
        text = open(log).read()
        assert 'op="read GET" step=7' in text
        open(log, "w").write(text.replace('op="read GET" step=7', 'op="read HGET" step=7', 1))

    def renamed_artifact(d):
        crashes = os.path.join(d, "command_handler", "crashes")
        name = sorted(os.listdir(crashes))[0]
        os.rename(os.path.join(crashes, name), os.path.join(crashes, name[:-1] + "0"))
        log = os.path.join(d, "command_handler", "fuzz.log")
        open(log, "w").write(open(log).read().replace(name, name[:-1] + "0"))

    plants = {"a check report changed": changed_op}
    if engine_of(build) == "libfuzzer":
        plants["an artifact the inputs do not give"] = renamed_artifact
    with tempfile.TemporaryDirectory() as work:
        for name, plant in plants.items():
            copy = os.path.join(work, re.sub(r"\W+", "_", name))
            shutil.copytree(fixture, copy)
            plant(copy)
            if check(build, copy):
                print(f"ok: caught {name}")
            else:
                failures.append(f"plant not caught: {name}")
    return failures


def main(argv):
    modes = [a for a in argv if a == "--self-test"]
    argv = [a for a in argv if a not in modes]
    if (len(argv) != 3 or argv[0] not in ("write", "check") or not os.path.isdir(argv[1]) or
            (modes and argv[0] != "check")):
        print("usage: tests/campaign/real_logs.py write|check [--self-test] BUILD_DIR DIR",
              file=sys.stderr)
        return 2
    mode, build, target = argv[0], os.path.abspath(argv[1]), argv[2]
    try:
        if mode == "write":
            write_run(build, target)
            print(f"real_logs: wrote {target}")
            return 0
        problems = self_test(build, target) if modes else check(build, target)
    except (Failure, OSError, subprocess.TimeoutExpired) as e:
        print(f"real_logs: {e}", file=sys.stderr)
        return 1
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("self-test: every plant caught" if modes else
              f"ok: {target} is what the planted binaries of {build} print")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
