// The list: filters (kept in the URL), the table (cards on narrow screens,
// by CSS alone), "load more" on the API's cursor, and the actions of a row.
import { h, option, uid } from "../dom";
import { t, locale, type MessageKey } from "../i18n";
import { errorText } from "../errors";
import { formatDate, formatSize, shortType } from "../format";
import {
  REVIEW_STATUSES,
  SORT_KEYS,
  ORDERS,
  TYPE_CHOICES,
  defaultOrder,
  emptyFilters,
  filtersFromQuery,
  filtersToQuery,
  toApiParams,
  type Filters,
  type Order,
  type SortKey,
} from "../filters";
import { ApiError, type Api, type FileRecord } from "../api";
import type { UploadItem } from "../upload_state";
import { confirmDelete, editDetails } from "./dialogs";

const PAGE = 50;

const TYPE_LABELS: Record<(typeof TYPE_CHOICES)[number], MessageKey> = {
  "": "filter.type.any",
  pdf: "filter.type.pdf",
  "image/*": "filter.type.image",
  "text/*": "filter.type.text",
  "video/*": "filter.type.video",
  "audio/*": "filter.type.audio",
};

// A row is a stored file, or an upload the server has but not yet listed.
type Entry = { kind: "file"; file: FileRecord; note?: string } | { kind: "pending"; key: string; item: UploadItem; folder: string; at: string };

export class FileListView {
  private filters: Filters = emptyFilters();
  private entries: Entry[] = [];
  private cursor: string | null = null;
  private loading = false;
  private loadError = "";
  private generation = 0; // answers of an older query are dropped
  private renaming: string | null = null;
  // What is typed in the rename field, so a re-render (an upload landing,
  // a language change) keeps it.
  private renameDraft = "";

  private tbody = h("tbody");
  private statusLine = h("p", { class: "list-status", role: "status" });
  private moreButton = h("button", { type: "button", class: "secondary" });
  private section: HTMLElement | null = null;

  constructor(
    private readonly api: Api,
    private readonly announce: (text: string) => void,
  ) {
    this.moreButton.addEventListener("click", () => void this.load(false));
  }

  // The filters the page's URL names; the list is fetched anew.
  fromUrl(): void {
    this.filters = filtersFromQuery(window.location.search);
    void this.load(true);
  }

  render(): HTMLElement {
    this.section = h(
      "section",
      { class: "files", "aria-labelledby": "files-heading" },
      h("h2", { id: "files-heading" }, t("files.heading")),
      this.filterForm(),
      this.table(),
      this.statusLine,
      h("div", { class: "more" }, this.moreButton),
    );
    this.renderRows();
    return this.section;
  }

