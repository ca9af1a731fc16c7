#!/usr/bin/python3
"""Checks the ClusterFuzzLite workflows in .github/workflows/ against the repo.

Usage: tests/workflows_check.py [--self-test] ROOT

ROOT is a checkout. The check fails (exit 1, one line per problem) unless:
  - .clusterfuzzlite/{Dockerfile,build.sh,project.yaml} exist, build.sh is
    executable and runs scripts/oss-fuzz-build (which exists and is
    executable), and the Dockerfile copies build.sh into $SRC;
  - .clusterfuzzlite/project.yaml and oss-fuzz/project.yaml name the same
    language, and oss-fuzz/project.yaml names the ClusterFuzzLite sanitizers
    plus memory (OSS-Fuzz only: scripts/oss-fuzz-local checks that build);
  - cflite_pr.yml (mode code-change), cflite_batch.yml (batch),
    cflite_build.yml (a build with upload-build) and cflite_cron.yml (prune,
    and coverage with the coverage sanitizer) exist and parse;
  - every fuzzing workflow (PR, batch, build) runs every sanitizer of
    project.yaml and no other; every build_fuzzers step names the project's
    language; each job's run_fuzzers step uses its build_fuzzers sanitizer;
  - every ClusterFuzzLite action is google/clusterfuzzlite/actions/...@v1;
  - oss-fuzz/Dockerfile and .clusterfuzzlite/Dockerfile get abseil and hiredis
    with scripts/debian-source (pinned in oss-fuzz/debian-sources.lock, the
    sources scripts/oss-fuzz-local compiles), and clone no repository.

--self-test breaks a copy of ROOT in each of those ways, one at a time, and
fails unless the check rejects every broken copy and accepts ROOT itself.
"""

import os
import shutil
import stat
import sys
import tempfile

import yaml

# Sanitizers OSS-Fuzz runs that the ClusterFuzzLite workflows do not: memory
# (its build is checked by scripts/oss-fuzz-local).
OSS_FUZZ_ONLY = ("memory",)
# What the images fetch with scripts/debian-source (oss-fuzz/debian-sources.lock).
DEPENDENCIES = ("abseil", "hiredis", "hiredis-1.2", "redis-7.0")

ACTIONS = "google/clusterfuzzlite/actions/"
FUZZ_MODES = {"cflite_pr.yml": "code-change", "cflite_batch.yml": "batch"}


def load(root, rel, problems):
    path = os.path.join(root, rel)
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError as e:
        problems.append(f"{rel}: cannot read ({e.strerror})")
    except yaml.YAMLError as e:
        problems.append(f"{rel}: not YAML ({str(e).splitlines()[0]})")
    return None


def steps_of(job):
    return [s for s in (job.get("steps") or []) if isinstance(s, dict)]


def action_of(step):
    uses = step.get("uses", "")
    if not uses.startswith(ACTIONS):
        return None
    return uses[len(ACTIONS):]


def matrix_sanitizers(job, step_sanitizer):
    """The sanitizers a job runs: its matrix's when the step says so."""
    if "${{ matrix.sanitizer }}" in str(step_sanitizer):
        m = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer")
        return list(m) if isinstance(m, list) else []
    return [step_sanitizer]


def dockerfile_sources(root):
    """Both images take abseil and hiredis from the pinned Debian sources."""
    problems = []
    lock = os.path.join(root, "oss-fuzz", "debian-sources.lock")
    pinned = set()
    if os.path.isfile(lock):
        with open(lock, encoding="utf-8") as f:
            pinned = {l.split()[0] for l in f if l.strip() and not l.lstrip().startswith("#")}
    for dep in DEPENDENCIES:
        if dep not in pinned:
            problems.append(f"oss-fuzz/debian-sources.lock: does not pin {dep}")
    for rel in (os.path.join("oss-fuzz", "Dockerfile"), os.path.join(".clusterfuzzlite", "Dockerfile")):
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            problems.append(f"{rel}: missing")
            continue
        with open(path, encoding="utf-8") as f:
            runs = [l.split(None, 1)[1] for l in f if l.split()[:1] == ["RUN"] and len(l.split()) > 1]
        fetch = [r for r in runs if "scripts/debian-source" in r]
        if not fetch or any(d not in fetch[0].split() for d in DEPENDENCIES):
            problems.append(f"{rel}: no RUN of scripts/debian-source for {' and '.join(DEPENDENCIES)}")
        if any("git clone" in r for r in runs):
            problems.append(f"{rel}: clones a repository instead of using the pinned Debian sources")
    return problems


