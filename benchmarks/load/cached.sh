#!/usr/bin/env bash
# The cached path alone, to iterate fast (issue 17): one server, one photo, nginx with the same bytes; wrk on
# /server/ping, the cached derivative, the original, and nginx's two files, all in one run, then the ratios.
#   benchmarks/load/cached.sh [--seconds N] [--rounds N] [--no-build] [--dll PATH] [--trace FILE] [VAR=value ...]
# --dll runs another build (a copy of bin/Release/net10.0 per variant) and skips the build. VAR=value pairs go into
# the server's environment (A/B runs: ASSETSERVER_…, DOTNET_…). About 1 minute with the
# defaults (10 s per wrk run, 1 round). Wrap it in `flock /tmp/bench.lock` when others measure on the machine.
# Only 127.0.0.1 is contacted; the server and nginx are stopped on exit. Work files: benchmarks/load/work/cached/.
set -euo pipefail

SECONDS_PER_RUN=10; ROUNDS=1; BUILD=1; EXTRA_ENV=(); TRACE=""
DLL="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/src/AssetServer/bin/Release/net10.0/AssetServer.dll"
while (( $# )); do
  case "$1" in
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --trace) TRACE=$2; shift ;;
    --dll) DLL=$2; BUILD=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *=*) EXTRA_ENV+=("$1") ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
(( SECONDS_PER_RUN <= 30 )) || { echo "--seconds is at most 30" >&2; exit 2; }

