import { describe, expect, it } from "vitest";
import { ApiError, type FileRecord } from "../src/api";
import { canCancel, isFinished, newUpload, nextUpload, pollDelay, type UploadEvent, type UploadItem } from "../src/upload_state";

const record = (id: string): FileRecord => ({
  id,
  name: "a.pdf",
  folder: "",
  project: "",
  owner: { id: "u", username: "alice" },
  size: 100,
  content_type: "application/pdf",
  sha256: "",
  description: "",
  tags: [],
  status: "pending",
  state: "ready",
  created_at: "2026-12-04T20:21:46Z",
  updated_at: "2026-12-04T20:21:46Z",
});

function run(...events: UploadEvent[]): UploadItem {
  return events.reduce(nextUpload, newUpload("k", "a.pdf", 100));
}

describe("upload state machine", () => {
  it("goes queued → sending → received → ready on a 202", () => {
    let item = newUpload("k", "a.pdf", 100);
    expect(item.phase).toBe("queued");
    item = nextUpload(item, { type: "start" });
    expect(item.phase).toBe("sending");
    item = nextUpload(item, { type: "progress", sent: 40 });
    expect(item.sent).toBe(40);
    item = nextUpload(item, { type: "accepted", id: "f1" });
    expect(item).toMatchObject({ phase: "received", sent: 100, fileId: "f1" });
    item = nextUpload(item, { type: "ready", record: record("f1") });
    expect(item.phase).toBe("ready");
    expect(item.record?.id).toBe("f1");
  });

  it("a 201 (sync mode) is ready at once", () => {
    expect(run({ type: "start" }, { type: "created", record: record("f2") })).toMatchObject({
      phase: "ready",
      fileId: "f2",
      sent: 100,
    });
  });

  it("progress never goes backwards nor past the size", () => {
    const item = run({ type: "start" }, { type: "progress", sent: 60 }, { type: "progress", sent: 30 });
    expect(item.sent).toBe(60);
    expect(nextUpload(item, { type: "progress", sent: 1e9 }).sent).toBe(100);
  });

  it("can be cancelled while queued or sending, not once received", () => {
    expect(run({ type: "cancel" }).phase).toBe("cancelled");
    expect(run({ type: "start" }, { type: "cancel" }).phase).toBe("cancelled");
    const received = run({ type: "start" }, { type: "accepted", id: "f" });
    expect(canCancel(received)).toBe(false);
    expect(nextUpload(received, { type: "cancel" })).toBe(received);
  });

  it("ignores what arrives after a cancel", () => {
    const cancelled = run({ type: "start" }, { type: "progress", sent: 10 }, { type: "cancel" });
    expect(nextUpload(cancelled, { type: "progress", sent: 50 })).toBe(cancelled);
    expect(nextUpload(cancelled, { type: "accepted", id: "f" })).toBe(cancelled);
    expect(nextUpload(cancelled, { type: "failed", error: new ApiError(0, "network", "") })).toBe(cancelled);
  });

  it("keeps the server's error on failure", () => {
    const err = new ApiError(413, "upload_too_large", "too big");
    const item = run({ type: "start" }, { type: "failed", error: err });
    expect(item.phase).toBe("failed");
    expect(item.error).toBe(err);
    expect(isFinished(item)).toBe(true);
  });

  it("takes only its own row as ready", () => {
    const received = run({ type: "start" }, { type: "accepted", id: "mine" });
    expect(nextUpload(received, { type: "ready", record: record("other") }).phase).toBe("received");
  });

  it("polls quickly at first, then backs off to 2 s", () => {
    expect(pollDelay(0)).toBe(150);
    expect(pollDelay(1)).toBe(300);
    expect(pollDelay(10)).toBe(2000);
  });
});
