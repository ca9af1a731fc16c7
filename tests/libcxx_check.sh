#!/usr/bin/env bash
# libcxx_check.sh SOURCE_DIR: OSS-Fuzz compiles with libc++, the local builds
# with libstdc++. Every core and harness source must at least compile against
# libc++ (e.g. libc++ 19 has no floating-point std::from_chars).
set -uo pipefail
src=$1
cxx=${CXX_LIBCXX:-clang++-19}
command -v "$cxx" >/dev/null || { echo "FAIL: $cxx not found (scripts/setup installs clang-19)"; exit 1; }
fail=0 n=0
for f in "$src"/src/*/*.cc "$src"/harnesses/*/*.cc; do
  n=$((n + 1))
  if ! out=$("$cxx" -std=c++20 -stdlib=libc++ -fsyntax-only -I"$src" "$f" 2>&1); then
    echo "FAIL ${f#$src/}:"; echo "$out" | grep -m3 error; fail=$((fail + 1))
  fi
done
echo "$((n - fail)) passed, $fail failed (libc++ syntax check)"
[ "$fail" -eq 0 ]
