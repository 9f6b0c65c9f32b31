//! Evidence-log receipts (docs/evidence-package.md §6c): each receipt's deposit is of this
//! package's chain head, signed by the log and included in a checkpoint cosigned by the
//! witnesses; refreshes extend those checkpoints; the environment step's checkpoint gives the
//! session a "not before" time.

use webproof_evidence::digest::Digests;
use webproof_evidence::identity::Role;
use webproof_evidence::journal::ParsedJournal;
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::StepRecord;
use webproof_evidence::utc::Utc;
use webproof_ledger::receipt::{
    CheckedCheckpoint, CheckedReceipt, Receipt, Refresh, check_checkpoint,
};
use webproof_message::{key, msg};

use crate::explain::Why;
use crate::{CheckId, Message, Policy, Report, Verdict};

const MAX_RECEIPT: u64 = 1 << 20;

/// A Unix time (whole seconds) as RFC 3339 UTC.
fn when(t: u64) -> String {
    Utc::from_unix(t).map_or_else(
        || format!("Unix time {t}"),
        |u| u.to_string().replace(".000000Z", "Z"),
    )
}

fn cosigned(c: &CheckedCheckpoint) -> String {
    if c.cosigners.is_empty() {
        return "cosigned by no witness".into();
    }
    let who: Vec<String> = c
        .cosigners
        .iter()
        .map(|(n, t)| format!("{n} at {}", when(*t)))
        .collect();
    format!("cosigned by {}", who.join(", "))
}

/// The cosigning witnesses' names, for messages.
fn witness_names(c: &CheckedCheckpoint) -> String {
    let names: Vec<&str> = c.cosigners.iter().map(|(n, _)| n.as_str()).collect();
    names.join(", ")
}

fn verdict(c: &CheckedCheckpoint) -> Verdict {
    if c.trusted {
        Verdict::Pass
    } else {
        Verdict::Untrusted
    }
}

const UNTRUSTED_NOTE: &str =
    " (checked with the keys the package carries; the log's key is not configured as trusted)";

/// Checks every receipt; returns when the trusted log promised the final chain head (Unix
/// seconds, the earliest of its trusted receipts), if it did.
pub(crate) fn receipt_checks(
    src: &dyn PackageSource,
    journal: &ParsedJournal,
    m: &Manifest,
    policy: &Policy,
    report: &mut Report,
) -> Option<u64> {
    let mut names: Vec<String> = src
        .entries()
        .iter()
        .filter(|e| layout::is_receipt_file(&e.name))
        .map(|e| e.name.clone())
        .collect();
    names.sort();
    let (refreshes, receipts): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|n| layout::is_refresh(n));
    let mut good: Vec<Receipt> = Vec::new();
    let mut trusted_last = None;
    let mut last_promised: Option<u64> = None;
    let mut any_last = false;
    let last = journal.heads.len().saturating_sub(1) as u64;
    let operator = m
        .signers
        .iter()
        .find(|s| s.role == Role::Operator)
        .map(|s| s.fingerprint.to_hex());
    for name in receipts {
        let Some(d) = deposit_check(src, name, journal, m, operator.as_deref(), policy, report)
        else {
            continue;
        };
        if d.seq == last {
            any_last = true;
            if d.verdict == Verdict::Pass {
                trusted_last = Some((d.cosigned, d.witnesses));
                last_promised = Some(last_promised.map_or(d.promised_at, |p| p.min(d.promised_at)));
            }
        }
        good.push(d.receipt);
    }
    refresh_checks(src, &refreshes, &good, policy, report);
    coverage_check(
        trusted_last,
        any_last,
        good.is_empty(),
        last,
        policy,
        report,
    );
    not_before_check(src, &good, policy, report);
    revocation_check(operator.as_deref(), last_promised, policy, report);
    last_promised
}

/// A receipt that holds for this package, as judged.
struct Deposited {
    receipt: Receipt,
    seq: u64,
    verdict: Verdict,
    /// By which witnesses its checkpoint is cosigned (text, and names).
    cosigned: String,
    witnesses: String,
    promised_at: u64,
}

/// `receipt.deposit` of one receipt: it parses, checks against the log's keys, and deposits
/// this package's chain head after its step, of this capture and operator.
fn deposit_check(
    src: &dyn PackageSource,
    name: String,
    journal: &ParsedJournal,
    m: &Manifest,
    operator: Option<&str>,
    policy: &Policy,
    report: &mut Report,
) -> Option<Deposited> {
    let (seq, r, c) = match checked_receipt(src, &name, journal, m, operator, policy) {
        Ok(checked) => checked,
        Err(why) => {
            report.fail(CheckId::ReceiptDeposit, name, why);
            return None;
        }
    };
    let (v, why) = deposit_verdict(seq, &r, &c, policy);
    report.push(CheckId::ReceiptDeposit, name, v, why);
    Some(Deposited {
        seq,
        verdict: v,
        cosigned: cosigned(&c.witnessed),
        witnesses: witness_names(&c.witnessed),
        promised_at: c.promised_at,
        receipt: r,
    })
}