  // -- filters -------------------------------------------------------------
  private filterForm(): HTMLElement {
    const f = this.filters;
    const ids = { q: uid("q"), type: uid("type"), after: uid("after"), before: uid("before"), status: uid("st"), folder: uid("folder"), sort: uid("sort"), order: uid("order") };
    const q = h("input", { id: ids.q, type: "search", name: "q", value: f.q, autocomplete: "off" });
    const typeChoices: string[] = [...TYPE_CHOICES];
    if (f.type && !typeChoices.includes(f.type)) typeChoices.push(f.type); // a hand-made URL
    const type = h(
      "select",
      { id: ids.type, name: "type" },
      ...typeChoices.map((v) => option(v, v in TYPE_LABELS ? t(TYPE_LABELS[v as keyof typeof TYPE_LABELS]) : v, v === f.type)),
    );
    const after = h("input", { id: ids.after, type: "date", name: "after", value: f.after });
    const before = h("input", { id: ids.before, type: "date", name: "before", value: f.before });
    const status = h(
      "select",
      { id: ids.status, name: "status" },
      option("", t("filter.status.any"), f.status === ""),
      ...REVIEW_STATUSES.map((s) => option(s, t(`status.${s}`), s === f.status)),
    );
    const folder = h("input", { id: ids.folder, type: "text", name: "folder", value: f.folder, autocomplete: "off" });
    const sort = h("select", { id: ids.sort, name: "sort" }, ...SORT_KEYS.map((s) => option(s, t(`sort.${s}`), s === f.sort)));
    const order = h("select", { id: ids.order, name: "order" }, ...ORDERS.map((o) => option(o, t(`order.${o}`), o === f.order)));

    const read = (): Filters => ({
      q: q.value,
      type: type.value,
      after: after.value,
      before: before.value,
      status: status.value as Filters["status"],
      folder: folder.value.trim(),
      sort: sort.value as SortKey,
      order: order.value as Order,
    });
    const apply = () => this.applyFilters(read());
    // A new sort starts in its natural order (names A→Z, newest first…).
    sort.addEventListener("change", () => {
      order.value = defaultOrder(sort.value as SortKey);
      apply();
    });
    for (const el of [type, status, order, after, before]) el.addEventListener("change", apply);
    const field = (id: string, label: MessageKey, control: HTMLElement) =>
      h("div", { class: "field" }, h("label", { for: id }, t(label)), control);
    return h(
      "form",
      {
        class: "filters",
        role: "search",
        "aria-label": t("filter.heading"),
        onsubmit: (e: Event) => {
          e.preventDefault();
          apply();
        },
      },
      field(ids.q, "filter.q", q),
      field(ids.type, "filter.type", type),
      field(ids.after, "filter.after", after),
      field(ids.before, "filter.before", before),
      field(ids.status, "filter.status", status),
      field(ids.folder, "filter.folder", folder),
      field(ids.sort, "filter.sort", sort),
      field(ids.order, "filter.order", order),
      h(
        "div",
        { class: "filter-buttons" },
        h("button", { type: "submit" }, t("filter.apply")),
        h(
          "button",
          { type: "button", class: "secondary", onclick: () => this.applyFilters(emptyFilters(), true) },
          t("filter.clear"),
        ),
      ),
    );
  }

  private applyFilters(next: Filters, rebuildForm = false): void {
    this.filters = next;
    const url = window.location.pathname + filtersToQuery(next);
    if (url !== window.location.pathname + window.location.search) history.pushState(null, "", url);
    if (rebuildForm && this.section) this.section.querySelector("form.filters")?.replaceWith(this.filterForm());
    void this.load(true);
  }

  // -- loading ---------------------------------------------------------------
  private async load(fresh: boolean): Promise<void> {
    const gen = fresh ? ++this.generation : this.generation;
    if (fresh) {
      this.cursor = null;
      // Uploads still waiting for their row stay on top of the new view.
      this.entries = this.entries.filter((e) => e.kind === "pending");
    }
    this.loading = true;
    this.loadError = "";
    this.renderStatus();
    try {
      const page = await this.api.list(toApiParams(this.filters, fresh ? null : this.cursor, PAGE));
      if (gen !== this.generation) return;
      const known = new Set(this.entries.map((e) => (e.kind === "file" ? e.file.id : e.item.fileId)));
      for (const file of page.items) if (!known.has(file.id)) this.entries.push({ kind: "file", file });
      this.cursor = page.next_cursor;
    } catch (err) {
      if (gen !== this.generation) return;
      this.loadError = errorText(err, t);
    } finally {
      if (gen === this.generation) {
        this.loading = false;
        this.renderRows();
      }
    }
  }

  // -- changes from elsewhere --------------------------------------------------
  addPending(item: UploadItem, folder: string): void {
    this.entries.unshift({ kind: "pending", key: item.key, item, folder, at: new Date().toISOString() });
    this.renderRows();
  }

  // The upload's row exists: it takes the pending row's place.
  uploadReady(key: string, record: FileRecord): void {
    const idx = this.entries.findIndex((e) => e.kind === "pending" && e.key === key);
    const existing = this.entries.findIndex((e) => e.kind === "file" && e.file.id === record.id);
    if (idx >= 0) this.entries.splice(idx, 1, { kind: "file", file: record });
    else if (existing < 0) this.entries.unshift({ kind: "file", file: record });
    this.renderRows();
  }

