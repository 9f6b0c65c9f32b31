//! # webproof-verify
//!
//! `verify(package, policy) -> Report`: every claim a webproof evidence package makes, checked
//! offline, each check with a stable id, a subject (the file or step it is about), a verdict
//! and a reason a lawyer can read.
//!
//! Architecture invariant: depends on the pure core only (`webproof-evidence`, and
//! `webproof-timestamp` and `webproof-ledger` without their issuing features); never on
//! capture, browser, network or time-stamp-fetching code (ARCHITECTURE.md lists what an
//! auditor reads). Verification never writes to disk.

pub mod bundle;
mod chain;
pub mod explain;
mod files;
mod receipts;
mod renewals;
mod report;
mod reviews;
mod signers;
mod supervision;
mod timestamps;
pub mod verification;
mod wacz;

pub use report::{Check, CheckId, Report, StepTime, Verdict};

use std::path::Path;

use webproof_evidence::container;
use webproof_evidence::digest::Hash32;
use webproof_evidence::manifest::{MANIFEST_FORMAT, MANIFEST_VERSION, Manifest};
use webproof_evidence::package::{self, Limits, PackageError, PackageSource};
use webproof_evidence::record::StepKind;
use webproof_evidence::{canonical, layout};
pub use webproof_message::Message;
use webproof_message::{key, msg};

use chain::{chain_checks, chain_holds, outcome_checks, read_journal};
use explain::Why;
use files::hash_all;

/// What the verifier trusts and how hard it works.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Fingerprints (SHA-256 of SPKI DER) of operator keys the user trusts.
    pub trusted_operators: Vec<Hash32>,
    /// Fingerprints of notary keys the user trusts.
    pub trusted_notaries: Vec<Hash32>,
    /// Roots of time-stamp authorities the user trusts; none by default.
    pub trusted_tsa: Vec<x509_cert::Certificate>,
    /// Evidence logs and witnesses the user trusts, and the witness quorum; none by default.
    pub log: webproof_ledger::receipt::LogTrust,
    /// Operator CAs (of evidence logs' registration authorities) the user trusts: an operator
    /// certified by one is identified by its certificate.
    pub operator_cas: Vec<x509_cert::Certificate>,
    /// Revoked operators (fingerprint hex, revocation time in Unix seconds), from a log's
    /// signed revocation list the user checked.
    pub revoked: Vec<(String, u64)>,
    /// Threads re-hashing files (each also runs SM3 on a helper thread).
    pub threads: usize,
    pub limits: Limits,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            trusted_operators: Vec::new(),
            trusted_notaries: Vec::new(),
            trusted_tsa: Vec::new(),
            log: Default::default(),
            operator_cas: Vec::new(),
            revoked: Vec::new(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            limits: Limits::default(),
        }
    }
}

/// Errors that stop verification before it starts (the package could not even be found).
/// A package that exists but is malformed or hostile gives a report with failed checks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("{path}: {source}")]
    NotFound {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Verifies the package at `path` (a `.wacz` file or a package directory).
pub fn verify_path(path: &Path, policy: &Policy) -> Result<Report, VerifyError> {
    if let Err(source) = std::fs::symlink_metadata(path) {
        return Err(VerifyError::NotFound {
            path: path.display().to_string(),
            source,
        });
    }
    let mut report = Report::new(path.display().to_string());
    let is_zip = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir());
    let opened = package::open(path, &policy.limits);
    verify_opened(opened, is_zip, policy, &mut report);
    Ok(report)
}

/// Verifies a package file read through `bytes` (`len` bytes long), named `name` in the
/// report: what the verifier page does with a file dropped on it, read in slices.
pub fn verify_zip(
    name: &str,
    bytes: Box<dyn container::ReadAt + Send + Sync>,
    len: u64,
    policy: &Policy,
) -> Report {
    let mut report = Report::new(name.to_owned());
    let opened = package::ZipSource::read(name.to_owned(), bytes, len, &policy.limits)
        .map(|z| Box::new(z) as Box<dyn PackageSource>);
    verify_opened(opened, true, policy, &mut report);
    report
}

/// The container and structure checks of a package as opened (a ZIP file when `is_zip`),
/// then everything inside it.
fn verify_opened(
    opened: Result<Box<dyn PackageSource>, PackageError>,
    is_zip: bool,
    policy: &Policy,
    report: &mut Report,
) {
    let subject = report.package.clone();
    match opened {
        Ok(src) => {
            let count = src.entries().len();
            if is_zip {
                report.pass(CheckId::PackageContainer, subject.clone(), Why::new(format!(
                        "one ZIP form: {count} members stored in name order, contiguous from byte 0 to the central directory, end record at the end of the file; every byte accounted for"
                    ), msg!("msg-container-ok").arg("count", count)));
            }
            report.pass(
                CheckId::PackageStructure,
                subject,
                Why::new(
                    format!("{count} files; names, links, duplicates and sizes within limits"),
                    msg!("msg-package-ok").arg("count", count),
                ),
            );
            verify_source(src.as_ref(), policy, report);
        }
        Err(e @ PackageError::Container(_)) => report.fail(
            CheckId::PackageContainer,
            subject,
            Why::of(&e).under(key!("msg-refused"), "refused"),
        ),
        Err(e) => report.fail(
            CheckId::PackageStructure,
            subject,
            Why::of(&e).under(key!("msg-refused"), "refused"),
        ),
    }
}

