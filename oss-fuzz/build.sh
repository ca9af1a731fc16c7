#!/bin/bash -eu
# OSS-Fuzz entry point: the real build lives in the repository.
exec "$SRC/respfuzz/scripts/oss-fuzz-build"
