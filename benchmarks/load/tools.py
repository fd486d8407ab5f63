#!/usr/bin/env python3
"""Small helpers for run.sh that bash does badly; standard library only.

  tools.py port             a free TCP port on 127.0.0.1
  tools.py exif FILE...     add a camera EXIF block (APP1) to each JPEG, in place
  tools.py exif-thumb THUMB FILE  the same block with THUMB (a small JPEG) embedded in IFD1, as cameras write it
  tools.py copy-floor FILE DIR N  N times: copy FILE into DIR as a temp file, fsync, rename; prints seconds per copy
  tools.py http-floor PORT DIR    a trivial HTTP server: each POST body written to DIR (temp, fsync, rename), 200
  tools.py stats            read numbers (one a line) on stdin, print "median p95 count"
  tools.py study RUNS NGINX the start-up study's runs (run.sh writes both files) as a Markdown table
"""
import os
import socket
import statistics
import struct
import sys

# TIFF field types
ASCII, SHORT, LONG, RATIONAL = 2, 3, 4, 5
SIZES = {ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode_value(kind, value):
    if kind == ASCII:
        return value.encode("ascii") + b"\0", len(value) + 1
    if kind == SHORT:
        return struct.pack(">H", value), 1
    if kind == LONG:
        return struct.pack(">I", value), 1
    return struct.pack(">II", *value), 1  # RATIONAL


def ifd(entries, start, next_ifd=0):
    """One big-endian IFD placed at offset `start` of the TIFF block, values that do not fit in 4 bytes after it."""
    entries = sorted(entries)
    table_size = 2 + 12 * len(entries) + 4
    table, data = bytearray(struct.pack(">H", len(entries))), bytearray()
    for tag, kind, value in entries:
        raw, count = encode_value(kind, value)
        if len(raw) <= 4:
            field = raw.ljust(4, b"\0")
        else:
            field = struct.pack(">I", start + table_size + len(data))
            data += raw
            if len(data) % 2:
                data += b"\0"
        table += struct.pack(">HHI", tag, kind, count) + field
    table += struct.pack(">I", next_ifd)
    return bytes(table + data)


def exif_block(thumbnail=None):
    exif_entries = [
        (0x829A, RATIONAL, (1, 250)),           # ExposureTime
        (0x829D, RATIONAL, (28, 10)),           # FNumber
        (0x8827, SHORT, 200),                   # ISOSpeedRatings
        (0x9003, ASCII, "2024:05:17 10:42:07"),  # DateTimeOriginal
        (0x920A, RATIONAL, (35, 1)),            # FocalLength
    ]
    ifd0_without_pointer = [
        (0x010F, ASCII, "AssetServer"),          # Make
        (0x0110, ASCII, "Load Test Camera"),     # Model
        (0x0112, SHORT, 1),                      # Orientation: upright, so both sides render the same pixels
        (0x0131, ASCII, "libvips"),              # Software
        (0x0132, ASCII, "2024:05:17 10:42:07"),  # DateTime
    ]
    # IFD0 starts right after the 8-byte header; its size does not depend on the pointer's value.
    probe = ifd(ifd0_without_pointer + [(0x8769, LONG, 0)], 8)
    exif_offset = 8 + len(probe)
    exif_ifd = ifd(exif_entries, exif_offset)
    ifd1 = b""
    ifd1_offset = 0
    if thumbnail is not None:
        # IFD1: compression 6 (JPEG), JPEGInterchangeFormat and its length; the thumbnail follows the table.
        ifd1_offset = exif_offset + len(exif_ifd)
        thumb_at = ifd1_offset + 2 + 3 * 12 + 4
        ifd1 = ifd([(0x0103, SHORT, 6), (0x0201, LONG, thumb_at), (0x0202, LONG, len(thumbnail))], ifd1_offset) + thumbnail
    ifd0 = ifd(ifd0_without_pointer + [(0x8769, LONG, exif_offset)], 8, ifd1_offset)
    tiff = b"MM\0\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + ifd1
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def add_exif(path, thumbnail=None):
    with open(path, "rb") as f:
        jpeg = f.read()
    if jpeg[:2] != b"\xff\xd8":
        raise SystemExit(f"{path}: not a JPEG")
    at = 2
    # Keep a JFIF APP0 first, as cameras and editors that write both do.
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + struct.unpack(">H", jpeg[4:6])[0]
    with open(path, "wb") as f:
        f.write(jpeg[:at] + exif_block(thumbnail) + jpeg[at:])


def copy_floor(path, folder, n):
    """What storing an upload costs at least: the bytes written to a temp file, fsync, rename (no HTTP)."""
    import time
    with open(path, "rb") as f:
        data = f.read()
    for i in range(n):
        t0 = time.perf_counter()
        temp, final = os.path.join(folder, f"t{i}.tmp"), os.path.join(folder, f"f{i}.jpg")
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temp, final)
        print(f"{time.perf_counter() - t0:.6f}")
        os.unlink(final)