def check(root):
    problems = []
    cfl = os.path.join(root, ".clusterfuzzlite")
    build_sh = os.path.join(cfl, "build.sh")
    oss_build = os.path.join(root, "scripts", "oss-fuzz-build")
    for p in (build_sh, oss_build):
        if not os.path.isfile(p):
            problems.append(f"{os.path.relpath(p, root)}: missing")
        elif not os.stat(p).st_mode & stat.S_IXUSR:
            problems.append(f"{os.path.relpath(p, root)}: not executable")
    if os.path.isfile(build_sh):
        with open(build_sh, encoding="utf-8") as f:
            if "scripts/oss-fuzz-build" not in f.read():
                problems.append(".clusterfuzzlite/build.sh: does not run scripts/oss-fuzz-build")
    dockerfile = os.path.join(cfl, "Dockerfile")
    if not os.path.isfile(dockerfile):
        problems.append(".clusterfuzzlite/Dockerfile: missing")
    else:
        with open(dockerfile, encoding="utf-8") as f:
            if not any(l.split()[:1] == ["COPY"] and ".clusterfuzzlite/build.sh" in l
                       for l in f):
                problems.append(".clusterfuzzlite/Dockerfile: does not COPY .clusterfuzzlite/build.sh")
    problems += dockerfile_sources(root)

    project = load(root, os.path.join(".clusterfuzzlite", "project.yaml"), problems) or {}
    oss = load(root, os.path.join("oss-fuzz", "project.yaml"), problems) or {}
    language = project.get("language")
    sanitizers = project.get("sanitizers") or []
    if not language:
        problems.append(".clusterfuzzlite/project.yaml: no language")
    if not sanitizers:
        problems.append(".clusterfuzzlite/project.yaml: no sanitizers")
    if oss and oss.get("language") != language:
        problems.append(f"oss-fuzz/project.yaml: language {oss.get('language')!r}, "
                        f".clusterfuzzlite says {language!r}")
    want_oss = sorted(set(sanitizers) | set(OSS_FUZZ_ONLY))
    if oss and sorted(oss.get("sanitizers") or []) != want_oss:
        problems.append(f"oss-fuzz/project.yaml: sanitizers {oss.get('sanitizers')}, "
                        f"want {want_oss} (.clusterfuzzlite's {sanitizers} plus "
                        f"{list(OSS_FUZZ_ONLY)})")

    seen_modes = {}
    for name in ("cflite_pr.yml", "cflite_batch.yml", "cflite_build.yml", "cflite_cron.yml"):
        wf = load(root, os.path.join(".github", "workflows", name), problems)
        if not isinstance(wf, dict):
            if wf is not None:
                problems.append(f"{name}: not a workflow")
            continue
        # YAML 1.1 reads the key `on` as the boolean true.
        if "on" not in wf and True not in wf:
            problems.append(f"{name}: no triggers (on:)")
        jobs = wf.get("jobs") or {}
        if not jobs:
            problems.append(f"{name}: no jobs")
        fuzzed = set()
        for job_name, job in jobs.items():
            build_sanitizers = None
            for step in steps_of(job):
                action = action_of(step)
                uses = step.get("uses", "")
                if "clusterfuzzlite" in uses and action is None:
                    problems.append(f"{name}: {job_name}: unexpected action {uses}")
                if action is None:
                    continue
                kind, _, version = action.partition("@")
                if version != "v1":
                    problems.append(f"{name}: {job_name}: {uses} is not @v1")
                args = step.get("with") or {}
                sans = matrix_sanitizers(job, args.get("sanitizer", "address"))
                if kind == "build_fuzzers":
                    if args.get("language") != language:
                        problems.append(f"{name}: {job_name}: build_fuzzers language "
                                        f"{args.get('language')!r}, the project's is {language!r}")
                    build_sanitizers = sans
                    if name == "cflite_build.yml":
                        if args.get("upload-build") is not True:
                            problems.append(f"{name}: {job_name}: build without upload-build: true")
                        fuzzed.update(sans)
                elif kind == "run_fuzzers":
                    mode = args.get("mode", "code-change")
                    seen_modes.setdefault(name, set()).add(mode)
                    if build_sanitizers is None:
                        problems.append(f"{name}: {job_name}: run_fuzzers before build_fuzzers")
                    elif sans != build_sanitizers:
                        problems.append(f"{name}: {job_name}: run_fuzzers sanitizer {sans}, "
                                        f"built with {build_sanitizers}")
                    if mode == "coverage" and sans != ["coverage"]:
                        problems.append(f"{name}: {job_name}: coverage mode needs the coverage sanitizer")
                    if mode in ("code-change", "batch"):
                        fuzzed.update(sans)
                else:
                    problems.append(f"{name}: {job_name}: unknown action {uses}")
        if name in FUZZ_MODES or name == "cflite_build.yml":
            if sorted(fuzzed) != sorted(sanitizers):
                problems.append(f"{name}: fuzzes with {sorted(fuzzed)}, "
                                f"project.yaml names {sorted(sanitizers)}")
        if name in FUZZ_MODES and FUZZ_MODES[name] not in seen_modes.get(name, set()):
            problems.append(f"{name}: no run_fuzzers step in mode {FUZZ_MODES[name]}")
        if name == "cflite_cron.yml":
            for mode in ("prune", "coverage"):
                if mode not in seen_modes.get(name, set()):
                    problems.append(f"{name}: no run_fuzzers step in mode {mode}")
    return problems


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        raise SystemExit(f"workflows_check: self-test: {path} has no {old!r} to break")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def self_test(root):
    wf = os.path.join(".github", "workflows")
    breaks = [
        ("PR fuzzing drops a sanitizer", os.path.join(wf, "cflite_pr.yml"),
         "sanitizer: [address, undefined]", "sanitizer: [address]"),
        ("batch fuzzing in the wrong mode", os.path.join(wf, "cflite_batch.yml"),
         "mode: batch", "mode: code-change"),
        ("continuous build without upload", os.path.join(wf, "cflite_build.yml"),
         "upload-build: true", "upload-build: false"),
        ("coverage with the address sanitizer", os.path.join(wf, "cflite_cron.yml"),
         "mode: coverage\n          sanitizer: coverage", "mode: coverage\n          sanitizer: address"),
        ("a wrong language", os.path.join(wf, "cflite_pr.yml"), "language: c++", "language: c"),
        ("an unpinned action", os.path.join(wf, "cflite_batch.yml"),
         "run_fuzzers@v1", "run_fuzzers@main"),
        ("project.yaml adds a sanitizer", os.path.join(".clusterfuzzlite", "project.yaml"),
         "  - undefined\n", "  - undefined\n  - memory\n"),
        ("oss-fuzz/project.yaml drops memory", os.path.join("oss-fuzz", "project.yaml"),
         "  - memory\n", ""),
        ("oss-fuzz/project.yaml drops undefined", os.path.join("oss-fuzz", "project.yaml"),
         "  - undefined\n", ""),
        ("the OSS-Fuzz image clones abseil", os.path.join("oss-fuzz", "Dockerfile"),
         "RUN $SRC/respfuzz/scripts/debian-source",
         "RUN git clone --depth 1 https://github.com/abseil/abseil-cpp.git $SRC/abseil-cpp\n"
         "RUN $SRC/respfuzz/scripts/debian-source"),
        ("the ClusterFuzzLite image skips hiredis", os.path.join(".clusterfuzzlite", "Dockerfile"),
         "abseil hiredis", "abseil"),
        ("the OSS-Fuzz image skips hiredis 1.2", os.path.join("oss-fuzz", "Dockerfile"),
         "hiredis hiredis-1.2", "hiredis"),
        ("the OSS-Fuzz image skips redis 7.0", os.path.join("oss-fuzz", "Dockerfile"),
         "hiredis-1.2 redis-7.0", "hiredis-1.2"),
        ("build.sh runs another script", os.path.join(".clusterfuzzlite", "build.sh"),
         "scripts/oss-fuzz-build", "scripts/build"),
        ("a workflow that is not YAML", os.path.join(wf, "cflite_cron.yml"),
         "jobs:", "jobs: [\n"),
    ]
    failures = []
    base = check(root)
    if base:
        failures.append("the repository itself fails: " + "; ".join(base))
    for what, rel, old, new in breaks:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "repo")
            os.makedirs(copy)
            for sub in (".clusterfuzzlite", ".github", "oss-fuzz"):
                shutil.copytree(os.path.join(root, sub), os.path.join(copy, sub))
            os.makedirs(os.path.join(copy, "scripts"))
            shutil.copy2(os.path.join(root, "scripts", "oss-fuzz-build"),
                         os.path.join(copy, "scripts", "oss-fuzz-build"))
            edit(os.path.join(copy, rel), old, new)
            got = check(copy)
            print(f"self-test: {what}: {'caught: ' + got[0] if got else 'NOT CAUGHT'}")
            if not got:
                failures.append(f"{what}: not caught")
    for f in failures:
        print(f"workflows_check: self-test: {f}", file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    args = argv[1:]
    if args in ([], ["-h"], ["--help"]) or len(args) > 2:
        print(__doc__.strip())
        return 0 if args in (["-h"], ["--help"]) else 2
    if args[0] == "--self-test":
        if len(args) != 2:
            print("workflows_check: --self-test needs ROOT", file=sys.stderr)
            return 2
        return self_test(args[1])
    if len(args) != 1:
        print(f"workflows_check: unexpected argument {args[1]!r}", file=sys.stderr)
        return 2
    problems = check(args[0])
    for p in problems:
        print(f"workflows_check: {p}", file=sys.stderr)
    if not problems:
        print("workflows_check: 4 ClusterFuzzLite workflows agree with .clusterfuzzlite/ "
              "and oss-fuzz/project.yaml")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
