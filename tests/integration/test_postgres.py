"""PostgreSQL-only behaviour: a database that goes away, migrations started
by several processes at once, and several worker processes sharing the queue.

Tests that stop the database run their own PostgreSQL
(arca_harness.PrivateService), so stopping it disturbs nothing else.
"""

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import arca_harness
from arca_harness import clean_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(arca_harness.TEST_BACKEND != "postgres",
                                reason="runs with ARCA_TEST_BACKEND=postgres")


@pytest.fixture
def private_pg():
    pg = arca_harness.PrivateService("postgres")
    yield pg
    pg.down()


@pytest.mark.timeout(180)
def test_database_outage_gives_503_then_recovers_without_restart(arca, private_pg):
    env = arca.base_env(ARCA_DATABASE_URL=private_pg.url, ARCA_WRITE_MODE="sync")
    dep = arca.deployment("pg-outage", users=(("alice", False),), env=env)
    first = dep.upload_raw("alice", "before.txt", b"before the outage")
    assert first.status == 201, first
    token = dep.token("alice")

    fid = first.json()["id"]
    hot_reads = ["/api/files", f"/api/files/{fid}", f"/api/files/{fid}/download"]  # answered on the event loop

    private_pg.stop()
    for path in hot_reads:
        started = time.monotonic()
        r = dep.server.request("GET", path, token=token, timeout=30)
        elapsed = time.monotonic() - started
        assert r.status == 503, (path, r)
        assert r.json()["code"] == "database_unavailable", path
        assert elapsed < 15, f"GET {path} without a database took {elapsed:.1f} s"
    ready = dep.server.request("GET", "/readyz", timeout=30)
    assert ready.status == 503 and "database" in ready.json()["detail"], ready
    assert dep.server.request("GET", "/healthz").status == 200  # the process itself is fine

    private_pg.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = dep.server.request("GET", "/api/files", token=token, timeout=30)
        if r.status == 200:
            break
        time.sleep(0.5)
    assert r.status == 200, r
    assert [f["name"] for f in r.json()["items"]] == ["before.txt"]
    for path in hot_reads[1:]:
        r = dep.server.request("GET", path, token=token, timeout=30)
        assert r.status == 200, (path, r)
    after = dep.upload_raw("alice", "after.txt", b"after the outage")
    assert after.status == 201, after


@pytest.mark.timeout(120)
def test_dropped_database_connections_give_503_then_new_connections(arca, private_pg):
    """A connection the server drops (restart, failover, idle cut) is found
    broken on its next use: that request is 503 database_unavailable, and
    the next ones run on fresh connections."""
    env = arca.base_env(ARCA_DATABASE_URL=private_pg.url, ARCA_WRITE_MODE="sync")
    dep = arca.deployment("pg-dropped", users=(("alice", False),), env=env)
    fid = dep.upload_raw("alice", "kept.txt", b"kept").json()["id"]
    token = dep.token("alice")
    for _ in range(6):  # every event loop has opened a connection and left it idle
        assert dep.server.request("GET", f"/api/files/{fid}", token=token).status == 200

    others = "datname = current_database() AND pid <> pg_backend_pid()"
    subprocess.run(["psql", private_pg.url, "-qAt", "-c", f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE {others}"], check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = subprocess.run(["psql", private_pg.url, "-qAt", "-c",
                               f"SELECT count(*) FROM pg_stat_activity WHERE {others}"],
                              check=True, capture_output=True, text=True, timeout=30).stdout.strip()
        if left == "0":
            break
        time.sleep(0.1)

    answers = [dep.server.request("GET", f"/api/files/{fid}", token=token, timeout=30) for _ in range(8)]
    assert answers[0].status == 503, answers[0]  # its loop's idle connection was dead
    for r in answers:
        assert r.status in (200, 503), r
        if r.status == 503:
            assert r.json()["code"] == "database_unavailable", r
    assert [r.status for r in answers[-4:]] == [200] * 4, [r.status for r in answers]
    assert answers[-1].json()["name"] == "kept.txt"


@pytest.mark.timeout(180)
def test_processes_migrating_at_once_all_succeed(arca, private_pg):
    dirs = [arca.new_data_dir(f"migrate{i}") for i in range(4)]
    env = clean_env(arca.base_env(ARCA_DATABASE_URL=private_pg.url))
    procs = [subprocess.Popen([arca_harness.ARCA_BIN, "migrate", "--data-dir", str(d)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for d in dirs]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(rc == 0 for rc, _ in results), results
    out = subprocess.run(["psql", private_pg.url, "-qAt", "-c", "SELECT version FROM schema_migrations ORDER BY 1"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(v) for v in range(1, len(out) + 1)] and len(out) >= 2, out  # each migration once, in order


@pytest.mark.timeout(240)
def test_two_worker_processes_share_the_queue_and_record_each_upload_once(arca):
    env_off = arca.base_env(ARCA_SERVE_WORKERS="false")
    dep = arca.deployment("pg-workers", users=(("alice", False),), env=env_off)
    ids = []
    for i in range(60):
        r = dep.upload_raw("alice", f"shared {i}.txt", f"payload {i}".encode())
        assert r.status == 202, r
        ids.append(r.json()["id"])
    workers = [arca_harness.start_worker(dep.server, env_off, f"pg-worker-{n}") for n in range(2)]
    try:
        for file_id in ids:
            dep.wait_for_file("alice", file_id, timeout=30)
        listed = [f["id"] for f in dep.list_all("alice")]
        assert sorted(listed) == sorted(ids)  # each exactly once
        # The gauge settles once the last acks are committed (Kafka commits every 0.5 s).
        deadline = time.monotonic() + 10
        while True:
            depth = [l for l in dep.server.request("GET", "/metrics").body.decode().splitlines()
                     if l.startswith("arca_queue_depth ")]
            if depth == ["arca_queue_depth 0"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert depth == ["arca_queue_depth 0"], depth
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            assert w.wait(timeout=30) == 0
