#!/usr/bin/env bash
# Runs every benchmark of the release build and prints one table. Called by `./dev bench`;
# expects build/release to be built with -DSTEWARD_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/bench/spec_bench
[ -x "$bin" ] || { echo "bench: $bin is missing; run ./dev bench" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
"$bin" --benchmark_min_time=0.5 --benchmark_format=console --benchmark_counters_tabular=true 2>/dev/null
