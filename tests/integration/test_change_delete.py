"""Changing a file's facts (PATCH) and deleting it."""

import time

import pytest

from arca_harness import assert_problem, fetch_url, minimal_pdf


def fresh(dep, name="relatório final.pdf", **kw):
    kw.setdefault("folder", "inbox")
    kw.setdefault("tags", "draft,q1")
    kw.setdefault("description", "first draft")
    return dep.upload("alice", name, minimal_pdf(name), **kw)


def patch(dep, file_id, body, user="alice"):
    return dep.call("PATCH", f"/api/files/{file_id}", user, json_body=body)


def names(items):
    return [i["name"] for i in items]


# --- PATCH ----------------------------------------------------------------------

def test_rename_with_accents_is_reflected_everywhere(dep):
    rec = fresh(dep, "rascunho velho.pdf")
    r = patch(dep, rec["id"], {"name": "orçamento anual – revisão.pdf"})
    assert r.status == 200, r
    assert r.json()["name"] == "orçamento anual – revisão.pdf"
    assert r.json()["id"] == rec["id"]
    assert dep.call("GET", f"/api/files/{rec['id']}", "alice").json()["name"] == "orçamento anual – revisão.pdf"
    # Search sees the new name, not the old one.
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", q="orcamento")]
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", q="revisão")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice", q="rascunho")]
    assert "orçamento anual – revisão.pdf" in names(dep.list_all("alice", sort="name", order="asc"))


def test_renamed_file_downloads_under_its_new_name(dep):
    rec = fresh(dep, "before.pdf")
    assert patch(dep, rec["id"], {"name": "depois é melhor.pdf"}).status == 200
    url = dep.call("GET", f"/api/files/{rec['id']}/download", "alice").json()["url"]
    got = fetch_url(url)
    assert got.status == 200 and got.body == minimal_pdf("before.pdf")
    assert "filename*=UTF-8''depois%20%C3%A9%20melhor.pdf" in got.header("Content-Disposition", "")


def test_move_to_another_folder(dep):
    rec = fresh(dep, "to-move.pdf", folder="inbox")
    r = patch(dep, rec["id"], {"folder": "archive/2026/março"})
    assert r.status == 200, r
    assert r.json()["folder"] == "archive/2026/março"
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", folder="archive/2026/março")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice", folder="inbox")]


def test_description_change_is_searchable(dep):
    rec = fresh(dep, "described.pdf")
    r = patch(dep, rec["id"], {"description": "contrato assinado pelo cliente"})
    assert r.status == 200 and r.json()["description"] == "contrato assinado pelo cliente"
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", q="assinado")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice", q="first draft")]


def test_tags_are_replaced(dep):
    rec = fresh(dep, "tagged.pdf", tags="old1,old2")
    r = patch(dep, rec["id"], {"tags": ["new", "shiny", "new"]})
    assert r.status == 200, r
    assert r.json()["tags"] == ["new", "shiny"]
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", tag="shiny")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice", tag="old1")]


@pytest.mark.parametrize("status", ["approved", "rejected", "pending"])
def test_review_status_changes(dep, status):
    rec = fresh(dep, f"review-{status}.pdf")
    r = patch(dep, rec["id"], {"status": status})
    assert r.status == 200 and r.json()["status"] == status
    assert rec["id"] in [i["id"] for i in dep.list_all("alice", status=status)]


def test_patch_of_several_fields_at_once_moves_updated_at(dep):
    rec = fresh(dep, "multi.pdf")
    time.sleep(0.01)
    r = patch(dep, rec["id"], {"name": "multi renamed.pdf", "folder": "done", "description": "all at once",
                               "status": "approved", "tags": ["x"]})
    assert r.status == 200, r
    new = r.json()
    assert (new["name"], new["folder"], new["description"], new["status"], new["tags"]) == \
        ("multi renamed.pdf", "done", "all at once", "approved", ["x"])
    assert new["updated_at"] > rec["updated_at"]
    assert new["created_at"] == rec["created_at"]
    # What PATCH does not touch stays as it was.
    assert (new["size"], new["sha256"], new["content_type"], new["owner"]) == \
        (rec["size"], rec["sha256"], rec["content_type"], rec["owner"])


def test_empty_patch_changes_nothing(dep):
    rec = fresh(dep, "empty-patch.pdf")
    r = patch(dep, rec["id"], {})
    assert r.status == 200
    assert r.json()["name"] == rec["name"] and r.json()["tags"] == rec["tags"]


