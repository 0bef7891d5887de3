"""Uploading: multipart and raw bodies, async (202) and sync (201) modes."""

import json
import re
import time
import urllib.parse

import pytest

from arca_harness import assert_problem, minimal_pdf, sha256_hex, tiny_png

PDF_NAME = "relatório final.pdf"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def sync_dep(arca):
    return arca.deployment("sync", users=(("alice", False),), env=arca.base_env(ARCA_WRITE_MODE="sync"))


def objects_of(server, file_id):
    return [p for p in server.object_files() if file_id in str(p)]


# --- multipart ---------------------------------------------------------------

def test_multipart_upload_is_accepted_with_202_pending_and_location(dep):
    pdf = minimal_pdf("multipart accept")
    r = dep.upload_form("alice", PDF_NAME, pdf, fields=[("folder", "reports/2026")])
    assert r.status == 202, r
    body = r.json()
    assert body["state"] == "pending"
    assert UUID_RE.match(body["id"]), body
    assert r.header("Location") == f"/api/files/{body['id']}"


@pytest.mark.local_store
def test_multipart_upload_record_keeps_name_fields_and_sniffs_pdf(dep):
    pdf = minimal_pdf("multipart record")
    r = dep.upload_form(
        "alice", PDF_NAME, pdf,
        fields=[("folder", "reports/2026"), ("description", "Relatório do trimestre, versão final"),
                ("tags", "finance, q1 ,final"), ("project", "apollo")],
        file_type="application/octet-stream")
    assert r.status == 202, r
    file_id = r.json()["id"]
    rec = dep.wait_for_file("alice", file_id)
    assert rec["id"] == file_id
    assert rec["name"] == PDF_NAME  # accents and the space kept
    assert rec["size"] == len(pdf)
    assert rec["sha256"] == sha256_hex(pdf)
    assert rec["content_type"] == "application/pdf"  # sniffed, although declared octet-stream
    assert rec["declared_content_type"] == "application/octet-stream"
    assert rec["folder"] == "reports/2026"
    assert rec["description"] == "Relatório do trimestre, versão final"
    assert rec["tags"] == ["finance", "q1", "final"]
    assert rec["project"] == "apollo"
    assert rec["owner"]["username"] == "alice"
    assert rec["owner"]["id"] == dep.user_id("alice")
    assert rec["state"] == "ready"
    assert rec["status"] == "pending"
    assert RFC3339_RE.match(rec["created_at"]) and RFC3339_RE.match(rec["updated_at"])
    # The bytes are really stored.
    stored = objects_of(dep.server, file_id)
    assert any(p.read_bytes() == pdf for p in stored), stored


def test_multipart_upload_with_filename_star_parameter(dep):
    data = b"hello from filename*\n"
    boundary = "----arcastar"
    quoted = urllib.parse.quote("olá mundo.txt")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ola mundo.txt\"; "
            f"filename*=UTF-8''{quoted}\r\nContent-Type: text/plain\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    r = dep.call("POST", "/api/files", "alice", body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    assert rec["name"] == "olá mundo.txt"
    assert rec["size"] == len(data)


def test_multipart_field_after_file_part_is_400_field_after_file_and_leaves_nothing(dep):
    before = set(dep.server.object_files())
    r = dep.upload_form("alice", "late-field.pdf", minimal_pdf("late"), fields=[("folder", "x")],
                        fields_after=[("description", "too late")])
    assert_problem(r, 400, "field_after_file")
    time.sleep(0.2)
    assert set(dep.server.object_files()) == before
    assert dep.server.staging_files() == []
    assert not [f for f in dep.list_all("alice") if f["name"] == "late-field.pdf"]


def test_multipart_without_file_part_is_400(dep):
    from arca_harness import multipart_body
    body, ctype = multipart_body([("folder", "x")], "notfile", "a.txt", b"abc")
    r = dep.call("POST", "/api/files", "alice", body=body, headers={"Content-Type": ctype})
    assert_problem(r, 400)


def test_multipart_filename_with_slash_is_400_invalid_name(dep):
    r = dep.upload_form("alice", "../etc/passwd", b"root:x:0:0\n")
    assert_problem(r, 400, "invalid_name")


# --- raw body ------------------------------------------------------------------

def test_raw_upload_with_percent_encoded_utf8_name_and_headers(dep):
    data = b"id,valor\n1,10\n2,20\n"
    name = "orçamento anual – versão 2.csv"
    r = dep.upload_raw("alice", name, data, folder="finanças/2026", tags="orçamento,anual",
                       description="planilha do orçamento", content_type="text/csv")
    assert r.status == 202, r
    assert r.json()["state"] == "pending"
    assert r.header("Location") == f"/api/files/{r.json()['id']}"
    rec = dep.wait_for_file("alice", r.json()["id"])
    assert rec["name"] == name
    assert rec["folder"] == "finanças/2026"
    assert rec["tags"] == ["orçamento", "anual"]
    assert rec["description"] == "planilha do orçamento"
    assert rec["size"] == len(data)
    assert rec["sha256"] == sha256_hex(data)
    assert rec["declared_content_type"] == "text/csv"
    assert rec["content_type"] == "text/csv"
    assert rec["owner"]["username"] == "alice"


