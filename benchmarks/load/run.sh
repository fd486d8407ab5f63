#!/usr/bin/env bash
# Load benchmark of AssetServer over HTTP on loopback, each figure against a floor (vipsthumbnail, nginx).
#   benchmarks/load/run.sh           full run (5 to 10 minutes): writes benchmarks/RESULTS.md
#   benchmarks/load/run.sh --quick   smoke run (under two minutes): writes benchmarks/load/work/RESULTS-quick.md
# Prints one "name value unit" line per figure. Only 127.0.0.1 is ever contacted; every step is bounded in time;
# the server, nginx and the helpers it starts are stopped on exit. See benchmarks/README.md.
set -euo pipefail

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (use --quick or nothing)" >&2; exit 2 ;;
  esac
done

LOAD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LOAD_DIR/../.." && pwd)"
WORK="$LOAD_DIR/work"
export LOAD_DIR

if [[ $QUICK -eq 1 ]]; then
  MODE=quick; PHOTOS=5; MP_MIN=6; MP_MAX=6; DURATION=5; CONNECTIONS=8; ROWS=1000; UPLOADS=8
  RESULTS="$WORK/RESULTS-quick.md"
else
  MODE=full; PHOTOS=40; MP_MIN=6; MP_MAX=24; DURATION=30; CONNECTIONS=32; ROWS=10000; UPLOADS=40
  RESULTS="$ROOT/benchmarks/RESULTS.md"
fi
THREADS=$(( $(nproc) < CONNECTIONS ? $(nproc) : CONNECTIONS ))
SINGLE_FLIGHT=16
PARALLEL_UPLOADS=8
COLD_QUERY="width=200&height=200&fit=cover&format=webp&quality=80"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
DLL="$ROOT/src/AssetServer/bin/Release/net10.0/AssetServer.dll"
DATA="$WORK/data"
STARTED=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf '[%4ds] %s\n' "$(( $(date +%s) - STARTED ))" "$*" >&2; }
die() {
  log "FAILED: $*"
  [[ -s ${WORK:-}/server.log ]] && log "server log: $WORK/server.log; its last error: $(grep -A2 '^fail:' "$WORK/server.log" | tail -3 | tr -s ' \n' ' ' | cut -c1-400)"
  exit 1
}

