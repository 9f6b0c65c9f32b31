// Cases: list, search, open, create; a case's packages.

import { commands, type Case, type PackageRef } from "../bindings";
import type { App } from "../app";
import { open, save } from "@tauri-apps/plugin-dialog";
import { h, value } from "../dom";
import { t } from "../i18n";
import { short } from "../model";
import { caseFields, reportLangField } from "../widgets";

export async function casesScreen(app: App): Promise<HTMLElement> {
  const list = h("ul", { class: "case-list", "data-testid": "case-list" });
  const show = async (q: string) => {
    const cases = await app.call(commands.listCases(q));
    if (!cases) return;
    list.replaceChildren(
      ...(cases.length === 0
        ? [h("li", { class: "empty" }, t("cases-none"))]
        : cases.map((c) =>
            h(
              "li",
              {},
              h(
                "button",
                { class: "case-row", "data-testid": "case-row", onclick: () => void app.go({ name: "case", id: c.id }) },
                h("span", { class: "matter" }, c.matter),
                h("span", { class: "muted" }, (c.parties ?? []).join(" · ")),
                h("span", { class: "muted" }, t("case-packages", { count: (c.packages ?? []).length })),
              ),
            ),
          )),
    );
  };
  const search = h("input", {
    type: "search",
    placeholder: t("cases-search"),
    "data-testid": "case-search",
    oninput: (e: Event) => void show((e.target as HTMLInputElement).value),
  });
  const form = h(
    "form",
    {
      class: "card",
      "data-testid": "new-case",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        const c = await app.call(
          commands.createCase(caseFields(f)),
        );
        if (c) await app.go({ name: "case", id: c.id });
      },
    },
    h("h3", {}, t("case-new")),
    h("label", {}, t("case-matter"), h("input", { name: "matter", required: true, "data-testid": "case-matter" })),
    h("label", {}, t("case-parties"), h("textarea", { name: "parties", rows: 2, "data-testid": "case-parties" })),
    h("label", {}, t("case-notes"), h("textarea", { name: "notes", rows: 2, "data-testid": "case-notes" })),
    h("button", { type: "submit", class: "primary", "data-testid": "case-create" }, t("case-create")),
  );
  await show("");
  return h("section", { "data-screen": "cases" }, h("h1", {}, t("nav-cases")), h("div", { class: "two" }, h("div", {}, search, list), form));
}

function packageRow(app: App, c: Case, p: PackageRef): HTMLElement {
  return h(
    "tr",
    { "data-testid": "package-row" },
    h("td", {}, t(`kind-${p.kind}`)),
    h("td", { class: "wrap" }, p.target),
    h("td", {}, p.started.replace("T", " ").slice(0, 19)),
    h("td", { class: `status status-${p.status}` }, t(`status-${p.status}`)),
    h("td", { class: p.verdict ? `verdict-${p.verdict.toLowerCase()}` : "" }, p.verdict ? t(`verdict-${p.verdict.toLowerCase()}`) : "—"),
    h("td", { class: "mono", title: p.head ?? "" }, short(p.head)),
    h(
      "td",
      {},
      p.status === "running"
        ? ""
        : h(
            "button",
            {
              "data-testid": "package-verify",
              onclick: () => void app.go({ name: "verify", path: p.path, caseId: c.id, packageId: p.id }),
            },
            t("verify-this"),
          ),
    ),
  );
}

