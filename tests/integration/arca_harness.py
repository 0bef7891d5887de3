"""The harness of Arca's integration suite: server control and HTTP helpers.

Everything here talks to the real `arca` binary over HTTP and looks at its
data directory from the outside, the way an operator would. Python standard
library only.

The binary is found through ARCA_BIN (default: <repo>/build/arca).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import time
import urllib.parse
import uuid
import zlib
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parents[2]
ARCA_BIN = os.environ.get("ARCA_BIN") or str(REPO / "build" / "arca")

# A known token secret, so tests can craft their own JWTs.
JWT_SECRET = "integration-tests-secret-0123456789abcdef"

DEFAULT_TEST_TIMEOUT = 120  # seconds; a hang fails instead of blocking the run
START_TIMEOUT = 20
ROW_TIMEOUT = 10


# Servers of the module being run, for the failure report.
_SERVERS: list["ArcaServer"] = []
# Every process this suite started, killed at exit whatever happened.
_ALL_PROCS: list[subprocess.Popen] = []


@atexit.register
def _kill_leftovers():
    for p in _ALL_PROCS:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(5)
            except Exception:
                pass


# --------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------

class Response:
    def __init__(self, status: int, reason: str, headers, body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage: case-insensitive get()
        self.body = body

    def header(self, name: str, default=None):
        return self.headers.get(name, default)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        text = self.body[:600].decode("utf-8", "replace")
        return f"<Response {self.status} {self.reason} {dict(self.headers)!r} {text!r}>"


def split_url(url: str):
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    return u.hostname, u.port, path


def http_request(host: str, port: int, method: str, path: str, body=None, headers=None,
                 json_body=None, token: str | None = None, timeout: float = 30,
                 chunked: bool = False) -> Response:
    """One request on a fresh connection. `body` may be bytes or an iterable of bytes."""
    hdrs = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if chunked:
            hdrs["Transfer-Encoding"] = "chunked"
            conn.request(method, path, body=body, headers=hdrs, encode_chunked=True)
        else:
            conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.reason, resp.headers, data)
    finally:
        conn.close()


def fetch_url(url: str, headers=None, timeout: float = 30) -> Response:
    host, port, path = split_url(url)
    return http_request(host, port, "GET", path, headers=headers, timeout=timeout)


def send_streaming(host: str, port: int, head: bytes, chunks: Iterable[bytes], timeout: float = 30):
    """Sends a hand-built request (head, then body chunks) over a raw socket.

    Stops sending as soon as the server answers (an early 413) or resets
    the connection, like a careful client. Returns (Response | None, send_error)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    send_error = None
    try:
        sock.sendall(head)
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered (or hung up): stop sending
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError) as e:
                send_error = e
                break
        try:
            resp = http.client.HTTPResponse(sock, method="POST")
            resp.begin()
            body = resp.read()
            return Response(resp.status, resp.reason, resp.headers, body), send_error
        except (ConnectionResetError, http.client.RemoteDisconnected, http.client.BadStatusLine) as e:
            return None, send_error or e
    finally:
        sock.close()


def assert_problem(resp: Response, status: int, code: str | None = None):
    """An RFC 9457 problem document with the expected status and code."""
    assert resp.status == status, f"expected {status}, got {resp!r}"
    ctype = resp.header("Content-Type", "")
    assert ctype.split(";")[0].strip() == "application/problem+json", f"not a problem document: {resp!r}"
    doc = resp.json()
    for field in ("status", "title", "detail", "code"):
        assert field in doc, f"problem document lacks '{field}': {doc}"
    assert doc["status"] == status, doc
    if code is not None:
        assert doc["code"] == code, f"expected code {code}, got {doc}"
    return doc


