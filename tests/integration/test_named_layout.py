"""The `named` key layout (ARCA_KEY_LAYOUT=named, CONTRACT §2): object keys
mirror owner/folder/name, so the bucket reads like the users' files; a new
name or folder is a physical rename (PATCH 202, then the renamer copies,
moves the row, deletes the old object), and a name already taken in a
folder is a 409 at upload and at PATCH time. Runs on every pass: files or
S3, SQLite or PostgreSQL, embedded queue or Kafka with `arca worker`.
"""

import json
import time
import urllib.parse

import pytest

import arca_harness as h
from arca_harness import assert_problem, fetch_url, minimal_pdf, run_cli


@pytest.fixture(scope="module")
def named(arca):
    return arca.deployment("named", users=(("alice", False), ("bob", False)),
                           env=arca.base_env(ARCA_KEY_LAYOUT="named"))


def object_keys(server):
    if h.TEST_STORE == "s3":
        return sorted(h.s3_keys(h.bucket_of(server.data_dir)))
    root = server.objects_dir()
    return sorted(str(p.relative_to(root)) for p in server.object_files() if not p.name.endswith(".meta.json"))


def patch(dep, file_id, body, user="alice"):
    return dep.call("PATCH", f"/api/files/{file_id}", user, json_body=body)


def wait_for(dep, file_id, pred, timeout=30, user="alice"):
    deadline = time.monotonic() + timeout
    rec = None
    while time.monotonic() < deadline:
        r = dep.call("GET", f"/api/files/{file_id}", user)
        if r.status == 200:
            rec = r.json()
            if pred(rec):
                return rec
        time.sleep(0.1)
    raise AssertionError(f"file {file_id} never got there; last record {rec}")


def download(dep, file_id, user="alice"):
    r = dep.call("GET", f"/api/files/{file_id}/download", user)
    assert r.status == 200, r
    return fetch_url(r.json()["url"])


def test_keys_mirror_owner_folder_and_name(named):
    data = minimal_pdf("named")
    rec = named.upload("alice", "relatório ação.pdf", data, folder="docs/2026")
    assert "users/alice/docs/2026/relatório ação.pdf" in object_keys(named.server)
    got = download(named, rec["id"])
    assert got.body == data
    assert "filename*=UTF-8''" + urllib.parse.quote("relatório ação.pdf") in got.header("Content-Disposition")


def test_a_second_upload_of_a_name_in_the_same_folder_is_a_conflict_and_leaves_nothing(named):
    first = named.upload("alice", "twice.txt", b"first")
    keys_before = object_keys(named.server)
    r = named.upload_raw("alice", "twice.txt", b"second, must not replace the first")
    assert_problem(r, 409, "name_taken")
    assert object_keys(named.server) == keys_before
    assert download(named, first["id"]).body == b"first"
    # Another folder, or another user, may use the name.
    named.upload("alice", "twice.txt", b"elsewhere", folder="other")
    named.upload("bob", "twice.txt", b"bob's")
    assert {"users/alice/twice.txt", "users/alice/other/twice.txt", "users/bob/twice.txt"} <= set(
        object_keys(named.server))


def test_a_rename_is_accepted_then_moves_the_object_and_the_row(named):
    data = b"contents that travel with the file"
    rec = named.upload("alice", "draft.txt", data, folder="inbox")
    r = patch(named, rec["id"], {"name": "final ação.txt", "description": "signed"})
    assert r.status == 202, r
    assert r.json()["description"] == "signed"  # not part of the key: changed at once
    done = wait_for(named, rec["id"], lambda f: f["name"] == "final ação.txt")
    assert done["folder"] == "inbox" and done["size"] == len(data) and done["state"] == "ready"
    keys = object_keys(named.server)
    assert "users/alice/inbox/final ação.txt" in keys
    assert "users/alice/inbox/draft.txt" not in keys
    got = download(named, rec["id"])
    assert got.body == data
    assert urllib.parse.quote("final ação.txt") in got.header("Content-Disposition")
    # The list finds it under its new name, not the old.
    found = [f["id"] for f in named.list_all("alice", q="final")]
    assert rec["id"] in found
    assert rec["id"] not in [f["id"] for f in named.list_all("alice", q="draft")]


def test_a_folder_move_is_physical(named):
    rec = named.upload("alice", "moving.txt", b"m")
    assert patch(named, rec["id"], {"folder": "archive/2025"}).status == 202
    wait_for(named, rec["id"], lambda f: f["folder"] == "archive/2025")
    keys = object_keys(named.server)
    assert "users/alice/archive/2025/moving.txt" in keys and "users/alice/moving.txt" not in keys


def test_renaming_onto_a_taken_name_is_a_conflict_at_patch_time(named):
    a = named.upload("alice", "a-name.txt", b"a")
    named.upload("alice", "b-name.txt", b"b")
    r = patch(named, a["id"], {"name": "b-name.txt"})
    assert_problem(r, 409, "name_taken")
    assert named.call("GET", f"/api/files/{a['id']}", "alice").json()["name"] == "a-name.txt"
    # Changing only the description needs no rename: 200 at once.
    r = patch(named, a["id"], {"description": "just words"})
    assert r.status == 200 and r.json()["description"] == "just words"


def drained(dep, timeout=30):
    """Waits until no event is waiting or in hand (/metrics arca_queue_depth 0)."""
    deadline = time.monotonic() + timeout
    while True:
        text = dep.call("GET", "/metrics").body.decode()
        depth = [l for l in text.splitlines() if l.startswith("arca_queue_depth ")]
        if depth == ["arca_queue_depth 0"]:
            return
        assert time.monotonic() < deadline, depth
        time.sleep(0.2)


def test_a_file_deleted_while_its_rename_is_queued_leaves_no_object(named):
    rec = named.upload("alice", "short-lived.txt", b"x")
    assert patch(named, rec["id"], {"name": "renamed-short-lived.txt"}).status == 202
    assert named.call("DELETE", f"/api/files/{rec['id']}", "alice").status == 202
    # Deleter and renamer race; whichever order they run in, once both
    # events are settled neither the old key nor a copy under the new one is left.
    drained(named)
    if h.TEST_BROKER == "kafka":
        time.sleep(1.0)  # consumer lag trails acks by up to 0.5 s
        drained(named)
    assert not any("short-lived" in k for k in object_keys(named.server)), object_keys(named.server)
    assert named.call("GET", f"/api/files/{rec['id']}", "alice").status == 404


def test_the_old_name_is_free_again_after_a_rename(named):
    rec = named.upload("alice", "reuse.txt", b"old")
    assert patch(named, rec["id"], {"name": "reused.txt"}).status == 202
    wait_for(named, rec["id"], lambda f: f["name"] == "reused.txt")
    again = named.upload("alice", "reuse.txt", b"new file, same old name")
    assert download(named, again["id"]).body == b"new file, same old name"
    assert download(named, rec["id"]).body == b"old"


def test_the_mirror_holds_in_the_named_layout(named):
    # Everything above has drained: the reconciler compares users/ keys with rows.
    time.sleep(1)
    r = run_cli(["reconcile", "--json", "--grace", "0s", "--data-dir", str(named.server.data_dir)],
                env=named.server.env, timeout=120)
    summary = json.loads(r.stdout)
    assert r.returncode == 0 and summary["differences"] == 0, r.stdout
    assert summary["scanned"]["objects"] >= 8 and summary["scanned"]["objects"] == summary["scanned"]["rows"]
