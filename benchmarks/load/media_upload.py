#!/usr/bin/env python3
"""Upload latency of a video with the media probe in place (issue 20), against the plain image upload of about the
same size, its floor. One server (local store, SQLite, rate limits off); each round uploads the video, the image and a
PDF once each with curl, in rotating order; medians, and each as a ratio to the image's median.
  python3 benchmarks/load/media_upload.py [ROUNDS=30] [BUILD=src/AssetServer/bin/Release/net10.0]
ffmpeg makes the files (a 1920x1080, 5 s H.264 MP4; a JPEG of noise sized like it); the PDF is two A4 pages.
Only 127.0.0.1 is contacted; the server is stopped on exit. Logs: benchmarks/load/work-media/.
Wrap it in `flock /tmp/bench.lock` when others measure on the machine."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
BUILD = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "src/AssetServer/bin/Release/net10.0")
HERE = os.path.dirname(os.path.abspath(__file__)); WORK = os.path.join(HERE, "work-media")
TOKEN = "media-bench-" + "x" * 24


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def ffmpeg(*arguments):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *arguments], check=True)


def make_files():
    os.makedirs(WORK, exist_ok=True)
    video = os.path.join(WORK, "clip.mp4")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=30:duration=5", "-f", "lavfi", "-i", "sine=duration=5",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", video)
    # Noise does not compress: raise the JPEG's side until it weighs about what the video does.
    image = os.path.join(WORK, "photo.jpg")
    side = 800
    while True:
        ffmpeg("-f", "lavfi", "-i", f"nullsrc=size={side}x{side},geq=random(1)*255:128:128", "-frames:v", "1", "-q:v", "3", image)
        if os.path.getsize(image) >= os.path.getsize(video) or side >= 6000: break
        side = int(side * 1.25)
    pdf = os.path.join(WORK, "doc.pdf")
    subprocess.run(["python3", "-c", PDF, pdf], check=True)
    return {"image": image, "video": video, "pdf": pdf}


# Two A4 pages with one rectangle each, written as a minimal PDF (objects and an xref table).
PDF = r'''
import sys
objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>"]
for i, colour in enumerate(["1 0 0", "0 1 0"]):
    stream = f"{colour} rg 50 50 495 742 re f".encode()
    objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents {4 + 2 * i} 0 R >>")
    objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
out = bytearray(b"%PDF-1.4\n"); offsets = []
for n, body in enumerate(objects, 1):
    offsets.append(len(out)); out += f"{n} 0 obj\n{body}\nendobj\n".encode()
xref = len(out)
out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
for o in offsets: out += f"{o:010d} 00000 n \n".encode()
out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
open(sys.argv[1], "wb").write(out)
'''


def upload(port, path):
    started = time.perf_counter()
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {TOKEN}",
                          "-F", f"file=@{path}", f"http://127.0.0.1:{port}/files"], capture_output=True, text=True).stdout
    took = time.perf_counter() - started
    if out != "200": sys.exit(f"upload of {path} answered {out}")
    return took


def main():
    files = make_files()
    data = tempfile.mkdtemp(prefix="perf-media-"); port = free_port()
    env = dict(os.environ, ASSETSERVER_Data__Path=data, ASSETSERVER_Auth__AdminToken=TOKEN,
               ASSETSERVER_RateLimits__UploadsPerMinute="0", ASSETSERVER_Logging__LogLevel__Default="Warning")
    server = subprocess.Popen(["dotnet", "AssetServer.dll", "--urls", f"http://127.0.0.1:{port}"], cwd=BUILD, env=env,
                              stdout=open(os.path.join(WORK, "server.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server/ping", timeout=2).read(); break
            except OSError:
                time.sleep(0.1)
        names = list(files)
        for name in names: upload(port, files[name])  # warm-up: JIT, the engines' first start
        times = {name: [] for name in names}
        for round in range(ROUNDS):
            order = names[round % len(names):] + names[:round % len(names)]
            for name in order: times[name].append(upload(port, files[name]))
        floor = statistics.median(times["image"])
        for name in names:
            median = statistics.median(times[name])
            print(f"upload_{name}_bytes {os.path.getsize(files[name])} B")
            print(f"upload_{name}_median {median * 1000:.1f} ms")
            print(f"upload_{name}_ratio_vs_image {median / floor:.2f} x")
        print("load", " ".join(open("/proc/loadavg").read().split()[:3]))
    finally:
        server.terminate()
        try: server.wait(20)
        except subprocess.TimeoutExpired: server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
