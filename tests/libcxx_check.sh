#!/usr/bin/env bash
# libcxx_check.sh SOURCE_DIR: OSS-Fuzz compiles with libc++, the local builds
# with libstdc++. Every core and harness source must at least compile against
# libc++ (e.g. libc++ 19 has no floating-point std::from_chars). The files are
# checked on every core at once (JOBS, default nproc).
set -uo pipefail
src=$1
cxx=${CXX_LIBCXX:-clang++-19}
jobs=${JOBS:-$(nproc)}
command -v "$cxx" >/dev/null || { echo "FAIL: $cxx not found (scripts/setup installs clang-19)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# hiredis 1.2.0's header as the harnesses include it (respfuzz_hiredis12.h,
# which the build generates in third_party/hiredis12/): a stand-in from the
# same template over the unpacked source, with no renaming (the syntax is the
# same).
h12=$("$src/scripts/targets" --print-path hiredis-1.2) ||
  { echo "FAIL: scripts/targets --print-path hiredis-1.2 failed"; exit 1; }
mkdir -p "$out/hiredis12"
: >"$out/hiredis12/hiredis12_names.h"
sed "s|@RESPFUZZ_HIREDIS12_HEADER@|$h12/src/hiredis.h|" \
  "$src/third_party/hiredis12/respfuzz_hiredis12.h.in" >"$out/hiredis12/respfuzz_hiredis12.h"
export src cxx out
check_one() {
  local f=$1 log
  log="$out/$(printf '%s' "${f#$src/}" | tr '/' '_')"
  # A harness's entry point names itself with the macros respfuzz_add_harness
  # defines (the folder's name; the op-level mutator's hooks, its descriptor).
  local name
  name=$(basename "$(dirname "$f")")
  if ! "$cxx" -std=c++20 -stdlib=libc++ -fsyntax-only -I"$src" -I"$out/hiredis12" -I/usr/include/liblzf \
    "-DRESPFUZZ_HARNESS_NAME=\"$name\"" "-DRESPFUZZ_HARNESS_DESCRIPTOR=kRegisteredHarness_$name" \
    "$f" >"$log" 2>&1; then
    { echo "FAIL ${f#$src/}:"; grep -m3 error "$log"; } >"$log.fail"
  fi
}
export -f check_one
files=("$src"/src/*/*.cc "$src"/harnesses/*/*.cc)
printf '%s\0' "${files[@]}" | xargs -0 -n1 -P"$jobs" bash -c 'check_one "$1"' _
fail=0
for f in "$out"/*.fail; do
  [ -e "$f" ] || continue
  cat "$f"
  fail=$((fail + 1))
done
echo "$((${#files[@]} - fail)) passed, $fail failed (libc++ syntax check)"
[ "$fail" -eq 0 ]
