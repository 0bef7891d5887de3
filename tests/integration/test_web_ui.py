"""The web UI as `arca serve` serves it: the built files from ARCA_WEB_DIR,
with a strict Content-Security-Policy, safe paths and the right caching,
without touching the API's routing. (The UI itself is tested in a browser
by scripts/test-web.)"""

import os
import shutil

import pytest

import arca_harness as h
from arca_harness import assert_problem

INDEX = b"<!doctype html><html><head><script type=module src=/assets/app-3f2a1b.js></script></head><body></body></html>\n"
JS = b"console.log('arca');\n"
CSS = b"body{margin:0}\n"
SECRET = b"top secret: outside the web dir\n"

REQUIRED_CSP = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
]


def make_web_dir(root):
    """A small built UI, with a secret beside it and traps inside it."""
    web = root / "dist"
    (web / "assets" / "img").mkdir(parents=True)
    (web / "index.html").write_bytes(INDEX)
    (web / "assets" / "app-3f2a1b.js").write_bytes(JS)
    (web / "assets" / "app-9c8d7e.css").write_bytes(CSS)
    (web / "assets" / "img" / "logo-1a2b.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (web / "assets" / ".hidden").write_bytes(SECRET)
    (root / "secret.txt").write_bytes(SECRET)
    os.symlink(root / "secret.txt", web / "assets" / "link-out.txt")
    return web


@pytest.fixture(scope="module")
def web(arca, tmp_path_factory):
    root = tmp_path_factory.mktemp("webui")
    dist = make_web_dir(root)
    server = arca.server("web", env=arca.base_env(ARCA_WEB_DIR=str(dist)))
    return server


def csp_of(resp):
    return [d.strip() for d in (resp.header("Content-Security-Policy") or "").split(";") if d.strip()]


def test_index_is_the_built_page_with_a_strict_csp(web):
    r = web.request("GET", "/")
    assert r.status == 200, r
    assert r.body == INDEX
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert csp_of(r) == REQUIRED_CSP
    assert "unsafe-inline" not in r.header("Content-Security-Policy")
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Cache-Control") == "no-cache"  # a new build reaches browsers at once


def test_ui_needs_no_token_but_the_api_still_does(web):
    assert web.request("GET", "/").status == 200
    assert web.request("GET", "/assets/app-3f2a1b.js").status == 200
    assert_problem(web.request("GET", "/api/files"), 401)


@pytest.mark.parametrize("path,ctype,body", [
    ("/assets/app-3f2a1b.js", "text/javascript; charset=utf-8", JS),
    ("/assets/app-9c8d7e.css", "text/css; charset=utf-8", CSS),
    ("/assets/img/logo-1a2b.svg", "image/svg+xml", None),
])
def test_hashed_assets_have_their_type_and_are_cached_for_good(web, path, ctype, body):
    r = web.request("GET", path)
    assert r.status == 200, r
    assert r.header("Content-Type") == ctype
    assert r.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert r.header("X-Content-Type-Options") == "nosniff"
    if body is not None:
        assert r.body == body


def test_head_answers_like_get_without_a_body(web):
    r = web.request("HEAD", "/assets/app-3f2a1b.js")
    assert r.status == 200
    assert r.header("Content-Type") == "text/javascript; charset=utf-8"
    assert r.body == b""


@pytest.mark.parametrize("path", [
    "/assets/../secret.txt",
    "/assets/../../secret.txt",
    "/assets/%2e%2e/secret.txt",
    "/assets/..%2fsecret.txt",
    "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/assets/img/../../../secret.txt",
    "/assets/..%5csecret.txt",
    "/assets/%2fetc%2fpasswd",
    "/assets//etc/passwd",
    "/assets/./app-3f2a1b.js",
    "/assets/.hidden",
    "/assets/link-out.txt",  # a symlink that leads out of the UI
    "/assets/app-3f2a1b.js%00.png",
    "/assets/missing-0000.js",
    "/assets/img",
])
def test_paths_outside_the_built_files_are_refused(web, path):
    r = web.request("GET", path)
    assert_problem(r, 404)
    assert SECRET not in r.body
    assert b"root:" not in r.body


def test_api_paths_stay_json_problems(web):
    for path in ("/api/nope", "/api/files/x/y/z", "/api/assets/app-3f2a1b.js", "/api"):
        assert_problem(web.request("GET", path), 404, "route_not_found")
    r = web.request("DELETE", "/assets/app-3f2a1b.js")
    assert_problem(r, 405)
    assert r.header("Allow") == "GET"


def test_other_paths_are_not_the_ui(web):
    # The app lives at "/" with its state in the query string, so other
    # paths need no fallback to index.html: they stay 404 problems.
    assert_problem(web.request("GET", "/nothing-here"), 404, "route_not_found")
    assert_problem(web.request("GET", "/index.html/x"), 404)
    assert web.request("GET", "/?q=relat%C3%B3rio&type=pdf").body == INDEX


def test_the_ui_stays_out_of_the_openapi_document(web):
    doc = web.request("GET", "/api/openapi.json").json()
    assert not [p for p in doc["paths"] if p == "/" or p.startswith("/assets")]


def test_without_a_built_ui_the_placeholder_page_is_served(arca):
    # The suite runs a copy of the binary with no web/dist beside it.
    server = arca.server("noui")
    r = server.request("GET", "/")
    assert r.status == 200
    assert r.header("Content-Type", "").startswith("text/html")
    assert b"/api/openapi.json" in r.body
    assert r.header("Content-Security-Policy")
    assert_problem(server.request("GET", "/assets/app.js"), 404, "route_not_found")
    server.stop()


def test_a_web_dir_without_index_html_stops_start_up(arca, tmp_path):
    server = arca.server("badui", env=arca.base_env(ARCA_WEB_DIR=str(tmp_path)), start=False)
    with pytest.raises(RuntimeError, match="setting web_dir"):
        server.start()


def test_the_ui_beside_the_binary_is_found_by_default(arca, tmp_path):
    # The layout of the repo (build/arca + web/dist) and of an install
    # (bin/arca + web/dist): <binary dir>/../web/dist.
    (tmp_path / "bin").mkdir()
    shutil.copy2(h.ARCA_BIN, tmp_path / "bin" / "arca")
    make_web_dir(tmp_path / "web")
    saved = h.ARCA_BIN
    h.ARCA_BIN = str(tmp_path / "bin" / "arca")
    try:
        server = arca.server("beside")
        r = server.request("GET", "/")
        assert r.body == INDEX
        assert server.request("GET", "/assets/app-3f2a1b.js").body == JS
        server.stop()
    finally:
        h.ARCA_BIN = saved