def test_raw_upload_sniffs_png_whatever_the_declared_type(dep):
    png = tiny_png()
    rec = dep.upload("alice", "screenshot.bin", png, content_type="application/octet-stream")
    assert rec["content_type"] == "image/png"
    assert rec["sha256"] == sha256_hex(png)


def test_raw_upload_pdf_declared_octet_stream_is_sniffed_as_pdf(dep):
    pdf = minimal_pdf("raw pdf")
    rec = dep.upload("alice", PDF_NAME, pdf, content_type="application/octet-stream")
    assert rec["name"] == PDF_NAME
    assert rec["content_type"] == "application/pdf"
    assert rec["declared_content_type"] == "application/octet-stream"


def test_raw_upload_with_chunked_body(dep):
    parts = [b"first line\n", b"second line\n" * 1000, b"last\n"]
    r = dep.upload_raw("alice", "chunked.txt", iter(parts), chunked=True, content_type="text/plain")
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    data = b"".join(parts)
    assert rec["size"] == len(data) and rec["sha256"] == sha256_hex(data)


def test_empty_file_upload_is_recorded_with_size_zero(dep):
    rec = dep.upload("alice", "empty.txt", b"")
    assert rec["size"] == 0
    assert rec["sha256"] == sha256_hex(b"")


def test_raw_upload_without_x_file_name_is_400(dep):
    r = dep.call("POST", "/api/files", "alice", body=b"nameless", headers={"Content-Type": "text/plain"})
    assert_problem(r, 400, "missing_file_name")


@pytest.mark.parametrize("name", ["a/b.txt", "/etc/passwd", "../up.txt", "..", "."])
def test_raw_upload_name_with_slash_or_dots_is_400_invalid_name(dep, name):
    r = dep.upload_raw("alice", name, b"payload")
    assert_problem(r, 400, "invalid_name")


def test_raw_upload_with_bad_percent_encoding_is_400(dep):
    r = dep.call("POST", "/api/files", "alice", body=b"x", headers={"X-File-Name": "bad%zzname.txt"})
    assert_problem(r, 400)


def test_rejected_uploads_leave_no_objects_behind(dep):
    before = set(dep.server.object_files())
    dep.upload_raw("alice", "a/b.txt", b"payload")
    dep.call("POST", "/api/files", "alice", body=b"nameless")
    time.sleep(0.2)
    assert set(dep.server.object_files()) == before
    assert dep.server.staging_files() == []


# --- sync mode -------------------------------------------------------------------

def test_sync_mode_upload_answers_201_with_the_full_ready_record(sync_dep):
    pdf = minimal_pdf("sync")
    r = sync_dep.upload_form("alice", PDF_NAME, pdf, fields=[("folder", "sync"), ("tags", "a,b")])
    assert r.status == 201, r
    rec = r.json()
    assert rec["state"] == "ready"
    assert rec["name"] == PDF_NAME
    assert rec["size"] == len(pdf)
    assert rec["sha256"] == sha256_hex(pdf)
    assert rec["content_type"] == "application/pdf"
    assert rec["folder"] == "sync"
    assert rec["tags"] == ["a", "b"]
    assert rec["owner"]["username"] == "alice"
    assert r.header("Location") == f"/api/files/{rec['id']}"
    # Readable at once, no waiting.
    g = sync_dep.call("GET", f"/api/files/{rec['id']}", "alice")
    assert g.status == 200 and g.json()["sha256"] == rec["sha256"]


def test_sync_mode_raw_upload_is_201_and_listed_immediately(sync_dep):
    r = sync_dep.upload_raw("alice", "sync raw.txt", b"sync raw body")
    assert r.status == 201, r
    ids = [f["id"] for f in sync_dep.list_all("alice")]
    assert r.json()["id"] in ids


# --- harder cases ------------------------------------------------------------------

