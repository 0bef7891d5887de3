// End-to-end: a person's journey through the web UI, in Debian's Chromium,
// against a real `arca serve`. Run by scripts/test-web (npm run e2e).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ArcaServer } from "./arca_server.mjs";
import { launchBrowser, outputDir, watchPage } from "./browser.mjs";
import { slowProxy } from "./slow_proxy.mjs";

const PASSWORD = "alice-pass-0123";
const BOB_PASSWORD = "bob-pass-0123";
const out = outputDir();
let server;
let browser;

// The origins the page may reach: Arca itself, and the S3 store for downloads.
function allowedOrigins() {
  const origins = [server.baseUrl];
  const storage = process.env.ARCA_TEST_STORE === "s3" ? process.env.ARCA_TEST_STORAGE_URL : "";
  if (storage) origins.push(new URL(new URLSearchParams(storage.split("?")[1]).get("endpoint")).origin);
  return origins;
}

function pdf(note, padTo = 0) {
  let body = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n";
  body += `% ${note}\n`;
  while (body.length < padTo) body += "% padding padding padding padding padding padding padding padding\n";
  return Buffer.from(body + "trailer << /Root 1 0 R >>\n%%EOF\n", "latin1");
}

const sha = (b) => createHash("sha256").update(b).digest("hex");

async function newPage(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchPage(page, allowedOrigins());
  return { context, page, problems };
}

async function login(page, user, password, labels = { user: "Usuário", pass: "Senha", submit: "Entrar" }) {
  await page.getByLabel(labels.user).fill(user);
  await page.getByLabel(labels.pass).fill(password);
  await page.getByRole("button", { name: labels.submit }).click();
}

// A new page of `locale`, signed in, on the list.
async function signedInPage(locale, user = "alice", password = PASSWORD) {
  const opened = await newPage(locale);
  await opened.page.goto(server.baseUrl + "/");
  await login(opened.page, user, password);
  await opened.page.getByText(`Conectado como ${user}`).waitFor();
  return opened;
}

