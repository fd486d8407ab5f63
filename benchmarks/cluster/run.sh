#!/usr/bin/env bash
# Cluster benchmark (issue 13): 1, 2 and 3 AssetServer nodes behind nginx on one machine, on the cold path and on
# the cached path, each figure against a floor measured next to it in the same run.
#   benchmarks/cluster/run.sh [--quick] [--stack postgres-s3]
#     --stack postgres-s3  (the only stack) PostgreSQL + S3 (s3rver), started by .ci/postgres.sh and .ci/s3rver.sh;
#                          a fresh database and S3 prefix for the run, a fresh Data:Path (local cache) per node.
#                          A data folder belongs to one server (issue 18): nodes never share one, so SQLite, whose
#                          file lives in the data folder, cannot be a cluster's database.
#     --quick              few small photos and short runs: checks that the script works, figures not comparable
# Takes about 7 minutes on 2 cores (--quick: about 1.5), plus the engines' start.
# Prints one "name value unit" line per figure; writes benchmarks/cluster/work/RESULTS-cluster.md. Only 127.0.0.1 is
# contacted; every step is bounded in time; nodes, nginx and engines it starts are stopped on exit. See
# benchmarks/README.md, section 3.
set -euo pipefail

QUICK=0
STACK=postgres-s3
while (( $# )); do
  case "$1" in
    --quick) QUICK=1 ;;
    --stack) STACK=${2:-}; shift ;;
    --stack=*) STACK=${1#--stack=} ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (use --quick, --stack postgres-s3)" >&2; exit 2 ;;
  esac
  shift
done
[[ $STACK == sqlite ]] && { echo "--stack sqlite is gone: a data folder belongs to one server (issue 18), so nodes share PostgreSQL + S3 (--stack postgres-s3)" >&2; exit 2; }
[[ $STACK == postgres-s3 ]] || { echo "--stack is postgres-s3, not '$STACK'" >&2; exit 2; }

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"
WORK="$CLUSTER_DIR/work"
# report.lua (the wrkstat lines) is shared with the single-node load benchmark.
export LOAD_DIR="$ROOT/benchmarks/load"
# Where postgres.sh and s3rver.sh live; another folder only to try the engines before they are merged.
CI_DIR="${CLUSTER_CI_DIR:-$ROOT/.ci}"
S3_BUCKET="${ASSETSERVER_TEST_S3_BUCKET:-assetserver-tests}"

if [[ $QUICK -eq 1 ]]; then
  MODE=quick; PHOTOS=4; PHOTO_MP=4; WIDTHS_PER_N=2; DURATION=5; WARMUP=2
else
  MODE=full; PHOTOS=12; PHOTO_MP=12; WIDTHS_PER_N=4; DURATION=30; WARMUP=5
fi
NODE_COUNTS=(1 2 3)
COLD_CONCURRENCY=8        # cold requests in flight, for the server and for the vipsthumbnail floor alike
CONNECTIONS=32            # wrk connections on the cached path
THREADS=$(nproc)
QUALITY=80
RESULTS="$WORK/RESULTS-cluster.md"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
DLL="$ROOT/src/AssetServer/bin/Release/net10.0/AssetServer.dll"
STARTED=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf '[%4ds] %s\n' "$(( $(date +%s) - STARTED ))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- tools
# Debian packages, installed only when a command is missing (as benchmarks/load/run.sh does).
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
ensure_tools() {
  local -A need=([wrk]=wrk [nginx]=nginx-light [vips]=libvips-tools [vipsthumbnail]=libvips-tools [curl]=curl
    [jq]=jq [python3]=python3)
  [[ $STACK == postgres-s3 ]] && need[psql]=postgresql-client
  local missing=() cmd
  for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd ]] || missing+=("${need[$cmd]}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]}"
  timeout 300 "${SUDO[@]}" apt-get update -qq
  # Releases after Debian 12 fold nginx-light into nginx.
  if [[ " ${missing[*]} " == *" nginx-light "* ]] && ! apt-cache show nginx-light >/dev/null 2>&1; then
    missing=("${missing[@]/nginx-light/nginx}")
  fi
  DEBIAN_FRONTEND=noninteractive timeout 600 "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
ensure_tools
export PATH="$PATH:/usr/sbin"
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"
if [[ $STACK == postgres-s3 ]]; then
  for engine in postgres s3rver; do
    [[ -x $CI_DIR/$engine.sh ]] || die "$CI_DIR/$engine.sh is missing: the postgres-s3 stack needs it"
  done
fi

# ---------------------------------------------------------------- what we start, stopped on exit
NODE_PIDS=(); NODE_URLS=(); NGINX_PID=""; PG_STARTED=0; S3_STARTED=0; PG_ADMIN_DB=""; DB_NAME=""
pg_host=""; pg_port=""; pg_user=""; pg_pass=""
pg_sql() { # database sql: one statement through psql, bounded in time
  env PGPASSWORD="$pg_pass" PGCONNECT_TIMEOUT=10 timeout 60 psql -h "$pg_host" -p "${pg_port:-5432}" \
    -U "${pg_user:-postgres}" -d "$1" -v ON_ERROR_STOP=1 -qAt -c "$2"
}
stop_pid() { # pid: TERM, wait up to 10 s, then KILL
  local pid=$1 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do stop_pid "$pid"; done
  NODE_PIDS=(); NODE_URLS=()
}
stop_nginx() { stop_pid "$NGINX_PID"; NGINX_PID=""; }
cleanup() {
  stop_nginx
  stop_nodes
  if [[ -n $DB_NAME ]]; then
    pg_sql "$PG_ADMIN_DB" "DROP DATABASE IF EXISTS \"$DB_NAME\"" >/dev/null 2>&1 || log "could not drop database $DB_NAME"
  fi
  [[ $PG_STARTED -eq 1 ]] && { timeout 60 "$CI_DIR/postgres.sh" stop "$WORK/engines/postgres" >/dev/null 2>&1 || log "postgres.sh stop failed"; }
  [[ $S3_STARTED -eq 1 ]] && { timeout 60 "$CI_DIR/s3rver.sh" stop "$WORK/engines/s3rver" >/dev/null 2>&1 || log "s3rver.sh stop failed"; }
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 "$LOAD_DIR/tools.py" port; }
wait_http() { # url seconds
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.1
  done
}

# ---------------------------------------------------------------- figures
declare -a FIGURES=()
figure() { # name value unit
  printf '%s %s %s\n' "$1" "$2" "$3"
  FIGURES+=("$1|$2|$3")
}
calc() { awk "BEGIN { printf \"%.${2:-3}f\\n\", $1 }"; }
wrkstat() { awk -v k="$1" '$1 == "wrkstat" && $2 == k { print $3 }' "$2"; }
run_wrk() { # log paths-file url seconds
  local logfile=$1 paths=$2 url=$3 seconds=$4
  PATHS_FILE=$paths timeout $(( seconds + 60 )) \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${seconds}s" --timeout 15s --latency -s "$CLUSTER_DIR/rotate.lua" "$url" \
    >"$logfile" 2>&1 || { cat "$logfile" >&2; die "wrk $url"; }
}
declare -a CHECKS=()
FAILED_CHECKS=0
check() { # description expected actual: a row of the results' check table; a missed check fails the run
  local verdict=met
  if [[ $2 != "$3" ]]; then
    verdict=missed
    FAILED_CHECKS=$(( FAILED_CHECKS + 1 ))
    log "check missed: $1: expected $2, got $3"
  fi
  CHECKS+=("$1|$2|$3|$verdict")
}

# ---------------------------------------------------------------- build
mkdir -p "$WORK"
# Engines an earlier run left running (killed with SIGKILL) are stopped before their folders go.
for engine in postgres s3rver; do
  [[ -d $WORK/engines/$engine && -x $CI_DIR/$engine.sh ]] && { timeout 60 "$CI_DIR/$engine.sh" stop "$WORK/engines/$engine" >/dev/null 2>&1 || true; }
done
find "$WORK" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
mkdir -p "$WORK"/{corpus,vtmp,floor,nginx,static,logs,nodes,engines,cold,warm}
# Built when missing or older than a source file, so a checkout that moved on is never measured with an old build.
if [[ ! -f $DLL ]] || [[ -n $(find "$ROOT/src" \( -name bin -o -name obj \) -prune -o -newer "$DLL" -type f \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.sql' -o -name '*.json' \) -print -quit) ]]; then
  log "building src/AssetServer (Release)"
  ( cd "$ROOT" && timeout 900 dotnet build src/AssetServer/AssetServer.csproj -c Release -nologo -v q ) >"$WORK/logs/build.log" 2>&1 \
    || { tail -30 "$WORK/logs/build.log" >&2; die "dotnet build"; }
fi
[[ -f $DLL ]] || die "no $DLL"
log "mode $MODE, stack $STACK: $PHOTOS photos of $PHOTO_MP MP, $WIDTHS_PER_N widths per node count, ${DURATION}s wrk runs"

# ---------------------------------------------------------------- engines (postgres-s3)
PG_CONN=""; S3_URL=""; S3_PREFIX=""
# One field of an Npgsql connection string, by any of its names (case-insensitive).
conn_field() { # connection-string name...
  python3 - "$@" <<'PY'
import sys
fields = {}
for part in sys.argv[1].split(";"):
    if "=" in part:
        k, v = part.split("=", 1)
        fields[k.strip().lower().replace(" ", "")] = v.strip()
for name in sys.argv[2:]:
    if name.lower() in fields:
        print(fields[name.lower()])
        break
PY
}
# The connection string with its database replaced (or added).
conn_with_database() { # connection-string database
  python3 - "$1" "$2" <<'PY'
import sys
parts = [p for p in sys.argv[1].split(";") if p.strip()
         and p.split("=", 1)[0].strip().lower().replace(" ", "") not in ("database", "db", "initialcatalog")]
print(";".join(parts + ["Database=" + sys.argv[2]]))
PY
}
if [[ $STACK == postgres-s3 ]]; then
  log "starting PostgreSQL (.ci/postgres.sh) and s3rver (.ci/s3rver.sh)"
  PG_STARTED=1
  out=$(timeout 180 "$CI_DIR/postgres.sh" start "$WORK/engines/postgres" 2>"$WORK/logs/postgres-start.log") \
    || { cat "$WORK/logs/postgres-start.log" >&2; die ".ci/postgres.sh start"; }
  PG_CONN=$(tail -1 <<<"$out")
  S3_STARTED=1
  # A port of our own: the script's default (4568) may be taken by a test run's s3rver, whose answer would pass for ours.
  out=$(timeout 180 "$CI_DIR/s3rver.sh" start "$WORK/engines/s3rver" "$(free_port)" 2>"$WORK/logs/s3rver-start.log") \
    || { cat "$WORK/logs/s3rver-start.log" >&2; die ".ci/s3rver.sh start"; }
  S3_URL=$(tail -1 <<<"$out")
  [[ $S3_URL == http* ]] || die ".ci/s3rver.sh printed '$S3_URL' as its last line, not a URL"
  pg_host=$(conn_field "$PG_CONN" host server); pg_port=$(conn_field "$PG_CONN" port)
  pg_user=$(conn_field "$PG_CONN" username userid user); pg_pass=$(conn_field "$PG_CONN" password pwd)
  pg_db=$(conn_field "$PG_CONN" database db)
  [[ -n $pg_host ]] || die "no Host in the connection string '$PG_CONN'"
  PG_ADMIN_DB=${pg_db:-postgres}
  RUN_ID="$(date +%Y%m%d%H%M%S)_$$"
  DB_NAME="assetserver_cluster_$RUN_ID"
  pg_sql "$PG_ADMIN_DB" "CREATE DATABASE \"$DB_NAME\"" >/dev/null || { DB_NAME=""; die "CREATE DATABASE on $pg_host:${pg_port:-5432}"; }
  PG_CONN=$(conn_with_database "$PG_CONN" "$DB_NAME")
  S3_PREFIX="cluster-$RUN_ID/"
  log "database $DB_NAME on $pg_host:${pg_port:-5432}, S3 $S3_URL prefix $S3_PREFIX"
fi

# ---------------------------------------------------------------- nodes
# start_node N k: node k (1-based) of the N-node round, on a free port; its URL is appended to NODE_URLS.
start_node() {
  local n=$1 k=$2 port data
  port=$(free_port)
  # A fresh local cache per node and round (a data folder belongs to one server): only PostgreSQL and S3 are shared.
  data="$WORK/nodes/n$n-node$k"
  local stack_env=(ASSETSERVER_Database__Provider=postgres ASSETSERVER_Database__ConnectionString="$PG_CONN"
    ASSETSERVER_Storage__Provider=s3 ASSETSERVER_Storage__S3__ServiceUrl="$S3_URL"
    ASSETSERVER_Storage__S3__Bucket="$S3_BUCKET" ASSETSERVER_Storage__S3__AccessKey=S3RVER
    ASSETSERVER_Storage__S3__SecretKey=S3RVER ASSETSERVER_Storage__S3__Region=us-east-1
    ASSETSERVER_Storage__S3__ForcePathStyle=true ASSETSERVER_Storage__S3__Prefix="$S3_PREFIX")
  mkdir -p "$data"
  ( cd "$ROOT" && exec env ASSETSERVER_Data__Path="$data" ASSETSERVER_Auth__AdminToken="$TOKEN" \
      ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 \
      ASSETSERVER_Metrics__Public=true ASSETSERVER_Server__NodeId="bench-n$n-node$k" \
      ASSETSERVER_Logging__LogLevel__Default=Warning "${stack_env[@]}" \
      dotnet "$DLL" --urls "http://127.0.0.1:$port" ) >"$WORK/logs/n$n-node$k.log" 2>&1 &
  NODE_PIDS+=($!)
  NODE_URLS+=("http://127.0.0.1:$port")
  wait_http "http://127.0.0.1:$port/server/ping" 90 \
    || { tail -20 "$WORK/logs/n$n-node$k.log" >&2; die "node $k of $n did not answer /server/ping"; }
}
# The renders of every running node, summed from /metrics.
renders_total() {
  local url sum=0 one
  for url in "${NODE_URLS[@]}"; do
    one=$(curl -sf --max-time 10 "$url/metrics" | awk '$1 == "assetserver_renders_total" { s += $2 } END { printf "%d\n", s }') \
      || die "GET $url/metrics"
    sum=$(( sum + one ))
  done
  echo "$sum"
}
# Requests one node answered, from prometheus-net's HTTP counter.
node_requests() { # url
  curl -sf --max-time 10 "$1/metrics" | awk '$1 ~ /^http_requests_received_total/ { s += $2 } END { printf "%d\n", s }'
}

# ---------------------------------------------------------------- nginx
NGINX_PORT=$(free_port)   # the cluster: an upstream over the nodes
FLOOR_PORT=$(free_port)   # the floor: the same derivative bytes as static files
PROXY_FLOOR_PORT=$(free_port)   # nginx proxying to its own static server: the cost of the hop alone
while [[ $FLOOR_PORT == "$NGINX_PORT" ]]; do FLOOR_PORT=$(free_port); done
while [[ $PROXY_FLOOR_PORT == "$NGINX_PORT" || $PROXY_FLOOR_PORT == "$FLOOR_PORT" ]]; do PROXY_FLOOR_PORT=$(free_port); done
start_nginx() {
  local servers="" url
  for url in "${NODE_URLS[@]}"; do servers+="    server ${url#http://};"$'\n'; done
  local proxy="proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$host;
      proxy_request_buffering off;
      # Room for a whole derivative in memory, so none spills to a temp file on its way through.
      proxy_buffer_size 16k;
      proxy_buffers 64 16k;
      proxy_busy_buffers_size 64k;"
  cat >"$WORK/nginx/nginx.conf" <<NGINX
# Written by benchmarks/cluster/run.sh. One worker per core, as shipped.
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  types { image/webp webp; image/jpeg jpg; }
  # Round robin (nginx's default) over the nodes, with idle connections kept open to them.
  upstream assetserver {
$servers    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    client_max_body_size 0;
    location / {
      proxy_pass http://assetserver;
      $proxy
    }
  }
  server {
    listen 127.0.0.1:$FLOOR_PORT;
    root $WORK/static;
  }
  # The same proxy settings in front of the static floor: what the hop through nginx costs by itself.
  upstream static_floor {
    server 127.0.0.1:$FLOOR_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$PROXY_FLOOR_PORT;
    location / {
      proxy_pass http://static_floor;
      $proxy
    }
  }
}
NGINX
  "$(command -v nginx)" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!
  wait_http "http://127.0.0.1:$NGINX_PORT/server/ping" 20 || { cat "$WORK/nginx/error.log" >&2; die "nginx did not start"; }
}

# ---------------------------------------------------------------- corpus
# Photo-like pixels: colour noise at 1/96 size upsampled (smooth shapes), brightness noise at 1/12 (detail) and
# fine grain, made once as a master; each photo is a differently placed window of it, saved as JPEG q85.
read -r PHOTO_W PHOTO_H < <(awk -v mp="$PHOTO_MP" 'BEGIN { w = int(sqrt(mp * 1e6 * 1.5) / 16 + 0.5) * 16; h = int(w * 2 / 3 / 16 + 0.5) * 16; print w, h }')
MASTER_W=$(( (PHOTO_W + 960) / 96 * 96 )); MASTER_H=$(( (PHOTO_H + 672) / 96 * 96 ))
make_master() {
  local t="$WORK/vtmp"
  vips gaussnoise "$t/r.v" $(( MASTER_W / 96 )) $(( MASTER_H / 96 )) --mean 128 --sigma 60
  vips gaussnoise "$t/g.v" $(( MASTER_W / 96 )) $(( MASTER_H / 96 )) --mean 118 --sigma 55
  vips gaussnoise "$t/b.v" $(( MASTER_W / 96 )) $(( MASTER_H / 96 )) --mean 108 --sigma 65
  vips bandjoin "$t/r.v $t/g.v $t/b.v" "$t/colour.v"
  vips cast "$t/colour.v" "$t/colour8.v" uchar
  vips resize "$t/colour8.v" "$t/shapes.v" 96 --kernel cubic
  vips gaussnoise "$t/d.v" $(( MASTER_W / 12 )) $(( MASTER_H / 12 )) --mean 0 --sigma 25
  vips cast "$t/d.v" "$t/d8.v" char
  vips resize "$t/d8.v" "$t/detail.v" 12 --kernel cubic
  vips gaussnoise "$t/grain.v" "$MASTER_W" "$MASTER_H" --mean 0 --sigma 5
  vips cast "$t/grain.v" "$t/grain8.v" char
  vips add "$t/shapes.v" "$t/detail.v" "$t/sum1.v"
  vips add "$t/sum1.v" "$t/grain8.v" "$t/sum2.v"
  vips cast "$t/sum2.v" "$t/sum8.v" uchar
  vips copy "$t/sum8.v" "$t/master.v" --interpretation srgb
}
log "making $PHOTOS photos of ${PHOTO_W}x$PHOTO_H"
timeout 300 bash -euo pipefail -c "$(declare -f make_master); WORK='$WORK' MASTER_W=$MASTER_W MASTER_H=$MASTER_H make_master" \
  || die "making the master image"
for i in $(seq 1 "$PHOTOS"); do
  x=$(( i * 397 % (MASTER_W - PHOTO_W + 1) )); y=$(( i * 211 % (MASTER_H - PHOTO_H + 1) ))
  timeout 120 vips extract_area "$WORK/vtmp/master.v" "$WORK/corpus/photo-$(printf %02d "$i").jpg[Q=85]" "$x" "$y" "$PHOTO_W" "$PHOTO_H" \
    || die "making photo $i"
done
rm -rf "$WORK/vtmp"
CORPUS_BYTES=$(cat "$WORK"/corpus/*.jpg | wc -c)
log "corpus: $PHOTOS files, $(( CORPUS_BYTES / 1000000 )) MB"

# ---------------------------------------------------------------- the rounds
declare -A PROXY_FLOOR COLD_RPS COLD_FLOOR CACHED_RPS CACHED_FLOOR CACHED_P50 CACHED_P99 FLOOR_P50 FLOOR_P99 COLD_P50 COLD_P95 SHARES
AUTH=(-H "Authorization: Bearer $TOKEN")
: >"$WORK/ids.txt"

# Cold path jobs of round N: every photo at WIDTHS_PER_N widths no other round uses (480 + 16 j + N), photos
# interleaved so that requests in flight are for different photos. One line per job: "width id photo".
cold_jobs() { # n
  local j w id photo
  for j in $(seq 0 $(( WIDTHS_PER_N - 1 ))); do
    w=$(( 480 + 16 * j + $1 ))
    while read -r id photo; do echo "$w $id $photo"; done <"$WORK/ids.txt"
  done
}
query_for() { echo "width=$1&format=webp&quality=$QUALITY"; }

# The floor: vipsthumbnail over the same photos and widths with the same concurrency. Jobs of one width are
# grouped into runs of a few photos per process, so the floor pays its process start (libvips loading its
# modules) a few times, not once per photo; the groups run COLD_CONCURRENCY at a time.
cold_floor() { # n -> renders/s
  local n=$1 dir="$WORK/floor/n$1" per t0 t1
  mkdir -p "$dir"
  per=$(( ($(wc -l <"$WORK/cold/jobs-n$n.txt") + COLD_CONCURRENCY - 1) / COLD_CONCURRENCY ))
  sort -n -k1,1 "$WORK/cold/jobs-n$n.txt" | awk -v per="$per" '
    $1 != w || c == per { if (line != "") print line; w = $1; c = 0; line = $1 }
    { line = line " " $3; c++ }
    END { if (line != "") print line }' >"$dir/groups.txt"
  t0=$(date +%s%N)
  OUT=$dir timeout 600 xargs -P "$COLD_CONCURRENCY" -L 1 \
    sh -c 'w=$1; shift; exec vipsthumbnail "$@" -s "${w}x" -o "$OUT/%s-$w.webp[Q='"$QUALITY"',strip]"' sh <"$dir/groups.txt" \
    || die "vipsthumbnail floor"
  t1=$(date +%s%N)
  local made; made=$(find "$dir" -name '*.webp' | wc -l)
  [[ $made -eq $(wc -l <"$WORK/cold/jobs-n$n.txt") ]] || die "vipsthumbnail made $made files"
  calc "$made / (($t1 - $t0) / 1e9)" 2
}

# The server: the same jobs as GET /assets/<id>?width=…, COLD_CONCURRENCY in flight, through nginx.
cold_server() { # n -> renders/s; writes cold/results-n<n>.txt ("code seconds type")
  local n=$1 t0 t1
  awk -v base="http://127.0.0.1:$NGINX_PORT" -v q="$QUALITY" '{ print base "/assets/" $2 "?width=" $1 "&format=webp&quality=" q }' \
    "$WORK/cold/jobs-n$n.txt" >"$WORK/cold/urls-n$n.txt"
  t0=$(date +%s%N)
  timeout 600 xargs -P "$COLD_CONCURRENCY" -n 1 curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total} %{content_type}\n' \
    <"$WORK/cold/urls-n$n.txt" >"$WORK/cold/results-n$n.txt" || true
  t1=$(date +%s%N)
  local ok; ok=$(awk '$1 == 200' "$WORK/cold/results-n$n.txt" | wc -l)
  calc "$ok / (($t1 - $t0) / 1e9)" 2
}

for N in "${NODE_COUNTS[@]}"; do
  log "--- $N node(s)"
  for k in $(seq 1 "$N"); do start_node "$N" "$k"; done
  start_nginx
  log "nodes ${NODE_URLS[*]} behind nginx :$NGINX_PORT"

  if [[ ! -s $WORK/ids.txt ]]; then
    for f in "$WORK"/corpus/*.jpg; do
      id=$(curl -sf --max-time 120 "${AUTH[@]}" -F "file=@$f" "${NODE_URLS[0]}/files" | jq -r '.data.id') || die "upload of $f"
      [[ -n $id && $id != null ]] || die "upload of $f returned no id"
      echo "$id $f" >>"$WORK/ids.txt"
    done
    log "uploaded $PHOTOS photos through node 1"
    if [[ $STACK == postgres-s3 ]]; then
      # The nodes must really be on PostgreSQL: an old build would ignore Database:Provider and use SQLite.
      rows=$(pg_sql "$DB_NAME" "SELECT count(*) FROM files") || rows="none"
      check "the uploads are rows in the run's PostgreSQL database" "$PHOTOS" "$rows"
      [[ $rows == "$PHOTOS" ]] || die "the nodes do not write to PostgreSQL database $DB_NAME (rows: $rows)"
    fi
  fi

  # One render per node first (a size no measured job uses), so the figures are renders, not JIT compiling
  # the transform path.
  read -r first_id _ <"$WORK/ids.txt"
  for k in $(seq 1 "$N"); do
    code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' "${NODE_URLS[$(( k - 1 ))]}/assets/$first_id?width=$(( 100 + 10 * N + k ))&format=webp&quality=$QUALITY")
    [[ $code == 200 ]] || die "warm-up render on node $k of $N answered $code"
  done

  # -- cold path
  cold_jobs "$N" >"$WORK/cold/jobs-n$N.txt"
  jobs=$(wc -l <"$WORK/cold/jobs-n$N.txt")
  COLD_FLOOR[$N]=$(cold_floor "$N")
  before=$(renders_total)
  COLD_RPS[$N]=$(cold_server "$N")
  rendered=$(( $(renders_total) - before ))
  ok=$(awk '$1 == 200 && $3 ~ /^image\/webp/' "$WORK/cold/results-n$N.txt" | wc -l)
  busy=$(awk '$1 == 503' "$WORK/cold/results-n$N.txt" | wc -l)
  read -r med p95 _ < <(awk '{ print $2 }' "$WORK/cold/results-n$N.txt" | python3 "$LOAD_DIR/tools.py" stats)
  COLD_P50[$N]=$(calc "$med * 1000" 1); COLD_P95[$N]=$(calc "$p95 * 1000" 1)
  figure "cold_n${N}_renders_per_s" "${COLD_RPS[$N]}" renders/s
  figure "cold_n${N}_p50" "${COLD_P50[$N]}" ms
  figure "cold_n${N}_p95" "${COLD_P95[$N]}" ms
  figure "cold_n${N}_floor_renders_per_s" "${COLD_FLOOR[$N]}" renders/s
  figure "cold_n${N}_ratio_floor" "$(calc "${COLD_RPS[$N]} / ${COLD_FLOOR[$N]}" 2)" x
  [[ $N -gt 1 ]] && figure "cold_n${N}_ratio_n1" "$(calc "${COLD_RPS[$N]} / ${COLD_RPS[1]}" 2)" x
  figure "cold_n${N}_renders" "$rendered" count
  figure "cold_n${N}_503" "$busy" count
  check "$N node(s), cold: every request a 200 image/webp" "$jobs" "$ok"
  check "$N node(s), cold: one render per miss (summed assetserver_renders_total)" "$jobs" "$rendered"

  # -- cached path: every derivative through every node directly, so each node has it in its own cache
  awk -v q="$QUALITY" '{ print "/assets/" $2 "?width=" $1 "&format=webp&quality=" q }' "$WORK/cold/jobs-n$N.txt" >"$WORK/warm/paths-n$N.txt"
  mkdir -p "$WORK/static/n$N"
  awk '{ printf "/n'"$N"'/%03d.webp\n", NR }' "$WORK/warm/paths-n$N.txt" >"$WORK/warm/static-n$N.txt"
  before=$(renders_total)
  mismatched=0
  for k in $(seq 1 "$N"); do
    dir="$WORK/warm/n$N-node$k"; mkdir -p "$dir"
    awk -v base="${NODE_URLS[$(( k - 1 ))]}" -v dir="$dir" '{ printf "%s%s\n%s/%03d.webp\n", base, $0, dir, NR }' "$WORK/warm/paths-n$N.txt" \
      | timeout 300 xargs -P 4 -n 2 sh -c 'curl -sf --max-time 60 -o "$1" "$0" || echo "failed: $0"' >"$dir.failed" || true
    [[ -s $dir.failed ]] && { head -3 "$dir.failed" >&2; die "warming node $k of $N"; }
    if [[ $k -eq 1 ]]; then
      cp "$dir"/*.webp "$WORK/static/n$N/"
    else
      for f in "$dir"/*.webp; do cmp -s "$f" "$WORK/static/n$N/${f##*/}" || mismatched=$(( mismatched + 1 )); done
    fi
  done
  chmod -R a+rX "$WORK/static"
  warm_rendered=$(( $(renders_total) - before ))
  figure "cached_n${N}_warm_renders" "$warm_rendered" count
  check "$N node(s), warm-up through each node: the same bytes from every node" 0 "$mismatched"
  check "$N node(s), warm-up through each node: no node renders again what another rendered" 0 "$warm_rendered"

  # wrk through nginx, after WARMUP seconds that are not measured (tiered JIT of the cached path).
  before=$(renders_total)
  run_wrk "$WORK/warm/wrk-warmup-n$N.log" "$WORK/warm/paths-n$N.txt" "http://127.0.0.1:$NGINX_PORT" "$WARMUP"
  declare -a served_before=()
  for k in $(seq 1 "$N"); do served_before[$k]=$(node_requests "${NODE_URLS[$(( k - 1 ))]}"); done
  run_wrk "$WORK/warm/wrk-n$N.log" "$WORK/warm/paths-n$N.txt" "http://127.0.0.1:$NGINX_PORT" "$DURATION"
  shares=""
  total_served=0
  for k in $(seq 1 "$N"); do
    served_before[$k]=$(( $(node_requests "${NODE_URLS[$(( k - 1 ))]}") - served_before[k] ))
    total_served=$(( total_served + served_before[k] ))
  done
  for k in $(seq 1 "$N"); do
    shares+="${shares:+ / }$(calc "${served_before[$k]} / ($total_served > 0 ? $total_served : 1)" 2)"
  done
  SHARES[$N]=$shares
  cached_rendered=$(( $(renders_total) - before ))
  run_wrk "$WORK/warm/wrk-floor-n$N.log" "$WORK/warm/static-n$N.txt" "http://127.0.0.1:$FLOOR_PORT" "$DURATION"
  run_wrk "$WORK/warm/wrk-proxy-floor-n$N.log" "$WORK/warm/static-n$N.txt" "http://127.0.0.1:$PROXY_FLOOR_PORT" "$DURATION"
  PROXY_FLOOR[$N]=$(wrkstat rps "$WORK/warm/wrk-proxy-floor-n$N.log")
  CACHED_RPS[$N]=$(wrkstat rps "$WORK/warm/wrk-n$N.log")
  CACHED_P50[$N]=$(wrkstat p50_ms "$WORK/warm/wrk-n$N.log"); CACHED_P99[$N]=$(wrkstat p99_ms "$WORK/warm/wrk-n$N.log")
  CACHED_FLOOR[$N]=$(wrkstat rps "$WORK/warm/wrk-floor-n$N.log")
  FLOOR_P50[$N]=$(wrkstat p50_ms "$WORK/warm/wrk-floor-n$N.log"); FLOOR_P99[$N]=$(wrkstat p99_ms "$WORK/warm/wrk-floor-n$N.log")
  errors=$(( $(wrkstat socket_errors "$WORK/warm/wrk-n$N.log") + $(wrkstat status_errors "$WORK/warm/wrk-n$N.log") ))
  floor_errors=$(( $(wrkstat socket_errors "$WORK/warm/wrk-floor-n$N.log") + $(wrkstat status_errors "$WORK/warm/wrk-floor-n$N.log") ))
  figure "cached_n${N}_rps" "${CACHED_RPS[$N]}" req/s
  figure "cached_n${N}_p50" "${CACHED_P50[$N]}" ms
  figure "cached_n${N}_p99" "${CACHED_P99[$N]}" ms
  figure "cached_n${N}_floor_rps" "${CACHED_FLOOR[$N]}" req/s
  figure "cached_n${N}_floor_p50" "${FLOOR_P50[$N]}" ms
  figure "cached_n${N}_floor_p99" "${FLOOR_P99[$N]}" ms
  figure "cached_n${N}_ratio_floor" "$(calc "${CACHED_RPS[$N]} / ${CACHED_FLOOR[$N]}" 2)" x
  figure "cached_n${N}_proxy_floor_rps" "${PROXY_FLOOR[$N]}" req/s
  figure "cached_n${N}_ratio_proxy_floor" "$(calc "${CACHED_RPS[$N]} / ${PROXY_FLOOR[$N]}" 2)" x
  [[ $N -gt 1 ]] && figure "cached_n${N}_ratio_n1" "$(calc "${CACHED_RPS[$N]} / ${CACHED_RPS[1]}" 2)" x
  figure "cached_n${N}_errors" "$errors" count
  figure "cached_n${N}_renders" "$cached_rendered" count
  check "$N node(s), cached: no errors through nginx (floor: $floor_errors)" 0 "$errors"
  check "$N node(s), cached: no renders while serving cached derivatives" 0 "$cached_rendered"

  stop_nginx
  stop_nodes
done

# ---------------------------------------------------------------- RESULTS-cluster.md
ratio_n1() { [[ $1 -eq 1 ]] && echo "1.00×" || echo "$(calc "$2 / $3" 2)×"; }
{
  echo "## Cluster: 1, 2 and 3 nodes behind nginx (issue 13, $MODE run, stack $STACK)"
  echo
  [[ $QUICK -eq 1 ]] && { echo "> Quick run: $PHOTOS small photos and ${DURATION} s runs, only to show the script works; the figures are not comparable with a full run."; echo; }
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $LOAD_BEFORE before and $(cut -d' ' -f1-3 /proc/loadavg) after; every node, nginx, wrk and the engines share these cores"
  echo "- Tools: dotnet $(dotnet --version), $(vips --version), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- Stack: PostgreSQL (database \`$DB_NAME\`, dropped after the run) + S3 at $S3_URL (s3rver, prefix \`$S3_PREFIX\`); a fresh \`Data:Path\` (local cache) per node and round"
  echo "- Corpus: $PHOTOS JPEGs q85 of ${PHOTO_W}×${PHOTO_H}, $(( CORPUS_BYTES / 1000000 )) MB, uploaded once through node 1"
  echo
  echo "| nodes | cold renders/s | vipsthumbnail floor | × floor | × 1 node | cold p50 / p95 | cached req/s | p50 / p99 | nginx static floor | × floor | nginx → nginx | × that | × 1 node | requests per node |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for N in "${NODE_COUNTS[@]}"; do
    echo "| $N | ${COLD_RPS[$N]} | ${COLD_FLOOR[$N]} | $(calc "${COLD_RPS[$N]} / ${COLD_FLOOR[$N]}" 2)× | $(ratio_n1 "$N" "${COLD_RPS[$N]}" "${COLD_RPS[1]}") | ${COLD_P50[$N]} / ${COLD_P95[$N]} ms | ${CACHED_RPS[$N]} | ${CACHED_P50[$N]} / ${CACHED_P99[$N]} ms | ${CACHED_FLOOR[$N]} (p99 ${FLOOR_P99[$N]} ms) | $(calc "${CACHED_RPS[$N]} / ${CACHED_FLOOR[$N]}" 2)× | ${PROXY_FLOOR[$N]} | $(calc "${CACHED_RPS[$N]} / ${PROXY_FLOOR[$N]}" 2)× | $(ratio_n1 "$N" "${CACHED_RPS[$N]}" "${CACHED_RPS[1]}") | ${SHARES[$N]} |"
  done
  echo
  echo "Cold: $(( PHOTOS * WIDTHS_PER_N )) derivatives per round that no request asked for before (\`?width=W&format=webp&quality=$QUALITY\`, W new in each round), $COLD_CONCURRENCY in flight through nginx (curl via \`xargs -P\`); renders/s = 200 answers ÷ wall time. Floor: \`vipsthumbnail -s Wx\` to WebP q$QUALITY over the same photos and widths, $COLD_CONCURRENCY processes at a time, measured just before. Cached: each derivative first fetched through every node directly, ${WARMUP} s of wrk not measured, then wrk ${DURATION} s, $CONNECTIONS connections, $THREADS threads, rotating over the round's derivative URLs through nginx; floor: nginx serving the same bytes as files, same script, just after; \`nginx → nginx\`: the same files through an nginx upstream with the cluster's proxy settings (the hop alone), just after that. The machine does not grow with the nodes: on one host the ratios to 1 node show what scale-out costs, not what it gains."
  echo
  echo "| check | expected | seen | result |"
  echo "|---|---:|---:|---|"
  for c in "${CHECKS[@]}"; do IFS='|' read -r d e s v <<<"$c"; echo "| $d | $e | $s | $v |"; done
  echo
  echo "<details><summary>Figures and commands</summary>"
  echo
  echo '```'
  for f in "${FIGURES[@]}"; do IFS='|' read -r n v u <<<"$f"; echo "$n $v $u"; done
  echo
  echo "benchmarks/cluster/run.sh$([[ $QUICK -eq 1 ]] && echo ' --quick') --stack $STACK"
  echo "ASSETSERVER_Data__Path=… ASSETSERVER_Server__NodeId=bench-n<N>-node<k> ASSETSERVER_Metrics__Public=true ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0$([[ $STACK == postgres-s3 ]] && echo ' ASSETSERVER_Database__Provider=postgres ASSETSERVER_Storage__Provider=s3 …') dotnet src/AssetServer/bin/Release/net10.0/AssetServer.dll --urls http://127.0.0.1:<port>"
  echo "xargs -P $COLD_CONCURRENCY -n 1 curl -s -o /dev/null -w '%{http_code} %{time_total} %{content_type}\n' < urls   # http://nginx/assets/<id>?width=W&format=webp&quality=$QUALITY"
  echo "xargs -P $COLD_CONCURRENCY -L 1 sh -c 'w=\$1; shift; vipsthumbnail \"\$@\" -s \"\${w}x\" -o \"%s-\$w.webp[Q=$QUALITY,strip]\"' sh < groups   # 'W photo photo …' per line"
  echo "PATHS_FILE=paths.txt wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/cluster/rotate.lua http://nginx   # and http://nginx-static with the static paths"
  echo '```'
  echo
  echo "</details>"
} >"$RESULTS"
log "wrote $RESULTS in $(( $(date +%s) - STARTED ))s"
[[ $FAILED_CHECKS -eq 0 ]] || die "$FAILED_CHECKS check(s) missed (see $RESULTS)"