  private replace(record: FileRecord, note?: string): void {
    const idx = this.entries.findIndex((e) => e.kind === "file" && e.file.id === record.id);
    if (idx >= 0) this.entries[idx] = { kind: "file", file: record, note };
    this.renderRows();
  }

  private drop(id: string): void {
    this.entries = this.entries.filter((e) => !(e.kind === "file" && e.file.id === id));
    this.renderRows();
  }

  // -- the table ------------------------------------------------------------------
  private table(): HTMLElement {
    const cols: MessageKey[] = ["col.name", "col.type", "col.size", "col.date", "col.status", "col.state", "col.folder", "col.actions"];
    return h(
      "table",
      { class: "file-table" },
      h("caption", { class: "visually-hidden" }, t("files.heading")),
      h("thead", {}, h("tr", {}, ...cols.map((c) => h("th", { scope: "col" }, t(c))))),
      this.tbody,
    );
  }

  private renderStatus(): void {
    const shown = this.entries.length;
    this.statusLine.classList.toggle("error", !!this.loadError);
    this.statusLine.textContent = this.loadError
      ? this.loadError
      : this.loading
        ? t("files.loading")
        : shown === 0
          ? t("files.empty")
          : t("files.count", { count: shown });
    this.moreButton.textContent = t("files.more");
    this.moreButton.hidden = !this.cursor;
    this.moreButton.disabled = this.loading;
  }

  private renderRows(): void {
    // Keep focus where it was across a re-render (the same control of the same row).
    const active = document.activeElement as HTMLElement | null;
    const focusKey = active?.dataset.focusKey;
    const caret = active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : null;
    this.tbody.replaceChildren(...this.entries.map((e) => (e.kind === "file" ? this.fileRow(e.file, e.note) : this.pendingRow(e))));
    if (focusKey) {
      const again = this.tbody.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      again?.focus();
      if (caret && again instanceof HTMLInputElement) again.setSelectionRange(caret[0], caret[1]);
    }
    this.renderStatus();
  }

  private cell(label: MessageKey, ...content: (Node | string)[]): HTMLTableCellElement {
    return h("td", { "data-label": t(label) }, ...content);
  }

  private pendingRow(e: Extract<Entry, { kind: "pending" }>): HTMLElement {
    const l = locale();
    return h(
      "tr",
      { class: "pending", "data-upload": e.key },
      this.cell("col.name", h("span", { class: "file-name" }, e.item.name)),
      this.cell("col.type", "—"),
      this.cell("col.size", formatSize(e.item.size, l)),
      this.cell("col.date", formatDate(e.at, l)),
      this.cell("col.status", "—"),
      this.cell("col.state", h("span", { class: "badge state-pending" }, t("state.pending"))),
      this.cell("col.folder", e.folder || t("folder.root")),
      this.cell("col.actions"),
    );
  }

  private fileRow(file: FileRecord, note?: string): HTMLElement {
    const l = locale();
    const nameCell =
      this.renaming === file.id
        ? this.renameForm(file)
        : h("span", { class: "file-name", title: file.name }, file.name);
    const button = (key: MessageKey, short: MessageKey, action: string, onclick: () => void, cls = "secondary small") =>
      h("button", { type: "button", class: cls, "aria-label": t(key, { name: file.name }), "data-focus-key": `${file.id}:${action}`, onclick }, t(short));
    return h(
      "tr",
      { "data-id": file.id },
      this.cell("col.name", nameCell, note ? h("span", { class: "note" }, note) : ""),
      this.cell("col.type", h("span", { title: file.content_type }, shortType(file.content_type, file.name))),
      this.cell("col.size", formatSize(file.size, l)),
      this.cell("col.date", h("time", { datetime: file.created_at }, formatDate(file.created_at, l))),
      this.cell("col.status", h("span", { class: `badge status-${file.status}` }, t(`status.${file.status}`))),
      this.cell("col.state", h("span", { class: `badge state-${file.state}` }, t(`state.${file.state}`))),
      this.cell("col.folder", file.folder || t("folder.root")),
      this.cell(
        "col.actions",
        h(
          "div",
          { class: "actions" },
          button("action.download", "action.download.short", "download", () => void this.download(file)),
          button("action.rename", "action.rename.short", "rename", () => this.startRename(file)),
          button("action.edit", "action.edit.short", "edit", () => void this.edit(file)),
          button("action.delete", "action.delete.short", "delete", () => void this.remove(file), "danger small"),
        ),
      ),
    );
  }