def test_concurrent_uploads_all_land_intact(dep):
    import os
    import threading
    blobs = {f"parallel {i:02d}.bin": os.urandom(50_000 + i * 1111) for i in range(16)}
    answers = {}

    def send(name, data):
        answers[name] = dep.upload_raw("alice", name, data, timeout=60)

    threads = [threading.Thread(target=send, args=item) for item in blobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == len(blobs)
    for name, r in answers.items():
        assert r.status == 202, (name, r)
    ids = {r.json()["id"] for r in answers.values()}
    assert len(ids) == len(blobs), "two uploads got the same id"
    for name, r in answers.items():
        rec = dep.wait_for_file("alice", r.json()["id"])
        assert rec["name"] == name
        assert rec["sha256"] == sha256_hex(blobs[name])


def test_multipart_binary_file_with_boundary_lookalikes_is_byte_exact(dep):
    import os
    boundary = "arcaBoundary7MA4YWxkTrZu0gW"
    # Near-misses of the delimiter (CRLF "--" boundary), none of them the real thing.
    nasty = (b"\r\n--" + boundary[:-1].encode() + b"X\r\n" + b"Z--" + boundary.encode() + b"\r\n" +
             b"\r\n\r\n--\r\n" + b"\r" * 100 + b"A\n--" + boundary.encode() + b"\r\r\n-" + boundary.encode() +
             b"\r\n--" + boundary[:10].encode())
    content = os.urandom(300_000) + nasty + os.urandom(700_001) + nasty
    from arca_harness import multipart_body
    body, ctype = multipart_body([("folder", "binary")], "file", "tricky.bin", content, boundary=boundary)
    r = dep.call("POST", "/api/files", "alice", body=body, headers={"Content-Type": ctype})
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    assert rec["size"] == len(content)
    assert rec["sha256"] == sha256_hex(content)


def test_raw_upload_with_expect_100_continue(dep):
    import http.client
    import socket
    data = b"continue please\n" * 5000
    head = (f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1:{dep.server.port}\r\n"
            f"Authorization: Bearer {dep.token('alice')}\r\nX-File-Name: expect.txt\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(data)}\r\nExpect: 100-continue\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", dep.server.port), timeout=10)
    try:
        sock.sendall(head)
        interim = b""
        while b"\r\n\r\n" not in interim:
            chunk = sock.recv(1024)
            assert chunk, "connection closed before 100 Continue"
            interim += chunk
        assert interim.startswith(b"HTTP/1.1 100"), interim
        sock.sendall(data)
        resp = http.client.HTTPResponse(sock, method="POST")
        resp.begin()
        assert resp.status == 202, resp.read()
        file_id = json.loads(resp.read())["id"]
    finally:
        sock.close()
    rec = dep.wait_for_file("alice", file_id)
    assert rec["size"] == len(data) and rec["sha256"] == sha256_hex(data)


def read_response(f):
    """One HTTP/1.1 response with a Content-Length body, from a buffered socket file."""
    status = int(f.readline().split()[1])
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, f.read(length)


def test_large_bodies_and_a_pipelined_request_share_one_connection(dep):
    """Bodies over 64 KiB are read straight from the socket by the handler:
    exactly their length, so the next request on the connection is intact."""
    import socket
    first, second = b"first body\n" * 20000, b"second body\n" * 15000

    def upload(name, data):
        return (f"POST /api/files HTTP/1.1\r\nHost: 127.0.0.1:{dep.server.port}\r\n"
                f"Authorization: Bearer {dep.token('alice')}\r\nX-File-Name: {name}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode() + data

    health = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{dep.server.port}\r\n\r\n".encode()
    sock = socket.create_connection(("127.0.0.1", dep.server.port), timeout=20)
    try:
        sock.sendall(upload("first.txt", first) + upload("second.txt", second) + health)
        f = sock.makefile("rb")
        answers = [read_response(f) for _ in range(3)]
    finally:
        sock.close()
    assert [status for status, _ in answers] == [202, 202, 200], answers
    for (_, body), data in zip(answers, (first, second)):
        rec = dep.wait_for_file("alice", json.loads(body)["id"])
        assert rec["size"] == len(data) and rec["sha256"] == sha256_hex(data)


def test_name_longer_than_255_bytes_is_400_invalid_name(dep):
    assert_problem(dep.upload_raw("alice", "é" * 128 + ".txt", b"x"), 400, "invalid_name")


def test_too_many_tags_is_400(dep):
    tags = ",".join(f"t{i}" for i in range(60))
    assert_problem(dep.upload_raw("alice", "tags.txt", b"x", tags=tags), 400, "invalid_tags")


def test_same_name_twice_gives_two_distinct_files(dep):
    a = dep.upload("alice", "twice.txt", b"first")
    b = dep.upload("alice", "twice.txt", b"second")
    assert a["id"] != b["id"]
    assert a["sha256"] != b["sha256"]
    assert dep.call("GET", f"/api/files/{a['id']}", "alice").json()["sha256"] == sha256_hex(b"first")


@pytest.mark.parametrize("folder", ["../../etc", "a/../../b", "a//b", "./x"])
def test_folder_that_escapes_or_is_malformed_is_400(dep, folder):
    assert_problem(dep.upload_raw("alice", "f.txt", b"x", folder=folder), 400, "invalid_folder")


def test_folder_slashes_at_the_ends_are_trimmed(dep):
    rec = dep.upload("alice", "trimmed.txt", b"x", folder="/reports/2026/")
    assert rec["folder"] == "reports/2026"
