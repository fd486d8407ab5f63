#!/usr/bin/env bash
# A local S3-compatible server for the s3-mode tests (s3rver, Node).
#   .ci/s3rver.sh start <folder> [port] [--owner <pid>]   installs s3rver once, starts it on loopback, prints the service URL
#   .ci/s3rver.sh stop <folder>
# With --owner, a detached watchdog (.ci/watchdog.sh) stops it once that process is gone (the test host that started
# it, however that ended).
# Credentials are s3rver's defaults (S3RVER / S3RVER). The bucket is ASSETSERVER_TEST_S3_BUCKET (default
# assetserver-tests). The tests take the URL from ASSETSERVER_TEST_S3 (tests/.../Support/Engines.cs).
set -euo pipefail

VERSION=3.7.1
BUCKET="${ASSETSERVER_TEST_S3_BUCKET:-assetserver-tests}"
INSTALL="${S3RVER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/assetserver/s3rver-$VERSION}"

usage() { echo "usage: $0 start <folder> [port] [--owner <pid>] | stop <folder>" >&2; exit 2; }

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
command="$1"
folder="$(mkdir -p "$2" && cd "$2" && pwd)"
pidfile="$folder/.s3rver.pid"
here="$(cd "$(dirname "$0")" && pwd)"

case "$command" in
start)
    # A free loopback port unless one is given (several runs may share a machine).
    port="${3:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
    if [ ! -x "$INSTALL/node_modules/.bin/s3rver" ]; then
        mkdir -p "$INSTALL"
        npm install --silent --no-audit --no-fund --prefix "$INSTALL" "s3rver@$VERSION" >&2
    fi
    # s3rver keeps a key's folders as real folders and removes one once its last object is deleted; a put into that
    # folder at the same moment cannot open its file, and s3rver 3.7.1 leaves that error unhandled, which ends the
    # whole process (real S3 has no folders). Hand the error to the put's promise instead: the put answers 500, and
    # the client retries it.
    store="$INSTALL/node_modules/s3rver/lib/stores/filesystem.js"
    if ! grep -q "assetserver: a put racing" "$store"; then
        sed -i -E "s#(const writeStream = fs\.createWriteStream\((objectPath|partPath)\));#\1.on('error', reject); // assetserver: a put racing a folder's removal#" "$store"
        [ "$(grep -c "assetserver: a put racing" "$store")" -eq 2 ] || { echo "could not patch $store" >&2; exit 1; }
    fi
    # A listing walks the key folders, and a folder or object deleted during the walk makes readdir/stat throw
    # ENOENT: s3rver answers 500 to the whole listing. Skip what vanished instead, as a listing of real S3 would.
    utils="$INSTALL/node_modules/s3rver/lib/utils.js"
    if ! grep -q "assetserver: a listing racing" "$utils"; then
        node - "$utils" <<'PATCH'
const fs = require('fs');
const path = process.argv[2];
const text = fs.readFileSync(path, 'utf8');
const old = `exports.walk = function* walk(dir, recurseFilter) {
  for (const filename of fs.readdirSync(dir)) {
    const filePath = path.posix.join(dir, filename);
    const stats = fs.statSync(filePath);`;
const mended = `exports.walk = function* walk(dir, recurseFilter) {
  // assetserver: a listing racing a delete skips what vanished
  const gone = err => { if (err.code !== 'ENOENT') throw err; return null; };
  let filenames;
  try { filenames = fs.readdirSync(dir); } catch (err) { filenames = gone(err) || []; }
  for (const filename of filenames) {
    const filePath = path.posix.join(dir, filename);
    let stats;
    try { stats = fs.statSync(filePath); } catch (err) { gone(err); continue; }`;
if (!text.includes(old)) { console.error('could not patch ' + path); process.exit(1); }
fs.writeFileSync(path, text.replace(old, mended));
PATCH
    fi
    # A listing reads each key's metadata file, and one read while a put is still writing it is cut short: JSON.parse
    # throws and the whole listing answers 500. Leave that key out instead: real S3 lists a put once it has completed.
    if ! grep -q "assetserver: a listing racing a put" "$store"; then
        node - "$store" <<'PATCH'
const fs = require('fs');
const path = process.argv[2];
const text = fs.readFileSync(path, 'utf8');
const old = `        this.getMetadata(bucket, key).catch(err => {
          if (err.code === 'ENOENT') return undefined;`;
const mended = `        this.getMetadata(bucket, key).catch(err => {
          // assetserver: a listing racing a put leaves out the key whose metadata is half written
          if (err.code === 'ENOENT' || err instanceof SyntaxError) return undefined;`;
if (!text.includes(old)) { console.error('could not patch ' + path); process.exit(1); }
fs.writeFileSync(path, text.replace(old, mended));
PATCH
    fi
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "s3rver already runs for $folder (pid $(cat "$pidfile"))" >&2
        port=$(cat "$folder/.s3rver.port")
    else
        mkdir -p "$folder/data"
        # An empty folder named after the bucket is the bucket: s3rver keeps buckets as folders.
        mkdir -p "$folder/data/$BUCKET"
        nohup node "$INSTALL/node_modules/.bin/s3rver" --address 127.0.0.1 --port "$port" \
            --directory "$folder/data" --silent >"$folder/s3rver.log" 2>&1 &
        echo $! >"$pidfile"
        echo "$port" >"$folder/.s3rver.port"
        if [ -n "$owner" ]; then
            setsid bash "$here/watchdog.sh" "$owner" "$(cat "$pidfile")" bash "$here/s3rver.sh" stop "$folder" >/dev/null 2>&1 </dev/null &
        fi
    fi
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/$BUCKET?list-type=2" 2>/dev/null; then
            echo "http://127.0.0.1:$port"
            exit 0
        fi
        sleep 0.2
    done
    echo "s3rver did not answer on port $port; see $folder/s3rver.log" >&2
    exit 1
    ;;
stop)
    if [ -f "$pidfile" ]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        # Stopped means gone (a caller may delete the folder next); SIGKILL after 5 s.
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    fi
    ;;
*) usage ;;
esac
