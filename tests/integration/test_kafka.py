"""Kafka-only behaviour, with `arca serve` and `arca worker` as separate
processes: a worker killed with uploads in flight, Kafka down while uploads
arrive, PostgreSQL restarted under a consuming worker, and a poison message.

Runs with ARCA_TEST_BROKER=kafka (scripts/test's last pass). Tests that stop
a service run their own copy of it (arca_harness.PrivateService).
"""

import concurrent.futures
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import arca_harness as h
from arca_harness import assert_problem, bucket_of, s3_keys, start_worker

pytestmark = pytest.mark.skipif(h.TEST_BROKER != "kafka", reason="runs with ARCA_TEST_BROKER=kafka")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def own_kafka():
    k = h.PrivateService("kafka")
    yield k
    k.down()


def wait_for_rows(dep, user, ids, timeout):
    """Waits until every id is listed; returns the listing's ids (duplicates kept)."""
    deadline = time.monotonic() + timeout
    listed = []
    while time.monotonic() < deadline:
        listed = [f["id"] for f in dep.list_all(user)]
        if set(ids) <= set(listed):
            break
        time.sleep(0.2)
    time.sleep(1.0)  # room for a duplicate to show up
    return [f["id"] for f in dep.list_all(user)]


def assert_mirror(dep, user, ids):
    """Each accepted upload has exactly one row, and every row has its object."""
    listed = [f for f in dep.list_all(user)]
    listed_ids = [f["id"] for f in listed]
    assert len(listed_ids) == len(set(listed_ids)), "a file was recorded twice"
    assert set(listed_ids) == set(ids), (f"missing: {len(set(ids) - set(listed_ids))}, "
                                         f"unexpected: {len(set(listed_ids) - set(ids))}")
    keys = s3_keys(bucket_of(dep.server.data_dir))
    for f in listed:
        assert any(f["id"] in k for k in keys), f"row {f['id']} has no object in the bucket"
    assert len(keys) == len(ids), f"{len(keys)} objects for {len(ids)} files"


@pytest.mark.timeout(300)
def test_worker_killed_with_500_uploads_in_flight_loses_nothing_and_duplicates_nothing(arca):
    dep = arca.deployment("kill-worker", users=(("alice", False),))
    server = dep.server
    token = dep.token("alice")

    def upload(i):
        r = h.http_request("127.0.0.1", server.port, "POST", "/api/files", body=f"in flight {i}\n".encode() * 20,
                           headers={"X-File-Name": f"flight-{i:03d}.txt"}, token=token)
        return r

    accepted = []
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(upload, i) for i in range(500)]
        for n, f in enumerate(concurrent.futures.as_completed(futures)):
            r = f.result()
            assert r.status == 202, r
            accepted.append(r.json()["id"])
            if n == 150:
                server.worker.send_signal(signal.SIGKILL)  # mid-stream: rows half written, offsets half committed
    server.worker.wait(10)
    assert len(accepted) == 500
    server.worker = start_worker(server, server.env, "kill-worker-restarted", wait_ready=True)
    wait_for_rows(dep, "alice", accepted, timeout=120)
    assert_mirror(dep, "alice", accepted)


@pytest.mark.timeout(300)
def test_kafka_down_uploads_get_503_and_store_nothing_then_work_again(arca, own_kafka):
    env = arca.base_env(ARCA_BROKER_URL=own_kafka.url, ARCA_KAFKA_PUBLISH_TIMEOUT="2s")
    dep = arca.deployment("kafka-down", users=(("alice", False),), env=env)
    accepted = [dep.upload_raw("alice", f"before {i}.txt", b"before").json()["id"] for i in range(3)]

    own_kafka.stop()
    try:
        for i in range(3):
            r = dep.upload_raw("alice", f"during {i}.txt", b"during the outage")
            assert_problem(r, 503, "broker_unavailable")
        ready = dep.call("GET", "/readyz")
        assert ready.status == 503 and "broker" in ready.body.decode(), ready
        # Nothing of the refused uploads is in the bucket.
        assert len(s3_keys(bucket_of(dep.server.data_dir))) == 3
    finally:
        own_kafka.start()

    # Uploads work again once the producer has reconnected.
    deadline = time.monotonic() + 60
    while True:
        r = dep.upload_raw("alice", "after.txt", b"after the outage")
        if r.status == 202:
            accepted.append(r.json()["id"])
            break
        assert_problem(r, 503, "broker_unavailable")
        assert time.monotonic() < deadline, "uploads still refused 60 s after Kafka came back"
    for i in range(3):
        r = dep.upload_raw("alice", f"later {i}.txt", b"later")
        assert r.status == 202, r
        accepted.append(r.json()["id"])
    wait_for_rows(dep, "alice", accepted, timeout=90)
    assert_mirror(dep, "alice", accepted)
    assert dep.call("GET", "/readyz").status == 200


