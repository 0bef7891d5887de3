#!/usr/bin/env python3
"""Streaming-upload benchmark (embedded mode).

Uploads SIZE bytes through a real `arca serve` and, in the same run, writes the
same bytes to a file on the same disk with SHA-256 and fsync (the work any
upload must do). Prints throughput of both, their ratio, and how much the
server's peak RSS (VmHWM) grew during the upload.

  python3 bench/upload_stream.py --size 2GiB [--bin build/arca]
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

CHUNK = 1 << 20


def parse_size(text):
    m = re.fullmatch(r"(\d+)(GiB|MiB|KiB)?", text)
    if not m:
        raise SystemExit(f"bad size {text}")
    mul = {"GiB": 1 << 30, "MiB": 1 << 20, "KiB": 1 << 10, None: 1}[m.group(2)]
    return int(m.group(1)) * mul


def chunks(total):
    block = os.urandom(CHUNK)
    sent = 0
    while sent < total:
        n = min(CHUNK, total - sent)
        yield block[:n]
        sent += n


def vm_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Samples VmRSS every 20 ms. VmHWM alone is not enough: the login's
    argon2id hash briefly takes 64 MiB, which would hide anything smaller."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, vm_kib(self.pid, "VmRSS"))
            time.sleep(0.02)


def reference(path, total):
    h = hashlib.sha256()
    start = time.perf_counter()
    with open(path, "wb") as f:
        for c in chunks(total):
            h.update(c)
            f.write(c)
        f.flush()
        os.fsync(f.fileno())
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="2GiB")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "arca"))
    args = ap.parse_args()
    total = parse_size(args.size)

    with tempfile.TemporaryDirectory(dir=os.environ.get("ARCA_BENCH_DIR", "/var/tmp")) as tmp:
        data = os.path.join(tmp, "data")
        env = dict(os.environ, ARCA_MAX_UPLOAD="100GiB", ARCA_LOG_LEVEL="warn")
        subprocess.run([args.bin, "user", "add", "bench", "--password-stdin", "--data-dir", data],
                       input=b"bench-password\n", check=True, env=env, capture_output=True)
        srv = subprocess.Popen([args.bin, "serve", "--data-dir", data, "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, env=env)
        try:
            line = srv.stdout.readline().decode()
            port = int(re.search(r":(\d+)\s*$", line).group(1))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("POST", "/api/auth/login", json.dumps({"username": "bench", "password": "bench-password"}))
            token = json.loads(conn.getresponse().read())["access_token"]

            ref_secs = reference(os.path.join(tmp, "reference.bin"), total)
            os.remove(os.path.join(tmp, "reference.bin"))

            time.sleep(0.5)
            before = vm_kib(srv.pid, "VmRSS")
            sampler = RssSampler(srv.pid)
            sampler.start()
            start = time.perf_counter()
            conn.putrequest("POST", "/api/files")
            conn.putheader("Authorization", f"Bearer {token}")
            conn.putheader("X-File-Name", "bench.bin")
            conn.putheader("Content-Type", "application/octet-stream")
            conn.putheader("Content-Length", str(total))
            conn.endheaders()
            for c in chunks(total):
                conn.send(c)
            resp = conn.getresponse()
            body = resp.read()
            arca_secs = time.perf_counter() - start
            sampler.stop.set()
            sampler.join()
            after = sampler.peak
            if resp.status not in (201, 202):
                raise SystemExit(f"upload failed: {resp.status} {body!r}")
        finally:
            srv.terminate()
            srv.wait(timeout=30)

    mib = total / (1 << 20)
    print(f"upload size               {mib:.0f} MiB")
    print(f"reference (sha256+write+fsync) {mib / ref_secs:8.1f} MiB/s")
    print(f"arca upload (HTTP->disk)  {mib / arca_secs:8.1f} MiB/s")
    print(f"throughput ratio arca/reference {ref_secs / arca_secs:.2f}")
    print(f"server RSS before {before / 1024:.1f} MiB, peak during upload {after / 1024:.1f} MiB, "
          f"growth {(after - before) / 1024:.1f} MiB ({(after - before) / 1024 / mib * 100:.2f}% of the file)")


if __name__ == "__main__":
    sys.exit(main())
