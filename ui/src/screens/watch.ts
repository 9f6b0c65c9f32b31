// Watch: a case's URLs re-captured on a schedule until they are taken down (`webproof watch`,
// docs/watch.md). Each capture is a package of the case; the table shows each watch's last
// outcome (present, GONE with the last package that showed the page, unreachable, failed).
// The systemd user timer that captures due watches is installed or removed here, once for all.

import { commands, type WatchService, type WatchView } from "../bindings";
import type { App } from "../app";
import { h, mount, value } from "../dom";
import { t } from "../i18n";

export async function watchScreen(app: App, s: { caseId: string }): Promise<HTMLElement> {
  const c = await app.call(commands.getCase(s.caseId));
  if (!c) return h("section", {});
  const table = h("div", { "data-testid": "watch-table" });
  const timer = h("div", { class: "card", "data-testid": "watch-service" });
  const busy = h("p", { class: "progress", "data-testid": "watch-busy", hidden: true }, h("span", { class: "spinner" }), t("watch-busy"));
  const pass = () => value(document, "[data-testid=watch-passphrase]");

  // Runs an engine call that answers with the case's watches, showing the spinner meanwhile.
  const run = async (p: Promise<{ status: "ok"; data: WatchView[] } | { status: "error"; error: import("../bindings").AppError }>) => {
    busy.hidden = false;
    const rows = await app.call(p);
    busy.hidden = true;
    if (rows) draw(rows);
  };

  const draw = (rows: WatchView[]) => {
    mount(table, rows.length === 0
      ? h("p", { class: "muted", "data-testid": "watch-none" }, t("watch-none"))
      : h("table", { class: "steps" },
          h("thead", {}, h("tr", {}, ...["col-url", "watch-col-every", "col-status", "watch-col-last", "watch-col-next", ""].map((k) => h("th", {}, k ? t(k) : "")))),
          h("tbody", {}, ...rows.map((w) => row(w)))));
  };

  const row = (w: WatchView): HTMLElement => {
    const state = w.ended ? "ended" : w.active ? "active" : "stopped";
    const last = w.last;
    const outcome = last
      ? h("span", { class: `status-${last.outcome === "present" ? "sealed" : last.outcome === "gone" ? "failed" : "interrupted"}` },
          t(`watch-outcome-${last.outcome}`, { n: last.n }),
          last.outcome === "gone" && last.why ? ` — ${t(`watch-why-${last.why}`, { detail: last.detail ?? "" })}` : "",
          last.outcome !== "gone" && last.detail ? ` — ${last.detail}` : "")
      : "";
    return h("tr", { "data-testid": "watch-row", "data-id": w.id, "data-state": state, "data-captures": String(w.captures), "data-outcome": last?.outcome ?? "" },
      h("td", { class: "wrap" }, w.url, w.element ? h("div", { class: "muted" }, w.element) : null),
      h("td", {}, t("watch-every", { every: w.every, captures: w.captures })),
      h("td", {}, w.ended ?? t(`watch-state-${state}`)),
      h("td", { class: "wrap" }, outcome,
        last?.outcome === "gone" && last.last_present ? h("div", { class: "muted", "data-testid": "watch-last-present" }, t("watch-last-present", { package: last.last_present })) : null),
      h("td", {}, w.active ? (w.next ?? "") : ""),
      h("td", { class: "actions" },
        w.active
          ? h("button", { "data-testid": "watch-now", onclick: () => void run(commands.captureWatchNow(c.id, w.id, pass())) }, t("watch-now"))
          : null,
        h("button", {
          "data-testid": w.active ? "watch-stop" : "watch-start",
          onclick: () => void run(commands.setWatchActive(c.id, w.id, !w.active)),
        }, t(w.active ? "watch-stop" : "watch-start"))));
  };

  const drawTimer = (svc: WatchService | null) => {
    mount(timer,
      h("h2", {}, t("watch-timer-title")),
      h("p", { "data-testid": "watch-service-state", "data-active": String(svc?.active ?? false) }, svc?.text ?? ""),
      h("div", { class: "actions" },
        h("button", {
          "data-testid": "watch-service-install",
          onclick: async () => drawTimer(await app.call(commands.setWatchService(true, pass())) ?? svc),
        }, t("watch-timer-install")),
        h("button", {
          "data-testid": "watch-service-remove",
          onclick: async () => drawTimer(await app.call(commands.setWatchService(false, "")) ?? svc),
        }, t("watch-timer-remove"))),
      h("p", { class: "muted" }, t("watch-timer-help")));
  };

  const form = h("form", {
    class: "card",
    "data-testid": "watch-form",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      const element = value(f, "[name=element]").trim();
      await run(commands.startWatch({
        case: c.id,
        url: value(f, "[name=url]"),
        every: value(f, "[name=every]"),
        until_gone: (f.querySelector("[name=until_gone]") as HTMLInputElement).checked,
        element: element ? element : null,
        headless: (f.querySelector("[name=headless]") as HTMLInputElement).checked,
        passphrase: pass(),
      }));
    },
  },
    h("label", {}, t("col-url"), h("input", { name: "url", type: "url", required: true, placeholder: "https://shop.example/item/42", "data-testid": "watch-url" })),
    h("label", {}, t("watch-every-label"), h("input", { name: "every", required: true, value: "6h", "data-testid": "watch-every" })),
    h("label", {}, t("watch-element"), h("input", { name: "element", placeholder: "#listing img", "data-testid": "watch-element" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "until_gone", "data-testid": "watch-until-gone" }), t("watch-until-gone")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "headless", "data-testid": "watch-headless" }), t("batch-headless")),
    h("button", { type: "submit", class: "primary", "data-testid": "watch-add" }, t("watch-add")),
  );

  draw((await app.call(commands.listWatches(c.id))) ?? []);
  drawTimer(await app.call(commands.watchService()));
  return h("section", { "data-screen": "watch" },
    h("h1", {}, t("watch-title", { matter: c.matter })),
    h("p", { class: "muted" }, t("watch-help")),
    h("label", {}, t("capture-passphrase"), h("input", { type: "password", "data-testid": "watch-passphrase" })),
    form, busy, table, timer,
    h("div", { class: "actions" }, h("button", { "data-testid": "watch-back", onclick: () => void app.go({ name: "case", id: c.id }) }, t("batch-back"))));
}