export async function caseScreen(app: App, s: { id: string }): Promise<HTMLElement> {
  const c = await app.call(commands.getCase(s.id));
  if (!c) return h("section", {});
  const edit = h(
    "form",
    {
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        const ok = await app.call(
          commands.editCase(c.id, caseFields(f)),
        );
        if (ok) await app.go({ name: "case", id: c.id });
      },
    },
    h("label", {}, t("case-matter"), h("input", { name: "matter", value: c.matter })),
    h("label", {}, t("case-parties"), h("textarea", { name: "parties", rows: 2, value: (c.parties ?? []).join("\n") })),
    h("label", {}, t("case-notes"), h("textarea", { name: "notes", rows: 3, value: c.notes })),
    h("button", { type: "submit" }, t("case-save")),
  );
  const add = h(
    "form",
    {
      class: "inline",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const ok = await app.call(commands.addPackageFile(c.id, value(e.target as HTMLFormElement, "[name=path]")));
        if (ok) await app.go({ name: "case", id: c.id });
      },
    },
    h("input", { name: "path", placeholder: t("case-add-file-path") }),
    h("button", { type: "submit" }, t("case-add-file")),
  );
  const files = h("textarea", { name: "files", rows: 3, placeholder: t("seal-files-placeholder"), "data-testid": "seal-files" }) as HTMLTextAreaElement;
  const sealing = h("p", { class: "progress", hidden: true, "data-testid": "seal-files-running" }, h("span", { class: "spinner" }), t("seal-files-running"));
  const seal = h(
    "form",
    {
      class: "card",
      "data-testid": "seal-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        sealing.hidden = false;
        const ok = await app.call(
          commands.sealFiles({
            case: c.id,
            files: files.value.split("\n"),
            passphrase: value(f, "[name=passphrase]"),
            note: value(f, "[name=note]"),
            report_lang: value(f, "[name=report_lang]"),
          }),
        );
        sealing.hidden = true;
        if (ok) await app.go({ name: "case", id: c.id });
      },
    },
    h("h3", {}, t("seal-files")),
    h("p", { class: "muted" }, t("seal-files-help")),
    files,
    h("button", {
      type: "button",
      onclick: async () => {
        try {
          const picked = await open({ multiple: true, directory: false });
          const list = Array.isArray(picked) ? picked : picked ? [picked] : [];
          if (list.length > 0) files.value = [files.value.trim(), ...list].filter((x) => x).join("\n");
        } catch (err) {
          app.error(err);
        }
      },
    }, t("seal-files-choose")),
    h("label", {}, t("case-notes"), h("input", { name: "note" })),
    h("label", {}, t("capture-passphrase"), h("input", { name: "passphrase", type: "password", required: true, "data-testid": "seal-passphrase" })),
    reportLangField("seal-report-lang"),
    h("button", { type: "submit", class: "primary", "data-testid": "seal-submit" }, t("seal-files-submit")),
    sealing,
  );
  return h(
    "section",
    { "data-screen": "case" },
    h("h1", { "data-testid": "case-title" }, c.matter),
    h("p", { class: "muted" }, t("case-created", { time: c.created.replace("T", " ").slice(0, 19) }), " · ", h("span", { class: "mono" }, c.id)),
    h(
      "div",
      { class: "actions" },
      h("button", { class: "primary", "data-testid": "case-new-capture", onclick: () => void app.go({ name: "new-capture", caseId: c.id }) }, t("capture-new")),
      h("button", { "data-testid": "case-batch", onclick: () => void app.go({ name: "batch", caseId: c.id }) }, t("batch-open")),
      h("button", { "data-testid": "case-watch", onclick: () => void app.go({ name: "watch", caseId: c.id }) }, t("watch-open")),
    ),
    h("h2", {}, t("case-packages-title")),
    (c.packages ?? []).length === 0
      ? h("p", { class: "muted" }, t("case-no-packages"))
      : h(
          "table",
          { class: "packages" },
          h("thead", {}, h("tr", {}, ...["col-kind", "col-target", "col-started", "col-status", "col-verdict", "col-head", ""].map((k) => h("th", {}, k ? t(k) : "")))),
          h("tbody", {}, ...(c.packages ?? []).slice().reverse().map((p) => packageRow(app, c, p))),
        ),
    catalogueForm(app, c.id),
    add,
    seal,
    h("h2", {}, t("case-details")),
    edit,
  );
}

/** The case's evidence catalogue (证据目录), exported as PDF, Excel or CSV. */
function catalogueForm(app: App, caseId: string): HTMLElement {
  const out = h("input", { name: "out", required: true, placeholder: "/home/…/证据目录.pdf", "data-testid": "catalogue-out" }) as HTMLInputElement;
  const done = h("p", { class: "ok", hidden: true, "data-testid": "catalogue-done" });
  return h("form", {
    class: "card",
    "data-testid": "catalogue-form",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      done.hidden = true;
      const written = await app.call(commands.exportCatalogue(caseId, out.value, value(f, "[name=catalogue_lang]")));
      if (written) {
        done.textContent = t("catalogue-written", { path: written });
        done.hidden = false;
      }
    },
  },
    h("h3", {}, t("catalogue-title")),
    h("p", { class: "muted" }, t("catalogue-help")),
    h("div", { class: "inline" },
      out,
      h("button", { type: "button", onclick: async () => {
        try {
          const p = await save({ defaultPath: "证据目录.pdf", filters: [{ name: "PDF / Excel / CSV", extensions: ["pdf", "xlsx", "csv", "html"] }] });
          if (p) out.value = p;
        } catch (err) {
          app.error(err);
        }
      } }, t("seal-files-choose"))),
    h("label", {}, t("catalogue-lang"),
      h("select", { name: "catalogue_lang", "data-testid": "catalogue-lang" },
        h("option", { value: "zh-CN" }, "中文"), h("option", { value: "en" }, "English"), h("option", { value: "both" }, "中文 + English"))),
    h("button", { type: "submit", class: "primary", "data-testid": "catalogue-export" }, t("catalogue-export")),
    done,
  );
}