def http_floor(port, folder):
    """An upload endpoint that does nothing but store: the request body to a temp file, fsync, rename, 200."""
    from http.server import BaseHTTPRequestHandler, HTTPServer
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without this, delayed ACK adds 40 ms to every answer.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            left = int(self.headers.get("Content-Length", "0"))
            counter[0] += 1
            temp, final = os.path.join(folder, f"u{counter[0]}.tmp"), os.path.join(folder, f"u{counter[0]}.bin")
            with open(temp, "wb") as f:
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    f.write(chunk)
                    left -= len(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.rename(temp, final)
            os.unlink(final)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def stats():
    values = sorted(float(line) for line in sys.stdin if line.strip())
    if not values:
        raise SystemExit("stats: no values")
    if len(values) == 1:
        p95 = values[0]
    else:
        p95 = statistics.quantiles(values, n=100, method="inclusive")[94]
    print(f"{statistics.median(values):.6f} {p95:.6f} {len(values)}")


def study(runs_path, nginx_path):
    """One row per setting, in the order first run: medians over the rounds; ratios per round, then their median."""
    nginx = {}
    with open(nginx_path) as f:
        for line in f:
            _, rnd, rps, mbps = line.rstrip("\n").split("\t")
            nginx[rnd] = (float(rps), float(mbps))
    rows = {}
    with open(runs_path) as f:
        for line in f:
            label, rnd, up, first, rps1, rps2, render, mbps, hwm, errors = line.rstrip("\n").split("\t")
            n_rps, n_mbps = nginx[rnd]
            rows.setdefault(label, []).append({
                "up": float(up), "first": float(first), "render": float(render), "hwm": float(hwm),
                "errors": int(errors), "rps1": float(rps1), "rps2": float(rps2), "mbps": float(mbps),
                "r1": float(rps1) / n_rps, "r2": float(rps2) / n_rps, "ro": float(mbps) / n_mbps,
            })
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    print("| setting | start-up to first ping, ms | first cached request, ms | derivative req/s, first {0} s (× nginx) "
          "| derivative req/s, next {0} s (× nginx) | first render after start, ms | original MB/s, first {0} s (× nginx) "
          "| peak RSS, MB | errors | rounds |".format(os.environ.get("FRESH", "5")))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, runs in rows.items():
        print(f"| {label} | {med(runs, 'up'):.0f} | {med(runs, 'first'):.1f} "
              f"| {med(runs, 'rps1'):.0f} ({med(runs, 'r1'):.2f}×) | {med(runs, 'rps2'):.0f} ({med(runs, 'r2'):.2f}×) "
              f"| {med(runs, 'render'):.1f} | {med(runs, 'mbps'):.0f} ({med(runs, 'ro'):.2f}×) "
              f"| {max(r['hwm'] for r in runs):.0f} | {sum(r['errors'] for r in runs)} | {len(runs)} |")


def main(argv):
    if len(argv) >= 2 and argv[1] == "port":
        print(free_port())
    elif len(argv) >= 3 and argv[1] == "exif":
        for path in argv[2:]:
            add_exif(path)
    elif len(argv) == 4 and argv[1] == "exif-thumb":
        with open(argv[2], "rb") as f:
            add_exif(argv[3], f.read())
    elif len(argv) == 5 and argv[1] == "copy-floor":
        copy_floor(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 4 and argv[1] == "http-floor":
        http_floor(int(argv[2]), argv[3])
    elif len(argv) == 2 and argv[1] == "stats":
        stats()
    elif len(argv) == 4 and argv[1] == "study":
        study(argv[2], argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
