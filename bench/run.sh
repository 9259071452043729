#!/usr/bin/env bash
# Runs every benchmark of the release build and prints one table. Called by `./dev bench`;
# expects build/release to be built with -DSTEWARD_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/release/bench
for b in spec_bench plan_bench; do
  [ -x "$dir/$b" ] || { echo "bench: $dir/$b is missing; run ./dev bench" >&2; exit 1; }
done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
for b in spec_bench plan_bench; do
  "$dir/$b" --benchmark_min_time=0.5 --benchmark_format=console 2>/dev/null
done
