#!/usr/bin/env python3
"""S3 benchmark (issue: S3 object store).

Against the S3 server of `scripts/services up` (versitygw), in one run:
  1. throughput of a 1 GiB upload through POST /api/files vs a direct PUT of
     the same bytes to the store with curl --aws-sigv4 (target >= 0.9);
  2. peak RSS of `arca` during a 5 GiB upload, above idle (target < 64 MiB);
  3. /download requests/s (token check + DB row + presign) vs /healthz on the
     same server under wrk (target >= 0.5). With PostgreSQL records the row
     comes from Arca's file row cache after the first request (one file,
     asked again and again); bench/pg_list.py measures the cold lookup too.

Records go to PostgreSQL, as in production, when ARCA_DATABASE_URL is set
(e.g. after `eval "$(scripts/services up)"`): a fresh database on that
server, dropped at the end. Without it they go to the embedded SQLite file,
and the /download figure then measures the handler pool instead of the
event-loop reads (docs/performance.md).

  python3 bench/s3_upload.py [--size 1GiB] [--big 5GiB] [--bin build/arca]
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

from bench_common import ROOT, cpu_seconds, listener_pid, services_env
MiB = 1 << 20


def size_arg(text):
    m = re.fullmatch(r"(\d+)(GiB|MiB)", text)
    return int(m.group(1)) * (1 << 30 if m.group(2) == "GiB" else MiB)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def stream_upload(port, token, name, total, block):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1200)
    conn.putrequest("POST", "/api/files")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("X-File-Name", name)
    conn.putheader("Content-Length", str(total))
    conn.endheaders()
    sent = 0
    while sent < total:
        n = min(len(block), total - sent)
        conn.send(block[:n])
        sent += n
    r = conn.getresponse()
    body = r.read()
    if r.status not in (201, 202):
        raise SystemExit(f"upload failed: {r.status} {body!r}")
    return json.loads(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1GiB")
    ap.add_argument("--big", default="5GiB")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "arca"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3,
                    help="direct PUT / upload pairs, interleaved; the ratio is their median (disk writeback is noisy)")
    args = ap.parse_args()
    size, big = size_arg(args.size), size_arg(args.big)
    svc = services_env()
    storage = svc["ARCA_STORAGE_URL"]
    endpoint = urllib.parse.parse_qs(storage.split("?", 1)[1])["endpoint"][0]
    bucket = "bench-" + uuid.uuid4().hex[:8]
    access, secret = svc["ARCA_S3_ACCESS_KEY"], svc["ARCA_S3_SECRET_KEY"]
    env = dict(os.environ, ARCA_STORAGE_URL=f"s3://{bucket}?" + storage.split("?", 1)[1], ARCA_S3_ACCESS_KEY=access,
               ARCA_S3_SECRET_KEY=secret, ARCA_MAX_UPLOAD="100GiB", ARCA_LOG_LEVEL="warn")
    # The records must get written for /download to find them: keep the
    # embedded broker, so `arca serve` runs its workers (with Kafka it runs
    # none, and `scripts/services env` exports ARCA_BROKER_URL).
    env.pop("ARCA_BROKER_URL", None)
    pg_base = os.environ.get("ARCA_DATABASE_URL")
    pg_db = f"bench_s3_{os.getpid()}"
    if pg_base:
        subprocess.run(["psql", pg_base, "-qc", f"CREATE DATABASE {pg_db}"], check=True, capture_output=True)
        env["ARCA_DATABASE_URL"] = pg_base.rsplit("/", 1)[0] + "/" + pg_db
        print(f"records: PostgreSQL ({pg_db})")
    else:
        env.pop("ARCA_DATABASE_URL", None)
        print("records: embedded SQLite (set ARCA_DATABASE_URL for PostgreSQL)")
    block = os.urandom(MiB)
    try:
        run(args, env, size, big, block, endpoint, bucket, access, secret)
    finally:
        # The bucket held several GiB; it goes with the run.
        state = os.environ.get("ARCA_SERVICES_DIR", "/tmp/arca-services")
        subprocess.run(["rm", "-rf", os.path.join(state, "s3", "data", bucket)])
        if pg_base:
            subprocess.run(["psql", pg_base, "-qc", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"],
                           capture_output=True)


def run(args, env, size, big, block, endpoint, bucket, access, secret):
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        subprocess.run([args.bin, "user", "add", "bench", "--password-stdin", "--data-dir", tmp],
                       input=b"bench-password\n", check=True, env=env, capture_output=True)
        srv = subprocess.Popen([args.bin, "serve", "--data-dir", tmp, "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, env=env, text=True)
        try:
            port = int(re.search(r":(\d+)\s*$", srv.stdout.readline()).group(1))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/api/auth/login", json.dumps({"username": "bench", "password": "bench-password"}))
            token = json.loads(conn.getresponse().read())["access_token"]

            # 1. direct PUT vs through Arca, same bytes.
            src = os.path.join(tmp, "payload.bin")
            with open(src, "wb") as f:
                for _ in range(size // MiB):
                    f.write(block)
            # The store's own CPU for each transfer says how much of a pair's
            # swing is the store's (on a shared 2-core VM it varies by half
            # from one GiB to the next), and Arca's CPU is its cost per GiB.
            parts = urllib.parse.urlsplit(endpoint)
            local = parts.hostname in ("127.0.0.1", "localhost", "::1")
            store = local and listener_pid(parts.port or (443 if parts.scheme == "https" else 80))

            def timed(fn):
                s0, a0, t = store and cpu_seconds(store), cpu_seconds(srv.pid), time.perf_counter()
                fn()
                secs = time.perf_counter() - t
                return secs, store and cpu_seconds(store) - s0, cpu_seconds(srv.pid) - a0

            ratios, store_direct, store_through, arca_cpu = [], [], [], []
            mib = size / MiB
            for i in range(args.repeat):
                # Each transfer starts with no dirty pages: otherwise the one
                # that pushes the page cache past the background-writeback
                # threshold (10 % of RAM) pays for flushing the other's bytes.
                os.sync()
                direct, s_direct, _ = timed(lambda: subprocess.run(
                    ["curl", "-sf", "-T", src, "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{access}:{secret}",
                     "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", f"{endpoint}/{bucket}/direct-put"], check=True))
                os.sync()
                through, s_through, a_through = timed(
                    lambda: stream_upload(port, token, f"through-arca-{i}.bin", size, block))
                ratios.append(direct / through)
                arca_cpu.append(a_through * MiB * 1024 / size)
                line = (f"   pair {i + 1}: direct PUT {mib / direct:.0f} MiB/s, through Arca {mib / through:.0f} MiB/s, "
                        f"ratio {direct / through:.2f}; CPU s/GiB: Arca {arca_cpu[-1]:.2f}")
                if store:
                    store_direct.append(s_direct * MiB * 1024 / size)
                    store_through.append(s_through * MiB * 1024 / size)
                    line += f", store {store_direct[-1]:.2f} direct / {store_through[-1]:.2f} through Arca"
                print(line, flush=True)
            median = statistics.median_high  # the upper middle of an even count, as before
            print(f"1. {mib:.0f} MiB: median ratio {median(ratios):.2f} of {args.repeat} pairs "
                  f"(target >= 0.9); Arca CPU {median(arca_cpu):.2f} s/GiB"
                  + (f", store CPU {median(store_direct):.2f} s/GiB direct, {median(store_through):.2f} through Arca"
                     if store else ""))
            os.remove(src)

            # 2. peak RSS during a big upload.
            time.sleep(0.5)
            idle = rss_kib(srv.pid)
            peak = [idle]
            done = threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], rss_kib(srv.pid))
                    time.sleep(0.05)

            th = threading.Thread(target=sample, daemon=True)
            th.start()
            t = time.perf_counter()
            rec = stream_upload(port, token, "big.bin", big, block)
            secs = time.perf_counter() - t
            done.set()
            th.join()
            print(f"2. {big / (1 << 30):.0f} GiB upload in {secs:.0f} s: RSS idle {idle / 1024:.1f} MiB, "
                  f"peak {peak[0] / 1024:.1f} MiB, growth {(peak[0] - idle) / 1024:.1f} MiB (target < 64)")

            # 3. /download vs /healthz under the same load generator.
            fid = rec["id"]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # the first one idled out
            deadline = time.time() + 30
            while time.time() < deadline:
                conn.request("GET", f"/api/files/{fid}", headers={"Authorization": f"Bearer {token}"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    break
                time.sleep(0.1)

            def wrk(path, auth):
                cmd = ["wrk", "-t2", "-c8", f"-d{args.seconds}s"]
                if auth:
                    cmd += ["-H", f"Authorization: Bearer {token}"]
                out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                                     check=True).stdout
                if "Non-2xx" in out:
                    raise SystemExit(f"errors under load:\n{out}")
                return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

            dl = wrk(f"/api/files/{fid}/download", True)
            hz = wrk("/healthz", False)
            print(f"3. /download {dl:.0f} req/s, /healthz {hz:.0f} req/s, ratio {dl / hz:.2f} (target >= 0.5)")
        finally:
            srv.terminate()
            srv.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
