// Settings: language, operator identity and enrollment, notary, trust (config.toml), storage.

import { commands } from "../bindings";
import type { App } from "../app";
import { h, value } from "../dom";
import { identityForm } from "../widgets";
import { asLang, LANGS, lang, setLang, t } from "../i18n";

export async function settingsScreen(app: App): Promise<HTMLElement> {
  const s = await commands.settings();
  const langSelect = h("div", { class: "segmented", "data-testid": "settings-lang" },
    ...LANGS.map((l) => h("button", {
      class: l === lang() ? "active" : "",
      "data-testid": `lang-${l}`,
      onclick: async () => {
        if (await app.ok(commands.setLang(asLang(l)))) {
          setLang(l);
          await app.refresh();
        }
      },
    }, t(`lang-${l}`))));
  const op = s.operator;
  const identity = op
    ? h("dl", { "data-testid": "settings-operator" },
        h("dt", {}, t("id-name")), h("dd", {}, op.name),
        h("dt", {}, t("id-org")), h("dd", {}, op.organisation ?? "—"),
        h("dt", {}, t("id-fingerprint")), h("dd", { class: "mono wrap" }, op.fingerprint),
        h("dt", {}, t("id-algorithm")), h("dd", {}, op.algorithm),
        h("dt", {}, t("id-enrolled")), h("dd", { "data-testid": "settings-enrolled" }, op.enrolled ? t("yes") : t("no")))
    : identityForm(app, "settings-init", async () => { await app.refresh(); });
  const enroll = op && !op.enrolled
    ? h("form", {
        class: "inline",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const f = e.target as HTMLFormElement;
          const ok = await app.call(commands.operatorEnroll(value(f, "[name=code]"), value(f, "[name=passphrase]")));
          if (ok) await app.refresh();
        },
      },
      h("input", { name: "code", placeholder: t("enroll-code") }),
      h("input", { name: "passphrase", type: "password", placeholder: t("id-passphrase") }),
      h("button", { type: "submit" }, t("enroll")))
    : h("span", {});
  const config = h("textarea", { rows: 14, class: "mono", "data-testid": "settings-config", spellcheck: "false", value: s.config }) as HTMLTextAreaElement;
  return h("section", { "data-screen": "settings" },
    h("h1", {}, t("nav-settings")),
    h("div", { class: "card" }, h("strong", {}, t("settings-lang")), " ", langSelect),
    h("h2", {}, t("settings-identity")), identity, enroll,
    h("h2", {}, t("settings-notary")),
    h("form", { class: "inline", onsubmit: async (e: Event) => {
      e.preventDefault();
      if (await app.ok(commands.setNotaryHome(value(e.target as HTMLFormElement, "[name=notary]")))) await app.refresh();
    } },
      h("input", { name: "notary", value: s.notary_home, placeholder: t("settings-notary-home"), "data-testid": "settings-notary-home" }),
      h("button", { type: "submit", "data-testid": "settings-notary-save" }, t("save"))),
    h("h2", {}, t("settings-trust")),
    h("p", { class: "muted" }, t("settings-trust-help", { path: s.config_path })),
    config,
    h("div", { class: "actions" }, h("button", { "data-testid": "settings-save-config", onclick: async () => {
      if (await app.ok(commands.saveConfig(config.value))) await app.refresh();
    } }, t("save"))),
    h("h2", {}, t("settings-storage")),
    h("dl", {},
      h("dt", {}, "WEBPROOF_HOME"), h("dd", { class: "mono wrap" }, s.home),
      h("dt", {}, t("settings-cases-db")), h("dd", { class: "mono wrap" }, s.cases_path),
      h("dt", {}, t("settings-engine")), h("dd", { class: "mono wrap" }, s.engine)),
  );
}
