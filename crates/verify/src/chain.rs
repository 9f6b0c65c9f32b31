//! The journal and its chain: records canonical and linked, heads as the manifest says, the seal
//! step last and binding the manifest's signers, claims and files, every artifact listed, and
//! what the capture did (`journal.*`, `seal.*`, `step.artifact`, `capture.outcome`).

use webproof_evidence::journal;
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::record::{StepKind, StepRecord};
use webproof_message::msg;

use crate::explain::Why;
use crate::{CheckId, Policy, Report, Verdict};

/// The seal step (inside the chain that trusted time covers) names who signs; the manifest's
/// signers must be exactly those, so a signature added after sealing — a "notary" who was never
/// there — is caught even when the manifest is re-signed.
fn seal_signers_check(seal: &StepRecord, m: &Manifest, report: &mut Report) {
    let mut recorded: Vec<String> = seal
        .params
        .get("signers")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut signing: Vec<String> = m
        .signers
        .iter()
        .map(|s| s.role.as_str().to_owned())
        .collect();
    recorded.sort();
    signing.sort();
    let subject = format!("{} step {}", layout::JOURNAL, seal.seq);
    if recorded == signing {
        report.pass(
            CheckId::SealSigners,
            subject,
            Why::new(
                format!(
                    "the seal step names the manifest's signers: {}",
                    signing.join(", ")
                ),
                msg!("msg-seal-signers-ok").arg("signers", signing.join(", ")),
            ),
        );
    } else {
        report.fail(
            CheckId::SealSigners,
            subject,
            Why::new(
                format!(
                    "the seal step names {} as signers, the manifest {}",
                    list_or_none(&recorded),
                    list_or_none(&signing)
                ),
                msg!("msg-seal-signers-differ")
                    .arg("recorded", list_or_none(&recorded))
                    .arg("signing", list_or_none(&signing)),
            ),
        );
    }
}

/// The manifest's own claims — case, tool, sealing time — are those the seal step recorded
/// under trusted time, so re-signing the manifest cannot change them.
fn seal_manifest_check(seal: &StepRecord, m: &Manifest, report: &mut Report) {
    let recorded = |k: &str| seal.params.get(k).cloned().unwrap_or_default();
    let as_json = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
    let mut differ = Vec::new();
    if recorded("case") != as_json(serde_json::to_value(&m.case)) {
        differ.push("case");
    }
    if recorded("tool") != as_json(serde_json::to_value(&m.tool)) {
        differ.push("tool");
    }
    if seal.ended != m.sealed {
        differ.push("sealed");
    }
    let subject = format!("{} step {}", layout::JOURNAL, seal.seq);
    if differ.is_empty() {
        report.pass(
            CheckId::SealManifest,
            subject,
            Why::new(
                "the manifest's case, tool and sealing time are those the seal step recorded",
                msg!("msg-seal-manifest-ok"),
            ),
        );
    } else {
        let fields = differ.join(", ");
        report.fail(
            CheckId::SealManifest,
            subject,
            Why::new(
                format!("the manifest's {fields} differ from what the seal step recorded"),
                msg!("msg-seal-manifest-differs").arg("fields", fields),
            ),
        );
    }
}

/// Every file the manifest lists is a step's artifact — the journal and the time-stamps and
/// receipts over its heads aside — so the final tokens and receipts, which cover the seal
/// step's head, cover its bytes: a file added after them fails here even when the manifest is
/// signed again (a changed one fails `step.artifact`).
fn seal_files_check(records: &[StepRecord], m: &Manifest, report: &mut Report) {
    let named: std::collections::HashSet<&str> = records
        .iter()
        .flat_map(|r| r.artifacts.iter().map(|a| a.path.as_str()))
        .collect();
    let mut bound = 0usize;
    let mut unbound = 0usize;
    for f in &m.files {
        if layout::is_proof_of_chain(&f.path) {
            continue;
        }
        if named.contains(f.path.as_str()) {
            bound += 1;
            continue;
        }
        unbound += 1;
        report.fail(CheckId::SealFiles, f.path.clone(), Why::new("no step names it, so no time-stamp or receipt covers it: it was added after the seal step", msg!("msg-seal-file-unnamed")));
    }
    if unbound == 0 {
        report.pass(CheckId::SealFiles, layout::MANIFEST, Why::new(format!(
                "each of the {bound} files besides the journal and its proofs is named by a step, so the chain head the final time-stamps and receipts cover binds its bytes"
            ), msg!("msg-seal-files-ok").arg("count", bound)));
    }
}

