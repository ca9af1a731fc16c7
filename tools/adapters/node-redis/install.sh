#!/usr/bin/env bash
# Installs the node-redis adapter's npm packages (scripts/npm-ci: `npm ci`,
# exactly what package-lock.json records; nothing when installed already).
# Used by scripts/setup and by the ctest node-redis-adapter.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
exec "$dir/../../../scripts/npm-ci" "$dir"
