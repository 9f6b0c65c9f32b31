//! # webproof-verify
//!
//! `verify(package, policy) -> Report`: every claim a webproof evidence package makes, checked
//! offline, each check with a stable id, a subject (the file or step it is about), a verdict
//! and a reason a lawyer can read.
//!
//! Architecture invariant: depends only on `webproof-evidence`; never on capture, browser,
//! network or timestamp-fetching code. An auditor reads this crate and the evidence crate and
//! nothing else. Verification never writes to disk.

pub mod explain;
mod receipts;

use explain::{Explain, Why};

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use webproof_evidence::digest::{Digests, Hash32, digest_reader};
use webproof_evidence::identity::{IdentityDoc, PublicKey, Role};
use webproof_evidence::manifest::{MANIFEST_FORMAT, MANIFEST_VERSION, Manifest};
pub use webproof_evidence::message::Message;
use webproof_evidence::package::{self, Limits, PackageError, PackageSource};
use webproof_evidence::record::StepKind;
use webproof_evidence::{canonical, journal, layout, wacz};

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The claim holds.
    Pass,
    /// The cryptography holds but rests on a key nobody configured as trusted.
    Untrusted,
    /// The package is exactly what was sealed, but the capture it holds records that it did
    /// not do what it set out to do: a failed environment check (overridden or not), a step
    /// that failed, an interruption or a resumed session, or no evidence at all.
    Finding,
    /// The claim does not hold.
    Fail,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Untrusted => "UNTRUSTED",
            Verdict::Finding => "FINDING",
            Verdict::Fail => "FAIL",
        }
    }
}

/// One named check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `file.digest` (see docs/evidence-package.md).
    pub id: &'static str,
    /// The file, step or signer the check is about.
    pub subject: String,
    pub verdict: Verdict,
    /// What was found, in English.
    pub detail: String,
    /// The same as a catalogue message (key and arguments), for reading it in another
    /// language; absent where only the English detail exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// Every check made, in order.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub package: String,
    pub capture: Option<String>,
    pub chain_head: Option<Digests>,
    pub checks: Vec<Check>,
    /// For every step, the earliest trusted time-stamp that covers it (empty when the
    /// package has none or the chain does not hold).
    pub time: Vec<StepTime>,
}

/// The trusted time that covers one step: the step existed no later than `not_after`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTime {
    pub seq: u64,
    pub not_after: Option<String>,
    /// `not_after` in Unix seconds.
    #[serde(skip)]
    pub not_after_unix: Option<i64>,
    pub tsa: Option<String>,
    /// The token file that says so.
    pub token: Option<String>,
}

impl Report {
    /// A report on `package` with no check made yet.
    pub fn new(package: String) -> Self {
        Report {
            package,
            capture: None,
            chain_head: None,
            checks: Vec::new(),
            time: Vec::new(),
        }
    }

    /// The package's verdict, one rung of a ladder (docs/evidence-package.md §7): `Fail` if
    /// any check failed (FAILED), else `Untrusted` if any rests on a key or authority not
    /// configured as trusted (INTACT, NOT TRUSTED), else `Finding` if the capture records that
    /// something went wrong (INTACT WITH FINDINGS), else `Pass` (VERIFIED).
    pub fn verdict(&self) -> Verdict {
        let any = |v: Verdict| self.checks.iter().any(|c| c.verdict == v);
        if self.checks.is_empty() || any(Verdict::Fail) {
            Verdict::Fail
        } else if any(Verdict::Untrusted) {
            Verdict::Untrusted
        } else if any(Verdict::Finding) {
            Verdict::Finding
        } else {
            Verdict::Pass
        }
    }

    /// The checks that are findings about the capture (see [`Verdict::Finding`]).
    pub fn findings(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Finding)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Fail)
    }

    /// The first failed check as one line (`id subject: detail`), for messages.
    pub fn first_failure(&self) -> Option<String> {
        self.failures()
            .next()
            .map(|c| format!("{} {}: {}", c.id, c.subject, c.detail))
    }

    fn push(
        &mut self,
        id: &'static str,
        subject: impl Into<String>,
        verdict: Verdict,
        detail: impl Into<String>,
    ) {
        let detail = detail.into();
        self.checks.push(Check {
            id,
            subject: subject.into(),
            verdict,
            message: STATIC_MESSAGES
                .iter()
                .find(|(english, _)| *english == detail)
                .map(|(_, key)| Message::new(key)),
            detail,
        });
    }
    /// Attaches the catalogue message to the check just pushed.
    fn say(&mut self, m: Message) {
        if let Some(c) = self.checks.last_mut() {
            c.message = Some(m);
        }
    }
    fn pass(&mut self, id: &'static str, subject: impl Into<String>, detail: impl Into<String>) {
        self.push(id, subject, Verdict::Pass, detail);
    }
    fn fail(&mut self, id: &'static str, subject: impl Into<String>, detail: impl Into<String>) {
        self.push(id, subject, Verdict::Fail, detail);
    }
    /// A failure for a reason that has its own message.
    fn fail_why(&mut self, id: &'static str, subject: impl Into<String>, why: Why) {
        self.push(id, subject, Verdict::Fail, why.text);
        self.say(why.message);
    }
}

/// Findings whose English text is fixed, with their catalogue keys (the sites that build a
/// text from values attach their message themselves, with [`Report::say`]).
const STATIC_MESSAGES: &[(&str, &str)] = &[
    (
        "not in canonical (RFC 8785) form",
        "msg-manifest-not-canonical",
    ),
    (
        "the manifest names no operator signature",
        "msg-no-operator-signature",
    ),
    (
        "signer files are not at their standard paths",
        "msg-signer-paths",
    ),
    (
        "files are not sorted by path without duplicates",
        "msg-manifest-unsorted",
    ),
    (
        "the manifest cannot list this file",
        "msg-file-not-listable",
    ),
    (
        "listed in the manifest but missing from the package",
        "msg-file-missing",
    ),
    (
        "in the package but not listed in the signed manifest",
        "msg-file-unlisted",
    ),
    (
        "not one of the file names a renewal has",
        "msg-renewal-name",
    ),
    (
        "a signature file no signer in the manifest names",
        "msg-signature-unnamed",
    ),
    (
        "the operator and the notary sign with different keys",
        "msg-distinct-ok",
    ),
    (
        "certified before certificates named roles: an operator's certificate",
        "msg-role-legacy",
    ),
    (
        "the certificate names no role, so it is an operator's, but it is presented for the notary's signature",
        "msg-role-none-notary",
    ),
    (
        "belongs to no renewal record (an orphan nothing checks)",
        "msg-renewal-orphan",
    ),
    (
        "a time-stamp request with no token beside it (an orphan nothing checks)",
        "msg-request-orphan",
    ),
    (
        "the journal is not at its standard path",
        "msg-journal-path",
    ),
    ("ends in an incomplete record", "msg-journal-torn"),
    (
        "records belong to another capture than the manifest's",
        "msg-journal-other-capture",
    ),
    (
        "the chain heads recomputed from the journal differ from the manifest's",
        "msg-heads-bad",
    ),
    ("the last step is not a seal step", "msg-journal-no-seal"),
    ("a step follows a seal step", "msg-journal-after-seal"),
    (
        "cannot be checked without a valid manifest",
        "msg-needs-manifest",
    ),
    (
        "differs from the datapackage derived from the manifest and the files (altered, or a file's hash or size changed)",
        "msg-datapackage-differs",
    ),
    (
        "datapackage.json is unreadable",
        "msg-datapackage-unreadable",
    ),
    (
        "does not state the SHA-256 of datapackage.json in the expected form",
        "msg-wacz-digest-bad",
    ),
    (
        "the file name does not say which step it stamps",
        "msg-token-name",
    ),
    (
        "the request kept beside the token asks for another imprint",
        "msg-token-request-mismatch",
    ),
    (
        "wrong format, version, number or capture, or not canonical",
        "msg-renewal-format",
    ),
    (
        "a renewal without a time-stamp token proves nothing",
        "msg-renewal-no-token",
    ),
    (
        "the final chain head is deposited, but the log or too few of its witnesses are configured as trusted (--trust-log, --trust-witness)",
        "msg-coverage-untrusted",
    ),
    (
        "the final chain head has no receipt; only the steps up to the last deposited head are covered",
        "msg-coverage-partial",
    ),
    (
        "no evidence-log receipts: this package's chain head was not deposited in a witnessed log",
        "msg-coverage-none",
    ),
    (
        "no evidence-log receipts, though an evidence log is configured as trusted",
        "msg-coverage-missing",
    ),
    (
        "no RFC 3161 time-stamps: the times in this package are the capture machine's clock only",
        "msg-no-timestamps",
    ),
    (
        "the capture holds no evidence: no step captured a page, a file or a download",
        "msg-outcome-empty",
    ),
    (
        "the capture did what it set out to do: no failed environment check, no failed step, no interruption",
        "msg-outcome-ok",
    ),
    (
        "no RFC 3161 time-stamps, though time-stamp authorities are configured as trusted: the times in this package are the capture machine's clock only",
        "msg-no-timestamps-trusted",
    ),
    ("the same role signs twice", "msg-role-twice"),
    (
        "refreshes are numbered from 001 without gaps, each in its own name",
        "msg-refresh-numbering",
    ),
    (
        "not a receipt name (receipts/<seq>-<k>.json)",
        "msg-receipt-name",
    ),
];

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
    let subject = path.display().to_string();
    match package::open(path, &policy.limits) {
        Ok(src) => {
            let count = src.entries().len();
            if is_zip {
                report.pass(
                    "package.container",
                    subject.clone(),
                    format!(
                        "one ZIP form: {count} members stored in name order, contiguous from byte 0 to the central directory, end record at the end of the file; every byte accounted for"
                    ),
                );
                report.say(Message::new("msg-container-ok").arg("count", count));
            }
            report.pass(
                "package.structure",
                subject,
                format!("{count} files; names, links, duplicates and sizes within limits"),
            );
            report.say(Message::new("msg-package-ok").arg("count", count));
            verify_source(src.as_ref(), policy, &mut report);
        }
        Err(e @ PackageError::Container(_)) => report.fail_why(
            "package.container",
            subject,
            Why::of(&e).under("msg-refused", "refused"),
        ),
        Err(e) => report.fail_why(
            "package.structure",
            subject,
            Why::of(&e).under("msg-refused", "refused"),
        ),
    }
    Ok(report)
}

