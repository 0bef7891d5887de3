import { describe, expect, it } from "vitest";
import { chooseLocale, translate, CATALOGS } from "../src/i18n";

describe("chooseLocale", () => {
  it("follows the browser's first known language", () => {
    expect(chooseLocale(null, ["pt-BR", "en-US"])).toBe("pt-BR");
    expect(chooseLocale(null, ["pt-PT"])).toBe("pt-BR");
    expect(chooseLocale(null, ["pt"])).toBe("pt-BR");
    expect(chooseLocale(null, ["en-GB", "pt-BR"])).toBe("en");
    expect(chooseLocale(null, ["de-DE", "pt-BR"])).toBe("pt-BR");
  });
  it("falls back to English", () => {
    expect(chooseLocale(null, [])).toBe("en");
    expect(chooseLocale(null, ["ja-JP"])).toBe("en");
    expect(chooseLocale(null, ["ptx"])).toBe("en");
  });
  it("a choice made with the switch wins over the browser", () => {
    expect(chooseLocale("en", ["pt-BR"])).toBe("en");
    expect(chooseLocale("pt-BR", ["en-US"])).toBe("pt-BR");
    expect(chooseLocale("fr", ["pt-BR"])).toBe("pt-BR"); // a stale value is ignored
  });
});

describe("translate", () => {
  it("speaks both languages on the login form and the 202", () => {
    expect(translate("pt-BR", "login.username")).toBe("Usuário");
    expect(translate("pt-BR", "login.password")).toBe("Senha");
    expect(translate("en", "login.username")).toBe("Username");
    expect(translate("en", "login.password")).toBe("Password");
    expect(translate("pt-BR", "upload.state.received")).toBe("Recebido! Já estou cuidando disso");
    expect(translate("en", "upload.state.received")).toBe("Received! I'm on it");
  });
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("pt-BR", "upload.progress", { sent: "1 KB", total: "2 KB", percent: 50 })).toBe(
      "1 KB de 2 KB (50%)",
    );
    expect(translate("en", "action.delete", {})).toBe("Delete {name}");
  });
  it("every message exists, non-empty, in both languages, with the same placeholders", () => {
    const en = CATALOGS.en;
    const pt = CATALOGS["pt-BR"];
    expect(Object.keys(pt).sort()).toEqual(Object.keys(en).sort());
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(pt[key].trim(), key).not.toBe("");
      expect(holes(pt[key]), key).toEqual(holes(en[key]));
    }
  });
});
