"""Listing and searching: filters, full-text search, sorting, keyset pagination, visibility."""

import datetime as dt
import os
import urllib.parse

import pytest

from arca_harness import assert_problem, minimal_pdf, tiny_png

USERS = (("root", True), ("alice", False), ("bob", False), ("carol", False))
RECORD_KEYS = {"id", "name", "folder", "project", "owner", "size", "content_type", "sha256", "description",
               "tags", "status", "state", "created_at", "updated_at"}


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# name -> (owner, bytes, folder, tags, description, declared type)
def corpus_spec():
    return {
        "relatório final.pdf": ("alice", minimal_pdf("final report"), "reports/2026", "finance,q1",
                                "numbers for the board", "application/octet-stream"),
        "budget 2026.csv": ("alice", b"item,amount\n" + b"pencils,10\n" * 90, "reports", "finance",
                            "spreadsheet with the zebra inventory", "text/csv"),
        "holiday photo.png": ("alice", tiny_png((0, 128, 255)), "images", "holiday", "", "image/png"),
        "scan.pdf": ("alice", minimal_pdf("scan " + "x" * 5000), "scans", "archive", "scanned contract",
                     "application/pdf"),
        "notes.txt": ("alice", b"meeting notes\n" * 230, "notes", "", "weekly meeting", "text/plain"),
        "bob report.pdf": ("bob", minimal_pdf("bob " + "y" * 1500), "reports/2026", "finance",
                           "bob's relatório", "application/pdf"),
        "bob cat.png": ("bob", tiny_png((10, 10, 10)) + b"\x00" * 7, "images", "pets", "", "image/png"),
        "bob data.bin": ("bob", os.urandom(2500), "misc", "", "", "application/octet-stream"),
    }


@pytest.fixture(scope="module")
def world(arca):
    dep = arca.deployment("list", users=USERS)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    records = {}
    for name, (owner, data, folder, tags, desc, ctype) in corpus_spec().items():
        records[name] = dep.upload(owner, name, data, folder=folder, tags=tags, description=desc,
                                   content_type=ctype)
    sizes = [r["size"] for r in records.values()]
    assert len(set(sizes)) == len(sizes), "corpus sizes must differ for the size-sort checks"
    return dep, records, start


def names(items):
    return [i["name"] for i in items]


def of(records, owner):
    return {n for n, r in records.items() if r["owner"]["username"] == owner}


def listing(dep, user, **params):
    r = dep.list_files(user, **params)
    assert r.status == 200, r
    body = r.json()
    assert set(body) >= {"items", "next_cursor"}, body
    return body


def test_listing_items_are_full_records(world):
    dep, records, _ = world
    items = listing(dep, "alice")["items"]
    assert items
    for item in items:
        assert RECORD_KEYS <= set(item), set(item) ^ RECORD_KEYS
        assert isinstance(item["tags"], list)


def test_owner_me_type_pdf_uploaded_after_returns_only_my_pdfs(world):
    dep, records, start = world
    body = listing(dep, "alice", owner="me", type="pdf", uploaded_after=rfc3339(start))
    assert set(names(body["items"])) == {"relatório final.pdf", "scan.pdf"}
    assert all(i["owner"]["username"] == "alice" for i in body["items"])
    # The same question asked by the admin about alice.
    body = listing(dep, "root", owner=dep.user_id("alice"), type="pdf", uploaded_after=rfc3339(start))
    assert set(names(body["items"])) == {"relatório final.pdf", "scan.pdf"}
    # The admin owns nothing.
    assert listing(dep, "root", owner="me", type="pdf")["items"] == []


def test_uploaded_after_and_before_bound_the_time_window(world):
    dep, records, start = world
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert listing(dep, "alice", uploaded_after=rfc3339(future))["items"] == []
    assert listing(dep, "alice", uploaded_before=rfc3339(start))["items"] == []
    inside = listing(dep, "alice", uploaded_after=rfc3339(start), uploaded_before=rfc3339(future))
    assert of(records, "alice") <= set(names(inside["items"]))
    # Offsets other than Z work too ('+' must survive the query string).
    offset = start.astimezone(dt.timezone(dt.timedelta(hours=3))).strftime("%Y-%m-%dT%H:%M:%S+03:00")
    assert of(records, "alice") <= set(names(listing(dep, "alice", uploaded_after=offset)["items"]))


