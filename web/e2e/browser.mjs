// Debian's Chromium driven by playwright-core (no browser download: this
// machine cannot fetch Playwright's own builds). Playwright gives every
// launch a fresh temporary --user-data-dir and runs it headless.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO } from "./arca_server.mjs";

export const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false, // --no-sandbox: tests run as root
    args: [
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

// Where screenshots go: $ARCA_TEST_OUTPUT/web (default <repo>/test-output/web).
export function outputDir() {
  const dir = join(resolve(process.env.ARCA_TEST_OUTPUT || join(REPO, "test-output")), "web");
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Fails the test on anything a strict CSP refused, on page errors, and on
// any request that leaves the machine (no CDN, no fonts, no analytics).
export function watchPage(page, allowedOrigins) {
  const problems = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error" && /Content Security Policy|Refused to/i.test(text)) problems.push("CSP: " + text);
  });
  page.on("pageerror", (err) => problems.push("page error: " + err.message));
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.protocol === "data:" || url.protocol === "blob:") return;
    if (!allowedOrigins.some((o) => url.origin === o)) problems.push("foreign request: " + req.url());
  });
  return problems;
}
