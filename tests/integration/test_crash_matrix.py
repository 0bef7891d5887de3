"""The crash matrix: for every failpoint (src/core/failpoint.hpp), run the
operation, let the process die there (SIGKILL, armed by ARCA_FAILPOINT),
restart it, let redelivery and one reconcile pass run, and check the mirror
promise (CONTRACT §5): `arca reconcile --json` finds no difference, no
accepted upload is lost, and no deleted file comes back.

Runs in every pass of scripts/test: SQLite with files, PostgreSQL with S3,
and PostgreSQL with S3 and Kafka (where the worker-side points kill the
separate `arca worker`).
"""

import json
import time

import pytest

import arca_harness as h
from arca_harness import run_cli

# failpoint -> the operation that passes it
POINTS = {
    "after-object-put": "upload",
    "after-event-publish": "upload",
    "after-row-insert": "upload",
    "after-mark-deleting": "delete",
    "after-object-delete-before-row-delete": "delete",
    # The renamer (named key layout): copy, row, then old object.
    "after-copy-before-row-update": "rename",
    "after-row-update-before-delete": "rename",
}


def reconcile(server, *args):
    r = run_cli(["reconcile", "--data-dir", str(server.data_dir), "--grace", "0s", *args], env=server.env,
                timeout=120)
    assert r.returncode in (0, 1), f"arca reconcile failed ({r.returncode}): {r.stderr}"
    return r


def differences(server):
    r = reconcile(server, "--json")
    return json.loads(r.stdout)


def died(server):
    """True once the process the failpoint lives in has gone (serve, or the separate worker)."""
    if not server.running():
        return True
    return server.worker is not None and server.worker.poll() is not None


def crash_lines(server):
    text = server.stderr_text()
    worker_log = server.log_dir / f"{server.name}-worker.stderr.log"
    if worker_log.exists():
        text += worker_log.read_text("utf-8", "replace")
    return [l for l in text.splitlines() if '"msg":"failpoint"' in l]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("point", list(POINTS))
def test_a_crash_at_each_failpoint_is_repaired_and_the_mirror_holds(arca, point):
    # A message the dead process held comes back after 3 s instead of 60 (embedded queue).
    op = POINTS[point]
    layout = "named" if op == "rename" else "opaque"
    env = arca.base_env(ARCA_QUEUE_LEASE="3s", ARCA_KEY_LAYOUT=layout)
    dep = arca.deployment("crash-" + point, users=(("alice", False),), env=env)
    server = dep.server
    kept = dep.upload("alice", "kept.txt", b"kept before the crash")["id"]
    victim = dep.upload("alice", "doomed.txt", b"to be deleted")["id"] if op == "delete" else None
    moved = dep.upload("alice", "before.txt", b"renamed at the crash")["id"] if op == "rename" else None

    server.restart(env={**env, "ARCA_FAILPOINT": point})
    token = dep.token("alice")
    accepted = None
    try:
        if op == "upload":
            r = h.http_request("127.0.0.1", server.port, "POST", "/api/files", body=b"written at the crash",
                               headers={"X-File-Name": "crash.txt"}, token=token, timeout=20)
            if r.status == 202:
                accepted = r.json()["id"]
        elif op == "delete":
            r = h.http_request("127.0.0.1", server.port, "DELETE", f"/api/files/{victim}", token=token, timeout=20)
            assert r.status == 202 or died(server), r
        else:
            r = h.http_request("127.0.0.1", server.port, "PATCH", f"/api/files/{moved}",
                               body=json.dumps({"name": "after.txt"}).encode(),
                               headers={"Content-Type": "application/json"}, token=token, timeout=20)
            assert r.status == 202 or died(server), r
    except (ConnectionError, OSError) as e:  # the server died before answering: nothing was accepted
        print(f"no answer: {e!r}")
    deadline = time.monotonic() + 30
    while not died(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert died(server), f"nothing died at failpoint {point}"
    assert any(f'"point":"{point}"' in l for l in crash_lines(server)), "the process died, but not at the failpoint"

    server.kill()
    server.start(env=env)
    # Redelivery runs first; one fixing pass repairs what it cannot.
    if accepted:
        dep.wait_for_file("alice", accepted, timeout=30)
    if moved:  # the redelivered rename finishes
        deadline = time.monotonic() + 30
        while dep.call("GET", f"/api/files/{moved}", "alice").json()["name"] != "after.txt":
            assert time.monotonic() < deadline, "the rename was not finished after the crash"
            time.sleep(0.1)
    time.sleep(1.0)
    reconcile(server, "--fix")
    summary = differences(server)
    deadline = time.monotonic() + 30
    while summary["differences"] and time.monotonic() < deadline:  # a resent delete is still on its way
        time.sleep(0.5)
        summary = differences(server)
    assert summary["differences"] == 0, json.dumps(summary, indent=1)

    files = {f["id"]: f for f in dep.list_all("alice")}
    assert kept in files, "a file from before the crash was lost"
    if accepted:
        assert files[accepted]["state"] == "ready" and files[accepted]["size"] == len(b"written at the crash")
    if moved:
        link = dep.call("GET", f"/api/files/{moved}/download", "alice").json()["url"]
        assert h.fetch_url(link).body == b"renamed at the crash"
        assert files[moved]["name"] == "after.txt"
    if victim:
        assert victim not in files, "a deleted file came back"
        assert dep.call("GET", f"/api/files/{victim}", "alice").status == 404
