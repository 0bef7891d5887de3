import { describe, expect, it } from "vitest";
import { formatDate, formatSize, percent, shortType } from "../src/format";

describe("formatSize", () => {
  it("shows bytes as whole numbers", () => {
    expect(formatSize(0, "en")).toBe("0 B");
    expect(formatSize(1023, "en")).toBe("1,023 B");
  });
  it("uses one decimal below ten units, with the locale's decimal mark", () => {
    expect(formatSize(1536, "en")).toBe("1.5 KB");
    expect(formatSize(1536, "pt-BR")).toBe("1,5 KB");
    expect(formatSize(5 * 1024 * 1024, "pt-BR")).toBe("5,0 MB");
  });
  it("drops decimals from ten units on", () => {
    expect(formatSize(400 * 1024, "en")).toBe("400 KB");
    expect(formatSize(5 * 1024 ** 3, "en")).toBe("5.0 GB");
    expect(formatSize(12.4 * 1024 ** 4, "en")).toBe("12 TB");
  });
  it("refuses nonsense", () => {
    expect(formatSize(-1, "en")).toBe("—");
    expect(formatSize(Number.NaN, "en")).toBe("—");
  });
});

describe("percent", () => {
  it("rounds down, so 100% means all of it", () => {
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(0, 1000)).toBe(0);
  });
  it("an empty file is done when sent", () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(1, 0)).toBe(100);
  });
});

describe("formatDate and shortType", () => {
  it("writes dates the locale's way", () => {
    expect(formatDate("2026-12-04T20:21:46.008407Z", "pt-BR", "UTC")).toBe("04/12/2026, 20:21");
    // ICU versions differ in the space before "PM" (U+202F or U+0020).
    expect(formatDate("2026-12-04T20:21:46Z", "en", "UTC").replace(/\s/g, " ")).toBe("12/4/26, 8:21 PM");
    expect(formatDate("not a date", "en")).toBe("not a date");
  });
  it("names common types briefly", () => {
    expect(shortType("application/pdf", "a.pdf")).toBe("PDF");
    expect(shortType("text/plain", "notas.txt")).toBe("TXT");
    expect(shortType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "x.xlsx")).toBe("XLSX");
    expect(shortType("application/octet-stream", "blob")).toBe("application/octet-stream");
  });
});
