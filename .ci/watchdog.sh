#!/usr/bin/env bash
# Stops a process the tests (or .ci/run) started once its owner is gone, however the owner ended (a failed or
# cancelled run, a SIGKILLed test host), so nothing is left running.
#   .ci/watchdog.sh <owner pid> <target pid> [stop command...]
# Polls once a second. Exits when the target is gone; when the owner is gone, runs the stop command (default: SIGTERM
# to the target, SIGKILL 5 s later). Pids are checked with their start times, so a reused pid is never taken for
# either. Start it detached: setsid .ci/watchdog.sh … >/dev/null 2>&1 </dev/null &
set -uo pipefail
exec </dev/null >/dev/null 2>&1

[ $# -ge 2 ] || exit 2
owner=$1 target=$2
shift 2

# Field 22 of /proc/<pid>/stat (start time in clock ticks), read after the command name, which may hold spaces; a
# zombie (state Z: ended, not yet reaped) counts as gone.
started() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*") "}
    set -- $stat
    [ "$1" != Z ] || return 1
    echo "${20}"
}
alive() { [ "$(started "$1")" = "$2" ]; }

owner_start=$(started "$owner") || owner_start=gone
target_start=$(started "$target") || exit 0

while alive "$target" "$target_start"; do
    if ! alive "$owner" "$owner_start"; then
        if [ $# -gt 0 ]; then
            "$@"
        fi
        if alive "$target" "$target_start"; then
            kill -TERM "$target"
            for _ in $(seq 1 50); do alive "$target" "$target_start" || exit 0; sleep 0.1; done
            kill -KILL "$target"
        fi
        exit 0
    fi
    sleep 1
done
