# Bash completion for `steward`: `source scripts/steward-completion.bash` (or copy it to
# /etc/bash_completion.d/steward). Completes commands, subcommands and, where a pod or plan is
# expected, the names a running scheduler reports.

_steward_names() {
  # $1: plans | pods — asks the running service, quietly.
  case "$1" in
    plans) steward plan list 2>/dev/null ;;
    pods) steward pod list 2>/dev/null ;;
  esac
}

_steward() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local cmd=${COMP_WORDS[1]:-} sub=${COMP_WORDS[2]:-}
  local words=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="validate run uninstall plan pod config state health endpoints debug cluster"
  elif [ "$COMP_CWORD" -eq 2 ]; then
    case "$cmd" in
      plan) words="preview list show start stop pause resume force-restart force-complete" ;;
      pod) words="list status info restart replace pause resume exec" ;;
      config) words="list show target target-id" ;;
      state) words="framework-id properties property" ;;
      debug) words="offers" ;;
      cluster) words="up down status agent task" ;;
      validate | run) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
  elif [ "$COMP_CWORD" -eq 3 ]; then
    case "$cmd $sub" in
      "plan show" | "plan start" | "plan stop" | "plan pause" | "plan resume" | \
        "plan force-restart" | "plan force-complete") words=$(_steward_names plans) ;;
      "pod status" | "pod info" | "pod restart" | "pod replace" | "pod pause" | \
        "pod resume" | "pod exec") words=$(_steward_names pods) ;;
      "plan preview") COMPREPLY=($(compgen -f -- "$cur")); return ;;
      "cluster agent") words="stop start remove" ;;
      "cluster task") words="finish fail" ;;
    esac
  fi
  if [ -z "$words" ] && [[ "$cur" == -* ]]; then
    words="--help --json --service --data-dir --env --env-file --strict --master"
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _steward steward
