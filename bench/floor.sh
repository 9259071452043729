#!/usr/bin/env bash
# hello-world's deploy time on a fresh embedded cluster (4 agents on this machine, real
# executors and task processes), against the floor its own tasks set. Release build.
#
#   deploy    `steward run examples/hello-world/svc.yml` start until GET /v1/plans/deploy
#             answers 200 (polled every 2 ms, spawning nothing)
#   floor     what the tasks themselves took on the critical path of the deploy plan, as the
#             agent side observed it. The plan is serial: phase `hello` (2 pods in parallel,
#             one RUNNING task each, no readiness check), then phase `world` (world-0, then
#             world-1, each a step `prepare` (goal FINISH) and then a step `server` (goal
#             RUNNING with a readiness check: delay 0, interval 2 s)). So
#
#               floor = max over the hello pods of (running - started)
#                     + sum over world-0, world-1 of
#                         (prepare: finished - started) + (server: ready - started)
#
#             where, for each task,
#               started   its executor begins starting it: the task's sandbox is created on
#                         the LAUNCH_GROUP, right after TASK_STARTING (birth time of
#                         .../runs/<container>/tasks/<task id>)
#               running   its process is spawned, TASK_RUNNING (birth time of the task's
#                         stdout, which the child opens before exec)
#               finished  the timestamp the executor put on TASK_FINISHED
#               ready     the timestamp the executor put on the RUNNING update carrying the
#                         first passing readiness-check result (exit code 0)
#
#             It includes everything the service definition asks for: process start-up,
#             the readiness check's delay and interval (a first check that fails costs the
#             full 2 s interval before the next), and the executor's 50 ms tick on which it
#             starts checks (exits of tasks and checks it notices at once). It excludes everything between tasks: the
#             scheduler's start, subscription and offer waits, its decisions, the launch
#             through the master to the agent, the executor process start, and the status
#             updates' way back.
#   overhead  deploy - floor, in ms and as a percentage of the floor
#
# and where the overhead goes, summed over the same chain (the columns add up to deploy):
#   start-up  `steward run` start until the scheduler logs its first launch (process start,
#             state store, SUBSCRIBE, reconciliation, the first offers, evaluation)
#   to-task   each step's launch (scheduler log) until its executor starts the task: the
#             ACCEPT through the master to the agent, the executor process starting and
#             subscribing (`exec` is the part from the agent creating the executor's sandbox
#             to the task starting)
#   between   each step's agent-side end (running, finished or ready) until the scheduler
#             logs the next step's launch: the status update's way to the scheduler, the
#             step's completion, waiting for offers (filters, REVIVE, the allocation pass),
#             the scheduler's 100 ms tick, evaluation
#   tail      the last task ready until GET /v1/plans/deploy answers 200
#
# Usage: bench/floor.sh [runs]   (default 3; FLOOR_CLUSTER_CONFIG=cluster.yml to try another
# cluster configuration, FLOOR_VERBOSE=1 for each run's times and scheduler log on stderr,
# STEWARD=path/to/steward to run another build). Needs curl and jq. Times from the
# scheduler's log have millisecond resolution; everything else is from the same clock
# (CLOCK_REALTIME).
set -euo pipefail
cd "$(dirname "$0")/.."
steward=${STEWARD:-build/release/steward}
spec=examples/hello-world/svc.yml
runs=${1:-3}
[ -x "$steward" ] || { echo "floor: $steward is missing; run ./dev build" >&2; exit 1; }
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "floor: needs $tool" >&2; exit 1; }
done

# Measuring spawns nothing (bench/poll.sh): a spawn costs as much as a hand-off here.
source bench/poll.sh
born() { stat -c %w "$1" | xargs -I{} date -d {} +%s%3N; }  # birth time, epoch ms


# Epoch ms of the scheduler's log line that contains TEXT (its first one). The log stamps
# are UTC HH:MM:SS.mmm; DAY is the epoch ms of the UTC midnight before the run started.
log_ms() {
  local log=$1 text=$2 day=$3 line
  line=$(grep -F -m1 -- "$text" "$log") || { echo "floor: no \"$text\" in the log" >&2; return 1; }
  echo "$line" | awk -v day="$day" '{
    split($1, t, /[:.]/); printf "%.0f\n", day + ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'
}

# What a run leaves behind (also on failure): its scheduler, its cluster, its directory.
cleanup() {
  [ -n "${run_dir:-}" ] || return 0
  if [ -n "${run_pid:-}" ]; then
    kill "$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
  fi
  "$steward" cluster down --data-dir "$run_dir/cluster" >/dev/null 2>&1 || true
  rm -rf "$run_dir"
  run_dir="" run_pid=""
}
trap cleanup EXIT

