#!/usr/bin/env bash
# The scheduler at scale: N pods of one task (0.01 cpus, 8 MB; parallel, no readiness) on M
# simulated agents of a fresh embedded cluster, release build. Prints one table row per size:
#   deploy       `steward run` start until the deploy plan is COMPLETE: GET /v1/health
#                answers 200 (polled every 10 ms without spawning a process; polling GET
#                /v1/plans/deploy instead would load the scheduler: at 10,000 steps it is a
#                3.4 MB answer)
#   pods/s       N / deploy
#   cpu          the scheduler's CPU seconds (user + system) for that deploy
#   acked        from COMPLETE until the last acknowledgement went out (the scheduler's
#                steward_acknowledgements_pending gauge at 0, polled every 20 ms)
#   peak RSS     the scheduler's VmHWM once deployed
#   idle cpu     the scheduler's CPU over the next 5 s, idling (percent of one core)
#   idle RSS     its VmRSS at the end of those 5 s (what it holds managing N tasks)
#   answers      its VmHWM, reset after those 5 s, once it has answered GET /v1/plans/deploy
#                and GET /v1/pod/status (every step and every task: its largest answers)
#   API up       a restart of the scheduler (N tasks stored) until GET /v1/health answers
#                (with any status: INITIALIZING while the state loads and reconciles)
#                (polled every 2 ms without spawning a process: curl and sleep cost
#                10-20 ms each on some machines, as much as what is measured)
#   state up     the same restart until GET /v1/plans answers 200: served from the loaded
#                state (requests wait for the load)
#   failover     SIGKILL, then a restart, until reconciled and every plan COMPLETE again
#   relaunched   tasks whose id changed across the failover (should be 0)
# Usage: bench/scale.sh [N:M ...]   (default: 1000:100 2000:200 5000:500 10000:1000)
#        SCALE_RUN_ARGS="--launches-per-pass 100" bench/scale.sh   (options for `steward run`)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/scale_files.sh
steward=${STEWARD:-build/release/steward}  # another build to compare: STEWARD=path
[ -x "$steward" ] || { echo "scale: $steward is missing; run ./dev build" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000:100 2000:200 5000:500 10000:1000)

ms() { echo $(($(date +%s%N) / 1000000)); }
# The start-up figure is tens of milliseconds: its polling spawns nothing (bench/poll.sh).
source bench/poll.sh
answers() {  # true once something answers GET /v1/health at the API URL $1
  http_status "$1" /v1/health
  [ -n "$STATUS" ]
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# Polls GET PATH at the API URL every 10 ms until it answers CODE, up to a deadline; the
# elapsed ms since START (epoch ms). Spawns nothing: a curl every 20 ms, as this script polled
# until the latest round, cost 7-8 ms of CPU each, a seventh of the two cores the scheduler
# and the cluster share, and slowed the deploy it timed by as much.
wait_code() {
  local api=$1 path=$2 code=$3 start=$4 deadline
  now_ms
  deadline=$((NOW + 900000))
  while [ "$NOW" -lt "$deadline" ]; do
    http_status "$api" "$path"
    now_ms
    [ "$STATUS" = "$code" ] && {
      echo $((NOW - start))
      return 0
    }
    pause 0.01
    now_ms
  done
  echo "timeout"
  return 1
}

wait_api() {  # the scheduler's API URL once its address file exists
  local file=$1 deadline
  now_ms
  deadline=$((NOW + 60000))
  while [ "$NOW" -lt "$deadline" ]; do
    [ -s "$file" ] && { cat "$file"; return 0; }
    pause 0.005
    now_ms
  done
  return 1
}

# The scheduler runs in a subshell's background, so `wait` cannot reap it: poll for its end.
stop() {
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.01; done
}

task_ids() { curl -s "$1/v1/pod/status" | grep -o '"id": *"[^"]*"' | sort; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
printf '%-14s %9s %8s %7s %9s %9s %8s %9s %9s %8s %8s %9s %10s\n' "pods:agents" deploy pods/s \
  cpu acked "peak RSS" "idle cpu" "idle RSS" answers "API up" "state up" failover relaunched
for size in "${sizes[@]}"; do
  n=${size%%:*} m=${size##*:}
  dir=$(mktemp -d)
  write_scale_files "$dir" "$n" "$m"
  "$steward" cluster up --data-dir "$dir/cluster" --listen 127.0.0.1:0 --config "$dir/cluster.yml" >/dev/null 8>&-
  run() {
    "$steward" run "$dir/svc.yml" --cluster-dir "$dir/cluster" --data-dir "$dir/services" ${SCALE_RUN_ARGS:-} \
      >>"$dir/run.log" 2>&1 8>&- &
    echo $!
  }
  now_ms
  start=$NOW
  pid=$(run)
  api=$(wait_api "$dir/services/scale/api")
  deploy=$(wait_code "$api" /v1/health 200 "$start")
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/v1/plans/deploy")" = 200 ] ||
    { echo "scale: healthy, but the deploy plan is not COMPLETE" >&2; exit 1; }
  cpu=$(cpu_ticks "$pid")
  # The last statuses' acknowledgements are still going out (off the scheduler's loop): idle
  # starts once none is pending.
  complete=$(ms)
  acked=timeout
  for _ in $(seq 3000); do
    curl -s "$api/v1/metrics/prometheus" | grep -qx 'steward_acknowledgements_pending 0' &&
      { acked=$(($(ms) - complete)); break; }
    sleep 0.02
  done
  peak=$(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")
  before=$(cpu_ticks "$pid")
  sleep 5
  idle=$(awk -v a="$before" -v b="$(cpu_ticks "$pid")" -v hz="$hz" 'BEGIN {printf "%.1f%%", (b-a)/hz/5*100}')
  rss=$(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")
  echo 5 >"/proc/$pid/clear_refs"  # resets VmHWM
  curl -s -o /dev/null "$api/v1/plans/deploy"
  ids_before=$(task_ids "$api")
  answers=$(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")
  # Start-up with N tasks stored: a clean stop, then a start until the API answers.
  stop "$pid"
  rm -f "$dir/services/scale/api"
  now_ms
  start=$NOW
  pid=$(run)
  until [ -s "$dir/services/scale/api" ]; do pause 0.002; done
  read -r api <"$dir/services/scale/api"
  until answers "$api"; do pause 0.002; done
  now_ms
  up=$((NOW - start))
  until http_status "$api" /v1/plans && [ "$STATUS" = 200 ]; do pause 0.002; done
  now_ms
  served=$((NOW - start))
  # Failover: SIGKILL, then a start until every plan is COMPLETE again.
  stop "$pid" KILL
  rm -f "$dir/services/scale/api"
  now_ms
  start=$NOW
  pid=$(run)
  api=$(wait_api "$dir/services/scale/api")
  failover=$(wait_code "$api" /v1/health 200 "$start")
  relaunched=$(diff <(echo "$ids_before") <(task_ids "$api") | grep -c '^>' || true)
  printf '%-14s %7.1f s %8.0f %5.1f s %6s ms %9s %8s %9s %9s %6s ms %5s ms %6s ms %10s\n' \
    "$n:$m" "$(echo "$deploy" | awk '{print $1/1000}')" \
    "$(echo "$n $deploy" | awk '{print $1/($2/1000)}')" "$(echo "$cpu $hz" | awk '{print $1/$2}')" \
    "$acked" "$peak" "$idle" "$rss" "$answers" "$up" "$served" "$failover" "$relaunched"
  stop "$pid"
  "$steward" cluster down --data-dir "$dir/cluster" >/dev/null 2>&1 || true
  rm -rf "$dir"
done
