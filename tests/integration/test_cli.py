"""The command line as an operator meets it: settings errors, users, separate workers, reconcile."""

import signal
import subprocess
import time

import pytest

import arca_harness
from arca_harness import clean_env, database_env, run_cli, start_worker


def serve_once(data_dir, env, timeout=10):
    """Runs `arca serve` expecting it to refuse to start."""
    return subprocess.run([arca_harness.ARCA_BIN, "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0"],
                          capture_output=True, text=True, env=clean_env({**database_env(data_dir), **env}),
                          timeout=timeout)


def test_version_prints_something(arca):
    r = run_cli(["version"])
    assert r.returncode == 0 and r.stdout.startswith("arca "), r


@pytest.mark.parametrize("var,value,setting", [
    ("ARCA_MAX_UPLOAD", "lots", "max_upload"),
    ("ARCA_WRITE_MODE", "maybe", "write_mode"),
    ("ARCA_PRESIGN_TTL", "5 minutes", "presign_ttl"),
    ("ARCA_JWT_SECRET", "short", "jwt_secret"),
    ("ARCA_SERVE_WORKERS", "perhaps", "serve_workers"),
    ("ARCA_LISTEN", "nowhere", "listen"),
])
def test_bad_setting_stops_startup_with_one_line_naming_it(arca, var, value, setting):
    data_dir = arca.new_data_dir("badsetting")
    env = arca.base_env()
    env[var] = value
    if var == "ARCA_LISTEN":
        r = subprocess.run([arca_harness.ARCA_BIN, "serve", "--data-dir", str(data_dir)], capture_output=True,
                           text=True, env=clean_env({**database_env(data_dir), **env}), timeout=10)
    else:
        r = serve_once(data_dir, env)
    assert r.returncode != 0, f"started despite {var}={value!r}"
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert setting in lines[0], lines[0]
    assert "Arca is listening" not in r.stdout


def test_user_add_rejects_short_passwords_and_duplicates(arca):
    data_dir = arca.new_data_dir("users")
    env = arca.base_env()
    r = run_cli(["user", "add", "zed", "--password-stdin", "--data-dir", str(data_dir)], env=env, stdin="short\n")
    assert r.returncode != 0 and "8" in r.stderr, r
    arca.add_user(data_dir, "zed", "long-enough-pass")
    r = run_cli(["user", "add", "zed", "--password-stdin", "--data-dir", str(data_dir)], env=env,
                stdin="another-long-pass\n")
    assert r.returncode != 0, r
    r = run_cli(["user", "add", "bad name!", "--password-stdin", "--data-dir", str(data_dir)], env=env,
                stdin="long-enough-pass\n")
    assert r.returncode != 0, r


@pytest.mark.timeout(60)
def test_separate_worker_process_records_queued_uploads(arca):
    """serve without workers + `arca worker` beside it: the distributed shape on one machine."""
    env_off = arca.base_env(ARCA_SERVE_WORKERS="false")
    dep = arca.deployment("split", users=(("alice", False),), env=env_off)
    ids = []
    for i in range(5):
        r = dep.upload_raw("alice", f"via worker {i}.txt", f"payload {i}".encode())
        assert r.status == 202, r
        ids.append(r.json()["id"])
    time.sleep(0.5)
    assert dep.list_all("alice") == []
    worker = start_worker(dep.server, env_off, "split-worker")
    try:
        for file_id in ids:
            dep.wait_for_file("alice", file_id, timeout=15)
        assert sorted(i["id"] for i in dep.list_all("alice")) == sorted(ids)
        # Deletes go through the worker too.
        assert dep.call("DELETE", f"/api/files/{ids[0]}", "alice").status == 202
        deadline = time.monotonic() + 10
        while [p for p in dep.server.object_files() if ids[0] in str(p)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in dep.server.object_files() if ids[0] in str(p)]
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            rc = worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
            rc = None
    assert rc == 0, f"worker exit code {rc} after SIGTERM"
