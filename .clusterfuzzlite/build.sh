#!/bin/bash -eu
# ClusterFuzzLite entry point: the same in-repo build as OSS-Fuzz.
exec "$SRC/respfuzz/scripts/oss-fuzz-build"