def test_type_by_exact_mime(world):
    dep, records, _ = world
    body = listing(dep, "root", type="application/pdf")
    assert set(names(body["items"])) == {"relatório final.pdf", "scan.pdf", "bob report.pdf"}
    assert all(i["content_type"] == "application/pdf" for i in body["items"])
    assert set(names(listing(dep, "alice", type="application/pdf")["items"])) == {"relatório final.pdf", "scan.pdf"}


def test_type_by_mime_prefix_finds_real_pngs(world):
    dep, records, _ = world
    body = listing(dep, "root", type="image/*")
    assert set(names(body["items"])) == {"holiday photo.png", "bob cat.png"}
    assert all(i["content_type"] == "image/png" for i in body["items"])
    assert names(listing(dep, "alice", type="image/*")["items"]) == ["holiday photo.png"]
    assert listing(dep, "root", type="video/*")["items"] == []


def test_type_by_extension(world):
    dep, records, _ = world
    assert names(listing(dep, "alice", type="csv")["items"]) == ["budget 2026.csv"]
    assert set(names(listing(dep, "root", type="png")["items"])) == {"holiday photo.png", "bob cat.png"}


@pytest.mark.parametrize("q,expected", [
    ("budget", {"budget 2026.csv"}),                 # a word of the name
    ("zebra", {"budget 2026.csv"}),                  # a word of the description
    ("board", {"relatório final.pdf"}),              # description
    ("relat", {"relatório final.pdf"}),              # a prefix
    ("relatorio", {"relatório final.pdf"}),          # without the accent
    ("relatório", {"relatório final.pdf"}),          # with it
    ("RELATÓRIO", {"relatório final.pdf"}),          # any case
    ("relatorio final", {"relatório final.pdf"}),    # all words must match
    ("relatorio zebra", set()),
    ("meeting", {"notes.txt"}),
    ("nothingmatchesthis", set()),
])
def test_q_searches_words_in_name_and_description(world, q, expected):
    dep, records, _ = world
    assert set(names(listing(dep, "alice", q=q)["items"])) == expected


def test_q_with_search_syntax_characters_is_harmless(world):
    dep, _, _ = world
    for q in ['"', "relat*", "budget OR zebra", "NEAR(a b)", "a:b", "(", "-x", "'; DROP TABLE files; --"]:
        r = dep.list_files("alice", q=q)
        assert r.status in (200, 400), (q, r)
        if r.status == 400:
            assert_problem(r, 400, "invalid_parameter")
    assert listing(dep, "alice", q="budget")["items"]  # still intact


def test_folder_filter(world):
    dep, records, _ = world
    body = listing(dep, "alice", folder="reports/2026")
    assert names(body["items"]) == ["relatório final.pdf"]
    body = listing(dep, "root", folder="reports/2026")
    assert set(names(body["items"])) == {"relatório final.pdf", "bob report.pdf"}
    assert all(i["folder"] == "reports/2026" for i in body["items"])
    assert "budget 2026.csv" in names(listing(dep, "alice", folder="reports")["items"])
    assert listing(dep, "alice", folder="no/such/folder")["items"] == []


def test_tag_filter(world):
    dep, records, _ = world
    assert set(names(listing(dep, "alice", tag="finance")["items"])) == {"relatório final.pdf", "budget 2026.csv"}
    assert set(names(listing(dep, "root", tag="finance")["items"])) == {
        "relatório final.pdf", "budget 2026.csv", "bob report.pdf"}
    assert names(listing(dep, "alice", tag="holiday")["items"]) == ["holiday photo.png"]
    assert listing(dep, "alice", tag="fin")["items"] == []  # tags match whole


def test_status_filter_follows_review_changes(world):
    dep, records, _ = world
    scan = records["scan.pdf"]
    r = dep.call("PATCH", f"/api/files/{scan['id']}", "alice", json_body={"status": "approved"})
    assert r.status == 200, r
    assert names(listing(dep, "alice", status="approved")["items"]) == ["scan.pdf"]
    pending = set(names(listing(dep, "alice", status="pending")["items"]))
    assert "scan.pdf" not in pending and "notes.txt" in pending
    assert listing(dep, "alice", status="rejected")["items"] == []