/// Receipt `name` read, checked against the log's keys, and found to deposit this
/// package's chain head after the step its name says; or why not.
fn checked_receipt(
    src: &dyn PackageSource,
    name: &str,
    journal: &ParsedJournal,
    m: &Manifest,
    operator: Option<&str>,
    policy: &Policy,
) -> Result<(u64, Receipt, CheckedReceipt), Why> {
    let seq = layout::receipt_seq(name).ok_or_else(|| {
        Why::new(
            "not a receipt name (receipts/<seq>-<k>.json)",
            msg!("msg-receipt-name"),
        )
    })?;
    let r = src
        .read_all(name, MAX_RECEIPT)
        .map_err(|e| Why::of(&e))
        .and_then(|b| Receipt::parse(&b).map_err(|e| Why::of(&e)))?;
    let head = journal
        .heads
        .get(seq as usize)
        .filter(|_| r.seq == seq)
        .ok_or_else(|| {
            Why::new(
                format!(
                    "for step {}, which this package's journal does not have at this name",
                    r.seq
                ),
                msg!("msg-receipt-no-step").arg("seq", r.seq),
            )
        })?;
    let c = r.check(&policy.log).map_err(|e| Why::of(&e))?;
    if let Some(why) = deposit_mismatch(&c.deposit, head, seq, m, operator)
        .or_else(|| files_mismatch(&c.deposit, &journal.records, seq))
    {
        return Err(why);
    }
    Ok((seq, r, c))
}

/// What a receipt of this package's chain head establishes: trusted when its log and
/// witnesses are.
fn deposit_verdict(seq: u64, r: &Receipt, c: &CheckedReceipt, policy: &Policy) -> (Verdict, Why) {
    let v = verdict(&c.witnessed);
    // Logs are trusted, and this receipt is from none of them: name it and them.
    let other_log = (v != Verdict::Pass && !policy.log.logs.is_empty()).then(|| {
        let names: Vec<&str> = policy.log.logs.iter().map(|k| k.name.as_str()).collect();
        names.join(", ")
    });
    let note = match &other_log {
        Some(trusted) => format!(
            " (from log {}, which is not a log you trust: you trust {trusted})",
            r.log
        ),
        None => UNTRUSTED_NOTE.to_owned(),
    };
    let detail = format!(
        "chain head after step {seq} deposited in {} at index {}{} (promised {}); in checkpoint {} {}{}",
        r.log,
        r.index,
        c.label
            .as_ref()
            .map(|l| format!(", label {l:?}"))
            .unwrap_or_default(),
        when(c.promised_at),
        c.witnessed.checkpoint.size,
        cosigned(&c.witnessed),
        if v == Verdict::Pass { "" } else { &note }
    );
    let m = match (v, &other_log) {
        (Verdict::Pass, _) => msg!("msg-receipt-ok"),
        (_, Some(trusted)) => msg!("msg-receipt-other-log").arg("trusted", trusted),
        _ => msg!("msg-receipt-untrusted"),
    };
    let m = m
        .arg("seq", seq)
        .arg("log", &r.log)
        .arg("index", r.index)
        .arg("witnesses", witness_names(&c.witnessed));
    (v, Why::new(detail, m))
}

/// Why a checked deposit is not of this package's chain head after step `seq` (another
/// head, capture or operator), if it is not.
fn deposit_mismatch(
    d: &webproof_ledger::deposit::Deposit,
    head: &Digests,
    seq: u64,
    m: &Manifest,
    operator: Option<&str>,
) -> Option<Why> {
    if d.sha256 != head.sha256.to_hex() || d.sm3 != head.sm3.to_hex() {
        Some(Why::new(
            format!("the deposit is of another chain head, not the head after step {seq}"),
            msg!("msg-deposit-other-head").arg("seq", seq),
        ))
    } else if d.package != m.capture {
        Some(Why::new(
            format!(
                "the deposit is of capture {:?}, not {:?}",
                d.package, m.capture
            ),
            msg!("msg-deposit-other-capture")
                .arg("found", &d.package)
                .arg("expected", &m.capture),
        ))
    } else if operator != Some(d.operator.as_str()) {
        Some(Why::new(
            "the deposit names another operator key than the manifest's",
            msg!("msg-deposit-other-operator"),
        ))
    } else {
        None
    }
}