# --------------------------------------------------------------------------
# JWT crafting (HS256/HS512 by hand, like an attacker or another service would)
# --------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims: dict, secret: str | None = JWT_SECRET, alg: str = "HS256", header: dict | None = None) -> str:
    hdr = header if header is not None else {"alg": alg, "typ": "JWT"}
    signing_input = b64url(json.dumps(hdr, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    if secret is None:
        return signing_input + "."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(sig)


def standard_claims(sub: str, lifetime: int = 600, **extra) -> dict:
    now = int(time.time())
    claims = {"sub": sub, "iss": "arca", "aud": "arca", "iat": now, "exp": now + lifetime}
    claims.update(extra)
    return claims


# --------------------------------------------------------------------------
# Sample content
# --------------------------------------------------------------------------

def minimal_pdf(note: str = "") -> bytes:
    body = (
        "%PDF-1.4\n"
        "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        f"% {note}\n"
        "trailer << /Root 1 0 R >>\n"
        "%%EOF\n"
    )
    return body.encode("latin-1", "replace")


def tiny_png(rgb=(255, 0, 0)) -> bytes:
    """A real 1x1 RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = b"\x00" + bytes(rgb)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def multipart_body(fields: list[tuple[str, str]], file_field: str, filename: str, content: bytes,
                   file_type: str = "application/octet-stream", fields_after: list[tuple[str, str]] = (),
                   boundary: str | None = None) -> tuple[bytes, str]:
    """Builds multipart/form-data by hand: `fields`, then the file part, then `fields_after`."""
    boundary = boundary or "----arcatest" + uuid.uuid4().hex
    out = bytearray()

    def field(name, value):
        out.extend(f"--{boundary}\r\n".encode())
        out.extend(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.extend(value.encode("utf-8"))
        out.extend(b"\r\n")

    for name, value in fields:
        field(name, value)
    out.extend(f"--{boundary}\r\n".encode())
    # Raw UTF-8 in the quoted filename, as browsers send it.
    out.extend(f'Content-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'.encode("utf-8"))
    out.extend(f"Content-Type: {file_type}\r\n\r\n".encode())
    out.extend(content)
    out.extend(b"\r\n")
    for name, value in fields_after:
        field(name, value)
    out.extend(f"--{boundary}--\r\n".encode())
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

# ARCA_TEST_BACKEND=postgres runs every server and CLI call of the suite on
# PostgreSQL (ARCA_TEST_DATABASE_URL names the server): each data dir gets a
# fresh database of its own, so tests stay as isolated as with SQLite.
TEST_BACKEND = os.environ.get("ARCA_TEST_BACKEND", "sqlite")
PG_SERVER = os.environ.get("ARCA_TEST_DATABASE_URL", "")
_DATABASES: dict[str, str] = {}


# ARCA_TEST_STORE=s3 puts every data dir's objects in a bucket of its own on
# the S3 server named by ARCA_TEST_STORAGE_URL (the journey on a real store).
TEST_STORE = os.environ.get("ARCA_TEST_STORE", "local")


def storage_env(data_dir) -> dict:
    if TEST_STORE != "s3":
        return {}
    url = os.environ["ARCA_TEST_STORAGE_URL"]
    bucket = "j-" + uuid.uuid5(uuid.NAMESPACE_URL, str(Path(data_dir).resolve())).hex[:20]
    return {"ARCA_STORAGE_URL": f"s3://{bucket}?" + url.split("?", 1)[1],
            "ARCA_S3_ACCESS_KEY": os.environ["ARCA_TEST_S3_ACCESS_KEY"],
            "ARCA_S3_SECRET_KEY": os.environ["ARCA_TEST_S3_SECRET_KEY"]}


# ARCA_TEST_BROKER=kafka sends every data dir's events through the Kafka
# broker named by ARCA_TEST_BROKER_URL, on topics of its own, and runs the
# consumers in a separate `arca worker` process beside each server (the
# production shape: serve and worker apart).
TEST_BROKER = os.environ.get("ARCA_TEST_BROKER", "embedded")


def broker_env(data_dir) -> dict:
    if TEST_BROKER != "kafka":
        return {}
    tag = uuid.uuid5(uuid.NAMESPACE_URL, str(Path(data_dir).resolve())).hex[:12]
    return {"ARCA_BROKER_URL": os.environ["ARCA_TEST_BROKER_URL"],
            "ARCA_TOPIC_UPLOADED": f"uploaded-{tag}", "ARCA_TOPIC_DELETE": f"delete-{tag}",
            "ARCA_TOPIC_RENAME": f"rename-{tag}", "ARCA_TOPIC_PROCESSED": f"processed-{tag}",
            "ARCA_KAFKA_PARTITIONS": "3"}


def database_env(data_dir) -> dict:
    store = {**storage_env(data_dir), **broker_env(data_dir)}
    if TEST_BACKEND != "postgres":
        return store
    assert PG_SERVER, "ARCA_TEST_BACKEND=postgres needs ARCA_TEST_DATABASE_URL"
    key = str(Path(data_dir).resolve())
    if key not in _DATABASES:
        name = "it_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", PG_SERVER, "-qAt", "-c", f"CREATE DATABASE {name}"], check=True,
                       capture_output=True, timeout=60)
        _DATABASES[key] = PG_SERVER.rsplit("/", 1)[0] + "/" + name
    return {"ARCA_DATABASE_URL": _DATABASES[key], **store}


def _data_dir_arg(args: list[str]):
    for i, a in enumerate(args[:-1]):
        if a == "--data-dir":
            return args[i + 1]
    return None


def clean_env(extra: dict | None = None) -> dict:
    """The parent's environment without stray ARCA_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCA_")}
    env.update(extra or {})
    return env


class ArcaServer:
    def __init__(self, name: str, data_dir: Path, env: dict, log_dir: Path):
        self.name = name
        self.data_dir = Path(data_dir)
        self.env = dict(env)
        self.log_dir = Path(log_dir)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0
        self.stdout_text = ""
        self.stderr_path = self.log_dir / f"{name}.stderr.log"
        self.worker: subprocess.Popen | None = None  # the companion `arca worker` (Kafka runs)

    # -- lifecycle ---------------------------------------------------------
    def start(self, env: dict | None = None, timeout: float = START_TIMEOUT) -> "ArcaServer":
        assert not self.running(), "server already running"
        if env is not None:
            self.env = dict(env)
        self.starts += 1
        self.port = None
        stdout_path = self.log_dir / f"{self.name}.stdout.{self.starts}.log"
        with open(stdout_path, "wb") as out, open(self.stderr_path, "ab") as err:
            err.write(f"----- start #{self.starts} -----\n".encode())
            err.flush()
            self.proc = subprocess.Popen(
                [ARCA_BIN, "serve", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=clean_env({**database_env(self.data_dir), **self.env}),
                start_new_session=True)
            _ALL_PROCS.append(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = stdout_path.read_text("utf-8", "replace")
            for line in text.splitlines():
                if line.startswith("Arca is listening on http://"):
                    url = line.split("Arca is listening on ", 1)[1].strip()
                    self.port = urllib.parse.urlsplit(url).port
            if self.port and "\n" in text:
                time.sleep(0.05)  # let the rest of the banner land
                self.stdout_text = stdout_path.read_text("utf-8", "replace")
                if TEST_BROKER == "kafka" and self.env.get("ARCA_SERVE_WORKERS") != "false":
                    self.worker = start_worker(self, self.env, f"{self.name}-worker", wait_ready=True)
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"arca serve exited with {self.proc.returncode}:\n{self.stderr_tail(30)}")
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"arca serve did not print its address within {timeout} s:\n{self.stderr_tail(30)}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 15):
        """Graceful stop (SIGTERM); SIGKILL if it does not finish in time."""
        self._stop_worker(hard=False)
        if not self.running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"arca did not stop within {timeout} s of SIGTERM")

    def _stop_worker(self, hard: bool):
        w, self.worker = self.worker, None
        if w is None or w.poll() is not None:
            return
        w.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        try:
            rc = w.wait(30)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait(10)
            raise AssertionError("arca worker did not stop within 30 s of SIGTERM")
        assert hard or rc == 0, f"arca worker exited with {rc} after SIGTERM"

    def kill(self):
        """kill -9: no chance to clean up."""
        self._stop_worker(hard=True)
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def restart(self, env: dict | None = None, hard: bool = False) -> "ArcaServer":
        self.kill() if hard else self.stop()
        return self.start(env=env)

    # -- HTTP ----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, **kw) -> Response:
        return http_request("127.0.0.1", self.port, method, path, **kw)

    # -- inspection ------------------------------------------------------------
    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, n: int = 40) -> str:
        return "\n".join(self.stderr_text().splitlines()[-n:])

    def log_lines(self) -> list[str]:
        return [l for l in self.stderr_text().splitlines() if l and not l.startswith("----- start #")]

    def vm_hwm_kib(self) -> int:
        return self._proc_status_kib("VmHWM")

    def vm_rss_kib(self) -> int:
        return self._proc_status_kib("VmRSS")

    def _proc_status_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc status")

    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    def object_files(self) -> list[Path]:
        """Every file under objects/, outside the .tmp staging dir."""
        root = self.objects_dir()
        tmp = root / ".tmp"
        return sorted(p for p in root.rglob("*") if p.is_file() and tmp not in p.parents)

    def staging_files(self) -> list[Path]:
        tmp = self.objects_dir() / ".tmp"
        return sorted(tmp.rglob("*")) if tmp.exists() else []


class PrivateService:
    """One service of scripts/services (postgres or kafka) with a state dir of
    its own, so a test can stop and start it without disturbing the rest of
    the suite."""

    URL_VARIABLE = {"postgres": "ARCA_DATABASE_URL", "kafka": "ARCA_BROKER_URL"}

    def __init__(self, name: str):
        self.name = name
        self.state = Path(f"/tmp/arca-it-{name}-{uuid.uuid4().hex[:8]}")
        self.env = dict(os.environ, ARCA_SERVICES_DIR=str(self.state))
        out = self._services("up", name)
        self.url = out.split(self.URL_VARIABLE[name] + "=", 1)[1].split()[0]

    def _services(self, *args: str) -> str:
        r = subprocess.run([str(REPO / "scripts" / "services"), *args], env=self.env, capture_output=True, text=True,
                           timeout=240)
        assert r.returncode == 0, f"scripts/services {' '.join(args)} failed: {r.stderr[-2000:]}"
        return r.stdout

    def stop(self):
        self._services("stop", self.name)

    def start(self):
        self._services("start", self.name)

    def down(self):
        subprocess.run([str(REPO / "scripts" / "services"), "down"], env=self.env, capture_output=True, timeout=240)


# --------------------------------------------------------------------------
# The S3 server, seen from outside (curl's own SigV4 signing)
# --------------------------------------------------------------------------

def s3_request(method: str, path: str, *extra: str, body: bytes | None = None, endpoint: str | None = None):
    """A request to the test S3 server (ARCA_TEST_STORAGE_URL, or `endpoint`),
    signed by curl: an independent check of what is in the bucket. Returns
    (status, head, body)."""
    if endpoint is None:
        storage = os.environ["ARCA_TEST_STORAGE_URL"]
        endpoint = urllib.parse.parse_qs(storage.split("?", 1)[1])["endpoint"][0]
    access, secret = os.environ["ARCA_TEST_S3_ACCESS_KEY"], os.environ["ARCA_TEST_S3_SECRET_KEY"]
    verb = ["-I"] if method == "HEAD" else ["-X", method]
    payload = hashlib.sha256(body or b"").hexdigest()
    data = ["--data-binary", "@-"] if body is not None else []
    r = subprocess.run(["curl", "-s", *verb, "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{access}:{secret}",
                        "-H", f"x-amz-content-sha256: {payload}", "-D", "-", *data, *extra, endpoint + path],
                       input=body, capture_output=True, timeout=60)
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, head.decode("latin-1"), body


def s3_keys(bucket: str, endpoint: str | None = None) -> list[str]:
    """Every key in the bucket (all pages)."""
    keys, token = [], None
    while True:
        q = "list-type=2" + ("&continuation-token=" + urllib.parse.quote(token, safe="") if token else "")
        status, _, body = s3_request("GET", f"/{bucket}?{q}", endpoint=endpoint)
        assert status == 200, body
        text = body.decode()
        keys += re.findall(r"<Key>([^<]+)</Key>", text)
        m = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", text)
        if "<IsTruncated>true</IsTruncated>" not in text or not m:
            return keys
        token = m.group(1)


def bucket_of(data_dir) -> str:
    """The bucket storage_env gives a data dir (ARCA_TEST_STORE=s3)."""
    return storage_env(data_dir)["ARCA_STORAGE_URL"].split("://", 1)[1].split("?", 1)[0]


def run_cli(args: list[str], env: dict | None = None, stdin: str | None = None, timeout: float = 60):
    data_dir = _data_dir_arg(args)
    merged = {**(database_env(data_dir) if data_dir else {}), **(env or {})}
    return subprocess.run([ARCA_BIN, *args], input=stdin, capture_output=True, text=True,
                          env=clean_env(merged), timeout=timeout)


def start_worker(server: "ArcaServer", env: dict, name: str, wait_ready: bool = False) -> subprocess.Popen:
    """`arca worker` on a server's data dir (and its database/bucket), logging beside the server's log.

    With `wait_ready`, returns once the worker says it runs (its consumers are subscribed)."""
    path = server.log_dir / f"{name}.stderr.log"
    start = path.stat().st_size if path.exists() else 0
    log = open(path, "ab")
    w = subprocess.Popen([ARCA_BIN, "worker", "--data-dir", str(server.data_dir)], stdout=subprocess.DEVNULL,
                         stderr=log, env=clean_env({**database_env(server.data_dir), **env}), start_new_session=True)
    _ALL_PROCS.append(w)
    deadline = time.monotonic() + START_TIMEOUT
    while wait_ready and time.monotonic() < deadline:
        with open(path, "rb") as f:
            f.seek(start)
            if b'"msg":"worker running"' in f.read():
                return w
        if w.poll() is not None:
            raise RuntimeError(f"arca worker exited with {w.returncode}; see {path}")
        time.sleep(0.02)
    if wait_ready:
        raise RuntimeError(f"arca worker did not start within {START_TIMEOUT} s; see {path}")
    return w


class Deployment:
    """A server plus its users: one call per user action."""

    def __init__(self, server: ArcaServer, passwords: dict[str, str]):
        self.server = server
        self.passwords = passwords
        self._tokens: dict[str, str] = {}
        self._ids: dict[str, str] = {}

    def login(self, user: str, password: str | None = None) -> Response:
        return self.server.request("POST", "/api/auth/login",
                                   json_body={"username": user, "password": password or self.passwords[user]})

    def token(self, user: str) -> str:
        if user not in self._tokens:
            r = self.login(user)
            assert r.status == 200, f"login of {user} failed: {r!r}"
            self._tokens[user] = r.json()["access_token"]
        return self._tokens[user]

    def user_id(self, user: str) -> str:
        if user not in self._ids:
            r = self.call("GET", "/api/me", user)
            assert r.status == 200, r
            self._ids[user] = r.json()["id"]
        return self._ids[user]

    def call(self, method: str, path: str, user: str | None = None, **kw) -> Response:
        if user is not None:
            kw["token"] = self.token(user)
        return self.server.request(method, path, **kw)

    # -- uploads ---------------------------------------------------------------
    def upload_raw(self, user: str, name: str, data, *, folder: str | None = None, tags: str | None = None,
                   description: str | None = None, project: str | None = None,
                   content_type: str | None = "application/octet-stream", headers: dict | None = None,
                   chunked: bool = False, timeout: float = 60) -> Response:
        h = {"X-File-Name": urllib.parse.quote(name, safe="")}
        if folder is not None:
            h["X-File-Folder"] = urllib.parse.quote(folder, safe="/")
        if tags is not None:
            h["X-File-Tags"] = urllib.parse.quote(tags, safe=",")
        if description is not None:
            h["X-File-Description"] = urllib.parse.quote(description, safe="")
        if project is not None:
            h["X-File-Project"] = urllib.parse.quote(project, safe="")
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        return self.call("POST", "/api/files", user, body=data, headers=h, chunked=chunked, timeout=timeout)

    def upload_form(self, user: str, filename: str, content: bytes, *, fields=(), file_type="application/octet-stream",
                    fields_after=(), headers: dict | None = None) -> Response:
        body, ctype = multipart_body(list(fields), "file", filename, content, file_type, list(fields_after))
        h = {"Content-Type": ctype}
        h.update(headers or {})
        return self.call("POST", "/api/files", user, body=body, headers=h)

    def wait_for_file(self, user: str, file_id: str, timeout: float = ROW_TIMEOUT) -> dict:
        """Polls GET /api/files/{id} until the row is there (async writes)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.call("GET", f"/api/files/{file_id}", user)
            if last.status == 200:
                return last.json()
            time.sleep(0.05)
        raise AssertionError(f"file {file_id} did not appear within {timeout} s; last answer {last!r}")

    def upload(self, user: str, name: str, data: bytes, **kw) -> dict:
        """Raw upload, then wait for the record (works in async and sync mode)."""
        r = self.upload_raw(user, name, data, **kw)
        assert r.status in (201, 202), f"upload of {name!r} failed: {r!r}"
        return self.wait_for_file(user, r.json()["id"])

    def list_files(self, user: str, **params) -> Response:
        qs = urllib.parse.urlencode(params)
        return self.call("GET", "/api/files" + ("?" + qs if qs else ""), user)

    def list_all(self, user: str, **params) -> list[dict]:
        r = self.list_files(user, limit=1000, **params)
        assert r.status == 200, r
        return r.json()["items"]


class ArcaFactory:
    """Starts servers on temp data dirs; kills whatever is left at teardown."""

    def __init__(self, tmp_dir: Path):
        self.tmp_dir = Path(tmp_dir)
        self.servers: list[ArcaServer] = []

    def new_data_dir(self, name: str) -> Path:
        d = self.tmp_dir / f"data-{name}-{len(self.servers)}-{uuid.uuid4().hex[:6]}"
        d.mkdir(parents=True)
        return d

    def base_env(self, **overrides) -> dict:
        env = {"ARCA_JWT_SECRET": JWT_SECRET}
        env.update({k: str(v) for k, v in overrides.items()})
        return env

    def server(self, name: str = "arca", env: dict | None = None, data_dir: Path | None = None,
               start: bool = True) -> ArcaServer:
        data_dir = data_dir or self.new_data_dir(name)
        s = ArcaServer(f"{name}-{len(self.servers)}", data_dir, env if env is not None else self.base_env(),
                       self.tmp_dir)
        self.servers.append(s)
        _SERVERS.append(s)
        if start:
            s.start()
        return s

    def add_user(self, data_dir: Path, name: str, password: str, admin: bool = False, env: dict | None = None):
        args = ["user", "add", name, "--password-stdin", "--data-dir", str(data_dir)]
        if admin:
            args.append("--admin")
        r = run_cli(args, env=env if env is not None else self.base_env(), stdin=password + "\n")
        assert r.returncode == 0, f"arca user add {name} failed ({r.returncode}): {r.stderr}"
        return r

    def deployment(self, name: str = "arca", users=(("root", True), ("alice", False), ("bob", False)),
                   env: dict | None = None) -> Deployment:
        env = env if env is not None else self.base_env()
        data_dir = self.new_data_dir(name)
        passwords = {}
        for user, admin in users:
            passwords[user] = f"{user}-pass-0123"
            self.add_user(data_dir, user, passwords[user], admin, env=env)
        s = self.server(name, env=env, data_dir=data_dir)
        return Deployment(s, passwords)

    def close(self):
        for s in self.servers:
            try:
                s.stop(timeout=5)
            except Exception:
                pass
            s.kill()
            if s in _SERVERS:
                _SERVERS.remove(s)
