#!/usr/bin/env python3
"""PostgreSQL listing benchmark (issue: search that stays fast at millions of files).

Loads 1,000,000 file records over 1,000 owners into a fresh database on the
server named by ARCA_DATABASE_URL (default: `scripts/services up`), starts
`arca serve` on it, and prints, in one run:
  1. p50/p99 of GET /api/files?owner=me&type=pdf&uploaded_after=… through
     Arca vs the same SQL as a prepared statement through psql (ratio);
  2. keyset page 1 vs page 200 (ratio, target ~1.0), next to OFFSET;
  3. GET /api/files/{id} requests/s under wrk vs pgbench's prepared
     primary-key lookup at the same concurrency (ratio, target >= 0.3).

  python3 bench/pg_list.py [--rows 1000000] [--bin build/arca] [--runs 1]

--runs N repeats measures 1 and 3 N times on the same data and prints their
medians too (the machine is shared and noisy: report the spread, not one
figure). The database is vacuumed and both sides warmed up before measuring.
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
import time
import urllib.parse

from bench_common import ROOT, pct, psql, sh


def load(url, rows):
    t = time.time()
    psql(url, """
INSERT INTO users (id, username, password_hash, is_admin, created_at)
SELECT gen_random_uuid(), 'owner' || g, 'x', false, now() FROM generate_series(1, 999) g;""")
    psql(url, f"""
WITH o AS (SELECT array_agg(id ORDER BY username) AS ids FROM users)
INSERT INTO files (id, name, extension, folder, project, owner_id, size, content_type, declared_content_type,
                   sha256, description, tags, status, state, bucket, object_key, created_at, updated_at)
SELECT id, initcap(w) || ' ' || g || '.' || ext, ext, 'folder' || (g % 20), 'project' || (g % 10),
       o.ids[1 + (g % 1000)], (g::bigint * 7919) % 50000000,
       CASE ext WHEN 'pdf' THEN 'application/pdf' WHEN 'png' THEN 'image/png' WHEN 'jpg' THEN 'image/jpeg'
                WHEN 'txt' THEN 'text/plain' WHEN 'csv' THEN 'text/csv' ELSE 'application/octet-stream' END,
       'application/octet-stream', repeat('a', 64), w || ' do trimestre ' || (g % 4 + 1), ARRAY['t' || (g % 30)],
       (ARRAY['pending','approved','rejected'])[1 + g % 3], 'ready', 'bench', 'files/' || id,
       now() - (g % 525600) * interval '1 minute', now()
