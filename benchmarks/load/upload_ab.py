#!/usr/bin/env python3
"""Upload latency of several builds measured interleaved (issue 17): on a shared, busy machine a build measured after
another meets other load, so each round posts the file once to every build and once to the HTTP floor, in alternating
order; medians per build, the ratio to the floor, and each server's CPU time per upload (background work included).
  python3 benchmarks/load/upload_ab.py N FILE LABEL=<folder with AssetServer.dll> [LABEL=<folder> ...]
Only 127.0.0.1 is contacted; the servers and the floor it starts are stopped on exit. Logs: benchmarks/load/work-ab/."""
import os, subprocess, sys, time, statistics, tempfile, shutil, socket
if len(sys.argv) < 4:
    sys.exit(__doc__)
N = int(sys.argv[1]); FILE = sys.argv[2]; builds = [a.split("=", 1) for a in sys.argv[3:]]
HERE = os.path.dirname(os.path.abspath(__file__)); LOGS = os.path.join(HERE, "work-ab")
os.makedirs(LOGS, exist_ok=True)
TOKEN = "x" * 32
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
procs = []; servers = []
try:
    for label, d in builds:
        data = tempfile.mkdtemp(prefix="perf-ab-"); p = port()
        env = dict(os.environ, ASSETSERVER_Data__Path=data, ASSETSERVER_Auth__AdminToken=TOKEN,
                   ASSETSERVER_RateLimits__UploadsPerMinute="0", ASSETSERVER_Logging__LogLevel__Default="Warning")
        pr = subprocess.Popen(["dotnet", "AssetServer.dll", "--urls", f"http://127.0.0.1:{p}"], cwd=d, env=env,
                              stdout=open(os.path.join(LOGS, f"server-{label}.log"), "w"), stderr=subprocess.STDOUT)
        procs.append((pr, data)); servers.append((label, f"http://127.0.0.1:{p}/files"))
    fl = tempfile.mkdtemp(prefix="perf-floor-"); fp = port()
    floor = subprocess.Popen(["python3", os.path.join(HERE, "tools.py"), "http-floor", str(fp), fl])
    procs.append((floor, fl)); servers.append(("floor", f"http://127.0.0.1:{fp}/"))
    for label, url in servers:
        for _ in range(300):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "2", url.replace("/files", "/server/ping")]).returncode == 0: break
            time.sleep(0.1)
    def up(url):
        out = subprocess.run(["curl", "-s", "--max-time", "60", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", f"Authorization: Bearer {TOKEN}",
                              "-F", f"file=@{FILE}", url], capture_output=True, text=True).stdout.split()
        if not out or out[0] != "200":
            sys.exit(f"{url} answered {out[0] if out else 'nothing'}")
        return float(out[1]) * 1000
    for label, url in servers:
        for _ in range(4): up(url)
    times = {l: [] for l, _ in servers}
    pids = {l: pr.pid for (l, _), (pr, _) in zip(servers, procs)}
    def cpu(pid):
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    cpu0 = {l: cpu(p) for l, p in pids.items()}
    for i in range(N):
        order = servers if i % 2 == 0 else servers[::-1]
        for label, url in order:
            times[label].append(up(url)); time.sleep(0.05)
    time.sleep(3)  # background work of the last uploads
    cpus = {l: (cpu(p) - cpu0[l]) / N * 1000 for l, p in pids.items()}
    fm = statistics.median(times["floor"])
    for label, _ in servers:
        m = statistics.median(times[label])
        print(f"{label}: median {m:.1f} ms, {m / fm:.2f}x floor; p25 {statistics.quantiles(times[label], n=4)[0]:.1f} p75 {statistics.quantiles(times[label], n=4)[2]:.1f}; CPU {cpus[label]:.1f} ms per upload")
    print("load", open("/proc/loadavg").read().split()[:3])
finally:
    for pr, d in procs:
        pr.terminate()
        try: pr.wait(10)
        except Exception: pr.kill()
        shutil.rmtree(d, ignore_errors=True)
