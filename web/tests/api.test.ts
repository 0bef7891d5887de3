import { afterEach, describe, expect, it, vi } from "vitest";
import { Api, ApiError, errorFromResponse } from "../src/api";
import { errorText } from "../src/errors";
import { translate, type Translate } from "../src/i18n";

const pt: Translate = (k, v) => translate("pt-BR", k, v);
const en: Translate = (k, v) => translate("en", k, v);

function problem(status: number, code: string, detail = "d") {
  return JSON.stringify({ type: "about:blank", title: "t", status, detail, code });
}

describe("errorFromResponse", () => {
  it("reads the problem document's code and detail", () => {
    const e = errorFromResponse(413, problem(413, "upload_too_large", "the file is larger than the limit"));
    expect([e.status, e.code, e.detail]).toEqual([413, "upload_too_large", "the file is larger than the limit"]);
  });
  it("names a bare 413 (a proxy's page) payload_too_large", () => {
    expect(errorFromResponse(413, "<html>Request Entity Too Large</html>").code).toBe("payload_too_large");
  });
  it("keeps the status of any other non-problem answer", () => {
    const e = errorFromResponse(502, "Bad Gateway");
    expect([e.code, e.detail]).toEqual(["http_502", "Bad Gateway"]);
  });
});

describe("errorText", () => {
  it("translates known codes", () => {
    expect(errorText(new ApiError(413, "upload_too_large", ""), pt)).toBe("O arquivo é maior do que o servidor permite.");
    expect(errorText(new ApiError(413, "payload_too_large", ""), en)).toBe("The file is larger than the server allows.");
    expect(errorText(new ApiError(401, "invalid_credentials", ""), pt)).toBe("Usuário ou senha incorretos.");
    expect(errorText(new ApiError(0, "network", ""), en)).toMatch(/Could not reach the server/);
    // A rename onto a taken name (named key layout).
    expect(errorText(new ApiError(409, "name_taken", ""), pt)).toBe("Já existe outro arquivo com esse nome nesta pasta.");
  });
  it("shows status and the server's detail for codes it does not know", () => {
    expect(errorText(new ApiError(409, "file_busy", "try later"), en)).toBe("Error 409: try later");
    expect(errorText(new ApiError(500, "http_500", ""), pt)).toBe("Erro 500: http_500");
  });
  it("treats anything that is not an ApiError as a network failure", () => {
    expect(errorText(new TypeError("Failed to fetch"), en)).toMatch(/Could not reach/);
  });
});

describe("Api", () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubFetch(status: number, body: string) {
    const fn = vi.fn(async (_url: string, _init: RequestInit) => new Response(body, { status }));
    vi.stubGlobal("fetch", fn);
    return fn;
  }

  it("sends the token as a bearer header and never cookies", async () => {
    const fetch = stubFetch(200, JSON.stringify({ id: "1", username: "alice" }));
    const api = new Api(() => {});
    api.setToken("tok");
    expect((await api.me()).username).toBe("alice");
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("/api/me");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(init.credentials).toBe("omit");
  });

  it("a 401 on an authenticated call signs out", async () => {
    stubFetch(401, problem(401, "invalid_token"));
    const onUnauthorized = vi.fn();
    const api = new Api(onUnauthorized);
    api.setToken("expired");
    await expect(api.list(new URLSearchParams())).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("a 401 from the login itself is just wrong credentials", async () => {
    stubFetch(401, problem(401, "invalid_credentials"));
    const onUnauthorized = vi.fn();
    await expect(new Api(onUnauthorized).login("alice", "nope")).rejects.toMatchObject({ code: "invalid_credentials" });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("tells 200 from 202 on a rename", async () => {
    const api = new Api(() => {});
    stubFetch(202, JSON.stringify({ id: "f", state: "renaming" }));
    expect(await api.patch("f", { name: "b" })).toEqual({ status: 202, record: null });
    stubFetch(200, JSON.stringify({ id: "f", name: "b" }));
    expect((await api.patch("f", { name: "b" })).record?.name).toBe("b");
  });

  it("a failed fetch is a network error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(new Api(() => {}).me()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("escapes ids in paths", async () => {
    const fetch = stubFetch(200, JSON.stringify({ url: "http://x/blob" }));
    await new Api(() => {}).downloadUrl("a/b");
    expect(fetch.mock.calls[0][0]).toBe("/api/files/a%2Fb/download");
  });
});
