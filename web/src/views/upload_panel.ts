// Picking or dropping files, and one row per upload with its progress,
// outcome and a cancel button. Each row keeps its size from start to end
// (the progress bar and the text lines are always there), so nothing moves
// while bytes flow.
import { h, uid } from "../dom";
import { t, locale } from "../i18n";
import { errorText } from "../errors";
import { formatSize, percent } from "../format";
import { ApiError, type Api, type FileRecord } from "../api";
import { sendFile, type Sending } from "../uploader";
import {
  canCancel,
  isFinished,
  newUpload,
  nextUpload,
  pollDelay,
  type UploadEvent,
  type UploadItem,
} from "../upload_state";

const PARALLEL = 3; // at most this many files on the wire at once
const POLL_LIMIT_MS = 120_000;

export interface UploadHooks {
  received(item: UploadItem, folder: string): void; // 202: show it in the list as pending
  ready(key: string, record: FileRecord): void; // its row exists
  unauthorized(): void;
  announce(text: string): void;
}

interface Row {
  li: HTMLLIElement;
  progress: HTMLProgressElement;
  bytes: HTMLElement;
  status: HTMLElement;
  button: HTMLButtonElement;
}

export class UploadPanel {
  private items: UploadItem[] = [];
  private folders = new Map<string, string>();
  private files = new Map<string, File>();
  private sending = new Map<string, Sending>();
  private rows = new Map<string, Row>();
  // Not a live region: progress text changes many times a second. Outcomes
  // are spoken through the page's announcer instead (hooks.announce).
  private list = h("ul", { class: "uploads" });
  private folderInput: HTMLInputElement | null = null;
  private counter = 0;
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly hooks: UploadHooks,
  ) {}

  // Built anew on a language change; the uploads themselves go on.
  render(): HTMLElement {
    const pickId = uid("pick");
    const folderId = uid("upload-folder");
    const picker = h("input", {
      id: pickId,
      type: "file",
      multiple: true,
      onchange: () => {
        if (picker.files) this.add(Array.from(picker.files));
        picker.value = "";
      },
    });
    const folder = h("input", { id: folderId, type: "text", autocomplete: "off", value: this.folderInput?.value ?? "" });
    this.folderInput = folder;
    const zone = h(
      "div",
      { class: "dropzone" },
      h("label", { for: pickId, class: "pick-label" }, t("upload.pick")),
      picker,
      h("p", { class: "hint" }, t("upload.drop")),
    );
    const section = h(
      "section",
      { class: "upload-panel", "aria-labelledby": "upload-heading" },
      h("h2", { id: "upload-heading" }, t("upload.heading")),
      zone,
      h("div", { class: "field inline" }, h("label", { for: folderId }, t("upload.folder")), folder),
      this.list,
    );
    // The whole panel takes drops, not just the small zone.
    section.addEventListener("dragover", (e) => {
      if (e.dataTransfer?.types.includes("Files")) {
        e.preventDefault();
        zone.classList.add("dragging");
      }
    });
    section.addEventListener("dragleave", (e) => {
      if (e.target === section || !section.contains(e.relatedTarget as Node)) zone.classList.remove("dragging");
    });
    section.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("dragging");
      if (e.dataTransfer?.files.length) this.add(Array.from(e.dataTransfer.files));
    });
    this.rows.clear();
    this.list.replaceChildren(...this.items.map((item) => this.buildRow(item)));
    return section;
  }

  add(files: File[]): void {
    const folder = this.folderInput?.value ?? "";
    for (const file of files) {
      this.counter += 1;
      const item = newUpload(`u${this.counter}`, file.name, file.size);
      this.items.push(item);
      this.files.set(item.key, file);
      this.folders.set(item.key, folder);
      this.list.appendChild(this.buildRow(item));
    }
    this.pump();
  }

  // Called on sign-out: nothing of the old session keeps running.
  stop(): void {
    this.stopped = true;
    for (const s of this.sending.values()) s.abort();
    this.sending.clear();
  }

  private item(key: string): UploadItem | undefined {
    return this.items.find((i) => i.key === key);
  }

  private apply(key: string, ev: UploadEvent): UploadItem | undefined {
    const idx = this.items.findIndex((i) => i.key === key);
    if (idx < 0) return undefined;
    const before = this.items[idx];
    const after = nextUpload(before, ev);
    this.items[idx] = after;
    if (after !== before) this.updateRow(after);
    if (after.phase !== before.phase && isFinished(after)) {
      this.sending.delete(key);
      this.files.delete(key);
      if (after.phase === "failed" && after.error)
        this.hooks.announce(`${after.name}: ${t("upload.state.failed")}: ${errorText(after.error, t)}`);
      if (after.phase === "cancelled") this.hooks.announce(`${after.name}: ${t("upload.state.cancelled")}`);
    }
    return after;
  }

  private pump(): void {
    if (this.stopped) return;
    const active = this.items.filter((i) => i.phase === "sending").length;
    const waiting = this.items.filter((i) => i.phase === "queued").slice(0, Math.max(0, PARALLEL - active));
    for (const item of waiting) this.start(item.key);
  }

  private start(key: string): void {
    const file = this.files.get(key);
    if (!file) return;
    this.apply(key, { type: "start" });
    const s = sendFile(file, this.folders.get(key) ?? "", this.api.authHeader(), {
      progress: (sent) => this.apply(key, { type: "progress", sent }),
      accepted: (id) => {
        const item = this.apply(key, { type: "accepted", id });
        this.sending.delete(key);
        if (item) {
          this.hooks.announce(`${item.name}: ${t("upload.state.received")}`);
          this.hooks.received(item, this.folders.get(key) ?? "");
          void this.waitForRow(key, id);
        }
        this.pump();
      },
      created: (record) => {
        this.apply(key, { type: "created", record });
        this.hooks.ready(key, record);
        this.pump();
      },
      failed: (error) => {
        this.apply(key, { type: "failed", error });
        this.pump();
      },
      unauthorized: () => this.hooks.unauthorized(),
    });
    this.sending.set(key, s);
  }

  private cancel(key: string): void {
    const s = this.sending.get(key);
    const item = this.apply(key, { type: "cancel" });
    if (item?.phase === "cancelled") s?.abort();
    this.pump();
  }

  private dismiss(key: string): void {
    this.items = this.items.filter((i) => i.key !== key);
    this.rows.get(key)?.li.remove();
    this.rows.delete(key);
  }

  // The row is written by a worker after the 202; until then the file is 404.
  private async waitForRow(key: string, id: string): Promise<void> {
    const start = Date.now();
    for (let attempt = 0; !this.stopped && Date.now() - start < POLL_LIMIT_MS; attempt++) {
      await new Promise((r) => setTimeout(r, pollDelay(attempt)));
      if (this.stopped) return;
      try {
        const record = await this.api.get(id);
        if (record.state === "pending") continue;
        this.apply(key, { type: "ready", record });
        this.hooks.ready(key, record);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return;
        // 404 until the worker has written the row; anything else: try again.
      }
    }
  }

  private buildRow(item: UploadItem): HTMLLIElement {
    const progress = h("progress", { max: Math.max(1, item.size), value: 0, "aria-label": item.name });
    const bytes = h("span", { class: "upload-bytes" });
    const status = h("span", { class: "upload-status" });
    const button = h("button", { type: "button", class: "secondary small" });
    button.addEventListener("click", () => {
      const current = this.item(item.key);
      if (!current) return;
      if (canCancel(current)) this.cancel(item.key);
      else if (isFinished(current)) this.dismiss(item.key);
    });
    const li = h(
      "li",
      { class: "upload", "data-key": item.key },
      h("span", { class: "upload-name", title: item.name }, item.name),
      progress,
      bytes,
      status,
      button,
    );
    this.rows.set(item.key, { li, progress, bytes, status, button });
    this.updateRow(item);
    return li;
  }

  private updateRow(item: UploadItem): void {
    const row = this.rows.get(item.key);
    if (!row) return;
    const l = locale();
    row.li.dataset.phase = item.phase;
    row.progress.value = item.sent;
    row.bytes.textContent = t("upload.progress", {
      sent: formatSize(item.sent, l),
      total: formatSize(item.size, l),
      percent: percent(item.sent, item.size),
    });
    row.status.textContent =
      item.phase === "failed" && item.error
        ? `${t("upload.state.failed")}: ${errorText(item.error, t)}`
        : t(`upload.state.${item.phase}`);
    row.status.classList.toggle("error", item.phase === "failed");
    if (canCancel(item)) {
      row.button.textContent = t("upload.cancel.short");
      row.button.setAttribute("aria-label", t("upload.cancel", { name: item.name }));
      row.button.hidden = false;
    } else {
      row.button.textContent = "✕";
      row.button.setAttribute("aria-label", t("upload.dismiss", { name: item.name }));
      // Received files wait for their row; the other finished ones can go.
      row.button.hidden = !isFinished(item);
    }
  }
}
