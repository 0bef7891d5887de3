// One upload's life as a pure state machine, so the rules (what can be
// cancelled, what a late progress event does) are tested without a browser.
//
//   queued → sending → received (202) → ready (the row exists)
//                    ↘ ready (201, sync mode)
//   queued/sending → cancelled | failed;   received → failed (gave up waiting)
import type { ApiError, FileRecord } from "./api";

export type UploadPhase = "queued" | "sending" | "received" | "ready" | "failed" | "cancelled";

export interface UploadItem {
  key: string; // local, stable for the item's life
  name: string;
  size: number;
  sent: number; // bytes of the file sent so far
  phase: UploadPhase;
  fileId: string | null;
  record: FileRecord | null;
  error: ApiError | null;
}

export type UploadEvent =
  | { type: "start" }
  | { type: "progress"; sent: number }
  | { type: "accepted"; id: string } // 202: stored, the row comes later
  | { type: "created"; record: FileRecord } // 201 (sync mode)
  | { type: "ready"; record: FileRecord } // the row appeared
  | { type: "failed"; error: ApiError }
  | { type: "cancel" };

export function newUpload(key: string, name: string, size: number): UploadItem {
  return { key, name, size, sent: 0, phase: "queued", fileId: null, record: null, error: null };
}

export function isActive(item: UploadItem): boolean {
  return item.phase === "queued" || item.phase === "sending";
}

// Only bytes still on their way can be called back; once the server has the
// file, deleting it is the way to undo.
export function canCancel(item: UploadItem): boolean {
  return isActive(item);
}

export function isFinished(item: UploadItem): boolean {
  return item.phase === "ready" || item.phase === "failed" || item.phase === "cancelled";
}

// Events that make no sense in the current phase (a progress event after
// cancel, a cancel after the 202) leave the item unchanged.
export function nextUpload(item: UploadItem, ev: UploadEvent): UploadItem {
  switch (ev.type) {
    case "start":
      return item.phase === "queued" ? { ...item, phase: "sending", sent: 0 } : item;
    case "progress":
      if (item.phase !== "sending") return item;
      return { ...item, sent: Math.max(item.sent, Math.min(item.size, Math.max(0, ev.sent))) };
    case "accepted":
      if (item.phase !== "sending") return item;
      return { ...item, phase: "received", sent: item.size, fileId: ev.id };
    case "created":
      if (item.phase !== "sending") return item;
      return { ...item, phase: "ready", sent: item.size, fileId: ev.record.id, record: ev.record };
    case "ready":
      if (item.phase !== "received" || ev.record.id !== item.fileId) return item;
      return { ...item, phase: "ready", record: ev.record };
    case "failed":
      if (isFinished(item)) return item;
      return { ...item, phase: "failed", error: ev.error };
    case "cancel":
      return canCancel(item) ? { ...item, phase: "cancelled" } : item;
  }
}

// How long to wait before the next look for the row of a received upload:
// quick at first (the embedded worker takes milliseconds), slower later.
export function pollDelay(attempt: number): number {
  return Math.min(2000, 150 * 2 ** Math.min(attempt, 4));
}
