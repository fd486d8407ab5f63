#!/usr/bin/env bash
# Load benchmark of AssetServer over HTTP on loopback, each figure against a floor (vipsthumbnail, nginx).
#   benchmarks/load/run.sh           full run (5 to 10 minutes): writes benchmarks/RESULTS.md
#   benchmarks/load/run.sh --quick   smoke run (under two minutes): writes benchmarks/load/work/RESULTS-quick.md
#   benchmarks/load/run.sh --upload-only | --storm-only [args]   one step alone, in minutes (focus.sh)
# Prints one "name value unit" line per figure. Only 127.0.0.1 is ever contacted; every step is bounded in time;
# the server, nginx and the helpers it starts are stopped on exit. See benchmarks/README.md.
set -euo pipefail

case "${1:-}" in
  --upload-only) shift; exec "$(dirname "${BASH_SOURCE[0]}")/focus.sh" upload "$@" ;;
  --storm-only) shift; exec "$(dirname "${BASH_SOURCE[0]}")/focus.sh" storm "$@" ;;
esac
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
  MODE=quick; PHOTOS=5; MP_MIN=6; MP_MAX=6; DURATION=5; CONNECTIONS=8; ROWS=1000; UPLOADS=8; FRESH=3; STUDY_ROUNDS=1
  RESULTS="$WORK/RESULTS-quick.md"
else
  MODE=full; PHOTOS=40; MP_MIN=6; MP_MAX=24; DURATION=30; CONNECTIONS=32; ROWS=10000; UPLOADS=40; FRESH=5; STUDY_ROUNDS=2
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
# Debian packages, installed only when a command is missing; apt-get update at most once per run.
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
APT_UPDATED=0
apt_install() { # package...
  if [[ $APT_UPDATED -eq 0 ]]; then
    timeout 300 "${SUDO[@]}" apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 600 "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
ensure_tools() {
  local -A need=([wrk]=wrk [nginx]=nginx-light [vips]=libvips-tools [vipsthumbnail]=libvips-tools [curl]=curl
    [jq]=jq [python3]=python3 [sqlite3]=sqlite3 [inotifywait]=inotify-tools [node]=nodejs [npm]=npm)
  local missing=() cmd
  for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd ]] || missing+=("${need[$cmd]}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]}"
  # Releases after Debian 12 fold nginx-light into nginx (apt-cache needs the update first).
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    timeout 300 "${SUDO[@]}" apt-get update -qq; APT_UPDATED=1
    apt-cache show nginx-light >/dev/null 2>&1 || missing=("${missing[@]/nginx-light/nginx}")
  fi
  apt_install "${missing[@]}"
}
ensure_tools
export PATH="$PATH:/usr/sbin"
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"

# sharp from npm, with the libvips it ships prebuilt (package @img/sharp-libvips-<platform>), into work/node. The
# newest 0.3x that installs and loads is used; install scripts are skipped, since they only matter when building
# sharp from source, which needs downloads from outside the registry.
SHARP_WANTED=(0.34 0.33 0.32)
NODE_DIR="$WORK/node"
export NODE_PATH="$NODE_DIR/node_modules"
sharp_loads() { timeout 60 node -e "require('sharp')" >/dev/null 2>&1; }
ensure_sharp() {
  local have="" v
  [[ -f $NODE_DIR/node_modules/sharp/package.json ]] && have=$(jq -r .version "$NODE_DIR/node_modules/sharp/package.json")
  if [[ $have == "${SHARP_WANTED[0]}".* ]] && sharp_loads; then return 0; fi
  for v in "${SHARP_WANTED[@]}"; do
    rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
    printf '{ "name": "assetserver-bench-floor", "private": true }\n' >"$NODE_DIR/package.json"
    log "npm install sharp@$v"
    if timeout 300 npm install --prefix "$NODE_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error "sharp@$v" \
        >"$WORK/npm.log" 2>&1 && sharp_loads; then
      return 0
    fi
    tail -5 "$WORK/npm.log" >&2
  done
  die "no sharp ${SHARP_WANTED[*]} installs and loads here"
}
R2R_DIR="$WORK/r2r"

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
    sleep 0.05
  done
}

