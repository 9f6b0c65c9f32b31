//! What a verification says: each check's identifier, verdict and reason (in English and as a
//! catalogue message, made together), and the report that collects them.

use std::fmt;

use serde::{Deserialize, Serialize};
use webproof_evidence::digest::Digests;
use webproof_message::Message;

use crate::explain::Why;

/// Declares the checks: each variant with its stable identifier (docs/evidence-package.md §7
/// says what each checks; the catalogue names it as `check-<family>-<name>`).
macro_rules! checks {
    ($($(#[doc = $doc:literal])* $v:ident = $id:literal,)*) => {
        /// A check's identity. Its string form is stable: reports, `verify --json`, the
        /// catalogue and the docs use it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum CheckId {
            $($(#[doc = $doc])* #[serde(rename = $id)] $v,)*
        }

        impl CheckId {
            /// Every check, in the order of the docs' table.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$v,)*];

            /// The stable identifier, e.g. `file.digest`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$v => $id,)*
                }
            }
        }
    };
}

checks! {
    /// The ZIP file is in the one form webproof writes.
    PackageContainer = "package.container",
    /// The package is safe to read: names, links, duplicates, sizes.
    PackageStructure = "package.structure",
    /// The manifest is present and readable.
    ManifestRead = "manifest.read",
    /// The manifest is of a known version, canonical, its files sorted.
    ManifestParse = "manifest.parse",
    /// A revoked operator's key was valid when the package was deposited.
    IdentityRevocation = "identity.revocation",
    /// The operator's signature over the manifest.
    SignatureOperator = "signature.operator",
    /// The notary's signature over the manifest.
    SignatureNotary = "signature.notary",
    /// Who the operator is: certified or trusted key.
    IdentityOperator = "identity.operator",
    /// Who the notary is: certified or trusted key.
    IdentityNotary = "identity.notary",
    /// A certificate's role is the signer's.
    IdentityRole = "identity.role",
    /// The identity document names whom the certificate names.
    IdentitySubject = "identity.subject",
    /// The notary's key is not the operator's.
    IdentityDistinct = "identity.distinct",
    /// The seal step names the manifest's signers.
    SealSigners = "seal.signers",
    /// The manifest's case, tool and time are the seal step's.
    SealManifest = "seal.manifest",
    /// Every listed file is named by a step.
    SealFiles = "seal.files",
    /// A listed file has its size, SHA-256 and SM3.
    FileDigest = "file.digest",
    /// Nothing is in the package that nothing checks.
    FileUnlisted = "file.unlisted",
    /// The journal's records, canonical and linked.
    JournalChain = "journal.chain",
    /// The chain heads are the manifest's; the seal step is last.
    JournalHeads = "journal.heads",
    /// Whether the capture did what it set out to do.
    CaptureOutcome = "capture.outcome",
    /// A step's artifact is listed with the same digests.
    StepArtifact = "step.artifact",
    /// One RFC 3161 token over a chain head.
    TimestampToken = "timestamp.token",
    /// Which trusted time covers which steps.
    TimestampCoverage = "timestamp.coverage",
    /// One renewal record.
    RenewalRecord = "renewal.record",
    /// One renewal's token.
    RenewalToken = "renewal.token",
    /// One review statement names this package's manifest, by a notary not the operator.
    ReviewRecord = "review.record",
    /// The reviewer's signature over the review statement.
    ReviewSignature = "review.signature",
    /// Who the reviewer is: certified notary or trusted key.
    ReviewIdentity = "review.identity",
    /// One RFC 3161 token over a reviewer's signature.
    ReviewToken = "review.token",
    /// Countersigned after review, and by when.
    ReviewTime = "review.time",
    /// One evidence-log receipt.
    ReceiptDeposit = "receipt.deposit",
    /// One receipt refresh.
    ReceiptRefresh = "receipt.refresh",
    /// The final chain head is in a witnessed log.
    ReceiptCoverage = "receipt.coverage",
    /// One supervising notary's signed statement in the chain.
    SupervisionStatement = "supervision.statement",
    /// Supervised live, countersigned, or refused.
    SupervisionLive = "supervision.live",
    /// Step 0's witnessed checkpoint: the session's "not before".
    ReceiptNotBefore = "receipt.not_before",
    /// datapackage.json is what the manifest and files derive.
    WaczDatapackage = "wacz.datapackage",
    /// datapackage-digest.json states datapackage.json's digest.
    WaczDigest = "wacz.digest",
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<CheckId> for &str {
    fn eq(&self, other: &CheckId) -> bool {
        *self == other.as_str()
    }
}

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
    /// Which check (its stable identifier, e.g. `file.digest`, is what JSON shows).
    pub id: CheckId,
    /// The file, step or signer the check is about.
    pub subject: String,
    pub verdict: Verdict,
    /// What was found, in English.
    pub detail: String,
    /// The same as a catalogue message (key and arguments), for reading it in another
    /// language: made with the finding, never looked up afterwards.
    pub message: Message,
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

    pub(crate) fn push(
        &mut self,
        id: CheckId,
        subject: impl Into<String>,
        verdict: Verdict,
        why: Why,
    ) {
        self.checks.push(Check {
            id,
            subject: subject.into(),
            verdict,
            detail: why.text,
            message: why.message,
        });
    }

    pub(crate) fn pass(&mut self, id: CheckId, subject: impl Into<String>, why: Why) {
        self.push(id, subject, Verdict::Pass, why);
    }

    pub(crate) fn fail(&mut self, id: CheckId, subject: impl Into<String>, why: Why) {
        self.push(id, subject, Verdict::Fail, why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_id_equals_its_string_form_from_either_side_and_no_other() {
        let id = CheckId::FileDigest;
        assert!(id == *"file.digest");
        assert!(id != *"file.unlisted");
        assert!(id == "file.digest");
        assert!(id != "file.unlisted");
        assert!("file.digest" == id);
        assert!("file.unlisted" != id);
    }

    #[test]
    fn verdicts_say_themselves_as_json_and_text_do() {
        let all = [
            (Verdict::Pass, "PASS"),
            (Verdict::Untrusted, "UNTRUSTED"),
            (Verdict::Finding, "FINDING"),
            (Verdict::Fail, "FAIL"),
        ];
        for (v, s) in all {
            assert_eq!(v.as_str(), s);
        }
    }
}
