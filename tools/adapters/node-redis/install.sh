#!/usr/bin/env bash
# Installs the node-redis adapter's npm packages: `npm ci`, exactly what
# package-lock.json records, from the npm registry. Does nothing when that
# lock file is already installed. Used by scripts/setup and by the ctest
# node-redis-adapter.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$dir"
stamp=node_modules/.respfuzz-installed-lock.json
if cmp -s package-lock.json "$stamp" 2>/dev/null; then exit 0; fi
command -v npm >/dev/null || { echo "node-redis adapter: npm not found (scripts/setup installs it)" >&2; exit 1; }
echo "node-redis adapter: npm ci in $dir" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
