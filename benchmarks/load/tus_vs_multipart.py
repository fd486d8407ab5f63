#!/usr/bin/env python3
"""A resumable (tus) upload in 8 MB chunks against one multipart upload of the same file, its floor (issue 19):
throughput and the server's peak RSS (VmHWM), as ratios tus / multipart. Each upload goes to a fresh server over a
fresh data folder (local store, SQLite), so each peak RSS is that upload's own; the rounds alternate the order.
  python3 benchmarks/load/tus_vs_multipart.py [SIZE_MB=256] [ROUNDS=1] [CHUNK_MB=8] [BUILD=src/AssetServer/bin/Release/net10.0]
Only 127.0.0.1 is contacted; the servers it starts are stopped on exit. Logs: benchmarks/load/work-tus/.
Wrap it in `flock /tmp/bench.lock` when others measure on the machine."""
import base64, http.client, os, shutil, socket, statistics, subprocess, sys, tempfile, time

args = sys.argv[1:]
SIZE = int(args[0] if len(args) > 0 else 256) << 20
ROUNDS = int(args[1]) if len(args) > 1 else 1
CHUNK = int(args[2] if len(args) > 2 else 8) << 20
BUILD = os.path.abspath(args[3] if len(args) > 3 else "src/AssetServer/bin/Release/net10.0")
HERE = os.path.dirname(os.path.abspath(__file__)); LOGS = os.path.join(HERE, "work-tus")
os.makedirs(LOGS, exist_ok=True)
TOKEN = "x" * 32
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def peak_rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"): return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, label):
        self.data = tempfile.mkdtemp(prefix="perf-tus-"); self.port = free_port()
        env = dict(os.environ, ASSETSERVER_Data__Path=self.data, ASSETSERVER_Auth__AdminToken=TOKEN,
                   ASSETSERVER_RateLimits__UploadsPerMinute="0", ASSETSERVER_Uploads__MaxBytes=str(SIZE * 2),
                   ASSETSERVER_Logging__LogLevel__Default="Warning")
        self.proc = subprocess.Popen(["dotnet", "AssetServer.dll", "--urls", f"http://127.0.0.1:{self.port}"], cwd=BUILD, env=env,
                                     stdout=open(os.path.join(LOGS, f"server-{label}.log"), "w"), stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                c = self.conn(); c.request("GET", "/server/ping"); c.getresponse().read(); c.close(); break
            except OSError:
                time.sleep(0.1)
        self.idle = peak_rss(self.proc.pid)

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def stop(self):
        self.proc.terminate()
        try: self.proc.wait(20)
        except subprocess.TimeoutExpired: self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def multipart(server, path):
    # curl streams the file from disk, as a browser or the SDK does.
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {TOKEN}",
                          "-F", f"file=@{path}", f"http://127.0.0.1:{server.port}/files"], capture_output=True, text=True).stdout
    if out != "200": sys.exit(f"multipart upload answered {out}")


def tus(server, path):
    c = server.conn()
    meta = "filename_download " + base64.b64encode(b"bench.bin").decode()
    c.request("POST", "/files/tus", headers={**AUTH, "Tus-Resumable": "1.0.0", "Upload-Length": str(SIZE), "Upload-Metadata": meta})
    r = c.getresponse(); r.read()
    if r.status != 201: sys.exit(f"tus creation answered {r.status}")
    url = r.getheader("Location")
    with open(path, "rb") as f:
        offset = 0
        while offset < SIZE:
            chunk = f.read(CHUNK)
            c.request("PATCH", url, body=chunk, headers={**AUTH, "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                                                         "Content-Type": "application/offset+octet-stream"})
            r = c.getresponse(); r.read()
            if r.status != 204: sys.exit(f"tus PATCH at {offset} answered {r.status}")
            offset = int(r.getheader("Upload-Offset"))
    if not r.getheader("Directus-File-Id"): sys.exit("the last tus PATCH named no file")
    c.close()


def measure(label, upload, path):
    server = Server(label)
    try:
        start = time.perf_counter(); upload(server, path); seconds = time.perf_counter() - start
        return SIZE / seconds / (1 << 20), peak_rss(server.proc.pid), server.idle
    finally:
        server.stop()


def main():
    work = tempfile.mkdtemp(prefix="perf-tus-file-")
    try:
        path = os.path.join(work, "bench.bin")
        with open(path, "wb") as f:
            for _ in range(SIZE // (1 << 20)): f.write(os.urandom(1 << 20))
        results = {"multipart": [], "tus": []}
        for i in range(ROUNDS):
            order = [("multipart", multipart), ("tus", tus)]
            for label, upload in (order if i % 2 == 0 else order[::-1]):
                results[label].append(measure(label, upload, path))
        print(f"file {SIZE >> 20} MB, tus chunks {CHUNK >> 20} MB, {ROUNDS} round(s), local store, SQLite")
        for label, rows in results.items():
            mbps = statistics.median(r[0] for r in rows); rss = statistics.median(r[1] for r in rows); idle = statistics.median(r[2] for r in rows)
            print(f"{label}: {mbps:.0f} MB/s, peak RSS {rss / (1 << 20):.0f} MB (after start {idle / (1 << 20):.0f} MB)")
        m = statistics.median(r[0] for r in results["multipart"]); t = statistics.median(r[0] for r in results["tus"])
        mr = statistics.median(r[1] for r in results["multipart"]); tr = statistics.median(r[1] for r in results["tus"])
        print(f"tus / multipart: throughput {t / m:.2f}x, peak RSS {tr / mr:.2f}x")
        print("load", open("/proc/loadavg").read().split()[:3])
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
