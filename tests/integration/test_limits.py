"""Uploads over the size limit and clients that give up half-way: nothing is left behind."""

import json
import socket
import time
import urllib.parse

import pytest

from arca_harness import assert_problem, multipart_body, send_streaming

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def limited(arca):
    """A server that takes at most 1 MiB per upload."""
    return arca.deployment("limited", users=(("alice", False),), env=arca.base_env(ARCA_MAX_UPLOAD="1MiB"))


@pytest.fixture(scope="module")
def roomy(arca):
    """A server with the default (large) limit, for the disconnect test."""
    return arca.deployment("roomy", users=(("alice", False),))


def chunks_of(total: int, size: int = 64 * 1024, byte: bytes = b"x"):
    block = byte * size
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield block[:n]
        sent += n


def http_chunked(chunks):
    for c in chunks:
        yield f"{len(c):x}\r\n".encode() + c + b"\r\n"
    yield b"0\r\n\r\n"


def assert_nothing_left(dep):
    """No object files, an empty staging dir, and no rows, once the server has had a moment."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if not dep.server.object_files() and not dep.server.staging_files():
            break
        time.sleep(0.1)
    assert dep.server.object_files() == [], "object files left behind"
    assert dep.server.staging_files() == [], "staging (.tmp) files left behind"
    r = dep.list_files("alice")
    assert r.status == 200, r
    assert r.json()["items"] == [], r.json()


def request_head(dep, user, headers: dict) -> bytes:
    lines = ["POST /api/files HTTP/1.1", f"Host: 127.0.0.1:{dep.server.port}",
             f"Authorization: Bearer {dep.token(user)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_one_mib_upload_fits_under_the_one_mib_limit(limited):
    data = b"y" * MiB
    r = limited.upload_raw("alice", "exactly-one-mib.bin", data)
    assert r.status == 202, r
    rec = limited.wait_for_file("alice", r.json()["id"])
    assert rec["size"] == MiB
    remove(limited, rec["id"])  # so the leftovers checks below start from nothing


def remove(dep, file_id):
    assert dep.call("DELETE", f"/api/files/{file_id}", "alice").status == 202
    deadline = time.monotonic() + 10
    while dep.server.object_files() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert dep.server.object_files() == []


def test_raw_upload_over_limit_with_content_length_is_413(limited):
    total = 2 * MiB
    head = request_head(limited, "alice", {"X-File-Name": "too-big.bin", "Content-Type": "application/octet-stream",
                                           "Content-Length": str(total)})
    resp, _ = send_streaming("127.0.0.1", limited.server.port, head, chunks_of(total))
    assert resp is not None, "no answer to an over-limit upload"
    assert_problem(resp, 413, "upload_too_large")
    assert_nothing_left(limited)


def test_raw_chunked_upload_over_limit_is_413(limited):
    total = 2 * MiB
    head = request_head(limited, "alice", {"X-File-Name": "too-big-chunked.bin",
                                           "Content-Type": "application/octet-stream",
                                           "Transfer-Encoding": "chunked"})
    resp, _ = send_streaming("127.0.0.1", limited.server.port, head, http_chunked(chunks_of(total)))
    assert resp is not None, "no answer to an over-limit chunked upload"
    assert_problem(resp, 413, "upload_too_large")
    assert_nothing_left(limited)


def test_multipart_upload_over_limit_is_413(limited):
    body, ctype = multipart_body([("folder", "big")], "file", "too-big-form.bin", b"z" * (2 * MiB + 1024))
    head = request_head(limited, "alice", {"Content-Type": ctype, "Content-Length": str(len(body))})
    resp, _ = send_streaming("127.0.0.1", limited.server.port, head,
                             (body[i:i + 65536] for i in range(0, len(body), 65536)))
    assert resp is not None
    assert_problem(resp, 413, "upload_too_large")
    assert_nothing_left(limited)


def test_chunked_multipart_upload_over_limit_is_413(limited):
    """Without a Content-Length the limit must bite while the file part streams."""
    body, ctype = multipart_body([("folder", "big")], "file", "too-big-form2.bin", b"z" * (1 * MiB + 300 * 1024))
    head = request_head(limited, "alice", {"Content-Type": ctype, "Transfer-Encoding": "chunked"})
    resp, _ = send_streaming("127.0.0.1", limited.server.port, head,
                             http_chunked(body[i:i + 65536] for i in range(0, len(body), 65536)))
    assert resp is not None
    assert_problem(resp, 413, "upload_too_large")
    assert_nothing_left(limited)


def test_server_still_serves_after_rejecting_big_uploads(limited):
    r = limited.upload_raw("alice", "small.txt", b"small is fine")
    assert r.status == 202, r
    rec = limited.wait_for_file("alice", r.json()["id"])
    assert rec["size"] == len(b"small is fine")
    remove(limited, rec["id"])


def test_client_disconnecting_mid_upload_leaves_nothing_behind(roomy):
    port = roomy.server.port
    head = request_head(roomy, "alice", {"X-File-Name": urllib.parse.quote("abandoned upload.bin"),
                                         "Content-Type": "application/octet-stream",
                                         "Content-Length": str(10 * MiB)})
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(head)
    for c in chunks_of(MiB):
        sock.sendall(c)
    time.sleep(0.3)  # let the server write what it has
    sock.close()
    time.sleep(1.0)
    assert_nothing_left(roomy)
    h = roomy.server.request("GET", "/healthz", timeout=5)
    assert h.status == 200, h
    assert roomy.server.running()


def test_client_disconnecting_mid_multipart_leaves_nothing_behind(roomy):
    body, ctype = multipart_body([("folder", "abandoned")], "file", "abandoned form.bin", b"q" * (4 * MiB))
    head = request_head(roomy, "alice", {"Content-Type": ctype, "Content-Length": str(len(body))})
    sock = socket.create_connection(("127.0.0.1", roomy.server.port), timeout=10)
    sock.sendall(head)
    sock.sendall(body[: 2 * MiB])
    time.sleep(0.3)
    sock.close()
    time.sleep(1.0)
    assert_nothing_left(roomy)
    assert roomy.server.request("GET", "/healthz", timeout=5).status == 200


def test_expect_100_continue_over_limit_gets_413_without_sending_the_body(limited):
    head = request_head(limited, "alice", {"X-File-Name": "expect-big.bin", "Content-Length": str(5 * MiB),
                                           "Expect": "100-continue"})
    sock = socket.create_connection(("127.0.0.1", limited.server.port), timeout=10)
    try:
        sock.sendall(head)
        import http.client
        resp = http.client.HTTPResponse(sock, method="POST")
        resp.begin()  # would skip a 100 Continue; a 413 comes straight away
        body = resp.read()
    finally:
        sock.close()
    assert resp.status == 413, body
    assert json.loads(body)["code"] == "upload_too_large"
    assert_nothing_left(limited)


@pytest.mark.timeout(90)
def test_many_slow_uploads_do_not_starve_other_requests(roomy):
    """40 clients on slow links, each half-way through an upload: /healthz and the API still answer."""
    token = roomy.token("alice")
    slow = []
    try:
        for i in range(40):
            s = socket.create_connection(("127.0.0.1", roomy.server.port), timeout=10)
            s.sendall(f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                      f"X-File-Name: slow-{i}.bin\r\nContent-Length: {MiB}\r\n\r\n".encode() + b"s" * 1024)
            slow.append(s)
        time.sleep(0.5)
        started = time.monotonic()
        try:
            health = roomy.server.request("GET", "/healthz", timeout=3)
        except (TimeoutError, OSError) as e:
            health = e
        try:
            listing = roomy.call("GET", "/api/files", "alice", timeout=3)
        except (TimeoutError, OSError) as e:
            listing = e
        assert getattr(health, "status", None) == 200, (
            f"/healthz did not answer within 3 s while 40 uploads were in progress: {health!r}")
        assert getattr(listing, "status", None) == 200, (
            f"GET /api/files did not answer within 3 s while 40 uploads were in progress: {listing!r}")
        assert time.monotonic() - started < 6
    finally:
        for s in slow:
            s.close()
    time.sleep(1.0)
    assert_nothing_left(roomy)
    assert roomy.server.request("GET", "/healthz", timeout=5).status == 200
