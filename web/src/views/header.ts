// The bar on every screen: the name, the language switch and, when signed
// in, who and a sign-out button.
import { h, option, uid } from "../dom";
import { LOCALES, locale, t, type Locale } from "../i18n";

const LANGUAGE_NAMES: Record<Locale, string> = { "pt-BR": "Português (Brasil)", en: "English" };

export function headerView(
  user: string | null,
  onLocale: (l: Locale) => void,
  onLogout: (() => void) | null,
): HTMLElement {
  const langId = uid("lang");
  const select = h(
    "select",
    { id: langId, onchange: () => onLocale(select.value as Locale) },
    ...LOCALES.map((l) => option(l, LANGUAGE_NAMES[l], l === locale())),
  );
  return h(
    "header",
    { class: "topbar" },
    h("h1", {}, t("app.title")),
    h(
      "div",
      { class: "topbar-tools" },
      user ? h("span", { class: "whoami" }, t("signed_in_as", { user })) : null,
      h("span", { class: "lang" }, h("label", { for: langId }, t("lang.label")), select),
      onLogout ? h("button", { type: "button", class: "secondary", onclick: onLogout }, t("logout")) : null,
    ),
  );
}