/// Verifies an opened package.
pub fn verify_source(src: &dyn PackageSource, policy: &Policy, report: &mut Report) {
    // 1. Re-hash every file (in parallel).
    let hashes = hash_all(src, policy.threads);

    // 2. The manifest.
    let manifest_bytes = match src.read_all(layout::MANIFEST, policy.limits.max_json) {
        Ok(b) => b,
        Err(e) => {
            let why = if src.entry(layout::MANIFEST).is_none()
                && src.entry(layout::JOURNAL).is_some()
            {
                Why::new(
                    "no manifest: this is an unfinished capture, not a sealed package (seal what it holds with `webproof captures resume`)",
                    Message::new("msg-unfinished-capture"),
                )
            } else {
                Why::of(&e)
            };
            report.fail_why("manifest.read", layout::MANIFEST, why);
            wacz_checks(src, None, &hashes, report);
            return;
        }
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report.fail_why(
                "manifest.parse",
                layout::MANIFEST,
                Why::of(&e).under("msg-not-manifest", "not a valid manifest"),
            );
            wacz_checks(src, None, &hashes, report);
            return;
        }
    };
    report.capture = Some(manifest.capture.clone());
    report.chain_head = Some(manifest.journal.head);
    if manifest.v != MANIFEST_VERSION || manifest.format != MANIFEST_FORMAT {
        report.fail(
            "manifest.parse",
            layout::MANIFEST,
            format!(
                "unsupported manifest format {:?} version {}",
                manifest.format, manifest.v
            ),
        );
        report.say(
            Message::new("msg-manifest-version")
                .arg("format", &manifest.format)
                .arg("version", manifest.v),
        );
    } else if !canonical::is_canonical(&manifest_bytes) {
        report.fail(
            "manifest.parse",
            layout::MANIFEST,
            "not in canonical (RFC 8785) form",
        );
    } else {
        report.pass(
            "manifest.parse",
            layout::MANIFEST,
            format!(
                "capture {}, {} steps, {} files",
                manifest.capture,
                manifest.heads.len(),
                manifest.files.len()
            ),
        );
        report.say(
            Message::new("msg-manifest-ok")
                .arg("capture", &manifest.capture)
                .arg("steps", manifest.heads.len())
                .arg("files", manifest.files.len()),
        );
    }

    // 3. Signatures and identities: certificates are judged at the trusted time over the final
    // chain head, which the checks of 5 establish; their findings keep this place in the report.
    let signatures_at = report.checks.len();

    // 4. Every listed file, and nothing unlisted.
    file_checks(src, &manifest, &hashes, report);

    // 5. The journal and chain, then the trusted time over it.
    let mut promised = None;
    if let Some(heads) = chain_checks(src, &manifest, policy, report) {
        timestamp_checks(src, &heads, policy, false, report);
        promised = receipts::receipt_checks(src, &heads, &manifest, policy, report);
    }
    let at = trusted_at(&manifest, &report.time, promised);
    let mut signers = Report::new(String::new());
    signature_checks(src, &manifest, &manifest_bytes, policy, &mut signers, &at);
    report
        .checks
        .splice(signatures_at..signatures_at, signers.checks);
    renewal_checks(src, &manifest, policy, report);

    // 6. The WACZ files derived from all of the above.
    wacz_checks(src, Some(&manifest), &hashes, report);
}

type HashResult = Result<(Digests, u64), Why>;

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
        report.fail("journal.chain", layout::JOURNAL, "no steps");
        return report;
    };
    if last.kind == StepKind::Seal {
        report.fail("journal.chain", layout::JOURNAL, "already sealed");
        return report;
    }
    report.capture = Some(last.capture.clone());
    report.chain_head = parsed.heads.last().copied();
    chain_holds(&mut report, parsed.records.len());
    timestamp_checks(src, &parsed.heads, policy, stamp_at_seal, &mut report);
    outcome_checks(&parsed.records, &mut report);
    report
}

fn hash_all(src: &dyn PackageSource, threads: usize) -> HashMap<String, HashResult> {
    let entries = src.entries();
    let next = Mutex::new(0usize);
    let out = Mutex::new(HashMap::with_capacity(entries.len()));
    // Largest first keeps both threads busy to the end.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(entries[i].size));
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, 64) {
            s.spawn(|| {
                loop {
                    let i = {
                        let Ok(mut n) = next.lock() else { return };
                        if *n >= order.len() {
                            return;
                        }
                        *n += 1;
                        order[*n - 1]
                    };
                    let name = &entries[i].name;
                    let mut res = None;
                    let r = src.read_with(name, &mut |r| {
                        res = Some(digest_reader(r)?);
                        Ok(())
                    });
                    let value = match (r, res) {
                        (Ok(()), Some(d)) => Ok(d),
                        (Err(e), _) => Err(Why::of(&e)),
                        (Ok(()), None) => Err(Why::new("not read", Message::new("err-not-read"))),
                    };
                    if let Ok(mut o) = out.lock() {
                        o.insert(name.clone(), value);
                    }
                }
            });
        }
    });
    out.into_inner().unwrap_or_default()
}

