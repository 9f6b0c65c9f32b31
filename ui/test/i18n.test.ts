import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asLang, keys, LANGS, setLang, t } from "../src/i18n";

// Every key the screens ask for, literally: t("key") in ui/src.
function usedKeys(): string[] {
  const dir = join(__dirname, "../src");
  const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, "screens")).map((f) => join(dir, "screens", f))];
  const out = new Set<string>();
  for (const f of files.filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(f, "utf8").matchAll(/\bt\("([a-zA-Z0-9-]+)"/g)) out.add(m[1]);
  }
  return [...out];
}

describe("catalogue", () => {
  it("both languages have the same keys", () => {
    const en = keys("en");
    const zh = keys("zh-CN");
    expect(en.length).toBeGreaterThan(100);
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it("every key the screens use exists", () => {
    const used = usedKeys();
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((k) => !keys("en").includes(k))).toEqual([]);
  });

  it("every dynamic family the screens build is complete", () => {
    const families: Record<string, string[]> = {
      "error-": ["store", "not-found", "input", "engine", "command", "busy", "no-session", "io"],
      "status-": ["running", "sealed", "interrupted", "failed"],
      "watch-outcome-": ["present", "gone", "unreachable", "failed"],
      "watch-why-": ["status", "element_removed", "redirected_home"],
      "watch-state-": ["active", "stopped", "ended"],
      "verdict-": ["pass", "untrusted", "fail", "pass-long", "untrusted-long", "fail-long"],
      "group-": ["files", "chain", "signatures", "timestamps", "receipts", "other"],
      "grade-": ["ok", "warning", "fail"],
      "env-worst-": ["ok", "warning", "fail"],
      "phase-": ["timestamping", "depositing", "hashing", "report", "packaging", "verifying", "app-verify"],
      "sealed-": ["sealed", "interrupted", "failed"],
      "kind-": ["capture", "seal"],
      "lang-": ["en", "zh-CN", "both"],
      "live-supervision-": ["waiting", "joined", "stated", "refused"],
      "supervise-ask-": ["present", "countersign"],
      "setup-step-": ["lang", "identity", "trust", "done"],
      "setup-origin-": ["missing", "development", "imported", "own"],
      "batch-state-": ["queued", "earlier", "started", "sealed", "interrupted", "failed", "skipped"],
    };
    const en = keys("en");
    for (const [prefix, names] of Object.entries(families)) {
      expect(names.map((n) => prefix + n).filter((k) => !en.includes(k))).toEqual([]);
    }
  });

  it("formats in both languages, with plurals and arguments", () => {
    for (const l of LANGS) {
      setLang(l);
      // A missing variable would format as "{$name}"; a missing message as its key.
      for (const k of keys(l)) {
        const s = t(k, {
          count: 2, path: "/p", time: "t", stamped: 1, tsas: 2, step: 3,
          url: "u", program: "webproof", error: "e", lang: "fr",
          id: "c1", case: "c1", package: "p1", detail: "d", reason: "r",
          capture: "c1", target: "u", seq: 4, name: "n", addr: "a:1", code: "c",
          matter: "m", done: 1, total: 2, every: "6h", captures: 2, n: 1,
          fingerprint: "ab", algorithm: "rsa", version: "0.1.1",
        });
        expect(s.length, k).toBeGreaterThan(0);
        expect(s, k).not.toContain("{");
      }
    }
    setLang("en");
    expect(t("case-packages", { count: 1 })).toBe("1 package");
    expect(t("case-packages", { count: 3 })).toBe("3 packages");
    setLang("zh-CN");
    expect(t("nav-cases")).toBe("案件");
    expect(t("live-log", { count: 4 })).toBe("存证日志：已存入 4 个链头");
    expect(t("no-such-key")).toBe("no-such-key");
    setLang("en");
  });

  it("OS locales map to a language", () => {
    expect(asLang("zh_CN.UTF-8")).toBe("zh-CN");
    expect(asLang("zh-Hans")).toBe("zh-CN");
    expect(asLang("en-GB")).toBe("en");
    expect(asLang(undefined)).toBe("en");
  });
});
