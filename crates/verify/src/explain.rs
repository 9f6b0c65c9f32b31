//! The errors a verification meets, as catalogue messages (crates/i18n renders them), so that
//! a finding which quotes an error — a corrupt ZIP, a broken journal line, a receipt whose
//! proof leads elsewhere — reads in the reader's language too. The English text of the error
//! stays the check's `detail`; the message's arguments carry the same values.

use std::fmt::Display;
use std::io;

use webproof_evidence::canonical::CanonicalError;
use webproof_evidence::capture::CaptureError;
use webproof_evidence::container::ContainerError;
use webproof_evidence::identity::{BadSignature, KeyError};
use webproof_evidence::journal::JournalError;
use webproof_evidence::message::Message;
use webproof_evidence::package::PackageError;
use webproof_evidence::record::{ChainError, RecordError};
use webproof_ledger::merkle::ProofError;
use webproof_ledger::note::NoteError;
use webproof_ledger::receipt::ReceiptError;
use webproof_timestamp::ca::CertError;
use webproof_timestamp::{Problem, TspError};

/// An error that can say itself as a catalogue message.
pub trait Explain: Display {
    fn message(&self) -> Message;
}

/// Why a check fails: the English text and its catalogue message.
#[derive(Clone, Debug)]
pub struct Why {
    pub text: String,
    pub message: Message,
}

impl Why {
    pub fn new(text: impl Into<String>, message: Message) -> Why {
        Why {
            text: text.into(),
            message,
        }
    }

    /// An error's own text and message.
    pub fn of(e: &(impl Explain + ?Sized)) -> Why {
        Why {
            text: e.to_string(),
            message: e.message(),
        }
    }

    /// This reason under a finding that quotes it: `english: reason`, and the message `key`
    /// with this one as its cause.
    pub fn under(self, key: &str, english: &str) -> Why {
        Why {
            text: format!("{english}: {}", self.text),
            message: Message::new(key).because(self.message),
        }
    }
}

/// Text that is not UTF-8.
pub fn not_utf8() -> Why {
    Why::new("not UTF-8", Message::new("err-not-utf8"))
}

/// An error webproof did not write (a library's, in English): its text as the argument.
fn other(e: &impl Display) -> Message {
    Message::new("err-other").arg("detail", e)
}

impl Explain for io::Error {
    fn message(&self) -> Message {
        use io::ErrorKind as K;
        match self.kind() {
            K::NotFound => Message::new("err-io-not-found"),
            K::PermissionDenied => Message::new("err-io-permission"),
            K::StorageFull => Message::new("err-io-full"),
            K::ReadOnlyFilesystem => Message::new("err-io-read-only"),
            K::UnexpectedEof => Message::new("err-io-eof"),
            K::AlreadyExists => Message::new("err-io-exists"),
            _ => Message::new("err-io-other").arg("detail", self),
        }
    }
}

impl Explain for serde_json::Error {
    fn message(&self) -> Message {
        use serde_json::error::Category;
        let key = match self.classify() {
            Category::Eof => "err-json-eof",
            Category::Syntax => "err-json-syntax",
            Category::Data => "err-json-data",
            Category::Io => "err-json-io",
        };
        Message::new(key)
            .arg("line", self.line())
            .arg("column", self.column())
            .arg("detail", self)
    }
}