# ---------------------------------------------------------------- tools
# Debian packages, installed only when a command is missing; apt-get update at most once.
ensure_tools() {
  local -A need=([wrk]=wrk [nginx]=nginx-light [vips]=libvips-tools [vipsthumbnail]=libvips-tools [curl]=curl
    [jq]=jq [python3]=python3 [sqlite3]=sqlite3 [inotifywait]=inotify-tools)
  local missing=() cmd
  for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd ]] || missing+=("${need[$cmd]}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  timeout 300 "${sudo[@]}" apt-get update -qq
  # Releases after Debian 12 fold nginx-light into nginx.
  if [[ " ${missing[*]} " == *" nginx-light "* ]] && ! apt-cache show nginx-light >/dev/null 2>&1; then
    missing=("${missing[@]/nginx-light/nginx}")
  fi
  DEBIAN_FRONTEND=noninteractive timeout 600 "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
ensure_tools
export PATH="$PATH:/usr/sbin"
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"

# ---------------------------------------------------------------- processes we start, stopped on exit
SERVER_PID=""; NGINX_PID=""; SAMPLER_PID=""; WATCH_PID=""
stop_pid() { # pid [signal]: signal, wait up to 10 s, then SIGKILL
  local pid=$1 sig=${2:-TERM} i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -s "$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -s KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$SAMPLER_PID"; stop_pid "$WATCH_PID"
  stop_pid "$NGINX_PID"; stop_pid "$SERVER_PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url seconds
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.2
  done
}

SERVER_PORT=$(python3 "$LOAD_DIR/tools.py" port)
NGINX_PORT=$(python3 "$LOAD_DIR/tools.py" port)
while [[ $NGINX_PORT == "$SERVER_PORT" ]]; do NGINX_PORT=$(python3 "$LOAD_DIR/tools.py" port); done
BASE="http://127.0.0.1:$SERVER_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
SERVER_CMD="ASSETSERVER_Data__Path=$DATA ASSETSERVER_Auth__AdminToken=<token> ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 ASSETSERVER_Logging__LogLevel__Default=Warning dotnet src/AssetServer/bin/Release/net10.0/AssetServer.dll --urls $BASE"

start_server() {
  ( cd "$ROOT" && exec env ASSETSERVER_Data__Path="$DATA" ASSETSERVER_Auth__AdminToken="$TOKEN" \
      ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 \
      ASSETSERVER_Logging__LogLevel__Default=Warning \
      dotnet "$DLL" --urls "$BASE" ) >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$BASE/server/ping" 60 || { tail -20 "$WORK/server.log" >&2; die "server did not answer /server/ping"; }
  log "server up (pid $SERVER_PID, $BASE)"
}
stop_server() { stop_pid "$SERVER_PID"; SERVER_PID=""; }

# ---------------------------------------------------------------- figures
declare -a FIGURES=()
figure() { # name value unit
  printf '%s %s %s\n' "$1" "$2" "$3"
  FIGURES+=("$1|$2|$3")
}
calc() { awk "BEGIN { printf \"%.${2:-3}f\\n\", $1 }"; }
wrkstat() { awk -v k="$1" '$1 == "wrkstat" && $2 == k { print $3 }' "$2"; }
run_wrk() { # log script url
  local logfile=$1 script=$2 url=$3
  WRK_THREADS=$THREADS timeout $(( DURATION + 60 )) \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 15s --latency -s "$LOAD_DIR/$script" "$url" >"$logfile" 2>&1 \
    || { cat "$logfile" >&2; die "wrk $url"; }
}

# ---------------------------------------------------------------- build
log "mode $MODE: $PHOTOS photos, ${DURATION}s runs, $CONNECTIONS connections, $ROWS rows"
rm -rf "$WORK"
mkdir -p "$WORK"/{corpus,thumbs,static,nginx,single,vtmp}
( cd "$ROOT" && timeout 600 dotnet build src/AssetServer/AssetServer.csproj -c Release -nologo -v q ) >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; die "dotnet build"; }
[[ -f "$DLL" ]] || die "no $DLL after the build"
log "built $DLL"

# ---------------------------------------------------------------- corpus
# Photo-like pixels made once as a 7168x4736 master: colour noise at 1/128 size upsampled (large smooth shapes),
# brightness noise at 1/16 (detail), and fine grain. Each photo is a differently placed window of it, saved as
# JPEG q85 with camera EXIF.
MASTER_W=7168; MASTER_H=4736
make_master() {
  local t="$WORK/vtmp"
  vips gaussnoise "$t/r.v" $(( MASTER_W / 128 )) $(( MASTER_H / 128 )) --mean 128 --sigma 60
  vips gaussnoise "$t/g.v" $(( MASTER_W / 128 )) $(( MASTER_H / 128 )) --mean 120 --sigma 55
  vips gaussnoise "$t/b.v" $(( MASTER_W / 128 )) $(( MASTER_H / 128 )) --mean 110 --sigma 65
  vips bandjoin "$t/r.v $t/g.v $t/b.v" "$t/colour.v"
  vips cast "$t/colour.v" "$t/colour8.v" uchar
  vips resize "$t/colour8.v" "$t/shapes.v" 128 --kernel cubic
  vips gaussnoise "$t/d.v" $(( MASTER_W / 16 )) $(( MASTER_H / 16 )) --mean 0 --sigma 25
  vips cast "$t/d.v" "$t/d8.v" char
  vips resize "$t/d8.v" "$t/detail.v" 16 --kernel cubic
  vips gaussnoise "$t/grain.v" "$MASTER_W" "$MASTER_H" --mean 0 --sigma 5
  vips cast "$t/grain.v" "$t/grain8.v" char
  vips add "$t/shapes.v" "$t/detail.v" "$t/sum1.v"
  vips add "$t/sum1.v" "$t/grain8.v" "$t/sum2.v"
  vips cast "$t/sum2.v" "$t/sum8.v" uchar
  vips copy "$t/sum8.v" "$t/master.v" --interpretation srgb
  rm -f "$t"/[^m]*.v
}
make_photo() { # out width height n (n places the window)
  local out=$1 w=$2 h=$3 n=$4
  local x=$(( n * 397 % (MASTER_W - w + 1) )) y=$(( n * 211 % (MASTER_H - h + 1) ))
  timeout 120 vips extract_area "$WORK/vtmp/master.v" "$out[Q=85]" "$x" "$y" "$w" "$h" || die "making $out"
  python3 "$LOAD_DIR/tools.py" exif "$out"
}
# Width and height (3:2, multiples of 16) for a number of megapixels.
dims_for_mp() { awk -v mp="$1" 'BEGIN { w = int(sqrt(mp * 1e6 * 1.5) / 16 + 0.5) * 16; h = int(w * 2 / 3 / 16 + 0.5) * 16; print w, h }'; }

