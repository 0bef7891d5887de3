#!/usr/bin/env python3
"""Reconcile benchmark (issue: the mirror promise).

N objects in a versitygw bucket against N rows in PostgreSQL, with planted
differences (40 % orphan objects, 40 % rows whose object is gone, 20 % size
mismatches). Prints, in one run: the wall time and peak RSS of
`arca reconcile --json --grace 0s`, whether it found exactly the planted
differences, and the time of a plain ListObjectsV2 walk of the same bucket
over one keep-alive connection (ratio, target <= 1.5).

The objects are written straight into versitygw's posix directory (the
bucket is a directory, an object a file): filling a bucket through the API
would take longer than the measurement. Listing goes through the S3 API.

With `--layout named` the keys are those of ARCA_KEY_LAYOUT=named,
users/bench/<folder>/<name>, 1,000 files a folder; the default is the opaque
layout's one flat files/ prefix.

  python3 bench/reconcile.py [--objects 1000000] [--differences 1000] [--layout opaque|named] [--bin build/arca]
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

from bench_common import ROOT, psql, services_env, sh


def object_id(i):
    return f"00000000-0000-7000-8000-{i:012d}"


def signed_get(conn, host, bucket, query, access, secret, region="us-east-1"):
    """One SigV4-signed GET (what a plain S3 client does), on a kept-alive connection."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    q = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                 for k, v in sorted(query.items()))
    payload = hashlib.sha256(b"").hexdigest()
    headers = f"host:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amz_date}\n"
    signed = "host;x-amz-content-sha256;x-amz-date"
    canonical = f"GET\n/{bucket}\n{q}\n{headers}\n{signed}\n{payload}"
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    conn.request("GET", f"/{bucket}?{q}", headers={
        "x-amz-date": amz_date, "x-amz-content-sha256": payload,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed}, Signature={sig}"})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"ListObjectsV2: {r.status} {body[:300]!r}")
    return body.decode()


def object_key(layout, i):
    if layout == "named":
        return f"users/bench/f{i // 1000:04d}/{object_id(i)}"
    return f"files/{object_id(i)}"


def walk(endpoint, bucket, access, secret, prefix):
    u = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    n, token = 0, None
    while True:
        q = {"list-type": "2", "prefix": prefix, "max-keys": "1000"}
        if token:
            q["continuation-token"] = token
        text = signed_get(conn, u.netloc, bucket, q, access, secret)
        n += text.count("<Key>")
        m = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", text)
        if "<IsTruncated>true</IsTruncated>" not in text or not m:
            return n
        token = m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1_000_000)
    ap.add_argument("--differences", type=int, default=1000)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "arca"))
    ap.add_argument("--layout", choices=("opaque", "named"), default="opaque")
    args = ap.parse_args()
    n, d = args.objects, args.differences
    orphans, missing, mismatched = d * 4 // 10, d * 4 // 10, d - 2 * (d * 4 // 10)

    if not os.environ.get("ARCA_STORAGE_URL", "").startswith("s3://"):
        os.environ.update(services_env())
    state = os.environ.get("ARCA_SERVICES_DIR", "/tmp/arca-services")
    base = os.environ["ARCA_DATABASE_URL"]
    tag = str(os.getpid())
    db, bucket = f"bench_rc_{tag}", f"bench-rc-{tag}"
    psql(base, f"CREATE DATABASE {db}")
    url = base.rsplit("/", 1)[0] + "/" + db
    storage = f"s3://{bucket}?" + os.environ["ARCA_STORAGE_URL"].split("?", 1)[1]
    env = dict(os.environ, ARCA_DATABASE_URL=url, ARCA_STORAGE_URL=storage, ARCA_DATA_DIR=f"/tmp/{db}",
               ARCA_JWT_SECRET="bench-secret-0123456789abcdef0123456789", ARCA_LOG_LEVEL="warn",
               ARCA_KEY_LAYOUT=args.layout)
    prefix = "users/" if args.layout == "named" else "files/"
    bucket_dir = os.path.join(state, "s3", "data", bucket)
    try:
        sh([args.bin, "user", "add", "bench", "--password-stdin"], input="bench-password\n", env=env)  # migrates, makes the bucket
        owner = psql(url, "SELECT id FROM users WHERE username = 'bench'").strip()
        t = time.time()
        # Objects 0..n-1, minus the first `missing` (rows without objects); then `orphans` objects with no rows.
        body = b"0123456789abcdef"
        made = None
        for i in list(range(missing, n)) + list(range(n, n + orphans)):
            path = os.path.join(bucket_dir, object_key(args.layout, i))
            if os.path.dirname(path) != made:
                made = os.path.dirname(path)
                os.makedirs(made, exist_ok=True)
            with open(path, "wb") as f:
                f.write(body)
        # Rows 0..n-1; the last `mismatched` ones say 17 bytes instead of 16.
        psql(url, f"""
INSERT INTO files (id, name, extension, folder, project, owner_id, size, content_type, declared_content_type,
                   sha256, description, tags, status, state, bucket, object_key, created_at, updated_at)
SELECT id::uuid, 'file ' || g || '.txt', 'txt', '', '', '{owner}', CASE WHEN g >= {n - mismatched} THEN 17 ELSE 16 END,
       'text/plain', 'text/plain', repeat('a', 64), '', '{{}}', 'pending', 'ready', '{bucket}',
       CASE WHEN '{args.layout}' = 'named' THEN 'users/bench/f' || lpad((g / 1000)::text, 4, '0') || '/' || id
            ELSE 'files/' || id END,
       now() - interval '1 day', now() - interval '1 day'
FROM generate_series(0, {n - 1}) g,
     LATERAL (SELECT '00000000-0000-7000-8000-' || lpad(g::text, 12, '0') AS id) x;""")
        psql(url, "ANALYZE files")
        print(f"planted {n} rows and {n - missing + orphans} objects in {time.time() - t:.0f} s: "
              f"{orphans} orphans, {missing} missing, {mismatched} size mismatches")

        t = time.time()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", args.bin, "reconcile", "--json", "--grace", "0s"], env=env,
                           capture_output=True, text=True)
        arca_s = time.time() - t
        if r.returncode not in (0, 1):
            raise SystemExit(f"arca reconcile failed: {r.stderr[-2000:]}")
        peak_kib = int(r.stderr.strip().splitlines()[-1])
        found = json.loads(r.stdout)

        t = time.time()
        listed = walk(re.search(r"endpoint=([^&]+)", storage).group(1), bucket, os.environ["ARCA_S3_ACCESS_KEY"],
                      os.environ["ARCA_S3_SECRET_KEY"], prefix)
        walk_s = time.time() - t

        want = {"orphans": orphans, "missing": missing, "size_mismatches": mismatched, "stuck": 0,
                "abandoned_uploads": 0}
        print(f"\nlayout {args.layout}, {n} rows")
        print(f"arca reconcile: {arca_s:.1f} s, peak RSS {peak_kib / 1024:.1f} MiB (target < 100 MiB, flat)")
        print(f"   scanned {found['scanned']['objects']} objects and {found['scanned']['rows']} rows")
        print(f"   found {found['found']}")
        print(f"   planted {want}: {'every one found, none invented' if found['found'] == want else 'MISMATCH'}")
        print(f"plain ListObjectsV2 walk: {walk_s:.1f} s for {listed} keys")
        print(f"ratio {arca_s / walk_s:.2f} (target <= 1.5)")
    finally:
        psql(base, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        subprocess.run(["rm", "-rf", bucket_dir, f"/tmp/{db}"])


if __name__ == "__main__":
    sys.exit(main())
