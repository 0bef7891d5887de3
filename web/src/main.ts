// The app shell: signed out it shows the login form, signed in the upload
// panel and the list. The token lives in sessionStorage (this tab only,
// gone when it closes), never in a cookie.
import "./styles.css";
import { Api } from "./api";
import { h } from "./dom";
import { initialLocale, setLocale, t, type Locale } from "./i18n";
import { headerView } from "./views/header";
import { loginView } from "./views/login_view";
import { UploadPanel } from "./views/upload_panel";
import { FileListView } from "./views/file_list";

const TOKEN_KEY = "arca.token";
const root = document.getElementById("app")!;

interface Session {
  user: string;
  uploads: UploadPanel;
  list: FileListView;
}

let session: Session | null = null;
let expired = false;

const api = new Api(() => signOut(true));

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function keepToken(token: string | null): void {
  api.setToken(token);
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage off: the token lives in memory only */
  }
}

// Visible and spoken: the outcome of actions that have no place of their own.
const announcer = h("p", { class: "announcer", role: "status", "aria-live": "polite" });
function announce(text: string): void {
  announcer.textContent = text;
}

function changeLocale(l: Locale): void {
  setLocale(l, true);
  render();
}

function render(): void {
  document.title = t("app.title");
  const skip = h("a", { href: "#main", class: "skip-link" }, t("skip"));
  if (!session) {
    root.replaceChildren(
      headerView(null, changeLocale, null),
      loginView(api, expired, (token) => {
        keepToken(token);
        expired = false;
        void start();
      }),
    );
    return;
  }
  root.replaceChildren(
    skip,
    headerView(session.user, changeLocale, () => signOut(false)),
    announcer,
    h("main", { id: "main", tabindex: "-1" }, session.uploads.render(), session.list.render()),
  );
}

async function start(): Promise<void> {
  let user: string;
  try {
    user = (await api.me()).username;
  } catch {
    // A 401 has already signed us out; any other failure: show the login form.
    if (session === null) render();
    return;
  }
  const list = new FileListView(api, announce);
  const uploads = new UploadPanel(api, {
    received: (item, folder) => list.addPending(item, folder),
    ready: (key, record) => list.uploadReady(key, record),
    unauthorized: () => signOut(true),
    announce,
  });
  session = { user, uploads, list };
  list.fromUrl(); // before render(): the filter form shows the URL's values
  render();
}

function signOut(becauseExpired: boolean): void {
  session?.uploads.stop();
  session = null;
  expired = becauseExpired;
  keepToken(null);
  announce("");
  render();
}

// Back and forward move between filter views.
window.addEventListener("popstate", () => {
  if (!session) return;
  session.list.fromUrl();
  render();
});

setLocale(initialLocale(), false);
const token = storedToken();
if (token) {
  api.setToken(token);
  void start();
} else {
  render();
}
