// Batch: many URLs of a case captured as one durable queue (`webproof batch --events`). Each
// URL's row shows its state as the engine reports it; each package joins the case as it is
// captured. Stop starts no more captures; starting again goes on where it stopped.

import { commands } from "../bindings";
import type { App } from "../app";
import { h, mount, value } from "../dom";
import { t } from "../i18n";
import { batchCounts } from "../model";

export async function batchScreen(app: App, s: { caseId: string }): Promise<HTMLElement> {
  const c = await app.call(commands.getCase(s.caseId));
  if (!c) return h("section", {});
  const body = h("div", {});
  const draw = () => {
    const b = app.batch;
    const mine = b.caseId === c.id;
    const rows = (mine ? b.rows : []).map((r) =>
      h("tr", { "data-testid": "batch-row", "data-n": String(r.n), "data-state": r.state, class: `status-${r.state}` },
        h("td", {}, String(r.n)),
        h("td", { class: "wrap" }, r.url),
        h("td", {}, t(`batch-state-${r.state}`)),
        h("td", { class: "wrap muted" }, r.reason ?? r.package ?? ""),
      ));
    const counts = batchCounts(mine ? b.rows : []);
    const ended = mine && b.ended
      ? h("div", { class: `card result ${b.ended.ok ? "status-sealed" : "status-failed"}`, "data-testid": "batch-ended", "data-ok": String(b.ended.ok) },
          h("h2", {}, t(b.ended.ok ? "batch-ended-ok" : "batch-ended-some")),
          h("p", { style: "white-space: pre-wrap; overflow-wrap: anywhere" }, b.ended.text),
          h("div", { class: "actions" },
            h("button", { class: "primary", onclick: () => void app.go({ name: "case", id: c.id }) }, t("batch-back")),
            h("button", { "data-testid": "batch-again", onclick: () => { app.resetBatch(c.id); draw(); } }, t("batch-again"))))
      : null;
    mount(body,
      mine && b.running
        ? h("div", { class: "actions" },
            h("p", { class: "progress", "data-testid": "batch-running" }, h("span", { class: "spinner" }),
              t("batch-progress", { done: (counts.sealed ?? 0) + (counts.interrupted ?? 0) + (counts.failed ?? 0) + (counts.skipped ?? 0), total: b.rows.length })),
            h("button", { "data-testid": "batch-stop", onclick: () => void app.ok(commands.stopBatch()) }, t("batch-stop")))
        : ended ?? form(app, c.id),
      h("table", { class: "steps" },
        h("thead", {}, h("tr", {}, ...["col-seq", "col-url", "col-status", "batch-col-package"].map((k) => h("th", {}, t(k))))),
        h("tbody", { "data-testid": "batch-rows" }, ...rows)),
      h("pre", { class: "log", "data-testid": "batch-log" }, (mine ? b.lines : []).slice(-8).join("\n")),
    );
  };
  app.onBatch(draw);
  draw();
  return h("section", { "data-screen": "batch" }, h("h1", {}, t("batch-title", { matter: c.matter })), h("p", { class: "muted" }, t("batch-help")), body);
}

function form(app: App, caseId: string): HTMLElement {
  return h("form", {
    class: "card",
    "data-testid": "batch-form",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      const quota = value(f, "[name=quota]").trim();
      app.resetBatch(caseId);
      app.batch = { ...app.batch, running: true };
      const ok = await app.ok(commands.startBatch({
        case: caseId,
        urls: value(f, "[name=urls]"),
        parallel: Number(value(f, "[name=parallel]")) || 1,
        headless: (f.querySelector("[name=headless]") as HTMLInputElement).checked,
        max_total_mb: quota ? Number(quota) : null,
        passphrase: value(f, "[name=passphrase]"),
      }));
      if (!ok) app.resetBatch(caseId);
      app.notifyBatch();
    },
  },
    h("label", {}, t("batch-urls"), h("textarea", { name: "urls", rows: 8, required: true, placeholder: "https://shop.example/item/1\nhttps://shop.example/item/2", "data-testid": "batch-urls" })),
    h("label", {}, t("batch-parallel"),
      h("select", { name: "parallel", "data-testid": "batch-parallel" }, ...[1, 2, 3, 4].map((n) => h("option", { value: String(n) }, String(n))))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "headless", "data-testid": "batch-headless" }), t("batch-headless")),
    h("label", {}, t("batch-quota"), h("input", { name: "quota", type: "number", min: "1", placeholder: "20000", "data-testid": "batch-quota" })),
    h("label", {}, t("capture-passphrase"), h("input", { name: "passphrase", type: "password", required: true, "data-testid": "batch-passphrase" })),
    h("button", { type: "submit", class: "primary", "data-testid": "batch-start" }, t("batch-start")),
  );
}
