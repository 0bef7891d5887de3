// Sends one file as multipart/form-data with XMLHttpRequest, whose upload
// progress events fetch() does not offer. See docs/web.md for why not Uppy.
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
  const form = new FormData();
  // The server takes the optional fields only before the file part.
  if (folder.trim()) form.append("folder", folder.trim());
  form.append("file", file, file.name);
  xhr.open("POST", "/api/files");
  for (const [k, v] of Object.entries(authHeader)) xhr.setRequestHeader(k, v);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.onprogress = (e) => {
    // e.total counts the multipart framing too; scale to the file's bytes.
    if (e.lengthComputable && e.total > 0) cb.progress(Math.round((e.loaded / e.total) * file.size));
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
  xhr.send(form);
  return { abort: () => xhr.abort() };
}
