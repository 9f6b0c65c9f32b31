// The first run: language, the operator's identity, and how time and the log are trusted —
// an alliance's trust bundle (a file or its log's URL) imported and the operator enrolled with
// the registrar's code, or the local development alliance, never for court use. Each step
// takes effect at once (no restart); "Set up later" leaves it to Settings.

import { open } from "@tauri-apps/plugin-dialog";
import { commands, type SetupView, type TrustView } from "../bindings";
import type { App } from "../app";
import { h, mount, value } from "../dom";
import { LANGS, asLang, lang, setLang, t } from "../i18n";
import { identityForm } from "../widgets";

type Step = "lang" | "identity" | "trust" | "done";

export async function setupScreen(app: App): Promise<HTMLElement> {
  const body = h("div", { "data-testid": "setup-body" });
  const steps: Step[] = ["lang", "identity", "trust", "done"];
  const progress = h("ol", { class: "setup-steps" });
  let view: SetupView = await commands.setupState();
  let step: Step = "lang";

  const finish = async () => {
    if (await app.ok(commands.finishSetup())) {
      app.info = await commands.appInfo();
      await app.go({ name: "cases" });
    }
  };

  const later = h("div", { class: "actions" }, h("button", { class: "link", "data-testid": "setup-later", onclick: () => void finish() }, t("setup-later")));
  const go = (s: Step) => {
    step = s;
    later.hidden = s === "done";
    mount(progress, ...steps.map((k) => h("li", { class: k === step ? "active" : "", "data-step": k }, t(`setup-step-${k}`))));
    mount(body, render());
  };

  const trustSummary = (tv: TrustView): HTMLElement =>
    h("div", { class: "card", "data-testid": "setup-trust", "data-origin": tv.origin, "data-development": String(tv.development) },
      tv.development ? h("p", { class: "dev-alliance" }, t("dev-alliance")) : null,
      h("dl", {},
        h("dt", {}, t("setup-alliance")), h("dd", { "data-testid": "setup-alliance" }, tv.alliance ?? t(`setup-origin-${tv.origin}`)),
        h("dt", {}, t("setup-log")), h("dd", { class: "mono wrap" }, tv.log ?? "—"),
        h("dt", {}, t("id-enrolled")), h("dd", { "data-testid": "setup-enrolled" }, view.operator?.enrolled ? t("yes") : t("no"))));

  const refresh = async () => {
    view = await commands.setupState();
    app.info = await commands.appInfo();
  };

  const render = (): HTMLElement => {
    switch (step) {
      case "lang":
        return h("div", { class: "card" },
          h("p", {}, t("setup-welcome")),
          h("div", { class: "segmented", "data-testid": "setup-lang" },
            ...LANGS.map((l) => h("button", {
              class: l === lang() ? "active" : "",
              "data-testid": `setup-lang-${l}`,
              onclick: async () => {
                if (await app.ok(commands.setLang(asLang(l)))) {
                  setLang(l);
                  await app.refresh();
                }
              },
            }, t(`lang-${l}`)))),
          h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "setup-next", onclick: () => go("identity") }, t("setup-next"))));
      case "identity":
        return view.operator
          ? h("div", { class: "card", "data-testid": "setup-identity" },
              h("p", {}, t("setup-identity-have", { name: view.operator.name, fingerprint: view.operator.fingerprint })),
              h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "setup-next", onclick: () => go("trust") }, t("setup-next"))))
          : identityForm(app, "setup-init", async () => {
              await refresh();
              go("trust");
            }, true);
      case "trust":
        return trustStep();
      case "done":
        return h("div", {},
          h("p", {}, t("setup-done")),
          trustSummary(view.trust),
          h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "setup-finish", onclick: () => void finish() }, t("setup-finish"))));
    }
  };

  const busy = (on: boolean) => {
    document.querySelectorAll<HTMLButtonElement>("[data-testid=setup-body] button").forEach((b) => { b.disabled = on; });
    const s = document.querySelector<HTMLElement>("[data-testid=setup-busy]");
    if (s) s.hidden = !on;
  };

  const trustStep = (): HTMLElement => {
    const join = h("form", {
      class: "card",
      "data-testid": "setup-join",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        app.hideError();
        busy(true);
        const tv = await app.call(commands.joinAlliance({
          source: value(f, "[name=source]"),
          log: value(f, "[name=log]"),
          tsas: value(f, "[name=tsas]").split(/\s+/).filter((s) => s.length > 0),
          code: value(f, "[name=code]"),
          passphrase: value(f, "[name=passphrase]"),
        }));
        busy(false);
        if (tv) {
          await refresh();
          go("done");
        }
      },
    },
    h("h2", {}, t("setup-join")),
    h("p", { class: "muted" }, t("setup-join-help")),
    h("label", {}, t("setup-bundle"),
      h("div", { class: "inline" },
        h("input", { name: "source", required: true, placeholder: "https://log.alliance.example/" }),
        h("button", {
          type: "button",
          "data-testid": "setup-bundle-pick",
          onclick: async () => {
            try {
              const p = await open({ multiple: false, directory: false, filters: [{ name: "JSON", extensions: ["json"] }] });
              if (typeof p === "string") (document.querySelector("[data-testid=setup-join] [name=source]") as HTMLInputElement).value = p;
            } catch (e) {
              app.error(e);
            }
          },
        }, t("setup-bundle-pick")))),
    h("label", {}, t("setup-log-url"), h("input", { name: "log", placeholder: t("setup-log-url-help") })),
    h("label", {}, t("setup-tsas"), h("textarea", { name: "tsas", rows: 2, class: "mono", required: true })),
    h("label", {}, t("enroll-code"), h("input", { name: "code" })),
    h("label", {}, t("id-passphrase"), h("input", { name: "passphrase", type: "password" })),
    h("button", { type: "submit", class: "primary", "data-testid": "setup-join-submit" }, t("setup-join-submit")));
    const dev = h("form", {
      class: "card dev",
      "data-testid": "setup-dev",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        app.hideError();
        busy(true);
        const tv = await app.call(commands.startDevAlliance(value(e.target as HTMLFormElement, "[name=passphrase]")));
        busy(false);
        if (tv) {
          await refresh();
          go("done");
        }
      },
    },
    h("h2", {}, t("setup-dev")),
    h("p", { class: "dev-alliance" }, t("dev-alliance")),
    h("p", { class: "muted" }, t("setup-dev-help")),
    h("label", {}, t("id-passphrase"), h("input", { name: "passphrase", type: "password" })),
    h("button", { type: "submit", "data-testid": "setup-dev-submit" }, t("setup-dev-submit")));
    return h("div", {},
      view.trust.origin !== "missing" ? trustSummary(view.trust) : null,
      h("p", { class: "progress", "data-testid": "setup-busy", hidden: true }, h("span", { class: "spinner" }), t("setup-busy")),
      join, dev);
  };

  go(step);
  return h("section", { "data-screen": "setup" },
    h("h1", {}, t("setup-title")),
    progress,
    body,
    later);
}
