//! The alliance trust bundle (docs/trust-bundle.md): one JSON file with everything a reader
//! trusts of an evidence alliance — its logs' and witnesses' verifier keys and the witness
//! quorum, its registration authorities' operator CAs and the time-stamp authorities' roots —
//! read into a [`Policy`]. A bundle is what the reader chooses to trust, like a CA bundle: it
//! carries no signature of its own, and a reader takes it from the alliance out of band.

use webproof_ledger::note::NoteKey;
use webproof_message::{Explain, Message, msg};

use crate::Policy;

pub use webproof_ledger::bundle::{FORMAT, TrustBundle, VERSION};

/// The largest bundle read (a bundle of a few keys and certificates is a few kilobytes).
pub const MAX_BUNDLE: usize = 1 << 20;

/// Why a bundle cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("larger than {MAX_BUNDLE} bytes")]
    TooLarge,
    #[error("not a trust bundle: {0}")]
    Json(#[source] serde_json::Error),
    #[error("format {format:?} version {v}: not one this verifier reads")]
    Version { format: String, v: u32 },
    #[error("{field}[{index}]: {detail}")]
    Entry {
        field: &'static str,
        index: usize,
        detail: String,
    },
    #[error("a quorum of {quorum} out of {witnesses} witnesses")]
    Quorum { quorum: usize, witnesses: usize },
}

impl Explain for BundleError {
    fn message(&self) -> Message {
        match self {
            BundleError::TooLarge => msg!("err-bundle-large").arg("limit", MAX_BUNDLE),
            BundleError::Json(e) => msg!("err-bundle-json").arg("detail", e),
            BundleError::Version { format, v } => msg!("err-bundle-version")
                .arg("format", format)
                .arg("version", v),
            BundleError::Entry {
                field,
                index,
                detail,
            } => msg!("err-bundle-entry")
                .arg("field", field)
                .arg("index", index)
                .arg("detail", detail),
            BundleError::Quorum { quorum, witnesses } => msg!("err-bundle-quorum")
                .arg("quorum", quorum)
                .arg("witnesses", witnesses),
        }
    }
}

/// What a bundle makes a reader trust, each entry read and checked.
#[derive(Clone, Debug)]
pub struct Trusted {
    pub bundle: TrustBundle,
    logs: Vec<NoteKey>,
    witnesses: Vec<NoteKey>,
    operator_cas: Vec<x509_cert::Certificate>,
    tsa_roots: Vec<x509_cert::Certificate>,
}

/// Reads a bundle: every key and certificate must read, the quorum must be reachable.
pub fn read(bytes: &[u8]) -> Result<Trusted, BundleError> {
    if bytes.len() > MAX_BUNDLE {
        return Err(BundleError::TooLarge);
    }
    let bundle: TrustBundle = serde_json::from_slice(bytes).map_err(BundleError::Json)?;
    if bundle.format != FORMAT || bundle.v != VERSION {
        return Err(BundleError::Version {
            format: bundle.format,
            v: bundle.v,
        });
    }
    let keys = |field: &'static str, list: &[String]| {
        list.iter()
            .enumerate()
            .map(|(index, k)| {
                NoteKey::from_vkey(k).map_err(|e| BundleError::Entry {
                    field,
                    index,
                    detail: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let certs = |field: &'static str, list: &[String]| {
        let mut out = Vec::new();
        for (index, pem) in list.iter().enumerate() {
            let entry = |detail: String| BundleError::Entry {
                field,
                index,
                detail,
            };
            if !pem.trim_start().starts_with("-----BEGIN CERTIFICATE-----") {
                return Err(entry("not a PEM certificate".into()));
            }
            match webproof_timestamp::load_certs(pem.as_bytes()) {
                Ok(c) if c.len() == 1 => out.extend(c),
                Ok(c) => return Err(entry(format!("{} certificates, not one", c.len()))),
                Err(e) => return Err(entry(e.to_string())),
            }
        }
        Ok(out)
    };
    let logs = keys("logs", &bundle.logs)?;
    let witnesses = keys("witnesses", &bundle.witnesses)?;
    if bundle.quorum > witnesses.len() {
        return Err(BundleError::Quorum {
            quorum: bundle.quorum,
            witnesses: witnesses.len(),
        });
    }
    Ok(Trusted {
        operator_cas: certs("operator_cas", &bundle.operator_cas)?,
        tsa_roots: certs("tsa_roots", &bundle.tsa_roots)?,
        logs,
        witnesses,
        bundle,
    })
}

impl Trusted {
    /// Adds what the bundle trusts to `policy` (beside what it trusts already); the quorum is
    /// the larger of the two.
    pub fn apply(&self, policy: &mut Policy) {
        policy.log.logs.extend(self.logs.iter().cloned());
        policy.log.witnesses.extend(self.witnesses.iter().cloned());
        policy.log.quorum = policy.log.quorum.max(self.bundle.quorum);
        policy
            .operator_cas
            .extend(self.operator_cas.iter().cloned());
        policy.trusted_tsa.extend(self.tsa_roots.iter().cloned());
    }
}