FROM o, generate_series(1, {rows}) g,
     LATERAL (SELECT gen_random_uuid() AS id,
                     (ARRAY['pdf','png','jpg','docx','txt','csv','zip','mp4'])[1 + (g * 7) % 8] AS ext,
                     (ARRAY['relatório','contrato','nota fiscal','fotografia','planilha','apresentação','ata','recibo'])[1 + (g * 13) % 8] AS w) x;""")
    psql(url, "ANALYZE")
    return time.time() - t


def wrk_latency_ms(out, label):
    m = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def http_get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"GET {path}: {r.status} {body[:200]!r}")
    return json.loads(body)


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def psql_times(url, setup, stmt, n):
    script = "\\timing on\n" + setup + "\n" + (stmt + "\n") * n
    out = sh(["psql", url, "-qAt", "-o", "/dev/null"], input=script)
    times = [float(x) for x in re.findall(r"Time: ([\d.]+) ms", out)]
    return times[-n:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "arca"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()

    base = os.environ.get("ARCA_DATABASE_URL")
    if not base:
        out = sh([os.path.join(ROOT, "scripts", "services"), "up"])
        base = re.search(r"ARCA_DATABASE_URL=(\S+)", out).group(1)
    name = f"bench_{os.getpid()}"
    psql(base, f"CREATE DATABASE {name}")
    url = base.rsplit("/", 1)[0] + "/" + name
    env = dict(os.environ, ARCA_DATABASE_URL=url, ARCA_LOG_LEVEL="warn")
    srv = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sh([args.bin, "user", "add", "bench", "--password-stdin", "--data-dir", tmp], input="bench-password\n", env=env)
            secs = load(url, args.rows)
            me = psql(url, "SELECT id FROM users WHERE username = 'bench'").strip()
            # Give the bench user the files of ten more owners (~11,000 files): a heavy
            # user, and enough for a page 200 of 50 to exist (measure 2).
            psql(url, f"UPDATE files SET owner_id = '{me}' WHERE owner_id IN "
                      "(SELECT id FROM users WHERE username IN ('owner1', 'owner2', 'owner3', 'owner4', 'owner5', "
                      "'owner6', 'owner7', 'owner8', 'owner9', 'owner10'))")
            # Settle the database before measuring: otherwise autovacuum of
            # the fresh million rows (and of the rows just updated) runs
            # during the first measure and only the side measured then pays.
            psql(url, "VACUUM (ANALYZE)")
            psql(url, "CHECKPOINT")
            count = int(psql(url, "SELECT count(*) FROM files"))
            mine = int(psql(url, f"SELECT count(*) FROM files WHERE owner_id = '{me}'"))
            print(f"loaded {count} files over 1000 owners in {secs:.0f} s; the bench user owns {mine}")

            srv = subprocess.Popen([args.bin, "serve", "--data-dir", tmp, "--listen", "127.0.0.1:0"],
                                   stdout=subprocess.PIPE, env=env, text=True)
            port = int(re.search(r":(\d+)\s*$", srv.stdout.readline()).group(1))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/auth/login", json.dumps({"username": "bench", "password": "bench-password"}))
            token = json.loads(conn.getresponse().read())["access_token"]

            # 1. Arca vs the same SQL (what PgMetadataStore::ListSql builds for this shape).
            after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30 * 86400))
            path = "/api/files?" + urllib.parse.urlencode({"owner": "me", "type": "pdf", "uploaded_after": after})
            # Warm both sides up once (caches, connections, prepared statements):
            # otherwise the first run's Arca figure pays for what psql then reuses.
            sh(["wrk", "-t1", "-c1", "-d2s", "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"])
            list_ratios, byid_ratios = [], []
            for run in range(args.runs):
                # One connection, one request at a time, from a C client (wrk), as psql is on the SQL side.
                wrk1 = sh(["wrk", "-t1", "-c1", f"-d{args.seconds}s", "--latency", "-H",
                           f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"])
                arca_p50, arca_p99 = (wrk_latency_ms(wrk1, "50%"), wrk_latency_ms(wrk1, "99%"))
                after_us = int(time.time() - 30 * 86400) * 1000000
                cols = ("f.id::text, f.name, f.folder, f.project, f.owner_id::text, u.username, f.size, f.content_type, "
                        "f.declared_content_type, f.sha256, f.description, array_to_json(f.tags)::text, f.status, f.state, "
                        "f.bucket, f.object_key, (extract(epoch from f.created_at) * 1000000)::bigint, "
                        "(extract(epoch from f.updated_at) * 1000000)::bigint")
                setup = (f"PREPARE q(uuid, uuid, text, text, bigint, bigint) AS SELECT {cols} FROM files f JOIN users u ON "
                         "u.id = f.owner_id WHERE f.state <> 'deleting' AND f.owner_id = $1 AND f.owner_id = $2 AND "
                         "(f.extension = $3 OR f.content_type = $4) AND f.created_at >= ('epoch'::timestamptz + "
                         "$5::bigint * interval '1 microsecond') ORDER BY f.created_at DESC, f.id DESC LIMIT $6;")
                stmt = f"EXECUTE q('{me}', '{me}', 'pdf', 'application/pdf', {after_us}, 51);"
                sql_ms = psql_times(url, setup, stmt, 300)
                print(f"\n1. only PDFs I uploaded in the last 30 days (limit 50), run {run + 1}/{args.runs}")
                n = len(http_get(conn, path, token)["items"])
                print(f"   ({n} files on the page)")
                print(f"   arca (wrk, 1 connection)  p50 {arca_p50:.2f} ms  p99 {arca_p99:.2f} ms")
                print(f"   psql (prepared)           p50 {pct(sql_ms, 50):.2f} ms  p99 {pct(sql_ms, 99):.2f} ms")
                print(f"   ratio arca/psql  p50 {arca_p50 / pct(sql_ms, 50):.2f}  "
                      f"p99 {arca_p99 / pct(sql_ms, 99):.2f}  (target <= 2)")
                list_ratios.append((arca_p50 / pct(sql_ms, 50), arca_p99 / pct(sql_ms, 99)))
            if args.runs > 1:
                print(f"   median of {args.runs} runs: p50 {statistics.median(r[0] for r in list_ratios):.2f}  "
                      f"p99 {statistics.median(r[1] for r in list_ratios):.2f}")

            # 2. Keyset page 1 vs page 200 (all files, newest first, 50 a page), and OFFSET.
            cursor, pages = None, {}
            for page in range(1, 201):
                p = "/api/files?owner=me&limit=50" + (f"&cursor={cursor}" if cursor else "")
                pages[page] = p
                cursor = http_get(conn, p, token)["next_cursor"]
                if cursor is None and page < 200:
                    raise SystemExit(f"only {page} pages of the bench user's files: page 200 would not exist")
            # Interleaved, so neither page gets the warmer caches or the quieter second.
            p1, p200 = [], []
            for _ in range(300):
                p1 += timed(lambda: http_get(conn, pages[1], token), 1)
                p200 += timed(lambda: http_get(conn, pages[200], token), 1)
            off_setup = (f"PREPARE o(bigint) AS SELECT f.id FROM files f WHERE f.state <> 'deleting' "
                         f"AND f.owner_id = '{me}' ORDER BY f.created_at DESC, f.id DESC OFFSET $1 LIMIT 51;")
            o1 = psql_times(url, off_setup, "EXECUTE o(0);", 100)
            o200 = psql_times(url, off_setup, "EXECUTE o(9950);", 100)
            print("\n2. listing my files (owner=me), 50 a page")
            print(f"   keyset page 1 p50 {pct(p1, 50):.2f} ms, page 200 p50 {pct(p200, 50):.2f} ms, "
                  f"ratio {pct(p200, 50) / pct(p1, 50):.2f} (target ~1.0)")
            print(f"   OFFSET (ids only, psql) page 1 p50 {pct(o1, 50):.2f} ms, page 200 p50 {pct(o200, 50):.2f} ms, "
                  f"ratio {pct(o200, 50) / pct(o1, 50):.2f}")

            ids = psql(url, f"SELECT id FROM files WHERE owner_id = '{me}'").split()
            ids_script = os.path.join(tmp, "ids.lua")
            with open(ids_script, "w") as f:
                f.write("ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
                        "n = 0\n"
                        # Each wrk thread starts at another place, so they do not ask for
                        # the same file at the same moment.
                        "counter = 0\n"
                        "setup = function(thread) thread:set('n', counter); counter = counter + 5003 end\n"
                        "request = function()\n"
                        "  n = n + 1\n"
                        "  return wrk.format(nil, '/api/files/' .. ids[(n % #ids) + 1])\n"
                        "end\n")
            cold_ratios = []
            for run in range(args.runs):
                # 3. GET /api/files/{id} under wrk vs pgbench's prepared PK lookup, same concurrency.
                fid = psql(url, f"SELECT id FROM files WHERE owner_id = '{me}' LIMIT 1").strip()
                wrk = sh(["wrk", "-t2", "-c8", f"-d{args.seconds}s", "-H", f"Authorization: Bearer {token}",
                          f"http://127.0.0.1:{port}/api/files/{fid}"])
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
                non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
                # The same, each request for another of the bench user's files, in turn:
                # more files than Arca's row cache keeps, so nearly every lookup goes to
                # the database (the figure above is mostly served from the cache).
                cold = sh(["wrk", "-t2", "-c8", f"-d{args.seconds}s", "-s", ids_script, "-H",
                           f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}/"])
                cold_rps = float(re.search(r"Requests/sec:\s+([\d.]+)", cold).group(1))
                cold_non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", cold)
                with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
                    f.write(f"SELECT {cols} FROM files f JOIN users u ON u.id = f.owner_id WHERE f.id = '{fid}';\n")
                    script = f.name
                pgb = sh(["pgbench", "-n", "-M", "prepared", "-c8", "-j2", f"-T{args.seconds}", "-f", script, url])
                tps = float(re.search(r"tps = ([\d.]+)", pgb).group(1))
                print(f"\n3. one file by id, 8 connections, run {run + 1}/{args.runs}")
                print(f"   arca (wrk) {rps:.0f} req/s{' (errors: ' + non2xx.group(1) + ')' if non2xx else ''}")
                print(f"   pgbench prepared PK lookup {tps:.0f} tps")
                print(f"   ratio {rps / tps:.2f} (target >= 0.3)")
                print(f"   arca, a different file each request (cold): {cold_rps:.0f} req/s"
                      f"{' (errors: ' + cold_non2xx.group(1) + ')' if cold_non2xx else ''}, ratio {cold_rps / tps:.2f}")
                byid_ratios.append(rps / tps)
                cold_ratios.append(cold_rps / tps)
            if args.runs > 1:
                print(f"   median of {args.runs} runs: {statistics.median(byid_ratios):.2f}, "
                      f"cold {statistics.median(cold_ratios):.2f} (pgbench, the reference, is the noisy side)")
    finally:
        if srv:
            srv.terminate()
            srv.wait(timeout=30)
        psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
