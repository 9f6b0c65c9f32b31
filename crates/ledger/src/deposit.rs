//! What a deposit in the evidence log says (RFC 8785 JSON, the bytes the Merkle leaf hashes):
//! the chain head of a capture (SHA-256 and SM3), the package id, the operator's key
//! fingerprint, the client's claimed time, an optional short label, and the digests of the
//! files the capture recorded (so that a log answers "was this exact file deposited?").

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub const DEPOSIT_VERSION: u32 = 1;

/// The most files one deposit names (a depositor carries the rest to its next deposit).
pub const MAX_DEPOSIT_FILES: usize = 4096;

/// A file a capture recorded, named in a deposit by its digests only — never its name or
/// content — and the journal step that recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositFile {
    /// The step (`seq`) whose record lists the file as an artifact.
    pub seq: u64,
    /// The file's SHA-256 (hex).
    pub sha256: String,
    /// The file's SM3 (hex).
    pub sm3: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deposit {
    pub v: u32,
    /// Chain head, SHA-256 (hex).
    pub sha256: String,
    /// Chain head, SM3 (hex).
    pub sm3: String,
    /// Capture / package id.
    pub package: String,
    /// SHA-256 of the operator's SubjectPublicKeyInfo (hex).
    pub operator: String,
    /// The client's clock, RFC 3339 (a claim; the log's checkpoints give the trusted order).
    pub claimed_time: String,
    /// A short label in clear (public: anyone reading the log sees it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A private label: only its commitment ([`label_commitment`]) is in the log; the label
    /// and salt travel beside the deposit to the log, which shows them only to the depositor's
    /// tenant, and stay in the package's receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_commitment: Option<String>,
    /// The files the capture recorded since its previous deposit (of steps up to this chain
    /// head's), by digest, at most [`MAX_DEPOSIT_FILES`]. Empty — and then absent, so the
    /// bytes are those of a deposit before files were named — when the tenant keeps file
    /// digests out of the log (a privacy choice) or no file was recorded since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<DepositFile>,
}

/// The commitment to a private label: hex SHA-256 of `webproof-label/v1`, a zero byte, the
/// 16-byte salt and the label's UTF-8.
pub fn label_commitment(label: &str, salt: &[u8; 16]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"webproof-label/v1\0");
    h.update(salt);
    h.update(label.as_bytes());
    hex::encode(h.finalize())
}

/// Why bytes are not a deposit the log takes. (Not `PartialEq`: it keeps serde_json's error,
/// which is not.)
#[derive(Debug, Clone, thiserror::Error)]
pub enum DepositError {
    #[error("not a deposit: {0}")]
    NotJson(#[source] Arc<serde_json::Error>),
    #[error("unknown deposit version {0}")]
    Version(u32),
    #[error("sha256, sm3 and operator are 64 lowercase hex digits")]
    Digests,
    #[error("package id is 1 to 128 bytes")]
    Package,
    #[error("claimed_time is too long")]
    ClaimedTime,
    #[error("label is at most 64 characters")]
    Label,
    #[error("label_commitment is 64 lowercase hex digits")]
    Commitment,
    #[error(
        "files: at most {MAX_DEPOSIT_FILES}, each with sha256 and sm3 of 64 lowercase hex digits"
    )]
    Files,
    #[error("not in canonical (RFC 8785) form")]
    NotCanonical,
    #[error("cannot be written as canonical JSON: {0}")]
    Canonical(#[source] Arc<serde_json::Error>),
}

