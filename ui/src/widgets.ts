// Pieces more than one screen shows.

import type { CaseFields } from "./bindings";
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
