#!/usr/bin/env bash
# Runs every benchmark of the release build and prints one table. Called by `./dev bench`;
# expects build/release to be built with -DSTEWARD_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/release/bench
for b in spec_bench plan_bench cluster_bench; do
  [ -x "$dir/$b" ] || { echo "bench: $dir/$b is missing; run ./dev bench" >&2; exit 1; }
done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
for b in spec_bench plan_bench cluster_bench; do
  "$dir/$b" --benchmark_min_time=0.5 --benchmark_format=console 2>/dev/null
done

# The cluster daemon: time from `cluster up` to serving, and resident memory when idle.
steward=build/release/steward
measure_cluster() {
  local label=$1 config=$2 dir
  dir=$(mktemp -d)
  local start end pid rss
  start=$(date +%s%N)
  if [ -n "$config" ]; then
    "$steward" cluster up --data-dir "$dir" --listen 127.0.0.1:0 --config "$config" >/dev/null
  else
    "$steward" cluster up --data-dir "$dir" --listen 127.0.0.1:0 >/dev/null
  fi
  end=$(date +%s%N)
  pid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' "$dir/cluster.json")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  printf '%-34s up in %4d ms, idle RSS %6.1f MB\n' "$label" $(((end - start) / 1000000)) \
    "$(echo "$rss" | awk '{print $1/1024}')"
  "$steward" cluster down --data-dir "$dir" >/dev/null
  rm -rf "$dir"
}
if [ -x "$steward" ]; then
  echo
  measure_cluster "cluster: default (4 agents)" ""
  sims=$(mktemp)
  printf 'agents:\n  - name: sim\n    count: 1000\n    simulated: true\n    resources: {cpus: 8, mem: 32768, disk: 100000, ports: 31000-31999}\n' >"$sims"
  measure_cluster "cluster: 1,000 simulated agents" "$sims"
  rm -f "$sims"
fi