@pytest.mark.timeout(300)
def test_postgres_restarted_under_a_consuming_worker_catches_up_without_loss(arca):
    pg = h.PrivateService("postgres")
    try:
        env = arca.base_env(ARCA_DATABASE_URL=pg.url)
        dep = arca.deployment("pg-restart", users=(("alice", False),), env=env)
        worker = dep.server.worker
        log = dep.server.log_dir / f"{dep.server.name}-worker.stderr.log"
        # The worker is held still while 40 events queue up in Kafka, so it
        # has work in hand when the database goes away.
        os.kill(worker.pid, signal.SIGSTOP)
        accepted = [dep.upload_raw("alice", f"queued {i}.txt", b"x").json()["id"] for i in range(40)]
        pg.stop()
        try:
            os.kill(worker.pid, signal.SIGCONT)
            deadline = time.monotonic() + 30
            while "service unavailable, backing off" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "service unavailable, backing off" in log.read_text(), "the worker never met the outage"
            # A worker crash during the outage: only committed offsets survive it.
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            pg.start()
        dep.server.worker = start_worker(dep.server, dep.server.env, "pg-restart-worker-2", wait_ready=True)
        wait_for_rows(dep, "alice", accepted, timeout=120)
        assert_mirror(dep, "alice", accepted)
    finally:
        pg.down()


def kafka_tool(*args, stdin=None):
    return subprocess.run([str(REPO / "scripts" / "services"), "kafka-tool", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.timeout(300)
def test_poison_message_goes_to_the_dead_letter_topic_and_does_not_block_its_partition(arca, own_kafka):
    env = arca.base_env(ARCA_BROKER_URL=own_kafka.url)
    dep = arca.deployment("poison", users=(("alice", False),), env=env)
    topic = h.broker_env(dep.server.data_dir)["ARCA_TOPIC_UPLOADED"]
    # Every partition gets a poison message, so whichever one a later upload lands on was poisoned first.
    poison = "".join(f"poison-key-{i}|this is not JSON {i}\n" for i in range(12))
    r = kafka_tool("kafka.tools.ConsoleProducer", "--bootstrap-server", own_kafka.url.split("://", 1)[1],
                   "--topic", topic, "--property", "parse.key=true", "--property", "key.separator=|", stdin=poison)
    assert r.returncode == 0, r.stderr
    ids = [dep.upload_raw("alice", f"after poison {i}.txt", b"fine").json()["id"] for i in range(6)]
    wait_for_rows(dep, "alice", ids, timeout=60)
    assert_mirror(dep, "alice", ids)

    # The dead-letter topic holds the twelve messages, with the error.
    data = own_kafka.state / "kafka" / "data"
    dumped = ""
    deadline = time.monotonic() + 30
    while dumped.count("this is not JSON") < 12 and time.monotonic() < deadline:
        segments = sorted(str(p) for p in data.glob(f"{topic}.dlq-*/*.log"))
        assert segments, f"no dead-letter topic {topic}.dlq"
        r = kafka_tool("kafka.tools.DumpLogSegments", "--print-data-log", "--files", ",".join(segments))
        dumped = r.stdout
        time.sleep(0.5)
    assert dumped.count("this is not JSON") == 12, dumped[-3000:]
    assert '"error":"not a JSON object","attempts":1' in dumped, dumped[-3000:]