fn hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Deposit {
    /// Reads a deposit; it must be canonical (RFC 8785) and well-formed.
    pub fn parse(bytes: &[u8]) -> Result<Deposit, DepositError> {
        let d: Deposit =
            serde_json::from_slice(bytes).map_err(|e| DepositError::NotJson(Arc::new(e)))?;
        d.validate()?;
        if d.to_bytes()? != bytes {
            return Err(DepositError::NotCanonical);
        }
        Ok(d)
    }

    pub fn validate(&self) -> Result<(), DepositError> {
        if self.v != DEPOSIT_VERSION {
            return Err(DepositError::Version(self.v));
        }
        if !hex64(&self.sha256) || !hex64(&self.sm3) || !hex64(&self.operator) {
            return Err(DepositError::Digests);
        }
        if self.package.is_empty() || self.package.len() > 128 {
            return Err(DepositError::Package);
        }
        if self.claimed_time.len() > 40 {
            return Err(DepositError::ClaimedTime);
        }
        if self.label.as_ref().is_some_and(|l| l.chars().count() > 64) {
            return Err(DepositError::Label);
        }
        if self.label_commitment.as_ref().is_some_and(|c| !hex64(c)) {
            return Err(DepositError::Commitment);
        }
        if self.files.len() > MAX_DEPOSIT_FILES
            || self
                .files
                .iter()
                .any(|f| !hex64(&f.sha256) || !hex64(&f.sm3))
        {
            return Err(DepositError::Files);
        }
        Ok(())
    }

    /// The canonical bytes (what is deposited and hashed).
    pub fn to_bytes(&self) -> Result<Vec<u8>, DepositError> {
        serde_json_canonicalizer::to_vec(self).map_err(|e| DepositError::Canonical(Arc::new(e)))
    }
}