/// Whether the capture did what it set out to do. Each thing the journal records going wrong
/// is a `FINDING` (the package is intact; a court must still hear it): the environment check of
/// step 0 failed (overridden by the operator or not), a step navigated to no page (a browser
/// error page), the capture was interrupted or resumed, or it holds no evidence besides its
/// own bookkeeping. Otherwise one `PASS`.
pub(crate) fn outcome_checks(records: &[StepRecord], report: &mut Report) {
    let before = report.checks.len();
    for r in records {
        let why = match r.kind {
            StepKind::Environment => environment_outcome(r),
            StepKind::Interruption => Some(interruption_outcome(r)),
            StepKind::Navigate => navigation_outcome(r),
            _ => None,
        };
        if let Some(why) = why {
            let at = format!("{} step {}", layout::JOURNAL, r.seq);
            report.push(CheckId::CaptureOutcome, at, Verdict::Finding, why);
        }
    }
    if !holds_evidence(records) {
        report.push(
            CheckId::CaptureOutcome,
            layout::JOURNAL,
            Verdict::Finding,
            Why::new(
                "the capture holds no evidence: no step captured a page, a file or a download",
                msg!("msg-outcome-empty"),
            ),
        );
    }
    if report.checks.len() == before {
        report.pass(CheckId::CaptureOutcome, layout::JOURNAL, Why::new("the capture did what it set out to do: no failed environment check, no failed step, no interruption", msg!("msg-outcome-ok")));
    }
}

/// A failed environment check (step 0), overridden or not.
fn environment_outcome(r: &StepRecord) -> Option<Why> {
    if r.params.get("worst").and_then(|w| w.as_str()) != Some("fail") {
        return None;
    }
    let failed: Vec<String> = r
        .params
        .get("findings")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter(|f| f["grade"] == "fail")
                .filter_map(|f| f["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let failed = list_or_none(&failed);
    let overridden = r
        .params
        .get("override")
        .and_then(|o| o.as_str())
        .filter(|o| !o.is_empty());
    Some(match overridden {
        Some(why) => Why::new(
            format!("the environment check failed ({failed}) and the operator overrode it: {why}"),
            msg!("msg-outcome-env-overridden")
                .arg("failed", failed.clone())
                .arg("why", why),
        ),
        None => Why::new(
            format!("the environment check failed ({failed})"),
            msg!("msg-outcome-env-failed").arg("failed", failed.clone()),
        ),
    })
}

fn interruption_outcome(r: &StepRecord) -> Why {
    let reason = r
        .params
        .get("reason")
        .and_then(|x| x.as_str())
        .unwrap_or("no reason recorded");
    Why::new(
        format!("the capture was interrupted: {reason}"),
        msg!("msg-outcome-interrupted").arg("reason", reason),
    )
}

/// A navigation that reached no web page: the browser's error page, or no http(s) URL.
fn navigation_outcome(r: &StepRecord) -> Option<Why> {
    let url = r.url.clone().unwrap_or_default();
    match r.params.get("load_error").and_then(|e| e.as_str()) {
        Some(e) => Some(Why::new(
            format!("the navigation reached no web page: {e}"),
            msg!("msg-outcome-load-error").arg("error", e),
        )),
        None if !(url.starts_with("http://") || url.starts_with("https://")) => Some(Why::new(
            format!("the navigation reached no web page (the browser shows {url})"),
            msg!("msg-outcome-no-page").arg("url", url),
        )),
        None => None,
    }
}

/// Whether a step captured evidence: anything besides the environment report, notes, the
/// network archive's bookkeeping, the recording and the seal itself.
fn holds_evidence(records: &[StepRecord]) -> bool {
    records.iter().any(|r| {
        (!matches!(
            r.kind,
            StepKind::Environment
                | StepKind::Note
                | StepKind::Seal
                | StepKind::Interruption
                | StepKind::VideoSegment
                | StepKind::NetworkArchive
        ) && !r.artifacts.is_empty())
            || (r.kind == StepKind::NetworkArchive
                && r.params.get("responses").and_then(|n| n.as_u64()) > Some(0))
    })
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "nobody".into()
    } else {
        v.join(", ")
    }
}

/// The journal, read within the limits and parsed (every line canonical and linked to the
/// one before), or `None` with the failed `journal.chain` check saying why.
pub(crate) fn read_journal(
    src: &dyn PackageSource,
    policy: &Policy,
    report: &mut Report,
) -> Option<journal::ParsedJournal> {
    let parsed = match src
        .read_all(layout::JOURNAL, policy.limits.max_journal)
        .map_err(|e| Why::of(&e))
        .and_then(|b| journal::parse(&b).map_err(|e| Why::of(&e)))
    {
        Ok(p) => p,
        Err(why) => {
            report.fail(CheckId::JournalChain, layout::JOURNAL, why);
            return None;
        }
    };
    if !parsed.torn_tail.is_empty() {
        report.fail(
            CheckId::JournalChain,
            layout::JOURNAL,
            Why::new("ends in an incomplete record", msg!("msg-journal-torn")),
        );
        return None;
    }
    Some(parsed)
}

/// `journal.chain` passes: `n` records, each linked to the one before.
pub(crate) fn chain_holds(report: &mut Report, n: usize) {
    report.pass(
        CheckId::JournalChain,
        layout::JOURNAL,
        Why::new(
            format!("{n} records, each canonical and linked to the one before by SHA-256 and SM3"),
            msg!("msg-chain-ok").arg("count", n),
        ),
    );
}

/// Checks the journal; returns its records and the chain head after every step when the
/// chain holds.
pub(crate) fn chain_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    policy: &Policy,
    report: &mut Report,
) -> Option<journal::ParsedJournal> {
    if m.journal.path != layout::JOURNAL {
        report.fail(
            CheckId::JournalChain,
            layout::MANIFEST,
            Why::new(
                "the journal is not at its standard path",
                msg!("msg-journal-path"),
            ),
        );
        return None;
    }
    let parsed = read_journal(src, policy, report)?;
    if parsed.records.iter().any(|r| r.capture != m.capture) {
        report.fail(
            CheckId::JournalChain,
            layout::JOURNAL,
            Why::new(
                "records belong to another capture than the manifest's",
                msg!("msg-journal-other-capture"),
            ),
        );
        return None;
    }
    chain_holds(report, parsed.records.len());
    heads_check(&parsed, m, report);
    seal_step_checks(&parsed.records, m, report);
    artifact_checks(&parsed.records, m, report);
    crate::supervision::supervision_checks(&parsed.records, &parsed.heads, m, report);
    Some(parsed)
}