  // -- actions ------------------------------------------------------------------
  // The browser itself fetches the presigned URL (Content-Disposition:
  // attachment), so no byte of the file passes through this page's memory.
  private async download(file: FileRecord): Promise<void> {
    try {
      window.location.assign(await this.api.downloadUrl(file.id));
    } catch (err) {
      this.announce(errorText(err, t));
    }
  }

  private startRename(file: FileRecord): void {
    this.renaming = file.id;
    this.renameDraft = file.name;
    this.renderRows();
    const input = this.tbody.querySelector<HTMLInputElement>(`tr[data-id="${CSS.escape(file.id)}"] input.rename`);
    input?.focus();
    input?.setSelectionRange(0, Math.max(0, file.name.lastIndexOf(".") > 0 ? file.name.lastIndexOf(".") : file.name.length));
  }

  private renameForm(file: FileRecord): HTMLElement {
    const id = uid("rename");
    const input = h("input", {
      id,
      class: "rename",
      type: "text",
      value: this.renameDraft,
      required: true,
      autocomplete: "off",
      "data-focus-key": `${file.id}:rename-input`,
    });
    input.addEventListener("input", () => (this.renameDraft = input.value));
    const error = h("span", { class: "form-error", role: "alert" });
    const stop = () => {
      this.renaming = null;
      this.renderRows();
      (this.tbody.querySelector(`[data-focus-key="${CSS.escape(file.id + ":rename")}"]`) as HTMLElement | null)?.focus();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        stop();
      }
    });
    return h(
      "form",
      {
        class: "rename-form",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const name = input.value;
          if (name === file.name) return stop();
          try {
            const { status, record } = await this.api.patch(file.id, { name });
            this.renaming = null;
            if (status === 200 && record) {
              this.replace(record);
            } else {
              // 202: the object is being renamed (named layout); show the new
              // name now and the record once it carries it.
              this.replace({ ...file, name }, t("rename.accepted"));
              void this.waitForName(file.id, name);
            }
            this.announce(t("edit.saved"));
          } catch (err) {
            error.textContent = errorText(err, t);
            input.focus();
          }
        },
      },
      h("label", { for: id, class: "visually-hidden" }, t("rename.label", { name: file.name })),
      input,
      h("button", { type: "submit", class: "small" }, t("rename.save")),
      h("button", { type: "button", class: "secondary small", onclick: stop }, t("rename.cancel")),
      error,
    );
  }

  private async waitForName(id: string, name: string): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        const record = await this.api.get(id);
        if (record.name === name) return this.replace(record);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 401)) return;
      }
    }
  }

  private async edit(file: FileRecord): Promise<void> {
    const patch = await editDetails(file);
    if (!patch || Object.keys(patch).length === 0) return;
    try {
      const { record } = await this.api.patch(file.id, patch);
      if (record) this.replace(record);
      this.announce(t("edit.saved"));
    } catch (err) {
      this.announce(errorText(err, t));
    }
  }

  private async remove(file: FileRecord): Promise<void> {
    if (!(await confirmDelete(file.name))) return;
    try {
      await this.api.remove(file.id);
      this.drop(file.id); // 202: gone for users at once
      this.announce(t("delete.done", { name: file.name }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.drop(file.id);
      this.announce(errorText(err, t));
    }
  }
}
