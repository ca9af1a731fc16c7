#!/usr/bin/env bash
# tests/debian_source_test.sh: scripts/debian-source against a source package
# built here and served from a file:// mirror (no network): it unpacks a
# pinned package, leaves an unpacked one alone, and refuses a .dsc or tarball
# that does not match its pin, a missing package and bad arguments, each with
# one error line, a non-zero exit and nothing left in --dest.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
tool="$root/scripts/debian-source"
case ${1:-} in
  -h | --help)
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/respfuzz-debian-source-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() {
  echo "ok    $*"
  passed=$((passed + 1))
}
bad() {
  echo "FAIL  $*" >&2
  failed=$((failed + 1))
}

# A 3.0 (native) source package "demo" at version 1:1.0 (an epoch, as
# llvm-toolchain-19 has), in mirror/pool/main/d/demo/.
mkdir -p "$tmp/pkg/demo-1.0/debian/source" "$tmp/mirror/pool/main/d/demo"
echo "3.0 (native)" >"$tmp/pkg/demo-1.0/debian/source/format"
printf 'Source: demo\nMaintainer: Test <test@example.invalid>\nStandards-Version: 4.6.2\n\nPackage: demo\nArchitecture: all\nDescription: test\n test\n' \
  >"$tmp/pkg/demo-1.0/debian/control"
printf 'demo (1:1.0) unstable; urgency=low\n\n  * Test.\n\n -- Test <test@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n' \
  >"$tmp/pkg/demo-1.0/debian/changelog"
echo hello >"$tmp/pkg/demo-1.0/file.txt"
(cd "$tmp/pkg" && dpkg-source -b demo-1.0 >/dev/null 2>&1) || {
  echo "FAIL  dpkg-source -b could not build the test package" >&2
  exit 1
}
cp "$tmp/pkg/demo_1.0.dsc" "$tmp/pkg/demo_1.0.tar.xz" "$tmp/mirror/pool/main/d/demo/"
sum=$(sha256sum "$tmp/pkg/demo_1.0.dsc" | cut -d' ' -f1)
printf '# test lock\ndemo 1:1.0 %s demo-src\n' "$sum" >"$tmp/good.lock"
printf 'demo 1:1.0 %s demo-src\n' "$(printf '0%.0s' {1..64})" >"$tmp/wrongpin.lock"

