#!/usr/bin/env bash
# tests/targets_test.sh: scripts/targets on a tiny server source package built
# here and served from a file:// mirror (no network, seconds): it builds with
# the flags and make arguments the package's debian/rules give, caches by pin,
# rebuilds to the same bytes, and leaves nothing that looks complete after a
# failed, interrupted or timed-out build; two invocations at once build once;
# bad usage is one line and exit 2.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
tool="$root/scripts/targets"
. "$root/tests/checks.sh"
header_help "$@"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/respfuzz-targets-test.XXXXXX")
bg=()
finish() {
  for p in ${bg[@]+"${bg[@]}"}; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap finish EXIT

# A 3.0 (native) source package "demo" 1:1.0 whose debian/rules export
# hardening and an appended CFLAGS word and give make one argument; its
# Makefile builds demo-server, demo-cli and demo-benchmark from C, each
# printing the argument, whether the appended word reached the compiler and
# SOURCE_DATE_EPOCH. DEMO_SLEEP, DEMO_FAIL and DEMO_COUNT (a file each build
# of a program appends a line to) steer it.
pkg="$tmp/pkg/demo-1.0"
mkdir -p "$pkg/debian/source" "$pkg/src" "$tmp/mirror/pool/main/d/demo"
echo "3.0 (native)" >"$pkg/debian/source/format"
printf 'Source: demo\nMaintainer: Test <test@example.invalid>\nStandards-Version: 4.6.2\n\nPackage: demo\nArchitecture: any\nDescription: test\n test\n' \
  >"$pkg/debian/control"
printf 'demo (1:1.0) unstable; urgency=low\n\n  * Test.\n\n -- Test <test@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n' \
  >"$pkg/debian/changelog"
cat >"$pkg/debian/rules" <<'EOF'
#!/usr/bin/make -f
export DEB_BUILD_MAINT_OPTIONS = hardening=+all
export DEB_CFLAGS_MAINT_APPEND = -DDEMO_APPENDED
%:
	dh $@
override_dh_auto_build:
	dh_auto_build -- DEMO_ARG=from-rules
EOF
printf 'all:\n\t$(MAKE) -C src\n' >"$pkg/Makefile"
cat >"$pkg/src/demo.c" <<'EOF'
#include <stdio.h>
int main(void) {
#ifdef DEMO_APPENDED
  const char *appended = "appended";
#else
  const char *appended = "not-appended";
#endif
  printf("%s %s %s %s\n", PROGRAM, DEMO_ARG, appended, EPOCH);
  return 0;
}
EOF
cat >"$pkg/src/Makefile" <<'EOF'
all: demo-server demo-cli demo-benchmark
demo-%: demo.c
	@if [ -n "$$DEMO_SLEEP" ]; then sleep "$$DEMO_SLEEP"; fi
	@if [ -n "$$DEMO_FAIL" ]; then echo "demo: failing as asked" >&2; exit 1; fi
	@if [ -n "$$DEMO_COUNT" ]; then echo $@ >>"$$DEMO_COUNT"; fi
	$(CC) $(CPPFLAGS) $(CFLAGS) -DPROGRAM='"$@"' -DDEMO_ARG='"$(DEMO_ARG)"' -DEPOCH='"'"$$SOURCE_DATE_EPOCH"'"' -c demo.c -o $@.o
	$(CC) $(LDFLAGS) $@.o -o $@
EOF
(cd "$tmp/pkg" && dpkg-source -b demo-1.0 >/dev/null 2>&1) || {
  echo "FAIL  dpkg-source -b could not build the test package" >&2
  exit 1
}
cp "$tmp/pkg/demo_1.0.dsc" "$tmp/pkg/demo_1.0.tar.xz" "$tmp/mirror/pool/main/d/demo/"
sum=$(sha256sum "$tmp/pkg/demo_1.0.dsc" | cut -d' ' -f1)
printf 'demo 1:1.0 %s demo-1.0\n' "$sum" >"$tmp/demo.lock"
epoch=$(dpkg-parsechangelog -l "$pkg/debian/changelog" -STimestamp)

export RESPFUZZ_DEBIAN_SOURCES_LOCK="$tmp/demo.lock" RESPFUZZ_TARGETS="demo:server:demo"
export RESPFUZZ_DEBIAN_MIRROR="file://$tmp/mirror" DEMO_COUNT="$tmp/count"
run() { # run ARGS...: stdout in $tmp/out, stderr in $tmp/err, exit status in $rc
  rc=0
  "$tool" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
count() { [ -f "$tmp/count" ] && wc -l <"$tmp/count" || echo 0; }
# complete_dirs CACHE: the names of the target directories in CACHE.
complete_dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d -name 'demo-*' -printf '%f\n' 2>/dev/null; }
# leftovers CACHE: anything a build leaves besides locks and downloads.
leftovers() {
  find "$1" -mindepth 1 -maxdepth 1 ! -name '.*.lock' ! -name downloads -printf '%f ' 2>/dev/null
}
want_dir="demo-${sum:0:12}"

# ---------------------------------------------------------------- bad usage
expect_usage() { # expect_usage WHAT PATTERN ARGS...
  local what=$1 pattern=$2
  shift 2
  run --cache "$tmp/c0" "$@"
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^targets: .*$pattern" "$tmp/err" &&
    [ ! -e "$tmp/c0" ]; then
    ok "$what: exit 2, '$(cat "$tmp/err")'"
  else
    bad "$what: exit $rc, stderr: $(head -c 300 "$tmp/err")"
  fi
}
expect_usage "no action" "say what to do"
expect_usage "an unknown target" "unknown target 'nope' (known: demo)" --print-path nope
expect_usage "--print-path with two names" "takes one name" --print-path demo demo
expect_usage "an unknown option" "unknown option '--bogus'" --bogus
expect_usage "--jobs 0" "positive integer" --jobs 0 --build
expect_usage "--cache without a value" "--cache needs a value" --build --cache
expect_usage "two actions" "cannot be combined" --build --list
run --help
if [ $rc -eq 0 ] && grep -q -- '--print-path NAME' "$tmp/out"; then ok "--help"; else bad "--help: exit $rc"; fi

# ---------------------------------------------------------------- a build
c="$tmp/c1"
run --cache "$c" --list
if [ $rc -eq 0 ] && grep -q '^demo .* server  missing' "$tmp/out"; then
  ok "--list before a build: missing"
else
  bad "--list before a build: exit $rc, $(cat "$tmp/out" "$tmp/err")"
fi
run --cache "$c" --print-path demo
dir=$(cat "$tmp/out")
if [ $rc -eq 0 ] && [ "$dir" = "$c/$want_dir" ] && [ "$(count)" -eq 3 ]; then
  ok "--print-path builds and prints CACHE/demo-<12 hex digits of the pin>"
else
  bad "--print-path: exit $rc, printed '$dir', $(count) programs built, $(tail -n 3 "$tmp/err")"
fi
got=$("$dir/bin/demo-server" 2>&1)
if [ "$got" = "demo-server from-rules appended $epoch" ]; then
  ok "the rules' make argument, DEB_CFLAGS_MAINT_APPEND and the changelog's SOURCE_DATE_EPOCH reach the build"
else
  bad "demo-server printed '$got', not 'demo-server from-rules appended $epoch'"
fi
if [ -x "$dir/bin/demo-cli" ] && [ -x "$dir/bin/demo-benchmark" ] && [ -f "$dir/src/debian/rules" ] &&
  grep -q '^CFLAGS: .*-fstack-protector-strong.*-DDEMO_APPENDED' "$dir/BUILD-INFO" &&
  grep -q '^make: make -j[0-9]* DEMO_ARG=from-rules$' "$dir/BUILD-INFO" &&
  grep -q '^seconds: [0-9]' "$dir/BUILD-INFO" && grep -q 'demo-server$' "$dir/BUILD-INFO"; then
  ok "bin/ holds the three programs; BUILD-INFO the hardening flags, the make command, the seconds, the SHA-256"
else
  bad "bin/ or BUILD-INFO incomplete: $(ls "$dir/bin" 2>&1 | xargs); $(cat "$dir/BUILD-INFO" 2>&1)"
fi
if [ "$(leftovers "$c")" = "$want_dir " ]; then
  ok "nothing else left in the cache (no partial directory)"
else
  bad "left in the cache: $(leftovers "$c")"
fi
before=$(sha256sum <"$dir/bin/demo-server")
run --cache "$c" --print-path demo
if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$dir" ] && [ "$(count)" -eq 3 ] && [ ! -s "$tmp/err" ]; then
  ok "a second --print-path builds nothing and prints only the path"
else
  bad "second --print-path: exit $rc, $(count) programs built, stderr: $(cat "$tmp/err")"
fi
run --cache "$c" --list
if [ $rc -eq 0 ] && grep -q "^demo .* server  built .* $dir\$" "$tmp/out"; then
  ok "--list after the build: built"
else
  bad "--list after the build: $(cat "$tmp/out" "$tmp/err")"
fi
run --cache "$c" --rebuild demo
if [ $rc -eq 0 ] && [ "$(count)" -eq 6 ] && [ "$(sha256sum <"$dir/bin/demo-server")" = "$before" ]; then
  ok "--rebuild builds again, to the same bytes"
else
  bad "--rebuild: exit $rc, $(count) programs built, same bytes: $([ "$(sha256sum <"$dir/bin/demo-server")" = "$before" ] && echo yes || echo no)"
fi
# A target built by another recipe (here: another stamp) is stale: rebuilt.
echo "demo 1:1.0 $sum another-recipe" >"$dir/.respfuzz-target"
run --cache "$c" --list
stale=$(grep -c '^demo .* stale ' "$tmp/out")
run --cache "$c" --print-path demo
if [ "$stale" -eq 1 ] && [ $rc -eq 0 ] && [ "$(count)" -eq 9 ]; then
  ok "a directory with another recipe's stamp is listed stale and rebuilt"
else
  bad "stale stamp: listed stale: $stale, exit $rc, $(count) programs built"
fi
mkdir -p "$c/demo-000000000000"
run --cache "$c" --prune
if [ $rc -eq 0 ] && [ ! -e "$c/demo-000000000000" ] && [ -x "$dir/bin/demo-server" ]; then
  ok "--prune removes a directory no pin names and keeps the current one"
else
  bad "--prune: exit $rc, $(ls -A "$c" | xargs)"
fi

# ---------------------------------------------------------------- failures
c="$tmp/c2"
DEMO_FAIL=1 run --cache "$c" --build demo
if [ $rc -eq 1 ] && grep -q 'demo: failing as asked' "$tmp/err" && grep -q '^targets: make failed' "$tmp/err" &&
  [ -z "$(leftovers "$c")" ]; then
  ok "a failed build: exit 1, the log's end shown, nothing left but the lock"
else
  bad "failed build: exit $rc, left: $(leftovers "$c"), stderr: $(tail -n 2 "$tmp/err")"
fi
c="$tmp/c3"
# A sleep no other process runs: the make below is the only one with it.
nap="29.$$"
DEMO_SLEEP=$nap "$tool" --cache "$c" --build demo >/dev/null 2>"$tmp/err3" &
victim=$!
bg+=("$victim")
for _ in $(seq 100); do
  pgrep -fx "sleep $nap" >/dev/null && break
  sleep 0.1
done
running=$(pgrep -fx "sleep $nap" | wc -l)
kill -TERM "$victim"
wait "$victim"
vrc=$?
for _ in $(seq 20); do
  pgrep -fx "sleep $nap" >/dev/null || break
  sleep 0.1
done
# The make the script started runs in its own session: it must be stopped too.
if [ "$running" -ge 1 ] && [ $vrc -ne 0 ] && [ -z "$(complete_dirs "$c")" ] && [ -z "$(leftovers "$c")" ] &&
  ! pgrep -fx "sleep $nap" >/dev/null; then
  ok "an interrupted build (SIGTERM mid-make): exit $vrc, nothing left, its make and compilers stopped"
else
  bad "interrupted build: make was running: $running, exit $vrc, left: $(leftovers "$c"), still running: $(pgrep -fx "sleep $nap" | wc -l)"
fi

# ---------------------------------------------------------------- concurrency
c="$tmp/c4"
rm -f "$tmp/count"
# B starts once A holds the lock and is building (its .partial directory is
# there) and A's make sleeps 3 s, so B always meets the running build: on a
# loaded machine, two invocations started together once saw B reach its
# is-it-built check only after A had finished.
DEMO_SLEEP=3 "$tool" --cache "$c" --print-path demo >"$tmp/outA" 2>"$tmp/errA" &
a=$!
bg+=("$a")
for _ in $(seq 200); do
  compgen -G "$c/.demo-*.partial" >/dev/null && break
  sleep 0.05
done
DEMO_SLEEP=3 "$tool" --cache "$c" --print-path demo >"$tmp/outB" 2>"$tmp/errB" &
b=$!
bg+=("$b")
wait "$a"
rca=$?
wait "$b"
rcb=$?
if [ $rca -eq 0 ] && [ $rcb -eq 0 ] && [ "$(cat "$tmp/outA")" = "$c/$want_dir" ] &&
  [ "$(cat "$tmp/outB")" = "$c/$want_dir" ] && [ "$(count)" -eq 3 ] &&
  cat "$tmp/errA" "$tmp/errB" | grep -q 'built by the other invocation' &&
  [ "$(leftovers "$c")" = "$want_dir " ]; then
  ok "two --print-path at once: both print the directory, one builds, the other waits and uses it"
else
  bad "concurrent: exit $rca/$rcb, $(count) programs built, left: $(leftovers "$c"), A said: $(tail -n 2 "$tmp/errA"), B said: $(cat "$tmp/errB")"
fi
c="$tmp/c5"
mkdir -p "$c"
flock "$c/.demo.lock" sleep 5 &
holder=$!
bg+=("$holder")
sleep 0.3
RESPFUZZ_TARGETS_LOCK_WAIT=1 run --cache "$c" --build demo
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
if [ $rc -eq 1 ] && grep -q 'gave up waiting' "$tmp/err" && [ -z "$(complete_dirs "$c")" ]; then
  ok "a build that cannot get the lock in time: exit 1, '$(tail -n 1 "$tmp/err")'"
else
  bad "lock timeout: exit $rc, $(cat "$tmp/err")"
fi

summary
