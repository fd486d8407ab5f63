#!/usr/bin/env bash
# Focused steps of the load benchmark (issue 17), for measuring one path before and after a change in minutes:
#   benchmarks/load/focus.sh upload [N]           N (40) sequential uploads of two 12 MP JPEGs (a camera JPEG with an
#                                                 EXIF thumbnail, one without), against two floors in the same run,
#                                                 after WARMUP (60) uploads and their background work;
#                                                 BEFORE_DLL=<AssetServer.dll of an older build> measures it too
#   benchmarks/load/focus.sh storm ['label|[dll=<AssetServer.dll>] VAR=value VAR2=value' ...]
#                                                 run.sh's storm (step 6) once per setting, each on a new process with
#                                                 those environment variables (none: the build as it is)
# run.sh --upload-only / --storm-only call this. Prints "name value unit" lines; writes work-focus/RESULTS-focus.md.
# Only 127.0.0.1 is contacted, every step is bounded, and the processes it starts are stopped on exit.
set -euo pipefail

MODE=${1:-}; shift || true
[[ $MODE == upload || $MODE == storm ]] || { sed -n '2,8p' "$0"; exit 2; }

LOAD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LOAD_DIR/../.." && pwd)"
WORK="$LOAD_DIR/work-focus"
export LOAD_DIR
DLL="$ROOT/src/AssetServer/bin/Release/net10.0/AssetServer.dll"
DATA="$WORK/data"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
AUTH=(-H "Authorization: Bearer $TOKEN")
DURATION=30; CONNECTIONS=32; THREADS=$(( $(nproc) < CONNECTIONS ? $(nproc) : CONNECTIONS ))
STARTED=$(date +%s)
RESULTS="$WORK/RESULTS-focus.md"