LOAD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LOAD_DIR/../.." && pwd)"
WORK="$LOAD_DIR/work/cached"
export LOAD_DIR PATH="$PATH:/usr/sbin"
QUERY="width=200&height=200&fit=cover&format=webp&quality=80"
CONNECTIONS=32; THREADS=$(nproc)
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
log() { printf '[cached] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

SERVER_PID=""; NGINX_PID=""
stop_pid() {
  local pid=$1 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap 'stop_pid "$NGINX_PID"; stop_pid "$SERVER_PID"' EXIT
trap 'exit 130' INT TERM
wait_http() { local deadline=$(( $(date +%s) + $2 )); until curl -s -o /dev/null --max-time 2 "$1"; do (( $(date +%s) < deadline )) || return 1; sleep 0.05; done; }

rm -rf "$WORK"; mkdir -p "$WORK"/{data,static,nginx}
if (( BUILD )); then
  ( cd "$ROOT" && timeout 600 dotnet build src/AssetServer/AssetServer.csproj -c Release -nologo -v q ) >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log" >&2; die "dotnet build"; }
fi
[[ -f $DLL ]] || die "no $DLL"

# A photo-like JPEG of about 0.5 MB (smooth shapes plus grain), as the full run's original.
vips gaussnoise "$WORK/n.v" 16 11 --mean 128 --sigma 60
vips resize "$WORK/n.v" "$WORK/s.v" 124 --kernel cubic
vips gaussnoise "$WORK/g.v" 1984 1364 --mean 0 --sigma 6
vips add "$WORK/s.v" "$WORK/g.v" "$WORK/a.v"
vips cast "$WORK/a.v" "$WORK/c.v" uchar
vips bandjoin "$WORK/c.v $WORK/c.v $WORK/c.v" "$WORK/rgb.v"
vips copy "$WORK/rgb.v" "$WORK/original.jpg[Q=85]" --interpretation srgb
rm -f "$WORK"/*.v

PORT=$(python3 "$LOAD_DIR/tools.py" port); NGINX_PORT=$(python3 "$LOAD_DIR/tools.py" port)
BASE="http://127.0.0.1:$PORT"; NGINX="http://127.0.0.1:$NGINX_PORT"
( cd "$ROOT" && exec env ASSETSERVER_Data__Path="$WORK/data" ASSETSERVER_Auth__AdminToken="$TOKEN" \
    ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 \
    ASSETSERVER_Logging__LogLevel__Default=Warning "${EXTRA_ENV[@]}" dotnet "$DLL" --urls "$BASE" ) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_http "$BASE/server/ping" 60 || { tail -20 "$WORK/server.log" >&2; die "server did not start"; }
ID=$(curl -sf --max-time 60 -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/original.jpg" "$BASE/files" | jq -r .data.id)
[[ -n $ID && $ID != null ]] || die "upload"
curl -sf --max-time 60 -o "$WORK/static/derivative.webp" "$BASE/assets/$ID?$QUERY" || die "derivative"
cp "$WORK/original.jpg" "$WORK/static/original.jpg"; chmod -R a+rX "$WORK/static"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy; fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  types { image/webp webp; image/jpeg jpg; }
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/static; }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGINX/derivative.webp" 20 || die "nginx"
cmp -s <(curl -sf "$NGINX/derivative.webp") <(curl -sf "$BASE/assets/$ID?$QUERY") || die "different derivative bytes"
log "original $(stat -c %s "$WORK/original.jpg") B, derivative $(stat -c %s "$WORK/static/derivative.webp") B; server $(git -C "$ROOT" rev-parse --short HEAD)${EXTRA_ENV[*]:+ with ${EXTRA_ENV[*]}}"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
CLK_TCK=$(getconf CLK_TCK)
wrk_rate() { # name url seconds -> prints req/s, MB/s and the server's CPU time per request in µs (0 for nginx)
  local before; before=$(cpu_ticks)
  timeout $(( $3 + 60 )) wrk -t "$THREADS" -c "$CONNECTIONS" -d "$3s" --timeout 15s -s "$LOAD_DIR/static.lua" "$2" >"$WORK/wrk-$1.log" 2>&1 || die "wrk $1"
  local errors; errors=$(awk '$1 == "wrkstat" && ($2 == "socket_errors" || $2 == "status_errors") { s += $3 } END { print s + 0 }' "$WORK/wrk-$1.log")
  (( errors == 0 )) || die "wrk $1: $errors errors"
  local ticks=$(( $(cpu_ticks) - before ))
  [[ $2 == "$NGINX"* ]] && ticks=0
  awk -v t="$ticks" -v hz="$CLK_TCK" '$1 == "wrkstat" && $2 == "rps" { r = $3 } $1 == "wrkstat" && $2 == "mbps" { m = $3 }
    $1 == "wrkstat" && $2 == "requests" { n = $3 } END { print r, m, t / hz * 1e6 / n }' "$WORK/wrk-$1.log"
}
# Warm-up: tiered JIT to its final code on every path measured.
for url in "$BASE/server/ping" "$BASE/assets/$ID?$QUERY" "$BASE/assets/$ID"; do wrk_rate warm "$url" 5 >/dev/null; done

# --trace: sampled thread stacks (dotnet-trace, a NuGet global tool) of the server under the derivative's load, then
# the methods longest on the stack, inclusive.
if [[ -n $TRACE ]]; then
  timeout 120 dotnet-trace collect -p "$SERVER_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:"$SECONDS_PER_RUN" \
    -o "$TRACE" >"$WORK/trace.log" 2>&1 &
  TRACE_PID=$!
  sleep 1
  wrk_rate traced "$BASE/assets/$ID?$QUERY" "$SECONDS_PER_RUN" >/dev/null
  wait "$TRACE_PID" || { cat "$WORK/trace.log" >&2; die "dotnet-trace"; }
  dotnet-trace report "$TRACE" topN -n 60 --inclusive
  exit 0
fi

: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  read -r ping _ ping_cpu < <(wrk_rate ping "$BASE/server/ping" "$SECONDS_PER_RUN")
  read -r deriv _ deriv_cpu < <(wrk_rate derivative "$BASE/assets/$ID?$QUERY" "$SECONDS_PER_RUN")
  read -r nderiv _ _ < <(wrk_rate nginx-derivative "$NGINX/derivative.webp" "$SECONDS_PER_RUN")
  read -r _ orig orig_cpu < <(wrk_rate original "$BASE/assets/$ID" "$SECONDS_PER_RUN")
  read -r _ norig _ < <(wrk_rate nginx-original "$NGINX/original.jpg" "$SECONDS_PER_RUN")
  awk -v r="$round" -v p="$ping" -v d="$deriv" -v nd="$nderiv" -v o="$orig" -v no="$norig" -v pc="$ping_cpu" -v dc="$deriv_cpu" -v oc="$orig_cpu" 'BEGIN {
    printf "round %d: ping %.0f req/s, derivative %.0f req/s (%.2fx ping, %.2fx nginx %.0f), original %.0f MB/s (%.2fx nginx %.0f); server CPU per request: ping %.1f us, derivative %.1f us, original %.1f us\n",
      r, p, d, d / p, d / nd, nd, o, o / no, no, pc, dc, oc }'
  echo "$ping $deriv $nderiv $orig $norig $ping_cpu $deriv_cpu" >>"$WORK/rounds.txt"
done
# Medians of the per-round ratios (each ratio from runs next to each other in one round).
python3 - "$WORK/rounds.txt" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
med = lambda xs: statistics.median(xs)
print("median over %d round(s): derivative %.2fx ping, %.2fx nginx; original %.2fx nginx; CPU per request: ping %.1f us, derivative %.1f us (ping/derivative %.2f)" % (
    len(rows), med([r[1] / r[0] for r in rows]), med([r[1] / r[2] for r in rows]), med([r[3] / r[4] for r in rows]),
    med([r[5] for r in rows]), med([r[6] for r in rows]), med([r[5] / r[6] for r in rows])))
PY
