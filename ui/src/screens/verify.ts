// Verify: drop or name a package; the checks grouped with trust levels, the timeline with
// screenshots, the video with its subtitle track, the report.

import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open } from "@tauri-apps/plugin-dialog";
import { commands, type VerifyView } from "../bindings";
import type { App } from "../app";
import { h, mount } from "../dom";
import { t } from "../i18n";
import { evidenceUrl, groupChecks, replayUrl, short, trustKey } from "../model";

let unlistenDrop: (() => void) | null = null;

/** A blob: URL for a package member (XMLHttpRequest: WebKit's fetch refuses custom schemes). */
function blobUrl(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("GET", url);
    x.responseType = "blob";
    x.onload = () => (x.status === 200 ? resolve(URL.createObjectURL(x.response as Blob)) : reject(new Error(`${url}: ${x.status}`)));
    x.onerror = () => reject(new Error(`${url}: not loaded`));
    x.send();
  });
}

function results(v: VerifyView): HTMLElement {
  const groups = groupChecks(v.checks).map((g) =>
    h("details", { class: `group verdict-${g.worst}`, open: g.worst !== "pass", "data-testid": "check-group", "data-group": g.group, "data-verdict": g.worst },
      h("summary", {}, h("strong", {}, t(`group-${g.group}`)), " ", h("span", { class: "trust" }, t(trustKey(g.worst))), " ", h("span", { class: "muted" }, t("group-count", { count: g.checks.length }))),
      h("table", { class: "checks" },
        h("tbody", {}, ...g.checks.map((c) =>
          h("tr", { class: `verdict-${c.verdict}`, "data-testid": "check", "data-id": c.id, "data-verdict": c.verdict },
            h("td", { class: "trust" }, t(trustKey(c.verdict))),
            h("td", {}, c.name, h("div", { class: "mono muted" }, c.id)),
            h("td", { class: "wrap" }, h("div", {}, c.subject), h("div", { class: "muted" }, c.detail)),
          ))),
      ),
    ));
  const thumbs = (st: VerifyView["steps"][number]) =>
    st.artifacts
      .filter((a) => a.media_type === "image/png" || a.media_type === "image/jpeg")
      .slice(0, 2)
      .map((a) => h("a", { href: evidenceUrl(v.key, a.path), target: "_blank" }, h("img", { class: "thumb", src: evidenceUrl(v.key, a.path), alt: a.path, loading: "lazy", "data-testid": "thumb" })));
  const timeline = h("table", { class: "timeline", "data-testid": "timeline" },
    h("thead", {}, h("tr", {}, ...["col-seq", "col-time", "col-kind", "col-url", "col-picture", "col-digests"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, ...v.steps.map((st) =>
      h("tr", { "data-testid": "timeline-step" },
        h("td", {}, String(st.seq)),
        h("td", {}, st.ended.replace("T", " ").slice(0, 19), st.not_after ? h("div", { class: "muted" }, t("not-after", { time: st.not_after.replace("T", " ").slice(0, 19) })) : ""),
        h("td", {}, t(`step-${st.kind}`) === `step-${st.kind}` ? st.kind : t(`step-${st.kind}`)),
        h("td", { class: "wrap" }, st.url ?? ""),
        h("td", {}, ...thumbs(st)),
        h("td", { class: "mono", title: `SHA-256 ${st.sha256}\nSM3 ${st.sm3}` }, short(st.sha256, 12), h("br"), h("span", { class: "muted" }, short(st.sm3, 12))),
      ))),
  );
  const video = v.videos.length === 0
    ? h("p", { class: "muted" }, t("verify-no-video"))
    : h("div", { class: "videos" }, ...v.videos.map((m, i) => {
        const el = h("video", { controls: true, preload: "metadata", "data-testid": "video", "data-member": m }) as HTMLVideoElement;
        // WebKitGTK's media player cannot read custom schemes: load the segment (and the
        // subtitles) from the package into memory and play that.
        void blobUrl(evidenceUrl(v.key, m)).then((u) => (el.src = u)).catch(() => undefined);
        if (v.subtitles && i === 0) {
          void blobUrl(evidenceUrl(v.key, v.subtitles))
            .then((u) => el.append(h("track", { kind: "subtitles", default: true, src: u, label: t("verify-subtitles") })))
            .catch(() => undefined);
        }
        return el;
      }));
  const frame = h("iframe", { class: "replay", sandbox: "", "data-testid": "replay-frame", hidden: true }) as HTMLIFrameElement;
  const replay = v.pages.length === 0
    ? h("p", { class: "muted" }, t("verify-no-pages"))
    : h("div", {},
        h("ul", { class: "pages" }, ...v.pages.map((p) =>
          h("li", {}, h("button", {
            class: "link-button",
            "data-testid": "replay-page",
            onclick: () => {
              frame.hidden = false;
              frame.src = replayUrl(v.replay_key, p.url);
            },
          }, p.title || p.url), " ", h("span", { class: "muted mono" }, p.url, " · ", p.ts)))),
        frame,
        h("p", { class: "muted" }, t("verify-replay-note")));
  return h("div", { "data-testid": "verify-result", "data-verdict": v.verdict },
    h("div", { class: `overall verdict-${v.verdict.toLowerCase()}`, "data-testid": "verify-verdict" },
      h("strong", {}, t(`verdict-${v.verdict.toLowerCase()}`)), " ", h("span", { class: "muted" }, t(`verdict-${v.verdict.toLowerCase()}-long`))),
    h("p", { class: "mono wrap" }, v.package),
    v.head_sha256 ? h("p", { class: "mono wrap" }, "SHA-256 ", v.head_sha256, h("br"), "SM3 ", v.head_sm3 ?? "") : "",
    h("h2", {}, t("verify-checks")), ...groups,
    h("h2", {}, t("verify-timeline")), timeline,
    h("h2", {}, t("verify-video")), video,
    h("h2", {}, t("verify-replay")), replay,
    h("h2", {}, t("verify-report")),
    v.reports.length === 0 ? h("p", { class: "muted" }, t("verify-no-report")) : h("ul", {}, ...v.reports.map((r) => h("li", {}, h("a", { href: evidenceUrl(v.key, r), target: "_blank" }, r)))),
  );
}

/** A notary who reviewed the package countersigns it with a statement: a new package. */
function countersignCard(app: App, path: string, run: (p: string) => Promise<void>): HTMLElement {
  const statement = h("textarea", { name: "statement", rows: 3, "data-testid": "review-statement", placeholder: t("review-statement-placeholder") }) as HTMLTextAreaElement;
  const passphrase = h("input", { name: "passphrase", type: "password", "data-testid": "review-passphrase" }) as HTMLInputElement;
  const sign = h("button", { class: "primary", "data-testid": "review-sign", onclick: async () => {
    sign.setAttribute("disabled", "");
    const out = await app.call(commands.countersignPackage(path, statement.value, passphrase.value));
    sign.removeAttribute("disabled");
    if (out) await run(out);
  } }, t("review-sign")) as HTMLButtonElement;
  return h("details", { class: "card review", "data-testid": "review" },
    h("summary", {}, h("strong", {}, t("review-title"))),
    h("p", { class: "muted" }, t("review-help")),
    h("label", {}, t("review-statement"), statement),
    h("label", {}, t("supervise-passphrase"), passphrase),
    sign,
  );
}

export function verifyScreen(app: App, s: { path?: string; caseId?: string; packageId?: string }): HTMLElement {
  const out = h("div", {});
  const input = h("input", { name: "path", value: s.path ?? "", placeholder: t("verify-path"), "data-testid": "verify-path" }) as HTMLInputElement;
  const run = async (path: string) => {
    if (!path.trim()) return;
    input.value = path;
    mount(out, h("p", { class: "progress", "data-testid": "verify-running" }, h("span", { class: "spinner" }), t("verify-running")));
    const v = await app.call(commands.verifyPackage(path));
    if (!v) {
      out.replaceChildren();
      return;
    }
    if (s.caseId && s.packageId && path === s.path) await app.ok(commands.rememberVerdict(s.caseId, s.packageId, v.verdict));
    mount(out, results(v), v.verdict === "FAIL" ? h("span", {}) : countersignCard(app, path, run));
  };
  const drop = h("div", { class: "drop", "data-testid": "verify-drop" }, t("verify-drop"));
  unlistenDrop?.();
  unlistenDrop = null;
  void getCurrentWebview()
    .onDragDropEvent((e) => {
      if (app.screen.name !== "verify") return;
      if (e.payload.type === "over") drop.classList.add("over");
      else if (e.payload.type === "drop") {
        drop.classList.remove("over");
        const p = e.payload.paths[0];
        if (p) void run(p);
      } else drop.classList.remove("over");
    })
    .then((u) => (unlistenDrop = u))
    .catch(() => undefined);
  if (s.path) void run(s.path);
  return h("section", { "data-screen": "verify" },
    h("h1", {}, t("nav-verify")),
    drop,
    h("form", { class: "inline", onsubmit: (e: Event) => { e.preventDefault(); void run(input.value); } },
      input,
      h("button", {
        type: "button",
        "data-testid": "verify-pick",
        onclick: async () => {
          try {
            const p = await open({ multiple: false, directory: false, filters: [{ name: "WACZ", extensions: ["wacz"] }] });
            if (typeof p === "string") void run(p);
          } catch (e) {
            app.error(e);
          }
        },
      }, t("verify-pick")),
      h("button", { type: "submit", class: "primary", "data-testid": "verify-run" }, t("verify-run"))),
    out,
  );
}
