# Sourced by the bench scripts that time tens of milliseconds: their polling spawns no
# process (curl, sleep and date cost 10-20 ms each on some machines, as much as what is
# measured, and compete with the scheduler and the cluster for the cores). The clock is
# bash's, the wait a read that times out on a FIFO nobody writes, the request /dev/tcp.

now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; NOW=$((10#$t / 1000)); }  # NOW: epoch ms

poll_fifo=$(mktemp -u)
mkfifo "$poll_fifo"
exec 8<>"$poll_fifo"
rm -f "$poll_fifo"
pause() { read -r -t "$1" -u 8 || true; }  # pause SECONDS (start daemons with 8>&-)

# http_status URL PATH: STATUS becomes the status code of GET PATH at URL (http://host:port),
# or empty when nothing answers.
http_status() {
  local hostport=${1#http://} line
  STATUS=
  { exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$2" "$hostport" >&3
  IFS= read -r -t 5 line <&3 || true
  exec 3<&-
  if [[ $line =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]]; then STATUS=${BASH_REMATCH[1]}; fi
  return 0
}
