"""`arca reconcile` on the real stores of each pass (files or S3, SQLite or
PostgreSQL): differences planted from outside are found, `--fix` repairs
them, and the periodic pass shows on /metrics.
"""

import json
import re
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

import arca_harness as h
from arca_harness import run_cli


def reconcile(server, *args, expect=None):
    r = run_cli(["reconcile", "--data-dir", str(server.data_dir), *args], env=server.env, timeout=120)
    if expect is not None:
        assert r.returncode == expect, f"exit {r.returncode}: {r.stdout}\n{r.stderr}"
    return r


def summary(server, *args, expect=None):
    return json.loads(reconcile(server, "--json", *args, expect=expect).stdout)


def bucket(server):
    return h.bucket_of(server.data_dir)


def object_keys(server):
    if h.TEST_STORE == "s3":
        return sorted(h.s3_keys(bucket(server)))
    root = server.objects_dir()
    return sorted(str(p.relative_to(root)) for p in server.object_files() if not p.name.endswith(".meta.json"))


def remove_object(server, key):
    if h.TEST_STORE == "s3":
        status, _, body = h.s3_request("DELETE", f"/{bucket(server)}/{key}")
        assert status == 204, body
    else:
        (server.objects_dir() / key).unlink()


def plant_object(server, key, data, meta):
    """An object put there behind Arca's back, as a crash would leave it."""
    if h.TEST_STORE == "s3":
        headers = []
        for k, v in meta.items():
            headers += ["-H", f"x-amz-meta-{k}: {v}"]
        status, _, body = h.s3_request("PUT", f"/{bucket(server)}/{key}", *headers, body=data)
        assert status == 200, body
    else:
        path = server.objects_dir() / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if meta:
            Path(str(path) + ".meta.json").write_text(json.dumps(meta))


@pytest.mark.timeout(180)
def test_reconcile_finds_planted_differences_and_fix_repairs_them(arca):
    dep = arca.deployment("reconcile", users=(("alice", False),))
    server = dep.server
    alice = dep.user_id("alice")
    files = [dep.upload("alice", f"f{i}.txt", f"content {i}".encode()) for i in range(4)]
    assert summary(server, "--grace", "0s", expect=0)["differences"] == 0

    # 1. a ready row whose object vanished; 2. an object with valid metadata
    # and no row (adoptable); 3. junk with no metadata; 4. an object outside
    # the prefix (never touched); 5. a young orphan (inside the grace period).
    lost = files[0]
    remove_object(server, lost["object_key"] if "object_key" in lost else "files/" + lost["id"])
    adoptable = str(uuid.uuid4())
    plant_object(server, f"files/{adoptable}", b"adopt me",
                 {"arca-id": adoptable, "arca-owner": alice, "arca-name": urllib.parse.quote("Relatório.txt"),
                  "arca-folder": "achados", "arca-project": ""})
    plant_object(server, "files/junk", b"junk", {})
    plant_object(server, "files2/not-ours", b"other", {})

    found = summary(server, "--grace", "0s", expect=1)
    assert found["found"] == {"orphans": 2, "missing": 1, "size_mismatches": 0, "stuck": 0, "abandoned_uploads": 0}, found
    kinds = sorted((e["kind"], e["key"]) for e in found["examples"])
    assert ("missing", "files/" + lost["id"]) in kinds and ("orphan", "files/junk") in kinds, kinds
    # Inside the default grace period (1 h) the fresh orphans are work in flight.
    young = summary(server, expect=1)
    assert young["found"]["orphans"] == 0 and young["scanned"]["young_objects"] == 2, young
    # Text output names the kinds too.
    text = reconcile(server, "--grace", "0s", expect=1).stdout
    assert re.search(r"orphan objects\s+2", text) and re.search(r"missing objects\s+1", text), text

    fixed = summary(server, "--grace", "0s", "--fix", expect=0)
    assert fixed["fixed"]["adopted"] == 1 and fixed["fixed"]["orphans_deleted"] == 1, fixed
    assert fixed["fixed"]["marked_missing"] == 1, fixed
    assert summary(server, "--grace", "0s", expect=0)["differences"] == 0

    listed = {f["id"]: f for f in dep.list_all("alice")}
    assert listed[adoptable]["name"] == "Relatório.txt" and listed[adoptable]["folder"] == "achados"
    assert listed[adoptable]["size"] == len(b"adopt me")
    r = dep.call("GET", f"/api/files/{adoptable}/download", "alice")
    assert r.status == 200, r
    assert listed[lost["id"]]["state"] == "missing"
    # A missing file cannot be downloaded: a clear 409, not a dead link.
    h.assert_problem(dep.call("GET", f"/api/files/{lost['id']}/download", "alice"), 409, "file_unavailable")
    keys = object_keys(server)
    assert "files/junk" not in keys and "files2/not-ours" in keys, keys


@pytest.mark.timeout(180)
def test_max_deletes_caps_each_pass(arca):
    dep = arca.deployment("reconcile-cap", users=(("alice", False),))
    server = dep.server
    for i in range(5):
        plant_object(server, f"files/junk{i}", b"x", {})
    first = summary(server, "--grace", "0s", "--fix", "--max-deletes", "2", expect=1)
    assert first["fixed"]["orphans_deleted"] == 2 and first["fixed"]["orphans_left"] == 3, first
    summary(server, "--grace", "0s", "--fix", "--max-deletes", "2", expect=1)
    summary(server, "--grace", "0s", "--fix", "--max-deletes", "2", expect=0)
    assert [k for k in object_keys(server) if "junk" in k] == []
    bad = reconcile(server, "--grace", "soon")
    assert bad.returncode == 2 and "--grace" in bad.stderr


@pytest.mark.timeout(180)
def test_periodic_pass_repairs_by_itself_and_shows_on_metrics(arca):
    if h.TEST_BROKER == "kafka":
        env = arca.base_env(ARCA_RECONCILE_INTERVAL="1s", ARCA_RECONCILE_GRACE="0s", ARCA_SERVE_WORKERS="true")
    else:
        env = arca.base_env(ARCA_RECONCILE_INTERVAL="1s", ARCA_RECONCILE_GRACE="0s")
    dep = arca.deployment("reconcile-periodic", users=(("alice", False),), env=env)
    server = dep.server
    plant_object(server, "files/junk", b"junk", {})
    deadline = time.monotonic() + 30
    metrics = ""
    while time.monotonic() < deadline:
        metrics = server.request("GET", "/metrics").body.decode()
        if re.search(r"^arca_reconcile_last_fixed_orphans_deleted 1$", metrics, re.M):
            break
        time.sleep(0.3)
    assert re.search(r"^arca_reconcile_last_found_orphans 1$", metrics, re.M), metrics
    assert "files/junk" not in object_keys(server)
    lines = [l for l in server.log_lines() if '"msg":"reconcile pass"' in l]
    assert lines, "no reconcile pass was logged"