/// Verifies an opened package.
pub fn verify_source(src: &dyn PackageSource, policy: &Policy, report: &mut Report) {
    // 1. Re-hash every file (in parallel).
    let hashes = hash_all(src, policy.threads);

    // 2. The manifest.
    let Some((manifest_bytes, manifest)) = read_manifest(src, policy, report) else {
        wacz::wacz_checks(src, None, &hashes, report);
        return;
    };
    report.capture = Some(manifest.capture.clone());
    report.chain_head = Some(manifest.journal.head);
    match manifest_check(&manifest, &manifest_bytes) {
        Ok(why) => report.pass(CheckId::ManifestParse, layout::MANIFEST, why),
        Err(why) => report.fail(CheckId::ManifestParse, layout::MANIFEST, why),
    }

    // 3. Signatures and identities: certificates are judged at the trusted time over the final
    // chain head, which the checks of 5 establish; their findings keep this place in the report.
    let signatures_at = report.checks.len();

    // 4. Every listed file, and nothing unlisted.
    files::file_checks(src, &manifest, &hashes, report);

    // 5. The journal and chain, then the trusted time over it.
    let mut promised = None;
    if let Some(journal) = chain_checks(src, &manifest, policy, report) {
        timestamps::timestamp_checks(src, &journal.heads, policy, false, report);
        promised = receipts::receipt_checks(src, &journal, &manifest, policy, report);
    }
    let at = signers::trusted_at(&manifest, &report.time, promised);
    let mut signers = Report::new(String::new());
    signers::signature_checks(src, &manifest, &manifest_bytes, policy, &mut signers, &at);
    report
        .checks
        .splice(signatures_at..signatures_at, signers.checks);
    renewals::renewal_checks(src, &manifest, policy, report);
    reviews::review_checks(src, &manifest, &manifest_bytes, policy, report);

    // 6. The WACZ files derived from all of the above.
    wacz::wacz_checks(src, Some(&manifest), &hashes, report);
}

/// The manifest's bytes and what they say, or `None` with the failed check saying why.
fn read_manifest(
    src: &dyn PackageSource,
    policy: &Policy,
    report: &mut Report,
) -> Option<(Vec<u8>, Manifest)> {
    let manifest_bytes = match src.read_all(layout::MANIFEST, policy.limits.max_json) {
        Ok(b) => b,
        Err(e) => {
            let why = if src.entry(layout::MANIFEST).is_none()
                && src.entry(layout::JOURNAL).is_some()
            {
                Why::new(
                    "no manifest: this is an unfinished capture, not a sealed package (seal what it holds with `webproof captures resume`)",
                    msg!("msg-unfinished-capture"),
                )
            } else {
                Why::of(&e)
            };
            report.fail(CheckId::ManifestRead, layout::MANIFEST, why);
            return None;
        }
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report.fail(
                CheckId::ManifestParse,
                layout::MANIFEST,
                Why::of(&e).under(key!("msg-not-manifest"), "not a valid manifest"),
            );
            return None;
        }
    };
    Some((manifest_bytes, manifest))
}

/// `manifest.parse`: a manifest of this format and version, in canonical form.
fn manifest_check(manifest: &Manifest, manifest_bytes: &[u8]) -> Result<Why, Why> {
    if manifest.v != MANIFEST_VERSION || manifest.format != MANIFEST_FORMAT {
        Err(Why::new(
            format!(
                "unsupported manifest format {:?} version {}",
                manifest.format, manifest.v
            ),
            msg!("msg-manifest-version")
                .arg("format", &manifest.format)
                .arg("version", manifest.v),
        ))
    } else if !canonical::is_canonical(manifest_bytes) {
        Err(Why::new(
            "not in canonical (RFC 8785) form",
            msg!("msg-manifest-not-canonical"),
        ))
    } else {
        Ok(Why::new(
            format!(
                "capture {}, {} steps, {} files",
                manifest.capture,
                manifest.heads.len(),
                manifest.files.len()
            ),
            msg!("msg-manifest-ok")
                .arg("capture", &manifest.capture)
                .arg("steps", manifest.heads.len())
                .arg("files", manifest.files.len()),
        ))
    }
}

/// The sealer's verdict on a capture about to be sealed: a work directory (or other source)
/// whose journal has every step but the seal step. Judged under `policy`: the chain as
/// journaled, every time-stamp so far (with `stamp_at_seal`, the time-stamps the seal step
/// will get cover the steps without one) and what the capture did. Not judged, because they
/// do not exist yet: the signatures, the seal step, its time-stamps and the log's receipts —
/// so this is a statement for the report sealed inside the package (docs §6d), and a reader
/// verifies the sealed package again under their own trust.
pub fn verify_before_seal(src: &dyn PackageSource, policy: &Policy, stamp_at_seal: bool) -> Report {
    let mut report = Report::new(String::new());
    let Some(parsed) = read_journal(src, policy, &mut report) else {
        return report;
    };
    let Some(last) = parsed.records.last() else {
        report.fail(
            CheckId::JournalChain,
            layout::JOURNAL,
            Why::new("no steps", msg!("msg-journal-empty")),
        );
        return report;
    };
    if last.kind == StepKind::Seal {
        report.fail(
            CheckId::JournalChain,
            layout::JOURNAL,
            Why::new("already sealed", msg!("msg-journal-sealed")),
        );
        return report;
    }
    report.capture = Some(last.capture.clone());
    report.chain_head = parsed.heads.last().copied();
    chain_holds(&mut report, parsed.records.len());
    timestamps::timestamp_checks(src, &parsed.heads, policy, stamp_at_seal, &mut report);
    outcome_checks(&parsed.records, &mut report);
    report
}