fn signature_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    manifest_bytes: &[u8],
    policy: &Policy,
    report: &mut Report,
    at: &TrustedAt,
) {
    if !m.signers.iter().any(|s| s.role == Role::Operator) {
        report.fail(
            "signature.operator",
            layout::MANIFEST,
            "the manifest names no operator signature",
        );
    }
    let mut seen = Vec::new();
    for s in &m.signers {
        let (sig_id, id_id) = match s.role {
            Role::Operator => ("signature.operator", "identity.operator"),
            Role::Notary => ("signature.notary", "identity.notary"),
        };
        if seen.contains(&s.role) {
            report.fail(sig_id, layout::MANIFEST, "the same role signs twice");
            continue;
        }
        seen.push(s.role);
        if s.identity != layout::identity_path(s.role)
            || s.public_key != layout::public_key_path(s.role)
            || s.signature != layout::signature_path(s.role)
        {
            report.fail(
                sig_id,
                layout::MANIFEST,
                "signer files are not at their standard paths",
            );
            continue;
        }
        // Identity document and public key.
        let doc = src
            .read_all(&s.identity, policy.limits.max_json)
            .map_err(|e| Why::of(&e))
            .and_then(|b| {
                serde_json::from_slice::<IdentityDoc>(&b)
                    .map_err(|e| Why::of(&e).under("msg-not-identity", "not an identity document"))
            });
        let doc = match doc {
            Ok(d) => d,
            Err(why) => {
                report.fail_why(id_id, s.identity.clone(), why);
                continue;
            }
        };
        let pem = src
            .read_all(&s.public_key, policy.limits.max_json)
            .map_err(|e| Why::of(&e))
            .and_then(|b| String::from_utf8(b).map_err(|_| explain::not_utf8()));
        let pem = match pem {
            Ok(p) => p,
            Err(why) => {
                report.fail_why(id_id, s.public_key.clone(), why);
                continue;
            }
        };
        let key = match PublicKey::from_pem(&pem) {
            Ok(k) => k,
            Err(e) => {
                report.fail_why(id_id, s.public_key.clone(), Why::of(&e));
                continue;
            }
        };
        let fp = match key.fingerprint() {
            Ok(f) => f,
            Err(e) => {
                report.fail_why(id_id, s.public_key.clone(), Why::of(&e));
                continue;
            }
        };
        if pem != doc.public_key
            || fp != doc.fingerprint
            || fp != s.fingerprint
            || doc.role != s.role
            || key.algorithm() != s.algorithm
            || doc.algorithm != s.algorithm
        {
            report.fail(
                id_id,
                s.identity.clone(),
                format!(
                    "identity document, {} and manifest disagree about the {} key",
                    s.public_key,
                    s.role.as_str()
                ),
            );
            report.say(
                Message::new("msg-identity-disagree")
                    .arg("file", &s.public_key)
                    .arg("role", s.role.as_str()),
            );
            continue;
        }
        // The signature.
        let sig = match src.read_all(&s.signature, 64 * 1024) {
            Ok(b) => b,
            Err(e) => {
                report.fail_why(sig_id, s.signature.clone(), Why::of(&e));
                continue;
            }
        };
        match key.verify(manifest_bytes, &sig) {
            Ok(()) => {
                report.pass(
                    sig_id,
                    s.signature.clone(),
                    format!(
                        "{} signature by {} ({}) over {} verifies",
                        s.algorithm.as_str(),
                        doc.name,
                        fp,
                        layout::MANIFEST
                    ),
                );
                report.say(
                    Message::new("msg-signature-ok")
                        .arg("alg", s.algorithm.as_str())
                        .arg("name", &doc.name)
                        .arg("fingerprint", fp),
                );
            }
            Err(e) => {
                report.fail(
                    sig_id,
                    s.signature.clone(),
                    format!("{e}: {} or {} was altered", s.signature, layout::MANIFEST),
                );
                report.say(Message::new("msg-signature-bad").arg("file", &s.signature));
                continue;
            }
        }
        // Trust.
        let trusted = match s.role {
            Role::Operator => &policy.trusted_operators,
            Role::Notary => &policy.trusted_notaries,
        };
        let who = match &doc.organisation {
            Some(o) => format!("{} ({o})", doc.name),
            None => doc.name.clone(),
        };
        let certified = match certificate_check(src, s.role, &doc, policy, at) {
            Some(Ok(c)) => Some(c),
            Some(Err(why)) => {
                report.fail_why(id_id, layout::certificate_path(s.role), why);
                continue;
            }
            None => None,
        };
        if let Some(c) = &certified
            && !role_and_subject_checks(s.role, &doc, c, report)
        {
            continue;
        }
        match certified {
            Some(c) if at.is_trusted() => {
                report.pass(id_id, layout::certificate_path(s.role), c.why.text);
                report.say(c.why.message);
            }
            // The key is trusted as such (a certificate without trusted time adds a name,
            // not an identity).
            _ if trusted.contains(&fp) => {
                report.pass(
                    id_id,
                    s.identity.clone(),
                    format!("{who}: key {fp} is configured as trusted"),
                );
                report.say(
                    Message::new("msg-identity-trusted")
                        .arg("who", &who)
                        .arg("fingerprint", fp),
                );
            }
            Some(c) => {
                report.push(
                    id_id,
                    layout::certificate_path(s.role),
                    Verdict::Untrusted,
                    format!(
                        "{}; but at the package's claimed sealing time only: no trusted time-stamp or log promise covers the final chain head, so the identity is not verified",
                        c.why.text
                    ),
                );
                report.say(Message::new("msg-certified-claimed-time").because(c.why.message));
            }
            // Keys are trusted for this role, and this is none of them: say so, and which
            // keys were expected — never suggest trusting the package's own key.
            None if !trusted.is_empty() => {
                let expected: Vec<String> = trusted.iter().map(|k| k.to_hex()).collect();
                let expected = expected.join(", ");
                report.push(
                    id_id,
                    s.identity.clone(),
                    Verdict::Untrusted,
                    format!(
                        "{who} signed with key {fp}, which is not a key you trust for the {role}: you trust {expected}",
                        role = s.role.as_str()
                    ),
                );
                report.say(
                    Message::new("msg-identity-other-key")
                        .arg("who", &who)
                        .arg("fingerprint", fp)
                        .arg("role", s.role.as_str())
                        .arg("expected", expected),
                );
            }
            None => {
                report.push(
                    id_id,
                    s.identity.clone(),
                    Verdict::Untrusted,
                    format!(
                        "{who}: self-asserted identity; key {fp} is not configured as trusted: trust it only if the {role} gave you this fingerprint by other means (--trust-{role}), or verify with the CA that certified them (--trust-operator-ca)",
                        role = s.role.as_str()
                    ),
                );
                report.say(
                    Message::new("msg-identity-untrusted")
                        .arg("who", &who)
                        .arg("fingerprint", fp)
                        .arg("role", s.role.as_str()),
                );
            }
        }
    }
    // The notary is someone else: a countersignature by the operator's own key is no
    // supervision at all.
    let key_of = |r: Role| {
        m.signers
            .iter()
            .find(|s| s.role == r)
            .map(|s| s.fingerprint)
    };
    if let (Some(op), Some(no)) = (key_of(Role::Operator), key_of(Role::Notary)) {
        if op == no {
            report.fail(
                "identity.distinct",
                layout::MANIFEST,
                format!(
                    "the notary's key is the operator's own ({op}): no independent countersignature"
                ),
            );
            report.say(Message::new("msg-notary-is-operator").arg("fingerprint", op));
        } else {
            report.pass(
                "identity.distinct",
                layout::MANIFEST,
                "the operator and the notary sign with different keys",
            );
        }
    }
}

/// When the signers' certificates are judged: the earliest trusted token over the final chain
/// head, else the trusted log's promise for it, else only the package's own claim.
fn trusted_at(m: &Manifest, time: &[StepTime], promised: Option<u64>) -> TrustedAt {
    let last = m.heads.len().saturating_sub(1) as u64;
    if let Some(t) = time.iter().find(|t| t.seq == last)
        && let (Some(unix), Some(tsa)) = (t.not_after_unix, &t.tsa)
    {
        return TrustedAt::Token {
            unix,
            tsa: tsa.clone(),
        };
    }
    if let Some(p) = promised {
        return TrustedAt::Promise {
            unix: i64::try_from(p).unwrap_or(i64::MAX),
        };
    }
    TrustedAt::Claimed {
        unix: m.sealed.as_offset().unix_timestamp(),
    }
}

/// The time at which signers' certificates are judged.
#[derive(Clone, Debug)]
enum TrustedAt {
    /// The earliest trusted RFC 3161 token over the final chain head.
    Token { unix: i64, tsa: String },
    /// The trusted log's signed promise for the final chain head.
    Promise { unix: i64 },
    /// Only the package's own claim (the capture machine's clock at sealing).
    Claimed { unix: i64 },
}

impl TrustedAt {
    fn unix(&self) -> i64 {
        match self {
            TrustedAt::Token { unix, .. }
            | TrustedAt::Promise { unix, .. }
            | TrustedAt::Claimed { unix } => *unix,
        }
    }

    fn is_trusted(&self) -> bool {
        !matches!(self, TrustedAt::Claimed { .. })
    }