// Polls `fn` until it returns a truthy value (a worker may still be at it).
async function eventually(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  // Workers off at first: uploads stay "received" until the test starts
  // `arca worker`, so the pending state can be seen, not just raced past.
  server = await new ArcaServer({ users: { alice: PASSWORD, bob: BOB_PASSWORD }, env: { ARCA_SERVE_WORKERS: "false" } }).start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a wrong password shows an error and stays on the login form", async () => {
  const { context, page, problems } = await newPage("pt-BR");
  await page.goto(server.baseUrl + "/");
  await page.screenshot({ path: join(out, "01-login.png") });
  // With the keyboard alone: the username field has focus, Tab, Enter.
  await page.getByLabel("Usuário").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("autocomplete")), "username");
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  await page.keyboard.type("not-the-password");
  await page.keyboard.press("Enter");
  await assert.doesNotReject(page.getByRole("alert").filter({ hasText: "Usuário ou senha incorretos." }).waitFor());
  assert.equal(await page.getByLabel("Usuário").inputValue(), "alice");
  assert.equal(await page.getByLabel("Senha").isVisible(), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("arca.token")), null);
  await page.screenshot({ path: join(out, "02-login-wrong-password.png") });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the browser's language picks English, and the switch changes it", async () => {
  const { context, page, problems } = await newPage("en-US");
  await page.goto(server.baseUrl + "/");
  await page.getByLabel("Username").waitFor();
  assert.equal(await page.getByLabel("Password").isVisible(), true);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.getByLabel("Language").selectOption("pt-BR");
  await page.getByLabel("Usuário").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "pt-BR");
  // The choice is remembered over a reload.
  await page.reload();
  await page.getByLabel("Senha").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("upload, find, download, rename, edit and delete, in Portuguese", async () => {
  const { context, page, problems } = await signedInPage("pt-BR");
  await page.getByText("Nenhum arquivo encontrado.").waitFor();
  // The token is in sessionStorage, never in a cookie.
  assert.ok(await page.evaluate(() => sessionStorage.getItem("arca.token")));
  assert.deepEqual(await context.cookies(), []);
  await page.screenshot({ path: join(out, "03-list-empty.png") });

  const files = [
    { name: "relatório-ação.pdf", mimeType: "application/pdf", buffer: pdf("relatório", 400 * 1024) },
    { name: "notas.txt", mimeType: "text/plain", buffer: Buffer.from("notas da reunião\n".repeat(2000)) },
    { name: "planilha.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n".repeat(3000)) },
  ];

  // Slow the upload link so progress can be seen mid-way.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 200 * 1024,
  });
  await page.getByLabel("Escolha arquivos para enviar").setInputFiles(files);

  // Mid-way: a bar that is neither empty nor full, with bytes and percent.
  const pdfRow = page.locator("li.upload", { hasText: "relatório-ação.pdf" });
  await page.waitForFunction(() => {
    const bar = [...document.querySelectorAll("li.upload progress")].find((p) => p.value > 0 && p.value < p.max);
    return !!bar;
  });
  const midText = await page.locator("li.upload .upload-bytes").allTextContents();
  assert.ok(midText.some((t) => /^\d[\d,.]* (B|KB) de \d[\d,.]* KB \(\d{1,2}%\)$/.test(t)), midText.join(" | "));
  // No layout shift while bytes flow: the rows keep their boxes.
  const boxBefore = await pdfRow.boundingBox();
  await page.screenshot({ path: join(out, "04-upload-in-progress.png") });

  // The 202 message, for every file, as soon as the server has it.
  for (const f of files) {
    await page
      .locator("li.upload", { hasText: f.name })
      .getByText("Recebido! Já estou cuidando disso")
      .waitFor({ timeout: 30000 });
  }
  const boxAfter = await pdfRow.boundingBox();
  assert.deepEqual(boxAfter, boxBefore, "an upload row moved or changed size");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  for (const f of files) {
    const text = await page.locator("li.upload", { hasText: f.name }).locator(".upload-bytes").textContent();
    assert.match(text, /^(\d[\d,.]* KB) de \1 \(100%\)$/);
  }
  // In the list as pending until a worker writes the rows.
  for (const f of files) {
    await page.locator("tr.pending", { hasText: f.name }).getByText("Pendente").waitFor();
  }
  await page.screenshot({ path: join(out, "05-upload-received.png") });
  server.startWorker();
  for (const f of files) {
    await page.locator("tr[data-id]", { hasText: f.name }).getByText("Pronto").waitFor({ timeout: 30000 });
    await page.locator("li.upload", { hasText: f.name }).getByText("Pronto").waitFor();
  }
  assert.equal(await page.locator("tr.pending").count(), 0);
  await page.screenshot({ path: join(out, "06-list-with-files.png"), fullPage: true });

  // Filter to PDFs: the URL carries it, and a reload keeps it.
  await page.getByLabel("Tipo", { exact: true }).selectOption("pdf");
  await page.waitForURL(/\?type=pdf$/);
  await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-id]").length === 1);
  assert.match(await page.locator("tbody tr[data-id]").textContent(), /relatório-ação\.pdf/);
  await page.reload();
  await page.getByText("Exibindo 1", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Tipo", { exact: true }).inputValue(), "pdf");
  assert.equal(await page.locator("tbody tr[data-id]").count(), 1);
  await page.screenshot({ path: join(out, "07-filter-pdf.png"), fullPage: true });

  // Download: the browser fetches the presigned link itself.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Baixar relatório-ação.pdf" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "relatório-ação.pdf");
  // Straight from the store (another origin with S3), and the page stays put.
  assert.equal(new URL(download.url()).origin, allowedOrigins().at(-1));
  assert.match(page.url(), /\?type=pdf$/);
  await page.getByText("Exibindo 1", { exact: true }).waitFor();
  const got = readFileSync(await download.path());
  assert.equal(sha(got), sha(files[0].buffer));

  // Back to everything, newest first, for the rest.
  await page.getByRole("button", { name: "Limpar filtros" }).click();
  await page.waitForURL((u) => u.search === "");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-id]").length === 3);

  // Rename inline, with the keyboard.
  await page.getByRole("button", { name: "Renomear notas.txt" }).click();
  const input = page.getByLabel("Novo nome para notas.txt");
  await input.fill("notas-finais.txt");
  await input.press("Enter");
  await page.locator("tr[data-id] .file-name", { hasText: "notas-finais.txt" }).waitFor();
  const token = await server.token();
  const listNames = async () => (await server.api("GET", "/api/files", { token })).data.items.map((f) => f.name).sort();
  // (With the named key layout the rename is a 202 and finishes in a worker.)
  await eventually(async () => (await listNames()).includes("notas-finais.txt"), "the rename");
  assert.deepEqual(await listNames(), ["notas-finais.txt", "planilha.csv", "relatório-ação.pdf"]);

  // Description, tags and review status.
  await page.getByRole("button", { name: "Editar detalhes de planilha.csv" }).click();
  const dialog = page.getByRole("dialog", { name: "Detalhes de planilha.csv" });
  await dialog.getByLabel("Descrição").fill("Planilha do trimestre");
  await dialog.getByLabel("Etiquetas (separadas por vírgula)").fill("finanças, 2026");
  await dialog.getByLabel("Status de revisão").selectOption("approved");
  await dialog.getByRole("button", { name: "Salvar" }).click();
  await page.locator("tr[data-id]", { hasText: "planilha.csv" }).getByText("Aprovado").waitFor();
  const csv = (await server.api("GET", "/api/files?q=planilha", { token })).data.items[0];
  assert.equal(csv.description, "Planilha do trimestre");
  assert.deepEqual(csv.tags, ["finanças", "2026"]);
  assert.equal(csv.status, "approved");

  // Escape in the confirmation keeps the file, and focus returns to the button.
  await page.getByRole("button", { name: "Excluir planilha.csv" }).click();
  await page.getByRole("dialog", { name: "Excluir arquivo?" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Manter");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Excluir planilha.csv");
  assert.equal(await page.locator("tr[data-id]", { hasText: "planilha.csv" }).count(), 1);

  // The file picker is reached with Tab, and its label shows the focus.
  await page.getByRole("button", { name: "Sair" }).focus();
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.getAttribute("type") === "file")) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("type")), "file");
  assert.notEqual(await page.locator(".pick-label").evaluate((el) => getComputedStyle(el).outlineStyle), "none");

  // Delete, after confirming; the row leaves at once.
  await page.getByRole("button", { name: "Excluir notas-finais.txt" }).click();
  const confirm = page.getByRole("dialog", { name: "Excluir arquivo?" });
  await confirm.getByRole("button", { name: "Excluir", exact: true }).click();
  await page.locator("tr[data-id]", { hasText: "notas-finais.txt" }).waitFor({ state: "detached" });
  await page.getByText("“notas-finais.txt” excluído.").waitFor();
  assert.deepEqual(await listNames(), ["planilha.csv", "relatório-ação.pdf"]);

  // Narrow screens get cards, with the column names beside the values.
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.locator("thead").evaluate((el) => getComputedStyle(el).position), "absolute");
  await page.screenshot({ path: join(out, "08-list-narrow.png"), fullPage: true });

  // Sign out: back to the form, token gone.
  await page.getByRole("button", { name: "Sair" }).click();
  await page.getByLabel("Usuário").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("arca.token")), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test("sorting is in the URL, and load more follows the cursor", async () => {
  // Bob's own 62 files.
  server.startWorker();
  const token = await server.token("bob");
  for (let i = 0; i < 60; i++) {
    const name = `arquivo-${String(i).padStart(2, "0")}.txt`;
    const r = await server.api("POST", "/api/files", { token, body: `conteúdo ${i}`, headers: { "X-File-Name": name } });
    assert.equal(r.status, 202);
  }
  for (const name of ["balanço.txt", "metas.txt"]) {
    const headers = { "X-File-Name": encodeURIComponent(name), "X-File-Folder": encodeURIComponent("relatórios/2026") };
    assert.equal((await server.api("POST", "/api/files", { token, body: name, headers })).status, 202);
  }
  await eventually(async () => (await server.api("GET", "/api/files?limit=1000", { token })).data.items.length === 62, "62 rows");
  const { context, page, problems } = await signedInPage("pt-BR", "bob", BOB_PASSWORD);
  await page.getByText("Exibindo 50", { exact: true }).waitFor();

  // Folder, search and dates: each in the URL, each narrowing the list.
  await page.getByLabel("Pasta", { exact: true }).fill("relatórios/2026");
  await page.getByLabel("Pasta", { exact: true }).press("Enter");
  await page.getByText("Exibindo 2", { exact: true }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get("folder"), "relatórios/2026");
  assert.deepEqual((await page.locator("tbody tr[data-id] .file-name").allTextContents()).sort(), ["balanço.txt", "metas.txt"]);
  await page.getByLabel("Buscar").fill("balanco"); // accents ignored by the server's search
  await page.getByRole("button", { name: "Aplicar" }).click();
  await page.getByText("Exibindo 1", { exact: true }).waitFor();
  const today = await page.evaluate(() => new Date().toLocaleDateString("sv")); // YYYY-MM-DD, local
  const yesterday = await page.evaluate(() => new Date(Date.now() - 86400000).toLocaleDateString("sv"));
  await page.getByLabel("Enviado até").fill(yesterday);
  await page.getByText("Nenhum arquivo encontrado.").waitFor();
  await page.getByLabel("Enviado até").fill(today);
  await page.getByLabel("Enviado a partir de").fill(today);
  await page.getByText("Exibindo 1", { exact: true }).waitFor();
  assert.deepEqual(Object.fromEntries(new URL(page.url()).searchParams), {
    q: "balanco",
    after: today,
    before: today,
    folder: "relatórios/2026",
  });
  await page.screenshot({ path: join(out, "10-filters-folder-search-dates.png"), fullPage: true });
  await page.getByRole("button", { name: "Limpar filtros" }).click();
  await page.getByText("Exibindo 50", { exact: true }).waitFor();

  await page.getByLabel("Ordenar por").selectOption("name");
  await page.waitForURL(/\?sort=name$/);
  await page.waitForFunction(() => document.querySelector("tbody tr[data-id] .file-name")?.textContent === "arquivo-00.txt");
  assert.equal(await page.getByLabel("Ordem").inputValue(), "asc");
  await page.getByRole("button", { name: "Carregar mais" }).click();
  await page.getByText("Exibindo 62", { exact: true }).waitFor();
  const names = await page.locator("tbody tr[data-id] .file-name").allTextContents();
  const expected = Array.from({ length: 60 }, (_, i) => `arquivo-${String(i).padStart(2, "0")}.txt`);
  assert.deepEqual(names, [...expected, "balanço.txt", "metas.txt"]);
  assert.equal(await page.getByRole("button", { name: "Carregar mais" }).isVisible(), false);
  // A file landing in the list while a name is being typed keeps what was typed.
  await page.getByRole("button", { name: "Renomear metas.txt" }).click();
  await page.getByLabel("Novo nome para metas.txt").fill("metas-");
  await page.getByLabel("Escolha arquivos para enviar").setInputFiles([
    { name: "chegou.txt", mimeType: "text/plain", buffer: Buffer.from("olá") },
  ]);
  await page.locator("tr[data-id]", { hasText: "chegou.txt" }).waitFor();
  await page.keyboard.type("2027");
  assert.equal(await page.getByLabel("Novo nome para metas.txt").inputValue(), "metas-2027");
  await page.keyboard.press("Escape");
  await page.locator("tr[data-id] .file-name", { hasText: "metas.txt" }).waitFor();
  await server.api("DELETE", `/api/files/${(await server.api("GET", "/api/files?q=chegou", { token })).data.items[0].id}`, { token });

  // Descending, from the URL alone.
  await page.goto(server.baseUrl + "/?sort=name&order=desc");
  await page.waitForFunction(() => document.querySelector("tbody tr[data-id] .file-name")?.textContent === "metas.txt");
  assert.equal(await page.getByLabel("Ordem").inputValue(), "desc");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a 401 sends the user back to the login form", async () => {
  const { context, page, problems } = await signedInPage("pt-BR");
  // The token goes bad (as when it expires): the next call is refused.
  await page.evaluate(() => sessionStorage.setItem("arca.token", "not-a-valid-token"));
  await page.reload();
  await page.getByText("Sua sessão terminou. Entre novamente.").waitFor();
  assert.equal(await page.getByLabel("Senha").isVisible(), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("arca.token")), null);
  assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
  await context.close();
});

