"""Downloads through presigned links: bytes, names, ranges, redirects, tampering, expiry."""

import datetime as dt
import os
import time
import urllib.parse

import pytest

from arca_harness import assert_problem, fetch_url, minimal_pdf

NAME = "relatório final.pdf"


@pytest.fixture(scope="module")
def pdf():
    return minimal_pdf("download me " + os.urandom(16).hex())


@pytest.fixture(scope="module")
def stored(dep, pdf):
    return dep.upload("alice", NAME, pdf, content_type="application/octet-stream")


@pytest.fixture(scope="module")
def short_lived(arca):
    return arca.deployment("ttl", users=(("alice", False),), env=arca.base_env(ARCA_PRESIGN_TTL="1s"))


def link(dep, file_id, user="alice"):
    r = dep.call("GET", f"/api/files/{file_id}/download", user)
    assert r.status == 200, r
    return r.json()


def with_query(url, **changes):
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    q = [(k, changes.get(k, v)) for k, v in q]
    return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q, quote_via=urllib.parse.quote)))


def test_download_answers_url_and_future_expiry(dep, stored):
    body = link(dep, stored["id"])
    assert set(body) >= {"url", "expires_at"}
    assert body["url"].startswith("http://127.0.0.1:")
    expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    now = dt.datetime.now(dt.timezone.utc)
    assert now < expires <= now + dt.timedelta(minutes=5, seconds=5), body["expires_at"]