    fn describe(&self) -> String {
        match self {
            TrustedAt::Token { tsa, .. } => format!("at the trusted time {tsa} stamped"),
            TrustedAt::Promise { .. } => {
                "at the time the trusted evidence log promised the final chain head".into()
            }
            TrustedAt::Claimed { .. } => "at the claimed sealing time".into(),
        }
    }
}

/// A certificate a configured CA issued for exactly this key, valid at the time judged.
struct Certified {
    why: Why,
    subject: webproof_timestamp::ca::Subject,
    role: Option<Result<webproof_timestamp::ca::CertRole, webproof_timestamp::ca::CertError>>,
}

/// `identity.role` and `identity.subject` for a signer with a certificate; false when either
/// fails (then the certificate identifies nobody).
fn role_and_subject_checks(
    role: Role,
    doc: &IdentityDoc,
    c: &Certified,
    report: &mut Report,
) -> bool {
    use webproof_timestamp::ca::CertRole;
    let path = layout::certificate_path(role);
    let want = match role {
        Role::Operator => CertRole::Operator,
        Role::Notary => CertRole::Notary,
    };
    let role_ok = match &c.role {
        Some(Ok(r)) if *r == want => {
            report.pass(
                "identity.role",
                path.clone(),
                format!(
                    "certified for the {} role (policy {})",
                    role.as_str(),
                    want.policy_oid()
                ),
            );
            report.say(Message::new("msg-role-ok").arg("role", role.as_str()));
            true
        }
        None if role == Role::Operator => {
            report.pass(
                "identity.role",
                path.clone(),
                "certified before certificates named roles: an operator's certificate",
            );
            true
        }
        Some(Ok(r)) => {
            let r = match r {
                CertRole::Operator => "operator",
                CertRole::Notary => "notary",
            };
            report.fail(
                "identity.role",
                path.clone(),
                format!(
                    "the certificate is for the {r} role, but it is presented for the {}'s signature",
                    role.as_str()
                ),
            );
            report.say(
                Message::new("msg-role-other")
                    .arg("certified", r)
                    .arg("role", role.as_str()),
            );
            false
        }
        None => {
            report.fail(
                "identity.role",
                path.clone(),
                "the certificate names no role, so it is an operator's, but it is presented for the notary's signature",
            );
            false
        }
        Some(Err(e)) => {
            report.fail(
                "identity.role",
                path.clone(),
                format!("the certificate names no webproof role: {e}"),
            );
            report.say(Message::new("msg-role-unknown"));
            false
        }
    };
    let named = |n: &str, o: &Option<String>| match o {
        Some(o) => format!("{n:?} ({o:?})"),
        None => format!("{n:?}"),
    };
    let subject_ok = doc.name == c.subject.name && doc.organisation == c.subject.organisation;
    if subject_ok {
        report.pass(
            "identity.subject",
            path,
            format!(
                "the identity document and the certificate both name {}",
                named(&doc.name, &doc.organisation)
            ),
        );
        report.say(Message::new("msg-subject-ok").arg("who", named(&doc.name, &doc.organisation)));
    } else {
        let (d, cs) = (
            named(&doc.name, &doc.organisation),
            named(&c.subject.name, &c.subject.organisation),
        );
        report.fail(
            "identity.subject",
            path,
            format!("the identity document names {d}, the certificate {cs}"),
        );
        report.say(
            Message::new("msg-subject-differ")
                .arg("document", d)
                .arg("certificate", cs),
        );
    }
    role_ok && subject_ok
}

/// The signer's certificate, if the package carries one: `Some(Ok(..))` when a configured
/// operator CA certifies exactly this key at the time judged (`at`); `Some(Err)` when a
/// configured CA issued it but not for this key or that time; `None` when there is none, or no
/// configured CA issued it (then the key's own trust decides).
fn certificate_check(
    src: &dyn PackageSource,
    role: Role,
    doc: &IdentityDoc,
    policy: &Policy,
    at: &TrustedAt,
) -> Option<Result<Certified, Why>> {
    let path = layout::certificate_path(role);
    src.entry(&path)?;
    if policy.operator_cas.is_empty() {
        return None;
    }
    let check = || -> Result<Option<Certified>, Why> {
        let bytes = src.read_all(&path, 64 << 10).map_err(|e| Why::of(&e))?;
        let cert = webproof_timestamp::ca::parse_cert(&bytes).map_err(|e| Why::of(&e))?;
        let spki = webproof_evidence::identity::PublicKey::from_pem(&doc.public_key)
            .and_then(|k| k.spki_der())
            .map_err(|e| Why::of(&e))?;
        let mut why = None;
        for ca in &policy.operator_cas {
            match webproof_timestamp::ca::check_certified(&cert, ca, &spki, at.unix()) {
                Ok(sub) => {
                    let who = format!(
                        "{}{}",
                        sub.name,
                        sub.organisation
                            .as_ref()
                            .map(|o| format!(" ({o})"))
                            .unwrap_or_default()
                    );
                    let issuer = ca.tbs_certificate().subject().to_string();
                    let text = format!(
                        "{who}, tenant {}: key {} certified by {issuer} (valid {}){}",
                        sub.tenant,
                        doc.fingerprint,
                        at.describe(),
                        sub.id_ref
                            .as_ref()
                            .map(|r| format!("; ID reference {r}"))
                            .unwrap_or_default()
                    );
                    let key = match at {
                        TrustedAt::Token { .. } => "msg-certified",
                        TrustedAt::Promise { .. } => "msg-certified-promise",
                        TrustedAt::Claimed { .. } => "msg-certified-claimed",
                    };
                    let mut message = Message::new(key)
                        .arg("who", who)
                        .arg("tenant", &sub.tenant)
                        .arg("fingerprint", doc.fingerprint)
                        .arg("issuer", issuer);
                    if let TrustedAt::Token { tsa, .. } = at {
                        message = message.arg("tsa", tsa);
                    }
                    return Ok(Some(Certified {
                        why: Why::new(text, message),
                        role: webproof_timestamp::ca::CertRole::of(&cert),
                        subject: sub,
                    }));
                }
                // Another CA's: it identifies nobody to this verifier.
                Err(webproof_timestamp::ca::CertError::OtherCa(_)) => {}
                // A configured CA issued it, but not for this key or time: a false claim.
                Err(e) => why = Some(e),
            }
        }
        match why {
            Some(e) => Err(Why::of(&e).under(
                "msg-certificate-false",
                "the certificate of a configured operator CA does not hold",
            )),
            None => Ok(None),
        }
    };
    check().transpose()
}