measure() {
  local run=$1 dir api start end deploy day
  dir=$(mktemp -d)
  run_dir=$dir
  "$steward" cluster up --data-dir "$dir/cluster" --listen 127.0.0.1:0 \
    ${FLOOR_CLUSTER_CONFIG:+--config "$FLOOR_CLUSTER_CONFIG"} >/dev/null 8>&-
  day=$(($(date -u -d "$(date -u +%F)" +%s) * 1000))
  now_ms
  start=$NOW
  "$steward" run "$spec" --cluster-dir "$dir/cluster" --data-dir "$dir/services" \
    >"$dir/run.log" 2>&1 8>&- &
  local pid=$!
  run_pid=$pid
  local deadline=$((start + 120000))
  until [ -s "$dir/services/hello-world/api" ]; do
    now_ms
    [ "$NOW" -lt "$deadline" ] || { echo "floor: no API address" >&2; exit 1; }
    pause 0.005
  done
  api=$(<"$dir/services/hello-world/api")
  until http_status "$api" /v1/plans/deploy && [ "$STATUS" = 200 ]; do
    now_ms
    [ "$NOW" -lt "$deadline" ] || { echo "floor: deploy did not complete" >&2; exit 1; }
    pause 0.002
  done
  now_ms
  end=$NOW
  deploy=$((end - start))
  curl -s "$api/v1/debug/taskStatuses" >"$dir/statuses.json"

  # Agent-side times of one task: started running finished|ready (epoch ms), and the birth
  # of its executor's sandbox when this task's launch started that executor (else "-").
  task_times() {
    local name=$1 id tdir rdir first started running done exec
    id=$(jq -r --arg n "$name" '.[$n].task_id.value' "$dir/statuses.json")
    tdir=$(find "$dir/cluster/agents" -type d -path "*/tasks/$id" | head -1)
    [ -n "$tdir" ] || { echo "floor: no sandbox for $name" >&2; return 1; }
    rdir=$(dirname "$(dirname "$tdir")")
    started=$(born "$tdir")
    running=$(born "$tdir/stdout")
    done=$(jq -r --arg n "$name" '.[$n] |
      if .state == "TASK_FINISHED" then .timestamp
      elif .state == "TASK_RUNNING" and (.check_status.command.exit_code? == 0) then .timestamp
      else "" end' "$dir/statuses.json" | awk 'NF {printf "%.0f\n", $1 * 1000}')
    # A RUNNING task without a readiness check is done once running.
    [ -n "$done" ] || done=$running
    first=$(ls -1tr --time=birth "$rdir/tasks" | head -1)
    exec=-
    [ "$first" = "$id" ] && exec=$(born "$rdir")
    echo "$started $running $done $exec"
  }

  local h0 h1 w0p w0s w1p w1s
  read -r -a h0 <<<"$(task_times hello-0-server)"
  read -r -a h1 <<<"$(task_times hello-1-server)"
  read -r -a w0p <<<"$(task_times world-0-prepare)"
  read -r -a w0s <<<"$(task_times world-0-server)"
  read -r -a w1p <<<"$(task_times world-1-prepare)"
  read -r -a w1s <<<"$(task_times world-1-server)"

  # Scheduler-side launches, from its log.
  local log=$dir/run.log lh0 lh1 lw0p lw0s lw1p lw1s
  lh0=$(log_ms "$log" "hello-0:[server]: launched" "$day")
  lh1=$(log_ms "$log" "hello-1:[server]: launched" "$day")
  lw0p=$(log_ms "$log" "world-0:[prepare]: launched" "$day")
  lw0s=$(log_ms "$log" "world-0:[server]: launched" "$day")
  lw1p=$(log_ms "$log" "world-1:[prepare]: launched" "$day")
  lw1s=$(log_ms "$log" "world-1:[server]: launched" "$day")

  # The chain: the hello phase (from its first launch to its last task running), then the
  # four world steps.
  local d0=$((h0[1] - h0[0])) d1=$((h1[1] - h1[0]))
  local hello_floor=$((d0 > d1 ? d0 : d1))
  local hello_launch=$((lh0 < lh1 ? lh0 : lh1))
  local hello_done=$((h0[1] > h1[1] ? h0[1] : h1[1]))
  local floor=$((hello_floor + (w0p[2] - w0p[0]) + (w0s[2] - w0s[0]) + (w1p[2] - w1p[0]) +
    (w1s[2] - w1s[0])))
  local startup=$((hello_launch - start))
  local totask=$((hello_done - hello_launch - hello_floor + w0p[0] - lw0p + w0s[0] - lw0s +
    w1p[0] - lw1p + w1s[0] - lw1s))
  local between=$((lw0p - hello_done + lw0s - w0p[2] + lw1p - w0s[2] + lw1s - w1p[2]))
  local tail=$((end - w1s[2]))
  # The executor's own start, on the chain: agent creates its sandbox -> task started.
  local exec=0 t
  for t in "w0p" "w0s" "w1p" "w1s"; do
    local -n a=$t
    [ "${a[3]}" = - ] || exec=$((exec + a[0] - a[3]))
  done
  local hexec=0
  [ "${h0[3]}" = - ] || hexec=$((h0[0] - h0[3]))
  [ "${h1[3]}" = - ] || [ $((h1[0] - h1[3])) -le "$hexec" ] || hexec=$((h1[0] - h1[3]))
  exec=$((exec + hexec))
  local over=$((deploy - floor))
  printf '%3d %8d ms %7d ms %7d ms %6.0f%% %8d %8d %6d %8d %6d\n' "$run" "$deploy" "$floor" \
    "$over" "$(awk -v o="$over" -v f="$floor" 'BEGIN {print (f > 0 ? 100 * o / f : 0)}')" \
    "$startup" "$totask" "$exec" "$between" "$tail"
  if [ -n "${FLOOR_VERBOSE:-}" ]; then
    {
      echo "  hello-0 ${h0[*]} launched $lh0; hello-1 ${h1[*]} launched $lh1"
      echo "  world-0 prepare ${w0p[*]} launched $lw0p; server ${w0s[*]} launched $lw0s"
      echo "  world-1 prepare ${w1p[*]} launched $lw1p; server ${w1s[*]} launched $lw1s"
      echo "  start $start end $end"
      sed 's/^/  | /' "$log"
    } >&2
  fi

  cleanup
}

echo "hello-world on a fresh embedded cluster: deploy against its tasks' own floor (ms)"
printf '%3s %11s %10s %10s %7s %8s %8s %6s %8s %6s\n' run deploy floor overhead "%" \
  start-up to-task exec between tail
for i in $(seq 1 "$runs"); do
  measure "$i"
done
