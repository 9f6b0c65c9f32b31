//! Step records and the hash chain that links them.
//!
//! A capture is a sequence of step records. Each record names the digests of the record
//! before it (`prev`), and its own digests are SHA-256 and SM3 over its RFC 8785 bytes. The
//! digests of the last record are the *chain head*: what gets timestamped and deposited.

use serde::{Deserialize, Serialize};
use webproof_message::{Explain, Message, msg};

use crate::canonical::{self, CanonicalError, MAX_SAFE_INTEGER};
use crate::digest::{Digests, digest_bytes};
use crate::utc::Utc;

/// Version of the step-record format (see docs/evidence-package.md).
pub const RECORD_VERSION: u32 = 1;

/// The text of the note webproof journals when its browser session starts (with the
/// browser's description as parameters); readers may say it in their language.
pub const BROWSER_STARTED_NOTE: &str = "browser session started";

/// What a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Environment,
    Navigate,
    Click,
    Input,
    Scroll,
    Wait,
    Screenshot,
    Snapshot,
    Download,
    /// A tab opened, shown or closed (manual mode).
    Tab,
    NetworkArchive,
    VideoSegment,
    File,
    Note,
    Seal,
    Interruption,
    /// A supervising notary's signed statement, joined into the chain (docs/supervision.md):
    /// present, a countersigned checkpoint, or a refusal.
    Supervision,
}

impl StepKind {
    /// Every kind, in declaration order.
    pub const ALL: [StepKind; 17] = [
        StepKind::Environment,
        StepKind::Navigate,
        StepKind::Click,
        StepKind::Input,
        StepKind::Scroll,
        StepKind::Wait,
        StepKind::Screenshot,
        StepKind::Snapshot,
        StepKind::Download,
        StepKind::Tab,
        StepKind::NetworkArchive,
        StepKind::VideoSegment,
        StepKind::File,
        StepKind::Note,
        StepKind::Seal,
        StepKind::Interruption,
        StepKind::Supervision,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            StepKind::Environment => "environment",
            StepKind::Navigate => "navigate",
            StepKind::Click => "click",
            StepKind::Input => "input",
            StepKind::Scroll => "scroll",
            StepKind::Wait => "wait",
            StepKind::Screenshot => "screenshot",
            StepKind::Snapshot => "snapshot",
            StepKind::Download => "download",
            StepKind::Tab => "tab",
            StepKind::NetworkArchive => "network-archive",
            StepKind::VideoSegment => "video-segment",
            StepKind::File => "file",
            StepKind::Note => "note",
            StepKind::Seal => "seal",
            StepKind::Interruption => "interruption",
            StepKind::Supervision => "supervision",
        }
    }
}

/// One file a step produced, by its path inside the package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub path: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: crate::digest::Hash32,
    pub sm3: crate::digest::Hash32,
}

impl Artifact {
    pub fn digests(&self) -> Digests {
        Digests {
            sha256: self.sha256,
            sm3: self.sm3,
        }
    }
}

/// One step of a capture, exactly as journaled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    /// Record format version.
    pub v: u32,
    /// The capture this step belongs to (a UUID).
    pub capture: String,
    /// 0, 1, 2, … without gaps.
    pub seq: u64,
    pub kind: StepKind,
    pub started: Utc,
    pub ended: Utc,
    /// The page URL the step acted on, if any.
    pub url: Option<String>,
    /// Kind-specific parameters (selector, typed text, note, …). An object.
    pub params: serde_json::Map<String, serde_json::Value>,
    pub artifacts: Vec<Artifact>,
    /// Digests of the previous record; `null` for the first.
    pub prev: Option<Digests>,
}

/// A record that cannot be part of a chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error("integer {0} is too large for an exact JSON number (limit 2^53-1)")]
    IntegerTooLarge(u64),
}

impl StepRecord {
    /// The RFC 8785 bytes of this record: what its digests are computed over, and exactly the
    /// line written to the journal.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, RecordError> {
        for n in std::iter::once(self.seq).chain(self.artifacts.iter().map(|a| a.size)) {
            if n > MAX_SAFE_INTEGER {
                return Err(RecordError::IntegerTooLarge(n));
            }
        }
        Ok(canonical::to_jcs(self)?)
    }

    /// SHA-256 and SM3 over [`Self::canonical_bytes`].
    pub fn digests(&self) -> Result<Digests, RecordError> {
        Ok(digest_bytes(&self.canonical_bytes()?))
    }
}

/// Why a sequence of records is not a valid chain.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    #[error("step {index}: sequence number is {found}, expected {index}")]
    Sequence { index: u64, found: u64 },
    #[error("step {seq}: belongs to capture {found}, expected {expected}")]
    Capture {
        seq: u64,
        expected: String,
        found: String,
    },
    #[error("step {seq}: prev is {found}, but the previous record's digests are {expected}")]
    Link {
        seq: u64,
        expected: String,
        found: String,
    },
    #[error("step {seq}: record format version {found} is not supported")]
    Version { seq: u64, found: u32 },
    #[error("step {seq}: ends before it starts")]
    Time { seq: u64 },
    #[error("step {seq}: {reason}")]
    Record { seq: u64, reason: String },
}

