"""Another user's file is indistinguishable from a file that does not exist."""

import uuid

import pytest

from arca_harness import assert_problem, minimal_pdf

MISSING_ID = "01a00000-0000-7000-8000-00000000abcd"


@pytest.fixture(scope="module")
def alices(dep):
    return dep.upload("alice", "alice private.pdf", minimal_pdf("private"), folder="private", tags="secret")


ACTIONS = [
    ("GET", "/api/files/{id}", None),
    ("PATCH", "/api/files/{id}", {"name": "stolen.pdf"}),
    ("DELETE", "/api/files/{id}", None),
    ("GET", "/api/files/{id}/download", None),
    ("GET", "/api/files/{id}/download?redirect=true", None),
]


def strip_id(doc, file_id):
    doc = dict(doc)
    doc["detail"] = doc["detail"].replace(file_id, "<id>")
    return doc


@pytest.mark.parametrize("method,path,body", ACTIONS)
def test_other_users_file_is_404_file_not_found_like_a_missing_one(dep, alices, method, path, body):
    theirs = dep.call(method, path.format(id=alices["id"]), "bob", json_body=body)
    missing = dep.call(method, path.format(id=MISSING_ID), "bob", json_body=body)
    doc_theirs = assert_problem(theirs, 404, "file_not_found")
    doc_missing = assert_problem(missing, 404, "file_not_found")
    # Same shape and wording, apart from the id itself: the answer leaks nothing.
    assert strip_id(doc_theirs, alices["id"]) == strip_id(doc_missing, MISSING_ID)
    assert "Location" not in theirs.headers


def test_random_uuid_and_malformed_ids_are_404_file_not_found(dep):
    for file_id in (str(uuid.uuid4()), "not-a-uuid", "0" * 36, "01A00000-0000-7000-8000-00000000ABCD"):
        assert_problem(dep.call("GET", f"/api/files/{file_id}", "alice"), 404, "file_not_found")


def test_failed_attempts_by_another_user_change_nothing(dep, alices):
    dep.call("PATCH", f"/api/files/{alices['id']}", "bob", json_body={"name": "stolen.pdf", "status": "rejected"})
    dep.call("DELETE", f"/api/files/{alices['id']}", "bob")
    r = dep.call("GET", f"/api/files/{alices['id']}", "alice")
    assert r.status == 200, r
    rec = r.json()
    assert rec["name"] == "alice private.pdf"
    assert rec["status"] == "pending"
    assert rec["state"] == "ready"
    assert rec["updated_at"] == alices["updated_at"]


def test_admin_can_read_another_users_file(dep, alices):
    r = dep.call("GET", f"/api/files/{alices['id']}", "root")
    assert r.status == 200, r
    assert r.json()["owner"]["username"] == "alice"
    assert r.json()["sha256"] == alices["sha256"]


def test_admin_can_get_a_download_link_for_another_users_file(dep, alices):
    from arca_harness import fetch_url
    r = dep.call("GET", f"/api/files/{alices['id']}/download", "root")
    assert r.status == 200, r
    got = fetch_url(r.json()["url"])
    assert got.status == 200 and got.body == minimal_pdf("private")


def test_owner_still_reaches_their_file(dep, alices):
    assert dep.call("GET", f"/api/files/{alices['id']}", "alice").status == 200
    assert dep.call("GET", f"/api/files/{alices['id']}/download", "alice").status == 200
