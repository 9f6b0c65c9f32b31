// Live session (steps as they are journaled, trusted time and log status, buttons) and
// sealing (phases, then where the package and report are).

import { commands } from "../bindings";
import type { App } from "../app";
import { h, mount } from "../dom";
import { t } from "../i18n";
import { elapsed, PHASES, short } from "../model";

export function liveScreen(app: App): HTMLElement {
  const clock = h("span", { class: "clock", "data-testid": "live-elapsed" }, "00:00");
  const status = h("div", { class: "live-status" });
  const steps = h("tbody", { "data-testid": "live-steps" });
  const log = h("pre", { class: "log", "data-testid": "live-log" });
  const notary = h("div", {});
  const note = h("input", { name: "note", placeholder: t("live-note-placeholder"), "data-testid": "live-note-text" }) as HTMLInputElement;
  const send = async (cmd: Parameters<typeof commands.captureCommand>[0]) => {
    await app.ok(commands.captureCommand(cmd));
  };
  const draw = () => {
    const s = app.live;
    clock.textContent = elapsed(Date.now() - app.liveStarted);
    mount(
      status,
      h("span", { class: "rec", "data-testid": "live-recording" }, "● ", t("live-recording")),
      h("span", { class: s.tsas > 0 && s.stampedBy >= Math.max(1, s.quorum) ? "ok" : "pending", "data-testid": "live-tsa" },
        s.tsas === 0 ? t("live-tsa-none") : t("live-tsa", { stamped: s.stampedBy, tsas: s.tsas, step: s.stampedSeq ?? "—" })),
      h("span", { class: s.log && s.deposited > 0 ? "ok" : "pending", "data-testid": "live-log-status" },
        s.log ? t("live-log", { count: s.deposited }) : t("live-log-none")),
    );
    steps.replaceChildren(
      ...s.steps.map((r) =>
        h("tr", { "data-testid": "live-step" },
          h("td", {}, String(r.seq)),
          h("td", {}, r.time.slice(11, 19)),
          h("td", {}, t(`step-${r.kind}`) === `step-${r.kind}` ? r.kind : t(`step-${r.kind}`)),
          h("td", { class: "wrap" }, r.url ?? ""),
          h("td", { class: "mono", title: `SHA-256 ${r.sha256}\nSM3 ${r.sm3}` }, short(r.sha256, 12), h("br"), h("span", { class: "muted" }, short(r.sm3, 12))),
        ),
      ),
    );
    log.textContent = s.lines.slice(-12).join("\n");
    const v = s.supervision;
    if (v) {
      mount(notary, h("div", { class: `card supervision state-${v.state}`, "data-testid": "live-supervision", "data-state": v.state },
        h("h2", {}, t(`live-supervision-${v.state}`)),
        v.code ? h("p", {}, t("live-join-code"), " ", h("code", { class: "mono wrap", "data-testid": "live-join-code" }, v.code)) : h("span", {}),
        v.notary ? h("p", { "data-testid": "live-notary" }, t("live-notary", { name: v.notary })) : h("span", {}),
        h("p", { class: "muted" }, v.text),
      ));
    }
  };
  const timer = window.setInterval(() => {
    if (app.screen.name !== "live") window.clearInterval(timer);
    else clock.textContent = elapsed(Date.now() - app.liveStarted);
  }, 1000);
  app.onLive(draw);
  draw();
  return h(
    "section",
    { "data-screen": "live" },
    h("h1", {}, t("live-title"), " ", clock),
    status,
    notary,
    // A profile drives webproof's own browser in its private display and seals by itself;
    // the operator's buttons belong to manual mode.
    app.liveManual ? h("div", { class: "actions" },
      note,
      h("button", { "data-testid": "live-note", onclick: async () => {
        if (note.value.trim()) {
          await send({ type: "note", text: note.value });
          note.value = "";
        }
      } }, t("live-add-note")),
      h("button", { "data-testid": "live-screenshot", onclick: () => void send({ type: "screenshot" }) }, t("live-screenshot")),
      h("button", { class: "primary", "data-testid": "live-finish", onclick: () => void send({ type: "finish" }) }, t("live-finish")),
    ) : h("span", {}),
    h("p", { class: "muted", "data-testid": "live-hint" }, t(app.liveManual ? "live-hint" : "live-hint-profile")),
    h("table", { class: "steps" },
      h("thead", {}, h("tr", {}, ...["col-seq", "col-time", "col-kind", "col-url", "col-digests"].map((k) => h("th", {}, t(k))))),
      steps,
    ),
    log,
  );
}

export function sealingScreen(app: App): HTMLElement {
  const phases = h("ol", { class: "phases", "data-testid": "phases" });
  const result = h("div", { "data-testid": "seal-result" });
  const draw = () => {
    const s = app.live;
    phases.replaceChildren(
      ...PHASES.map((p) => {
        const state = s.phasesDone.includes(p) ? "done" : s.phase === p ? "running" : "waiting";
        return h("li", { class: `phase ${state}`, "data-phase": p, "data-state": state },
          state === "running" ? h("span", { class: "spinner" }) : h("span", { class: "mark" }, state === "done" ? "✓" : "·"),
          t(`phase-${p}`));
      }),
    );
    const f = s.finished;
    if (!f) {
      mount(result, h("p", { class: "progress" }, h("span", { class: "spinner" }), t("sealing-wait")));
      return;
    }
    mount(
      result,
      h("div", { class: `card result status-${f.status}`, "data-testid": "seal-done", "data-status": f.status },
        h("h2", {}, t(`sealed-${f.status}`)),
        f.message ? h("p", { class: "error-text", "data-testid": "seal-message" }, f.message) : h("span", {}),
        h("dl", {},
          h("dt", {}, t("sealed-package")), h("dd", { class: "mono wrap", "data-testid": "seal-package" }, f.package),
          h("dt", {}, t("sealed-report")), h("dd", { class: "mono wrap", "data-testid": "seal-report" }, f.report ?? "—"),
          h("dt", {}, t("sealed-head")), h("dd", { class: "mono wrap" }, f.head ?? "—"),
          h("dt", {}, t("sealed-verdict")), h("dd", { class: f.verdict ? `verdict-${f.verdict.toLowerCase()}` : "", "data-testid": "seal-verdict" }, f.verdict ? t(`verdict-${f.verdict.toLowerCase()}`) : "—"),
        ),
        h("div", { class: "actions" },
          f.status !== "failed"
            ? h("button", { class: "primary", "data-testid": "seal-verify", onclick: () => { app.liveCase = null; void app.go({ name: "verify", path: f.package, caseId: f.case, packageId: f.package_id }); } }, t("verify-this"))
            : h("span", {}),
          h("button", { "data-testid": "seal-case", onclick: () => { app.liveCase = null; void app.go({ name: "case", id: f.case }); } }, t("back-to-case")),
        ),
      ),
    );
  };
  app.onLive(draw);
  draw();
  return h("section", { "data-screen": "sealing" }, h("h1", {}, t("sealing-title")), phases, result);
}