/// Why the files a deposit names (by digest, docs/evidence-log.md) are not all files this
/// package's journal recorded by the steps named, up to the deposited head's step `seq`, if
/// they are not: a deposit that named other files would tell whoever looks a file up in the
/// log that this package holds it.
fn files_mismatch(
    d: &webproof_ledger::deposit::Deposit,
    records: &[StepRecord],
    seq: u64,
) -> Option<Why> {
    let recorded = |f: &webproof_ledger::deposit::DepositFile| {
        f.seq <= seq
            && records.get(f.seq as usize).is_some_and(|r| {
                r.artifacts
                    .iter()
                    .any(|a| a.sha256.to_hex() == f.sha256 && a.sm3.to_hex() == f.sm3)
            })
    };
    let f = d.files.iter().find(|f| !recorded(f))?;
    Some(Why::new(
        format!(
            "the deposit names a file (SHA-256 {}) as recorded by step {}, which this package's journal does not record there",
            f.sha256, f.seq
        ),
        msg!("msg-deposit-other-file")
            .arg("sha256", &f.sha256)
            .arg("seq", f.seq),
    ))
}

/// `receipt.coverage`: the final chain head (after the seal step) covers every step.
fn coverage_check(
    trusted_last: Option<(String, String)>,
    any_last: bool,
    none: bool,
    last: u64,
    policy: &Policy,
    report: &mut Report,
) {
    let subject = layout::RECEIPTS_DIR;
    match (trusted_last, any_last, none) {
        (Some((who, names)), _, _) => {
            report.pass(CheckId::ReceiptCoverage, subject, Why::new(format!("every step (0…{last}) is covered by a deposit in a witnessed log, {who}"), msg!("msg-coverage-ok")
                    .arg("last", last)
                    .arg("witnesses", names)));
        }
        (None, true, _) => report.push(CheckId::ReceiptCoverage, subject, Verdict::Untrusted, Why::new("the final chain head is deposited, but the log or too few of its witnesses are configured as trusted (--trust-log, --trust-witness)", msg!("msg-coverage-untrusted"))),
        (None, false, false) => report.push(CheckId::ReceiptCoverage, subject, Verdict::Untrusted, Why::new("the final chain head has no receipt; only the steps up to the last deposited head are covered", msg!("msg-coverage-partial"))),
        (None, false, true) if policy.log.logs.is_empty() => report.pass(CheckId::ReceiptCoverage, subject, Why::new("no evidence-log receipts: this package's chain head was not deposited in a witnessed log", msg!("msg-coverage-none"))),
        (None, false, true) => report.push(CheckId::ReceiptCoverage, subject, Verdict::Untrusted, Why::new("no evidence-log receipts, though an evidence log is configured as trusted", msg!("msg-coverage-missing"))),
    }
}

/// `identity.revocation`: a revoked operator key is good only for what the trusted log shows
/// was deposited before the revocation.
fn revocation_check(
    operator: Option<&str>,
    last_promised: Option<u64>,
    policy: &Policy,
    report: &mut Report,
) {
    if let Some(op) = operator
        && let Some((_, t)) = policy.revoked.iter().find(|(f, _)| f == op)
    {
        let subject = layout::identity_path(Role::Operator);
        match last_promised {
            Some(p) if p < *t => {
                report.pass(CheckId::IdentityRevocation, subject, Why::new(format!(
                        "the operator's key was revoked at {}, after the final chain head was deposited ({}): sealed while the key was valid",
                        when(*t),
                        when(p)
                    ), msg!("msg-revoked-after")
                        .arg("revoked", when(*t))
                        .arg("deposited", when(p))));
            }
            _ => {
                report.fail(CheckId::IdentityRevocation, subject, Why::new(format!(
                        "the operator's key was revoked at {}, and no trusted receipt shows this package was deposited before",
                        when(*t)
                    ), msg!("msg-revoked-before").arg("revoked", when(*t))));
            }
        }
    }
}

fn refresh_checks(
    src: &dyn PackageSource,
    names: &[String],
    receipts: &[Receipt],
    policy: &Policy,
    report: &mut Report,
) {
    for (i, name) in names.iter().enumerate() {
        let (v, why) = refresh_check(src, i + 1, name, receipts, policy)
            .unwrap_or_else(|why| (Verdict::Fail, why));
        report.push(CheckId::ReceiptRefresh, name.clone(), v, why);
    }
}

