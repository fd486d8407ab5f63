#!/usr/bin/env python3
"""Zip download of a folder (issue 19) against the floor `zip -0` of the same files, and the server's memory.

  python3 benchmarks/load/zip.py [--mb 300] [--files 60] [--runs 3] [--dll src/AssetServer/bin/Release/net10.0/AssetServer.dll]

Builds nothing: run `dotnet build AssetServer.sln -c Release` first. Starts the server on a free 127.0.0.1 port with a
fresh data folder under benchmarks/load/work-zip/ (git-ignored), rate limits off; writes FILES files of incompressible
bytes (what photos and videos are) totalling MB MiB into a folder tree (a third at the top, a third in `day 1/`, a third
in `day 1/beach/`), the same tree on disk for the floor, and uploads them as video/mp4 into folders of the same shape.
Each round, in alternating order: `POST /assets/folder/:id` with curl to /dev/null, and `zip -0 -q -r - <tree>` to
/dev/null (the same bytes stored, read from the page cache like the server's originals). The server's RSS is sampled
every 20 ms while it zips (and its peak reset before, via /proc/PID/clear_refs, when allowed). Prints `name value unit`
lines; ratios are the server's figure over the floor's. Only 127.0.0.1 is contacted; the server is stopped on exit.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, threading, time, urllib.request, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(HERE, "work-zip")
TOKEN = "zip-bench-" + "x" * 24

ap = argparse.ArgumentParser()
ap.add_argument("--mb", type=int, default=300)
ap.add_argument("--files", type=int, default=60)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--dll", default=os.path.join(ROOT, "src/AssetServer/bin/Release/net10.0/AssetServer.dll"))
args = ap.parse_args()


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """Peak RSS of one process while a measurement runs."""
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)


def server_zip(base, folder, pid, keep=None):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM, so the peak below is this download's
    except OSError:
        pass
    sampler = Sampler(pid)
    sampler.start()
    out = subprocess.run(["curl", "-s", "--max-time", "600", "-X", "POST", "-H", f"Authorization: Bearer {TOKEN}",
                          "-o", keep or "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
                          f"{base}/assets/folder/{folder}"], capture_output=True, text=True).stdout.split()
    sampler.done.set()
    sampler.join()
    if not out or out[0] != "200":
        sys.exit(f"zip answered {out}")
    return float(out[2]), int(out[1]), sampler.peak


def floor_zip(tree):
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        p = subprocess.Popen(["zip", "-0", "-q", "-r", "-", "."], cwd=tree, stdout=sink)
        _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"zip -0 failed: {status}")
    return seconds, usage.ru_maxrss


if shutil.which("zip") is None:
    sys.exit("zip is missing: apt-get install zip")
if not os.path.exists(args.dll):
    sys.exit(f"{args.dll} is missing: dotnet build AssetServer.sln -c Release")
shutil.rmtree(WORK, ignore_errors=True)
data, tree = os.path.join(WORK, "data"), os.path.join(WORK, "tree")
size = args.mb * 1024 * 1024 // args.files
dirs = ["", "day 1", os.path.join("day 1", "beach")]
for d in dirs:
    os.makedirs(os.path.join(tree, d), exist_ok=True)
layout = []
for i in range(args.files):
    rel = os.path.join(dirs[i % 3], f"clip-{i:04d}.mp4")
    with open(os.path.join(tree, rel), "wb") as f:
        f.write(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom" + os.urandom(size - 24))
    layout.append((dirs[i % 3], rel))

port = free_port()
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, ASSETSERVER_Data__Path=data, ASSETSERVER_Auth__AdminToken=TOKEN,
           ASSETSERVER_RateLimits__UploadsPerMinute="0", ASSETSERVER_RateLimits__TransformsPerMinute="0",
           ASSETSERVER_RateLimits__OriginalMegabytesPerMinute="0", ASSETSERVER_Uploads__MaxBytes=str(1 << 31),
           ASSETSERVER_Logging__LogLevel__Default="Warning")
server = subprocess.Popen(["dotnet", args.dll, "--urls", base], env=env, cwd=WORK,
                          stdout=open(os.path.join(WORK, "server.log"), "w"), stderr=subprocess.STDOUT)
try:
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/server/ping", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    root = api(base, "POST", "/folders", {"name": "bench"})["data"]["id"]
    day = api(base, "POST", "/folders", {"name": "day 1", "parent": root})["data"]["id"]
    beach = api(base, "POST", "/folders", {"name": "beach", "parent": day})["data"]["id"]
    ids = {"": root, "day 1": day, os.path.join("day 1", "beach"): beach}
    log(f"uploading {args.files} files of {size} bytes")
    for d, rel in layout:
        out = subprocess.run(["curl", "-s", "--max-time", "300", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {TOKEN}",
                              "-F", f"folder={ids[d]}", "-F", f"file=@{os.path.join(tree, rel)};type=video/mp4", base + "/files"],
                             capture_output=True, text=True).stdout
        if out != "200":
            sys.exit(f"upload of {rel} answered {out}")

    # Warm-up (page cache, JIT), and a check of what the archive holds.
    before_first = rss_kib(server.pid)
    sample = os.path.join(WORK, "sample.zip")
    server_zip(base, root, server.pid, keep=sample)
    with zipfile.ZipFile(sample) as z:
        files = [i for i in z.infolist() if not i.is_dir()]
        stored = sum(1 for i in files if i.compress_type == zipfile.ZIP_STORED)
        assert len(files) == args.files, f"{len(files)} entries"
        assert z.testzip() is None
    os.remove(sample)
    floor_zip(tree)
    idle = rss_kib(server.pid)

    server_runs, floor_runs, peaks, floor_rss, zip_bytes = [], [], [], [], 0
    for r in range(args.runs):
        order = ["server", "floor"] if r % 2 == 0 else ["floor", "server"]
        for which in order:
            if which == "server":
                seconds, zip_bytes, peak = server_zip(base, root, server.pid)
                server_runs.append(seconds)
                peaks.append(peak)
            else:
                seconds, maxrss = floor_zip(tree)
                floor_runs.append(seconds)
                floor_rss.append(maxrss)
        log(f"round {r + 1}: server {server_runs[-1]:.2f}s, zip -0 {floor_runs[-1]:.2f}s")

    total_mib = args.files * size / 1048576
    s_med, f_med = statistics.median(server_runs), statistics.median(floor_runs)
    print(f"zip_folder_mib {total_mib:.0f} MiB")
    print(f"zip_entries_stored {stored}/{len(files)} entries")
    print(f"zip_server_bytes {zip_bytes} B")
    print(f"zip_server_median {s_med:.3f} s")
    print(f"zip_floor_median {f_med:.3f} s")
    print(f"zip_server_throughput {total_mib / s_med:.0f} MiB/s")
    print(f"zip_floor_throughput {total_mib / f_med:.0f} MiB/s")
    print(f"zip_throughput_ratio_vs_zip0 {f_med / s_med:.2f} x")
    print(f"zip_server_rss_before_first_zip {before_first / 1024:.0f} MiB")
    print(f"zip_server_rss_idle {idle / 1024:.0f} MiB")
    print(f"zip_server_rss_peak {max(peaks) / 1024:.0f} MiB")
    print(f"zip_server_rss_growth {(max(peaks) - idle) / 1024:.0f} MiB")
    print(f"zip_server_rss_growth_per_folder {(max(peaks) - idle) / 1024 / total_mib:.3f} x")
    print(f"zip_floor_rss_peak {max(floor_rss) / 1024:.1f} MiB")
    print(f"zip_rss_ratio_peak_vs_idle {max(peaks) / idle:.2f} x")
finally:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
