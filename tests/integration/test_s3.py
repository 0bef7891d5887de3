"""Arca on a real S3 server (versitygw from scripts/services): uploads stream
into the bucket, downloads are presigned links straight to the store, and
nothing is left behind when an upload fails.

Runs when ARCA_TEST_STORAGE_URL names an S3 server (scripts/test sets it).
Each test gets a bucket of its own; Arca creates it at start-up.
"""

import hashlib
import os
import re
import socket
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from arca_harness import fetch_url, run_cli, s3_keys, s3_request, send_streaming

STORAGE = os.environ.get("ARCA_TEST_STORAGE_URL", "")
ACCESS = os.environ.get("ARCA_TEST_S3_ACCESS_KEY", "")
SECRET = os.environ.get("ARCA_TEST_S3_SECRET_KEY", "")
MiB = 1024 * 1024

pytestmark = pytest.mark.skipif(not STORAGE, reason="ARCA_TEST_STORAGE_URL is not set")


def endpoint():
    return urllib.parse.parse_qs(STORAGE.split("?", 1)[1])["endpoint"][0]


def s3(method, path, *extra):
    return s3_request(method, path, *extra)


def keys_in(bucket):
    return s3_keys(bucket)


def open_multipart_uploads(bucket):
    status, _, body = s3("GET", f"/{bucket}?uploads=")
    assert status == 200, body
    return body.decode().count("<Upload>")


@pytest.fixture
def on_s3(arca):
    bucket = "it-" + uuid.uuid4().hex[:12]
    url = f"s3://{bucket}?" + STORAGE.split("?", 1)[1]
    env = arca.base_env(ARCA_STORAGE_URL=url, ARCA_S3_ACCESS_KEY=ACCESS, ARCA_S3_SECRET_KEY=SECRET,
                        ARCA_PRESIGN_TTL="2s")
    dep = arca.deployment("s3", users=(("alice", False), ("bob", False)), env=env)
    dep.bucket = bucket
    return dep


def test_bucket_is_created_at_start_and_readyz_reports_the_store(on_s3):
    assert s3("HEAD", f"/{on_s3.bucket}")[0] == 200
    r = on_s3.server.request("GET", "/readyz")
    assert r.status == 200 and r.json()["checks"]["storage"] == "ok", r


def test_upload_lands_in_the_bucket_with_its_own_facts_as_metadata(on_s3):
    body = os.urandom(20 * MiB + 7)  # known size: one streamed PutObject on this store
    r = on_s3.upload_raw("alice", "relatório final.bin", body)
    assert r.status == 202, r
    rec = on_s3.wait_for_file("alice", r.json()["id"])
    assert rec["sha256"] == hashlib.sha256(body).hexdigest() and rec["size"] == len(body)
    keys = keys_in(on_s3.bucket)
    assert len(keys) == 1 and rec["id"] in keys[0] and "relat" not in keys[0]  # key from the id, never the name
    status, head, _ = s3("HEAD", f"/{on_s3.bucket}/{keys[0]}")
    assert status == 200
    meta = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in head.splitlines()[1:] if ":" in l)}
    assert meta["content-length"] == str(len(body))
    # One PutObject, not multipart (whose ETag ends in "-<parts>"): the
    # start-up probe found that this store takes the streamed PUT.
    assert "-" not in meta["etag"], meta["etag"]
    assert "refused a streamed upload" not in on_s3.server.stderr_text()
    assert meta["x-amz-meta-arca-id"] == rec["id"]
    assert meta["x-amz-meta-arca-owner"] == rec["owner"]["id"]
    assert urllib.parse.unquote(meta["x-amz-meta-arca-name"]) == "relatório final.bin"
    assert open_multipart_uploads(on_s3.bucket) == 0


def test_download_is_a_presigned_link_straight_to_the_store(on_s3):
    pdf = b"%PDF-1.4\n" + os.urandom(3000)
    r = on_s3.upload_raw("alice", "relatório final.pdf", pdf)
    fid = r.json()["id"]
    on_s3.wait_for_file("alice", fid)
    link = on_s3.call("GET", f"/api/files/{fid}/download", "alice")
    assert link.status == 200, link
    url = link.json()["url"]
    assert url.startswith(endpoint() + "/"), url  # the store, not Arca
    assert "X-Amz-Signature=" in url
    got = fetch_url(url)
    assert got.status == 200, got
    assert got.body == pdf
    assert "filename*=UTF-8''relat%C3%B3rio%20final.pdf" in got.header("Content-Disposition")
    assert got.header("Content-Disposition").startswith("attachment")
    assert got.header("Content-Type") == "application/pdf"
    ranged = fetch_url(url, headers={"Range": "bytes=0-8"})
    assert ranged.status == 206 and ranged.body == pdf[:9]


