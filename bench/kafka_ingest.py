#!/usr/bin/env python3
"""Kafka benchmark (issue: Kafka broker and separate worker processes).

Needs the services of `scripts/services up` (PostgreSQL, S3, Kafka; started
if ARCA_DATABASE_URL is not set). Prints, in one run:
  1. metadata ingest: rows/s committed by `arca worker --roles metadata`
     from a topic preloaded with N file.uploaded events, vs COPY of the same
     rows into the same indexed table (ratio, target >= 0.3);
  2. end-to-end latency from the 202 to the row being readable (GET by id),
     p50 and p99 over M small uploads (targets: p50 < 50 ms, p99 < 250 ms),
     beside the upload's own time and the producer's delivery wait
     (arca_broker_publish_seconds from /metrics).

  python3 bench/kafka_ingest.py [--events 200000] [--uploads 2000] [--bin build/arca]
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

from bench_common import ROOT, pct, psql, services_env, sh

COLUMNS = ("id, name, extension, folder, project, owner_id, size, content_type, declared_content_type, sha256, "
           "description, tags, status, state, bucket, object_key, created_at, updated_at")


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000000Z"


def events(n, owner_id, owner):
    """n file.uploaded events (key, JSON) and the same rows as CSV lines."""
    now = time.time()
    for i in range(n):
        fid = str(uuid.uuid4())
        ext = ("pdf", "png", "txt", "csv")[i % 4]
        name = f"relatório {i}.{ext}"
        ctype = {"pdf": "application/pdf", "png": "image/png", "txt": "text/plain", "csv": "text/csv"}[ext]
        created = now - i
        ev = {"event_id": str(uuid.uuid4()), "type": "file.uploaded", "version": 1, "file_id": fid,
              "occurred_at": rfc3339(created), "request_id": f"bench{i}", "owner_id": owner_id, "owner": owner,
              "project": f"p{i % 10}", "folder": f"f{i % 20}", "name": name, "bucket": "bench",
              "object_key": "files/" + fid, "size": i * 7 % 100000, "content_type": ctype,
              "declared_content_type": ctype, "sha256": "a" * 64, "description": f"linha {i}", "tags": [f"t{i % 30}"],
              "status": "pending", "created_at": rfc3339(created)}
        csv = ",".join([fid, f'"{name}"', ext, f"f{i % 20}", f"p{i % 10}", owner_id, str(i * 7 % 100000), ctype, ctype,
                        "a" * 64, f'"linha {i}"', f'"{{t{i % 30}}}"', "pending", "ready", "bench", "files/" + fid,
                        rfc3339(created), rfc3339(created)])
        yield fid, json.dumps(ev, ensure_ascii=False, separators=(",", ":")), csv


def count_rows(url):
    return int(psql(url, "SELECT count(*) FROM files"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--uploads", type=int, default=2000)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "arca"))
    args = ap.parse_args()

    if not os.environ.get("ARCA_DATABASE_URL"):
        os.environ.update(services_env())
    base = os.environ["ARCA_DATABASE_URL"]
    brokers = os.environ["ARCA_BROKER_URL"].split("://", 1)[1]
    tag = f"{os.getpid()}"
    dbs = [f"bench_ingest_{tag}", f"bench_copy_{tag}", f"bench_e2e_{tag}"]
    for d in dbs:
        psql(base, f"CREATE DATABASE {d}")
    url = {d: base.rsplit("/", 1)[0] + "/" + d for d in dbs}
    procs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # --- 1. ingest ---------------------------------------------------------
            topic = f"bench-uploaded-{tag}"
            env = dict(os.environ, ARCA_DATABASE_URL=url[dbs[0]], ARCA_TOPIC_UPLOADED=topic,
                       ARCA_TOPIC_DELETE=f"bench-delete-{tag}", ARCA_LOG_LEVEL="warn", ARCA_DATA_DIR=tmp,
                       ARCA_JWT_SECRET="bench-secret-0123456789abcdef0123456789")
            sh([args.bin, "user", "add", "bench", "--password-stdin"], input="bench-password\n", env=env)
            owner_id = psql(url[dbs[0]], "SELECT id FROM users WHERE username = 'bench'").strip()
            sh([args.bin, "migrate"], env=dict(env, ARCA_DATABASE_URL=url[dbs[1]]))
            psql(url[dbs[1]], f"INSERT INTO users (id, username, password_hash, is_admin, created_at) "
                              f"VALUES ('{owner_id}', 'bench', 'x', false, now())")
            keyed = os.path.join(tmp, "events.txt")
            csv = os.path.join(tmp, "rows.csv")
            with open(keyed, "w") as kf, open(csv, "w") as cf:
                for fid, ev, row in events(args.events, owner_id, "bench"):
                    kf.write(f"{fid}|{ev}\n")
                    cf.write(row + "\n")
            t = time.time()
            with open(keyed) as kf:
                sh([os.path.join(ROOT, "scripts", "services"), "kafka-tool", "kafka.tools.ConsoleProducer",
                    "--bootstrap-server", brokers, "--topic", topic, "--property", "parse.key=true",
                    "--property", "key.separator=|", "--producer-property", "linger.ms=20",
                    "--producer-property", "batch.size=262144"], stdin=kf)
            print(f"preloaded {args.events} events into {topic} in {time.time() - t:.1f} s")

            start = time.time()
            worker = subprocess.Popen([args.bin, "worker", "--roles", "metadata"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(worker)
            marks = {}
            n = 0
            while n < args.events:
                time.sleep(0.2)
                n = count_rows(url[dbs[0]])
                for frac in (0.1, 0.9):
                    if n >= frac * args.events and frac not in marks:
                        marks[frac] = time.time()
                if time.time() - start > 1800:
                    raise SystemExit(f"ingest stalled at {n} rows")
            ingest_s = time.time() - start
            worker.terminate()
            worker.wait(30)
            steady = 0.8 * args.events / (marks[0.9] - marks[0.1])

            t = time.time()
            sh(["psql", url[dbs[1]], "-v", "ON_ERROR_STOP=1", "-qc",
                f"\\copy files ({COLUMNS}) FROM '{csv}' WITH (FORMAT csv)"])
            copy_s = time.time() - t
            assert count_rows(url[dbs[1]]) == args.events
            print(f"\n1. metadata ingest of {args.events} file.uploaded events")
            print(f"   arca worker: {ingest_s:.1f} s from start, {args.events / ingest_s:.0f} rows/s "
                  f"(steady 10%..90%: {steady:.0f} rows/s)")
            print(f"   COPY of the same rows: {copy_s:.1f} s, {args.events / copy_s:.0f} rows/s")
            print(f"   ratio {copy_s / ingest_s:.2f} (steady {steady / (args.events / copy_s):.2f}) (target >= 0.3)")

            # --- 2. end-to-end -------------------------------------------------------
            e2e_dir = os.path.join(tmp, "e2e")
            env2 = dict(env, ARCA_DATABASE_URL=url[dbs[2]], ARCA_DATA_DIR=e2e_dir, ARCA_TOPIC_UPLOADED=f"bench-e2e-{tag}")
            sh([args.bin, "user", "add", "bench", "--password-stdin"], input="bench-password\n", env=env2)
            srv = subprocess.Popen([args.bin, "serve", "--listen", "127.0.0.1:0"], env=env2, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
            procs.append(srv)
            port = int(re.search(r":(\d+)\s*$", srv.stdout.readline()).group(1))
            procs.append(subprocess.Popen([args.bin, "worker"], env=env2, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/auth/login", json.dumps({"username": "bench", "password": "bench-password"}))
            token = json.loads(conn.getresponse().read())["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            upload_ms, visible_ms = [], []
            for i in range(args.uploads + 20):  # the first 20 warm up (group join, connections)
                t0 = time.perf_counter()
                conn.request("POST", "/api/files", body=f"small file {i}\n".encode(),
                             headers={**auth, "X-File-Name": f"e2e-{i}.txt"})
                r = conn.getresponse()
                body = r.read()
                t1 = time.perf_counter()
                if r.status != 202:
                    raise SystemExit(f"upload {i}: {r.status} {body[:200]!r}")
                fid = json.loads(body)["id"]
                while True:
                    conn.request("GET", f"/api/files/{fid}", headers=auth)
                    g = conn.getresponse()
                    g.read()
                    if g.status == 200:
                        break
                    time.sleep(0.001)
                t2 = time.perf_counter()
                if i >= 20:
                    upload_ms.append((t1 - t0) * 1000)
                    visible_ms.append((t2 - t1) * 1000)
            conn.request("GET", "/metrics")
            metrics = conn.getresponse().read().decode()
            total = float(re.search(r"^arca_broker_publish_seconds_sum ([\d.e+-]+)$", metrics, re.M).group(1))
            count = float(re.search(r"^arca_broker_publish_seconds_count ([\d.e+-]+)$", metrics, re.M).group(1))
            buckets = [(float(le), float(v)) for le, v in
                       re.findall(r'^arca_broker_publish_seconds_bucket\{le="([\d.e+-]+)"\} ([\d.e+-]+)$', metrics, re.M)]

            def bucket_pct(p):
                for le, v in buckets:
                    if v >= p / 100 * count:
                        return le * 1000
                return float("inf")
            print(f"\n2. {args.uploads} small uploads, one at a time: from the 202 to the row readable by GET")
            print(f"   202 -> row   p50 {pct(visible_ms, 50):.1f} ms  p99 {pct(visible_ms, 99):.1f} ms "
                  f"(targets 50 / 250)")
            print(f"   upload (S3 put + delivery wait) p50 {pct(upload_ms, 50):.1f} ms  p99 {pct(upload_ms, 99):.1f} ms")
            print(f"   producer delivery wait (server histogram) mean {total / count * 1000:.2f} ms, "
                  f"p50 <= {bucket_pct(50):g} ms, p99 <= {bucket_pct(99):g} ms")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        for d in dbs:
            psql(base, f"DROP DATABASE IF EXISTS {d} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
