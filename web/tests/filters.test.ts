import { describe, expect, it } from "vitest";
import { emptyFilters, filtersFromQuery, filtersToQuery, localDayStart, toApiParams, type Filters } from "../src/filters";

describe("filters in the URL", () => {
  it("the default view has an empty query string", () => {
    expect(filtersToQuery(emptyFilters())).toBe("");
    expect(filtersFromQuery("")).toEqual(emptyFilters());
  });

  it("survives a round trip through the URL", () => {
    const f: Filters = {
      q: "relatório final",
      type: "image/*",
      after: "2026-01-31",
      before: "2026-02-28",
      status: "approved",
      folder: "reports/2026",
      sort: "size",
      order: "asc",
    };
    const query = filtersToQuery(f);
    expect(query).toBe(
      "?q=relat%C3%B3rio+final&type=image%2F*&after=2026-01-31&before=2026-02-28&status=approved&folder=reports%2F2026&sort=size&order=asc",
    );
    expect(filtersFromQuery(query)).toEqual(f);
  });

  it("leaves out an order that is the sort's natural one", () => {
    expect(filtersToQuery({ ...emptyFilters(), sort: "name", order: "asc" })).toBe("?sort=name");
    expect(filtersToQuery({ ...emptyFilters(), sort: "name", order: "desc" })).toBe("?sort=name&order=desc");
    expect(filtersFromQuery("?sort=name").order).toBe("asc");
    expect(filtersFromQuery("?sort=size").order).toBe("desc");
  });

  it("drops values a hand-edited URL gets wrong instead of failing", () => {
    const f = filtersFromQuery("?sort=owner&order=up&status=maybe&after=2026-02-30&before=yesterday&type=pdf");
    expect(f).toEqual({ ...emptyFilters(), type: "pdf" });
  });

  it("trims the search box and keeps the root folder as /", () => {
    expect(filtersToQuery({ ...emptyFilters(), q: "   ", folder: "/" })).toBe("?folder=%2F");
  });
});

describe("filters to API parameters", () => {
  it("always names sort, order and limit, and the cursor when loading more", () => {
    const p = toApiParams(emptyFilters(), null, 50);
    expect(Object.fromEntries(p)).toEqual({ sort: "created_at", order: "desc", limit: "50" });
    expect(toApiParams(emptyFilters(), "abc", 50).get("cursor")).toBe("abc");
  });

  it("turns days into an inclusive range of local time", () => {
    const p = toApiParams({ ...emptyFilters(), after: "2026-03-01", before: "2026-03-31" }, null, 10);
    const after = new Date(p.get("uploaded_after")!);
    const before = new Date(p.get("uploaded_before")!);
    // From local midnight of the first day to local midnight after the last (exclusive).
    expect([after.getFullYear(), after.getMonth(), after.getDate(), after.getHours()]).toEqual([2026, 2, 1, 0]);
    expect([before.getFullYear(), before.getMonth(), before.getDate(), before.getHours()]).toEqual([2026, 3, 1, 0]);
    expect(p.get("uploaded_after")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("passes search, type, status and folder through", () => {
    const p = toApiParams({ ...emptyFilters(), q: " ação ", type: "pdf", status: "rejected", folder: "a/b" }, null, 5);
    expect(p.get("q")).toBe("ação");
    expect(p.get("type")).toBe("pdf");
    expect(p.get("status")).toBe("rejected");
    expect(p.get("folder")).toBe("a/b");
  });

  it("rolls a month's last day over to the next month", () => {
    const d = new Date(localDayStart("2026-12-31", 1));
    expect([d.getFullYear(), d.getMonth(), d.getDate()]).toEqual([2027, 0, 1]);
  });
});
