"""What operators rely on: health, readiness, metrics, the OpenAPI document, logs, routing errors."""

import json
import re
import time

import pytest

from arca_harness import assert_problem, minimal_pdf


@pytest.fixture(scope="module")
def uploaded(dep):
    data = minimal_pdf("ops") * 20
    r = dep.upload_raw("alice", "ops.pdf", data, headers={"X-Request-Id": "itest-upload-0001"})
    assert r.status == 202, r
    rec = dep.wait_for_file("alice", r.json()["id"])
    return r, rec, data


def metric_lines(dep):
    r = dep.server.request("GET", "/metrics")
    assert r.status == 200, r
    assert r.header("Content-Type", "").startswith("text/plain")
    return r.body.decode().splitlines()


def sample(lines, name, **labels):
    """The value of the first sample of `name` whose labels include `labels`."""
    for line in lines:
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    return None


# --- health ---------------------------------------------------------------------

def test_healthz_is_200_without_a_token(dep):
    r = dep.server.request("GET", "/healthz")
    assert r.status == 200, r
    assert r.json().get("status") == "ok"


def test_readyz_is_200_and_lists_its_checks(dep):
    r = dep.server.request("GET", "/readyz")
    assert r.status == 200, r
    body = r.json()
    checks = body["checks"]
    assert {"database", "storage", "broker"} <= set(checks), body
    assert all(v == "ok" for v in checks.values()), body


@pytest.mark.local_store
def test_readyz_is_503_naming_storage_when_the_object_store_is_gone(arca):
    dep = arca.deployment("notready", users=(("alice", False),))
    objects = dep.server.objects_dir()
    moved = objects.with_name("objects-away")
    objects.rename(moved)
    try:
        r = dep.server.request("GET", "/readyz")
        doc = assert_problem(r, 503)
        assert "storage" in doc["detail"]
        assert doc.get("checks", {}).get("storage") not in (None, "ok")
        assert dep.server.request("GET", "/healthz").status == 200  # alive, just not ready
    finally:
        moved.rename(objects)
    assert dep.server.request("GET", "/readyz").status == 200


# --- metrics --------------------------------------------------------------------

def test_metrics_count_requests_by_route_template(dep, uploaded):
    dep.list_files("alice")
    lines = metric_lines(dep)
    n = sample(lines, "arca_http_requests_total", route="/api/files", method="POST", status="202")
    assert n is not None and n >= 1, "\n".join(l for l in lines if "requests_total" in l)
    assert sample(lines, "arca_http_requests_total", route="/api/files", method="GET", status="200") >= 1
    # Ids do not explode the label set: one route label for every file.
    assert sample(lines, "arca_http_requests_total", route="/api/files/{id}") is not None
    assert not [l for l in lines if uploaded[1]["id"] in l], "a file id leaked into a metric label"


def test_metrics_count_upload_bytes(dep, uploaded):
    _, rec, data = uploaded
    value = sample(metric_lines(dep), "arca_upload_bytes_total")
    assert value is not None and value >= len(data), value


def test_metrics_expose_queue_depth(dep, uploaded):
    lines = metric_lines(dep)
    depth = sample(lines, "arca_queue_depth")
    assert depth is not None and depth >= 0
    assert "# TYPE arca_queue_depth gauge" in lines


def test_metrics_latency_histogram_is_present(dep, uploaded):
    lines = metric_lines(dep)
    assert sample(lines, "arca_http_request_duration_seconds_count", route="/api/files") >= 1
    assert sample(lines, "arca_http_request_duration_seconds_bucket", route="/api/files", le="+Inf") >= 1


# --- OpenAPI --------------------------------------------------------------------

def test_openapi_document_is_valid_json_and_describes_the_api(dep):
    r = dep.server.request("GET", "/api/openapi.json")
    assert r.status == 200, r
    assert r.header("Content-Type", "").startswith("application/json")
    doc = json.loads(r.body)
    assert str(doc["openapi"]).startswith("3."), doc.get("openapi")
    paths = doc["paths"]
    for p in ("/api/files", "/api/files/{id}", "/api/files/{id}/download", "/api/auth/login", "/api/me",
              "/healthz", "/readyz", "/metrics"):
        assert p in paths, f"{p} missing from the OpenAPI paths"
    assert {"get", "post"} <= set(paths["/api/files"])
    assert {"get", "patch", "delete"} <= set(paths["/api/files/{id}"])


def test_openapi_lists_the_documented_list_parameters(dep):
    doc = dep.server.request("GET", "/api/openapi.json").json()
    params = doc["paths"]["/api/files"]["get"].get("parameters", [])
    resolved = []
    for p in params:
        if "$ref" in p:  # "#/components/parameters/X"
            node = doc
            for part in p["$ref"].lstrip("#/").split("/"):
                node = node[part]
            p = node
        resolved.append(p.get("name"))
    for name in ("q", "type", "owner", "folder", "status", "tag", "uploaded_after", "uploaded_before",
                 "min_size", "max_size", "sort", "order", "limit", "cursor"):
        assert name in resolved, f"list parameter {name} not documented"


# --- logs -------------------------------------------------------------------------

def test_every_log_line_is_a_json_object(dep, uploaded):
    dep.server.request("GET", "/healthz")
    lines = dep.server.log_lines()
    assert lines
    for line in lines:
        obj = json.loads(line)
        assert isinstance(obj, dict), line
        assert {"ts", "level", "msg"} <= set(obj), line


