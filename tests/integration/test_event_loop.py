"""Where the server answers each request (docs/architecture.md, "Threading
model"): requests that never block (health, the OpenAPI document) on the
event loop; with PostgreSQL also the hot reads (one file, a listing, a
download link), which wait for the database there without holding a thread;
everything else on the handler pool. The request log line says where each
ran (`runs_on`), and the answers must not depend on it.
"""

import json

import arca_harness

POSTGRES = arca_harness.TEST_BACKEND == "postgres"


def runs_on(server, request_id: str) -> str:
    for line in server.log_lines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("msg") == "request" and entry.get("request_id") == request_id:
            return entry["runs_on"]
    raise AssertionError(f"no request log line for {request_id}")


def test_hot_reads_run_on_the_event_loop_with_postgres_and_on_the_pool_otherwise(dep):
    rec = dep.upload("alice", "where.txt", b"where does this run")
    fid = rec["id"]
    calls = [
        ("GET", f"/api/files/{fid}", "alice", 200),
        ("GET", f"/api/files/{fid}", "bob", 404),  # someone else's file does not exist for bob
        ("GET", "/api/files?limit=5", "alice", 200),
        ("GET", f"/api/files/{fid}/download", "alice", 200),
        ("GET", f"/api/files/{fid}/download", "bob", 404),
    ]
    hot = "event_loop_async" if POSTGRES else "pool"
    for n, (method, path, user, status) in enumerate(calls):
        rid = f"hot-read-{n}"
        r = dep.call(method, path, user, headers={"X-Request-Id": rid})
        assert r.status == status, (path, user, r)
        assert r.header("X-Request-Id") == rid
        assert runs_on(dep.server, rid) == hot, (path, user)
    listed = dep.call("GET", "/api/files?limit=5", "alice").json()["items"]
    assert [f["id"] for f in listed] == [fid]
    link = dep.call("GET", f"/api/files/{fid}/download", "alice").json()
    assert link["url"] and link["expires_at"]


def test_writes_and_database_checks_stay_on_the_pool(dep):
    fid = dep.upload("alice", "patched.txt", b"x")["id"]
    r = dep.call("PATCH", f"/api/files/{fid}", "alice", json_body={"description": "changed"},
                 headers={"X-Request-Id": "patch-1"})
    assert r.status == 200, r
    assert runs_on(dep.server, "patch-1") == "pool"
    assert dep.call("GET", f"/api/files/{fid}", "alice").json()["description"] == "changed"
    for n, path in enumerate(["/readyz", "/metrics", "/api/me"]):
        rid = f"pool-{n}"
        assert dep.call("GET", path, "alice", headers={"X-Request-Id": rid}).status == 200
        assert runs_on(dep.server, rid) == "pool", path


def test_requests_without_io_are_answered_on_the_event_loop(dep):
    for n, (path, status) in enumerate([("/healthz", 200), ("/api/openapi.json", 200), ("/no/such/route", 404)]):
        rid = f"inline-{n}"
        r = dep.server.request("GET", path, headers={"X-Request-Id": rid})
        assert r.status == status, (path, r)
        assert runs_on(dep.server, rid) == "event_loop", path
    assert dep.server.request("GET", "/healthz").json() == {"status": "ok"}
