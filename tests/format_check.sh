#!/usr/bin/env bash
# format_check.sh SOURCE_DIR: every tracked C++ source is as clang-format
# (.clang-format: Google style, 100 columns) writes it, checked on every core
# at once. Fix with
#   clang-format -i $(git ls-files '*.cc' '*.h')
set -uo pipefail
src=$1
command -v clang-format >/dev/null || { echo "FAIL: clang-format not found (scripts/setup installs it)"; exit 1; }
cd "$src" || exit 1
mapfile -t files < <(git ls-files '*.cc' '*.h')
[ "${#files[@]}" -gt 0 ] || { echo "FAIL: no tracked C++ sources under $src"; exit 1; }
# One line per file that clang-format would change.
mapfile -t bad < <(printf '%s\0' "${files[@]}" |
  xargs -0 -n 8 -P "$(nproc)" sh -c \
    'for f; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done' _ | sort)
for f in "${bad[@]}"; do echo "not formatted: $f"; done
echo "$((${#files[@]} - ${#bad[@]})) formatted, ${#bad[@]} not ($(clang-format --version))"
[ "${#bad[@]}" -eq 0 ]