@pytest.mark.parametrize("body", [{"status": "archived"}, {"status": 1}, {"status": None}])
def test_invalid_status_is_400(dep, body):
    rec = fresh(dep, "bad-status.pdf")
    assert_problem(patch(dep, rec["id"], body), 400)
    assert dep.call("GET", f"/api/files/{rec['id']}", "alice").json()["status"] == "pending"


def test_unknown_field_is_400_and_nothing_changes(dep):
    rec = fresh(dep, "unknown-field.pdf")
    doc = assert_problem(patch(dep, rec["id"], {"name": "changed.pdf", "owner": "bob"}), 400)
    assert "owner" in doc["detail"]
    assert dep.call("GET", f"/api/files/{rec['id']}", "alice").json()["name"] == "unknown-field.pdf"


@pytest.mark.parametrize("body,code", [({"name": "a/b.pdf"}, "invalid_name"), ({"name": ""}, "invalid_name"),
                                       ({"tags": "not-a-list"}, None), ({"folder": "a//b"}, None),
                                       ({"name": 42}, None)])
def test_invalid_values_are_400(dep, body, code):
    rec = fresh(dep, "invalid-values.pdf")
    assert_problem(patch(dep, rec["id"], body), 400, code)


def test_patch_body_that_is_not_json_is_400(dep):
    rec = fresh(dep, "not-json.pdf")
    r = dep.call("PATCH", f"/api/files/{rec['id']}", "alice", body=b"name=x",
                 headers={"Content-Type": "application/json"})
    assert_problem(r, 400)


# --- DELETE ---------------------------------------------------------------------

def object_paths(dep, file_id):
    return [p for p in dep.server.object_files() if file_id in str(p)]


@pytest.mark.local_store
def test_delete_is_202_and_the_file_vanishes_at_once(dep):
    rec = fresh(dep, "to delete.pdf")
    assert object_paths(dep, rec["id"]), "precondition: the object is on disk"
    r = dep.call("DELETE", f"/api/files/{rec['id']}", "alice")
    assert r.status == 202, r
    assert r.json() == {"id": rec["id"], "state": "deleting"}
    assert_problem(dep.call("GET", f"/api/files/{rec['id']}", "alice"), 404, "file_not_found")
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("root")]
    assert rec["id"] not in [i["id"] for i in dep.list_all("alice", q="delete")]
    assert_problem(dep.call("GET", f"/api/files/{rec['id']}/download", "alice"), 404, "file_not_found")
    assert_problem(patch(dep, rec["id"], {"name": "zombie.pdf"}), 404, "file_not_found")


@pytest.mark.local_store
def test_deleted_object_leaves_the_disk_and_a_second_delete_is_404(dep):
    rec = fresh(dep, "gone soon.pdf")
    assert object_paths(dep, rec["id"])
    assert dep.call("DELETE", f"/api/files/{rec['id']}", "alice").status == 202
    deadline = time.monotonic() + 5
    while object_paths(dep, rec["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert object_paths(dep, rec["id"]) == [], "object (or its metadata) still on disk 5 s after DELETE"
    assert_problem(dep.call("DELETE", f"/api/files/{rec['id']}", "alice"), 404, "file_not_found")
    assert_problem(dep.call("GET", f"/api/files/{rec['id']}", "root"), 404, "file_not_found")


def test_old_download_link_stops_working_after_delete(dep):
    rec = fresh(dep, "linked.pdf")
    url = dep.call("GET", f"/api/files/{rec['id']}/download", "alice").json()["url"]
    assert fetch_url(url).status == 200
    assert dep.call("DELETE", f"/api/files/{rec['id']}", "alice").status == 202
    # The deleter removes the object in the background; the link dies with it (whatever the store).
    deadline = time.monotonic() + 10
    r = fetch_url(url)
    while r.status == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
        r = fetch_url(url)
    assert r.status == 404, r
    assert minimal_pdf("linked.pdf") not in r.body


def test_admin_can_delete_another_users_file(dep):
    rec = fresh(dep, "admin removes.pdf")
    assert dep.call("DELETE", f"/api/files/{rec['id']}", "root").status == 202
    assert_problem(dep.call("GET", f"/api/files/{rec['id']}", "alice"), 404, "file_not_found")


@pytest.mark.local_store
def test_deleting_one_file_leaves_the_others(dep):
    keep = fresh(dep, "keep me.pdf")
    drop = fresh(dep, "drop me.pdf")
    assert dep.call("DELETE", f"/api/files/{drop['id']}", "alice").status == 202
    time.sleep(0.5)
    r = dep.call("GET", f"/api/files/{keep['id']}", "alice")
    assert r.status == 200 and r.json()["state"] == "ready"
    assert object_paths(dep, keep["id"])
