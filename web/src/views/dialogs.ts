// Modal dialogs on the native <dialog>: it traps focus, closes on Escape and
// gives focus back to the opener, with no script of ours for any of that.
import { h, uid, option } from "../dom";
import { t } from "../i18n";
import { REVIEW_STATUSES } from "../filters";
import type { FilePatch, FileRecord } from "../api";

function openDialog(dialog: HTMLDialogElement): void {
  document.body.appendChild(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
}

export function confirmDelete(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid("dlg-title");
    let answer = false;
    const keep = h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("delete.cancel"));
    const dialog = h(
      "dialog",
      { "aria-labelledby": titleId, class: "dialog" },
      h("h2", { id: titleId }, t("delete.heading")),
      h("p", {}, t("delete.question", { name })),
      h(
        "div",
        { class: "dialog-buttons" },
        keep,
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: () => {
              answer = true;
              dialog.close();
            },
          },
          t("delete.confirm"),
        ),
      ),
    );
    dialog.addEventListener("close", () => resolve(answer));
    openDialog(dialog);
    keep.focus(); // the safe answer is the default one
  });
}

// The fields of the details form; resolves with only what changed, or null.
export function editDetails(file: FileRecord): Promise<FilePatch | null> {
  return new Promise((resolve) => {
    const titleId = uid("dlg-title");
    const descId = uid("desc");
    const tagsId = uid("tags");
    const statusId = uid("status");
    const desc = h("textarea", { id: descId, rows: 3, maxlength: 4096, value: file.description });
    const tags = h("input", { id: tagsId, type: "text", value: file.tags.join(", "), autocomplete: "off" });
    const status = h(
      "select",
      { id: statusId },
      ...REVIEW_STATUSES.map((s) => option(s, t(`status.${s}`), s === file.status)),
    );
    let result: FilePatch | null = null;
    const form = h(
      "form",
      {
        method: "dialog",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const patch: FilePatch = {};
          if (desc.value !== file.description) patch.description = desc.value;
          const newTags = tags.value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
          if (newTags.join(",") !== file.tags.join(",")) patch.tags = newTags;
          if (status.value !== file.status) patch.status = status.value as FileRecord["status"];
          result = patch;
          dialog.close();
        },
      },
      h("h2", { id: titleId }, t("edit.heading", { name: file.name })),
      h("div", { class: "field" }, h("label", { for: descId }, t("edit.description")), desc),
      h("div", { class: "field" }, h("label", { for: tagsId }, t("edit.tags")), tags),
      h("div", { class: "field" }, h("label", { for: statusId }, t("edit.status")), status),
      h(
        "div",
        { class: "dialog-buttons" },
        h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("edit.cancel")),
        h("button", { type: "submit" }, t("edit.save")),
      ),
    );
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "dialog" }, form);
    dialog.addEventListener("close", () => resolve(result));
    openDialog(dialog);
    desc.focus();
  });
}
