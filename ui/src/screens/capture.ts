// New capture, and the environment check before it starts.

import { commands, type CaptureRequest, type EnvironmentView } from "../bindings";
import type { App } from "../app";
import { h, value } from "../dom";
import { t } from "../i18n";
import { gradeColour, mayStart } from "../model";
import { reportLangField } from "../widgets";

export async function newCaptureScreen(app: App, s: { caseId: string }): Promise<HTMLElement> {
  const c = await app.call(commands.getCase(s.caseId));
  const profiles = await commands.profiles();
  const settings = await commands.settings();
  const profileSelect = h(
    "select",
    { name: "profile", "data-testid": "capture-profile" },
    h("option", { value: "" }, t("capture-manual")),
    ...profiles.map((p) => h("option", { value: p.name, title: p.description }, `${p.name} — ${p.description}`)),
  ) as HTMLSelectElement;
  let touched = false;
  profileSelect.addEventListener("change", () => (touched = true));
  const url = h("input", {
    name: "url",
    type: "url",
    required: true,
    placeholder: "https://",
    "data-testid": "capture-url",
    oninput: async (e: Event) => {
      if (touched) return;
      const u = (e.target as HTMLInputElement).value;
      if (!/^https?:\/\/./.test(u)) return;
      const suggested = await commands.suggestProfile(u);
      if (!touched && suggested !== "generic") profileSelect.value = suggested;
    },
  });
  const notaryBox = h("div", { class: "notary", hidden: true },
    h("p", { class: "muted" }, settings.notary_home ? t("capture-notary-home", { path: settings.notary_home }) : t("capture-notary-none")),
    h("label", {}, t("capture-notary-passphrase"), h("input", { name: "notary_passphrase", type: "password" })),
  );
  const liveBox = h("div", { class: "notary", hidden: true },
    h("p", { class: "muted" }, t("capture-live-notary-help")),
    h("label", {}, t("capture-live-notary-listen"), h("input", { name: "supervise_listen", value: "127.0.0.1:0", "data-testid": "capture-live-notary-listen" })),
  );
  const form = h(
    "form",
    {
      class: "card",
      "data-testid": "capture-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        const supervised = (f.querySelector("[name=notary]") as HTMLInputElement).checked;
        const live = (f.querySelector("[name=live_notary]") as HTMLInputElement).checked;
        const req: CaptureRequest = {
          case: s.caseId,
          url: value(f, "[name=url]").trim(),
          profile: value(f, "[name=profile]") || null,
          passphrase: value(f, "[name=passphrase]"),
          notary: supervised ? { home: settings.notary_home, passphrase: value(f, "[name=notary_passphrase]") } : null,
          supervise_listen: live ? value(f, "[name=supervise_listen]").trim() : null,
          override_reason: null,
          report_lang: value(f, "[name=report_lang]"),
        };
        if (supervised && !settings.notary_home) {
          app.error({ kind: "input", message: t("capture-notary-none") });
          return;
        }
        await app.go({ name: "environment", req, env: null });
      },
    },
    h("label", {}, t("capture-url"), url),
    h("label", {}, t("capture-profile"), profileSelect),
    h("label", { class: "check" }, h("input", {
      type: "checkbox",
      name: "notary",
      "data-testid": "capture-notary",
      onchange: (e: Event) => (notaryBox.hidden = !(e.target as HTMLInputElement).checked),
    }), t("capture-notary")),
    notaryBox,
    h("label", { class: "check" }, h("input", {
      type: "checkbox",
      name: "live_notary",
      "data-testid": "capture-live-notary",
      onchange: (e: Event) => (liveBox.hidden = !(e.target as HTMLInputElement).checked),
    }), t("capture-live-notary")),
    liveBox,
    h("label", {}, t("capture-passphrase"), h("input", { name: "passphrase", type: "password", required: true, "data-testid": "capture-passphrase" })),
    reportLangField("capture-report-lang"),
    h("button", { type: "submit", class: "primary", "data-testid": "capture-check" }, t("capture-check-env")),
  );
  return h("section", { "data-screen": "new-capture" }, h("h1", {}, t("capture-new")), h("p", { class: "muted" }, c?.matter ?? ""), form);
}

export async function environmentScreen(app: App, s: { req: CaptureRequest; env: EnvironmentView | null }): Promise<HTMLElement> {
  const section = h("section", { "data-screen": "environment" }, h("h1", {}, t("env-title")));
  const status = h("p", { class: "progress", "data-testid": "env-running" }, h("span", { class: "spinner" }), t("env-running"));
  section.append(status);
  const env = s.env ?? (await app.call(commands.checkEnvironment(s.req.url)));
  status.remove();
  if (!env) {
    section.append(h("button", { onclick: () => void app.go({ name: "new-capture", caseId: s.req.case }) }, t("back")));
    return section;
  }
  s.env = env;
  const list = h(
    "ul",
    { class: "findings", "data-testid": "findings" },
    ...env.findings.map((f) =>
      h(
        "li",
        { class: `finding ${gradeColour(f.grade)}`, "data-testid": "finding", "data-grade": f.grade },
        h("details", {},
          h("summary", {}, h("span", { class: "dot" }), h("strong", {}, t(`finding-${f.id}`) === `finding-${f.id}` ? f.id : t(`finding-${f.id}`)), " ", h("span", {}, f.summary), " ", h("span", { class: "grade" }, t(`grade-${f.grade}`))),
          h("pre", {}, f.detail),
        ),
      ),
    ),
  );
  const reason = h("textarea", { name: "reason", rows: 2, "data-testid": "env-override", placeholder: t("env-override-placeholder") }) as HTMLTextAreaElement;
  const start = h("button", {
    class: "primary",
    "data-testid": "capture-start",
    onclick: async () => {
      const req = { ...s.req, override_reason: env.worst === "fail" ? reason.value : null };
      start.setAttribute("disabled", "");
      const p = await app.call(commands.startCapture(req));
      if (p) {
        app.beginLive(s.req.case, s.req.profile === null);
        await app.go({ name: "live" });
      } else {
        start.removeAttribute("disabled");
      }
    },
  }, t("capture-start")) as HTMLButtonElement;
  const gate = () => (start.disabled = !mayStart(env.worst, reason.value));
  reason.addEventListener("input", gate);
  gate();
  section.append(
    h("p", { class: `overall ${gradeColour(env.worst)}`, "data-testid": "env-worst" }, t(`env-worst-${env.worst}`)),
    list,
    env.worst === "fail" ? h("label", { class: "override" }, t("env-override"), reason) : h("span", {}),
    h("div", { class: "actions" },
      h("button", { onclick: () => void app.go({ name: "new-capture", caseId: s.req.case }) }, t("back")),
      h("button", { onclick: () => void app.go({ name: "environment", req: s.req, env: null }) }, t("env-again")),
      start,
    ),
  );
  return section;
}
