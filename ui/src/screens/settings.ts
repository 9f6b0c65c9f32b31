// Settings: language, operator identity and enrollment, notary, trust (config.toml), storage.

import { commands } from "../bindings";
import type { App } from "../app";
import { h, mount, value } from "../dom";
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
  // Updates: the feed, a check, and the signed release installed.
  const upd = await commands.updateStatus();
  const updateResult = h("div", {});
  const updates = h("div", { class: "card", "data-testid": "settings-update" },
    h("p", {}, h("span", { "data-testid": "settings-update-current" }, t("update-current", { version: upd.current })), " ",
      upd.key ? "" : h("span", { class: "muted", "data-testid": "settings-update-nokey" }, t("update-no-key"))),
    h("form", { class: "inline", onsubmit: async (e: Event) => {
      e.preventDefault();
      if (await app.ok(commands.setUpdateFeed(value(e.target as HTMLFormElement, "[name=feed]")))) await app.refresh();
    } },
      h("input", { name: "feed", value: upd.feed, placeholder: t("update-feed"), "data-testid": "settings-update-feed" }),
      h("button", { type: "submit", "data-testid": "settings-update-save" }, t("save"))),
    upd.key && upd.feed
      ? h("div", { class: "actions" }, h("button", { "data-testid": "settings-update-check", onclick: async () => {
          mount(updateResult, h("p", { class: "progress" }, h("span", { class: "spinner" }), t("update-checking")));
          const check = await app.call(commands.checkUpdate());
          if (check === null) { mount(updateResult, h("span", {})); return; }
          const offer = check.offer;
          if (offer === null) { mount(updateResult, h("p", { class: "muted", "data-testid": "settings-update-latest" }, t("update-latest"))); return; }
          mount(updateResult, h("div", {},
            h("p", { "data-testid": "settings-update-offer" }, t("update-offer", { version: offer.version })),
            offer.notes ? h("p", { class: "muted" }, offer.notes) : null,
            h("button", { class: "primary", "data-testid": "settings-update-install", onclick: async () => {
              mount(updateResult, h("p", { class: "progress" }, h("span", { class: "spinner" }), t("update-installing", { version: offer.version })));
              const v = await app.call(commands.installUpdate());
              mount(updateResult, v === null ? h("span", {}) : h("p", { "data-testid": "settings-update-done" }, t("update-done", { version: v })));
            } }, t("update-install", { version: offer.version }))));
        } }, t("update-check")))
      : null,
    updateResult);
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
    h("h2", {}, t("settings-updates")), updates,
    h("h2", {}, t("settings-storage")),
    h("dl", {},
      h("dt", {}, "WEBPROOF_HOME"), h("dd", { class: "mono wrap" }, s.home),
      h("dt", {}, t("settings-cases-db")), h("dd", { class: "mono wrap" }, s.cases_path),
      h("dt", {}, t("settings-engine")), h("dd", { class: "mono wrap" }, s.engine)),
  );
}
