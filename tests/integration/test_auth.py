"""Logging in, the caller's identity, and every way a token can be wrong."""

import hashlib
import hmac
import json
import time
import uuid

import pytest

from arca_harness import (JWT_SECRET, assert_problem, b64url, b64url_decode, make_jwt, minimal_pdf,
                      standard_claims)


# Routes that need a token, with a body-less request each.
PROTECTED = [
    ("GET", "/api/me"),
    ("GET", "/api/files"),
    ("POST", "/api/files"),
    ("GET", "/api/files/{id}"),
    ("PATCH", "/api/files/{id}"),
    ("DELETE", "/api/files/{id}"),
    ("GET", "/api/files/{id}/download"),
]


@pytest.fixture(scope="module")
def file_id(dep):
    """A real file of alice's, so protected routes are asked about something that exists."""
    return dep.upload("alice", "secret plan.pdf", minimal_pdf("secret"))["id"]


def ask(dep, method, path, file_id, token=None, raw_auth=None):
    headers = {}
    if raw_auth is not None:
        headers["Authorization"] = raw_auth
    return dep.call(method, path.format(id=file_id), token=token, headers=headers)


def test_first_serve_without_users_prints_the_user_add_hint(arca):
    server = arca.server("empty")
    assert "Arca is listening on http://127.0.0.1:" in server.stdout_text
    assert "arca user add" in server.stdout_text, server.stdout_text
    server.stop()


def test_serve_with_users_prints_no_user_add_hint(dep):
    assert "arca user add" not in dep.server.stdout_text


def test_login_returns_a_bearer_token_with_its_lifetime(dep):
    r = dep.login("alice")
    assert r.status == 200, r
    assert r.header("Content-Type", "").startswith("application/json")
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    token = body["access_token"]
    assert isinstance(token, str) and token.count(".") == 2
    me = dep.call("GET", "/api/me", token=token)
    assert me.status == 200 and me.json()["username"] == "alice"


def test_login_with_wrong_password_is_401_invalid_credentials(dep):
    r = dep.login("alice", "not-the-password")
    assert_problem(r, 401, "invalid_credentials")
    assert "access_token" not in r.json()


def test_login_of_unknown_user_is_401_invalid_credentials(dep):
    r = dep.login("nobody-here", "whatever-password")
    assert_problem(r, 401, "invalid_credentials")


def test_unknown_user_and_wrong_password_answers_are_indistinguishable(dep):
    a = dep.login("alice", "not-the-password").json()
    b = dep.login("nobody-here", "not-the-password").json()
    assert a == b


def test_login_with_malformed_body_is_400(dep):
    r = dep.server.request("POST", "/api/auth/login", body=b"username=alice",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 400)


def test_me_returns_the_caller(dep):
    r = dep.call("GET", "/api/me", "alice")
    assert r.status == 200, r
    me = r.json()
    assert me["username"] == "alice"
    assert me["admin"] is False
    assert me["id"]
    root = dep.call("GET", "/api/me", "root").json()
    assert root["username"] == "root" and root["admin"] is True
    assert root["id"] != me["id"]


@pytest.mark.parametrize("method,path", PROTECTED)
def test_protected_route_without_authorization_header_is_401(dep, file_id, method, path):
    r = ask(dep, method, path, file_id)
    assert_problem(r, 401)
    assert r.header("WWW-Authenticate", "").lower().startswith("bearer")


@pytest.mark.parametrize("method,path", PROTECTED)
def test_protected_route_with_garbage_token_is_401(dep, file_id, method, path):
    r = ask(dep, method, path, file_id, token="this-is-not-a-jwt")
    assert_problem(r, 401)


def test_non_bearer_authorization_scheme_is_401(dep, file_id):
    r = ask(dep, "GET", "/api/me", file_id, raw_auth="Basic YWxpY2U6YWxpY2UtcGFzcy0wMTIz")
    assert_problem(r, 401)


def test_token_with_three_garbage_segments_is_401(dep):
    r = dep.call("GET", "/api/me", token="aaaa.bbbb.cccc")
    assert_problem(r, 401)


