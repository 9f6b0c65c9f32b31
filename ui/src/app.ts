// The shell: navigation, the current screen, errors, and the live capture's state.

import { commands, events, type AppError, type AppInfo, type CaptureRequest, type EnvironmentView } from "./bindings";
import { h, mount } from "./dom";
import { asLang, setLang, t } from "./i18n";
import { applyBatch, applyEvent, applySupervise, emptyBatch, emptyLive, emptySupervise, type BatchState, type LiveState, type SuperviseState } from "./model";

export type Screen =
  | { name: "cases" }
  | { name: "case"; id: string }
  | { name: "new-capture"; caseId: string }
  | { name: "environment"; req: CaptureRequest; env: EnvironmentView | null }
  | { name: "live" }
  | { name: "sealing" }
  | { name: "verify"; path?: string; caseId?: string; packageId?: string }
  | { name: "supervise" }
  | { name: "batch"; caseId: string }
  | { name: "watch"; caseId: string }
  | { name: "settings" }
  | { name: "setup" };

type Render = (app: App, screen: any) => HTMLElement | Promise<HTMLElement>;

export class App {
  info: AppInfo | null = null;
  live: LiveState = emptyLive();
  liveStarted = 0;
  liveCase: string | null = null;
  /** Manual mode: the operator drives the browser and the live buttons talk to the engine. */
  liveManual = false;
  screen: Screen = { name: "cases" };
  /** The notary's side of a live supervision (the Supervise screen). */
  supervise: SuperviseState = emptySupervise();
  private superviseListeners: (() => void)[] = [];
  /** A case's batch (the Batch screen). */
  batch: BatchState = emptyBatch();
  private batchListeners: (() => void)[] = [];
  private body: HTMLElement;
  private nav: HTMLElement;
  private banner: HTMLElement;
  private screens: Record<string, Render> = {};
  private liveListeners: (() => void)[] = [];

  constructor(private root: HTMLElement) {
    this.nav = h("nav", { class: "nav" });
    this.banner = h("div", { class: "banner", role: "alert", "data-testid": "error", hidden: true });
    this.body = h("main", { class: "screen" });
    mount(this.root, h("div", { class: "shell" }, this.nav, h("div", { class: "content" }, this.banner, this.body)));
  }

  register(name: string, render: Render): void {
    this.screens[name] = render;
  }

  async start(): Promise<void> {
    this.info = await commands.appInfo();
    setLang(asLang(this.info.lang));
    await events.captureEvent.listen((e) => {
      this.live = applyEvent(this.live, e.payload);
      if (e.payload.type === "phase" && this.screen.name === "live") {
        void this.go({ name: "sealing" });
        return;
      }
      if (e.payload.type === "finished") this.renderNav();
      this.liveListeners.forEach((f) => f());
    });
    await events.superviseEvent.listen((e) => {
      this.supervise = applySupervise(this.supervise, e.payload);
      this.notifySupervise();
    });
    await events.batchScreenEvent.listen((e) => {
      this.batch = applyBatch(this.batch, e.payload);
      this.notifyBatch();
    });
    const setup = await commands.setupState();
    await this.go({ name: setup.needed ? "setup" : "cases" });
  }

  /** Called when the batch's state changes, while the current screen lives. */
  onBatch(f: () => void): void {
    this.batchListeners.push(f);
  }

  notifyBatch(): void {
    this.batchListeners.forEach((f) => f());
  }

  /** A new batch of `caseId`. */
  resetBatch(caseId: string): void {
    this.batch = { ...emptyBatch(), caseId };
  }

  /** Called when the supervision's state changes, while the current screen lives. */
  onSupervise(f: () => void): void {
    this.superviseListeners.push(f);
  }

  notifySupervise(): void {
    this.superviseListeners.forEach((f) => f());
  }

  resetSupervise(): void {
    this.supervise = emptySupervise();
  }

  /** Called when the live state changes, while the current screen lives. */
  onLive(f: () => void): void {
    this.liveListeners.push(f);
  }

  async go(screen: Screen): Promise<void> {
    this.screen = screen;
    this.liveListeners = [];
    this.superviseListeners = [];
    this.batchListeners = [];
    this.hideError();
    this.renderNav();
    const render = this.screens[screen.name];
    try {
      const el = await render(this, screen);
      mount(this.body, el);
    } catch (e) {
      this.error(e);
    }
  }

  /** Re-renders the current screen (after a language change). */
  async refresh(): Promise<void> {
    await this.go(this.screen);
  }

  private renderNav(): void {
    const item = (name: Screen["name"], label: string, target: Screen) =>
      h(
        "button",
        {
          class: this.screen.name === name ? "nav-item active" : "nav-item",
          "data-testid": `nav-${name}`,
          onclick: () => void this.go(target),
        },
        label,
      );
    const items = [
      h("div", { class: "brand" }, "webproof"),
      item("cases", t("nav-cases"), { name: "cases" }),
      item("verify", t("nav-verify"), { name: "verify" }),
      item("supervise", t("nav-supervise"), { name: "supervise" }),
      item("settings", t("nav-settings"), { name: "settings" }),
    ];
    if (this.liveCase !== null) {
      items.splice(2, 0, item(this.live.phase || this.live.finished ? "sealing" : "live", t(this.live.finished ? "nav-sealed" : "nav-live"), {
        name: this.live.phase || this.live.finished ? "sealing" : "live",
      }));
    }
    mount(this.nav, ...items);
    if (this.info?.trust.development) {
      this.nav.append(h("div", { class: "dev-alliance", "data-testid": "dev-alliance" }, t("dev-alliance")));
    }
    if (this.info && !this.info.engine_ok) {
      this.nav.append(h("div", { class: "engine-missing", "data-testid": "engine-missing" }, t("engine-missing", { path: this.info.engine }), " ", this.info.engine_message));
    }
  }

  /** Shows an error from a command (typed) or anything else, in the banner. */
  error(e: unknown): void {
    const err = e as Partial<AppError>;
    const kind = typeof err?.kind === "string" ? err.kind : null;
    // The app's own messages come as a key (said in the window's language); the engine's
    // words come already in it.
    const msg =
      typeof err?.key === "string"
        ? t(err.key, err.args ?? {})
        : typeof err?.message === "string"
          ? err.message
          : String(e);
    this.banner.hidden = false;
    mount(
      this.banner,
      h("strong", {}, kind ? t(`error-${kind}`) : t("error-unexpected")),
      h("span", { "data-testid": "error-message" }, " ", msg),
      h("button", { class: "link", "data-testid": "error-close", onclick: () => this.hideError() }, "×"),
    );
  }

  hideError(): void {
    this.banner.hidden = true;
    this.banner.replaceChildren();
  }

  /** Runs a command; on error shows it and returns null. */
  async call<T>(p: Promise<{ status: "ok"; data: T } | { status: "error"; error: AppError }>): Promise<T | null> {
    try {
      const r = await p;
      if (r.status === "ok") return r.data;
      this.error(r.error);
    } catch (e) {
      this.error(e);
    }
    return null;
  }

  /** Runs a command that answers nothing; false (the error shown) when it failed. */
  async ok(p: Promise<{ status: "ok"; data: null } | { status: "error"; error: AppError }>): Promise<boolean> {
    try {
      const r = await p;
      if (r.status === "ok") return true;
      this.error(r.error);
    } catch (e) {
      this.error(e);
    }
    return false;
  }

  beginLive(caseId: string, manual: boolean): void {
    this.live = emptyLive();
    this.liveStarted = Date.now();
    this.liveCase = caseId;
    this.liveManual = manual;
  }
}