log "making $PHOTOS photos of $MP_MIN-$MP_MAX MP"
timeout 300 bash -euo pipefail -c "$(declare -f make_master); WORK='$WORK' MASTER_W=$MASTER_W MASTER_H=$MASTER_H make_master" \
  || die "making the master image"
for i in $(seq 0 $(( PHOTOS - 1 ))); do
  mp=$(awk -v a="$MP_MIN" -v b="$MP_MAX" -v i="$i" -v n="$PHOTOS" 'BEGIN { printf "%.2f", (n > 1) ? a + (b - a) * i / (n - 1) : a }')
  read -r w h < <(dims_for_mp "$mp")
  make_photo "$WORK/corpus/photo-$(printf %02d "$i").jpg" "$w" "$h" "$i"
done
read -r w h < <(dims_for_mp 2.6)
make_photo "$WORK/original-500k.jpg" "$w" "$h" 101
read -r w h < <(dims_for_mp 26)
make_photo "$WORK/upload-5mb.jpg" "$w" "$h" 102
rm -f "$WORK/vtmp/master.v"
CORPUS_BYTES=$(cat "$WORK"/corpus/*.jpg | wc -c)
log "corpus: $PHOTOS files, $(( CORPUS_BYTES / 1000000 )) MB; original $(stat -c %s "$WORK/original-500k.jpg") B; upload $(stat -c %s "$WORK/upload-5mb.jpg") B"

# ---------------------------------------------------------------- seed rows
# The schema comes from the server's own migrations: start once on the empty folder, stop, then insert rows with
# sqlite3 while it is down. Each row gets a real small file under data/files, so the start-up sweep keeps it.
start_server
stop_server
SEED_SUM=$(printf 'seed\n' | sha256sum | cut -d' ' -f1)
timeout 120 sqlite3 "$DATA/assetserver.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO files (id, storage, filename_disk, filename_download, title, type, created_on, modified_on, uploaded_on,
                   filesize, description, tags, checksum)
SELECT printf('00000000-0000-4000-8000-%012d', i), 'local', printf('00000000-0000-4000-8000-%012d.txt', i),
       printf('seed-%05d.txt', i), printf('Seed %05d', i), 'text/plain',
       strftime('%Y-%m-%dT%H:%M:%S.0000000+00:00', '2024-01-01', '+' || i || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%S.0000000+00:00', '2024-01-01', '+' || i || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%S.0000000+00:00', '2024-01-01', '+' || i || ' seconds'),
       5, 'A seeded row for the list benchmark', '["seed","bench"]', '$SEED_SUM'
FROM n;
SQL
for i in $(seq 1 "$ROWS"); do
  printf -v name '00000000-0000-4000-8000-%012d.txt' "$i"
  printf 'seed\n' >"$DATA/files/$name"
done
log "seeded $ROWS rows"
start_server
AUTH=(-H "Authorization: Bearer $TOKEN")
listed=$(curl -sf --max-time 30 "${AUTH[@]}" "$BASE/files?limit=25" | jq '.data | length') || die "GET /files?limit=25 failed"
[[ ${listed:-} == 25 ]] || die "GET /files?limit=25 returned $listed rows"

# ---------------------------------------------------------------- 4) list
log "list: GET /files?limit=25 over $ROWS rows"
BENCH_TOKEN=$TOKEN run_wrk "$WORK/wrk-list.log" list.lua "$BASE/files?limit=25"
figure list_rps "$(wrkstat rps "$WORK/wrk-list.log")" req/s
figure list_p99 "$(wrkstat p99_ms "$WORK/wrk-list.log")" ms
figure list_errors "$(( $(wrkstat socket_errors "$WORK/wrk-list.log") + $(wrkstat status_errors "$WORK/wrk-list.log") ))" count

# ---------------------------------------------------------------- uploads of the corpus
upload() { # file -> id
  curl -sf --max-time 120 "${AUTH[@]}" -F "file=@$1" "$BASE/files" | jq -r '.data.id'
}
: >"$WORK/ids.txt"
for f in "$WORK"/corpus/*.jpg; do
  id=$(upload "$f") || die "upload of $f"
  [[ -n $id && $id != null ]] || die "upload of $f returned no id"
  printf '%s %s\n' "$id" "$f" >>"$WORK/ids.txt"
done
cut -d' ' -f1 "$WORK/ids.txt" >"$WORK/id-list.txt"
log "uploaded $PHOTOS photos"

# ---------------------------------------------------------------- 1) cold transform vs vipsthumbnail
log "cold transform: first request of ?$COLD_QUERY on each photo"
# One render of another file first, so the figures are renders, not the JIT compiling the transform path.
WARMUP_ID=$(upload "$WORK/original-500k.jpg")
code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' "$BASE/assets/$WARMUP_ID?$COLD_QUERY")
[[ $code == 200 ]] || die "warm-up transform answered $code"
: >"$WORK/cold-server.txt"
while read -r id f; do
  read -r code type seconds < <(curl -s --max-time 60 -o "$WORK/thumbs/server-$id.webp" \
    -w '%{http_code} %{content_type} %{time_total}\n' "$BASE/assets/$id?$COLD_QUERY")
  [[ $code == 200 ]] || die "cold transform of $id answered $code"
  # The original served in place of a derivative would make every figure below meaningless.
  [[ $type == image/webp* ]] || die "cold transform of $id answered $type, not image/webp (is the Transforms module in?)"
  echo "$seconds" >>"$WORK/cold-server.txt"
done <"$WORK/ids.txt"
: >"$WORK/cold-vips.txt"
for f in "$WORK"/corpus/*.jpg; do
  t0=$(date +%s%N)
  timeout 60 vipsthumbnail "$f" -s 200x200 -m centre -o "$WORK/thumbs/%s.webp[Q=80,strip]"
  t1=$(date +%s%N)
  calc "($t1 - $t0) / 1e9" 6 >>"$WORK/cold-vips.txt"
done
# The same work in one vipsthumbnail process over every photo: its process start and module loading are paid
# once, as the server's are, so the per-photo mean is the floor the target compares with.
n_photos=$(ls "$WORK"/corpus/*.jpg | wc -l)
t0=$(date +%s%N)
timeout 600 vipsthumbnail "$WORK"/corpus/*.jpg -s 200x200 -m centre -o "$WORK/thumbs/batch-%s.webp[Q=80,strip]"
t1=$(date +%s%N)
v_batch=$(calc "($t1 - $t0) / 1e9 / $n_photos" 6)
read -r s_med s_p95 _ < <(python3 "$LOAD_DIR/tools.py" stats <"$WORK/cold-server.txt")
read -r v_med v_p95 _ < <(python3 "$LOAD_DIR/tools.py" stats <"$WORK/cold-vips.txt")
s_mean=$(python3 -c "import sys; v=[float(x) for x in open(sys.argv[1]) if x.strip()]; print(sum(v)/len(v))" "$WORK/cold-server.txt")
figure cold_server_median "$(calc "$s_med * 1000" 1)" ms
figure cold_server_p95 "$(calc "$s_p95 * 1000" 1)" ms
figure cold_server_mean "$(calc "$s_mean * 1000" 1)" ms
figure cold_vipsthumbnail_median "$(calc "$v_med * 1000" 1)" ms
figure cold_vipsthumbnail_p95 "$(calc "$v_p95 * 1000" 1)" ms
figure cold_vipsthumbnail_batch_mean "$(calc "$v_batch * 1000" 1)" ms
COLD_RATIO_RAW=$(calc "$s_med / $v_med" 2)
COLD_RATIO=$(calc "$s_mean / $v_batch" 2)
figure cold_ratio_median_per_process "$COLD_RATIO_RAW" x
figure cold_ratio_p95_per_process "$(calc "$s_p95 / $v_p95" 2)" x
figure cold_ratio_mean_vs_batch "$COLD_RATIO" x

# ---------------------------------------------------------------- nginx with the same bytes
FIRST_ID=$(head -1 "$WORK/id-list.txt")
curl -sf --max-time 60 -o "$WORK/static/derivative.webp" "$BASE/assets/$FIRST_ID?$COLD_QUERY" || die "warm derivative"
ORIGINAL_ID=$(upload "$WORK/original-500k.jpg")
cp "$WORK/original-500k.jpg" "$WORK/static/original.jpg"
chmod -R a+rX "$WORK/static"
cat >"$WORK/nginx/nginx.conf" <<NGINX
# The floor for static bytes: stock nginx, one worker per core, sendfile, no access log.
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
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/static;
  }
}
NGINX
$(command -v nginx) -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGINX/derivative.webp" 20 || { cat "$WORK/nginx/error.log" >&2; die "nginx did not start"; }
cmp -s <(curl -sf --max-time 10 "$NGINX/derivative.webp") <(curl -sf --max-time 10 "$BASE/assets/$FIRST_ID?$COLD_QUERY") \
  || die "nginx and the server do not serve the same derivative bytes"

# ---------------------------------------------------------------- 2) warm cached derivative vs nginx
log "warm derivative: wrk on the cached 200x200 webp"
run_wrk "$WORK/wrk-warm-server.log" static.lua "$BASE/assets/$FIRST_ID?$COLD_QUERY"
run_wrk "$WORK/wrk-warm-nginx.log" static.lua "$NGINX/derivative.webp"
figure warm_server_rps "$(wrkstat rps "$WORK/wrk-warm-server.log")" req/s
figure warm_server_p99 "$(wrkstat p99_ms "$WORK/wrk-warm-server.log")" ms
figure warm_nginx_rps "$(wrkstat rps "$WORK/wrk-warm-nginx.log")" req/s
figure warm_nginx_p99 "$(wrkstat p99_ms "$WORK/wrk-warm-nginx.log")" ms
WARM_RATIO=$(calc "$(wrkstat rps "$WORK/wrk-warm-server.log") / $(wrkstat rps "$WORK/wrk-warm-nginx.log")" 2)
figure warm_ratio_rps "$WARM_RATIO" x
figure warm_server_errors "$(( $(wrkstat socket_errors "$WORK/wrk-warm-server.log") + $(wrkstat status_errors "$WORK/wrk-warm-server.log") ))" count

# ---------------------------------------------------------------- 3) original vs nginx
log "original: wrk on a $(stat -c %s "$WORK/original-500k.jpg")-byte JPEG"
run_wrk "$WORK/wrk-original-server.log" static.lua "$BASE/assets/$ORIGINAL_ID"
run_wrk "$WORK/wrk-original-nginx.log" static.lua "$NGINX/original.jpg"
stop_pid "$NGINX_PID"; NGINX_PID=""
figure original_server_mbps "$(wrkstat mbps "$WORK/wrk-original-server.log")" MB/s
figure original_nginx_mbps "$(wrkstat mbps "$WORK/wrk-original-nginx.log")" MB/s
ORIGINAL_RATIO=$(calc "$(wrkstat mbps "$WORK/wrk-original-server.log") / $(wrkstat mbps "$WORK/wrk-original-nginx.log")" 2)
figure original_ratio_mbps "$ORIGINAL_RATIO" x
figure original_server_p99 "$(wrkstat p99_ms "$WORK/wrk-original-server.log")" ms

# ---------------------------------------------------------------- 5) uploads
UPLOAD_BYTES=$(stat -c %s "$WORK/upload-5mb.jpg")
log "uploads: $UPLOADS sequential, then $UPLOADS $PARALLEL_UPLOADS-way parallel, of $UPLOAD_BYTES bytes"
t0=$(date +%s%N)
for i in $(seq 1 "$UPLOADS"); do
  code=$(curl -s --max-time 120 -o /dev/null -w '%{http_code}' "${AUTH[@]}" -F "file=@$WORK/upload-5mb.jpg" "$BASE/files")
  [[ $code == 200 ]] || die "sequential upload $i answered $code"
done
t1=$(date +%s%N)
figure upload_sequential_mbps "$(calc "$UPLOADS * $UPLOAD_BYTES / 1e6 / (($t1 - $t0) / 1e9)" 1)" MB/s
t0=$(date +%s%N)
seq 1 "$UPLOADS" | timeout 600 xargs -P "$PARALLEL_UPLOADS" -I{} \
  curl -s --max-time 120 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/upload-5mb.jpg" "$BASE/files" \
  >"$WORK/upload-parallel.txt"
t1=$(date +%s%N)
[[ $(grep -c '^200$' "$WORK/upload-parallel.txt") == "$UPLOADS" ]] || die "parallel uploads: $(sort "$WORK/upload-parallel.txt" | uniq -c | tr '\n' ' ')"
figure upload_parallel_mbps "$(calc "$UPLOADS * $UPLOAD_BYTES / 1e6 / (($t1 - $t0) / 1e9)" 1)" MB/s

# ---------------------------------------------------------------- 7) single flight
# 16 first requests at once for one new derivative: one render. Every render writes a new temp file
# <guid>.<ext> in data/tmp before it is renamed into data/derivatives/<id>/, so inotify counts renders exactly.
SF_ID=$(sed -n 2p "$WORK/id-list.txt"); SF_ID=${SF_ID:-$FIRST_ID}
SF_QUERY="width=333&height=222&fit=cover&format=jpg&quality=77"
log "single flight: $SINGLE_FLIGHT concurrent first requests for ?$SF_QUERY"
count_derivatives() { if [[ -d $1 ]]; then find "$1" -type f -name '*.jpg' | wc -l; else echo 0; fi; }
derivatives_before=$(count_derivatives "$DATA/derivatives/$SF_ID")
timeout 60 inotifywait -m -q -e create --format '%f' "$DATA/tmp" >"$WORK/single/events.txt" 2>"$WORK/single/inotify.log" &
WATCH_PID=$!
sleep 0.5
sf_pids=()
for i in $(seq 1 "$SINGLE_FLIGHT"); do
  curl -s --max-time 60 -o "$WORK/single/$i.body" -w '%{http_code}' "$BASE/assets/$SF_ID?$SF_QUERY" >"$WORK/single/$i.code" &
  sf_pids+=($!)
done
for pid in "${sf_pids[@]}"; do wait "$pid" || true; done
sleep 0.5
stop_pid "$WATCH_PID"; WATCH_PID=""
derivatives_after=$(count_derivatives "$DATA/derivatives/$SF_ID")
SF_RENDERS=$(grep -c '\.jpg$' "$WORK/single/events.txt" || true)
SF_OK=$(grep -lx 200 "$WORK"/single/*.code | wc -l)
SF_DISTINCT=$(sha256sum "$WORK"/single/*.body | cut -d' ' -f1 | sort -u | wc -l)
figure single_flight_renders "$SF_RENDERS" renders
figure single_flight_files_written "$(( derivatives_after - derivatives_before ))" files
figure single_flight_200 "$SF_OK" count
figure single_flight_distinct_bodies "$SF_DISTINCT" count

# ---------------------------------------------------------------- 6) storm of cold transforms
log "storm: $CONNECTIONS connections of distinct cold transforms for ${DURATION}s"
cp "$WORK/id-list.txt" "$WORK/storm-ids.txt"
rss_before=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
( for _ in $(seq 1 $(( (DURATION + 120) * 2 ))); do
    awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || exit 0
    sleep 0.5
  done ) >"$WORK/storm-rss.txt" &
SAMPLER_PID=$!
STORM_IDS="$WORK/storm-ids.txt" run_wrk "$WORK/wrk-storm.log" storm.lua "$BASE"
stop_pid "$SAMPLER_PID"; SAMPLER_PID=""
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
peak=$(sort -n "$WORK/storm-rss.txt" | tail -1)
STORM_OK=$(wrkstat status_200 "$WORK/wrk-storm.log")
STORM_503=$(wrkstat status_503 "$WORK/wrk-storm.log")
STORM_FAILED=$(( $(wrkstat status_other "$WORK/wrk-storm.log") + $(wrkstat socket_errors "$WORK/wrk-storm.log") ))
STORM_PEAK_MB=$(calc "${peak:-0} / 1024" 0)
figure storm_rps "$(wrkstat rps "$WORK/wrk-storm.log")" req/s
figure storm_renders_per_s "$(wrkstat rps_200 "$WORK/wrk-storm.log")" renders/s
figure storm_p99 "$(wrkstat p99_ms "$WORK/wrk-storm.log")" ms
figure storm_200 "$STORM_OK" count
figure storm_503 "$STORM_503" count
figure storm_failed "$STORM_FAILED" count
figure storm_rss_before "$(calc "${rss_before:-0} / 1024" 0)" MB
figure storm_peak_rss "$STORM_PEAK_MB" MB
figure server_vmhwm "$(calc "${hwm:-0} / 1024" 0)" MB

# ---------------------------------------------------------------- RESULTS.md
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo missed; fi; }
COLD_MET=$(met "$COLD_RATIO <= 1.2")
WARM_MET=$(met "$WARM_RATIO >= 0.8")
ORIGINAL_MET=$(met "$ORIGINAL_RATIO >= 0.7")
STORM_MET=$(met "$STORM_PEAK_MB <= 600 && $STORM_FAILED == 0")
SF_MET=$(met "$SF_RENDERS == 1 && $SF_OK == $SINGLE_FLIGHT && $SF_DISTINCT == 1")

{
  echo "# AssetServer load benchmark ($MODE run)"
  echo
  [[ $QUICK -eq 1 ]] && { echo "> Quick run: 5 small photos and 5-second runs, only to show the script works. The figures are not comparable with a full run."; echo; }
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- Commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $LOAD_BEFORE before the run and $(cut -d' ' -f1-3 /proc/loadavg) after it"
  echo "- Memory (free -h):"
  echo '```'
  free -h
  echo '```'
  echo "- Tools: $(dotnet --version | sed 's/^/dotnet /'), $(vips --version), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo
  echo "## Targets"
  echo
  echo "| target | figure | result |"
  echo "|---|---|---|"
  echo "| cold transform ≤ 1.2× vipsthumbnail (server mean per photo vs one vipsthumbnail run over all photos; ${COLD_RATIO_RAW}× against one process per photo) | ${COLD_RATIO}× | $COLD_MET |"
  echo "| warm cached derivative ≥ 0.8× nginx req/s | ${WARM_RATIO}× | $WARM_MET |"
  echo "| original ≥ 0.7× nginx MB/s | ${ORIGINAL_RATIO}× | $ORIGINAL_MET |"
  echo "| storm: peak RSS ≤ 600 MB, no failed requests but deliberate 503s | ${STORM_PEAK_MB} MB, $STORM_FAILED failed, $STORM_503 × 503 | $STORM_MET |"
  echo "| single flight: 1 render for $SINGLE_FLIGHT concurrent first requests, all 200, identical bytes | $SF_RENDERS render(s), $SF_OK × 200, $SF_DISTINCT distinct body | $SF_MET |"
  echo
  echo "## Figures"
  echo
  echo "| name | value | unit |"
  echo "|---|---:|---|"
  for f in "${FIGURES[@]}"; do IFS='|' read -r n v u <<<"$f"; echo "| $n | $v | $u |"; done
  echo
  echo "## Set-up"
  echo
  echo "- Corpus: $PHOTOS JPEGs (q85, camera EXIF, orientation 1) of $MP_MIN–$MP_MAX MP, $(( CORPUS_BYTES / 1000000 )) MB in all; original test file $(stat -c %s "$WORK/original-500k.jpg") bytes; upload file $UPLOAD_BYTES bytes (MB = 10^6 bytes)."
  echo "- $ROWS rows seeded with sqlite3 into \`files\`, plus the uploads; wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s, --timeout 15s."
  echo "- Cold figures are curl's \`time_total\` for the first request of each photo, one after another, after one warm-up render of another file; vipsthumbnail is timed once per file around the process (\`cold_ratio_*_per_process\`, which includes its process start each time) and once over all photos in one process (\`cold_vipsthumbnail_batch_mean\`, start paid once, as the server's is), which the target uses."
  echo "- The server renders each image on one libvips thread (\`Transforms/Steps/VipsSetup.cs\`) and runs \`Assets:MaxConcurrentTransforms\` (= CPUs) renders at once; vipsthumbnail uses libvips's default thread pool for its single image."
  echo "- Single-flight renders are counted with inotify: each render creates one temp file in \`data/tmp\` before it is renamed into \`data/derivatives/<id>/\`."
  echo
  echo "## Commands"
  echo
  echo '```'
  echo "benchmarks/load/run.sh$([[ $QUICK -eq 1 ]] && echo ' --quick')"
  echo "dotnet build src/AssetServer/AssetServer.csproj -c Release"
  echo "$SERVER_CMD"
  echo "nginx -p $WORK/nginx -c $WORK/nginx/nginx.conf -e $WORK/nginx/error.log   # config written by run.sh"
  echo "curl -s -o out.webp -w '%{http_code} %{time_total}' '$BASE/assets/<id>?$COLD_QUERY'   # once per photo"
  echo "vipsthumbnail photo.jpg -s 200x200 -m centre -o '%s.webp[Q=80,strip]'   # once per photo"
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/static.lua '$BASE/assets/<id>?$COLD_QUERY'"
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/static.lua '$NGINX/derivative.webp'"
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/static.lua '$BASE/assets/<original-id>'"
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/static.lua '$NGINX/original.jpg'"
  echo "BENCH_TOKEN=<token> wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/list.lua '$BASE/files?limit=25'"
  echo "curl -H 'Authorization: Bearer <token>' -F file=@upload-5mb.jpg $BASE/files   # $UPLOADS× in a row, then $UPLOADS× with xargs -P $PARALLEL_UPLOADS"
  echo "curl '$BASE/assets/<id>?$SF_QUERY' &   # $SINGLE_FLIGHT at once, inotifywait -m -e create data/tmp"
  echo "STORM_IDS=ids.txt wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s --timeout 15s --latency -s benchmarks/load/storm.lua '$BASE'   # VmRSS sampled every 0.5 s"
  echo '```'
} >"$RESULTS.new"
# Hand-written sections (profiles, before/after, micro-benchmarks) from "## Notes kept between runs" on survive a re-run.
if [[ -f $RESULTS ]] && grep -q '^## Notes kept between runs' "$RESULTS"; then
  { echo; sed -n '/^## Notes kept between runs/,$p' "$RESULTS"; } >>"$RESULTS.new"
fi
mv "$RESULTS.new" "$RESULTS"
log "wrote $RESULTS in $(( $(date +%s) - STARTED ))s"
