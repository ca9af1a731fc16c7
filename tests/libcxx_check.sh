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
export src cxx out
check_one() {
  local f=$1 log
  log="$out/$(printf '%s' "${f#$src/}" | tr '/' '_')"
  # A harness's entry point names itself with the macro respfuzz_add_harness
  # defines (the folder's name).
  local name
  name=$(basename "$(dirname "$f")")
  if ! "$cxx" -std=c++20 -stdlib=libc++ -fsyntax-only -I"$src" \
    "-DRESPFUZZ_HARNESS_NAME=\"$name\"" "$f" >"$log" 2>&1; then
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