def test_tampered_payload_with_original_signature_is_401(dep):
    """Alice swaps the subject of her own token for root's id, keeping her signature."""
    token = dep.token("alice")
    header, payload, sig = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = dep.user_id("root")
    forged = header + "." + b64url(json.dumps(claims).encode()) + "." + sig
    r = dep.call("GET", "/api/me", token=forged)
    assert_problem(r, 401)
    # And the admin's listing stays closed to her.
    r = dep.call("GET", "/api/files", token=forged)
    assert_problem(r, 401)


def test_alg_none_token_is_401(dep):
    claims = standard_claims(dep.user_id("alice"))
    for header in ({"alg": "none"}, {"alg": "none", "typ": "JWT"}, {"alg": "None"}):
        token = make_jwt(claims, secret=None, header=header)  # "<header>.<payload>." : empty signature
        assert token.endswith(".")
        assert_problem(dep.call("GET", "/api/me", token=token), 401)


def test_alg_none_header_with_a_valid_hs256_signature_is_401(dep):
    claims = standard_claims(dep.user_id("alice"))
    valid = make_jwt(claims)
    _, payload, _ = valid.split(".")
    header = b64url(b'{"alg":"none","typ":"JWT"}')
    sig = b64url(hmac.new(JWT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert_problem(dep.call("GET", "/api/me", token=f"{header}.{payload}.{sig}"), 401)


def test_hs512_token_with_the_right_secret_is_401(dep):
    token = make_jwt(standard_claims(dep.user_id("alice")), alg="HS512")
    assert_problem(dep.call("GET", "/api/me", token=token), 401)


def test_token_signed_with_a_wrong_secret_is_401(dep):
    token = make_jwt(standard_claims(dep.user_id("alice")), secret="some-other-secret-0123456789abcdef")
    assert_problem(dep.call("GET", "/api/me", token=token), 401)


def test_expired_token_is_401(dep):
    now = int(time.time())
    claims = {"sub": dep.user_id("alice"), "iss": "arca", "aud": "arca", "iat": now - 7200, "exp": now - 3600}
    assert_problem(dep.call("GET", "/api/me", token=make_jwt(claims)), 401)
    claims["exp"] = now - 5
    assert_problem(dep.call("GET", "/api/files", token=make_jwt(claims)), 401)


def test_token_without_exp_is_401(dep):
    claims = standard_claims(dep.user_id("alice"))
    del claims["exp"]
    assert_problem(dep.call("GET", "/api/me", token=make_jwt(claims)), 401)


def test_token_with_wrong_issuer_or_audience_is_401(dep):
    uid = dep.user_id("alice")
    assert_problem(dep.call("GET", "/api/me", token=make_jwt(standard_claims(uid, iss="elsewhere"))), 401)
    assert_problem(dep.call("GET", "/api/me", token=make_jwt(standard_claims(uid, aud="elsewhere"))), 401)


def test_token_for_a_user_that_does_not_exist_is_401(dep):
    token = make_jwt(standard_claims(str(uuid.uuid4())))
    assert_problem(dep.call("GET", "/api/me", token=token), 401)


def test_self_crafted_hs256_token_with_the_known_secret_is_accepted(dep):
    """Proves the crafting above is right: the rejections are about the flaw, not the recipe."""
    uid = dep.user_id("alice")
    r = dep.call("GET", "/api/me", token=make_jwt(standard_claims(uid)))
    assert r.status == 200, r
    assert r.json()["id"] == uid and r.json()["username"] == "alice"
    r = dep.call("GET", "/api/files", token=make_jwt(standard_claims(uid)))
    assert r.status == 200, r


def test_cli_issued_token_works_against_the_api(arca, dep):
    from arca_harness import run_cli
    r = run_cli(["token", "issue", "bob", "--ttl", "1h", "--data-dir", str(dep.server.data_dir)],
                env=arca.base_env())
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    me = dep.call("GET", "/api/me", token=token)
    assert me.status == 200 and me.json()["username"] == "bob"


def test_server_issued_token_stops_working_after_its_lifetime(arca):
    short = arca.deployment("shortlogin", users=(("alice", False),), env=arca.base_env(ARCA_LOGIN_TTL="1s"))
    r = short.login("alice")
    assert r.status == 200 and r.json()["expires_in"] == 1, r
    token = r.json()["access_token"]
    assert short.call("GET", "/api/me", token=token).status == 200
    time.sleep(2.2)
    assert_problem(short.call("GET", "/api/me", token=token), 401)
