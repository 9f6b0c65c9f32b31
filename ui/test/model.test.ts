import { describe, expect, it } from "vitest";
import type { CaptureEvent, CheckView, SuperviseEvent } from "../src/bindings";
import type { BatchState } from "../src/model";
import {
  applyEvent,
  applySupervise,
  elapsed,
  emptyLive,
  emptySupervise,
  evidenceUrl,
  gradeColour,
  groupChecks,
  groupOf,
  mayStart,
  parseParties,
  replayUrl,
  short,
  trustKey,
  worstOf,
} from "../src/model";

const check = (id: string, verdict: string): CheckView => ({ id, name: id, verdict, subject: "s", detail: "d" });

describe("checks", () => {
  it("fall into the groups the verifier's identifiers name", () => {
    expect(groupOf("file.digest")).toBe("files");
    expect(groupOf("wacz.datapackage")).toBe("files");
    expect(groupOf("journal.chain")).toBe("chain");
    expect(groupOf("step.artifact")).toBe("chain");
    expect(groupOf("signature.operator")).toBe("signatures");
    expect(groupOf("identity.operator")).toBe("signatures");
    expect(groupOf("identity.revocation")).toBe("receipts");
    expect(groupOf("timestamp.coverage")).toBe("timestamps");
    expect(groupOf("renewal.token")).toBe("timestamps");
    expect(groupOf("receipt.deposit")).toBe("receipts");
    expect(groupOf("something.new")).toBe("other");
    expect(groupOf("capture.outcome")).toBe("outcome");
    expect(groupOf("seal.files")).toBe("chain");
  });

  it("group in a fixed order, each with its worst verdict", () => {
    const gs = groupChecks([
      check("receipt.deposit", "untrusted"),
      check("file.digest", "pass"),
      check("file.digest", "fail"),
      check("journal.chain", "pass"),
    ]);
    expect(gs.map((g) => g.group)).toEqual(["files", "chain", "receipts"]);
    expect(gs.map((g) => g.worst)).toEqual(["fail", "pass", "untrusted"]);
    expect(gs[0].checks).toHaveLength(2);
    expect(gs[0].checks[0].verdict).toBe("fail"); // failures first
  });

  it("no checks is a failure, never a pass", () => {
    expect(worstOf([])).toBe("fail");
    expect(worstOf(["pass", "untrusted"])).toBe("untrusted");
    expect(worstOf(["pass", "finding"])).toBe("finding");
    expect(worstOf(["finding", "untrusted"])).toBe("untrusted");
    expect(worstOf(["finding", "fail"])).toBe("fail");
  });

  it("verdicts map to trust levels", () => {
    expect(trustKey("pass")).toBe("trust-trusted");
    expect(trustKey("UNTRUSTED")).toBe("trust-untrusted");
    expect(trustKey("fail")).toBe("trust-invalid");
    expect(trustKey("FINDING")).toBe("trust-finding");
    expect(trustKey("anything else")).toBe("trust-invalid");
  });
});

describe("live session", () => {
  it("keeps steps in order, without duplicates", () => {
    let s = emptyLive();
    const step = (seq: number): CaptureEvent => ({
      type: "step",
      seq,
      kind: "navigate",
      url: "http://127.0.0.1/",
      time: "2026-11-23T10:00:00Z",
      sha256: "a".repeat(64),
      sm3: "b".repeat(64),
      artifacts: [],
    });
    s = applyEvent(s, step(2));
    s = applyEvent(s, step(0));
    s = applyEvent(s, step(2));
    expect(s.steps.map((x) => x.seq)).toEqual([0, 2]);
  });

  it("tracks trust status, phases and the end", () => {
    let s = emptyLive();
    s = applyEvent(s, { type: "trust", tsas: 2, quorum: 1, stamped_by: 2, stamped_seq: 4, log: true, deposited: 3 });
    expect([s.tsas, s.stampedBy, s.stampedSeq, s.deposited]).toEqual([2, 2, 4, 3]);
    s = applyEvent(s, { type: "phase", phase: "timestamping" });
    s = applyEvent(s, { type: "phase", phase: "hashing" });
    expect(s.phase).toBe("hashing");
    expect(s.phasesDone).toEqual(["timestamping"]);
    s = applyEvent(s, {
      type: "finished",
      case: "c",
      package_id: "p",
      status: "sealed",
      package: "/x.wacz",
      report: "/x.report.pdf",
      head: "ab",
      verdict: "PASS",
      message: null,
    });
    expect(s.finished?.package).toBe("/x.wacz");
    expect(s.phasesDone).toEqual(["timestamping", "hashing"]);
    expect(s.phase).toBeNull();
  });

  it("keeps only the last lines of the engine's log", () => {
    let s = emptyLive();
    for (let i = 0; i < 400; i++) s = applyEvent(s, { type: "line", text: `l${i}` });
    expect(s.lines).toHaveLength(300);
    expect(s.lines[299]).toBe("l399");
  });
});

