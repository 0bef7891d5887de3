// What the user reads for a failure: the translation of the server's stable
// code when the UI knows it, else the status and the server's own detail.
import { ApiError, networkError } from "./api";
import { hasMessage, type Translate } from "./i18n";

export function errorText(err: unknown, t: Translate): string {
  const e = err instanceof ApiError ? err : networkError();
  const key = `error.${e.code}`;
  if (hasMessage(key)) return t(key, { detail: e.detail, status: e.status });
  return t("error.unknown", { status: e.status, detail: e.detail || e.code });
}