def test_expired_link_is_refused_by_the_store(on_s3):
    r = on_s3.upload_raw("alice", "short-lived.txt", b"soon gone")
    fid = r.json()["id"]
    on_s3.wait_for_file("alice", fid)
    url = on_s3.call("GET", f"/api/files/{fid}/download", "alice").json()["url"]
    assert fetch_url(url).status == 200
    time.sleep(3.5)  # ARCA_PRESIGN_TTL=2s
    assert fetch_url(url).status == 403


def test_tampered_link_is_refused_by_the_store(on_s3):
    r = on_s3.upload_raw("alice", "a.txt", b"secret-ish")
    fid = r.json()["id"]
    on_s3.wait_for_file("alice", fid)
    url = on_s3.call("GET", f"/api/files/{fid}/download", "alice").json()["url"]
    forged = url.replace("attachment", "inline")
    assert forged != url
    assert fetch_url(forged).status == 403


def test_upload_cut_off_midway_leaves_nothing_in_the_bucket(on_s3):
    total = 40 * MiB
    head = (f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {on_s3.token('alice')}\r\nX-File-Name: cut.bin\r\n"
            f"Content-Length: {total}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", on_s3.server.port), timeout=30) as sock:
        sock.sendall(head)
        for _ in range(20):  # half of it (two and a half parts), then the client goes away
            sock.sendall(os.urandom(MiB))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (keys_in(on_s3.bucket) or open_multipart_uploads(on_s3.bucket)):
        time.sleep(0.2)
    assert keys_in(on_s3.bucket) == []
    assert open_multipart_uploads(on_s3.bucket) == 0
    assert on_s3.list_all("alice") == []
    assert on_s3.server.request("GET", "/healthz").status == 200


def test_upload_over_the_limit_leaves_nothing_in_the_bucket(arca):
    bucket = "it-" + uuid.uuid4().hex[:12]
    env = arca.base_env(ARCA_STORAGE_URL=f"s3://{bucket}?" + STORAGE.split("?", 1)[1], ARCA_S3_ACCESS_KEY=ACCESS,
                        ARCA_S3_SECRET_KEY=SECRET, ARCA_MAX_UPLOAD="12MiB")
    dep = arca.deployment("s3limit", users=(("alice", False),), env=env)
    r = dep.upload_raw("alice", "big.bin", os.urandom(20 * MiB), chunked=True)
    assert r.status == 413 and r.json()["code"] == "upload_too_large", r
    assert keys_in(bucket) == [] and open_multipart_uploads(bucket) == 0


def test_delete_removes_the_object_from_the_bucket(on_s3):
    r = on_s3.upload_raw("alice", "bye.txt", b"bye")
    fid = r.json()["id"]
    on_s3.wait_for_file("alice", fid)
    assert len(keys_in(on_s3.bucket)) == 1
    assert on_s3.call("DELETE", f"/api/files/{fid}", "alice").status == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and keys_in(on_s3.bucket):
        time.sleep(0.1)
    assert keys_in(on_s3.bucket) == []


@pytest.mark.timeout(300)
@pytest.mark.skipif(os.environ.get("ARCA_SKIP_BIG") == "1", reason="ARCA_SKIP_BIG=1")
def test_one_gib_upload_streams_into_the_bucket(on_s3):
    digest = hashlib.sha256()
    block = os.urandom(MiB)

    def chunks():
        for i in range(1024):
            c = i.to_bytes(8, "big") + block[8:]
            digest.update(c)
            yield c

    head = (f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {on_s3.token('alice')}\r\nX-File-Name: one-gib.bin\r\n"
            f"Content-Length: {1024 * MiB}\r\n\r\n").encode()
    resp, err = send_streaming("127.0.0.1", on_s3.server.port, head, chunks(), timeout=240)
    assert resp is not None and resp.status == 202, (resp, err)
    rec = on_s3.wait_for_file("alice", resp.json()["id"], timeout=60)
    assert rec["size"] == 1024 * MiB and rec["sha256"] == digest.hexdigest()
    key = keys_in(on_s3.bucket)[0]
    status, head_text, _ = s3("HEAD", f"/{on_s3.bucket}/{key}")
    assert status == 200 and f"content-length: {1024 * MiB}" in head_text.lower()