describe("helpers", () => {
  it("format", () => {
    expect(elapsed(65_000)).toBe("01:05");
    expect(elapsed(3_661_000)).toBe("1:01:01");
    expect(elapsed(-5)).toBe("00:00");
    expect(short("0123456789abcdef0123", 8)).toBe("01234567…");
    expect(short(null)).toBe("");
    expect(gradeColour("ok")).toBe("green");
    expect(gradeColour("warning")).toBe("amber");
    expect(gradeColour("fail")).toBe("red");
  });

  it("parties split by line or semicolon, blanks dropped", () => {
    expect(parseParties("杭州某某科技有限公司\n\n Example Ltd ; 张三；李四")).toEqual(["杭州某某科技有限公司", "Example Ltd", "张三", "李四"]);
  });

  it("a failing environment needs a real reason", () => {
    expect(mayStart("ok", "")).toBe(true);
    expect(mayStart("warning", "")).toBe(true);
    expect(mayStart("fail", "")).toBe(false);
    expect(mayStart("fail", "   short   ")).toBe(false);
    expect(mayStart("fail", "the hosts entry is our own test mapping")).toBe(true);
  });

  it("replay URLs keep the archived URL whole, so relative links resolve inside the archive", () => {
    const u = replayUrl("p0123", "http://127.0.0.1:8000/shop/item.html?id=42");
    expect(u).toBe("replay://p0123/http://127.0.0.1:8000/shop/item.html?id=42");
    expect(new URL("img/a.png", u).href).toBe("replay://p0123/http://127.0.0.1:8000/shop/img/a.png");
  });

  it("evidence URLs encode the package path and member", () => {
    expect(evidenceUrl("/tmp/a b/证据.wacz", "artifacts/000001-shot.png")).toBe(
      "evidence://localhost/artifacts/000001-shot.png?package=%2Ftmp%2Fa%20b%2F%E8%AF%81%E6%8D%AE.wacz",
    );
  });
});

describe("supervision", () => {
  it("the live screen keeps the join code while the notary joins and signs, and a refusal stays", () => {
    const sup = (state: string, extra: Partial<Extract<CaptureEvent, { type: "supervision" }>> = {}): CaptureEvent =>
      ({ type: "supervision", state, code: null, notary: null, text: state, ...extra }) as CaptureEvent;
    let s = applyEvent(emptyLive(), sup("waiting", { code: "127.0.0.1:1/ABCD" }));
    expect(s.supervision).toEqual({ state: "waiting", code: "127.0.0.1:1/ABCD", notary: null, text: "waiting" });
    s = applyEvent(s, sup("joined", { notary: "王公证" }));
    s = applyEvent(s, sup("stated"));
    expect(s.supervision).toEqual({ state: "stated", code: "127.0.0.1:1/ABCD", notary: "王公证", text: "stated" });
    s = applyEvent(s, sup("refused"));
    s = applyEvent(s, sup("stated"));
    expect(s.supervision?.state).toBe("refused");
    expect(s.lines).toEqual(["waiting", "joined", "stated", "refused", "stated"]);
  });

  it("the Supervise screen shows each step once, in order, what is asked, and the end", () => {
    const step = (seq: number, late = false): SuperviseEvent => ({
      type: "step", seq, kind: "navigate", url: "u", started: "2026-12-06T10:00:00Z", sha256: "ab", late, picture: null, text: `step ${seq}`,
    });
    let s = applySupervise(emptySupervise(), { type: "session", capture: "c1", target: "u", text: "session" });
    s = applySupervise(s, step(1));
    s = applySupervise(s, step(0));
    s = applySupervise(s, step(1, true));
    expect(s.steps.map((x) => [x.seq, x.late])).toEqual([[0, false], [1, true]]);
    s = applySupervise(s, { type: "ask", statement: "present", seq: 1, sha256: "ab", text: "sign?" });
    expect(s.asked?.statement).toBe("present");
    s = applySupervise(s, { type: "checkpoint", seq: 1, text: "cp" });
    expect(s.checkpoints).toEqual([1]);
    s = applySupervise(s, { type: "ended", ok: false, text: "lost" });
    expect([s.running, s.ended, s.asked]).toEqual([false, false, null]);
    expect(s.capture).toBe("c1");
  });
});

describe("batch", () => {
  it("shows each URL's state as the engine reports it", async () => {
    const { applyBatch, batchCounts, emptyBatch } = await import("../src/model");
    let s: BatchState = { ...emptyBatch(), caseId: "c1", running: true };
    s = applyBatch(s, { type: "queue", urls: ["http://a/", "http://b/", "http://c/"], done: [2], text: "3 URLs" });
    expect(s.rows.map((r) => r.state)).toEqual(["queued", "earlier", "queued"]);
    s = applyBatch(s, { type: "url", n: 1, url: "http://a/", state: "started", package: "/p/1.wacz", reason: null, text: "#1" });
    s = applyBatch(s, { type: "url", n: 3, url: "http://c/", state: "failed", package: null, reason: "unreachable", text: "#3" });
    s = applyBatch(s, { type: "url", n: 1, url: "http://a/", state: "sealed", package: "/p/1.wacz", reason: null, text: "#1" });
    expect(s.rows.map((r) => r.state)).toEqual(["sealed", "earlier", "failed"]);
    expect(s.rows[2].reason).toBe("unreachable");
    expect(batchCounts(s.rows)).toEqual({ sealed: 1, earlier: 1, failed: 1 });
    expect(s.running).toBe(true);
    s = applyBatch(s, { type: "ended", ok: false, summary: "/b/summary.csv", text: "done" });
    expect(s.running).toBe(false);
    expect(s.ended).toEqual({ ok: false, summary: "/b/summary.csv", text: "done" });
    expect(s.lines).toEqual(["3 URLs", "#1", "#3", "#1", "done"]);
  });
});