def find_log(dep, **fields):
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for line in dep.server.log_lines():
            obj = json.loads(line)
            if all(obj.get(k) == v for k, v in fields.items()):
                return obj
        time.sleep(0.05)
    return None


def test_client_request_id_is_echoed_and_logged(dep):
    rid = "itest-req-12345"
    r = dep.call("GET", "/api/files", "alice", headers={"X-Request-Id": rid})
    assert r.status == 200
    assert r.header("X-Request-Id") == rid
    line = find_log(dep, request_id=rid)
    assert line is not None, "no log line carries the client's request id"
    assert line.get("path") == "/api/files" or line.get("route") == "/api/files"
    assert line.get("status") in ("200", 200)


def test_upload_echoes_the_request_id(dep, uploaded):
    r, _, _ = uploaded
    assert r.header("X-Request-Id") == "itest-upload-0001"
    assert find_log(dep, request_id="itest-upload-0001", status="202") is not None


def test_server_assigns_a_request_id_when_none_or_an_unsafe_one_is_sent(dep):
    r = dep.server.request("GET", "/healthz")
    assert r.header("X-Request-Id")
    unsafe = dep.server.request("GET", "/healthz", headers={"X-Request-Id": 'bad id "with" spaces'})
    assert unsafe.header("X-Request-Id") and unsafe.header("X-Request-Id") != 'bad id "with" spaces'


def test_logs_never_contain_passwords_or_tokens(dep, uploaded):
    token = dep.token("alice")
    dep.login("alice", "wrong-password-xyz")
    text = dep.server.stderr_text()
    assert dep.passwords["alice"] not in text
    assert "wrong-password-xyz" not in text
    assert token not in text


# --- routing errors --------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/nope", "/api/files/x/y/z", "/nothing-here"])
def test_unknown_route_is_404_route_not_found(dep, path):
    assert_problem(dep.server.request("GET", path), 404, "route_not_found")


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/api/files", {"GET", "POST"}),
    ("DELETE", "/api/me", {"GET"}),
    ("GET", "/api/auth/login", {"POST"}),
    ("POST", "/api/files/01a00000-0000-7000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
])
def test_wrong_method_is_405_with_allow_header(dep, method, path, allowed):
    r = dep.server.request(method, path, token=dep.token("alice"))
    assert_problem(r, 405)
    allow = {m.strip() for m in (r.header("Allow") or "").split(",") if m.strip()}
    assert allowed <= allow, f"Allow: {r.header('Allow')!r}"


def test_index_page_is_served(dep):
    r = dep.server.request("GET", "/")
    assert r.status == 200
    assert r.header("Content-Type", "").startswith("text/html")


def test_keep_alive_connection_serves_several_requests(dep):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", dep.server.port, timeout=10)
    auth = {"Authorization": f"Bearer {dep.token('alice')}"}
    try:
        conn.request("GET", "/healthz")
        r1 = conn.getresponse(); r1.read()
        conn.request("POST", "/api/files", body=b"over keep-alive", headers=dict(auth, **{"X-File-Name": "ka.txt"}))
        r2 = conn.getresponse(); b2 = r2.read()
        conn.request("GET", "/api/me", headers=auth)
        r3 = conn.getresponse(); b3 = r3.read()
        # An error answer does not spoil the connection either.
        conn.request("GET", "/api/nope")
        r4 = conn.getresponse(); r4.read()
        conn.request("GET", "/api/me", headers=auth)
        r5 = conn.getresponse(); r5.read()
    finally:
        conn.close()
    assert (r1.status, r2.status, r3.status, r4.status, r5.status) == (200, 202, 200, 404, 200), b2
    assert json.loads(b3)["username"] == "alice"
    dep.wait_for_file("alice", json.loads(b2)["id"])


@pytest.mark.local_store
def test_every_documented_operation_is_routed_and_auth_matches_the_document(dep):
    """The OpenAPI document matches the server: no documented operation is a 404/405 route error,
    and operations documented as needing no security answer without a token."""
    doc = dep.server.request("GET", "/api/openapi.json").json()
    global_security = doc.get("security")
    for path, ops in doc["paths"].items():
        concrete = path.replace("{id}", "01a00000-0000-7000-8000-000000000000").replace("{key}", "files/x")
        for method, op in ops.items():
            if method not in ("get", "post", "patch", "delete", "put"):
                continue
            r = dep.server.request(method.upper(), concrete, json_body={} if method in ("post", "patch") else None)
            code = r.json().get("code") if r.header("Content-Type", "").startswith("application/problem") else None
            assert r.status != 405 and code != "route_not_found", f"{method.upper()} {path} documented but not routed"
            security = op.get("security", global_security)
            if not security or security == [{}]:
                assert r.status != 401, f"{method.upper()} {path} is documented as open but asks for a token"
            elif security:
                assert r.status == 401, f"{method.upper()} {path} is documented as secured but answered {r.status}"


def test_malformed_request_gets_a_problem_with_a_request_id(dep):
    import socket
    with socket.create_connection(("127.0.0.1", dep.server.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 400"), head
    assert "x-request-id:" in head
    assert "application/problem+json" in head


def test_bearer_with_extra_spaces_is_still_a_bearer_token(dep):
    r = dep.server.request("GET", "/api/me", headers={"Authorization": "Bearer   " + dep.token("alice")})
    assert r.status == 200, r
    assert r.json()["username"] == "alice"
