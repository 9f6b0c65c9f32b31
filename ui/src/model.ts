// What the screens compute, kept free of the DOM and of Tauri so it is unit-tested.

import type { BatchScreenEvent, CaptureEvent, CheckView, Finished, SuperviseEvent } from "./bindings";

export type Group = "outcome" | "files" | "chain" | "signatures" | "timestamps" | "receipts" | "other";

const GROUPS: [Group, string[]][] = [
  ["outcome", ["capture."]],
  ["files", ["package.", "manifest.", "file.", "wacz."]],
  ["chain", ["journal.", "step.", "seal."]],
  ["signatures", ["signature.", "identity.operator", "identity.notary"]],
  ["timestamps", ["timestamp.", "renewal."]],
  ["receipts", ["receipt.", "identity.revocation"]],
];

/** The group a check identifier (docs/evidence-package.md's checks table) belongs to. */
export function groupOf(id: string): Group {
  for (const [g, prefixes] of GROUPS) {
    if (prefixes.some((p) => (p.endsWith(".") ? id.startsWith(p) : id === p))) return g;
  }
  return "other";
}

/** The verdict ladder (docs/evidence-package.md §7): fail, untrusted, finding, pass. */
export type Verdict = "pass" | "finding" | "untrusted" | "fail";

export function worstOf(vs: string[]): Verdict {
  if (vs.length === 0) return "fail";
  if (vs.some((v) => v === "fail")) return "fail";
  if (vs.some((v) => v === "untrusted")) return "untrusted";
  if (vs.some((v) => v === "finding")) return "finding";
  return "pass";
}

export interface CheckGroup {
  group: Group;
  worst: Verdict;
  checks: CheckView[];
}

/** Checks in display order: what the capture did, files, chain, signatures, time-stamps, log
 * receipts, other. */
export function groupChecks(checks: CheckView[]): CheckGroup[] {
  const order: Group[] = ["outcome", "files", "chain", "signatures", "timestamps", "receipts", "other"];
  return order
    .map((group) => {
      // Failures first, then untrusted, then findings, then passes; otherwise in the
      // verifier's order.
      const rank = (v: string) => {
        const i = ["fail", "untrusted", "finding"].indexOf(v);
        return i < 0 ? 3 : i;
      };
      const cs = checks
        .filter((c) => groupOf(c.id) === group)
        .map((c, i) => ({ c, i }))
        .sort((a, b) => rank(a.c.verdict) - rank(b.c.verdict) || a.i - b.i)
        .map((x) => x.c);
      return { group, worst: worstOf(cs.map((c) => c.verdict)), checks: cs };
    })
    .filter((g) => g.checks.length > 0);
}

/** The trust level a verdict stands for (message keys trust-trusted|untrusted|invalid). */
export function trustKey(verdict: string): string {
  switch (verdict.toLowerCase()) {
    case "pass":
      return "trust-trusted";
    case "untrusted":
      return "trust-untrusted";
    case "finding":
      return "trust-finding";
    default:
      return "trust-invalid";
  }
}

/** Green, amber, red for environment grades. */
export function gradeColour(grade: string): "green" | "amber" | "red" {
  return grade === "ok" ? "green" : grade === "warning" ? "amber" : "red";
}

export function short(hex: string | null | undefined, n = 16): string {
  if (!hex) return "";
  return hex.length > n ? `${hex.slice(0, n)}…` : hex;
}

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (x: number) => String(x).padStart(2, "0");
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}

/** A file inside a package, as the app's read-only `evidence:` protocol serves it. */
export function evidenceUrl(pkg: string, member: string): string {
  const path = member.split("/").map(encodeURIComponent).join("/");
  return `evidence://localhost/${path}?package=${encodeURIComponent(pkg)}`;
}

/** An archived page, replayed read-only from inside the package (the app's `replay:`). */
export function replayUrl(key: string, url: string): string {
  return `replay://${key}/${url}`;
}