/// `journal.heads`: the chain head after every step is the manifest's.
fn heads_check(parsed: &journal::ParsedJournal, m: &Manifest, report: &mut Report) {
    let n = parsed.records.len();
    let heads_ok = n as u64 == m.journal.records
        && m.heads.len() == n
        && parsed.heads.last() == Some(&m.journal.head)
        && m.heads
            .iter()
            .zip(parsed.records.iter().zip(&parsed.heads))
            .all(|(s, (r, h))| s.seq == r.seq && s.kind == r.kind && s.head == *h);
    if heads_ok {
        report.pass(CheckId::JournalHeads, layout::JOURNAL, Why::new(format!(
                "chain head after every step matches the manifest; final head SHA-256 {} SM3 {}",
                m.journal.head.sha256, m.journal.head.sm3
            ), msg!("msg-heads-ok")
                .arg("sha256", m.journal.head.sha256)
                .arg("sm3", m.journal.head.sm3)));
    } else {
        report.fail(
            CheckId::JournalHeads,
            layout::JOURNAL,
            Why::new(
                "the chain heads recomputed from the journal differ from the manifest's",
                msg!("msg-heads-bad"),
            ),
        );
    }
}

/// The last step is a seal step (and then what it says holds), and no step follows one.
fn seal_step_checks(records: &[StepRecord], m: &Manifest, report: &mut Report) {
    match records.last() {
        Some(r) if r.kind == StepKind::Seal => {
            seal_signers_check(r, m, report);
            seal_manifest_check(r, m, report);
            seal_files_check(records, m, report);
            outcome_checks(records, report);
        }
        _ => report.fail(
            CheckId::JournalHeads,
            layout::JOURNAL,
            Why::new(
                "the last step is not a seal step",
                msg!("msg-journal-no-seal"),
            ),
        ),
    }
    if records
        .iter()
        .rev()
        .skip(1)
        .any(|r| r.kind == StepKind::Seal)
    {
        report.fail(
            CheckId::JournalHeads,
            layout::JOURNAL,
            Why::new("a step follows a seal step", msg!("msg-journal-after-seal")),
        );
    }
}

/// `step.artifact`: every artifact a step names is in the package with the same digests.
fn artifact_checks(records: &[StepRecord], m: &Manifest, report: &mut Report) {
    for r in records {
        for a in &r.artifacts {
            let subject = a.path.clone();
            match m.file(&a.path) {
                Some(f) if f.sha256 == a.sha256 && f.sm3 == a.sm3 && f.size == a.size => {
                    report.pass(
                        CheckId::StepArtifact,
                        subject,
                        Why::new(
                            format!(
                                "step {} ({}) produced it with these digests",
                                r.seq,
                                r.kind.as_str()
                            ),
                            msg!("msg-artifact-ok")
                                .arg("seq", r.seq)
                                .arg("kind", r.kind.as_str()),
                        ),
                    );
                }
                Some(_) => {
                    report.fail(
                        CheckId::StepArtifact,
                        subject,
                        Why::new(
                            format!(
                                "step {} journaled other digests than the manifest lists",
                                r.seq
                            ),
                            msg!("msg-artifact-other-digests").arg("seq", r.seq),
                        ),
                    );
                }
                None => {
                    report.fail(
                        CheckId::StepArtifact,
                        subject,
                        Why::new(
                            format!("step {} names it but the manifest does not list it", r.seq),
                            msg!("msg-artifact-unlisted").arg("seq", r.seq),
                        ),
                    );
                }
            }
        }
    }
}
