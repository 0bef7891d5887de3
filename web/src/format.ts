// How sizes, dates and types read in the list, per locale.
import type { Locale } from "./i18n";

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

// Binary multiples with the short decimal names people expect (1 KB = 1024 B),
// one decimal below 10 units, none above; the locale picks the decimal mark.
export function formatSize(bytes: number, locale: Locale): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(
    value,
  );
  return `${text} ${UNITS[unit]}`;
}

export function percent(sent: number, total: number): number {
  if (total <= 0) return sent > 0 ? 100 : 0;
  return Math.min(100, Math.floor((sent / total) * 100));
}

export function formatDate(iso: string, locale: Locale, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone }).format(d);
}

// A short label for a MIME type: the subtype for the common families
// ("application/pdf" → "PDF"), else the extension of the name.
export function shortType(contentType: string, name: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  const sub = contentType.split("/")[1] ?? "";
  if (sub && /^[a-z0-9]{2,5}$/.test(sub) && sub !== "plain") return sub.toUpperCase();
  if (ext && ext.length <= 5) return ext.toUpperCase();
  return contentType || "—";
}