SERVER_PORT=$(python3 "$LOAD_DIR/tools.py" port)
NGINX_PORT=$(python3 "$LOAD_DIR/tools.py" port)
while [[ $NGINX_PORT == "$SERVER_PORT" ]]; do NGINX_PORT=$(python3 "$LOAD_DIR/tools.py" port); done
BASE="http://127.0.0.1:$SERVER_PORT"
NGINX="http://127.0.0.1:$NGINX_PORT"
SERVER_CMD="ASSETSERVER_Data__Path=$DATA ASSETSERVER_Auth__AdminToken=<token> ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 ASSETSERVER_Logging__LogLevel__Default=Warning dotnet src/AssetServer/bin/Release/net10.0/AssetServer.dll --urls $BASE"

# start_server [DLL [VAR=value...]]: the server (by default the Release build) with extra environment variables;
# SERVER_UP_MS is the time from the exec to its first /server/ping answer.
SERVER_UP_MS=0
PEAK_KB=0    # the highest VmHWM of the server processes of the main steps (the study's are reported apart)
start_server() {
  local dll=${1:-$DLL}
  (( $# )) && shift
  local t0; t0=$(date +%s%N)
  ( cd "$ROOT" && exec env ASSETSERVER_Data__Path="$DATA" ASSETSERVER_Auth__AdminToken="$TOKEN" \
      ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 \
      ASSETSERVER_Logging__LogLevel__Default=Warning "$@" \
      dotnet "$dll" --urls "$BASE" ) >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$BASE/server/ping" 60 || { tail -20 "$WORK/server.log" >&2; die "server did not answer /server/ping"; }
  SERVER_UP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  log "server up in ${SERVER_UP_MS} ms (pid $SERVER_PID, $BASE${*:+, $*})"
}
server_hwm_kb() { awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
stop_server() { # [study]: a study process's peak is not the bench's
  local kb; kb=$(server_hwm_kb)
  [[ ${1:-} == study || ${kb:-0} -le $PEAK_KB ]] || PEAK_KB=$kb
  stop_pid "$SERVER_PID"; SERVER_PID=""
}
restart_server() { stop_server; start_server "$@"; }

# ---------------------------------------------------------------- figures
declare -a FIGURES=()
figure() { # name value unit
  printf '%s %s %s\n' "$1" "$2" "$3"
  FIGURES+=("$1|$2|$3")
}
calc() { awk "BEGIN { printf \"%.${2:-3}f\\n\", $1 }"; }
wrkstat() { awk -v k="$1" '$1 == "wrkstat" && $2 == k { print $3 }' "$2"; }
run_wrk() { # log script url [seconds]
  local logfile=$1 script=$2 url=$3 seconds=${4:-$DURATION}
  WRK_THREADS=$THREADS timeout $(( seconds + 60 )) \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${seconds}s" --timeout 15s --latency -s "$LOAD_DIR/$script" "$url" >"$logfile" 2>&1 \
    || { cat "$logfile" >&2; die "wrk $url"; }
}
wrk_errors() { echo $(( $(wrkstat socket_errors "$1") + $(wrkstat status_errors "$1") )); }

# ---------------------------------------------------------------- build
log "mode $MODE: $PHOTOS photos, ${DURATION}s runs, $CONNECTIONS connections, $ROWS rows"
# Everything in work/ is made anew, except the npm folder with sharp (a reinstall costs a download per run).
mkdir -p "$WORK"
find "$WORK" -mindepth 1 -maxdepth 1 ! -name node -exec rm -rf {} +
mkdir -p "$WORK"/{corpus,thumbs,static,nginx,single,vtmp,floors,study}
( cd "$ROOT" && timeout 600 dotnet build src/AssetServer/AssetServer.csproj -c Release -nologo -v q ) >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; die "dotnet build"; }
[[ -f "$DLL" ]] || die "no $DLL after the build"
log "built $DLL"
# The NetVips floor, with the server's NetVips versions (benchmarks/EngineFloor, not in AssetServer.sln).
( cd "$ROOT" && timeout 600 dotnet build benchmarks/EngineFloor/EngineFloor.csproj -c Release -nologo -v q ) >"$WORK/build-floor.log" 2>&1 \
  || { tail -30 "$WORK/build-floor.log" >&2; die "dotnet build benchmarks/EngineFloor"; }
# The same server compiled ahead of time (ReadyToRun) for the start-up study; crossgen comes from NuGet.
( cd "$ROOT" && timeout 600 dotnet publish src/AssetServer/AssetServer.csproj -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$R2R_DIR" -nologo -v q ) >"$WORK/build-r2r.log" 2>&1 \
  || { tail -30 "$WORK/build-r2r.log" >&2; die "dotnet publish -p:PublishReadyToRun=true"; }
[[ -f $R2R_DIR/AssetServer.dll ]] || die "no $R2R_DIR/AssetServer.dll after the ReadyToRun publish"
log "built benchmarks/EngineFloor and the ReadyToRun publish"
ensure_sharp

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
# Distinct 12 MP photos for the Strapi comparison: derivatives are named by content, so the same bytes uploaded
# twice would find their formats already rendered.
STRAPI_PHOTOS=$(( QUICK == 1 ? 4 : 10 ))
read -r w h < <(dims_for_mp 12)
mkdir -p "$WORK/strapi"
for i in $(seq 1 "$STRAPI_PHOTOS"); do make_photo "$WORK/strapi/photo-$i.jpg" "$w" "$h" $(( 200 + i )); done
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

# ---------------------------------------------------------------- 1b) engine floors: sharp and NetVips in-process
# The same render with no HTTP, database or file: sharp (Node) and the server's own NetVips/libvips, each in one
# process, one photo after another after a warm-up render of another file (as the server had). The server stays
# up but idle meanwhile. Ratios against them split the cold figure into engine time and server overhead.
log "engine floors: sharp and NetVips in-process over the same $PHOTOS photos"
floor_stats() { # name file: figures <name>_median and <name>_p95 in ms; sets F_MED F_P95 (seconds)
  read -r F_MED F_P95 _ < <(python3 "$LOAD_DIR/tools.py" stats <"$2")
  figure "${1}_median" "$(calc "$F_MED * 1000" 1)" ms
  figure "${1}_p95" "$(calc "$F_P95 * 1000" 1)" ms
}
for mode in one defaults cores; do
  timeout 600 node "$LOAD_DIR/sharp-floor.js" "$mode" "$WORK/original-500k.jpg" "$WORK"/corpus/*.jpg \
    >"$WORK/floors/sharp-$mode.txt" 2>"$WORK/floors/sharp-$mode.log" || { cat "$WORK/floors/sharp-$mode.log" >&2; die "sharp floor ($mode)"; }
done
FLOOR_BIN="$ROOT/benchmarks/EngineFloor/bin/Release/net10.0/EngineFloor.dll"
for mode in server defaults; do
  timeout 600 dotnet "$FLOOR_BIN" "$mode" "$WORK/original-500k.jpg" "$WORK"/corpus/*.jpg \
    >"$WORK/floors/netvips-$mode.txt" 2>"$WORK/floors/netvips-$mode.log" || { cat "$WORK/floors/netvips-$mode.log" >&2; die "NetVips floor ($mode)"; }
done
SHARP_INFO=$(head -1 "$WORK/floors/sharp-one.log")
SHARP_DEFAULTS_INFO=$(head -1 "$WORK/floors/sharp-defaults.log")
NETVIPS_INFO=$(head -1 "$WORK/floors/netvips-server.log")
floor_stats cold_sharp "$WORK/floors/sharp-one.txt"; sh_med=$F_MED; sh_p95=$F_P95
floor_stats cold_sharp_defaults "$WORK/floors/sharp-defaults.txt"
floor_stats cold_sharp_cores "$WORK/floors/sharp-cores.txt"
floor_stats cold_netvips "$WORK/floors/netvips-server.txt"; nv_med=$F_MED
floor_stats cold_netvips_defaults "$WORK/floors/netvips-defaults.txt"
SHARP_RATIO_MED=$(calc "$s_med / $sh_med" 2)
SHARP_RATIO_P95=$(calc "$s_p95 / $sh_p95" 2)
NETVIPS_RATIO_MED=$(calc "$s_med / $nv_med" 2)
figure cold_ratio_vs_sharp_median "$SHARP_RATIO_MED" x
figure cold_ratio_vs_sharp_p95 "$SHARP_RATIO_P95" x
figure cold_ratio_vs_netvips_median "$NETVIPS_RATIO_MED" x
figure cold_engine_ratio_netvips_vs_sharp_median "$(calc "$nv_med / $sh_med" 2)" x
figure cold_server_overhead_median "$(calc "($s_med - $nv_med) * 1000" 1)" ms

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

# ---------------------------------------------------------------- 2) fresh server vs nginx
# What a new node sees: the first FRESH seconds of wrk on a process started just before (tiered JIT still at work,
# memory cache empty), each path on its own new process, next to an nginx run of the same length.
DERIV_URL="$BASE/assets/$FIRST_ID?$COLD_QUERY"
ORIGINAL_URL="$BASE/assets/$ORIGINAL_ID"
log "fresh server: the first ${FRESH}s of wrk on a new process, derivative, original and /server/ping"
run_wrk "$WORK/wrk-fresh-nginx-derivative.log" static.lua "$NGINX/derivative.webp" "$FRESH"
restart_server
run_wrk "$WORK/wrk-fresh-derivative.log" static.lua "$DERIV_URL" "$FRESH"
run_wrk "$WORK/wrk-fresh-nginx-original.log" static.lua "$NGINX/original.jpg" "$FRESH"
restart_server
run_wrk "$WORK/wrk-fresh-original.log" static.lua "$ORIGINAL_URL" "$FRESH"
restart_server
run_wrk "$WORK/wrk-fresh-ping.log" static.lua "$BASE/server/ping" "$FRESH"
FRESH_DERIV_RATIO=$(calc "$(wrkstat rps "$WORK/wrk-fresh-derivative.log") / $(wrkstat rps "$WORK/wrk-fresh-nginx-derivative.log")" 2)
FRESH_ORIGINAL_RATIO=$(calc "$(wrkstat mbps "$WORK/wrk-fresh-original.log") / $(wrkstat mbps "$WORK/wrk-fresh-nginx-original.log")" 2)
figure fresh_derivative_rps "$(wrkstat rps "$WORK/wrk-fresh-derivative.log")" req/s
figure fresh_nginx_derivative_rps "$(wrkstat rps "$WORK/wrk-fresh-nginx-derivative.log")" req/s
figure fresh_ratio_derivative_rps "$FRESH_DERIV_RATIO" x
figure fresh_original_mbps "$(wrkstat mbps "$WORK/wrk-fresh-original.log")" MB/s
figure fresh_nginx_original_mbps "$(wrkstat mbps "$WORK/wrk-fresh-nginx-original.log")" MB/s
figure fresh_ratio_original_mbps "$FRESH_ORIGINAL_RATIO" x
figure fresh_ping_rps "$(wrkstat rps "$WORK/wrk-fresh-ping.log")" req/s
figure fresh_ratio_ping_rps "$(calc "$(wrkstat rps "$WORK/wrk-fresh-ping.log") / $(wrkstat rps "$WORK/wrk-fresh-nginx-derivative.log")" 2)" x
figure fresh_errors "$(( $(wrk_errors "$WORK/wrk-fresh-derivative.log") + $(wrk_errors "$WORK/wrk-fresh-original.log") + $(wrk_errors "$WORK/wrk-fresh-ping.log") ))" count

# ---------------------------------------------------------------- 3) after warm-up vs nginx
# The same process (it has served /server/ping) after FRESH seconds of each path that are not measured.
log "warm-up: ${FRESH}s each of the derivative and the original, not measured"
run_wrk "$WORK/wrk-warmup-derivative.log" static.lua "$DERIV_URL" "$FRESH"
run_wrk "$WORK/wrk-warmup-original.log" static.lua "$ORIGINAL_URL" "$FRESH"
log "warm derivative: wrk on the cached 200x200 webp"
run_wrk "$WORK/wrk-warm-server.log" static.lua "$DERIV_URL"
run_wrk "$WORK/wrk-warm-nginx.log" static.lua "$NGINX/derivative.webp"
run_wrk "$WORK/wrk-warm-ping.log" static.lua "$BASE/server/ping"
figure warm_server_rps "$(wrkstat rps "$WORK/wrk-warm-server.log")" req/s
figure warm_server_p99 "$(wrkstat p99_ms "$WORK/wrk-warm-server.log")" ms
figure warm_nginx_rps "$(wrkstat rps "$WORK/wrk-warm-nginx.log")" req/s
figure warm_nginx_p99 "$(wrkstat p99_ms "$WORK/wrk-warm-nginx.log")" ms
figure warm_ping_rps "$(wrkstat rps "$WORK/wrk-warm-ping.log")" req/s
WARM_RATIO=$(calc "$(wrkstat rps "$WORK/wrk-warm-server.log") / $(wrkstat rps "$WORK/wrk-warm-nginx.log")" 2)
PING_RATIO=$(calc "$(wrkstat rps "$WORK/wrk-warm-ping.log") / $(wrkstat rps "$WORK/wrk-warm-nginx.log")" 2)
figure warm_ratio_rps "$WARM_RATIO" x
figure warm_ratio_ping_rps "$PING_RATIO" x
figure warm_ratio_derivative_vs_ping "$(calc "$(wrkstat rps "$WORK/wrk-warm-server.log") / $(wrkstat rps "$WORK/wrk-warm-ping.log")" 2)" x
figure warm_server_errors "$(wrk_errors "$WORK/wrk-warm-server.log")" count

log "original: wrk on a $(stat -c %s "$WORK/original-500k.jpg")-byte JPEG"
run_wrk "$WORK/wrk-original-server.log" static.lua "$ORIGINAL_URL"
run_wrk "$WORK/wrk-original-nginx.log" static.lua "$NGINX/original.jpg"
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

# ---------------------------------------------------------------- 6) Strapi uploads (issue 10)
# Each 12 MP photo through /files, then the same photo through /api/upload, one request at a time: /api/upload
# answers once its four formats (thumbnail, small, medium, large) are rendered, and the /files upload rendered
# nothing, so every format is a real render; the ratio is the price of formats in the answer.
STRAPI_BYTES=$(stat -c %s "$WORK/strapi/photo-1.jpg")
log "strapi uploads: $STRAPI_PHOTOS distinct photos through /files and through /api/upload, of about $STRAPI_BYTES bytes"
: >"$WORK/upload-files-times.txt"; : >"$WORK/upload-strapi-times.txt"
for photo in "$WORK"/strapi/photo-*.jpg; do
  out=$(curl -s --max-time 120 -o /dev/null -w '%{http_code} %{time_total}' "${AUTH[@]}" -F "file=@$photo" "$BASE/files")
  [[ ${out%% *} == 200 ]] || die "upload of $photo through /files answered ${out%% *}"
  echo "${out#* }" >>"$WORK/upload-files-times.txt"
  out=$(curl -s --max-time 120 -o "$WORK/strapi-upload.json" -w '%{http_code} %{time_total}' "${AUTH[@]}" -F "files=@$photo" "$BASE/api/upload")
  [[ ${out%% *} == 201 ]] || die "upload of $photo through /api/upload answered ${out%% *}"
  [[ $(grep -o '"sizeInBytes"' "$WORK/strapi-upload.json" | wc -l) == 4 ]] || die "upload of $photo through /api/upload did not list 4 formats"
  echo "${out#* }" >>"$WORK/upload-strapi-times.txt"
done
read -r uf_med _ _ < <(python3 "$LOAD_DIR/tools.py" stats <"$WORK/upload-files-times.txt")
read -r us_med _ _ < <(python3 "$LOAD_DIR/tools.py" stats <"$WORK/upload-strapi-times.txt")
figure upload_12mp_files_median "$(calc "$uf_med * 1000" 1)" ms
figure upload_12mp_strapi_median "$(calc "$us_med * 1000" 1)" ms
STRAPI_UPLOAD_RATIO=$(calc "$us_med / $uf_med" 2)
figure upload_strapi_ratio "$STRAPI_UPLOAD_RATIO" x

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
hwm_before_storm=$(server_hwm_kb)
(( hwm_before_storm > PEAK_KB )) && PEAK_KB=$hwm_before_storm
PEAK_BEFORE_STORM_MB=$(calc "$PEAK_KB / 1024" 0)
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
stop_server
PEAK_MB=$(calc "$PEAK_KB / 1024" 0)
figure peak_rss_before_storm "$PEAK_BEFORE_STORM_MB" MB
figure peak_rss "$PEAK_MB" MB

# ---------------------------------------------------------------- 8) start-up and JIT settings
# The fresh-server figures again, with the server under other runtime settings (environment variables, or the
# ReadyToRun publish), src/ untouched. Per setting and round: process 1 gives the start-up time (exec to the first
# /server/ping answer), the first cached-derivative request, two FRESH-second wrk runs on it, then the first render
# of a derivative nobody asked for (the render path's JIT); process 2 the first FRESH seconds of the original.
# Rounds go through the settings in alternate order so a busy minute on the machine does not fall on one setting.
STUDY=(
  "as built|$DLL|"
  "TieredPGO=0|$DLL|DOTNET_TieredPGO=0"
  "TieredPGO=1 (the default: noise check)|$DLL|DOTNET_TieredPGO=1"
  "TC_QuickJitForLoops=0|$DLL|DOTNET_TC_QuickJitForLoops=0"
  "TC_CallCountingDelayMs=0|$DLL|DOTNET_TC_CallCountingDelayMs=0"
  "ReadyToRun=0 (framework JIT-compiled)|$DLL|DOTNET_ReadyToRun=0"
  "TieredCompilation=0|$DLL|DOTNET_TieredCompilation=0"
  "gcServer=0 (workstation GC)|$DLL|DOTNET_gcServer=0"
  "ReadyToRun publish|$R2R_DIR/AssetServer.dll|"
  "ReadyToRun publish + TieredPGO=0|$R2R_DIR/AssetServer.dll|DOTNET_TieredPGO=0"
)
# The quick run only checks that each mechanism works: the baseline, a runtime variable and the publish.
[[ $QUICK -eq 1 ]] && STUDY=("${STUDY[0]}" "${STUDY[6]}" "${STUDY[8]}")
log "start-up study: ${#STUDY[@]} settings × $STUDY_ROUNDS round(s)"
: >"$WORK/study/runs.txt"
render_q=40
for round in $(seq 1 "$STUDY_ROUNDS"); do
  run_wrk "$WORK/study/nginx-derivative-$round.log" static.lua "$NGINX/derivative.webp" "$FRESH"
  run_wrk "$WORK/study/nginx-original-$round.log" static.lua "$NGINX/original.jpg" "$FRESH"
  printf 'nginx\t%s\t%s\t%s\n' "$round" "$(wrkstat rps "$WORK/study/nginx-derivative-$round.log")" \
    "$(wrkstat mbps "$WORK/study/nginx-original-$round.log")" >>"$WORK/study/nginx.txt"
  order=$(seq 0 $(( ${#STUDY[@]} - 1 )))
  (( round % 2 == 0 )) && order=$(seq $(( ${#STUDY[@]} - 1 )) -1 0)
  for i in $order; do
    IFS='|' read -r label dll vars <<<"${STUDY[$i]}"
    read -ra envs <<<"$vars"
    tag="$round-$i"
    start_server "$dll" "${envs[@]}"
    up_ms=$SERVER_UP_MS
    first_s=$(curl -s --max-time 60 -o /dev/null -w '%{time_total}' "$DERIV_URL")
    run_wrk "$WORK/study/derivative-$tag.log" static.lua "$DERIV_URL" "$FRESH"
    run_wrk "$WORK/study/derivative2-$tag.log" static.lua "$DERIV_URL" "$FRESH"
    render_q=$(( render_q + 1 ))
    read -r code render_s < <(curl -s --max-time 60 -o /dev/null -w '%{http_code} %{time_total}\n' \
      "$BASE/assets/$FIRST_ID?width=200&height=200&fit=cover&format=webp&quality=$render_q")
    [[ $code == 200 ]] || die "study ($label): a new derivative answered $code"
    hwm1=$(server_hwm_kb)
    stop_server study
    start_server "$dll" "${envs[@]}"
    run_wrk "$WORK/study/original-$tag.log" static.lua "$ORIGINAL_URL" "$FRESH"
    hwm2=$(server_hwm_kb)
    stop_server study
    errors=$(( $(wrk_errors "$WORK/study/derivative-$tag.log") + $(wrk_errors "$WORK/study/derivative2-$tag.log") + $(wrk_errors "$WORK/study/original-$tag.log") ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$round" "$up_ms" "$(calc "$first_s * 1000" 1)" \
      "$(wrkstat rps "$WORK/study/derivative-$tag.log")" "$(wrkstat rps "$WORK/study/derivative2-$tag.log")" \
      "$(calc "$render_s * 1000" 1)" "$(wrkstat mbps "$WORK/study/original-$tag.log")" \
      "$(( (hwm1 > hwm2 ? hwm1 : hwm2) / 1024 ))" "$errors" >>"$WORK/study/runs.txt"
  done
done
FRESH=$FRESH python3 "$LOAD_DIR/tools.py" study "$WORK/study/runs.txt" "$WORK/study/nginx.txt" >"$WORK/study/table.md" \
  || die "summing up the study"
sed 's/^/study /' "$WORK/study/runs.txt"

# ---------------------------------------------------------------- RESULTS.md
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo missed; fi; }
STORM_MET=$(met "$STORM_PEAK_MB <= 600 && $STORM_FAILED == 0")
SF_MET=$(met "$SF_RENDERS == 1 && $SF_OK == $SINGLE_FLIGHT && $SF_DISTINCT == 1")

{
  echo "# AssetServer load benchmark ($MODE run)"
  echo
  [[ $QUICK -eq 1 ]] && { echo "> Quick run: 5 small photos and short runs, only to show the script works. The figures are not comparable with a full run."; echo; }
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- Commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $LOAD_BEFORE before the run and $(cut -d' ' -f1-3 /proc/loadavg) after it"
  echo "- Memory (free -h):"
  echo '```'
  free -h
  echo '```'
  echo "- Tools: $(dotnet --version | sed 's/^/dotnet /'), $(vips --version), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), node $(node --version)"
  echo "- Engine floors: $SHARP_INFO (sharp's defaults here: ${SHARP_DEFAULTS_INFO#*settings defaults: }); NetVips floor: $NETVIPS_INFO"
  echo
  echo "## Targets (issue 8)"
  echo
  echo "| target | figure | result |"
  echo "|---|---|---|"
  echo "| cold 200×200 cover WebP, server median ≤ 1.2× sharp's median (sharp in-process, concurrency 1) | ${SHARP_RATIO_MED}× | $(met "$SHARP_RATIO_MED <= 1.2") |"
  echo "| cold, server p95 ≤ 1.5× sharp's p95 | ${SHARP_RATIO_P95}× | $(met "$SHARP_RATIO_P95 <= 1.5") |"
  echo "| cached derivative req/s ≥ 0.7× nginx, first ${FRESH} s of a new process | ${FRESH_DERIV_RATIO}× | $(met "$FRESH_DERIV_RATIO >= 0.7") |"
  echo "| cached derivative req/s ≥ 0.7× nginx, after warm-up (\`/server/ping\`, the framework's ceiling: ${PING_RATIO}×) | ${WARM_RATIO}× | $(met "$WARM_RATIO >= 0.7") |"
  echo "| original MB/s ≥ 0.8× nginx, first ${FRESH} s of a new process | ${FRESH_ORIGINAL_RATIO}× | $(met "$FRESH_ORIGINAL_RATIO >= 0.8") |"
  echo "| original MB/s ≥ 0.8× nginx, after warm-up | ${ORIGINAL_RATIO}× | $(met "$ORIGINAL_RATIO >= 0.8") |"
  echo "| peak RSS over the bench ≤ 300 MB (highest VmHWM of every server process; ${PEAK_BEFORE_STORM_MB} MB before the storm) | ${PEAK_MB} MB | $(met "$PEAK_MB <= 300") |"
  echo "| storm: peak RSS ≤ 600 MB, no failed requests but deliberate 503s | ${STORM_PEAK_MB} MB, $STORM_FAILED failed, $STORM_503 × 503 | $STORM_MET |"
  echo "| single flight: 1 render for $SINGLE_FLIGHT concurrent first requests, all 200, identical bytes | $SF_RENDERS render(s), $SF_OK × 200, $SF_DISTINCT distinct body | $SF_MET |"
  echo
  echo "Engine time and server overhead: the server's cold median is ${NETVIPS_RATIO_MED}× the NetVips loop with the server's libvips settings (the same libvips, no HTTP, row or file), which is $(calc "$nv_med / $sh_med" 2)× sharp; older floor: ${COLD_RATIO}× one \`vipsthumbnail\` run over all photos."
  echo
  echo "## Strapi uploads (issue 10)"
  echo
  echo "$STRAPI_PHOTOS distinct 12 MP JPEGs (about ${STRAPI_BYTES} bytes each), each uploaded through \`POST /files\` and then through \`POST /api/upload\`, one request at a time (curl's \`time_total\`, medians). \`/api/upload\` answers once its four formats are rendered (thumbnail 245×156, small 500, medium 750, large 1000; JPEG q80, into the derivative cache), so the difference is the price of having their sizes in the answer; the next request for a format is a cache hit."
  echo
  echo "| route | median | ratio |"
  echo "|---|---:|---:|"
  echo "| \`POST /files\` (floor) | $(calc "$uf_med * 1000" 1) ms | 1.00× |"
  echo "| \`POST /api/upload\` with formats | $(calc "$us_med * 1000" 1) ms | ${STRAPI_UPLOAD_RATIO}× |"
  echo
  echo "## Start-up and JIT settings"
  echo
  echo "Medians over $STUDY_ROUNDS round(s); ratios are against an nginx run of the same length in the same round. Each row is a new process (two per setting and round: one for the derivative figures, one for the original)."
  echo
  cat "$WORK/study/table.md"
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
  echo "- The server renders each image on one libvips thread (\`Transforms/LibvipsSetup.cs\`) and runs \`Assets:MaxConcurrentTransforms\` (= CPUs) renders at once; vipsthumbnail uses libvips's default thread pool for its single image."
  echo "- Engine floors: sharp (\`benchmarks/load/sharp-floor.js\`) and NetVips (\`benchmarks/EngineFloor\`) render the same corpus in one process each, one photo after another after one warm-up render of another file, timed around \`rotate().resize(200,200,{fit:'cover'}).webp({quality:80}).toBuffer()\` and \`Image.Thumbnail(file, 200, height: 200, crop: Centre)\` + \`WebpsaveBuffer(q: 80)\`. The ratios use sharp with concurrency 1 and cache off and NetVips with the server's settings (operation cache off, concurrency 1); the other settings are figures only."
  echo "- Fresh figures: the first ${FRESH} s of wrk on a process started just before (one process per path); warm figures: ${DURATION} s after ${FRESH} s of each path that are not measured."
  echo "- Peak RSS: VmHWM of each server process of the main steps, read before it stops; the start-up study's processes are in its own table."
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
  echo "npm install --prefix benchmarks/load/work/node --ignore-scripts sharp@${SHARP_WANTED[0]}"
  echo "NODE_PATH=benchmarks/load/work/node/node_modules node benchmarks/load/sharp-floor.js one|defaults|cores warm-up.jpg corpus/*.jpg"
  echo "dotnet build benchmarks/EngineFloor -c Release && dotnet benchmarks/EngineFloor/bin/Release/net10.0/EngineFloor.dll server|defaults warm-up.jpg corpus/*.jpg"
  echo "dotnet publish src/AssetServer -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o benchmarks/load/work/r2r"
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${FRESH}s --timeout 15s --latency -s benchmarks/load/static.lua '$BASE/assets/<id>?$COLD_QUERY'   # right after the server's start; also /assets/<original-id> and /server/ping, each on a new process"
  echo "DOTNET_TieredPGO=0 dotnet src/AssetServer/bin/Release/net10.0/AssetServer.dll …   # start-up study: one setting per process"
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