test("an upload can be cancelled and never reaches the list", async () => {
  const proxy = await slowProxy(new URL(server.baseUrl).port, 100 * 1024);
  const context = await browser.newContext({ locale: "en" });
  const page = await context.newPage();
  const problems = watchPage(page, [proxy.url]);
  try {
    await page.goto(proxy.url + "/");
    await login(page, "alice", PASSWORD, { user: "Username", pass: "Password", submit: "Sign in" });
    await page.getByText("Signed in as alice").waitFor();
    await page.getByLabel("Choose files to upload").setInputFiles([
      // Far bigger than the loopback socket buffers, which would otherwise
      // take it all at once and let the browser report 100 % sent.
      { name: "big-video.mp4", mimeType: "video/mp4", buffer: Buffer.alloc(24 * 1024 * 1024, 7) },
    ]);
    const row = page.locator("li.upload", { hasText: "big-video.mp4" });
    await row.getByText("Sending").waitFor();
    await page.waitForTimeout(700); // some bytes gone, most still to go
    await row.getByRole("button", { name: "Cancel upload of big-video.mp4" }).click();
    await row.getByText("Cancelled").waitFor();
    assert.match(await row.locator(".upload-bytes").textContent(), /of 24 MB \(\d{1,2}%\)$/);
    await page.waitForTimeout(1000);
    const token = await server.token();
    const names = (await server.api("GET", "/api/files", { token })).data.items.map((f) => f.name);
    assert.ok(!names.includes("big-video.mp4"), names.join(","));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await proxy.close();
  }
});