def test_state_filter(world):
    dep, records, _ = world
    assert of(records, "alice") == set(names(listing(dep, "alice", state="ready")["items"]))
    assert listing(dep, "alice", state="missing")["items"] == []


def test_min_and_max_size_are_inclusive_bounds(world):
    dep, records, _ = world
    mine = {n: records[n]["size"] for n in of(records, "alice")}
    ordered = sorted(mine.items(), key=lambda kv: kv[1])
    lo, hi = ordered[1][1], ordered[3][1]
    body = listing(dep, "alice", min_size=lo, max_size=hi)
    assert set(names(body["items"])) == {n for n, s in mine.items() if lo <= s <= hi}
    assert len(body["items"]) == 3
    assert set(names(listing(dep, "alice", min_size=ordered[-1][1])["items"])) == {ordered[-1][0]}
    assert set(names(listing(dep, "alice", max_size=ordered[0][1])["items"])) == {ordered[0][0]}
    assert listing(dep, "alice", min_size=10 ** 12)["items"] == []


def test_sort_by_name_ascending_and_descending(world):
    dep, records, _ = world
    mine = sorted(of(records, "alice"))
    assert names(listing(dep, "alice", sort="name", order="asc")["items"]) == mine
    assert names(listing(dep, "alice", sort="name", order="desc")["items"]) == mine[::-1]


def test_sort_by_size(world):
    dep, records, _ = world
    items = listing(dep, "root", sort="size", order="desc")["items"]
    sizes = [i["size"] for i in items]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) >= 8
    items = listing(dep, "root", sort="size", order="asc")["items"]
    sizes = [i["size"] for i in items]
    assert sizes == sorted(sizes)


def test_sort_by_created_at(world):
    dep, records, _ = world
    items = listing(dep, "alice", sort="created_at", order="asc")["items"]
    stamps = [i["created_at"] for i in items]
    assert stamps == sorted(stamps)
    assert names(items) == [n for n in corpus_spec() if corpus_spec()[n][0] == "alice"]  # upload order