log() { printf '[%4ds] %s\n' "$(( $(date +%s) - STARTED ))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
for cmd in curl jq python3 vips wrk; do command -v "$cmd" >/dev/null || die "$cmd is missing (benchmarks/load/run.sh installs it)"; done

SERVER_PID=""; SAMPLER_PID=""; FLOOR_PID=""
stop_pid() {
  local pid=$1 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -s KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() { stop_pid "$SAMPLER_PID"; stop_pid "$FLOOR_PID"; stop_pid "$SERVER_PID"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() {
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  until curl -s -o /dev/null --max-time 2 "$url"; do (( $(date +%s) < deadline )) || return 1; sleep 0.05; done
}
PORT=$(python3 "$LOAD_DIR/tools.py" port)
BASE="http://127.0.0.1:$PORT"
start_server() { # [VAR=value...]
  local dll=${SERVER_DLL:-$DLL}
  ( cd "$ROOT" && exec env ASSETSERVER_Data__Path="$DATA" ASSETSERVER_Auth__AdminToken="$TOKEN" \
      ASSETSERVER_RateLimits__UploadsPerMinute=0 ASSETSERVER_RateLimits__TransformsPerMinute=0 \
      ASSETSERVER_Logging__LogLevel__Default=Warning "$@" dotnet "$dll" --urls "$BASE" ) >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$BASE/server/ping" 60 || { tail -20 "$WORK/server.log" >&2; die "server did not answer"; }
}
stop_server() { stop_pid "$SERVER_PID"; SERVER_PID=""; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\\n\", $1 }"; }
wrkstat() { awk -v k="$1" '$1 == "wrkstat" && $2 == k { print $3 }' "$2"; }
declare -a FIGURES=()
figure() { printf '%s %s %s\n' "$1" "$2" "$3"; FIGURES+=("$1|$2|$3"); }
median_ms() { python3 "$LOAD_DIR/tools.py" stats <"$1" | awk '{ printf "%.1f", $1 * 1000 }'; }

mkdir -p "$WORK"
find "$WORK" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
mkdir -p "$WORK"/{corpus,floor,vtmp}
# SERVER_DLL=<AssetServer.dll> runs that build instead (the source is not built then).
if [[ -z ${SERVER_DLL:-} ]]; then
  ( cd "$ROOT" && timeout 600 dotnet build src/AssetServer/AssetServer.csproj -c Release -nologo -v q ) >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log" >&2; die "dotnet build"; }
fi
log "built; mode $MODE"

# Photo-like pixels (as run.sh): smooth colour shapes, detail and grain, saved as JPEG q85 with camera EXIF.
make_photo() { # out width height seed [thumbnail]
  local out=$1 w=$2 h=$3 seed=$4 t="$WORK/vtmp"
  vips gaussnoise "$t/r.v" $(( w / 128 + 1 )) $(( h / 128 + 1 )) --mean $(( 100 + seed % 50 )) --sigma 60
  vips gaussnoise "$t/g.v" $(( w / 128 + 1 )) $(( h / 128 + 1 )) --mean 120 --sigma 55
  vips gaussnoise "$t/b.v" $(( w / 128 + 1 )) $(( h / 128 + 1 )) --mean 110 --sigma 65
  vips bandjoin "$t/r.v $t/g.v $t/b.v" "$t/c.v"
  vips cast "$t/c.v" "$t/c8.v" uchar
  vips resize "$t/c8.v" "$t/big.v" 128 --kernel cubic
  vips gaussnoise "$t/n.v" $(( (w / 128 + 1) * 128 )) $(( (h / 128 + 1) * 128 )) --mean 0 --sigma 6
  vips cast "$t/n.v" "$t/n8.v" char
  vips add "$t/big.v" "$t/n8.v" "$t/s.v"
  vips cast "$t/s.v" "$t/s8.v" uchar
  vips extract_area "$t/s8.v" "$t/crop.v" 0 0 "$w" "$h"
  vips copy "$t/crop.v" "$out[Q=85,strip]" --interpretation srgb
  if [[ -n ${5:-} ]]; then
    vips thumbnail "$out" "$t/thumb.jpg[Q=75,strip]" 160
    python3 "$LOAD_DIR/tools.py" exif-thumb "$t/thumb.jpg" "$out"
  else
    python3 "$LOAD_DIR/tools.py" exif "$out"
  fi
  rm -f "$t"/*.v
}

if [[ $MODE == upload ]]; then
  N=${1:-40}
  WARMUP=${WARMUP:-60}
  make_photo "$WORK/camera-12mp.jpg" 4000 3000 1 thumbnail
  make_photo "$WORK/plain-12mp.jpg" 4000 3000 2
  BYTES=$(stat -c %s "$WORK/camera-12mp.jpg")
  log "12 MP JPEGs: camera $BYTES B (EXIF thumbnail), plain $(stat -c %s "$WORK/plain-12mp.jpg") B; $N uploads each"
  measure_uploads() { # prefix: the build in SERVER_DLL, on a fresh data folder
    local p=$1 f i out has id
    rm -rf "$DATA"
    start_server
    # Warm-up: a new process runs its upload path as unoptimised (tier-0) JIT code for the first 30 or so calls; the
    # cold figure is the median of the first 20. Then the placeholders queued by the warm-up are left to finish, so
    # the measured series shares the cores with nothing but curl (the next upload's own background work waits for a
    # lull, or 2 s, which the series does not reach).
    : >"$WORK/times-${p}cold.txt"
    for i in $(seq 1 "$WARMUP"); do
      f=$([[ $(( i % 2 )) == 0 ]] && echo camera || echo plain)
      curl -s --max-time 60 -o "$WORK/last.json" -w '%{time_total}\n' "${AUTH[@]}" -F "file=@$WORK/$f-12mp.jpg" "$BASE/files" >>"$WORK/times-${p}cold.txt" || die "warm-up upload"
    done
    head -20 "$WORK/times-${p}cold.txt" >"$WORK/times-${p}cold20.txt"
    figure "${p}upload_cold_first20_median" "$(median_ms "$WORK/times-${p}cold20.txt")" ms
    id=$(jq -r .data.id "$WORK/last.json")
    for i in $(seq 1 300); do
      curl -sf --max-time 10 "${AUTH[@]}" "$BASE/files/$id" | jq -e .data.metadata.placeholder >/dev/null && break
      sleep 0.2
    done
    sleep 1
    for f in camera plain; do
      : >"$WORK/times-$p$f.txt"
      for i in $(seq 1 "$N"); do
        out=$(curl -s --max-time 60 -o "$WORK/last.json" -w '%{http_code} %{time_total}' "${AUTH[@]}" -F "file=@$WORK/$f-12mp.jpg" "$BASE/files")
        [[ ${out%% *} == 200 ]] || die "upload answered ${out%% *}"
        echo "${out#* }" >>"$WORK/times-$p$f.txt"
      done
      has=$(jq -r 'if .data.metadata.placeholder then "inline" else "later" end' "$WORK/last.json")
      figure "${p}upload_${f}_median" "$(median_ms "$WORK/times-$p$f.txt")" ms
      figure "${p}upload_${f}_placeholder" "$has" where
    done
    # A placeholder computed after the answer reaches the row: wait for it (bounded) on the last plain upload.
    id=$(jq -r .data.id "$WORK/last.json")
    for i in $(seq 1 100); do
      curl -sf --max-time 10 "${AUTH[@]}" "$BASE/files/$id" | jq -e .data.metadata.placeholder >/dev/null && break
      sleep 0.2
    done
    figure "${p}upload_plain_placeholder_after" "$(curl -sf --max-time 10 "${AUTH[@]}" "$BASE/files/$id" | jq -r 'if .data.metadata.placeholder then "yes" else "no" end')" stored
    stop_server
  }
  if [[ -n ${BEFORE_DLL:-} ]]; then SERVER_DLL=$BEFORE_DLL measure_uploads before_; fi
  SERVER_DLL=${SERVER_DLL:-$DLL} measure_uploads ""
  # Floors in the same run: the same bytes copied into the data folder's file system (temp, fsync, rename), and
  # curl posting the same multipart body to a trivial Python endpoint that stores it the same way.
  python3 "$LOAD_DIR/tools.py" copy-floor "$WORK/camera-12mp.jpg" "$WORK/floor" "$N" >"$WORK/times-copy.txt"
  figure upload_floor_copy_fsync_median "$(median_ms "$WORK/times-copy.txt")" ms
  FLOOR_PORT=$(python3 "$LOAD_DIR/tools.py" port)
  python3 "$LOAD_DIR/tools.py" http-floor "$FLOOR_PORT" "$WORK/floor" &
  FLOOR_PID=$!
  sleep 0.5
  : >"$WORK/times-http.txt"
  for i in $(seq 1 "$N"); do
    curl -s --max-time 60 -o /dev/null -w '%{time_total}\n' -F "file=@$WORK/camera-12mp.jpg" "http://127.0.0.1:$FLOOR_PORT/" >>"$WORK/times-http.txt"
  done
  stop_pid "$FLOOR_PID"; FLOOR_PID=""
  figure upload_floor_http_median "$(median_ms "$WORK/times-http.txt")" ms
  figure upload_camera_ratio_http_floor "$(calc "$(median_ms "$WORK/times-camera.txt") / $(median_ms "$WORK/times-http.txt")" 2)" x
  figure upload_plain_ratio_http_floor "$(calc "$(median_ms "$WORK/times-plain.txt") / $(median_ms "$WORK/times-http.txt")" 2)" x
  if [[ -n ${BEFORE_DLL:-} ]]; then
    figure before_upload_camera_ratio_http_floor "$(calc "$(median_ms "$WORK/times-before_camera.txt") / $(median_ms "$WORK/times-http.txt")" 2)" x
    figure before_upload_plain_ratio_http_floor "$(calc "$(median_ms "$WORK/times-before_plain.txt") / $(median_ms "$WORK/times-http.txt")" 2)" x
  fi
fi

if [[ $MODE == storm ]]; then
  (( $# )) || set -- "as built|"
  # The corpus of run.sh's full run: 40 photos of 6-24 MP.
  log "making 40 photos of 6-24 MP"
  for i in $(seq 0 39); do
    mp=$(awk -v i="$i" 'BEGIN { printf "%.2f", 6 + 18 * i / 39 }')
    read -r w h < <(awk -v mp="$mp" 'BEGIN { w = int(sqrt(mp * 1e6 * 1.5) / 16 + 0.5) * 16; h = int(w * 2 / 3 / 16 + 0.5) * 16; print w, h }')
    make_photo "$WORK/corpus/photo-$(printf %02d "$i").jpg" "$w" "$h" "$i"
  done
  start_server
  : >"$WORK/ids.txt"
  for f in "$WORK"/corpus/*.jpg; do
    curl -sf --max-time 120 "${AUTH[@]}" -F "file=@$f" "$BASE/files" | jq -r .data.id >>"$WORK/ids.txt" || die "upload $f"
  done
  stop_server
  for setting in "$@"; do
    label=${setting%%|*}; vars=${setting#*|}
    # Every setting starts from no derivatives, so its storm renders as many new ones as the first.
    rm -rf "$DATA/derivatives"
    # "dll=<path>" first in a setting runs that build (an older one, for before/after in one run).
    dll_of=""
    if [[ $vars == dll=* ]]; then dll_of=${vars%% *}; dll_of=${dll_of#dll=}; vars=${vars#dll=$dll_of}; fi
    # shellcheck disable=SC2086
    SERVER_DLL=${dll_of:-${SERVER_DLL:-}} start_server $vars
    curl -sf --max-time 60 -o /dev/null "$BASE/assets/$(head -1 "$WORK/ids.txt")?width=100&format=webp" || die "warm-up render"
    sleep 2
    rss_before=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
    ( for _ in $(seq 1 $(( (DURATION + 60) * 2 ))); do
        awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || exit 0
        sleep 0.5
      done ) >"$WORK/storm-rss.txt" &
    SAMPLER_PID=$!
    STORM_IDS="$WORK/ids.txt" WRK_THREADS=$THREADS timeout $(( DURATION + 60 )) \
      wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 15s --latency -s "$LOAD_DIR/storm.lua" "$BASE" >"$WORK/wrk-storm.log" 2>&1 \
      || { cat "$WORK/wrk-storm.log" >&2; die "wrk"; }
    stop_pid "$SAMPLER_PID"; SAMPLER_PID=""
    hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
    peak=$(sort -n "$WORK/storm-rss.txt" | tail -1)
    stop_server
    key=$(echo "$label" | tr -c 'A-Za-z0-9\n' '_')
    figure "storm_${key}_renders_per_s" "$(wrkstat rps_200 "$WORK/wrk-storm.log")" renders/s
    figure "storm_${key}_rps" "$(wrkstat rps "$WORK/wrk-storm.log")" req/s
    figure "storm_${key}_p99" "$(wrkstat p99_ms "$WORK/wrk-storm.log")" ms
    figure "storm_${key}_failed" "$(( $(wrkstat status_other "$WORK/wrk-storm.log") + $(wrkstat socket_errors "$WORK/wrk-storm.log") ))" count
    figure "storm_${key}_rss_before" "$(calc "${rss_before:-0} / 1024" 0)" MB
    figure "storm_${key}_peak_rss" "$(calc "${peak:-0} / 1024" 0)" MB
    figure "storm_${key}_vmhwm" "$(calc "${hwm:-0} / 1024" 0)" MB
  done
fi

{
  echo "# focus.sh $MODE ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null), load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| name | value | unit |"
  echo "|---|---:|---|"
  for f in "${FIGURES[@]}"; do IFS='|' read -r n v u <<<"$f"; echo "| $n | $v | $u |"; done
} >"$RESULTS"
log "wrote $RESULTS"
