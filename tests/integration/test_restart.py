"""Crashes and restarts: accepted uploads are never lost, nor recorded twice."""

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import time

import pytest

from arca_harness import assert_problem

N = 20
MiB = 1024 * 1024


def metric(text: str, name: str) -> float | None:
    m = re.search(rf"^{re.escape(name)} ([0-9.eE+-]+)$", text, re.M)
    return float(m.group(1)) if m else None


@pytest.mark.timeout(90)
def test_queued_uploads_survive_kill_9_and_land_exactly_once(arca):
    env_off = arca.base_env(ARCA_SERVE_WORKERS="false")
    dep = arca.deployment("queued", users=(("alice", False),), env=env_off)
    server = dep.server

    sent = {}
    for i in range(N):
        data = (f"file number {i}\n" * (i * 37 + 1)).encode()
        r = dep.upload_raw("alice", f"queued {i:02d}.txt", data, tags=f"batch,n{i}")
        assert r.status == 202, r
        sent[r.json()["id"]] = (f"queued {i:02d}.txt", len(data), hashlib.sha256(data).hexdigest())
    assert len(sent) == N

    # Without workers the events wait in the queue: no rows yet.
    time.sleep(0.5)
    assert dep.list_all("alice") == []
    some_id = next(iter(sent))
    assert_problem(dep.call("GET", f"/api/files/{some_id}", "alice"), 404, "file_not_found")
    depth = metric(server.request("GET", "/metrics").body.decode(), "arca_queue_depth")
    assert depth is not None and depth >= N, f"queue depth {depth} with {N} uploads waiting"

    server.kill()  # kill -9: no clean shutdown
    assert not server.running()

    server.start(env=arca.base_env())  # workers on
    deadline = time.monotonic() + 15
    items = []
    while time.monotonic() < deadline:
        items = dep.list_all("alice")
        if len(items) >= N:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # room for any duplicate to show up
    items = dep.list_all("alice")
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a file was recorded twice"
    assert set(ids) == set(sent), f"missing after restart: {set(sent) - set(ids)}; unexpected: {set(ids) - set(sent)}"
    for item in items:
        name, size, digest = sent[item["id"]]
        assert item["name"] == name
        assert item["size"] == size
        assert item["sha256"] == digest
        assert item["state"] == "ready"
    names = [i["name"] for i in items]
    assert len(names) == len(set(names))
    # The queue drains.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        depth = metric(server.request("GET", "/metrics").body.decode(), "arca_queue_depth")
        if depth == 0:
            break
        time.sleep(0.2)
    assert depth == 0, f"queue depth still {depth} after the rows landed"


@pytest.mark.timeout(60)
def test_restart_keeps_files_and_tokens_with_a_generated_secret(arca):
    """Without ARCA_JWT_SECRET the secret lives in the data dir: tokens outlive a restart."""
    env = {}  # no ARCA_JWT_SECRET
    dep = arca.deployment("persist", users=(("alice", False),), env=env)
    rec = dep.upload("alice", "persistent.txt", b"still here after restart")
    token = dep.token("alice")
    secret_file = dep.server.data_dir / "jwt-secret"
    if secret_file.exists():  # the generated secret is for the owner's eyes only
        assert secret_file.stat().st_mode & 0o077 == 0, oct(secret_file.stat().st_mode)
    dep.server.restart()
    r = dep.server.request("GET", f"/api/files/{rec['id']}", token=token)
    assert r.status == 200, r
    assert r.json()["sha256"] == rec["sha256"]
    url = dep.call("GET", f"/api/files/{rec['id']}/download", "alice").json()["url"]
    from arca_harness import fetch_url
    assert fetch_url(url).body == b"still here after restart"


def start_upload(server, token, name, total, first):
    """Opens a raw upload of `total` bytes and sends the first `first` bytes of it."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = (f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {token}\r\nX-File-Name: {name}\r\n"
            f"Content-Length: {total}\r\n\r\n").encode()
    sock.sendall(head + b"h" * first)
    return sock


@pytest.mark.timeout(60)
def test_kill_9_during_upload_leaves_no_file_and_stale_staging_is_swept(arca):
    dep = arca.deployment("crashy", users=(("alice", False),))
    server = dep.server
    sock = start_upload(server, dep.token("alice"), "half.bin", 8 * MiB, 2 * MiB)
    time.sleep(0.3)
    server.kill()
    sock.close()
    server.start()
    # The half upload never becomes a file.
    assert server.object_files() == []
    assert dep.list_all("alice") == []
    # Its staging file is swept once it is old (a live upload's is not).
    for p in server.staging_files():
        old = time.time() - 3600
        os.utime(p, (old, old))
    server.restart()
    assert server.staging_files() == [], "stale staging files of a crashed upload survived a restart"
    assert server.object_files() == []


@pytest.mark.timeout(60)
def test_admin_command_beside_a_live_upload_does_not_break_it(arca):
    """`arca user add` opens the same data dir while an upload is half-way through."""
    dep = arca.deployment("beside", users=(("alice", False),))
    server = dep.server
    total, first = 4 * MiB, 1 * MiB
    sock = start_upload(server, dep.token("alice"), "live.bin", total, first)
    try:
        time.sleep(0.3)
        arca.add_user(server.data_dir, "newcomer", "newcomer-pass-0123")
        sock.sendall(b"h" * (total - first))
        resp = http.client.HTTPResponse(sock, method="POST")
        resp.begin()
        body = resp.read()
    finally:
        sock.close()
    assert resp.status == 202, body
    rec = dep.wait_for_file("alice", json.loads(body)["id"])
    assert rec["size"] == total
    assert rec["sha256"] == hashlib.sha256(b"h" * total).hexdigest()


@pytest.mark.timeout(60)
def test_graceful_stop_lets_an_in_flight_upload_finish(arca):
    """SIGTERM during an upload: the upload completes, then the server exits; the file is there after restart."""
    dep = arca.deployment("graceful", users=(("alice", False),))
    server = dep.server
    total, first = 3 * MiB, 1 * MiB
    sock = start_upload(server, dep.token("alice"), "in-flight.bin", total, first)
    try:
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.running(), "the server quit with an upload in flight"
        sock.sendall(b"h" * (total - first))
        resp = http.client.HTTPResponse(sock, method="POST")
        resp.begin()
        body = resp.read()
    finally:
        sock.close()
    assert resp.status == 202, body
    server.proc.wait(15)
    assert server.proc.returncode == 0, f"exit code {server.proc.returncode} after SIGTERM"
    server.start()
    rec = dep.wait_for_file("alice", json.loads(body)["id"])
    assert rec["size"] == total
    assert rec["sha256"] == hashlib.sha256(b"h" * total).hexdigest()


@pytest.mark.timeout(60)
def test_sigterm_on_an_idle_server_exits_cleanly_and_quickly(arca):
    dep = arca.deployment("idle", users=(("alice", False),))
    started = time.monotonic()
    dep.server.proc.send_signal(signal.SIGTERM)
    dep.server.proc.wait(10)
    assert dep.server.proc.returncode == 0
    assert time.monotonic() - started < 5