impl Explain for PackageError {
    fn message(&self) -> Message {
        use PackageError as E;
        match self {
            E::Io { path, source } => Message::new("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::NotZip(d) => Message::new("err-pkg-not-zip").arg("detail", d),
            E::Container(c) => c.message(),
            E::UnsafeName { name, reason } => Message::new("err-pkg-unsafe-name")
                .arg("name", name)
                .arg("reason", reason),
            E::Link(n) => Message::new("err-pkg-link").arg("name", n),
            E::NotAFile(n) => Message::new("err-pkg-not-file").arg("name", n),
            E::Duplicate(n) => Message::new("err-pkg-duplicate").arg("name", n),
            E::CaseCollision(a, b) => Message::new("err-pkg-case").arg("a", a).arg("b", b),
            E::TooManyEntries(n) => Message::new("err-pkg-too-many").arg("limit", n),
            E::EntryTooLarge { name, size, limit } => Message::new("err-pkg-entry-large")
                .arg("name", name)
                .arg("size", size)
                .arg("limit", limit),
            E::TotalTooLarge { size, limit } => Message::new("err-pkg-total-large")
                .arg("size", size)
                .arg("limit", limit),
            E::Overrun { name, declared } => Message::new("err-pkg-overrun")
                .arg("name", name)
                .arg("declared", declared),
            E::Missing(n) => Message::new("err-pkg-missing").arg("name", n),
            E::Read { name, reason } => Message::new("err-pkg-read")
                .arg("name", name)
                .arg("reason", reason),
            E::TooLargeToRead { name, limit } => Message::new("err-pkg-too-large-to-read")
                .arg("name", name)
                .arg("limit", limit),
            e => other(e),
        }
    }
}

impl Explain for ContainerError {
    fn message(&self) -> Message {
        use webproof_evidence::container::Fault as F;
        let fault = match &self.fault {
            F::TooShort => Message::new("err-zip-too-short"),
            F::NoEnd => Message::new("err-zip-no-end"),
            F::EndRecord => Message::new("err-zip-end-record"),
            F::Zip64 => Message::new("err-zip-zip64"),
            F::CentralPlace => Message::new("err-zip-central-place"),
            F::CentralEntry(field) => Message::new("err-zip-central-entry").arg("field", field),
            F::CentralTrailing => Message::new("err-zip-central-trailing"),
            F::TooMany(n) => Message::new("err-pkg-too-many").arg("limit", n),
            F::LocalHeader(field) => Message::new("err-zip-local-header").arg("field", field),
            F::Unaccounted => Message::new("err-zip-unaccounted"),
            F::Overrun => Message::new("err-zip-overrun"),
            F::Name(why) => Message::new("err-zip-name").arg("reason", why),
            F::Order => Message::new("err-zip-order"),
        };
        let key = if self.member.is_some() {
            "err-zip-range-member"
        } else {
            "err-zip-range"
        };
        Message::new(key)
            .arg("start", self.start)
            .arg("end", self.end)
            .arg("member", self.member.as_deref().unwrap_or(""))
            .because(fault)
    }
}

impl Explain for ChainError {
    fn message(&self) -> Message {
        use ChainError as E;
        match self {
            E::Sequence { index, found } => Message::new("err-chain-sequence")
                .arg("seq", index)
                .arg("found", found),
            E::Capture {
                seq,
                expected,
                found,
            } => Message::new("err-chain-capture")
                .arg("seq", seq)
                .arg("expected", expected)
                .arg("found", found),
            E::Link {
                seq,
                expected,
                found,
            } => Message::new("err-chain-link")
                .arg("seq", seq)
                .arg("expected", expected)
                .arg("found", found),
            E::Version { seq, found } => Message::new("err-chain-version")
                .arg("seq", seq)
                .arg("found", found),
            E::Time { seq } => Message::new("err-chain-time").arg("seq", seq),
            E::Record { seq, reason } => Message::new("err-chain-record")
                .arg("seq", seq)
                .arg("reason", reason),
            e => other(e),
        }
    }
}

impl Explain for CanonicalError {
    fn message(&self) -> Message {
        Message::new("err-canonical").arg("detail", self)
    }
}

impl Explain for RecordError {
    fn message(&self) -> Message {
        match self {
            RecordError::IntegerTooLarge(n) => Message::new("err-integer-large").arg("value", n),
            e => Message::new("err-canonical").arg("detail", e),
        }
    }
}

impl Explain for JournalError {
    fn message(&self) -> Message {
        use JournalError as E;
        match self {
            E::Io { path, source } => Message::new("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::Locked { path } => Message::new("err-journal-locked").arg("path", path.display()),
            E::Parse { line, reason } => Message::new("err-journal-parse")
                .arg("line", line)
                .arg("reason", reason),
            E::NotCanonical { line } => Message::new("err-journal-canonical").arg("line", line),
            E::LineTooLong { line } => Message::new("err-journal-long").arg("line", line),
            E::Chain { line, source } => Message::new("err-journal-line")
                .arg("line", line)
                .because(source.message()),
            E::Record(r) => r.message(),
            e => other(e),
        }
    }
}

impl Explain for crate::VerifyError {
    fn message(&self) -> Message {
        match self {
            crate::VerifyError::NotFound { path, source } => Message::new("err-file")
                .arg("path", path)
                .because(source.message()),
        }
    }
}

impl Explain for CaptureError {
    fn message(&self) -> Message {
        use CaptureError as E;
        match self {
            E::Io { path, source } => Message::new("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::Journal(j) => j.message(),
            E::Package(p) => p.message(),
            E::Key(k) => k.message(),
            E::Encode(d) => Message::new("err-encode").arg("detail", d),
            E::Exists(p) => Message::new("err-capture-exists").arg("path", p.display()),
            E::Sealed => Message::new("err-capture-sealed"),
            E::IdentityMismatch => Message::new("err-identity-mismatch"),
            E::SealedForOthers => Message::new("err-sealed-for-others"),
            e => other(e),
        }
    }
}

impl Explain for KeyError {
    fn message(&self) -> Message {
        use KeyError as E;
        match self {
            E::UnknownAlgorithm(a) => Message::new("err-key-algorithm").arg("alg", a),
            E::Random(d) => Message::new("err-key-random").arg("detail", d),
            E::Encrypt(d) => Message::new("err-key-encrypt").arg("detail", d),
            E::Decrypt(d) => Message::new("err-key-decrypt").arg("detail", d),
            E::PublicKey(d) => Message::new("err-key-public").arg("detail", d),
            E::Sign(d) => Message::new("err-key-sign").arg("detail", d),
            e => other(e),
        }
    }
}

impl Explain for BadSignature {
    fn message(&self) -> Message {
        Message::new("err-bad-signature").arg("detail", &self.0)
    }
}

impl Explain for ProofError {
    fn message(&self) -> Message {
        use ProofError as E;
        match self {
            E::IndexOutOfRange { index, size } => Message::new("err-proof-index")
                .arg("index", index)
                .arg("size", size),
            E::WrongLength => Message::new("err-proof-length"),
            E::RootMismatch => Message::new("err-proof-root"),
            E::Shrunk { size1, size2 } => Message::new("err-proof-shrunk")
                .arg("size1", size1)
                .arg("size2", size2),
            E::EmptyFirst => Message::new("err-proof-empty"),
            e => other(e),
        }
    }
}

impl Explain for NoteError {
    fn message(&self) -> Message {
        use NoteError as E;
        match self {
            E::Malformed(d) => Message::new("err-note-malformed").arg("detail", d),
            E::Checkpoint(d) => Message::new("err-note-checkpoint").arg("detail", d),
            E::KeyName(n) => Message::new("err-note-key-name").arg("name", n),
            E::BadSignature(n) => Message::new("err-note-signature").arg("name", n),
            E::Unsigned => Message::new("err-note-unsigned"),
            e => other(e),
        }
    }
}

impl Explain for ReceiptError {
    fn message(&self) -> Message {
        use ReceiptError as E;
        match self {
            E::Malformed(d) => Message::new("err-receipt-malformed").arg("detail", d),
            E::Entry(d) => Message::new("err-receipt-entry").arg("detail", d.to_string()),
            E::LabelCommitment => Message::new("err-receipt-entry")
                .arg("detail", "the private label does not open its commitment"),
            E::LogKey(d) => Message::new("err-receipt-log-key").arg("detail", d),
            E::Promise(d) => Message::new("err-receipt-promise").arg("detail", d),
            E::Checkpoint(d) => Message::new("err-receipt-checkpoint").arg("detail", d),
            E::Inclusion(p) => Message::new("err-receipt-inclusion").because(p.message()),
            E::Consistency { size, err } => Message::new("err-receipt-consistency")
                .arg("size", size)
                .because(err.message()),
            E::NoConsistency(n) => Message::new("err-receipt-no-consistency").arg("size", n),
            E::Witness(name, e) => Message::new("err-receipt-witness")
                .arg("name", name)
                .because(e.message()),
            E::TooFewWitnesses { got, need } => Message::new("err-receipt-witnesses")
                .arg("got", got)
                .arg("need", need),
            e => other(e),
        }
    }
}

impl Explain for TspError {
    fn message(&self) -> Message {
        use TspError as E;
        match self {
            E::Malformed { what, detail } => Message::new("err-tsp-malformed")
                .arg("what", what)
                .arg("detail", detail),
            E::Rejected {
                status,
                text,
                failures,
            } => Message::new("err-tsp-rejected")
                .arg("status", status)
                .arg("detail", format!("{text}{failures}")),
            e => other(e),
        }
    }
}

impl Explain for CertError {
    fn message(&self) -> Message {
        match self {
            CertError::OtherKey => Message::new("err-cert-other-key"),
            CertError::NotValidAt => Message::new("err-cert-not-valid"),
            CertError::OtherCa(d) | CertError::Invalid(d) => {
                Message::new("err-cert-invalid").arg("detail", d)
            }
            CertError::NoRole | CertError::Signature(_) => {
                Message::new("err-cert-invalid").arg("detail", self.to_string())
            }
        }
    }
}

impl Explain for Problem {
    fn message(&self) -> Message {
        use Problem as P;
        match self {
            P::ImprintAlg { found, expected } => Message::new("err-ts-imprint-alg")
                .arg("found", found)
                .arg("expected", expected),
            P::Imprint { found, expected } => Message::new("err-ts-imprint")
                .arg("found", found)
                .arg("expected", expected),
            P::Nonce { found, expected } => Message::new("err-ts-nonce")
                .arg("found", found)
                .arg("expected", expected),
            P::SignerCount { count } => Message::new("err-ts-signers").arg("count", count),
            P::NoSigningCertificate => Message::new("err-ts-no-cert"),
            P::NotPinned { subject, pinned } => Message::new("err-ts-not-pinned")
                .arg("subject", subject)
                .arg("pinned", pinned),
            P::NoSignedAttributes => Message::new("err-ts-no-signed-attrs"),
            P::NoAttribute { attribute } => {
                Message::new("err-ts-no-attr").arg("attribute", attribute)
            }
            P::MalformedAttribute { attribute } => {
                Message::new("err-ts-bad-attr").arg("attribute", attribute)
            }
            P::ContentType { found } => Message::new("err-ts-content-type").arg("found", found),
            P::UnsupportedDigest { oid } => Message::new("err-ts-digest").arg("oid", oid),
            P::ContentChanged => Message::new("err-ts-content-changed"),
            P::EssMismatch { attribute } => {
                Message::new("err-ts-ess-mismatch").arg("attribute", attribute)
            }
            P::IssuerSerial => Message::new("err-ts-issuer-serial"),
            P::NoEss => Message::new("err-ts-no-ess"),
            P::Encoding { detail } => Message::new("err-ts-encoding").arg("detail", detail),
            P::SignedAttributesEncoding => Message::new("err-ts-signed-attrs-encoding"),
            P::Signature { detail } => Message::new("err-ts-signature").arg("detail", detail),
            P::NoEku => Message::new("err-ts-no-eku"),
            P::MalformedEku { detail } => Message::new("err-ts-bad-eku").arg("detail", detail),
            P::Eku => Message::new("err-ts-eku"),
            P::NotValidAt { subject, at } => Message::new("err-ts-not-valid-at")
                .arg("subject", subject)
                .arg("at", at),
            P::NoAnchor { subject, issuer } => Message::new("err-ts-no-anchor")
                .arg("subject", subject)
                .arg("issuer", issuer),
            P::NotCa { subject } => Message::new("err-ts-not-ca").arg("subject", subject),
            P::ChainTooLong => Message::new("err-ts-chain-long"),
            P::NoChain => Message::new("err-ts-no-chain"),
            p => other(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_errors_keep_their_causes() {
        let e = JournalError::Chain {
            line: 3,
            source: ChainError::Time { seq: 2 },
        };
        let m = e.message();
        assert_eq!(m.key, "err-journal-line");
        assert_eq!(m.args["line"], "3");
        assert_eq!(
            m.cause.as_deref().map(|c| c.key.as_str()),
            Some("err-chain-time")
        );
        let io = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(io.message().key, "err-io-not-found");
        let why = Why::of(&PackageError::Missing("a.png".into()))
            .under("msg-cannot-read", "cannot be read");
        assert_eq!(
            why.text,
            "cannot be read: entry \"a.png\" not found in the package"
        );
        assert_eq!(why.message.key, "msg-cannot-read");
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(json.message().key, "err-json-eof");
    }
}
