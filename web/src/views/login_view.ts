// The sign-in form. Labels are real <label>s, so "Usuário"/"Username" and
// "Senha"/"Password" name the fields for screen readers and tests alike.
import { h, uid } from "../dom";
import { t } from "../i18n";
import { errorText } from "../errors";
import type { Api } from "../api";

export function loginView(api: Api, expired: boolean, onLoggedIn: (token: string) => void): HTMLElement {
  const userId = uid("username");
  const passId = uid("password");
  const user = h("input", { id: userId, name: "username", type: "text", autocomplete: "username", required: true });
  const pass = h("input", {
    id: passId,
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const message = h("p", { class: "form-error", role: "alert" }, expired ? t("login.expired") : "");
  const submit = h("button", { type: "submit" }, t("login.submit"));
  const form = h(
    "form",
    {
      class: "login",
      "aria-labelledby": "login-heading",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        submit.textContent = t("login.busy");
        message.textContent = "";
        try {
          onLoggedIn(await api.login(user.value, pass.value));
        } catch (err) {
          message.textContent = errorText(err, t);
          pass.select();
          pass.focus();
        } finally {
          submit.disabled = false;
          submit.textContent = t("login.submit");
        }
      },
    },
    h("h2", { id: "login-heading" }, t("login.heading")),
    h("div", { class: "field" }, h("label", { for: userId }, t("login.username")), user),
    h("div", { class: "field" }, h("label", { for: passId }, t("login.password")), pass),
    message,
    submit,
  );
  queueMicrotask(() => user.focus());
  return h("main", { id: "main", class: "login-page" }, form);
}