@pytest.fixture
def tls_store(tmp_path):
    """A second versitygw serving HTTPS with a self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    cache = Path(os.environ.get("ARCA_CACHE_DIR") or Path.home() / ".cache" / "arca")
    binary = sorted(cache.glob("versitygw-*/versitygw"))[-1]  # built by scripts/services
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "data").mkdir()
    (tmp_path / "meta").mkdir()
    proc = subprocess.Popen([str(binary), "--access", ACCESS, "--secret", SECRET, "--port", f"127.0.0.1:{port}",
                             "--cert", str(cert), "--key", str(key), "posix", "--sidecar", str(tmp_path / "meta"),
                             str(tmp_path / "data")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port, cert
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3proxy_store(tmp_path):
    """S3Proxy on its file-system backend: an S3 server that refuses a streamed
    PUT with an unsigned trailer (as several gateways do, by their issue trackers)."""
    libs = subprocess.run([str(Path(__file__).resolve().parents[2] / "scripts" / "services"), "s3proxy-libs"],
                          check=True, capture_output=True, text=True, timeout=600).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "blobs").mkdir()
    conf = tmp_path / "s3proxy.conf"
    conf.write_text(f"s3proxy.endpoint=http://127.0.0.1:{port}\ns3proxy.authorization=aws-v2-or-v4\n"
                    f"s3proxy.identity={ACCESS}\ns3proxy.credential={SECRET}\n"
                    f"jclouds.provider=filesystem\njclouds.filesystem.basedir={tmp_path / 'blobs'}\n")
    log = open(tmp_path / "s3proxy.log", "wb")
    proc = subprocess.Popen(["java", "-Xmx256m", "-XX:+UseSerialGC", "-DLOG_LEVEL=warn", "-cp", f"{libs}/*",
                             "org.gaul.s3proxy.Main", "--properties", str(conf)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "LOG_LEVEL": "warn"})
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "s3proxy.log").read_text()
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def test_store_that_refuses_streamed_uploads_gets_them_in_parts(arca, s3proxy_store):
    endpoint = s3proxy_store
    env = arca.base_env(ARCA_STORAGE_URL=f"s3://plain?endpoint={endpoint}&region=us-east-1",
                        ARCA_S3_ACCESS_KEY=ACCESS, ARCA_S3_SECRET_KEY=SECRET)
    dep = arca.deployment("s3proxy", users=(("alice", False),), env=env)
    # Said once at start-up, with the store's own answer.
    assert "the store refused a streamed upload" in dep.server.stderr_text()
    body = os.urandom(20 * MiB + 3)  # a raw upload of known size: three parts
    r = dep.upload_raw("alice", "relatório.bin", body)
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    assert rec["sha256"] == hashlib.sha256(body).hexdigest() and rec["size"] == len(body)
    # The file's object and nothing else: the start-up probe is gone too.
    # (This store also lists its directories, as "files/".)
    keys = [k for k in s3_keys("plain", endpoint=endpoint) if not k.endswith("/")]
    assert len(keys) == 1 and rec["id"] in keys[0], keys
    link = dep.call("GET", f"/api/files/{rec['id']}/download", "alice").json()["url"]
    assert link.startswith(f"{endpoint}/plain/")
    got = fetch_url(link)
    assert got.status == 200 and got.body == body


def test_https_store_with_an_untrusted_certificate_is_refused_at_start(arca, tls_store):
    port, _ = tls_store
    env = arca.base_env(ARCA_STORAGE_URL=f"s3://tls?endpoint=https://127.0.0.1:{port}&region=us-east-1",
                        ARCA_S3_ACCESS_KEY=ACCESS, ARCA_S3_SECRET_KEY=SECRET)
    data_dir = arca.new_data_dir("tls-untrusted")
    r = run_cli(["migrate", "--data-dir", str(data_dir)], env=env, timeout=60)
    assert r.returncode != 0
    assert "certificate" in r.stderr.lower() or "tls" in r.stderr.lower(), r.stderr


def test_https_store_works_when_its_certificate_is_trusted(arca, tls_store):
    port, cert = tls_store
    env = arca.base_env(ARCA_STORAGE_URL=f"s3://tls?endpoint=https://127.0.0.1:{port}&region=us-east-1",
                        ARCA_S3_ACCESS_KEY=ACCESS, ARCA_S3_SECRET_KEY=SECRET, SSL_CERT_FILE=str(cert))
    dep = arca.deployment("tls", users=(("alice", False),), env=env)
    # One streamed PutObject over TLS: each 256 KiB read goes out in one
    # gathered write with the aws-chunked size line in front of it.
    body = os.urandom(9 * MiB)
    r = dep.upload_raw("alice", "over-tls.bin", body)
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    assert rec["sha256"] == hashlib.sha256(body).hexdigest()
    assert "refused a streamed upload" not in dep.server.stderr_text()
    url = dep.call("GET", f"/api/files/{rec['id']}/download", "alice").json()["url"]
    assert url.startswith(f"https://127.0.0.1:{port}/tls/")
