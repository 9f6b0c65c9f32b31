// The window speaks the one catalogue (crates/i18n/locales/<lang>/app.ftl), with Fluent.

import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import en from "../../crates/i18n/locales/en/app.ftl?raw";
import zh from "../../crates/i18n/locales/zh-CN/app.ftl?raw";

export type Lang = "en" | "zh-CN";
export const LANGS: Lang[] = ["en", "zh-CN"];
export const SOURCES: Record<Lang, string> = { en, "zh-CN": zh };

function bundle(lang: Lang): FluentBundle {
  const b = new FluentBundle(lang, { useIsolating: false });
  const errors = b.addResource(new FluentResource(SOURCES[lang]));
  if (errors.length > 0) throw new Error(`${lang} catalogue: ${errors.map(String).join("; ")}`);
  return b;
}

const bundles: Partial<Record<Lang, FluentBundle>> = {};
let current: Lang = "en";

export function asLang(tag: string | null | undefined): Lang {
  const t = (tag ?? "").toLowerCase().replace("_", "-");
  return t.startsWith("zh") ? "zh-CN" : "en";
}

export function setLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
}

export function lang(): Lang {
  return current;
}

/** The message `key` in the current language; the key itself when it is missing. */
export function t(key: string, args?: Record<string, FluentVariable>): string {
  const b = (bundles[current] ??= bundle(current));
  const m = b.getMessage(key);
  if (!m || !m.value) return key;
  return b.formatPattern(m.value, args);
}

/** Every message key of a language's catalogue. */
export function keys(l: Lang): string[] {
  return [...SOURCES[l].matchAll(/^([a-zA-Z][a-zA-Z0-9_-]*)\s*=/gm)].map((m) => m[1]);
}
