// Pieces more than one screen shows.

import { commands, type CaseFields, type IdentityView } from "./bindings";
import type { App } from "./app";
import { h, value } from "./dom";
import { lang, t } from "./i18n";
import { parseParties } from "./model";

/** The report-language field: the window's language first, the other, both side by side. */
export function reportLangField(testid: string): HTMLElement {
  const other = lang() === "en" ? "zh-CN" : "en";
  return h("label", {}, t("capture-report-lang"), h("select", { name: "report_lang", "data-testid": testid },
    h("option", { value: lang() }, t(`lang-${lang()}`)),
    h("option", { value: other }, t(`lang-${other}`)),
    h("option", { value: "both" }, t("lang-both")),
  ));
}

/** A case's matter, parties and notes as a form holding them says. */
export function caseFields(f: HTMLFormElement): CaseFields {
  return {
    matter: value(f, "[name=matter]"),
    parties: parseParties(value(f, "[name=parties]")),
    notes: value(f, "[name=notes]"),
  };
}

/** The form that creates the operator's key and identity (`operator init`): real name,
 * organisation, contact, algorithm, passphrase (typed twice when `repeat`). */
export function identityForm(app: App, testid: string, done: (id: IdentityView) => Promise<void>, repeat = false): HTMLElement {
  return h("form", {
    class: "card",
    "data-testid": testid,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      app.hideError();
      if (repeat && value(f, "[name=passphrase]") !== value(f, "[name=repeat]")) {
        app.error({ kind: "input", key: "id-passphrase-mismatch", args: {}, message: "" });
        return;
      }
      const id = await app.call(commands.operatorInit({
        name: value(f, "[name=name]"),
        organisation: value(f, "[name=org]"),
        contact: value(f, "[name=contact]"),
        algorithm: value(f, "[name=algorithm]"),
        passphrase: value(f, "[name=passphrase]"),
      }));
      if (id) await done(id);
    },
  },
  h("p", { class: "muted" }, t("id-none")),
  h("label", {}, t("id-name"), h("input", { name: "name", required: true })),
  h("label", {}, t("id-org"), h("input", { name: "org" })),
  h("label", {}, t("id-contact"), h("input", { name: "contact" })),
  h("label", {}, t("id-algorithm"), h("select", { name: "algorithm" },
    h("option", { value: "ed25519" }, t("id-alg-ed25519")),
    h("option", { value: "sm2" }, t("id-alg-sm2")))),
  h("label", {}, t("id-passphrase"), h("input", { name: "passphrase", type: "password", minlength: 8, required: true })),
  repeat ? h("label", {}, t("id-passphrase-repeat"), h("input", { name: "repeat", type: "password", minlength: 8, required: true })) : null,
  h("button", { type: "submit", class: "primary" }, t("id-create")));
}