fn file_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    hashes: &HashMap<String, HashResult>,
    report: &mut Report,
) {
    let mut sorted = true;
    for w in m.files.windows(2) {
        if w[0].path >= w[1].path {
            sorted = false;
        }
    }
    if !sorted {
        report.fail(
            "manifest.parse",
            layout::MANIFEST,
            "files are not sorted by path without duplicates",
        );
    }
    for f in &m.files {
        if layout::is_outside_manifest(&f.path) {
            report.fail(
                "file.digest",
                f.path.clone(),
                "the manifest cannot list this file",
            );
            continue;
        }
        match hashes.get(&f.path) {
            None => {
                report.fail(
                    "file.digest",
                    f.path.clone(),
                    "listed in the manifest but missing from the package",
                );
            }
            Some(Err(e)) => report.fail_why(
                "file.digest",
                f.path.clone(),
                e.clone().under("msg-cannot-read", "cannot be read"),
            ),
            Some(Ok((d, size))) => {
                let mut wrong = Vec::new();
                if *size != f.size {
                    wrong.push(format!("size is {size}, manifest says {}", f.size));
                }
                if d.sha256 != f.sha256 {
                    wrong.push(format!(
                        "SHA-256 is {}, manifest says {}",
                        d.sha256, f.sha256
                    ));
                }
                if d.sm3 != f.sm3 {
                    wrong.push(format!("SM3 is {}, manifest says {}", d.sm3, f.sm3));
                }
                if wrong.is_empty() {
                    report.pass(
                        "file.digest",
                        f.path.clone(),
                        format!("{} bytes, SHA-256 {}, SM3 {}", size, d.sha256, d.sm3),
                    );
                    report.say(
                        Message::new("msg-file-ok")
                            .arg("size", size)
                            .arg("sha256", d.sha256)
                            .arg("sm3", d.sm3),
                    );
                } else {
                    report.fail(
                        "file.digest",
                        f.path.clone(),
                        format!("altered: {}", wrong.join("; ")),
                    );
                    report.say(
                        Message::new("msg-file-altered")
                            .arg("sha256", d.sha256)
                            .arg("expected", f.sha256),
                    );
                }
            }
        }
    }
    for e in src.entries() {
        if layout::is_outside_manifest(&e.name) {
            let expected = e.name == layout::DATAPACKAGE
                || e.name == layout::DATAPACKAGE_DIGEST
                || e.name == layout::MANIFEST
                || m.signers.iter().any(|s| s.signature == e.name);
            if layout::is_renewal(&e.name) {
                use webproof_evidence::renewal::{self, Part};
                match renewal::classify(&e.name) {
                    None => report.fail(
                        "file.unlisted",
                        e.name.clone(),
                        "not one of the file names a renewal has",
                    ),
                    // Every part belongs to a renewal record that is checked…
                    Some((n, _)) if src.entry(&renewal::json_path(n)).is_none() => report.fail(
                        "file.unlisted",
                        e.name.clone(),
                        "belongs to no renewal record (an orphan nothing checks)",
                    ),
                    // …and a request to the token it asked for (checked against it).
                    Some((n, Part::Request(k)))
                        if src.entry(&renewal::token_path(n, k, "tsr")).is_none() =>
                    {
                        report.fail(
                            "file.unlisted",
                            e.name.clone(),
                            "a time-stamp request with no token beside it (an orphan nothing checks)",
                        )
                    }
                    Some(_) => {}
                }
            } else if layout::is_refresh(&e.name) {
                // Checked as receipt.refresh (its name and number included).
            } else if !expected {
                report.fail(
                    "file.unlisted",
                    e.name.clone(),
                    "a signature file no signer in the manifest names",
                );
            }
        } else if m.file(&e.name).is_none() {
            report.fail(
                "file.unlisted",
                e.name.clone(),
                "in the package but not listed in the signed manifest",
            );
        }
    }
}

/// The seal step (inside the chain that trusted time covers) names who signs; the manifest's
/// signers must be exactly those, so a signature added after sealing — a "notary" who was never
/// there — is caught even when the manifest is re-signed.
fn seal_signers_check(seal: &webproof_evidence::StepRecord, m: &Manifest, report: &mut Report) {
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
            "seal.signers",
            subject,
            format!(
                "the seal step names the manifest's signers: {}",
                signing.join(", ")
            ),
        );
        report.say(Message::new("msg-seal-signers-ok").arg("signers", signing.join(", ")));
    } else {
        report.fail(
            "seal.signers",
            subject,
            format!(
                "the seal step names {} as signers, the manifest {}",
                list_or_none(&recorded),
                list_or_none(&signing)
            ),
        );
        report.say(
            Message::new("msg-seal-signers-differ")
                .arg("recorded", list_or_none(&recorded))
                .arg("signing", list_or_none(&signing)),
        );
    }
}

/// The manifest's own claims — case, tool, sealing time — are those the seal step recorded
/// under trusted time, so re-signing the manifest cannot change them.
fn seal_manifest_check(seal: &webproof_evidence::StepRecord, m: &Manifest, report: &mut Report) {
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
            "seal.manifest",
            subject,
            "the manifest's case, tool and sealing time are those the seal step recorded",
        );
        report.say(Message::new("msg-seal-manifest-ok"));
    } else {
        let fields = differ.join(", ");
        report.fail(
            "seal.manifest",
            subject,
            format!("the manifest's {fields} differ from what the seal step recorded"),
        );
        report.say(Message::new("msg-seal-manifest-differs").arg("fields", fields));
    }
}

/// Every file the manifest lists is a step's artifact — the journal and the time-stamps and
/// receipts over its heads aside — so the final tokens and receipts, which cover the seal
/// step's head, cover its bytes: a file added after them fails here even when the manifest is
/// signed again (a changed one fails `step.artifact`).
fn seal_files_check(records: &[webproof_evidence::StepRecord], m: &Manifest, report: &mut Report) {
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
        report.fail(
            "seal.files",
            f.path.clone(),
            "no step names it, so no time-stamp or receipt covers it: it was added after the seal step",
        );
        report.say(Message::new("msg-seal-file-unnamed"));
    }
    if unbound == 0 {
        report.pass(
            "seal.files",
            layout::MANIFEST,
            format!(
                "each of the {bound} files besides the journal and its proofs is named by a step, so the chain head the final time-stamps and receipts cover binds its bytes"
            ),
        );
        report.say(Message::new("msg-seal-files-ok").arg("count", bound));
    }
}

/// Whether the capture did what it set out to do. Each thing the journal records going wrong
/// is a `FINDING` (the package is intact; a court must still hear it): the environment check of
/// step 0 failed (overridden by the operator or not), a step navigated to no page (a browser
/// error page), the capture was interrupted or resumed, or it holds no evidence besides its
/// own bookkeeping. Otherwise one `PASS`.
fn outcome_checks(records: &[webproof_evidence::StepRecord], report: &mut Report) {
    let at = |seq: u64| format!("{} step {seq}", layout::JOURNAL);
    let before = report.checks.len();
    for r in records {
        match r.kind {
            StepKind::Environment
                if r.params.get("worst").and_then(|w| w.as_str()) == Some("fail") =>
            {
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
                let (detail, m) = match overridden {
                    Some(why) => (
                        format!(
                            "the environment check failed ({failed}) and the operator overrode it: {why}"
                        ),
                        Message::new("msg-outcome-env-overridden")
                            .arg("failed", failed.clone())
                            .arg("why", why),
                    ),
                    None => (
                        format!("the environment check failed ({failed})"),
                        Message::new("msg-outcome-env-failed").arg("failed", failed.clone()),
                    ),
                };
                report.push("capture.outcome", at(r.seq), Verdict::Finding, detail);
                report.say(m);
            }
            StepKind::Interruption => {
                let reason = r
                    .params
                    .get("reason")
                    .and_then(|x| x.as_str())
                    .unwrap_or("no reason recorded");
                report.push(
                    "capture.outcome",
                    at(r.seq),
                    Verdict::Finding,
                    format!("the capture was interrupted: {reason}"),
                );
                report.say(Message::new("msg-outcome-interrupted").arg("reason", reason));
            }
            StepKind::Navigate => {
                let url = r.url.clone().unwrap_or_default();
                let load_error = r.params.get("load_error").and_then(|e| e.as_str());
                let (detail, m) = match load_error {
                    Some(e) => (
                        format!("the navigation reached no web page: {e}"),
                        Message::new("msg-outcome-load-error").arg("error", e),
                    ),
                    None if !(url.starts_with("http://") || url.starts_with("https://")) => (
                        format!("the navigation reached no web page (the browser shows {url})"),
                        Message::new("msg-outcome-no-page").arg("url", url),
                    ),
                    None => continue,
                };
                report.push("capture.outcome", at(r.seq), Verdict::Finding, detail);
                report.say(m);
            }
            _ => {}
        }
    }
    // Evidence: what a step captured, besides the environment report, notes, the network
    // archive's bookkeeping, the recording and the seal itself.
    let evidence = records.iter().any(|r| {
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
    });
    if !evidence {
        report.push(
            "capture.outcome",
            layout::JOURNAL,
            Verdict::Finding,
            "the capture holds no evidence: no step captured a page, a file or a download",
        );
    }
    if report.checks.len() == before {
        report.pass(
            "capture.outcome",
            layout::JOURNAL,
            "the capture did what it set out to do: no failed environment check, no failed step, no interruption",
        );
    }
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "nobody".into()
    } else {
        v.join(", ")
    }
}

/// Checks the journal; returns the chain head after every step when the chain holds.
/// The journal, read within the limits and parsed (every line canonical and linked to the
/// one before), or `None` with the failed `journal.chain` check saying why.
fn read_journal(
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
            report.fail_why("journal.chain", layout::JOURNAL, why);
            return None;
        }
    };
    if !parsed.torn_tail.is_empty() {
        report.fail(
            "journal.chain",
            layout::JOURNAL,
            "ends in an incomplete record",
        );
        return None;
    }
    Some(parsed)
}

