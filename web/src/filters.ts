// The list's search and filters, kept in the page's query string so a view
// can be shared and survives a reload. The URL holds what the user chose
// (dates as YYYY-MM-DD); toApiParams turns that into the API's parameters.

export type SortKey = "created_at" | "name" | "size";
export type Order = "asc" | "desc";
export type ReviewStatus = "pending" | "approved" | "rejected";

export interface Filters {
  q: string;
  type: string; // an API `type`: "pdf", "image/*", "application/pdf"…
  after: string; // YYYY-MM-DD, first day included
  before: string; // YYYY-MM-DD, last day included
  status: ReviewStatus | "";
  folder: string; // "" no filter; "/" the root folder
  sort: SortKey;
  order: Order;
}

export const SORT_KEYS: readonly SortKey[] = ["created_at", "name", "size"];
export const ORDERS: readonly Order[] = ["asc", "desc"];
export const REVIEW_STATUSES: readonly ReviewStatus[] = ["pending", "approved", "rejected"];
// The type filter's choices; a type typed into the URL by hand still works.
export const TYPE_CHOICES = ["", "pdf", "image/*", "text/*", "video/*", "audio/*"] as const;

// The API's default order for each sort (docs/api-notes.md).
export function defaultOrder(sort: SortKey): Order {
  return sort === "name" ? "asc" : "desc";
}

export function emptyFilters(): Filters {
  return { q: "", type: "", after: "", before: "", status: "", folder: "", sort: "created_at", order: "desc" };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

// Unknown or malformed values are dropped rather than sent: a hand-edited
// URL gives the nearest valid view instead of an error page.
export function filtersFromQuery(search: string | URLSearchParams): Filters {
  const p = typeof search === "string" ? new URLSearchParams(search) : search;
  const f = emptyFilters();
  f.q = (p.get("q") ?? "").slice(0, 200);
  f.type = (p.get("type") ?? "").trim().slice(0, 100);
  const after = p.get("after") ?? "";
  const before = p.get("before") ?? "";
  f.after = validDate(after) ? after : "";
  f.before = validDate(before) ? before : "";
  const status = p.get("status") ?? "";
  f.status = (REVIEW_STATUSES as readonly string[]).includes(status) ? (status as ReviewStatus) : "";
  f.folder = p.get("folder") ?? "";
  const sort = p.get("sort") ?? "";
  f.sort = (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : "created_at";
  const order = p.get("order") ?? "";
  f.order = (ORDERS as readonly string[]).includes(order) ? (order as Order) : defaultOrder(f.sort);
  return f;
}

// Only what differs from the defaults, in a fixed order, so equal views
// have equal URLs.
export function filtersToQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.type) p.set("type", f.type);
  if (f.after) p.set("after", f.after);
  if (f.before) p.set("before", f.before);
  if (f.status) p.set("status", f.status);
  if (f.folder) p.set("folder", f.folder);
  if (f.sort !== "created_at") p.set("sort", f.sort);
  if (f.order !== defaultOrder(f.sort)) p.set("order", f.order);
  const s = p.toString();
  return s ? "?" + s : "";
}

// Local midnight of a YYYY-MM-DD day, as RFC 3339 UTC: "from the 3rd"
// means from the start of the 3rd where the user is.
export function localDayStart(day: string, plusDays = 0): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

export function toApiParams(f: Filters, cursor: string | null, limit: number): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.type) p.set("type", f.type);
  // uploaded_before is exclusive: the day after the last day chosen.
  if (f.after) p.set("uploaded_after", localDayStart(f.after));
  if (f.before) p.set("uploaded_before", localDayStart(f.before, 1));
  if (f.status) p.set("status", f.status);
  if (f.folder) p.set("folder", f.folder);
  p.set("sort", f.sort);
  p.set("order", f.order);
  p.set("limit", String(limit));
  if (cursor) p.set("cursor", cursor);
  return p;
}

export function sameFilters(a: Filters, b: Filters): boolean {
  return filtersToQuery(a) === filtersToQuery(b);
}
