#!/usr/bin/env bash
# Runs every benchmark of the release build and prints one table. Called by `./dev bench`;
# expects build/release to be built with -DSTEWARD_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/release/bench
for b in spec_bench plan_bench offer_bench placement_bench event_bench state_bench cluster_bench; do
  [ -x "$dir/$b" ] || { echo "bench: $dir/$b is missing; run ./dev bench" >&2; exit 1; }
done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
for b in spec_bench plan_bench offer_bench placement_bench event_bench state_bench cluster_bench; do
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

# The scheduler: `steward run` of hello-world on a fresh default cluster, from start until the
# deploy plan answers COMPLETE, and the scheduler's resident memory once it is idle.
measure_scheduler() {
  local dir start end pid api rss i
  dir=$(mktemp -d)
  "$steward" cluster up --data-dir "$dir/cluster" --listen 127.0.0.1:0 >/dev/null
  start=$(date +%s%N)
  "$steward" run examples/hello-world/svc.yml --cluster-dir "$dir/cluster" \
    --data-dir "$dir/services" >"$dir/run.log" 2>&1 &
  pid=$!
  for i in $(seq 1 600); do
    if [ -s "$dir/services/hello-world/api" ]; then
      api=$(cat "$dir/services/hello-world/api")
      [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/v1/plans/deploy")" = 200 ] && break
    fi
    sleep 0.05
  done
  end=$(date +%s%N)
  sleep 2  # let it settle into idle before reading its memory
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  printf '%-34s deployed in %5d ms, idle RSS %6.1f MB\n' "scheduler: hello-world (4 pods)" \
    $(((end - start) / 1000000)) "$(echo "$rss" | awk '{print $1/1024}')"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  "$steward" uninstall hello-world --cluster-dir "$dir/cluster" --data-dir "$dir/services" \
    >/dev/null 2>&1 || true
  "$steward" cluster down --data-dir "$dir/cluster" >/dev/null
  rm -rf "$dir"
}
if [ -x "$steward" ] && command -v curl >/dev/null; then
  measure_scheduler
fi

# hello-world's deploy against the floor its own tasks set (see bench/floor.sh for the columns).
if [ -x "$steward" ] && command -v curl >/dev/null && command -v jq >/dev/null; then
  echo
  bash bench/floor.sh 3
fi

# The scheduler at scale on simulated agents (see bench/scale.sh for the columns).
if [ -x "$steward" ] && command -v curl >/dev/null; then
  echo
  bash bench/scale.sh
fi