/// An administrative action of the log's registration authority, appended to the log like a
/// deposit (so it is witnessed too): adding a registrar, issuing an enrollment code,
/// enrolling an operator, revoking one. It names keys by fingerprint and codes by their
/// SHA-256 only, never a person's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminEntry {
    pub v: u32,
    /// `registrar-add`, `code-issue`, `enroll` or `revoke`.
    pub admin: String,
    /// Fingerprint of the key that did it (hex).
    pub actor: String,
    /// What it was done to: a key fingerprint, or the SHA-256 of an enrollment code (hex).
    pub subject: String,
    /// The log's clock, Unix seconds.
    pub time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AdminEntry {
    pub fn to_bytes(&self) -> Result<Vec<u8>, DepositError> {
        serde_json_canonicalizer::to_vec(self).map_err(|e| DepositError::Canonical(Arc::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deposit of made-up digests, naming no file.
    fn sample() -> Deposit {
        Deposit {
            v: 1,
            sha256: "a".repeat(64),
            sm3: "b".repeat(64),
            package: "capture-1".into(),
            operator: "c".repeat(64),
            claimed_time: "2026-11-23T12:00:00Z".into(),
            label: None,
            label_commitment: None,
            files: Vec::new(),
        }
    }

    #[test]
    fn deposits_are_canonical_and_checked() {
        let d = sample();
        let b = d.to_bytes().unwrap();
        assert!(b.starts_with(b"{\"claimed_time\""));
        assert_eq!(Deposit::parse(&b).unwrap(), d);
        // Not canonical, unknown fields, bad hex: refused.
        let spaced = String::from_utf8(b.clone()).unwrap().replace(",", ", ");
        assert!(Deposit::parse(spaced.as_bytes()).is_err());
        assert!(Deposit::parse(br#"{"v":1,"x":2}"#).is_err());
        let mut bad = d.clone();
        bad.sha256 = "A".repeat(64);
        assert!(Deposit::parse(&bad.to_bytes().unwrap()).is_err());
        // An administrative entry is never taken for a deposit.
        let a = AdminEntry {
            v: 1,
            admin: "revoke".into(),
            actor: "a".repeat(64),
            subject: "b".repeat(64),
            time: 1,
            detail: None,
        };
        assert!(Deposit::parse(&a.to_bytes().unwrap()).is_err());
    }

    #[test]
    fn a_label_commitment_is_the_documented_hash() {
        // SHA-256("webproof-label/v1" 0x00 ‖ salt ‖ UTF-8 label), computed with Python's
        // hashlib (docs/evidence-package.md §6c).
        assert_eq!(
            label_commitment("案件-42", &[7; 16]),
            "3496b237717d484203e8a87752c5566601697f599c32ccdd3f03e8f4dc25d7ff"
        );
        assert_ne!(
            label_commitment("案件-42", &[8; 16]),
            label_commitment("案件-42", &[7; 16])
        );
    }

    #[test]
    fn each_field_is_checked_alone_at_its_limit() {
        let ok = |d: &Deposit| d.validate().is_ok();
        for field in 0..3 {
            let mut d = sample();
            let bad = "g".repeat(64);
            match field {
                0 => d.sha256 = bad,
                1 => d.sm3 = bad,
                _ => d.operator = bad,
            }
            assert!(
                matches!(d.validate(), Err(DepositError::Digests)),
                "{field}"
            );
        }
        let mut d = sample();
        d.package = "p".repeat(128);
        assert!(ok(&d));
        d.package.push('p');
        assert!(matches!(d.validate(), Err(DepositError::Package)));
        d.package.clear();
        assert!(matches!(d.validate(), Err(DepositError::Package)));
        let mut d = sample();
        d.claimed_time = "t".repeat(40);
        assert!(ok(&d));
        d.claimed_time.push('t');
        assert!(matches!(d.validate(), Err(DepositError::ClaimedTime)));
        // Labels count characters, not bytes.
        let mut d = sample();
        d.label = Some("案".repeat(64));
        assert!(ok(&d));
        d.label = Some("案".repeat(65));
        assert!(matches!(d.validate(), Err(DepositError::Label)));
        let mut d = sample();
        d.label_commitment = Some("f".repeat(64));
        assert!(ok(&d));
        d.label_commitment = Some("f".repeat(63));
        assert!(matches!(d.validate(), Err(DepositError::Commitment)));
        let mut d = sample();
        d.v = 2;
        assert!(matches!(d.validate(), Err(DepositError::Version(2))));
    }

    #[test]
    fn an_administrative_entry_has_its_canonical_bytes() {
        let a = AdminEntry {
            v: 1,
            admin: "enroll".into(),
            actor: "a".repeat(64),
            subject: "b".repeat(64),
            time: 1_765_000_000,
            detail: Some("tenant dev".into()),
        };
        let want = format!(
            r#"{{"actor":"{}","admin":"enroll","detail":"tenant dev","subject":"{}","time":1765000000,"v":1}}"#,
            "a".repeat(64),
            "b".repeat(64)
        );
        assert_eq!(String::from_utf8(a.to_bytes().unwrap()).unwrap(), want);
    }

    #[test]
    fn files_are_named_by_digest_and_absent_when_none() {
        let file = |seq| DepositFile {
            seq,
            sha256: "d".repeat(64),
            sm3: "e".repeat(64),
        };
        let mut d = sample();
        // No files: the bytes of a deposit made before files were named.
        let before = br#"{"claimed_time":"2026-11-23T12:00:00Z","operator":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","package":"capture-1","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","sm3":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","v":1}"#;
        assert_eq!(d.to_bytes().unwrap(), before);
        assert_eq!(Deposit::parse(before).unwrap(), d);
        d.files = vec![file(3), file(4)];
        let b = d.to_bytes().unwrap();
        assert!(String::from_utf8_lossy(&b).contains(r#""files":[{"seq":3,"sha256":"ddd"#));
        assert_eq!(Deposit::parse(&b).unwrap(), d);
        // At the limit and past it; a digest that is not one.
        d.files = vec![file(1); MAX_DEPOSIT_FILES];
        assert!(d.validate().is_ok());
        d.files.push(file(2));
        assert!(matches!(d.validate(), Err(DepositError::Files)));
        d.files = vec![DepositFile {
            sm3: "E".repeat(64),
            ..file(1)
        }];
        assert!(matches!(d.validate(), Err(DepositError::Files)));
        d.files = vec![DepositFile {
            sha256: "d".repeat(63),
            ..file(1)
        }];
        assert!(matches!(d.validate(), Err(DepositError::Files)));
    }
}