/** Parties typed one per line (or separated by semicolons). */
export function parseParties(text: string): string[] {
  return text
    .split(/[\n;；]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export const PHASES = ["report", "timestamping", "depositing", "hashing", "packaging", "verifying", "app-verify"] as const;

export interface StepRow {
  seq: number;
  kind: string;
  url: string | null;
  time: string;
  sha256: string;
  sm3: string;
  artifacts: string[];
}

export interface LiveState {
  steps: StepRow[];
  tsas: number;
  quorum: number;
  stampedBy: number;
  stampedSeq: number | null;
  log: boolean;
  deposited: number;
  phase: string | null;
  phasesDone: string[];
  lines: string[];
  environment: string | null;
  /** Live supervision by a notary on another computer, when asked for. */
  supervision: SupervisionView | null;
  finished: Finished | null;
}

export interface SupervisionView {
  /** `waiting`, `joined`, `stated` or `refused`. */
  state: string;
  /** The join code to give the notary. */
  code: string | null;
  notary: string | null;
  /** What was said last, in the window's language. */
  text: string;
}

export function emptyLive(): LiveState {
  return {
    steps: [],
    tsas: 0,
    quorum: 0,
    stampedBy: 0,
    stampedSeq: null,
    log: false,
    deposited: 0,
    phase: null,
    phasesDone: [],
    lines: [],
    environment: null,
    supervision: null,
    finished: null,
  };
}

const MAX_LINES = 300;

/** The live session's state after one engine event. */
export function applyEvent(s: LiveState, ev: CaptureEvent): LiveState {
  switch (ev.type) {
    case "environment":
      return { ...s, environment: ev.worst };
    case "step": {
      const row: StepRow = {
        seq: ev.seq,
        kind: ev.kind,
        url: ev.url,
        time: ev.time,
        sha256: ev.sha256,
        sm3: ev.sm3,
        artifacts: ev.artifacts,
      };
      const steps = s.steps.filter((x) => x.seq !== ev.seq).concat([row]);
      steps.sort((a, b) => a.seq - b.seq);
      return { ...s, steps };
    }
    case "trust":
      return {
        ...s,
        tsas: ev.tsas,
        quorum: ev.quorum,
        stampedBy: ev.stamped_by,
        stampedSeq: ev.stamped_seq,
        log: ev.log,
        deposited: ev.deposited,
      };
    case "phase": {
      const done = s.phase && !s.phasesDone.includes(s.phase) ? [...s.phasesDone, s.phase] : s.phasesDone;
      return { ...s, phase: ev.phase, phasesDone: done };
    }
    case "line":
      return { ...s, lines: [...s.lines, ev.text].slice(-MAX_LINES) };
    case "supervision": {
      // The code stays shown (the notary may need it again to rejoin); a refusal stays said.
      const was = s.supervision;
      if (was?.state === "refused") return { ...s, lines: [...s.lines, ev.text].slice(-MAX_LINES) };
      return {
        ...s,
        supervision: { state: ev.state, code: ev.code ?? was?.code ?? null, notary: ev.notary ?? was?.notary ?? null, text: ev.text },
        lines: [...s.lines, ev.text].slice(-MAX_LINES),
      };
    }
    case "finished": {
      const done = s.phase && !s.phasesDone.includes(s.phase) ? [...s.phasesDone, s.phase] : s.phasesDone;
      const { type: _t, ...f } = ev;
      return { ...s, finished: f as Finished, phase: null, phasesDone: done };
    }
  }
}

/** Whether a capture may start: a failing finding needs a typed reason. */
export function mayStart(worst: string, reason: string): boolean {
  return worst !== "fail" || reason.trim().length >= 10;
}

/** A step the supervising notary was shown. */
export interface SeenStep {
  seq: number;
  kind: string;
  url: string | null;
  started: string;
  sha256: string;
  late: boolean;
  picture: string | null;
}

/** The notary's side of a live supervision, as the Supervise screen shows it. */
export interface SuperviseState {
  running: boolean;
  capture: string | null;
  target: string | null;
  steps: SeenStep[];
  /** What the notary is asked now, if anything. */
  asked: { statement: string; seq: number; sha256: string; text: string } | null;
  /** Checkpoints countersigned without asking. */
  checkpoints: number[];
  lines: string[];
  /** The session ended: true when as it should, false with the reason in `lines`. */
  ended: boolean | null;
}

export function emptySupervise(): SuperviseState {
  return { running: false, capture: null, target: null, steps: [], asked: null, checkpoints: [], lines: [], ended: null };
}

/** The Supervise screen's state after one event of the notary's webproof. */
export function applySupervise(s: SuperviseState, ev: SuperviseEvent): SuperviseState {
  const lines = [...s.lines, ev.text].slice(-MAX_LINES);
  switch (ev.type) {
    case "session":
      return { ...s, capture: ev.capture, target: ev.target, lines };
    case "step": {
      const row: SeenStep = { seq: ev.seq, kind: ev.kind, url: ev.url, started: ev.started, sha256: ev.sha256, late: ev.late, picture: ev.picture };
      const steps = s.steps.filter((x) => x.seq !== ev.seq).concat([row]).sort((a, b) => a.seq - b.seq);
      return { ...s, steps, lines };
    }
    case "ask":
      return { ...s, asked: { statement: ev.statement, seq: ev.seq, sha256: ev.sha256, text: ev.text }, lines };
    case "checkpoint":
      return { ...s, checkpoints: [...s.checkpoints, ev.seq], lines };
    case "line":
      return { ...s, lines };
    case "ended":
      return { ...s, running: false, asked: null, ended: ev.ok, lines };
  }
}

/** One URL of a batch, as the Batch screen shows it. */
export interface BatchRow {
  n: number;
  url: string;
  /** `queued`, `started`, `sealed`, `interrupted`, `failed` or `skipped`. */
  state: string;
  package: string | null;
  reason: string | null;
}

/** A case's batch, as the Batch screen shows it. */
export interface BatchState {
  caseId: string | null;
  running: boolean;
  rows: BatchRow[];
  lines: string[];
  /** The batch ended: whether every URL was sealed, and its summary. */
  ended: { ok: boolean; summary: string | null; text: string } | null;
}

export function emptyBatch(): BatchState {
  return { caseId: null, running: false, rows: [], lines: [], ended: null };
}

/** The Batch screen's state after one event of `webproof batch --events`. */
export function applyBatch(s: BatchState, ev: BatchScreenEvent): BatchState {
  const lines = [...s.lines, ev.text].slice(-MAX_LINES);
  switch (ev.type) {
    case "queue": {
      // URLs an earlier run ended are in the case already.
      const rows = ev.urls.map((url, i) => ({ n: i + 1, url, state: ev.done.includes(i + 1) ? "earlier" : "queued", package: null, reason: null }));
      return { ...s, rows, lines };
    }
    case "url": {
      const row: BatchRow = { n: ev.n, url: ev.url, state: ev.state, package: ev.package, reason: ev.reason };
      const rows = s.rows.some((r) => r.n === ev.n) ? s.rows.map((r) => (r.n === ev.n ? row : r)) : [...s.rows, row].sort((a, b) => a.n - b.n);
      return { ...s, rows, lines };
    }
    case "ended":
      return { ...s, running: false, ended: { ok: ev.ok, summary: ev.summary, text: ev.text }, lines };
  }
}

/** How many URLs of a batch are in each state. */
export function batchCounts(rows: BatchRow[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of rows) c[r.state] = (c[r.state] ?? 0) + 1;
  return c;
}