/// Refresh number `n`, `name` (`receipt.refresh`): numbered in turn, and its checkpoint
/// extends the checkpoints of the receipts of its log.
fn refresh_check(
    src: &dyn PackageSource,
    n: usize,
    name: &str,
    receipts: &[Receipt],
    policy: &Policy,
) -> Result<(Verdict, Why), Why> {
    let r = src
        .read_all(name, MAX_RECEIPT)
        .map_err(|e| Why::of(&e))
        .and_then(|b| Refresh::parse(&b).map_err(|e| Why::of(&e)))?;
    if name != layout::refresh_path(r.n) || r.n as usize != n {
        return Err(Why::new(
            "refreshes are numbered from 001 without gaps, each in its own name",
            msg!("msg-refresh-numbering"),
        ));
    }
    let of_log: Vec<&Receipt> = receipts.iter().filter(|x| x.log == r.log).collect();
    let first = of_log.first().ok_or_else(|| {
        Why::new(
            format!("no valid receipt of log {:?} to refresh", r.log),
            msg!("msg-refresh-no-receipt").arg("log", &r.log),
        )
    })?;
    // The receipts' checkpoints (their signatures were checked with the receipts).
    let mut earlier: Vec<(u64, [u8; 32])> = of_log
        .iter()
        .filter_map(|x| {
            let n = webproof_ledger::note::Note::parse(&x.checkpoint).ok()?;
            let c = webproof_ledger::note::Checkpoint::parse(&n.text).ok()?;
            Some((c.size, c.root))
        })
        .collect();
    earlier.sort();
    earlier.dedup();
    let c = r
        .check(&first.log_key, &first.witness_keys, &earlier, &policy.log)
        .map_err(|e| Why::of(&e))?;
    let v = verdict(&c);
    let detail = format!(
        "checkpoint {} of {} extends the receipts' checkpoints; {}{}",
        c.checkpoint.size,
        r.log,
        cosigned(&c),
        if v == Verdict::Pass {
            ""
        } else {
            UNTRUSTED_NOTE
        }
    );
    let m = if v == Verdict::Pass {
        key!("msg-refresh-ok")
    } else {
        key!("msg-refresh-untrusted")
    };
    let m = Message::new(m)
        .arg("size", c.checkpoint.size)
        .arg("log", &r.log)
        .arg("witnesses", witness_names(&c));
    Ok((v, Why::new(detail, m)))
}

/// What a checkpoint the session began after establishes: a time when witnesses cosigned
/// it, trusted when they are.
fn not_before_verdict(origin: &str, c: &CheckedCheckpoint) -> (Verdict, Why) {
    let v = verdict(c);
    let earliest = c.cosigners.iter().map(|(_, t)| *t).min();
    let detail = match earliest {
        Some(t) => format!(
            "the session began after checkpoint {} of {origin} existed: not before {} ({}){}",
            c.checkpoint.size,
            when(t),
            cosigned(c),
            if v == Verdict::Pass {
                ""
            } else {
                UNTRUSTED_NOTE
            }
        ),
        None => format!(
            "the session began after checkpoint {} of {origin} existed (no witness cosigned it, so it gives no time)",
            c.checkpoint.size
        ),
    };
    let m = match (earliest, v) {
        (Some(t), Verdict::Pass) => msg!("msg-not-before-ok").arg("time", when(t)),
        (Some(t), _) => msg!("msg-not-before-untrusted").arg("time", when(t)),
        (None, _) => msg!("msg-not-before-no-time"),
    };
    let m = m
        .arg("size", c.checkpoint.size)
        .arg("log", origin)
        .arg("witnesses", witness_names(c));
    (v, Why::new(detail, m))
}

/// The environment step's `log-checkpoint.txt`: the session began after that checkpoint.
fn not_before_check(
    src: &dyn PackageSource,
    receipts: &[Receipt],
    policy: &Policy,
    report: &mut Report,
) {
    let path = layout::artifact_path(0, "log-checkpoint.txt");
    if src.entry(&path).is_none() {
        return;
    }
    let note = match src
        .read_all(&path, MAX_RECEIPT)
        .map_err(|e| Why::of(&e))
        .and_then(|b| String::from_utf8(b).map_err(|_| crate::explain::not_utf8()))
    {
        Ok(n) => n,
        Err(why) => {
            report.fail(CheckId::ReceiptNotBefore, path, why);
            return;
        }
    };
    let origin = note.lines().next().unwrap_or("").to_owned();
    let known = receipts.iter().find(|r| r.log == origin);
    let (fallback_log, fallback_witnesses) = known
        .map(|r| (r.log_key.as_str(), r.witness_keys.as_slice()))
        .unwrap_or(("", &[]));
    if known.is_none() && !policy.log.logs.iter().any(|k| k.name == origin) {
        report.push(CheckId::ReceiptNotBefore, path, Verdict::Untrusted, Why::new(format!("a checkpoint of {origin:?}, which no receipt names and no configured key is for: not checked"), msg!("msg-not-before-unknown").arg("log", &origin)));
        return;
    }
    match check_checkpoint(
        &note,
        &origin,
        fallback_log,
        fallback_witnesses,
        &policy.log,
    ) {
        Ok(c) => {
            let (v, why) = not_before_verdict(&origin, &c);
            report.push(CheckId::ReceiptNotBefore, path, v, why);
        }
        Err(e) => report.fail(CheckId::ReceiptNotBefore, path, Why::of(&e)),
    }
}
