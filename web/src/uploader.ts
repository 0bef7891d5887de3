// Sends one file as the raw request body (X-File-Name, CONTRACT §3) with
// XMLHttpRequest, whose upload progress events fetch() does not offer. The
// browser sets Content-Length from the File, so the server knows the size
// up front: it refuses a file over its limit before any byte is sent, and
// with S3 streams the bytes into one PutObject. See docs/web.md for why not Uppy.
import { ApiError, errorFromResponse, networkError, type FileRecord } from "./api";

export interface UploadCallbacks {
  progress(sentBytes: number): void;
  accepted(id: string): void; // 202
  created(record: FileRecord): void; // 201
  failed(error: ApiError): void;
  unauthorized(): void;
}

export interface Sending {
  abort(): void;
}

export function sendFile(file: File, folder: string, authHeader: Record<string, string>, cb: UploadCallbacks): Sending {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/files");
  for (const [k, v] of Object.entries(authHeader)) xhr.setRequestHeader(k, v);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
  if (folder.trim()) xhr.setRequestHeader("X-File-Folder", encodeURIComponent(folder.trim()));
  xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) cb.progress(Math.min(e.loaded, file.size));
  };
  xhr.onload = () => {
    const text = xhr.responseText;
    if (xhr.status === 202 || xhr.status === 201) {
      try {
        const body = JSON.parse(text) as FileRecord & { id: string };
        if (xhr.status === 201) cb.created(body);
        else cb.accepted(body.id);
      } catch {
        cb.failed(errorFromResponse(xhr.status, text));
      }
      return;
    }
    if (xhr.status === 401) cb.unauthorized();
    cb.failed(errorFromResponse(xhr.status, text));
  };
  xhr.onerror = () => cb.failed(networkError());
  xhr.send(file);
  return { abort: () => xhr.abort() };
}