test("a file over the server's limit gets a clear message of its own", async () => {
  const small = await new ArcaServer({ users: { alice: PASSWORD }, env: { ARCA_MAX_UPLOAD: "64KiB" } }).start();
  const context = await browser.newContext({ locale: "pt-BR" });
  const page = await context.newPage();
  const problems = watchPage(page, [small.baseUrl]);
  try {
    await page.goto(small.baseUrl + "/");
    await login(page, "alice", PASSWORD);
    await page.getByText("Conectado como alice").waitFor();
    // Dropped on the upload panel, as from a file manager.
    const files = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      // Refused by its Content-Length before a byte is read…
      dt.items.add(new File([new Uint8Array(3 * 1024 * 1024)], "enorme.bin", { type: "application/octet-stream" }));
      // …and refused while streaming (under limit + 1 MiB of form framing).
      dt.items.add(new File([new Uint8Array(200 * 1024)], "grande.bin", { type: "application/octet-stream" }));
      dt.items.add(new File(["cabe"], "pequeno.txt", { type: "text/plain" }));
      return dt;
    });
    const panel = page.getByRole("region", { name: "Enviar arquivos" });
    await panel.dispatchEvent("dragover", { dataTransfer: files });
    assert.equal(await page.locator(".dropzone.dragging").count(), 1);
    await panel.dispatchEvent("drop", { dataTransfer: files });
    for (const name of ["enorme.bin", "grande.bin"]) {
      await page
        .locator("li.upload", { hasText: name })
        .getByText("Falhou: O arquivo é maior do que o servidor permite.")
        .waitFor({ timeout: 20000 });
    }
    await page.locator("li.upload", { hasText: "pequeno.txt" }).getByText("Pronto").waitFor({ timeout: 20000 });
    await page.screenshot({ path: join(out, "09-upload-too-large.png") });
    const token = await small.token();
    const names = (await small.api("GET", "/api/files", { token })).data.items.map((f) => f.name);
    assert.deepEqual(names, ["pequeno.txt"]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await small.stop();
  }
});