/// Folds records into a chain one at a time, checking each link.
#[derive(Clone, Debug, Default)]
pub struct ChainBuilder {
    capture: Option<String>,
    next_seq: u64,
    head: Option<Digests>,
}

impl ChainBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The digests of the last record accepted (`None` before the first).
    pub fn head(&self) -> Option<Digests> {
        self.head
    }

    /// The sequence number the next record must carry.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Checks that `record` extends the chain, then makes it the new head. Returns its digests.
    pub fn push(&mut self, record: &StepRecord) -> Result<Digests, ChainError> {
        let seq = record.seq;
        if record.v != RECORD_VERSION {
            return Err(ChainError::Version {
                seq,
                found: record.v,
            });
        }
        if seq != self.next_seq {
            return Err(ChainError::Sequence {
                index: self.next_seq,
                found: seq,
            });
        }
        match &self.capture {
            Some(c) if *c != record.capture => {
                return Err(ChainError::Capture {
                    seq,
                    expected: c.clone(),
                    found: record.capture.clone(),
                });
            }
            _ => {}
        }
        if record.prev != self.head {
            return Err(ChainError::Link {
                seq,
                expected: fmt_link(self.head),
                found: fmt_link(record.prev),
            });
        }
        if record.ended < record.started {
            return Err(ChainError::Time { seq });
        }
        let d = record.digests().map_err(|e| ChainError::Record {
            seq,
            reason: e.to_string(),
        })?;
        self.capture = Some(record.capture.clone());
        self.next_seq += 1;
        self.head = Some(d);
        Ok(d)
    }
}

fn fmt_link(d: Option<Digests>) -> String {
    match d {
        None => "null".into(),
        Some(d) => format!("sha256:{} sm3:{}", d.sha256, d.sm3),
    }
}

impl Explain for ChainError {
    fn message(&self) -> Message {
        use ChainError as E;
        match self {
            E::Sequence { index, found } => msg!("err-chain-sequence")
                .arg("seq", index)
                .arg("found", found),
            E::Capture {
                seq,
                expected,
                found,
            } => msg!("err-chain-capture")
                .arg("seq", seq)
                .arg("expected", expected)
                .arg("found", found),
            E::Link {
                seq,
                expected,
                found,
            } => msg!("err-chain-link")
                .arg("seq", seq)
                .arg("expected", expected)
                .arg("found", found),
            E::Version { seq, found } => msg!("err-chain-version")
                .arg("seq", seq)
                .arg("found", found),
            E::Time { seq } => msg!("err-chain-time").arg("seq", seq),
            E::Record { seq, reason } => msg!("err-chain-record")
                .arg("seq", seq)
                .arg("reason", reason),
        }
    }
}

impl Explain for RecordError {
    fn message(&self) -> Message {
        match self {
            RecordError::IntegerTooLarge(n) => msg!("err-integer-large").arg("value", n),
            RecordError::Canonical(c) => c.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64, prev: Option<Digests>) -> StepRecord {
        StepRecord {
            v: RECORD_VERSION,
            capture: "c1".into(),
            seq,
            kind: StepKind::Note,
            started: Utc::parse("2026-01-01T00:00:00.000000Z").unwrap(),
            ended: Utc::parse("2026-01-01T00:00:01.500000Z").unwrap(),
            url: None,
            params: serde_json::Map::new(),
            artifacts: vec![],
            prev,
        }
    }

    #[test]
    fn chain_links_and_rejects_breaks() {
        let mut b = ChainBuilder::new();
        let d0 = b.push(&rec(0, None)).unwrap();
        let d1 = b.push(&rec(1, Some(d0))).unwrap();
        assert_eq!(b.head(), Some(d1));
        // wrong link
        let mut bad = rec(2, Some(d0));
        assert!(matches!(b.clone().push(&bad), Err(ChainError::Link { .. })));
        // wrong sequence
        bad = rec(3, Some(d1));
        assert!(matches!(
            b.clone().push(&bad),
            Err(ChainError::Sequence { .. })
        ));
        // other capture
        bad = rec(2, Some(d1));
        bad.capture = "c2".into();
        assert!(matches!(
            b.clone().push(&bad),
            Err(ChainError::Capture { .. })
        ));
        // time running backwards
        bad = rec(2, Some(d1));
        std::mem::swap(&mut bad.started, &mut bad.ended);
        assert!(matches!(b.clone().push(&bad), Err(ChainError::Time { .. })));
        b.push(&rec(2, Some(d1))).unwrap();
    }

    #[test]
    fn canonical_form_is_stable() {
        let r = rec(0, None);
        let bytes = String::from_utf8(r.canonical_bytes().unwrap()).unwrap();
        assert_eq!(
            bytes,
            r#"{"artifacts":[],"capture":"c1","ended":"2026-01-01T00:00:01.500000Z","kind":"note","params":{},"prev":null,"seq":0,"started":"2026-01-01T00:00:00.000000Z","url":null,"v":1}"#
        );
        let back: StepRecord = serde_json::from_str(&bytes).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn huge_integers_are_refused() {
        let mut r = rec(0, None);
        r.seq = MAX_SAFE_INTEGER + 1;
        assert!(matches!(
            r.canonical_bytes(),
            Err(RecordError::IntegerTooLarge(_))
        ));
    }
}