def test_link_returns_the_exact_bytes_without_a_token(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"])
    assert r.status == 200, r
    assert r.body == pdf
    assert r.header("Content-Length") == str(len(pdf))
    assert r.header("Content-Type", "").startswith("application/pdf")


def test_link_sets_attachment_disposition_with_the_utf8_name(dep, stored):
    r = fetch_url(link(dep, stored["id"])["url"])
    cd = r.header("Content-Disposition", "")
    assert cd.startswith("attachment"), cd
    assert "filename*=UTF-8''relat%C3%B3rio%20final.pdf" in cd, cd
    assert 'filename="' in cd  # an ASCII fallback for old clients


def test_range_first_ten_bytes_is_206(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": "bytes=0-9"})
    assert r.status == 206, r
    assert r.body == pdf[:10]
    assert r.header("Content-Range") == f"bytes 0-9/{len(pdf)}"
    assert r.header("Content-Length") == "10"


def test_range_in_the_middle_is_206(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": "bytes=20-29"})
    assert r.status == 206 and r.body == pdf[20:30]
    assert r.header("Content-Range") == f"bytes 20-29/{len(pdf)}"


def test_open_ended_range_is_206(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": "bytes=100-"})
    assert r.status == 206 and r.body == pdf[100:]
    assert r.header("Content-Range") == f"bytes 100-{len(pdf) - 1}/{len(pdf)}"


def test_suffix_range_returns_the_last_bytes(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": "bytes=-5"})
    assert r.status == 206, r
    assert r.body == pdf[-5:]
    assert r.header("Content-Range") == f"bytes {len(pdf) - 5}-{len(pdf) - 1}/{len(pdf)}"


@pytest.mark.local_store
def test_unsatisfiable_range_is_416(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": f"bytes={len(pdf)}-{len(pdf) + 10}"})
    assert_problem(r, 416)
    assert r.header("Content-Range") == f"bytes */{len(pdf)}"


@pytest.mark.local_store
def test_redirect_true_answers_302_to_a_working_link(dep, stored, pdf):
    r = dep.call("GET", f"/api/files/{stored['id']}/download?redirect=true", "alice")
    assert r.status == 302, r
    location = r.header("Location")
    assert location and "/blob/" in location
    target = location if location.startswith("http") else dep.server.base_url + location
    got = fetch_url(target)
    assert got.status == 200 and got.body == pdf


@pytest.mark.local_store
def test_link_with_an_altered_signature_is_403_invalid_link(dep, stored):
    url = link(dep, stored["id"])["url"]
    sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["sig"][0]
    bad = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    r = fetch_url(with_query(url, sig=bad))
    assert_problem(r, 403, "invalid_link")
    assert b"%PDF" not in r.body


@pytest.mark.local_store
def test_link_with_an_extended_expiry_is_403_invalid_link(dep, stored):
    url = link(dep, stored["id"])["url"]
    exp = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["exp"][0]
    r = fetch_url(with_query(url, exp=str(int(exp) + 3600)))
    assert_problem(r, 403, "invalid_link")


@pytest.mark.local_store
def test_link_with_a_changed_name_or_type_is_403_invalid_link(dep, stored):
    url = link(dep, stored["id"])["url"]
    assert_problem(fetch_url(with_query(url, name="evil.html")), 403, "invalid_link")
    assert_problem(fetch_url(with_query(url, type="text/html")), 403, "invalid_link")


@pytest.mark.local_store
def test_link_to_another_object_with_the_same_signature_is_403(dep, stored):
    other = dep.upload("alice", "other.txt", b"another object")
    url = link(dep, stored["id"])["url"]
    other_url = link(dep, other["id"])["url"]
    other_path = urllib.parse.urlsplit(other_url).path
    forged = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=other_path))
    assert_problem(fetch_url(forged), 403, "invalid_link")


@pytest.mark.local_store
def test_link_without_signature_is_403(dep, stored):
    url = link(dep, stored["id"])["url"]
    u = urllib.parse.urlsplit(url)
    q = [(k, v) for k, v in urllib.parse.parse_qsl(u.query) if k != "sig"]
    r = fetch_url(urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q))))
    assert_problem(r, 403, "invalid_link")


@pytest.mark.local_store
def test_expired_link_is_403_link_expired(short_lived):
    rec = short_lived.upload("alice", "brief.txt", b"here for a second")
    url = link(short_lived, rec["id"])["url"]
    assert fetch_url(url).status == 200  # works while fresh
    time.sleep(2.5)
    r = fetch_url(url)
    assert_problem(r, 403, "link_expired")
    assert b"here for a second" not in r.body
    # A new link works again.
    fresh = fetch_url(link(short_lived, rec["id"])["url"])
    assert fresh.status == 200 and fresh.body == b"here for a second"


def test_download_of_an_unknown_file_is_404(dep):
    r = dep.call("GET", "/api/files/01a00000-0000-7000-8000-000000000000/download", "alice")
    assert_problem(r, 404, "file_not_found")


def test_empty_file_downloads_as_zero_bytes(dep):
    rec = dep.upload("alice", "nothing.txt", b"")
    r = fetch_url(link(dep, rec["id"])["url"])
    assert r.status == 200, r
    assert r.body == b"" and r.header("Content-Length") == "0"


@pytest.mark.local_store
def test_head_on_a_link_gives_headers_without_body(dep, stored, pdf):
    from arca_harness import http_request, split_url
    host, port, path = split_url(link(dep, stored["id"])["url"])
    r = http_request(host, port, "HEAD", path)
    assert r.status == 200, r
    assert r.header("Content-Length") == str(len(pdf))
    assert r.body == b""


def test_multiple_ranges_fall_back_to_the_whole_file(dep, stored, pdf):
    r = fetch_url(link(dep, stored["id"])["url"], headers={"Range": "bytes=0-1,4-5"})
    assert r.status in (200, 206), r
    if r.status == 200:
        assert r.body == pdf
    else:
        assert r.header("Content-Type", "").startswith("multipart/byteranges")


def test_link_fetched_many_times_keeps_working_until_expiry(dep, stored, pdf):
    url = link(dep, stored["id"])["url"]
    for _ in range(5):
        r = fetch_url(url)
        assert r.status == 200 and r.body == pdf


@pytest.mark.parametrize("name", ["relatório final.pdf", 'quote"and;semi=colon.txt', "emoji 🎉 party.txt",
                                  "percent%20literal.txt", "back\\slash.txt", "日本語のファイル.txt"])
def test_attachment_filename_star_round_trips_the_exact_name(dep, name):
    rec = dep.upload("alice", name, b"name round trip")
    assert rec["name"] == name
    r = fetch_url(link(dep, rec["id"])["url"])
    assert r.status == 200, r
    cd = r.header("Content-Disposition", "")
    star = [p.strip() for p in cd.split(";") if p.strip().startswith("filename*=")]
    assert len(star) == 1, cd
    value = star[0][len("filename*="):]
    assert value.startswith("UTF-8''"), cd
    assert urllib.parse.unquote(value[len("UTF-8''"):], errors="strict") == name
    # The ASCII fallback is a single quoted, printable token.
    fallback = cd.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and all(32 <= ord(c) < 127 for c in fallback)


@pytest.mark.local_store
def test_link_signature_never_reaches_the_logs(dep, stored):
    url = link(dep, stored["id"])["url"]
    assert fetch_url(url).status == 200
    sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["sig"][0]
    time.sleep(0.1)
    assert sig not in dep.server.stderr_text(), "a download capability was written to the logs"