/// `journal.chain` passes: `n` records, each linked to the one before.
fn chain_holds(report: &mut Report, n: usize) {
    report.pass(
        "journal.chain",
        layout::JOURNAL,
        format!("{n} records, each canonical and linked to the one before by SHA-256 and SM3"),
    );
    report.say(Message::new("msg-chain-ok").arg("count", n));
}

fn chain_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    policy: &Policy,
    report: &mut Report,
) -> Option<Vec<Digests>> {
    if m.journal.path != layout::JOURNAL {
        report.fail(
            "journal.chain",
            layout::MANIFEST,
            "the journal is not at its standard path",
        );
        return None;
    }
    let parsed = read_journal(src, policy, report)?;
    let n = parsed.records.len();
    if parsed.records.iter().any(|r| r.capture != m.capture) {
        report.fail(
            "journal.chain",
            layout::JOURNAL,
            "records belong to another capture than the manifest's",
        );
        return None;
    }
    chain_holds(report, n);
    // Heads.
    let heads_ok = n as u64 == m.journal.records
        && m.heads.len() == n
        && parsed.heads.last() == Some(&m.journal.head)
        && m.heads
            .iter()
            .zip(parsed.records.iter().zip(&parsed.heads))
            .all(|(s, (r, h))| s.seq == r.seq && s.kind == r.kind && s.head == *h);
    if heads_ok {
        report.pass(
            "journal.heads",
            layout::JOURNAL,
            format!(
                "chain head after every step matches the manifest; final head SHA-256 {} SM3 {}",
                m.journal.head.sha256, m.journal.head.sm3
            ),
        );
        report.say(
            Message::new("msg-heads-ok")
                .arg("sha256", m.journal.head.sha256)
                .arg("sm3", m.journal.head.sm3),
        );
    } else {
        report.fail(
            "journal.heads",
            layout::JOURNAL,
            "the chain heads recomputed from the journal differ from the manifest's",
        );
    }
    match parsed.records.last() {
        Some(r) if r.kind == StepKind::Seal => {
            seal_signers_check(r, m, report);
            seal_manifest_check(r, m, report);
            seal_files_check(&parsed.records, m, report);
            outcome_checks(&parsed.records, report);
        }
        _ => report.fail(
            "journal.heads",
            layout::JOURNAL,
            "the last step is not a seal step",
        ),
    }
    if parsed
        .records
        .iter()
        .rev()
        .skip(1)
        .any(|r| r.kind == StepKind::Seal)
    {
        report.fail(
            "journal.heads",
            layout::JOURNAL,
            "a step follows a seal step",
        );
    }
    // Every artifact a step names is in the package with the same digests.
    for r in &parsed.records {
        for a in &r.artifacts {
            let subject = a.path.clone();
            match m.file(&a.path) {
                Some(f) if f.sha256 == a.sha256 && f.sm3 == a.sm3 && f.size == a.size => {
                    report.pass(
                        "step.artifact",
                        subject,
                        format!(
                            "step {} ({}) produced it with these digests",
                            r.seq,
                            r.kind.as_str()
                        ),
                    );
                    report.say(
                        Message::new("msg-artifact-ok")
                            .arg("seq", r.seq)
                            .arg("kind", r.kind.as_str()),
                    );
                }
                Some(_) => {
                    report.fail(
                        "step.artifact",
                        subject,
                        format!(
                            "step {} journaled other digests than the manifest lists",
                            r.seq
                        ),
                    );
                    report.say(Message::new("msg-artifact-other-digests").arg("seq", r.seq));
                }
                None => {
                    report.fail(
                        "step.artifact",
                        subject,
                        format!("step {} names it but the manifest does not list it", r.seq),
                    );
                    report.say(Message::new("msg-artifact-unlisted").arg("seq", r.seq));
                }
            }
        }
    }
    Some(parsed.heads)
}

fn wacz_checks(
    src: &dyn PackageSource,
    m: Option<&Manifest>,
    hashes: &HashMap<String, HashResult>,
    report: &mut Report,
) {
    // datapackage.json: re-derived from the manifest and the files, byte for byte.
    let dp = src.read_all(layout::DATAPACKAGE, 64 << 20);
    match (&dp, m) {
        (Err(e), _) => report.fail_why("wacz.datapackage", layout::DATAPACKAGE, Why::of(e)),
        (Ok(_), None) => report.fail(
            "wacz.datapackage",
            layout::DATAPACKAGE,
            "cannot be checked without a valid manifest",
        ),
        (Ok(bytes), Some(m)) => {
            let mut resources = Vec::new();
            let mut unreadable = None;
            let files: BTreeMap<&str, u64> = src
                .entries()
                .iter()
                .map(|e| (e.name.as_str(), e.size))
                .collect();
            for (name, size) in files {
                if name == layout::DATAPACKAGE || name == layout::DATAPACKAGE_DIGEST {
                    continue;
                }
                match hashes.get(name) {
                    Some(Ok((d, _))) => resources.push(wacz::Resource::new(name, d.sha256, size)),
                    _ => unreadable = Some(name.to_owned()),
                }
            }
            match (unreadable, wacz::datapackage(m, &resources)) {
                (Some(n), _) => report.fail_why("wacz.datapackage", layout::DATAPACKAGE, Why::new(format!("cannot be checked: {n} is unreadable"), Message::new("msg-unreadable-file").arg("file", n))),
                (None, Err(e)) => report.fail_why("wacz.datapackage", layout::DATAPACKAGE, Why::of(&e)),
                (None, Ok(expected)) if &expected == bytes => {
                    report.pass(
                        "wacz.datapackage",
                        layout::DATAPACKAGE,
                        format!("lists all {} files with their SHA-256 and size (WACZ {})", resources.len(), wacz::WACZ_VERSION),
                    );
                    report.say(Message::new("msg-datapackage-ok").arg("count", resources.len()));
                }
                (None, Ok(_)) => report.fail(
                    "wacz.datapackage",
                    layout::DATAPACKAGE,
                    "differs from the datapackage derived from the manifest and the files (altered, or a file's hash or size changed)",
                ),
            }
        }
    }
    match (src.read_all(layout::DATAPACKAGE_DIGEST, 1 << 20), dp) {
        (Err(e), _) => report.fail_why("wacz.digest", layout::DATAPACKAGE_DIGEST, Why::of(&e)),
        (Ok(_), Err(_)) => report.fail(
            "wacz.digest",
            layout::DATAPACKAGE_DIGEST,
            "datapackage.json is unreadable",
        ),
        (Ok(got), Ok(dp)) => match wacz::datapackage_digest(&dp) {
            Ok(expected) if expected == got => {
                let d = webproof_evidence::digest::sha256(&dp);
                report.pass(
                    "wacz.digest",
                    layout::DATAPACKAGE_DIGEST,
                    format!("SHA-256 of datapackage.json is {d}"),
                );
                report.say(Message::new("msg-wacz-digest-ok").arg("sha256", d));
            }
            _ => report.fail(
                "wacz.digest",
                layout::DATAPACKAGE_DIGEST,
                "does not state the SHA-256 of datapackage.json in the expected form",
            ),
        },
    }
}

/// Convenience for callers that only have a package error.
pub fn describe_package_error(e: &PackageError) -> String {
    e.to_string()
}

/// A token that verifies but does not chain to a trusted TSA, as a message (with the reason,
/// unless it is only that).
fn untrusted_token(tsa: &str, seq: u64, v: &webproof_timestamp::Verification) -> Message {
    let m = Message::new("msg-token-untrusted")
        .arg("tsa", tsa)
        .arg("seq", seq)
        .arg("time", &v.info.gen_time);
    match &v.problem {
        Some(p) if *p != webproof_timestamp::Problem::NoChain => m.because(p.message()),
        _ => m,
    }
}

/// An invalid token, as a message with its reason.
fn invalid_token(v: &webproof_timestamp::Verification) -> Message {
    let m = Message::new("msg-token-invalid");
    match &v.problem {
        Some(p) => m.because(p.message()),
        None => m,
    }
}

/// One time-stamp token of the package, as verified.
struct Stamped {
    file: String,
    seq: u64,
    trusted: bool,
    gen_time: String,
    gen_unix: i64,
    tsa: String,
}

