// The HTTP API as the UI uses it (CONTRACT §3): JSON calls with the bearer
// token, problem documents turned into ApiError, and one hook for a 401.

export interface Owner {
  id: string;
  username: string;
}

export interface FileRecord {
  id: string;
  name: string;
  folder: string;
  project: string;
  owner: Owner;
  size: number;
  content_type: string;
  sha256: string;
  description: string;
  tags: string[];
  status: "pending" | "approved" | "rejected";
  state: "pending" | "ready" | "processing" | "deleting" | "missing" | "quarantined";
  created_at: string;
  updated_at: string;
}

export interface FileList {
  items: FileRecord[];
  next_cursor: string | null;
}

export interface Me {
  id: string;
  username: string;
  admin?: boolean;
}

export type FilePatch = Partial<Pick<FileRecord, "name" | "folder" | "description" | "status" | "tags">>;

// Every failure the UI shows: `code` is the server's stable code, or one of
// the UI's own: "network" (no answer), "aborted" (cancelled), "http_<status>"
// (an answer that is not a problem document).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
  }
}

export function networkError(): ApiError {
  return new ApiError(0, "network", "no answer from the server");
}

// Builds the error from an answer's status and body, whatever the body is
// (a proxy's HTML page, an empty 413 from a front server…).
export function errorFromResponse(status: number, body: string): ApiError {
  try {
    const doc = JSON.parse(body) as { code?: unknown; detail?: unknown; title?: unknown };
    if (doc && typeof doc.code === "string") {
      const detail = typeof doc.detail === "string" ? doc.detail : typeof doc.title === "string" ? doc.title : "";
      return new ApiError(status, doc.code, detail);
    }
  } catch {
    /* not JSON */
  }
  if (status === 413) return new ApiError(413, "payload_too_large", "the file is too large");
  return new ApiError(status, `http_${status}`, body.slice(0, 200));
}

export class Api {
  private token: string | null = null;

  // `onUnauthorized` runs when an authenticated call gets 401 (token expired
  // or revoked): the app forgets the token and shows the login form.
  constructor(private readonly onUnauthorized: () => void) {}

  setToken(token: string | null): void {
    this.token = token;
  }
  getToken(): string | null {
    return this.token;
  }
  authHeader(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  // A 401 from an authenticated call also reaches onUnauthorized before the
  // ApiError is thrown.
  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const headers: Record<string, string> = { Accept: "application/json", ...this.authHeader() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit", // the token travels in the header, never in a cookie
        cache: "no-store",
      });
    } catch {
      throw networkError();
    }
    const text = await res.text();
    if (!res.ok) {
      const err = errorFromResponse(res.status, text);
      if (res.status === 401 && this.token) this.onUnauthorized();
      throw err;
    }
    return { status: res.status, data: (text ? JSON.parse(text) : null) as T };
  }

  async login(username: string, password: string): Promise<string> {
    const { data } = await this.call<{ access_token: string }>("POST", "/api/auth/login", { username, password });
    return data.access_token;
  }
  async me(): Promise<Me> {
    return (await this.call<Me>("GET", "/api/me")).data;
  }
  async list(params: URLSearchParams): Promise<FileList> {
    return (await this.call<FileList>("GET", "/api/files?" + params.toString())).data;
  }
  async get(id: string): Promise<FileRecord> {
    return (await this.call<FileRecord>("GET", `/api/files/${encodeURIComponent(id)}`)).data;
  }
  // 200: the new record; 202: a physical rename was queued (named layout).
  async patch(id: string, patch: FilePatch): Promise<{ status: number; record: FileRecord | null }> {
    const { status, data } = await this.call<FileRecord>("PATCH", `/api/files/${encodeURIComponent(id)}`, patch);
    return { status, record: status === 200 ? data : null };
  }
  async remove(id: string): Promise<void> {
    await this.call<unknown>("DELETE", `/api/files/${encodeURIComponent(id)}`);
  }
  async downloadUrl(id: string): Promise<string> {
    return (await this.call<{ url: string }>("GET", `/api/files/${encodeURIComponent(id)}/download`)).data.url;
  }
}