run() { # run LOCK ARGS...: stdout in $tmp/out, stderr in $tmp/err, exit status in $rc
  rc=0
  RESPFUZZ_DEBIAN_SOURCES_LOCK=$1 "$tool" "${@:2}" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
mirror="file://$tmp/mirror"

run "$tmp/good.lock" --mirror "$mirror" --dest "$tmp/d1" demo
if [ $rc -eq 0 ] && [ "$(cat "$tmp/d1/demo-src/file.txt" 2>/dev/null)" = hello ]; then
  ok "unpacks the pinned package into DEST/demo-src"
else
  bad "unpacking: exit $rc, $(tail -n 1 "$tmp/err")"
fi
if [ -z "$(find "$tmp/d1" -mindepth 1 -maxdepth 1 ! -name demo-src)" ]; then
  ok "leaves nothing else in DEST (no tarball links, no partial directory)"
else
  bad "left in DEST: $(ls -A "$tmp/d1" | xargs)"
fi
run "$tmp/good.lock" --mirror "file://$tmp/nowhere" --dest "$tmp/d1" demo
if [ $rc -eq 0 ] && grep -q 'already in' "$tmp/out"; then
  ok "a package unpacked at the pinned version is not fetched again"
else
  bad "second run: exit $rc, $(tail -n 1 "$tmp/err")"
fi
# An entry named apart from its source package (as redis-7.0 is Debian's
# "redis"): the fifth column names the package fetched.
printf 'demo-1 1:1.0 %s demo-one demo\n' "$sum" >"$tmp/renamed.lock"
run "$tmp/renamed.lock" --mirror "$mirror" --dest "$tmp/d3" demo-1
if [ $rc -eq 0 ] && [ "$(cat "$tmp/d3/demo-one/file.txt" 2>/dev/null)" = hello ]; then
  ok "an entry whose fifth column names its source package fetches that package"
else
  bad "renamed entry: exit $rc, $(tail -n 1 "$tmp/err")"
fi

# expect_error WHAT PATTERN LOCK ARGS...: exit 1, one error line naming the
# problem, nothing in DEST.
expect_error() {
  local what=$1 pattern=$2
  shift 2
  rm -rf "$tmp/d2"
  run "$@"
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^debian-source: .*$pattern" "$tmp/err" &&
    [ -z "$(ls -A "$tmp/d2" 2>/dev/null)" ]; then
    ok "$what: exit $rc, '$(cat "$tmp/err")'"
  else
    bad "$what: exit $rc, stderr: $(head -c 300 "$tmp/err"), dest: $(ls -A "$tmp/d2" 2>/dev/null | xargs)"
  fi
}
expect_error "a .dsc that does not match its pin" "SHA-256 wrongpin.lock gives" \
  "$tmp/wrongpin.lock" --mirror "$mirror" --dest "$tmp/d2" demo
cp "$tmp/mirror/pool/main/d/demo/demo_1.0.tar.xz" "$tmp/orig.tar.xz"
echo tampered >>"$tmp/mirror/pool/main/d/demo/demo_1.0.tar.xz"
expect_error "a tarball that does not match the .dsc" "SHA-256 demo_1.0.dsc gives" \
  "$tmp/good.lock" --mirror "$mirror" --dest "$tmp/d2" demo
cp "$tmp/orig.tar.xz" "$tmp/mirror/pool/main/d/demo/demo_1.0.tar.xz"
expect_error "a package missing from the mirror" "downloading .* failed" \
  "$tmp/good.lock" --mirror "file://$tmp/nowhere" --dest "$tmp/d2" demo
expect_error "a name the lock file does not pin" "no package 'nope'" \
  "$tmp/good.lock" --mirror "$mirror" --dest "$tmp/d2" nope
expect_error "no --dest" "--dest is required" "$tmp/good.lock" demo
expect_error "no package named" "name at least one package" "$tmp/good.lock" --dest "$tmp/d2"
expect_error "an unknown option" "unknown option '--bogus'" "$tmp/good.lock" --bogus
expect_error "--mirror without a value" "--mirror needs a value" "$tmp/good.lock" --mirror

# The real lock file: every entry well formed.
run "$root/oss-fuzz/debian-sources.lock" --list
if [ $rc -eq 0 ] && awk 'NF != 5 || length($3) != 64 || $3 ~ /[^0-9a-f]/ { bad = 1 } END { exit (bad || NR < 4) }' "$tmp/out" &&
  grep -q '^abseil .* abseil$' "$tmp/out" && grep -q '^hiredis .* hiredis$' "$tmp/out" &&
  grep -q '^llvm-toolchain-19 .* llvm-toolchain-19$' "$tmp/out" &&
  grep -q '^redis-7.0 5:7.0.15-1~deb12u7 .* redis$' "$tmp/out"; then
  ok "oss-fuzz/debian-sources.lock pins abseil, hiredis, llvm-toolchain-19 and redis-7.0 (Debian's redis) by SHA-256"
else
  bad "oss-fuzz/debian-sources.lock: $(cat "$tmp/out" "$tmp/err")"
fi
# The versions pinned are the ones scripts/setup installs for the ordinary builds.
for pair in "abseil libabsl-dev" "hiredis libhiredis-dev" "llvm-toolchain-19 clang-19"; do
  read -r src bin <<<"$pair"
  pinned=$(awk -v n="$src" '$1 == n { print $2 }' "$tmp/out")
  installed=$(dpkg-query -W -f='${Version}' "$bin" 2>/dev/null || true)
  if [ -n "$installed" ] && [ "$pinned" = "$installed" ]; then
    ok "$src $pinned is the version of the installed $bin"
  else
    bad "$src pinned at $pinned, $bin installed at ${installed:-nothing}"
  fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
