#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite (its connection string goes in ASSETSERVER_TEST_POSTGRES, Support/Engines.cs) and local trials.
#   .ci/postgres.sh start <folder> [port]   initialises <folder> if new, starts it, prints the connection string
#   .ci/postgres.sh stop <folder>           stops it (the folder stays; delete it to start over)
#   start … --owner <pid>                   also a detached watchdog (.ci/watchdog.sh) that stops it once that
#                                           process is gone (the test host that started it, however that ended)
# Loopback only, trust authentication, UTF-8 with a Unicode-aware ctype (lower('É') = 'é'). Durability is off: the
# cluster holds nothing worth keeping. Runs the server as an unprivileged user when started as root (CI).
set -euo pipefail

usage() { echo "usage: $0 start|stop <folder> [port] [--owner <pid>]" >&2; exit 2; }
owner=""
arguments=()
while [ $# -gt 0 ]; do
    case "$1" in
    --owner) [ $# -ge 2 ] || usage; owner="$2"; shift 2 ;;
    *) arguments+=("$1"); shift ;;
    esac
done
set -- "${arguments[@]}"
[ $# -ge 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
action=$1
folder=$(mkdir -p "$2" && cd "$2" && pwd)
data="$folder/data"
user=assetserver-pg

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
    done
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(readlink -f "$(command -v pg_ctl)")"; fi
}

bin=$(find_bin)
if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL is not installed and installing it needs root" >&2; exit 1; fi
    echo "installing PostgreSQL (Debian package postgresql)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
fi

# As root, the cluster belongs to a system user: PostgreSQL refuses to run as root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then
    getent passwd "$user" >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    chown "$user" "$folder"
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

connection_string() { echo "Host=127.0.0.1;Port=$(cat "$folder/port");Username=postgres;Database=postgres"; }

case "$action" in
start)
    if [ -f "$folder/port" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        connection_string
        exit 0
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log"
    fi
    port=${3:-}
    if [ -z "$port" ]; then
        port=$(( 20000 + RANDOM % 20000 ))
        while port_in_use "$port"; do port=$(( 20000 + RANDOM % 20000 )); done
    fi
    echo "$port" > "$folder/port"
    as_owner "$bin/pg_ctl" -D "$data" -l "$folder/server.log" -w -t 30 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $folder -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    if [ -n "$owner" ]; then
        # The postmaster's pid is the first line of postmaster.pid.
        setsid bash "$here/watchdog.sh" "$owner" "$(head -1 "$data/postmaster.pid")" bash "$here/postgres.sh" stop "$folder" >/dev/null 2>&1 </dev/null &
    fi
    connection_string
    ;;
stop)
    if [ -f "$data/PG_VERSION" ]; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true; fi
    ;;
*)
    usage
    ;;
esac