def walk(dep, user, limit, **params):
    seen, pages, cursor = [], 0, None
    while True:
        p = dict(params, limit=limit)
        if cursor:
            p["cursor"] = cursor
        body = listing(dep, user, **p)
        pages += 1
        assert len(body["items"]) <= limit
        seen.extend(i["id"] for i in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert body["items"], "a page with a next_cursor must not be empty"
        assert pages < 100, "pagination does not end"


@pytest.mark.parametrize("params", [{}, {"sort": "name", "order": "asc"}, {"sort": "size", "order": "desc"},
                                    {"sort": "created_at", "order": "asc"}, {"sort": "name", "order": "desc"}])
def test_pagination_walks_every_file_once(world, params):
    dep, records, _ = world
    full = [i["id"] for i in listing(dep, "root", limit=1000, **params)["items"]]
    seen, pages = walk(dep, "root", 3, **params)
    assert len(seen) == len(set(seen)), "a file appeared on two pages"
    assert seen == full, "pages in a different order, or with gaps, than the one-page listing"
    assert pages == -(-len(full) // 3)


def test_last_page_has_null_next_cursor(world):
    dep, records, _ = world
    body = listing(dep, "alice", limit=1000)
    assert body["next_cursor"] is None
    body = listing(dep, "alice", limit=2)
    assert isinstance(body["next_cursor"], str) and body["next_cursor"]


def test_cursor_stays_valid_while_new_files_arrive(world):
    dep, _, _ = world
    first = {dep.upload("carol", f"carol-{i}.txt", f"carol file {i}\n".encode() * (i + 1), folder="carol")["id"]
             for i in range(7)}
    for params in ({}, {"sort": "name", "order": "asc"}):
        seen = []
        body = listing(dep, "carol", limit=3, **params)
        seen += [i["id"] for i in body["items"]]
        n = 0
        while body["next_cursor"]:
            # Insert between page fetches; some new names sort before, some after the cursor.
            for name in (f"a-new-{len(seen)}-{n}.txt", f"zz-new-{len(seen)}-{n}.txt"):
                dep.upload("carol", name, b"late arrival " + name.encode(), folder="carol")
            n += 1
            body = listing(dep, "carol", limit=3, cursor=body["next_cursor"], **params)
            seen += [i["id"] for i in body["items"]]
        assert len(seen) == len(set(seen)), f"duplicates across pages with {params}"
        assert first <= set(seen), f"files present from the start were skipped with {params}"


@pytest.mark.parametrize("param,value", [
    ("limit", "0"), ("limit", "1001"), ("limit", "ten"), ("limit", "-1"),
    ("sort", "bogus"), ("order", "sideways"),
    ("uploaded_after", "yesterday"), ("uploaded_before", "2026-13-01T00:00:00Z"),
    ("uploaded_after", "2026-01-01T00:00:00"),  # no offset
    ("min_size", "-1"), ("max_size", "big"),
    ("status", "archived"), ("state", "exploded"),
    ("cursor", "not-a-cursor"),
    ("colour", "blue"),  # unknown parameter
])
def test_bad_parameter_is_400_naming_it(world, param, value):
    dep, _, _ = world
    r = dep.call("GET", f"/api/files?{param}={urllib.parse.quote(value)}", "alice")
    doc = assert_problem(r, 400, "invalid_parameter")
    assert param in doc["detail"], doc


def test_repeated_parameter_is_400(world):
    dep, _, _ = world
    doc = assert_problem(dep.call("GET", "/api/files?limit=1&limit=2", "alice"), 400, "invalid_parameter")
    assert "limit" in doc["detail"]


def test_cursor_from_another_sort_is_400(world):
    dep, _, _ = world
    cursor = listing(dep, "root", limit=2, sort="name", order="asc")["next_cursor"]
    assert cursor
    doc = assert_problem(dep.call("GET", f"/api/files?limit=2&sort=size&cursor={cursor}", "root"),
                         400, "invalid_parameter")
    assert "cursor" in doc["detail"]


def test_other_users_files_never_show_for_a_non_admin(world):
    dep, records, _ = world
    bobs = of(records, "bob")
    assert set(names(listing(dep, "bob", limit=1000)["items"])) == bobs
    assert set(names(listing(dep, "alice", limit=1000)["items"])) == of(records, "alice")
    assert listing(dep, "bob", owner=dep.user_id("alice"))["items"] == []
    assert set(names(listing(dep, "bob", q="relatorio")["items"])) == {"bob report.pdf"}
    assert set(names(listing(dep, "bob", tag="finance")["items"])) == {"bob report.pdf"}
    assert set(names(listing(dep, "bob", type="application/pdf")["items"])) == {"bob report.pdf"}
    seen, _ = walk(dep, "bob", 1)
    assert {i for i in seen} == {records[n]["id"] for n in bobs}


def test_admin_sees_everyones_files(world):
    dep, records, _ = world
    everything = set(names(listing(dep, "root", limit=1000)["items"]))
    assert set(records) <= everything
    owners = {i["owner"]["username"] for i in listing(dep, "root", limit=1000)["items"]}
    assert {"alice", "bob"} <= owners


def test_pagination_breaks_ties_between_equal_sort_values(arca):
    """Many files of the same size (and names with the cursor's separator): keyset needs the id tiebreak."""
    dep = arca.deployment("ties", users=(("dora", False),))
    ids = set()
    for i in range(9):
        name = f"same|size|{i}.txt" if i % 2 else f"same size {i}.txt"
        ids.add(dep.upload("dora", name, b"exactly thirty-two bytes long!!\n")["id"])
    for params in ({"sort": "size", "order": "desc"}, {"sort": "size", "order": "asc"},
                   {"sort": "name", "order": "asc"}, {}):
        seen, _ = walk(dep, "dora", 2, **params)
        assert len(seen) == len(set(seen)), f"duplicates with {params}"
        assert set(seen) == ids, f"gaps with {params}"


def test_admin_can_filter_by_another_owner(world):
    dep, records, _ = world
    body = listing(dep, "root", owner=dep.user_id("bob"), limit=1000)
    assert set(names(body["items"])) == of(records, "bob")


def test_default_page_size_is_fifty(arca):
    dep = arca.deployment("fifty", users=(("erin", False),), env=arca.base_env(ARCA_WRITE_MODE="sync"))
    for i in range(53):
        assert dep.upload_raw("erin", f"f{i:03d}.txt", b"x" * (i + 1)).status == 201
    body = listing(dep, "erin")
    assert len(body["items"]) == 50
    assert body["next_cursor"]
    rest = listing(dep, "erin", cursor=body["next_cursor"])
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
