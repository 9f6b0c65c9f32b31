// Supervise: the notary's side of a live supervision. The notary joins the operator's session
// with the join code, is shown each step as it is journaled (with its screenshot), signs
// "present" and the final countersignature — or refuses with a reason — while the notary's
// webproof countersigns each checkpoint by itself.

import { commands } from "../bindings";
import type { App } from "../app";
import { h, mount, value } from "../dom";
import { t } from "../i18n";
import { short } from "../model";

export function superviseScreen(app: App): HTMLElement {
  const body = h("div", {});
  const pictures = new Map<string, string>();
  const draw = () => {
    const s = app.supervise;
    if (!s.running && s.ended === null) {
      mount(body, joinForm(app));
      return;
    }
    const rows = s.steps.map((st) => {
      const img = h("img", { class: "thumb", alt: `${st.seq}`, "data-testid": "supervise-thumb" }) as HTMLImageElement;
      if (st.picture) {
        const known = pictures.get(st.picture);
        if (known) img.src = known;
        else
          void commands.supervisionPicture(st.picture).then((r) => {
            if (r.status === "ok" && st.picture) {
              pictures.set(st.picture, r.data);
              img.src = r.data;
            }
          });
      }
      return h("tr", { "data-testid": "supervise-step", "data-seq": String(st.seq), class: st.late ? "late" : "" },
        h("td", {}, String(st.seq)),
        h("td", {}, st.started.replace("T", " ").slice(0, 19), st.late ? h("div", { class: "muted" }, t("supervise-late")) : ""),
        h("td", {}, t(`step-${st.kind}`) === `step-${st.kind}` ? st.kind : t(`step-${st.kind}`)),
        h("td", { class: "wrap" }, st.url ?? ""),
        h("td", {}, st.picture ? img : ""),
        h("td", { class: "mono", title: `SHA-256 ${st.sha256}` }, short(st.sha256, 12), s.checkpoints.includes(st.seq) ? h("div", { class: "ok", "data-testid": "supervise-checkpoint" }, t("supervise-checkpoint")) : ""),
      );
    });
    const reason = h("input", { name: "reason", placeholder: t("supervise-reason"), "data-testid": "supervise-reason" }) as HTMLInputElement;
    const asked = s.asked
      ? h("div", { class: "card ask", "data-testid": "supervise-ask", "data-statement": s.asked.statement, "data-seq": String(s.asked.seq) },
          h("h2", {}, askTitle(s.asked.statement, s.asked.seq)),
          h("p", { class: "mono wrap" }, "SHA-256 ", s.asked.sha256),
          h("div", { class: "actions" },
            h("button", { class: "primary", "data-testid": "supervise-sign", onclick: async () => {
              if (await app.ok(commands.answerSupervision({ type: "sign" }))) { app.supervise = { ...app.supervise, asked: null }; draw(); }
            } }, t("supervise-sign")),
            reason,
            h("button", { "data-testid": "supervise-refuse", onclick: async () => {
              if (await app.ok(commands.answerSupervision({ type: "refuse", reason: reason.value }))) { app.supervise = { ...app.supervise, asked: null }; draw(); }
            } }, t("supervise-refuse")),
          ))
      : h("span", {});
    mount(body,
      h("p", { "data-testid": "supervise-session" }, s.capture ? t("supervise-session", { capture: s.capture, target: s.target ?? "—" }) : t("supervise-joining")),
      s.ended !== null
        ? h("div", { class: `card result ${s.ended ? "status-sealed" : "status-failed"}`, "data-testid": "supervise-ended", "data-ok": String(s.ended) },
            h("h2", {}, t(s.ended ? "supervise-ended" : "supervise-failed")),
            h("button", { onclick: () => { app.resetSupervise(); draw(); } }, t("supervise-again")))
        : h("span", {}),
      asked,
      h("table", { class: "steps" },
        h("thead", {}, h("tr", {}, ...["col-seq", "col-time", "col-kind", "col-url", "col-picture", "col-digests"].map((k) => h("th", {}, t(k))))),
        h("tbody", { "data-testid": "supervise-steps" }, ...rows)),
      h("pre", { class: "log", "data-testid": "supervise-log" }, s.lines.slice(-12).join("\n")),
    );
  };
  app.onSupervise(draw);
  draw();
  return h("section", { "data-screen": "supervise" }, h("h1", {}, t("supervise-title")), h("p", { class: "muted" }, t("supervise-help")), body);
}

/** What the notary is asked, in words (the statement's name when the catalogue lacks it). */
function askTitle(statement: string, seq: number): string {
  const key = `supervise-ask-${statement}`;
  const said = t(key, { seq });
  return said === key ? statement : said;
}

function joinForm(app: App): HTMLElement {
  return h("form", {
    class: "card",
    "data-testid": "supervise-form",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = e.target as HTMLFormElement;
      app.resetSupervise();
      app.supervise = { ...app.supervise, running: true };
      if (!(await app.ok(commands.startSupervision(value(f, "[name=code]"), value(f, "[name=passphrase]"))))) {
        app.resetSupervise();
      }
      app.notifySupervise();
    },
  },
    h("label", {}, t("supervise-code"), h("input", { name: "code", required: true, placeholder: "192.168.1.5:7117/XXXX-XXXX-…", "data-testid": "supervise-code" })),
    h("label", {}, t("supervise-passphrase"), h("input", { name: "passphrase", type: "password", required: true, "data-testid": "supervise-passphrase" })),
    h("button", { type: "submit", class: "primary", "data-testid": "supervise-join" }, t("supervise-join")),
  );
}
