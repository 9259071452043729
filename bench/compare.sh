#!/usr/bin/env bash
# Two or more builds compared on one deploy size, alternating: run after run, each build in
# turn deploys N pods of one task (as bench/scale.sh does) on M simulated agents of a fresh
# embedded cluster of its own, so that a slow minute of the machine falls on every build
# alike. Single runs of scale.sh spread by 5-10% on two cores; medians of alternating runs
# are what a change's effect is judged by. Prints, per build, over the runs:
#   deploy       `steward run` start until GET /v1/health answers 200: median, then range
#   sched cpu    the scheduler's CPU seconds (user + system) for the deploy: median
#   cluster cpu  the cluster daemon's CPU seconds over the same span: median
#   sched peak   the scheduler's VmHWM once deployed: range
# Usage: bench/compare.sh N:M RUNS BUILD...   e.g. bench/compare.sh 10000:1000 8 \
#          steward-before build/release/steward
# (BUILD: a `steward` binary; copy build/release/steward aside before rebuilding to compare
# against it.)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scale_files.sh
# Polled without spawning: a curl costs 7-8 ms of CPU, and one every 20 ms took a seventh of
# the two cores the scheduler and the cluster share.
source bench/poll.sh
[ $# -ge 3 ] || { sed -n '2,/^set /p' "$0" | sed '$d' >&2; exit 2; }
size=$1 runs=$2
shift 2
builds=("$@")
for b in "${builds[@]}"; do
  [ -x "$b" ] || { echo "compare: $b is not an executable" >&2; exit 1; }
done
n=${size%%:*} m=${size##*:}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# One deploy with build $1; prints "deploy_ms sched_ticks cluster_ticks peak_kb".
deploy_once() {
  local steward=$1 dir cpid pid start api deadline c0 line
  dir=$(mktemp -d)
  write_scale_files "$dir" "$n" "$m"
  "$steward" cluster up --data-dir "$dir/cluster" --listen 127.0.0.1:0 --config "$dir/cluster.yml" >/dev/null 8>&-
  cpid=$(grep -o '"pid": *[0-9]*' "$dir/cluster/cluster.json" | grep -o '[0-9]*$')
  c0=$(cpu_ticks "$cpid")
  now_ms
  start=$NOW
  "$steward" run "$dir/svc.yml" --cluster-dir "$dir/cluster" --data-dir "$dir/services" \
    >>"$dir/run.log" 2>&1 8>&- &
  pid=$!
  deadline=$((start + 900000))
  until [ -s "$dir/services/scale/api" ]; do
    now_ms
    [ "$NOW" -lt "$deadline" ] || { echo "compare: no API; see $dir/run.log" >&2; exit 1; }
    pause 0.005
  done
  read -r api <"$dir/services/scale/api"
  until http_status "$api" /v1/health && [ "$STATUS" = 200 ]; do
    now_ms
    [ "$NOW" -lt "$deadline" ] || { echo "compare: the deploy did not end; see $dir/run.log" >&2; exit 1; }
    pause 0.01
  done
  now_ms
  line="$((NOW - start)) $(cpu_ticks "$pid") $(($(cpu_ticks "$cpid") - c0))"
  line="$line $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  "$steward" cluster down --data-dir "$dir/cluster" >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "$line"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for run in $(seq 1 "$runs"); do
  for i in "${!builds[@]}"; do
    echo "$i $(deploy_once "${builds[$i]}")" >>"$results"
  done
done

echo "machine: $(nproc) cores, $(uname -sr); $n pods on $m agents, $runs runs each, alternating"
printf '%-40s %10s %17s %10s %12s %17s\n' build deploy range "sched cpu" "cluster cpu" "sched peak"
for i in "${!builds[@]}"; do
  awk -v i="$i" -v hz="$hz" -v name="${builds[$i]}" '
    function median(a, k,   j, t, l) {  # sorts a[1..k] in place
      for (j = 2; j <= k; j++) { t = a[j]; for (l = j - 1; l >= 1 && a[l] > t; l--) a[l + 1] = a[l]; a[l + 1] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    $1 == i { k++; d[k] = $2; s[k] = $3 / hz; c[k] = $4 / hz; p[k] = $5 / 1024 }
    END {
      dm = median(d, k); sm = median(s, k); cm = median(c, k); median(p, k)
      printf "%-40s %7.0f ms %7.0f-%.0f ms %8.2f s %10.2f s %8.1f-%.1f MB\n", name, dm, d[1], d[k], sm, cm, p[1], p[k]
    }' "$results"
done