/// Every `timestamps/*.tsr`: the token must stamp the chain head after the step its name
/// gives (SHA-256 or SM3 imprint), answer its request when the request is kept, and verify as
/// of its genTime; then every step gets the earliest trusted time that covers it.
/// Every time-stamp token, and which steps they cover. `pending`: judged before the seal step
/// of a capture whose seal step will be time-stamped, so a step not covered yet is covered by
/// those later time-stamps rather than missing trusted time.
fn timestamp_checks(
    src: &dyn PackageSource,
    heads: &[Digests],
    policy: &Policy,
    pending: bool,
    report: &mut Report,
) {
    use webproof_timestamp::{Expect, HashAlg, Trust, Verdict as TsVerdict};
    let names: Vec<String> = src
        .entries()
        .iter()
        .filter(|e| layout::is_token(&e.name))
        .map(|e| e.name.clone())
        .collect();
    if names.is_empty() {
        // Like a missing receipt: only a verifier that trusts no TSA expects none.
        if pending && policy.trusted_tsa.is_empty() {
            report.push(
                "timestamp.coverage",
                "timestamps/",
                Verdict::Untrusted,
                "no time-stamps yet, and no time-stamp authority is trusted: those over the seal step will not be trusted either",
            );
            report.say(Message::new("msg-time-pending-untrusted"));
        } else if pending {
            report.pass(
                "timestamp.coverage",
                "timestamps/",
                "no time-stamps yet: those over the seal step, requested after this, cover every step",
            );
            report.say(Message::new("msg-time-pending").arg("covered", "—"));
        } else if policy.trusted_tsa.is_empty() {
            report.pass(
                "timestamp.coverage",
                "timestamps/",
                "no RFC 3161 time-stamps: the times in this package are the capture machine's clock only",
            );
        } else {
            report.push(
                "timestamp.coverage",
                "timestamps/",
                Verdict::Untrusted,
                "no RFC 3161 time-stamps, though time-stamp authorities are configured as trusted: the times in this package are the capture machine's clock only",
            );
        }
        return;
    }
    let trust = Trust {
        anchors: policy.trusted_tsa.clone(),
        ..Trust::default()
    };
    let mut stamped = Vec::new();
    for name in names {
        let Some(seq) = layout::timestamp_seq(&name) else {
            report.fail(
                "timestamp.token",
                name,
                "the file name does not say which step it stamps",
            );
            continue;
        };
        let Some(head) = heads.get(seq as usize) else {
            report.fail(
                "timestamp.token",
                name,
                format!("stamps step {seq}, which the journal does not have"),
            );
            report.say(Message::new("msg-token-no-step").arg("seq", seq));
            continue;
        };
        let bytes = match src.read_all(&name, 1 << 20) {
            Ok(b) => b,
            Err(e) => {
                report.fail_why("timestamp.token", name, Why::of(&e));
                continue;
            }
        };
        let token = match webproof_timestamp::parse_response(&bytes)
            .or_else(|_| webproof_timestamp::parse_token(&bytes))
        {
            Ok(t) => t,
            Err(e) => {
                report.fail_why(
                    "timestamp.token",
                    name,
                    Why::of(&e).under("msg-not-token", "not a time-stamp token"),
                );
                continue;
            }
        };
        let alg = token.info.imprint_alg;
        let digest = match alg {
            HashAlg::Sha256 => head.sha256.0.to_vec(),
            HashAlg::Sm3 => head.sm3.0.to_vec(),
            other => {
                report.fail(
                    "timestamp.token",
                    name,
                    format!(
                        "stamps a {} imprint; chain heads are SHA-256 and SM3",
                        other.name()
                    ),
                );
                report.say(Message::new("msg-token-imprint-alg").arg("alg", other.name()));
                continue;
            }
        };
        let mut expect = Expect {
            imprint: Some((alg, digest.clone())),
            nonce: None,
        };
        let tsq = format!("{}.tsq", name.trim_end_matches(".tsr"));
        if let Ok(q) = src.read_all(&tsq, 64 << 10) {
            match webproof_timestamp::Request::from_der(&q) {
                Ok(r) if r.alg == alg && r.imprint == digest => expect.nonce = r.nonce,
                Ok(_) => {
                    report.fail(
                        "timestamp.token",
                        tsq,
                        "the request kept beside the token asks for another imprint",
                    );
                    continue;
                }
                Err(e) => {
                    report.fail_why(
                        "timestamp.token",
                        tsq,
                        Why::of(&e).under("msg-not-request", "not a time-stamp request"),
                    );
                    continue;
                }
            }
        }
        let v = webproof_timestamp::verify(&token, &expect, &trust);
        let tsa = v.signer.clone().unwrap_or_else(|| "unknown signer".into());
        let dev = if tsa.contains(webproof_timestamp::DEV_MARK) {
            "development TSA, "
        } else {
            ""
        };
        let acc = v
            .info
            .accuracy_micros
            .map(|a| format!(" ±{} ms", a as f64 / 1000.0))
            .unwrap_or_default();
        let what = format!(
            "{tsa}: {} imprint of the chain head after step {seq}, genTime {}{acc}",
            alg.name(),
            v.info.gen_time
        );
        match v.verdict {
            TsVerdict::Trusted => {
                report.pass("timestamp.token", name.clone(), format!("{what}; trusted"));
                report.say(
                    Message::new("msg-token-trusted")
                        .arg("tsa", &tsa)
                        .arg("seq", seq)
                        .arg("time", &v.info.gen_time),
                );
            }
            TsVerdict::Untrusted => {
                report.push(
                    "timestamp.token",
                    name.clone(),
                    Verdict::Untrusted,
                    format!("{what}; {dev}not trusted: {}", v.reason),
                );
                report.say(untrusted_token(&tsa, seq, &v));
            }
            TsVerdict::Invalid => {
                report.fail("timestamp.token", name, format!("invalid: {}", v.reason));
                report.say(invalid_token(&v));
                continue;
            }
        }
        stamped.push(Stamped {
            file: name,
            seq,
            trusted: v.verdict == TsVerdict::Trusted,
            gen_time: v.info.gen_time.clone(),
            gen_unix: v.info.gen_time_unix,
            tsa,
        });
    }
    // Coverage: step i existed no later than the earliest trusted genTime of a token over a
    // head at or after i.
    let mut time = Vec::with_capacity(heads.len());
    for i in 0..heads.len() as u64 {
        let best = stamped
            .iter()
            .filter(|t| t.trusted && t.seq >= i)
            .min_by_key(|t| t.gen_unix);
        time.push(StepTime {
            seq: i,
            not_after: best.map(|t| t.gen_time.clone()),
            not_after_unix: best.map(|t| t.gen_unix),
            tsa: best.map(|t| t.tsa.clone()),
            token: best.map(|t| t.file.clone()),
        });
    }
    let mut ranges: Vec<(u64, u64, Option<String>)> = Vec::new();
    for t in &time {
        let label = t
            .not_after
            .as_ref()
            .map(|n| format!("not after {n} ({})", t.tsa.as_deref().unwrap_or("")));
        match ranges.last_mut() {
            Some((_, end, l)) if *l == label && *end + 1 == t.seq => *end = t.seq,
            _ => ranges.push((t.seq, t.seq, label)),
        }
    }
    let detail = ranges
        .iter()
        .map(|(a, b, l)| {
            let steps = if a == b {
                format!("step {a}")
            } else {
                format!("steps {a}-{b}")
            };
            format!(
                "{steps}: {}",
                l.as_deref().unwrap_or("no trusted time-stamp")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let all = time.iter().all(|t| t.not_after.is_some());
    report.push(
        "timestamp.coverage",
        "timestamps/",
        if all || pending {
            Verdict::Pass
        } else {
            Verdict::Untrusted
        },
        if pending && !all {
            format!("{detail}; the time-stamps over the seal step, requested after this, cover the steps without one")
        } else {
            detail
        },
    );
    // The same in words any language can wrap: `0–3 ≤ <time> (<tsa>)`, uncovered steps apart.
    let span = |a: u64, b: u64| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    let covered: Vec<String> = ranges
        .iter()
        .filter(|(_, _, l)| l.is_some())
        .map(|(a, b, _)| {
            let t = time.iter().find(|t| t.seq == *a);
            format!(
                "{} ≤ {} ({})",
                span(*a, *b),
                t.and_then(|t| t.not_after.as_deref()).unwrap_or(""),
                t.and_then(|t| t.tsa.as_deref()).unwrap_or("")
            )
        })
        .collect();
    let uncovered: Vec<String> = ranges
        .iter()
        .filter(|(_, _, l)| l.is_none())
        .map(|(a, b, _)| span(*a, *b))
        .collect();
    report.say(
        Message::new(if all {
            "msg-time-covered"
        } else if pending {
            "msg-time-pending"
        } else {
            "msg-time-partly-covered"
        })
        .arg(
            "covered",
            if covered.is_empty() {
                "—".into()
            } else {
                covered.join("; ")
            },
        )
        .arg("uncovered", uncovered.join(", ")),
    );
    report.time = time;
}

/// Every `renewals/NNN.json`: canonical, of this capture, numbered from 1 without gaps; every
/// file it must cover (§6b) listed with the digest it has now; and its tokens stamp its bytes
/// and verify as of their genTime.
fn renewal_checks(src: &dyn PackageSource, m: &Manifest, policy: &Policy, report: &mut Report) {
    use webproof_evidence::renewal::{self, Part, Renewal};
    use webproof_timestamp::{Expect, Trust, Verdict as TsVerdict};
    let records: Vec<(u32, String)> = src
        .entries()
        .iter()
        .filter_map(|e| match renewal::classify(&e.name) {
            Some((n, Part::Record)) => Some((n, e.name.clone())),
            _ => None,
        })
        .collect();
    for (i, (n, name)) in records.iter().enumerate() {
        if *n != i as u32 + 1 {
            report.fail(
                "renewal.record",
                name.clone(),
                format!("renewal {n} follows renewal {i}: numbers must run from 1 without gaps"),
            );
            report.say(
                Message::new("msg-renewal-gap")
                    .arg("n", n)
                    .arg("previous", i),
            );
            continue;
        }
        let bytes = match src.read_all(name, 64 << 20) {
            Ok(b) => b,
            Err(e) => {
                report.fail_why("renewal.record", name.clone(), Why::of(&e));
                continue;
            }
        };
        let r: Renewal = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => {
                report.fail_why(
                    "renewal.record",
                    name.clone(),
                    Why::of(&e).under("msg-not-renewal", "not a renewal record"),
                );
                continue;
            }
        };
        if r.v != renewal::VERSION
            || r.format != renewal::FORMAT
            || r.n != *n
            || r.capture != m.capture
            || !canonical::is_canonical(&bytes)
        {
            report.fail(
                "renewal.record",
                name.clone(),
                "wrong format, version, number or capture, or not canonical",
            );
            continue;
        }
        let listed: BTreeMap<&str, &str> = r
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.digest.as_str()))
            .collect();
        let mut problems = Vec::new();
        let mut said: Option<Message> = None;
        for e in src.entries() {
            if renewal::must_cover(&e.name, *n) && !listed.contains_key(e.name.as_str()) {
                problems.push(format!("{} is not covered", e.name));
                said.get_or_insert(Message::new("msg-renewal-uncovered").arg("file", &e.name));
            }
        }
        for (path, want) in &listed {
            if src.entry(path).is_none() {
                problems.push(format!("{path} is missing"));
                said.get_or_insert(Message::new("msg-renewal-missing").arg("file", path));
                continue;
            }
            let mut got = Vec::new();
            let read = src.read_with(path, &mut |rd| {
                got = r.alg.digest_reader(rd)?;
                Ok(())
            });
            if read.is_err() || hex::encode(&got) != *want {
                problems.push(format!("{path} changed since the renewal"));
                said.get_or_insert(Message::new("msg-renewal-changed").arg("file", path));
            }
        }
        match said {
            None => {
                report.pass(
                    "renewal.record",
                    name.clone(),
                    format!("covers {} files under {}", r.files.len(), r.alg.as_str()),
                );
                report.say(
                    Message::new("msg-renewal-ok")
                        .arg("count", r.files.len())
                        .arg("alg", r.alg.as_str()),
                );
            }
            Some(first) => {
                report.fail("renewal.record", name.clone(), problems.join("; "));
                report.say(
                    Message::new("msg-renewal-problems")
                        .arg("count", problems.len())
                        .because(first),
                );
            }
        }
        // Its tokens, over the record's bytes.
        let mut anchors = policy.trusted_tsa.clone();
        anchors.dedup();
        let trust = Trust {
            anchors,
            ..Trust::default()
        };
        let mut tokens = 0;
        for e in src.entries() {
            let Some((tn, Part::Token(_))) = renewal::classify(&e.name) else {
                continue;
            };
            if tn != *n {
                continue;
            }
            tokens += 1;
            let token = match src
                .read_all(&e.name, 1 << 20)
                .map_err(|e| Why::of(&e))
                .and_then(|b| {
                    webproof_timestamp::parse_response(&b)
                        .or_else(|_| webproof_timestamp::parse_token(&b))
                        .map_err(|e| Why::of(&e).under("msg-not-token", "not a time-stamp token"))
                }) {
                Ok(t) => t,
                Err(why) => {
                    report.fail_why("renewal.token", e.name.clone(), why);
                    continue;
                }
            };
            let alg = token.info.imprint_alg;
            let mut expect = Expect {
                imprint: Some((alg, alg.digest(&bytes))),
                nonce: None,
            };
            // The request kept beside the token must ask for this very imprint.
            let tsq = format!("{}.tsq", e.name.trim_end_matches(".tsr"));
            if let Ok(q) = src.read_all(&tsq, 64 << 10) {
                match webproof_timestamp::Request::from_der(&q) {
                    Ok(r)
                        if r.alg == alg
                            && Some(&r.imprint) == expect.imprint.as_ref().map(|x| &x.1) =>
                    {
                        expect.nonce = r.nonce
                    }
                    // Both fail; the token is still judged, to say why.
                    Ok(_) => report.fail(
                        "renewal.token",
                        tsq,
                        "the request kept beside the token asks for another imprint",
                    ),
                    Err(err) => report.fail_why(
                        "renewal.token",
                        tsq,
                        Why::of(&err).under("msg-not-request", "not a time-stamp request"),
                    ),
                }
            }
            let v = webproof_timestamp::verify(&token, &expect, &trust);
            let what = format!(
                "{}: renewal {n} existed by {}",
                v.signer.as_deref().unwrap_or("unknown signer"),
                v.info.gen_time
            );
            let tsa = v.signer.as_deref().unwrap_or("unknown signer");
            match v.verdict {
                TsVerdict::Trusted => {
                    report.pass("renewal.token", e.name.clone(), format!("{what}; trusted"));
                    report.say(
                        Message::new("msg-renewal-token-trusted")
                            .arg("tsa", tsa)
                            .arg("n", n)
                            .arg("time", &v.info.gen_time),
                    );
                }
                TsVerdict::Untrusted => {
                    report.push(
                        "renewal.token",
                        e.name.clone(),
                        Verdict::Untrusted,
                        format!("{what}; not trusted: {}", v.reason),
                    );
                    let m = Message::new("msg-renewal-token-untrusted")
                        .arg("tsa", tsa)
                        .arg("n", n)
                        .arg("time", &v.info.gen_time);
                    report.say(match &v.problem {
                        Some(p) => m.because(p.message()),
                        None => m,
                    });
                }
                TsVerdict::Invalid => {
                    report.fail(
                        "renewal.token",
                        e.name.clone(),
                        format!("invalid: {}", v.reason),
                    );
                    report.say(invalid_token(&v));
                }
            }
        }
        if tokens == 0 {
            report.fail(
                "renewal.token",
                name.clone(),
                "a renewal without a time-stamp token proves nothing",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fixed English finding the table translates is one the verifier really writes.
    #[test]
    fn static_messages_match_the_verifiers_texts() {
        let src = [include_str!("lib.rs"), include_str!("receipts.rs")].concat();
        for (english, key) in STATIC_MESSAGES {
            let quoted = format!("\"{english}\"");
            assert!(
                src.matches(&quoted).count() >= 2,
                "{key}: {english:?} is not a text the verifier writes"
            );
        }
    }
}
