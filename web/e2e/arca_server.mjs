// Starts a real `arca serve` for the browser tests: a temp data dir, users
// made with `arca user add`, the built UI from web/dist, a free port.
// Embedded mode by default; with ARCA_TEST_STORE=s3 (and the
// ARCA_TEST_STORAGE_URL / _S3_ACCESS_KEY / _S3_SECRET_KEY that scripts/test
// exports) objects go to a fresh bucket on that S3 server, so downloads
// leave for another origin.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";

const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, "..");
export const REPO = resolve(WEB_DIR, "..");
export const ARCA_BIN = process.env.ARCA_BIN || join(REPO, "build", "arca");
const JWT_SECRET = "web-e2e-secret-0123456789abcdef0123456789";

// The parent's environment without stray ARCA_* settings.
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("ARCA_")) env[k] = v;
  return { ...env, ...extra };
}

function storageEnv() {
  if (process.env.ARCA_TEST_STORE !== "s3") return {};
  const url = process.env.ARCA_TEST_STORAGE_URL;
  if (!url) throw new Error("ARCA_TEST_STORE=s3 needs ARCA_TEST_STORAGE_URL");
  const bucket = "web-" + randomBytes(8).toString("hex");
  return {
    ARCA_STORAGE_URL: `s3://${bucket}?${url.split("?")[1]}`,
    ARCA_S3_ACCESS_KEY: process.env.ARCA_TEST_S3_ACCESS_KEY,
    ARCA_S3_SECRET_KEY: process.env.ARCA_TEST_S3_SECRET_KEY,
  };
}

export class ArcaServer {
  constructor({ users = { alice: "alice-pass-0123" }, env = {} } = {}) {
    if (!existsSync(ARCA_BIN)) throw new Error(`no arca binary at ${ARCA_BIN} (build it, or set ARCA_BIN)`);
    if (!existsSync(join(WEB_DIR, "dist", "index.html"))) throw new Error("web/dist is not built (npm run build)");
    this.dir = mkdtempSync(join(tmpdir(), "arca-web-e2e-"));
    this.dataDir = join(this.dir, "data");
    this.users = users;
    this.env = cleanEnv({
      ARCA_JWT_SECRET: JWT_SECRET,
      ARCA_WEB_DIR: join(WEB_DIR, "dist"),
      ARCA_LOG_LEVEL: "warn",
      ...storageEnv(),
      // ARCA_TEST_KEY_LAYOUT=named: renames become 202 and a worker's job.
      ...(process.env.ARCA_TEST_KEY_LAYOUT ? { ARCA_KEY_LAYOUT: process.env.ARCA_TEST_KEY_LAYOUT } : {}),
      ...env,
    });
    this.proc = null;
    this.worker = null;
    this.baseUrl = "";
  }

  cli(args, input) {
    const r = spawnSync(ARCA_BIN, [...args, "--data-dir", this.dataDir], { env: this.env, input, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`arca ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  async start() {
    for (const [name, password] of Object.entries(this.users)) this.cli(["user", "add", name, "--password-stdin"], password + "\n");
    this.proc = spawn(ARCA_BIN, ["serve", "--data-dir", this.dataDir, "--listen", "127.0.0.1:0"], {
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.stderr = "";
    this.proc.stderr.on("data", (d) => (this.stderr += d));
    this.baseUrl = await new Promise((resolveUrl, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("arca serve did not start:\n" + this.stderr)), 20000);
      this.proc.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/Arca is listening on (http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
      this.proc.on("exit", (code) => reject(new Error(`arca serve exited with ${code}:\n${this.stderr}`)));
    });
    return this;
  }

  // The consumers in their own process (for a server started with
  // ARCA_SERVE_WORKERS=false): until it runs, uploads stay pending.
  startWorker() {
    if (this.worker && this.worker.exitCode === null) return;
    this.worker = spawn(ARCA_BIN, ["worker", "--data-dir", this.dataDir], { env: this.env, stdio: "ignore" });
  }

  async api(method, path, { token, json, body, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    if (json !== undefined) h["Content-Type"] = "application/json";
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: json !== undefined ? JSON.stringify(json) : body });
    const text = await res.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
    return { status: res.status, headers: res.headers, data };
  }

  async token(user = "alice") {
    const r = await this.api("POST", "/api/auth/login", { json: { username: user, password: this.users[user] } });
    if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.data)}`);
    return r.data.access_token;
  }

  async stop() {
    for (const p of [this.worker, this.proc]) {
      if (!p || p.exitCode !== null) continue;
      const done = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 10000);
      await done;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readFile(path) {
  return readFileSync(path);
}
